"""Webhooks against a real HTTP receiver on 127.0.0.1: the signed, versioned payload, one try after a batch and
retries with backoff in `ssbrace webhooks deliver`, a dead receiver that does not hold up a batch, the delivery
log, no second delivery, and the address guard."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json

import pytest

from ssbrace import following
from ssbrace.delivery.webhooks import RetryPolicy, sign, verify
from ssbrace.errors import UsageError
from ssbrace.pipeline import run_ingest
from ssbrace.settings import Settings
from tests.fixtures.webhook_receiver import webhook_receiver  # noqa: F401 - the fixture

SECRET = "a-shared-secret-for-tests-0123"
FIRST = """Toyota sets a date for its solid-state batteries

TOKYO -- Toyota Motor Corp. said it would start mass production of all-solid-state batteries in 2027, the
carmaker told reporters on Wednesday.
"""
LATER = """Toyota delays its solid-state battery plans

TOKYO -- Toyota Motor Corp. now expects mass production of all-solid-state batteries in 2030, later than it
had said, the company told investors on Tuesday.
"""


def settings_for(db_url: str, **changes: object) -> Settings:
    base = Settings(db=db_url, webhook_allow_private=True, webhook_backoff=0.01, webhook_max_backoff=0.05,
                    connect_timeout=5.0, read_timeout=5.0)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def articles(tmp_path):  # type: ignore[no-untyped-def]
    first, later = tmp_path / "toyota-2027.txt", tmp_path / "toyota-2030.txt"
    first.write_text(FIRST, encoding="utf-8")
    later.write_text(LATER, encoding="utf-8")
    return str(first), str(later)


def payloads(receiver) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(r.body) for r in receiver.requests]


def test_signed_payload_of_the_documented_schema(store, db_url, tmp_path, webhook_receiver):  # noqa: F811
    settings = settings_for(db_url)
    hook, created = following.add_webhook(store, settings, webhook_receiver.url, ["target_slip", "new_story"],
                                          secret=SECRET)
    assert created and hook.events == ("target_slip", "new_story")
    first, later = articles(tmp_path)
    run_ingest(store, [first], settings)
    run_ingest(store, [later], settings)
    slips = [r for r in webhook_receiver.requests if json.loads(r.body)["event"] == "target_slip"]
    assert len(slips) == 1
    request = slips[0]
    # A receiver's check, written out without our helper: HMAC-SHA256 of the raw body under the secret.
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-ssbrace-signature"] == expected
    assert verify(request.body, SECRET, request.headers["x-ssbrace-signature"])
    assert not verify(request.body + b" ", SECRET, request.headers["x-ssbrace-signature"])
    body = json.loads(request.body)
    assert body["schema"] == "ssbrace.event/1"
    assert request.headers["x-ssbrace-delivery"] == body["delivery"]
    assert request.headers["x-ssbrace-event"] == "target_slip"
    assert request.headers["content-type"] == "application/json"
    assert body["data"]["entity"] == "Toyota" and body["data"]["previous"] == "2027"
    assert body["data"]["target"] == "2030" and body["data"]["claim"]["kind"] == "target"
    assert body["entities"] == ["Toyota"] and body["watch"] is None and len(body["key"]) == 64
    # Only the events it asked for: no claim events, one story event per new story.
    assert {p["event"] for p in payloads(webhook_receiver)} <= {"target_slip", "new_story"}
    assert "new_story" in {p["event"] for p in payloads(webhook_receiver)}


def test_the_delivery_a_user_checks_by_hand(store, db_url, tmp_path, webhook_receiver):  # noqa: F811
    """As docs/webhooks.md tells it: one POST per event, its signature verified with the documented recipe, its
    links absolute, the log saying it was sent; a re-run sends nothing again."""
    settings = settings_for(db_url, base_url="https://brief.example")
    following.add_webhook(store, settings, webhook_receiver.url, ["new_claim", "new_story"], secret=SECRET)
    first, _ = articles(tmp_path)
    run_ingest(store, [first], settings)
    events = sorted(json.loads(r.body)["event"] for r in webhook_receiver.requests)
    assert events == ["new_claim", "new_story"]

    def verified(body: bytes, header: str, secret: str) -> bool:  # the recipe of docs/webhooks.md, as written
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, header or "")

    assert all(verified(r.body, r.headers["x-ssbrace-signature"], SECRET) for r in webhook_receiver.requests)
    claim = next(json.loads(r.body) for r in webhook_receiver.requests if r.headers["x-ssbrace-event"] == "new_claim")
    assert claim["data"]["claim"]["evidence"]["url"].startswith("https://brief.example/documents/")
    log = following.delivery_log(store)
    assert sorted((r.event, r.status, r.attempts, r.response) for r in log) == [
        ("new_claim", "sent", 1, 200), ("new_story", "sent", 1, 200)]
    assert {r.delivery_id for r in log} == {r.headers["x-ssbrace-delivery"] for r in webhook_receiver.requests}
    run_ingest(store, [first], settings)
    following.deliver_alerts(store, settings)
    assert len(webhook_receiver.requests) == 2


def test_after_a_batch_a_500_waits_for_the_next_run_then_is_delivered_once(store, db_url, tmp_path,
                                                                           webhook_receiver):  # noqa: F811
    settings = settings_for(db_url)
    following.add_webhook(store, settings, webhook_receiver.url, ["new_claim"], secret=SECRET)
    webhook_receiver.statuses.extend([500])
    first, _ = articles(tmp_path)
    run_ingest(store, [first], settings)
    assert len(webhook_receiver.requests) == 1  # one try after the batch, no retries inline
    [row] = following.delivery_log(store)
    assert (row.status, row.attempts, row.response, row.error) == ("pending", 1, 500, "HTTP 500")
    report = following.deliver_alerts(store, settings)  # `ssbrace webhooks deliver`
    tries = webhook_receiver.requests
    assert len(report.sent) == 1 and len(tries) == 2
    assert tries[0].body == tries[1].body
    assert tries[0].headers["x-ssbrace-delivery"] == tries[1].headers["x-ssbrace-delivery"]
    log = following.delivery_log(store)
    assert [(r.status, r.attempts, r.response) for r in log] == [("sent", 2, 200)]


def test_webhooks_deliver_retries_with_backoff(store, db_url, tmp_path, webhook_receiver):  # noqa: F811
    settings = settings_for(db_url, webhook_attempts=3, webhook_backoff=0.5, webhook_max_backoff=0.75, alerts=False)
    following.add_webhook(store, settings, webhook_receiver.url, ["new_claim"], secret=SECRET)
    first, _ = articles(tmp_path)
    run_ingest(store, [first], settings)  # stored, nothing sent: alerts are off
    following.queue_alerts(store, settings)
    webhook_receiver.statuses.extend([503, 503])
    waits: list[float] = []
    report = following.deliver_alerts(store, settings, sleep=waits.append)
    assert waits == [0.5, 0.75] and len(report.sent) == 1 and len(webhook_receiver.requests) == 3
    assert [(r.status, r.attempts) for r in following.delivery_log(store)] == [("sent", 3)]


def test_a_dead_receiver_does_not_hold_up_the_batch(store, db_url, tmp_path, dead_smtp_port):
    """A closed port answers at once and a receiver that never answers gets webhook_timeout, once a batch: no
    sleeping through backoff, and the receiver's other events wait without a try of their own."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are accepted by the kernel and never answered
    try:
        settings = settings_for(db_url, webhook_timeout=0.5, webhook_backoff=5.0, webhook_max_backoff=5.0, alerts=False)
        for url in (f"http://127.0.0.1:{dead_smtp_port}/hook", f"http://127.0.0.1:{silent.getsockname()[1]}/hook"):
            following.add_webhook(store, settings, url, ["new_claim", "new_story"], secret=SECRET)
        first, _ = articles(tmp_path)
        run_ingest(store, [first], settings)
        waits: list[float] = []
        started = time.perf_counter()
        report = following.run_alerts(store, dataclasses.replace(settings, alerts=True), sleep=waits.append)
        elapsed = time.perf_counter() - started
    finally:
        silent.close()
    assert waits == [] and report.sent == [] and report.failed == []
    log = following.delivery_log(store)
    assert len(log) == 4 and {r.status for r in log} == {"pending"}
    assert sorted(r.attempts for r in log) == [0, 0, 1, 1]  # one try per receiver; its other event waits
    timed_out = [r for r in log if r.attempts and r.target == "2"]
    assert timed_out and "Timeout" in (timed_out[0].error or "")
    assert elapsed < 0.5 + 4.0  # one timeout, plus the analysis of the batch on a busy machine


