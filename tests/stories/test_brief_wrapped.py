"""Briefs of hard-wrapped Markdown and plain-text articles: whole sentences, no boilerplate, no repeats."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from ssbrace.documents.text import read_file
from ssbrace.kb.stories_repo import DocRecord, StoryRecord
from ssbrace.pipeline import assign_document, build_brief
from ssbrace.stories.brief import compose_brief, reads_alone
from ssbrace.stories.features import fact_figures, figure_keys
from tests.stories.helpers import add_doc

WRAPPED = Path(__file__).resolve().parents[1] / "data" / "stories_wrapped"
BOILERPLATE = ("Sources:", "Photo:", "Read more", "Related:", "Copyright", "All rights reserved", "By Hana")
LEANING = {"and", "but", "or", "so", "yet", "nor"}


def ingest_wrapped(store) -> tuple[int, dict[int, str]]:
    """The three articles as ingestion reads them, stored and grouped; their story and texts."""
    texts = {}
    for path in sorted(WRAPPED.iterdir()):
        extracted = read_file(path)
        doc_id = add_doc(
            store,
            str(path),
            extracted.text,
            title=extracted.title,
            publisher=extracted.publisher,
            published=extracted.published,
        )
        texts[doc_id] = extracted.text
    with store.session() as s:
        story_ids = {assign_document(s, i) for i in texts}
    assert len(story_ids) == 1
    return story_ids.pop(), texts


def starts_a_sentence(bullet: str, text: str) -> bool:
    """Whether the bullet is a whole sentence of a paragraph of ``text`` (lines joined)."""
    for paragraph in re.split(r"\n\s*\n", text):
        joined = " ".join(paragraph.split())
        at = joined.find(bullet)
        if at == 0 or (at >= 2 and joined[at - 2] in '.!?"\u201d'):
            return True
    return False


def test_brief_of_wrapped_articles_has_whole_sentences_and_no_boilerplate(store):
    story_id, texts = ingest_wrapped(store)
    with store.session() as s:
        brief = build_brief(s, story_id)
    assert 3 <= len(brief.bullets) <= 8
    for bullet in brief.bullets:
        assert not bullet.text[0].islower(), bullet.text
        assert bullet.text.split()[0].casefold() not in LEANING, bullet.text
        assert reads_alone(bullet.text)
        assert not any(b.casefold() in bullet.text.casefold() for b in BOILERPLATE), bullet.text
        assert starts_a_sentence(bullet.text, texts[bullet.origin]), bullet.text
        # the number check: every number of the bullet is in a document it cites
        cited = set().union(*(figure_keys(texts[c]) for c in bullet.citations))
        assert figure_keys(bullet.text) <= cited, bullet.text
    # the opening sentence was wrapped before a capitalised word: its tail is no bullet of its own
    assert "Toyota plans to put in its electric cars." not in [b.text for b in brief.bullets]
    # two outlets (one of them twice): "Summary based on 2 sources"
    assert brief.source_count == 2 and brief.based_on == "Summary based on 2 sources"


def test_paraphrased_figures_are_not_both_kept(store):
    story_id, _ = ingest_wrapped(store)
    with store.session() as s:
        brief = build_brief(s, story_id)
    texts = [b.text for b in brief.bullets]
    # "on sale in 2027-28" (Harbour Wire) and "in 2027 or 2028" (Northern Ledger, Harbour Wire follow-up)
    launch = [t for t in texts if {"2027", "2028"} <= fact_figures(t)]
    assert len(launch) == 1, texts
    # "about 1,000 km" and "roughly 1,000 kilometres"
    assert len([t for t in texts if "1000" in fact_figures(t)]) == 1, texts
    # the bullet kept for the launch window cites the other outlet that states it in other words
    assert len(brief.bullets[[i for i, t in enumerate(texts) if t in launch][0]].citations) >= 2


def test_same_figure_about_different_companies_is_two_facts():
    story = StoryRecord(1, "Launch dates", None, None, 2, 1, datetime.now(), datetime.now(), (1, 2))
    one = (
        "Toyota plans to sell cars with all-solid-state batteries in 2027-28, the carmaker said on Monday. "
        "Toyota has worked on the cells with partners for more than a decade."
    )
    two = (
        "Samsung SDI said it would begin mass production of its all-solid-state cells in 2027 or 2028. "
        "Samsung SDI runs a pilot line for the cells at its research centre near the capital."
    )
    docs = [
        DocRecord(1, "a", None, "Toyota dates", "Wire One", None, None, one, None),
        DocRecord(2, "b", None, "Samsung SDI dates", "Wire Two", None, None, two, None),
    ]
    from ssbrace.stories.features import entity_index

    brief = compose_brief(story, docs, [], index=entity_index("solid_state_batteries"))
    texts = [b.text for b in brief.bullets]
    assert any("Toyota plans" in t for t in texts) and any("Samsung SDI said" in t for t in texts), texts


def test_without_a_gazetteer_capitalised_names_stand_in_for_entities():
    story = StoryRecord(1, "Acme dates", None, None, 2, 1, datetime.now(), datetime.now(), (1, 2))
    one = (
        "Acme Cells will put its solid-state cells on sale in 2027-28, the start-up said in a filing. "
        "The company has built a pilot line near the coast."
    )
    two = (
        "Investors were told that Acme Cells expects its first solid-state cells to reach buyers in 2027 or 2028. "
        "Its founders left a large carmaker to start the business."
    )
    docs = [
        DocRecord(1, "a", None, "Acme dates", "Wire One", None, None, one, None),
        DocRecord(2, "b", None, "Acme timing", "Wire Two", None, None, two, None),
    ]
    brief = compose_brief(story, docs, [])
    launch = [b.text for b in brief.bullets if {"2027", "2028"} <= fact_figures(b.text)]
    assert len(launch) == 1, [b.text for b in brief.bullets]


def test_sentences_that_lean_on_the_one_before_do_not_read_alone():
    assert reads_alone("Toyota plans to sell the cars in 2027-28.")
    assert reads_alone('"We are ready," the chief executive said.')
    assert reads_alone("$1.4 billion will go into the plant, the company said.")
    assert reads_alone("So far, the company has shipped sample cells.")
    assert not reads_alone("projects with subsidies of up to about 350 billion yen.")
    assert not reads_alone("But the company did not say when.")
    assert not reads_alone("And it has not said how many cars it will build.")
    assert not reads_alone("The company said its target was")  # no final stop
