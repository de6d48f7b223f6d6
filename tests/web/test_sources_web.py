"""The sources page and its buttons (disable, enable, remove), and the API route that changes or clears a
source's kept options, over a real uvicorn server on 127.0.0.1 and a SQLite store with two file sources."""

from __future__ import annotations

import re

import httpx
import pytest

import ssbrace
from ssbrace.register import list_sources

TOKEN = "sources-token-14"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTES = {
    "pilot.md": "# Pilot line\n\nA pilot line for sulfide solid-state cells started in Ruritania this spring.\n",
    "plant.md": "# New plant\n\nAcme Cells will build a 12 GWh solid-state battery plant in Tarrow from 2028.\n",
}


@pytest.fixture
def db(db_url, tmp_path) -> str:  # type: ignore[no-untyped-def]
    settings = ssbrace.Settings(db=db_url)
    store = ssbrace.open_store(settings=settings)
    try:
        for name, text in NOTES.items():
            (tmp_path / name).write_text(text)
            ssbrace.ingest(store, tmp_path / name, settings=settings)
        ssbrace.api.add_source(store, str(tmp_path / "pilot.md"), max_bytes=5000, settings=settings)
    finally:
        store.dispose()
    return db_url


def _sources(db: str) -> dict[int, tuple[bool, int]]:
    """id -> (disabled, documents)."""
    store = ssbrace.open_store(db)
    try:
        return {s.id: (s.disabled, s.documents) for s in list_sources(store)}
    finally:
        store.dispose()


def _documents(client: httpx.Client) -> int:
    return int(client.get("/api/v1/documents").json()["total"])


def test_the_page_lists_sources_and_shows_no_buttons_without_the_token(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN)
    page = client.get("/sources")
    assert page.status_code == 200
    assert 'id="source-1"' in page.text and 'id="source-2"' in page.text and "pilot.md" in page.text
    assert "max-bytes=5000" in page.text  # the options kept with source 1
    assert 'action="/sources/1/disable"' not in page.text and "signed in" in page.text
    assert 'href="/sources"' in client.get("/documents").text  # reached from the documents page
    # A POST without the token's cookie and the form's value changes nothing.
    for data in ({}, {"csrf": "guess"}):
        refused = client.post("/sources/1/disable", data=data)
        assert refused.status_code == 403 and "log in with the write token to change sources" in refused.text
    client.cookies.set("ssbrace_token", TOKEN)  # the cookie alone is not enough either
    assert client.post("/sources/2/remove", data={"csrf": "guess"}).status_code == 403
    assert _sources(db) == {1: (False, 1), 2: (False, 1)}


def test_disable_enable_and_remove_from_the_page(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN)
    client.cookies.set("ssbrace_token", TOKEN)  # signed in at /login
    page = client.get("/sources")
    assert 'action="/sources/1/disable"' in page.text and 'action="/sources/2/remove"' in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf and TOKEN not in page.text  # a value derived from the token, not the token
    form = {"csrf": csrf.group(1)}

    disabled = client.post("/sources/1/disable", data=form)
    assert disabled.status_code == 200 and "update skips it, its documents stay" in disabled.text
    assert 'action="/sources/1/enable"' in disabled.text and _sources(db)[1] == (True, 1)
    assert "was disabled already" in client.post("/sources/1/disable", data=form).text
    assert client.post("/sources/1/enable", data=form).status_code == 200 and _sources(db)[1] == (False, 1)

    kept = client.post("/sources/1/remove", data={**form, "keep_documents": "1"})
    assert kept.status_code == 200 and "removed; its 1 document kept." in kept.text
    assert 1 not in _sources(db) and _documents(client) == 2

    removed = client.post("/sources/2/remove", data=form)
    assert removed.status_code == 200 and "removed with 1 document and" in removed.text
    assert _sources(db) == {} and _documents(client) == 1  # the page's removal reaches the reads at once
    gone = client.post("/sources/2/remove", data=form)
    assert gone.status_code == 404 and "no source 2" in gone.text


def test_a_closed_server_asks_for_the_token_first(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN, read_token_required=True)
    page = client.get("/sources")
    assert page.status_code == 401 and 'name="token"' in page.text and "source-1" not in page.text


def test_the_api_changes_and_clears_a_sources_options(serve, db) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db, api_token=TOKEN)
    assert client.post("/api/v1/sources/1/options", json={"clear": ["max_bytes"]}).status_code == 401
    changed = client.post("/api/v1/sources/2/options", json={"max_bytes": 700}, headers=AUTH)
    assert changed.status_code == 200, changed.text
    assert changed.json()["options"] == {"max_bytes": 700} and changed.json()["kind"] == "file"
    cleared = client.post("/api/v1/sources/1/options", json={"clear": ["all"]}, headers=AUTH)
    assert cleared.status_code == 200 and cleared.json()["options"] == {}
    for body, code, detail in (
        ({}, 422, "nothing to change"),
        ({"clear": ["timeout"]}, 422, "no source option 'timeout'"),
        ({"allow_private": True}, 422, "allow_private"),  # the server's own setting, never set from the web
        ({"max_bytes": 0}, 422, "greater than or equal to 1"),
    ):
        refused = client.post("/api/v1/sources/2/options", json=body, headers=AUTH)
        assert refused.status_code == code and detail in refused.text, refused.text
    assert client.post("/api/v1/sources/9/options", json={"clear": ["all"]}, headers=AUTH).status_code == 404
    listed = client.get("/sources").text
    assert "max-bytes=700" in listed and "max-bytes=5000" not in listed