def test_a_4xx_answer_is_final_and_attempts_are_bounded(store, db_url, tmp_path, webhook_receiver):  # noqa: F811
    settings = settings_for(db_url, webhook_attempts=3, webhook_max_attempts=4)
    hooks = [following.add_webhook(store, settings, webhook_receiver.url + p, ["new_claim"], secret=SECRET)[0]
             for p in ("/gone", "/busy")]
    webhook_receiver.statuses.extend([410, 500, 500, 500, 500, 500])
    first, _ = articles(tmp_path)
    run_ingest(store, [first], settings)
    by_hook = {r.target: r for r in following.delivery_log(store)}
    assert (by_hook[str(hooks[0].id)].status, by_hook[str(hooks[0].id)].attempts) == ("failed", 1)
    assert (by_hook[str(hooks[1].id)].status, by_hook[str(hooks[1].id)].attempts) == ("pending", 1)
    following.deliver_alerts(store, settings)  # three more tries: the bound
    by_hook = {r.target: r for r in following.delivery_log(store)}
    assert (by_hook[str(hooks[1].id)].status, by_hook[str(hooks[1].id)].attempts) == ("failed", 4)
    assert len(webhook_receiver.requests) == 5
    following.deliver_alerts(store, settings)
    assert len(webhook_receiver.requests) == 5  # given up: not tried again


