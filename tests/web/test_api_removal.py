"""The JSON API's remove, disable and enable routes (issue 14): write-token guarded, 404 once gone, and the
next read shows the change. A real uvicorn on 127.0.0.1 over a store filled by the real pipeline."""

from __future__ import annotations

from pathlib import Path

from ssbrace import api
from ssbrace.kb.store import Store
from ssbrace.settings import Settings

TOKEN = "removal-token-3"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = Path(__file__).resolve().parents[2] / "ssbrace" / "domains" / "solid_state_batteries" / "examples"


def _fill(db: str) -> None:
    store = Store(db)
    try:
        api.ingest(store, [str(EXAMPLES / "03-china-six-billion-yuan-program.txt")], settings=Settings(db=db))
        api.ingest(store, [str(EXAMPLES / "05-quantumscape-powerco-licence.md")], settings=Settings(db=db))
    finally:
        store.dispose()


def test_remove_a_document_and_a_source_through_the_api(serve, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    _fill(db)
    client = serve(db=db, api_token=TOKEN)
    assert client.get("/api/v1/documents/1").status_code == 200
    claims = len(client.get("/api/v1/claims", params={"document": 1, "limit": 200}).json()["items"])
    assert claims > 0
    assert client.delete("/api/v1/documents/1").status_code == 401  # no token: nothing happens
    assert client.get("/api/v1/documents/1").status_code == 200
    removed = client.delete("/api/v1/documents/1", headers=AUTH)
    assert removed.status_code == 200, removed.text
    assert removed.json() == {"documents": 1, "claims": claims, "stories_dropped": 1, "stories_restated": 0}
    assert client.get("/api/v1/documents/1").status_code == 404
    assert client.get("/api/v1/claims", params={"document": 1}).json()["items"] == []
    again = client.delete("/api/v1/documents/1", headers=AUTH)
    assert again.status_code == 404 and again.json()["detail"] == "no document 1"

    assert client.post("/api/v1/sources/2/disable").status_code == 401
    off = client.post("/api/v1/sources/2/disable", headers=AUTH).json()
    assert off["disabled"] is True and off["changed"] is True
    assert client.post("/api/v1/sources/2/disable", headers=AUTH).json()["changed"] is False
    assert client.post("/api/v1/sources/2/enable", headers=AUTH).json()["disabled"] is False
    gone = client.delete("/api/v1/sources/2", headers=AUTH)
    assert gone.status_code == 200 and gone.json()["documents"] == 1
    assert client.get("/api/v1/documents/2").status_code == 404
    assert client.delete("/api/v1/sources/2", headers=AUTH).status_code == 404
    assert client.post("/api/v1/sources/99/enable", headers=AUTH).status_code == 404
