"""Reviews over HTTP: the API's write endpoints (token in the header) and the document page's form (token
cookie plus the form's value), on a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ssbrace.settings import Settings
from ssbrace.web.app import create_app
from tests.fixtures.web_server import ServerThread

TOKEN = "review-token-7"


@pytest.fixture
def server(db_path: Path) -> Iterator[str]:
    app = create_app(Settings(db=f"sqlite:///{db_path}", api_token=TOKEN))
    try:
        with ServerThread(app) as thread:
            yield thread.url
    finally:
        app.state.ssbrace.close()


def _funding(client: httpx.Client, subject: str) -> dict:
    items = client.get("/api/v1/claims", params={"kind": "funding", "limit": 100}).json()["items"]
    return next(c for c in items if c["subject"] == subject)


def _board_funding(client: httpx.Client) -> dict[str, float]:
    rows = client.get("/api/v1/scoreboard").json()["rows"]
    return {r["entity"]: r["indicators"]["funding"]["value"] for r in rows if r["indicators"].get("funding")}


def test_api_marks_wrong_corrects_and_undoes_with_the_token_only(server):
    with httpx.Client(base_url=server, timeout=60) as anon, \
            httpx.Client(base_url=server, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as writer:
        japan, korea = _funding(anon, "Japan"), _funding(anon, "South Korea")
        refused = anon.post(f"/api/v1/claims/{japan['id']}/wrong", json={"reason": "no"})
        assert refused.status_code == 401
        wrong = writer.post(f"/api/v1/claims/{japan['id']}/wrong", json={"reason": "a loan"})
        assert wrong.status_code == 201, wrong.text
        assert wrong.json()["reviewer"] == "web" and wrong.json()["matched"]
        assert "Japan" not in _board_funding(writer)
        shown = anon.get(f"/api/v1/claims/{japan['id']}").json()
        assert shown["review"]["verdict"] == "wrong" and shown["review"]["reason"] == "a loan"
        assert japan["id"] not in [c["id"] for c in anon.get("/api/v1/claims", params={"kind": "funding"}).json()["items"]]
        bad = writer.post(f"/api/v1/claims/{korea['id']}/corrections", json={"value": "plenty"})
        assert bad.status_code == 400 and "not a number" in bad.json()["detail"]
        unknown = writer.post("/api/v1/claims/987654/corrections", json={"year": "2030"})
        assert unknown.status_code == 422 and "no claim 987654" in unknown.json()["detail"]
        fixed = writer.post(f"/api/v1/claims/{korea['id']}/corrections",
                            json={"value": "$150 million", "year": "2025", "by": "  Ana  Lee "})
        assert fixed.status_code == 201, fixed.text
        assert fixed.json()["reviewer"] == "web: Ana Lee"  # the name the caller gives, beside the token's "web"
        assert fixed.json()["changes"]["value_usd"][1] == 150e6
        assert _board_funding(writer)["South Korea"] == 150e6
        claim = anon.get(f"/api/v1/claims/{korea['id']}").json()
        assert claim["year"] == 2025 and {c["field"] for c in claim["review"]["changes"]} == {"year", "value_usd"}
        listed = anon.get("/api/v1/reviews").json()
        assert [r["verdict"] for r in listed] == ["wrong", "corrected"]
        assert anon.post(f"/api/v1/reviews/{listed[0]['id']}/undo").status_code == 401
        undone = writer.post(f"/api/v1/reviews/{listed[0]['id']}/undo")
        assert undone.status_code == 200 and undone.json()["undone_by"] == "web"
        assert _board_funding(writer)["Japan"] == japan["value_usd"]
        assert len(anon.get("/api/v1/reviews", params={"all": "true"}).json()) == 2


def test_document_page_form_needs_the_token(server):
    with httpx.Client(base_url=server, timeout=60) as anon:
        japan = _funding(anon, "Japan")
        page = f"/documents/{japan['source']['document_id']}"
        action = f"{page}/claims/{japan['id']}/review"
        plain = anon.get(page)
        assert plain.status_code == 200 and "Mark wrong" not in plain.text and action not in plain.text
        assert anon.post(action, data={"action": "wrong", "csrf": ""}).status_code == 403
    with httpx.Client(base_url=server, timeout=60) as browser:
        login = browser.post("/login", data={"token": TOKEN, "next": page})
        assert login.status_code == 303
        shown = browser.get(page)
        assert "Mark wrong" in shown.text and action in shown.text
        csrf = shown.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert csrf and TOKEN not in shown.text  # the form carries a value derived from the token, not it
        # the cookie alone does not write: a page elsewhere cannot know the form's value
        assert browser.post(action, data={"action": "wrong", "csrf": "guess"}).status_code == 403
        done = browser.post(action, data={"action": "wrong", "reason": "double counted", "csrf": csrf})
        assert done.status_code == 303 and done.headers["location"].startswith(page)
        after = browser.get(page).text
        assert "Marked wrong by web" in after and "double counted" in after and "<del>" in after
        bad = browser.post(action, data={"action": "correct", "value": "lots", "csrf": csrf})
        assert bad.status_code == 400 and "not a number" in bad.text
        assert "Japan" not in _board_funding(browser)
