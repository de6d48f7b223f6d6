"""Access: writes need the configured token; reads are open unless closed; both refuse a wrong token."""

from __future__ import annotations

import pytest

from ssbrace.kb import stories_repo
from ssbrace.kb.store import Store
from tests.fixtures.stores import source_locations
from tests.fixtures.web_server import WRITE_TOKEN

TOKEN = "s3cret-Token"


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'access.db'}"


def test_writes_are_off_without_a_configured_token(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db)
    response = client.post("/api/v1/sources", json={"location": "https://example.org/feed.xml"},
                           headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403 and "api_token" in response.json()["detail"]
    assert source_locations(db) == []


def test_writes_need_the_token(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN)
    body = {"location": "https://example.org/feed.xml", "name": "Example feed"}
    assert client.post("/api/v1/sources", json=body).status_code == 401
    assert client.post("/api/v1/sources", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    client.cookies.set("ssbrace_token", TOKEN)  # a cookie never authorises a write
    assert client.post("/api/v1/sources", json=body).status_code == 401
    client.cookies.clear()
    assert source_locations(db) == []
    ok = client.post("/api/v1/sources", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 201 and ok.json()["created"] is True
    again = client.post("/api/v1/sources", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert again.json()["created"] is False and again.json()["id"] == ok.json()["id"]
    assert source_locations(db) == ["https://example.org/feed.xml"]


def test_write_inputs_are_checked(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for location in ("/etc/passwd", "file:///etc/passwd", "javascript:alert(1)", "ftp://example.org/x"):
        assert client.post("/api/v1/sources", json={"location": location}, headers=auth).status_code == 422
    assert client.post("/api/v1/ingest", json={"url": "/etc/hosts"}, headers=auth).status_code == 422
    bad = [{"email": "not-an-address", "topic": "patents"}, {"email": "a@b.org", "topic": "no-such-topic"},
           {"email": "<script>@x.org", "topic": "patents"}]
    for body in bad:
        assert client.post("/api/v1/subscriptions", json=body, headers=auth).status_code == 422
    assert source_locations(db) == []


def test_subscribe(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = {"email": "reader@example.org", "topic": "patents"}
    assert client.post("/api/v1/subscriptions", json=body).status_code == 401
    first = client.post("/api/v1/subscriptions", json=body, headers=auth)
    assert first.status_code == 201 and first.json()["created"] is True
    assert client.post("/api/v1/subscriptions", json=body, headers=auth).json()["created"] is False
    store = Store(db)
    try:
        with store.session() as session:
            subs = stories_repo.subscriptions(session)
    finally:
        store.dispose()
    assert [(s.email, s.topic) for s in subs] == [("reader@example.org", "patents")]


def test_ingest_url_from_a_local_server(serve, db, http_server) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN, allow_private=True)  # the test page is on 127.0.0.1
    url = http_server.url("pages/electrolyte-primer.html")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/api/v1/ingest", json={"url": url}).status_code == 401
    body = client.post("/api/v1/ingest", json={"url": url}, headers=auth).json()
    assert body["totals"]["new"] == 1, body
    doc_id = body["items"][0]["document_id"]
    document = client.get(f"/api/v1/documents/{doc_id}").json()
    assert document["url"] == url and len(document["text"]) > 200
    assert client.get(f"/documents/{doc_id}").status_code == 200
    again = client.post("/api/v1/ingest", json={"url": url}, headers=auth).json()
    assert again["totals"]["new"] == 0  # re-running is safe


def test_ingest_refuses_private_addresses_by_default(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN)
    response = client.post("/api/v1/ingest", json={"url": "http://127.0.0.1:9/page.html"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    body = response.json()
    assert body["totals"]["failed"] == 1 and body["totals"]["new"] == 0
    assert "private" in body["items"][0]["reason"] or "loopback" in body["items"][0]["reason"]


def test_reads_can_be_closed(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN, read_token_required=True)
    assert client.get("/api/v1/claims").status_code == 401
    assert client.get("/api/v1/claims", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/claims", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    page = client.get("/")
    assert page.status_code == 401 and 'name="token"' in page.text
    assert client.get("/static/ssbrace.css").status_code == 200  # the login form needs its style
    wrong = client.post("/login", data={"token": "nope", "next": "/claims"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    good = client.post("/login", data={"token": TOKEN, "next": "/claims"}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/claims"
    assert client.get("/claims").status_code == 200  # the cookie now opens pages and reads
    assert client.get("/api/v1/claims").status_code == 200


def test_login_never_redirects_off_site(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN, read_token_required=True)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post("/login", data={"token": TOKEN, "next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


def test_shared_server_reads_are_open(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/claims", params={"limit": 1}).status_code == 200
    assert WRITE_TOKEN  # the shared server has writes on, reads open


def test_unsubscribe_link_from_a_digest(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN, read_token_required=True)  # works even with reads closed
    auth = {"Authorization": f"Bearer {TOKEN}"}
    client.post("/api/v1/subscriptions", json={"email": "reader@example.org", "topic": "patents"}, headers=auth)
    store = Store(db)
    try:
        with store.session() as session:
            token = stories_repo.subscriptions(session)[0].token
    finally:
        store.dispose()
    form = client.get("/unsubscribe", params={"token": token})
    assert form.status_code == 200 and 'method="post"' in form.text  # a GET alone removes nothing
    done = client.post("/unsubscribe", data={"token": token})
    assert done.status_code == 200 and "reader@example.org" in done.text
    assert client.post("/unsubscribe", data={"token": token}).status_code == 404
    store = Store(db)
    try:
        with store.session() as session:
            assert stories_repo.subscriptions(session) == []
    finally:
        store.dispose()