def test_private_addresses_are_refused_at_registration_and_wait_at_delivery(store, db_url, tmp_path,
                                                                           webhook_receiver):  # noqa: F811
    strict = settings_for(db_url, webhook_allow_private=False)
    for url in (webhook_receiver.url, "http://10.1.2.3/hook", "http://[::1]:8080/hook", "http://localhost/x"):
        with pytest.raises(UsageError, match="refused: .*webhook_allow_private"):
            following.add_webhook(store, strict, url, ["new_claim"])
    with pytest.raises(UsageError, match="only http and https"):
        following.add_webhook(store, strict, "file:///etc/passwd", ["new_claim"])
    assert following.list_webhooks(store) == []
    # Registered while allowed, then a batch runs without the setting: nothing is sent, the event waits with
    # the reason, and goes once the setting allows it again.
    following.add_webhook(store, settings_for(db_url), webhook_receiver.url, ["new_claim"], secret=SECRET)
    first, _ = articles(tmp_path)
    run_ingest(store, [first], strict)
    [row] = following.delivery_log(store)
    assert row.status == "pending" and row.error is not None
    assert "loopback" in row.error and "webhook_allow_private" in row.error and "--allow-private" not in row.error
    assert webhook_receiver.requests == []
    report = following.deliver_alerts(store, settings_for(db_url))
    assert len(report.sent) == 1 and len(webhook_receiver.requests) == 1
    assert [(r.status, r.attempts) for r in following.delivery_log(store)] == [("sent", 2)]


def test_unknown_events_and_short_secrets_are_usage_errors(store, db_url):
    settings = settings_for(db_url)
    with pytest.raises(UsageError, match="unknown event type"):
        following.add_webhook(store, settings, "https://hooks.example.org/in", ["new_thing"])
    with pytest.raises(UsageError, match="give the events"):
        following.add_webhook(store, settings, "https://hooks.example.org/in", [])
    with pytest.raises(UsageError, match="16 characters"):
        following.add_webhook(store, settings, "https://hooks.example.org/in", ["new_claim"], secret="short")
    hook, created = following.add_webhook(store, settings, "https://hooks.example.org/in", ["new_claim,new_story"])
    again, created_again = following.add_webhook(store, settings, "https://hooks.example.org/in", ["target_slip"])
    assert created and not created_again and again.id == hook.id and len(hook.secret) == 64
    assert again.events == ("new_claim", "new_story", "target_slip") and again.secret == hook.secret


def test_signature_and_backoff_helpers():
    assert sign(b"{}", "k") == "sha256=" + hmac.new(b"k", b"{}", hashlib.sha256).hexdigest()
    assert not verify(b"{}", "k", None) and not verify(b"{}", "other", sign(b"{}", "k"))
    policy = RetryPolicy(attempts=6, backoff=1.0, max_backoff=5.0)
    assert [policy.delay(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_the_same_on_postgresql(pg_url, tmp_path, webhook_receiver):  # noqa: F811
    from ssbrace.kb.store import Store

    store = Store(pg_url)
    try:
        settings = settings_for(pg_url)
        following.add_webhook(store, settings, webhook_receiver.url, ["target_slip"], secret=SECRET)
        following.add_watch(store, settings, "Toyota", webhook=webhook_receiver.url + "/watch")
        first, later = articles(tmp_path)
        run_ingest(store, [first], settings)
        run_ingest(store, [later], settings)
        run_ingest(store, [later], settings)
        following.deliver_alerts(store, settings)
        assert sorted(r.path for r in webhook_receiver.requests) == ["/hooks/ssbrace", "/hooks/ssbrace/watch"]
        assert all(verify(r.body, SECRET, r.headers["x-ssbrace-signature"])
                   for r in webhook_receiver.requests if r.path == "/hooks/ssbrace")
        assert {r.status for r in following.delivery_log(store)} == {"sent"}
    finally:
        store.dispose()
