"""Every HTML page against a real server: it opens, shows the data, and keeps hostile text as text."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from markupsafe import escape

from tests.fixtures.web_server import (
    ARTICLES,
    HOSTILE_NAME,
    HOSTILE_PARTNER,
    HOSTILE_PUBLISHER,
    HOSTILE_SENTENCE,
    HOSTILE_TITLE,
)

RAW = ["<script>alert", "<img src=x", "<b onmouseover", "</td><td>Injected", 'href="javascript:']


def pages(web_data) -> list[str]:  # type: ignore[no-untyped-def]
    hostile = quote(HOSTILE_NAME, safe="")
    return ["/", "/?by=company", "/countries", "/companies", f"/companies/{hostile}", f"/entities/{hostile}",
            "/companies/Calderon%20Cells", "/countries/Japan", "/stories", f"/stories/{web_data.story_id}",
            "/conflicts", "/claims", f"/claims?entity={hostile}", "/documents",
            f"/documents/{web_data.hostile_doc}", "/sources", "/search?q=alert+script", "/search?q=Volt", "/api/docs"]


def test_every_page_escapes_hostile_text(client, web_data) -> None:  # type: ignore[no-untyped-def]
    shown = 0
    for path in pages(web_data):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        for raw in RAW:
            assert raw not in html, f"{path} renders {raw!r} unescaped"
        assert "49 news" not in html  # template syntax in data is shown, never evaluated
        shown += escape(HOSTILE_NAME) in html or escape(HOSTILE_TITLE) in html
    assert shown >= 8  # the hostile strings are on the pages, escaped, not dropped


def test_hostile_document_page(client, web_data) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/documents/{web_data.hostile_doc}").text
    assert escape(HOSTILE_TITLE) in html
    assert escape(HOSTILE_PUBLISHER) in html
    assert escape(HOSTILE_SENTENCE) in html
    assert escape(HOSTILE_PARTNER) in html
    assert "javascript:alert(3)" in html and 'href="javascript' not in html  # shown, never a link


def test_headers_hold_pages_to_their_own_assets(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    assert not re.search(r"""(src|href)=["']https?://""", html.split("<main>")[0])  # head and nav: local only
    for asset in ("/static/ssbrace.css", "/static/ssbrace.js", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200


def test_document_page_marks_each_claim_sentence(client, web_data) -> None:  # type: ignore[no-untyped-def]
    article = ARTICLES[1]
    doc_id = web_data.documents[article["title"]]
    html = client.get(f"/documents/{doc_id}").text
    claims = client.get("/api/v1/claims", params={"document": doc_id}).json()["items"]
    assert len(claims) == 2
    for claim in claims:
        assert f'id="claim-{claim["id"]}"' in html
        match = re.search(rf'<mark data-claims="[^"]*\b{claim["id"]}\b[^"]*"[^>]*>(.*?)</mark>', html, re.S)
        assert match and match.group(1) == escape(claim["evidence"]["sentence"])


def test_scoreboard_figures_link_to_their_sentences(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/?by=company").text
    links = re.findall(r'<a href="/documents/(\d+)#claim-(\d+)"', html)
    assert len(links) >= 20
    for doc_id, claim_id in links[:10]:
        claim = client.get(f"/api/v1/claims/{claim_id}").json()
        assert claim["source"]["document_id"] == int(doc_id)
    row = re.search(r'Calderon Cells</a></td>.*?</tr>', html, re.S).group(0)
    slipped = client.get("/api/v1/claims", params={"entity": "Calderon Cells", "kind": "target"}).json()["items"][0]
    assert slipped["year"] == 2029
    assert re.search(rf'#claim-{slipped["id"]}"[^>]*>2029</a>', row)


def test_company_page_sections(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/companies/Calderon%20Cells").text
    for section in ("targets", "specs", "partnerships", "claims"):
        assert f'id="{section}"' in html
    assert "slip (+2.0 y)" in html
    assert "Brightwater Materials" in html
    assert "410 Wh/kg" in html


def test_claims_page_filters_and_pages(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/claims", params={"kind": "target", "entity": "Calderon Cells"}).text
    assert html.count('class="kind kind-target"') == 2
    total = client.get("/api/v1/claims").json()["total"]
    page2 = client.get("/claims", params={"page": 2}).text
    assert f"51–100 of {total:,}" in page2
    assert client.get("/claims", params={"topic": "nope"}).status_code == 400


@pytest.mark.parametrize("path", ["/companies/Nobody%20Industries", "/documents/999999", "/stories/999999", "/nowhere"])
def test_missing_things_are_404_pages(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.text and '<nav aria-label="main">' in response.text


def test_search_page(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search", params={"q": "Brightwater"}).text
    assert "<mark>Brightwater</mark>" in html
    assert client.get("/search", params={"q": '"(*'}).status_code == 200


def test_empty_store_pages_open(serve, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=f"sqlite:///{tmp_path / 'empty.db'}")
    for path in ("/", "/?by=company", "/countries", "/companies", "/stories", "/conflicts", "/claims", "/documents",
                 "/sources", "/search?q=x"):
        assert client.get(path).status_code == 200, path
    assert "holds no claims yet" in client.get("/").text


def test_topic_page_and_atom_feed(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/topics/solid-state-batteries").text
    assert "Calderon Cells delays" in html or "Calderon" in html
    feed = client.get("/feeds/solid-state-batteries.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<feed" in feed.content and b"/stories/" in feed.content
    assert client.get("/feeds/no-such-topic.atom").status_code == 404
