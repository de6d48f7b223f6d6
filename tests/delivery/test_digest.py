"""Digest rendering: stories and briefs of the period, escaped HTML, plain text, changes."""

from datetime import UTC, datetime, timedelta

import pytest

from ssbrace.delivery.digest import render
from ssbrace.errors import DeliveryError
from ssbrace.pipeline import build_digest
from ssbrace.stories.features import EMPTY_INDEX
from tests.delivery.stories_data import HOSTILE_TITLE, TOPIC, seed

NOW = datetime.now(UTC)


@pytest.fixture
def digest(store):
    seed(store)
    with store.session() as s:
        return build_digest(
            s, TOPIC, NOW - timedelta(days=7), now=NOW, index=EMPTY_INDEX, base_url="https://brief.example"
        )


def test_digest_holds_the_periods_stories_only(digest):
    headlines = sorted(b.headline for b in digest.briefs)
    assert headlines == sorted([HOSTILE_TITLE, "Zenith opens pilot line"])
    plant = next(b for b in digest.briefs if b.headline == HOSTILE_TITLE)
    assert plant.source_count == 2 and len(plant.sources) == 2


def test_html_escapes_hostile_text_and_cites_sources(digest):
    html = render(digest, "html", unsubscribe="https://brief.example/unsubscribe?token=abc")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&amp;&lt;&gt; Acme plant" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert 'href="https://wire-one.example/acme?a=1&amp;b=2"' in html
    assert "Summary based on 2 sources" in html and "Summary based on 1 source<" in html
    assert "[1]</a></sup>" in html
    assert "https://brief.example/stories/" in html
    assert 'Unsubscribe: <a href="https://brief.example/unsubscribe?token=abc">' in html


def test_text_keeps_text_as_written(digest):
    text = render(digest, "text", unsubscribe="https://brief.example/unsubscribe?token=abc")
    assert HOSTILE_TITLE in text
    assert "Summary based on 2 sources:" in text
    assert " [1] " in text and "https://wire-one.example/acme?a=1&b=2" in text
    assert "Unsubscribe: https://brief.example/unsubscribe?token=abc" in text
    assert "What changed" in text


def test_changes_section_is_present_either_way(digest):
    # analysis.changes may or may not have anything since the period start: a note or lines, never nothing
    assert digest.changes or digest.changes_note == "no changes recorded"
    html = render(digest, "html")
    assert "What changed" in html
    assert ("no changes recorded" in html) == (not digest.changes)


def test_digest_key_follows_the_stories_and_their_versions(store, digest):
    from ssbrace.pipeline import assign_document
    from tests.stories.helpers import add_doc

    with store.session() as s:
        again = build_digest(s, TOPIC, NOW - timedelta(days=7), now=NOW, index=EMPTY_INDEX)
    assert again.key == digest.key
    new = add_doc(
        store,
        "plant3.txt",
        "Acme Cells' $1.4 billion solid-state factory in Ruritania will make "
        "12 GWh a year from 2028 and hire 900 staff, the company said.",
        title="Acme plant again",
        publisher="Wire Three",
        published=NOW.date(),
    )
    with store.session() as s:
        assign_document(s, new)
        changed = build_digest(s, TOPIC, NOW - timedelta(days=7), now=NOW, index=EMPTY_INDEX)
    assert changed.key != digest.key


def test_empty_period_and_bad_format(store):
    with store.session() as s:
        empty = build_digest(s, TOPIC, NOW - timedelta(hours=24), now=NOW, index=EMPTY_INDEX)
    assert empty.briefs == []
    assert "No new stories in this period." in render(empty, "text")
    with pytest.raises(DeliveryError, match="unknown digest format 'pdf'"):
        render(empty, "pdf")


def test_a_country_digest_lists_only_changes_about_that_country(store):
    """`digest --topic japan` once listed Korean and EU facts under "What changed" (issue 14)."""
    from pathlib import Path

    from ssbrace.api import ingest
    from ssbrace.domains.loader import load_domain
    from ssbrace.stories.features import entity_index
    from ssbrace.stories.topics import find_topic

    articles = Path(__file__).resolve().parents[1] / "data" / "articles"
    ingest(store, [str(articles / n) for n in ("001_toyota-idemitsu.txt", "006_korea-182bn-won-yonhap.txt",
                                               "016_samsung-sdi-suwon-pilot-line.txt",
                                               "052_meti-libtec-solid-state-grant.txt")])
    index = entity_index("solid_state_batteries")
    topics = load_domain("solid_state_batteries").topics
    since = datetime(2000, 1, 1, tzinfo=UTC)
    with store.session() as s:
        japan = build_digest(s, find_topic(topics, "japan"), since, now=NOW, index=index)
        korea = build_digest(s, find_topic(topics, "south-korea"), since, now=NOW, index=index)
    japan_lines = [line for lines in japan.changes.values() for line in lines]
    korea_lines = [line for lines in korea.changes.values() for line in lines]
    assert japan_lines and korea_lines
    assert not [line for line in japan_lines if "Korea" in line or "Samsung" in line]
    assert not [line for line in korea_lines if "Toyota" in line or "Japan" in line or "METI" in line]
