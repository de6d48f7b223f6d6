"""Watches: what they follow (entities through their aliases, keywords, saved searches), their digest and feed,
and the alert email at a real aiosmtpd server on 127.0.0.1, sent once per event even when the server was down."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ssbrace import following
from ssbrace.delivery.watches import watch_matches
from ssbrace.errors import InputError, UsageError
from ssbrace.kb.tables import Base
from ssbrace.kb.watches_repo import WatchRecord
from ssbrace.pipeline import run_ingest
from ssbrace.settings import Settings
from ssbrace.stories.topics import StorySignals
from tests.delivery.test_webhooks import articles
from tests.fixtures.webhook_receiver import webhook_receiver  # noqa: F401 - the fixture

ATOM = "{http://www.w3.org/2005/Atom}"


def settings_for(db_url: str, smtp_port: int = 25, **changes: object) -> Settings:
    base = Settings(db=db_url, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_from="alerts@brief.example",
                    base_url="https://brief.example", connect_timeout=5.0, webhook_allow_private=True,
                    webhook_backoff=0.01)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_an_entity_is_found_by_any_of_its_names_and_anything_else_is_a_keyword(store, db_url):
    settings = settings_for(db_url)
    added = following.add_watch(store, settings, "Toyota Motor Corp.", email="Ann@Example.org")
    assert (added.watch.kind, added.watch.value, added.watch.entity_type) == ("entity", "Toyota", "company")
    assert added.created and added.watch.email == "ann@example.org" and added.note is None
    assert not following.add_watch(store, settings, "toyota", email="ann@example.org").created  # the same watch
    japan = following.add_watch(store, settings, "japan").watch
    assert (japan.kind, japan.value, japan.entity_type) == ("entity", "Japan", "country")
    keyword = following.add_watch(store, settings, "  sulfide   electrolyte ")
    assert (keyword.watch.kind, keyword.watch.value) == ("keyword", "sulfide electrolyte")
    assert "no entity named" in (keyword.note or "")
    with pytest.raises(InputError, match="no entity named"):
        following.add_watch(store, settings, "Nobody Batteries", kind="entity")
    with pytest.raises(UsageError, match="not an email address"):
        following.add_watch(store, settings, "Toyota", email="ann at example")
    with pytest.raises(UsageError, match="nothing to watch"):
        following.add_watch(store, settings, "   ")
    with pytest.raises(UsageError, match="refused"):
        following.add_watch(store, dataclasses.replace(settings, webhook_allow_private=False), "Toyota",
                            webhook="http://192.168.1.20/hook")
    assert [w.value for w in following.list_watches(store)] == ["Toyota", "Japan", "sulfide electrolyte"]
    removed = following.remove_watch(store, japan.id)
    assert removed.value == "Japan" and len(following.list_watches(store)) == 2
    with pytest.raises(InputError, match="no watch with id"):
        following.remove_watch(store, japan.id)


def _signals(entities=(), countries=(), text="") -> StorySignals:  # type: ignore[no-untyped-def]
    return StorySignals(frozenset(entities), frozenset(countries), frozenset(), text)


def test_what_each_kind_of_watch_matches():
    toyota = WatchRecord(1, "entity", "Toyota", "company")
    japan = WatchRecord(2, "entity", "Japan", "country")
    keyword = WatchRecord(3, "keyword", "sulfide electrolyte")
    search = WatchRecord(4, "search", "idemitsu sulfide")
    slip = _signals({"Toyota"}, {"Japan"}, "Toyota delays its solid-state plans")
    assert watch_matches(toyota, slip) and watch_matches(japan, slip)
    assert not watch_matches(toyota, _signals({"Nissan"}, {"Japan"}))
    assert watch_matches(keyword, _signals(text="a Sulfide-Electrolyte plant")) and not watch_matches(
        keyword, _signals(text="sulfides and electrolytes"))
    assert watch_matches(search, _signals(text="Idemitsu will build a sulfide line"))
    assert not watch_matches(search, _signals(text="Idemitsu will build a plant"))


def test_the_alert_email_arrives_once_and_names_the_slip(store, db_url, tmp_path, smtp_server):
    settings = settings_for(db_url, smtp_server.port)
    following.add_watch(store, settings, "Toyota", email="ann@example.org")
    following.add_watch(store, settings, "Japan", email="ann@example.org")  # the same slip: still one email
    following.add_watch(store, settings, "Nissan", email="bob@example.org")  # nothing about Nissan
    first, later = articles(tmp_path)
    run_ingest(store, [first], settings)
    assert smtp_server.handler.messages == []  # a first target is no change
    run_ingest(store, [later], settings)
    [mail] = smtp_server.handler.messages
    assert mail.rcpt_tos == ["ann@example.org"] and mail.mail_from == "alerts@brief.example"
    assert mail.message["Subject"].startswith("ssbrace alert: Target slipped (")
    text = mail.part("plain")
    assert "Toyota mass production target slipped from 2027 to 2030" in text
    toyota, japan = following.list_watches(store)[:2]
    # the alert came through the Toyota watch: one link stops that watch's emails, another every watch of
    # the address (ann follows Japan too), and the List-Unsubscribe header is the latter
    one = f"https://brief.example/watches/unsubscribe?token={toyota.token}"
    every = f"{one}&scope=all"
    assert f"Stop the alert emails on Toyota: {one}\r\n" in text
    assert f"Stop every alert email to ann@example.org (2 watches): {every}\r\n" in text
    assert mail.message["List-Unsubscribe"].startswith(f"<{every}>") and japan.token not in text
    html = mail.part("html")
    assert "Toyota mass production target slipped" in html and "scope=all" in html
    # Another batch and another run: the event is not sent again.
    run_ingest(store, [later], settings)
    following.run_alerts(store, settings)
    assert len(smtp_server.handler.messages) == 1
    rows = following.delivery_log(store, channel="email")
    assert [(r.target, r.event, r.status) for r in rows] == [("ann@example.org", "target_slip", "sent")]


def test_alerts_wait_for_an_unreachable_mail_server(store, db_url, tmp_path, smtp_server, dead_smtp_port):
    down = settings_for(db_url, dead_smtp_port)
    following.add_watch(store, down, "Toyota", email="ann@example.org")
    first, later = articles(tmp_path)
    run_ingest(store, [first], down)
    run_ingest(store, [later], down)  # the batch is stored even so
    [row] = following.delivery_log(store, channel="email")
    assert row.status == "pending" and "cannot reach SMTP server" in (row.error or "")
    report = following.deliver_alerts(store, settings_for(db_url, smtp_server.port))
    assert len(report.sent) == 1 and len(smtp_server.handler.messages) == 1
    following.deliver_alerts(store, settings_for(db_url, smtp_server.port))
    assert len(smtp_server.handler.messages) == 1


def test_a_watch_with_a_webhook_gets_its_alerts_signed_and_named(store, db_url, tmp_path,
                                                               webhook_receiver):  # noqa: F811
    settings = settings_for(db_url)
    added = following.add_watch(store, settings, "Toyota", webhook=webhook_receiver.url)
    [hook] = following.list_webhooks(store)
    assert hook.events == () and added.watch.webhook_url == webhook_receiver.url
    first, later = articles(tmp_path)
    run_ingest(store, [first], settings)
    run_ingest(store, [later], settings)
    [request] = webhook_receiver.requests
    body = json.loads(request.body)
    assert body["event"] == "target_slip" and body["watch"]["value"] == "Toyota"
    assert body["watch"]["id"] == added.watch.id and "email" not in body["watch"]
    # Removing the webhook removes the watches that alert through it.
    following.remove_webhook(store, str(hook.id))
    assert following.list_watches(store) == [] and following.list_webhooks(store) == []


def test_a_watch_has_a_digest_and_an_atom_feed(store, db_url, tmp_path):
    settings = settings_for(db_url)
    watch = following.add_watch(store, settings, "Toyota").watch
    other = following.add_watch(store, settings, "Nissan").watch
    first, later = articles(tmp_path)
    run_ingest(store, [first, later], settings)
    now = datetime.now(UTC)
    with store.session() as session:
        digest = following.watch_digest(session, watch, settings, now - timedelta(days=7), now=now)
        empty = following.watch_digest(session, other, settings, now - timedelta(days=7), now=now)
        feed = ET.fromstring(following.watch_feed(session, watch, settings))
    assert digest.briefs and empty.briefs == []
    assert digest.topic.name == "Toyota" and "Moved targets" in digest.changes
    assert any("slipped from 2027 to 2030" in line for line in digest.changes["Moved targets"])
    assert feed.findtext(f"{ATOM}title") == "ssbrace: Toyota"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == f"https://brief.example/feeds/watches/{watch.id}.atom"
    assert len(feed.findall(f"{ATOM}entry")) == len(digest.briefs)
    with store.session() as session:
        parsed = feedparser.parse(following.watch_feed(session, watch, settings))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "ssbrace: Toyota" and len(parsed.entries) == len(digest.briefs)
    assert all(e.link.startswith("https://brief.example/stories/") for e in parsed.entries)


def test_watch_digest_is_emailed_once(store, db_url, tmp_path, smtp_server):
    settings = settings_for(db_url, smtp_server.port, alerts=False)
    watch = following.add_watch(store, settings, "Toyota", email="ann@example.org").watch
    first, _ = articles(tmp_path)
    run_ingest(store, [first], settings)
    since = datetime.now(UTC) - timedelta(days=7)
    report = following.send_watch_digest(store, settings, watch.id, since)
    assert report.sent == ["ann@example.org"] and len(smtp_server.handler.messages) == 1
    assert smtp_server.handler.messages[0].message["Subject"].startswith("Toyota: 1 story since")
    again = following.send_watch_digest(store, settings, watch.id, since)
    assert again.skipped == ["ann@example.org"] and len(smtp_server.handler.messages) == 1
    feed_only = following.add_watch(store, settings, "Japan").watch
    with pytest.raises(UsageError, match="has no address"):
        following.send_watch_digest(store, settings, feed_only.id, since)


def test_no_alerts_for_the_history_before_the_first_watch(store, db_url, tmp_path, smtp_server):
    settings = settings_for(db_url, smtp_server.port)
    first, later = articles(tmp_path)
    run_ingest(store, [first, later], settings)  # the slip is stored before anyone follows Toyota
    following.add_watch(store, settings, "Toyota", email="ann@example.org")
    following.run_alerts(store, settings)
    assert smtp_server.handler.messages == [] and following.delivery_log(store, channel=None) == []


def _names(change: object) -> set[str]:
    """The table names one autogenerate difference touches (a tuple, or a list of them for a column)."""
    if isinstance(change, list):
        return {n for part in change for n in _names(part)}
    found = set()
    for part in change if isinstance(change, tuple) else ():
        table = getattr(part, "table", None)
        found.add(part if isinstance(part, str) else getattr(table, "name", None) or getattr(part, "name", None))
    return {n for n in found if n}


def test_models_and_migration_0023_agree(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = {"webhooks", "watches", "event_deliveries", "alert_marks"}
    assert [d for d in diff if _names(d) & mine] == []


def test_what_arrives_while_nobody_follows_is_history(store, db_url, tmp_path, smtp_server):
    settings = settings_for(db_url, smtp_server.port)
    first, later = articles(tmp_path)
    gone = following.add_watch(store, settings, "Nissan", email="bob@example.org").watch
    following.remove_watch(store, gone.id)  # the marks were set, then nobody followed
    run_ingest(store, [first, later], settings)
    following.add_watch(store, settings, "Toyota", email="ann@example.org")
    following.run_alerts(store, settings)
    assert smtp_server.handler.messages == []


def test_unsubscribing_stops_one_watch_or_every_watch_of_the_address(store, db_url, tmp_path, dead_smtp_port,
                                                                      webhook_receiver):  # noqa: F811
    settings = settings_for(db_url, dead_smtp_port)
    toyota = following.add_watch(store, settings, "Toyota", email="ann@example.org").watch
    japan = following.add_watch(store, settings, "Japan", email="ann@example.org", webhook=webhook_receiver.url).watch
    bob = following.add_watch(store, settings, "Toyota", email="bob@example.org").watch
    offered = following.unsubscribe_choices(store, japan.token)
    assert offered is not None and offered[0].id == japan.id and [w.id for w in offered[1]] == [toyota.id, japan.id]
    assert following.unsubscribe_choices(store, "no-such-token") is None
    # one watch: Japan's emails stop, the watch stays for its webhook
    stopped = following.stop_emails(store, japan.token)
    assert stopped is not None and [(w.id, stays) for w, stays in stopped.watches] == [(japan.id, True)]
    kept = following.get_watch(store, japan.id)
    assert kept.email is None and kept.webhook_url == webhook_receiver.url
    assert following.unsubscribe_choices(store, japan.token) is None  # no address: nothing left to stop
    # every watch of the address: Toyota (email only) is removed; bob's watch is another address's
    following.add_watch(store, settings, "sulfide electrolyte", email="ann@example.org")
    every = following.stop_emails(store, toyota.token, every=True)
    assert every is not None and every.email == "ann@example.org"
    assert [(w.value, stays) for w, stays in every.watches] == [("Toyota", False), ("sulfide electrolyte", False)]
    assert [(w.id, w.email) for w in following.list_watches(store)] == [(japan.id, None), (bob.id, "bob@example.org")]
    # the slip still reaches Japan's webhook, and nobody at ann's address
    first, later = articles(tmp_path)
    run_ingest(store, [first, later], settings)
    assert [json.loads(r.body)["event"] for r in webhook_receiver.requests] == ["target_slip"]
    assert {r.target for r in following.delivery_log(store, channel="email")} == {"bob@example.org"}


def test_a_keyword_watch_matches_its_plural():
    keyword = WatchRecord(1, "keyword", "sulfide electrolyte")
    assert watch_matches(keyword, _signals(text="Toyota and Idemitsu team up on sulfide electrolytes"))
    assert watch_matches(WatchRecord(2, "keyword", "solid-state battery"), _signals(text="Solid State Batteries"))
    assert watch_matches(WatchRecord(3, "search", "glass electrolyte"), _signals(text="electrolytes of glasses"))
    assert not watch_matches(keyword, _signals(text="sulfide electrolytesque"))
    assert not watch_matches(WatchRecord(4, "keyword", "cell"), _signals(text="cellulose"))


def test_a_stopped_watch_sends_nothing_it_had_queued(store, db_url, tmp_path, dead_smtp_port):
    settings = settings_for(db_url, dead_smtp_port)
    watch = following.add_watch(store, settings, "Toyota", email="ann@example.org").watch
    first, later = articles(tmp_path)
    run_ingest(store, [first, later], settings)
    assert [r.status for r in following.delivery_log(store, channel="email")] == ["pending"]
    assert following.stop_emails(store, watch.token) is not None
    assert following.delivery_log(store, channel="email") == []
    assert following.stop_emails(store, watch.token) is None
