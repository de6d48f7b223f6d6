"""Digest delivery to a real aiosmtpd server on 127.0.0.1: headers, refusals, outages, no repeats."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from ssbrace.errors import DeliveryError
from ssbrace.kb import stories_repo as repo
from ssbrace.pipeline import deliver_digest
from ssbrace.settings import Settings
from ssbrace.stories.features import EMPTY_INDEX
from tests.delivery.stories_data import HOSTILE_TITLE, TOPIC, seed
from tests.fixtures.smtp_server import PASSWORD, USER

NOW = datetime.now(UTC)
SINCE = NOW - timedelta(days=7)


def settings_for(server_port, db_url, **changes):
    base = Settings(
        db=db_url,
        smtp_host="127.0.0.1",
        smtp_port=server_port,
        smtp_from="digest@brief.example",
        base_url="https://brief.example",
        connect_timeout=5.0,
    )
    return dataclasses.replace(base, **changes)


def subscribe(store, *addresses):
    with store.session() as s:
        for address in addresses:
            repo.subscribe(s, address, TOPIC.slug)


def deliveries(store):
    with store.session() as s:
        return [(d.recipient, d.status) for d in repo.deliveries(s)]


def test_digest_reaches_each_subscriber_once(store, db_url, smtp_server):
    seed(store)
    subscribe(store, "ann@example.org", "bob@example.org")
    settings = settings_for(smtp_server.port, db_url)
    report = deliver_digest(store, settings, TOPIC, SINCE, now=NOW, index=EMPTY_INDEX)
    assert sorted(report.sent) == ["ann@example.org", "bob@example.org"] and report.story_count == 2
    assert len(smtp_server.handler.messages) == 2
    mail = smtp_server.handler.to("ann@example.org")[0]
    assert mail.mail_from == "digest@brief.example"
    assert mail.message["Subject"] == "Solid-state batteries: 2 stories since " + f"{SINCE:%Y-%m-%d}"
    with store.session() as s:
        token = next(x.token for x in repo.subscriptions(s, TOPIC.slug) if x.email == "ann@example.org")
    link = f"https://brief.example/unsubscribe?token={token}"
    assert link in mail.message["List-Unsubscribe"]
    assert "mailto:digest@brief.example?subject=unsubscribe%20solid-state" in mail.message["List-Unsubscribe"]
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, text = mail.part("html"), mail.part("plain")
    assert f"Unsubscribe: {link}" in text and HOSTILE_TITLE in text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Summary based on 2 sources" in html

    again = deliver_digest(store, settings, TOPIC, SINCE, now=NOW, index=EMPTY_INDEX)
    assert again.sent == [] and sorted(again.skipped) == ["ann@example.org", "bob@example.org"]
    assert len(smtp_server.handler.messages) == 2  # nothing sent twice
    assert deliveries(store) == [("ann@example.org", "sent"), ("bob@example.org", "sent")]


def test_refused_address_is_recorded_and_the_others_still_get_theirs(store, db_url, smtp_server):
    seed(store)
    subscribe(store, "ann@example.org", "gone@example.org", "zed@example.org")
    smtp_server.handler.refuse.add("gone@example.org")
    report = deliver_digest(
        store, settings_for(smtp_server.port, db_url), TOPIC, SINCE, now=NOW, index=EMPTY_INDEX
    )
    assert sorted(report.sent) == ["ann@example.org", "zed@example.org"]
    assert report.refused[0][0] == "gone@example.org" and report.refused[0][1].startswith("550")
    assert sorted(deliveries(store)) == [
        ("ann@example.org", "sent"),
        ("gone@example.org", "refused"),
        ("zed@example.org", "sent"),
    ]
    assert [r for m in smtp_server.handler.messages for r in m.rcpt_tos] == [
        "ann@example.org",
        "zed@example.org",
    ]
    # the refused address is tried again next time; the others are not
    smtp_server.handler.refuse.clear()
    retry = deliver_digest(
        store, settings_for(smtp_server.port, db_url), TOPIC, SINCE, now=NOW, index=EMPTY_INDEX
    )
    assert retry.sent == ["gone@example.org"]


def test_server_down_is_a_clear_error_and_nothing_is_marked_sent(store, db_url, dead_smtp_port):
    seed(store)
    subscribe(store, "ann@example.org")
    with pytest.raises(DeliveryError, match=f"cannot reach SMTP server 127.0.0.1:{dead_smtp_port}"):
        deliver_digest(store, settings_for(dead_smtp_port, db_url), TOPIC, SINCE, now=NOW, index=EMPTY_INDEX)
    assert deliveries(store) == [("ann@example.org", "failed")]


def test_login_when_credentials_are_set(store, db_url, smtp_auth_server):
    seed(store)
    subscribe(store, "ann@example.org")
    good = settings_for(smtp_auth_server.port, db_url, smtp_user=USER, smtp_password=PASSWORD)
    bad = dataclasses.replace(good, smtp_password="wrong")
    with pytest.raises(DeliveryError, match="refused the login of digest-bot"):
        deliver_digest(store, bad, TOPIC, SINCE, now=NOW, index=EMPTY_INDEX)
    assert deliver_digest(store, good, TOPIC, SINCE, now=NOW, index=EMPTY_INDEX).sent == ["ann@example.org"]
    assert len(smtp_auth_server.handler.messages) == 1


def test_starttls_required_but_not_offered_is_a_clear_error(store, db_url, smtp_server):
    seed(store)
    subscribe(store, "ann@example.org")
    settings = settings_for(smtp_server.port, db_url, smtp_starttls=True)
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        deliver_digest(store, settings, TOPIC, SINCE, now=NOW, index=EMPTY_INDEX)
    assert smtp_server.handler.messages == []


def test_nothing_to_send_when_the_period_is_empty(store, db_url, smtp_server):
    subscribe(store, "ann@example.org")
    report = deliver_digest(
        store, settings_for(smtp_server.port, db_url), TOPIC, SINCE, now=NOW, index=EMPTY_INDEX
    )
    assert report.nothing_to_send and smtp_server.handler.messages == [] and deliveries(store) == []
