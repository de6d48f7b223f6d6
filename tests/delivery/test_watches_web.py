"""Watches and webhooks on the web and the command line: the API behind the write token, the page's form with
the token typed in, each watch's feed and page, the unsubscribe link; `ssbrace watch` and `ssbrace webhooks`
through the real console script. Real uvicorn and HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from ssbrace import following
from ssbrace.kb.store import Store
from ssbrace.kb.watches_repo import WatchRecord
from ssbrace.pipeline import run_ingest
from ssbrace.settings import Settings
from ssbrace.web.app import create_app
from tests.cli.test_ingest_cli import SSBRACE
from tests.delivery.test_webhooks import articles
from tests.fixtures.web_server import ServerThread
from tests.fixtures.webhook_receiver import webhook_receiver  # noqa: F401 - the fixture

TOKEN = "watch-token-15"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def web(db_url, tmp_path) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    settings = Settings(db=db_url, alerts=False)
    store = Store(db_url)
    first, later = articles(tmp_path)
    run_ingest(store, [first, later], settings)
    store.dispose()
    app = create_app(Settings(db=db_url, api_token=TOKEN, base_url="https://brief.example"))
    try:
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            yield client
    finally:
        app.state.ssbrace.close()


def test_watches_through_the_api_need_the_token(web):  # type: ignore[no-untyped-def]
    assert web.post("/api/v1/watches", json={"target": "Toyota"}).status_code == 401
    assert web.get("/api/v1/watches").status_code == 401  # it lists addresses
    created = web.post("/api/v1/watches", json={"target": "toyota motor", "email": "ann@example.org"}, headers=AUTH)
    assert created.status_code == 201, created.text
    watch = created.json()
    assert (watch["kind"], watch["value"], watch["created"]) == ("entity", "Toyota", True)
    assert watch["feed"] == f"/feeds/watches/{watch['id']}.atom"
    bad = web.post("/api/v1/watches", json={"target": "Toyota", "email": "nope"}, headers=AUTH)
    assert bad.status_code == 422 and "not an email address" in bad.json()["detail"]
    private = web.post("/api/v1/watches", json={"target": "Toyota", "webhook": "http://127.0.0.1:9/x"}, headers=AUTH)
    assert private.status_code == 422 and "loopback" in private.json()["detail"]
    assert [w["value"] for w in web.get("/api/v1/watches", headers=AUTH).json()] == ["Toyota"]
    digest = web.get(f"/api/v1/watches/{watch['id']}/digest")
    assert digest.status_code == 200 and digest.json()["stories"]
    assert "email" not in digest.json()["watch"]
    feed = web.get(f"/feeds/watches/{watch['id']}.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<title>ssbrace: Toyota</title>" in feed.content
    page = web.get(f"/topics/watches/{watch['id']}")
    assert page.status_code == 200 and "Toyota" in page.text
    assert web.delete(f"/api/v1/watches/{watch['id']}", headers=AUTH).status_code == 200
    assert web.delete(f"/api/v1/watches/{watch['id']}", headers=AUTH).status_code == 404
    assert web.get(f"/feeds/watches/{watch['id']}.atom").status_code == 404


def test_webhooks_through_the_api(web):  # type: ignore[no-untyped-def]
    body = {"url": "https://hooks.example.org/in", "events": ["target_slip", "new_story"]}
    assert web.post("/api/v1/webhooks", json=body).status_code == 401
    created = web.post("/api/v1/webhooks", json=body, headers=AUTH)
    assert created.status_code == 201 and len(created.json()["secret"]) == 64
    listed = web.get("/api/v1/webhooks", headers=AUTH).json()
    assert listed == [{"id": 1, "url": body["url"], "events": body["events"], "secret": None, "created": None}]
    refused = web.post("/api/v1/webhooks", json={"url": "http://10.0.0.8/in", "events": ["new_claim"]}, headers=AUTH)
    assert refused.status_code == 422 and "private" in refused.json()["detail"]
    assert web.get("/api/v1/webhooks/log", headers=AUTH).json() == []
    assert web.delete("/api/v1/webhooks/1", headers=AUTH).status_code == 200


def test_the_watches_page_form_takes_the_typed_token(web):  # type: ignore[no-untyped-def]
    page = web.get("/watches")
    assert page.status_code == 200 and 'name="token"' in page.text and "Nothing is watched yet" in page.text
    wrong = web.post("/watches", data={"target": "Toyota", "token": "guess"})
    assert wrong.status_code == 401 and "token is not right" in wrong.text
    added = web.post("/watches", data={"target": "Toyota", "email": "ann@example.org", "token": TOKEN})
    assert added.status_code == 303 and added.headers["location"] == "/watches?added=1"
    listed = web.get("/watches?added=1").text
    assert "Watch #1 added." in listed and "/feeds/watches/1.atom" in listed
    assert "ann@example.org" not in listed and "a…@example.org" in listed  # readers see a masked address
    hostile = web.post("/watches", data={"target": "<script>x</script>", "kind": "keyword", "token": TOKEN})
    assert hostile.status_code == 303
    assert "<script>x</script>" not in web.get("/watches").text
    removed = web.post("/watches/1/remove", data={"token": TOKEN})
    assert removed.status_code == 200 and "Watch #1 (Toyota) removed." in removed.text


def _add_watches(db_url: str, *wanted: tuple[str, str]) -> list[WatchRecord]:
    """Watches added through the Python API, as a user of the CLI would: (target, email) each."""
    store = Store(db_url)
    try:
        settings = Settings(db=db_url)
        return [following.add_watch(store, settings, target, email=email).watch for target, email in wanted]
    finally:
        store.dispose()


def test_the_unsubscribe_link_of_an_alert_says_what_it_stops(web, db_url):  # type: ignore[no-untyped-def]
    watch = _add_watches(db_url, ("Toyota", "ann@example.org"), ("Japan", "ann@example.org"))[0]
    form = web.get("/watches/unsubscribe", params={"token": watch.token})
    assert form.status_code == 200 and "<form" in form.text  # a GET never unsubscribes (mail scanners)
    assert "Stop the alert emails on Toyota" in form.text and "1 other watch: Japan" in form.text
    assert "Stop every alert email to a…@example.org (2 watches)" in form.text
    assert "ann@example.org" not in form.text
    assert len(web.get("/api/v1/watches", headers=AUTH).json()) == 2
    done = web.post("/watches/unsubscribe", data={"token": watch.token})
    assert done.status_code == 200 and "the watch on Toyota (#1): removed" in done.text
    assert [w["value"] for w in web.get("/api/v1/watches", headers=AUTH).json()] == ["Japan"]
    gone = web.post("/watches/unsubscribe", data={"token": watch.token})
    assert gone.status_code == 404 and "not known" in gone.text


def test_one_click_unsubscribe_from_the_mail_header_stops_every_watch_of_the_address(web, db_url):  # type: ignore[no-untyped-def]
    watch = _add_watches(db_url, ("Toyota", "ann@example.org"), ("Japan", "ann@example.org"),
                         ("Toyota", "bob@example.org"))[0]
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's URL, token and scope in it
    done = web.post(f"/watches/unsubscribe?token={watch.token}&scope=all", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200, done.text
    assert "the watch on Toyota (#1): removed" in done.text and "the watch on Japan (#2): removed" in done.text
    assert [w["email"] for w in web.get("/api/v1/watches", headers=AUTH).json()] == ["bob@example.org"]


@pytest.fixture
def cli(tmp_path, db_url):  # type: ignore[no-untyped-def]
    env = {**os.environ, "HOME": str(tmp_path / "home"), "SSBRACE_CONFIG": str(tmp_path / "no-config.toml"),
           "COLUMNS": "220"}
    env.pop("SSBRACE_DB", None)

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([SSBRACE, "--db", db_url, *args], env={**env, **extra_env}, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)

    return run


def test_following_from_the_command_line(cli, tmp_path, webhook_receiver):  # type: ignore[no-untyped-def]  # noqa: F811
    first, later = articles(tmp_path)
    assert cli("ingest", first).returncode == 0
    hint = cli("subscribe", "ann@example.org", "--topic", "toyota")
    assert hint.returncode == 2 and "ssbrace watch add toyota --email ann@example.org" in hint.stderr
    added = cli("watch", "add", "toyota", "--email", "ann@example.org")
    assert added.returncode == 0 and "watching #1: Toyota (entity) -> ann@example.org" in added.stdout
    keyword = cli("watch", "add", "sulfide electrolyte")
    assert "following it as a keyword" in keyword.stderr and "watching #2" in keyword.stdout
    refused = cli("webhooks", "add", webhook_receiver.url, "--event", "target_slip")
    assert refused.returncode == 2 and "webhook_allow_private" in refused.stderr
    allow = {"SSBRACE_WEBHOOK_ALLOW_PRIVATE": "true", "SSBRACE_SMTP_PORT": "9"}
    hook = cli("webhooks", "add", webhook_receiver.url, "--event", "target_slip,new_claim", "--json", **allow)
    assert hook.returncode == 0 and '"events": [\n    "target_slip",\n    "new_claim"\n  ]' in hook.stdout
    listing = cli("watch", "list")
    assert "Toyota" in listing.stdout and "sulfide electrolyte" in listing.stdout
    assert cli("ingest", later, **allow).returncode == 0
    events = {r.headers["x-ssbrace-event"] for r in webhook_receiver.requests}
    assert events == {"target_slip", "new_claim"}
    log = cli("webhooks", "log", "--with-email", "--json")
    rows = json.loads(log.stdout)
    assert {r["status"] for r in rows if r["channel"] == "webhook"} == {"sent"}
    assert [r["status"] for r in rows if r["channel"] == "email"] == ["pending"]  # nothing listens on port 9
    digest = cli("watch", "digest", "1", "--since", "30d")
    assert digest.returncode == 0 and "slipped from 2027 to 2030" in digest.stdout
    feed = cli("watch", "feed", "1")
    assert feed.returncode == 0 and "<title>ssbrace: Toyota</title>" in feed.stdout
    assert cli("watch", "remove", "1").stdout.strip() == "removed watch #1: Toyota"
    gone = cli("watch", "remove", "1")
    assert gone.returncode == 1 and "no watch with id 1" in gone.stderr
