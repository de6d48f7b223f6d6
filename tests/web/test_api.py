"""The JSON API against a real server: shapes, pagination, filters, CSV, OpenAPI."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from tests.fixtures.web_server import ARTICLES


def test_scoreboard_rows_link_to_evidence(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/scoreboard", params={"by": "company"}).json()
    assert body["by"] == "company"
    ranks = [row["rank"] for row in body["rows"]]
    assert ranks == list(range(1, len(ranks) + 1))
    scores = [row["score"] for row in body["rows"]]
    assert scores == sorted(scores, reverse=True)
    calderon = next(r for r in body["rows"] if r["entity"] == "Calderon Cells")
    earliest = calderon["indicators"]["earliest_mass_production"]
    assert earliest["value"] == 2029  # the slipped target is the current one
    doc_id, claim_id = earliest["evidence"].removeprefix("/documents/").split("#claim-")
    claim = client.get(f"/api/v1/claims/{claim_id}").json()
    assert claim["source"]["document_id"] == int(doc_id)
    assert "2029" in claim["evidence"]["sentence"]


def test_scoreboard_rejects_unknown_board(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/scoreboard", params={"by": "planet"}).status_code == 422


def test_claims_pagination_covers_every_claim_once(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/api/v1/claims", params={"limit": 100}).json()
    total = first["total"]
    assert total > 300
    seen, url = [], "/api/v1/claims?limit=100"
    while url:
        page = client.get(url).json()
        assert page["total"] == total
        seen += [c["id"] for c in page["items"]]
        url = page["next"]
    assert len(seen) == total == len(set(seen))


def test_claims_filters(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/claims", params={"entity": "Calderon Cells", "kind": "target"}).json()
    assert body["total"] == 2
    assert {c["year"] for c in body["items"]} == {2027, 2029}
    assert all(c["subject"] == "Calderon Cells" for c in body["items"])
    # newest statement first
    assert [c["source"]["published"] for c in body["items"]] == ["2025-05-20", "2024-03-04"]
    since = client.get("/api/v1/claims", params={"entity": "Calderon Cells", "since": "2025-01-01"}).json()
    assert since["total"] == 2 and all(c["source"]["published"] >= "2025-01-01" for c in since["items"])
    partner = client.get("/api/v1/claims", params={"entity": "Brightwater Materials"}).json()
    assert partner["total"] == 1 and partner["items"][0]["kind"] == "partnership"
    topic = client.get("/api/v1/claims", params={"topic": "partnerships", "limit": 500}).json()
    assert topic["total"] > 0 and all(
        c["kind"] == "partnership" or any(w in c["evidence"]["sentence"].lower() for w in
                                          ("joint", "partner", "alliance", "agreement", "memorandum", "mou", "teamed"))
        for c in topic["items"])


def test_claims_filters_are_validated(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/claims", params={"kind": "gossip"}).status_code == 422
    assert client.get("/api/v1/claims", params={"topic": "no-such-topic"}).status_code == 422
    assert client.get("/api/v1/claims", params={"since": "yesterday"}).status_code == 422
    assert client.get("/api/v1/claims", params={"limit": 100000}).status_code == 422
    assert client.get("/api/v1/claims/999999").status_code == 404


def test_company_api_has_ledger_with_slip(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/companies/" + quote("Calderon Cells")).json()
    assert body["name"] == "Calderon Cells"
    ledger = next(x for x in body["ledgers"] if x["stage"] == "mass_production")
    assert [e["move"] for e in ledger["entries"]] == ["first", "slip"]
    assert ledger["current"] == "2029" and ledger["slips"] == 1
    assert [c["object"] for c in body["partnerships"]] == ["Brightwater Materials"]
    assert body["specs"][0]["value"] == 410
    assert body["claims"]["total"] == 4
    assert client.get("/api/v1/companies/Nobody%20Industries").status_code == 404


def test_country_api_lists_its_companies(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/countries/Japan").json()
    assert body["entity"]["type"] == "country"
    names = {c["name"] for c in body["companies"]}
    assert "Toyota" in names
    assert body["indicators"] and all(f["entity"] == "Japan" for f in body["indicators"])
    countries = client.get("/api/v1/countries").json()
    assert any(c["name"] == "Japan" and c["rank"] for c in countries)


def test_document_api_offsets_point_at_the_sentence(client, web_data) -> None:  # type: ignore[no-untyped-def]
    doc_id = web_data.documents[ARTICLES[1]["title"]]
    body = client.get(f"/api/v1/documents/{doc_id}").json()
    assert body["title"] == ARTICLES[1]["title"]
    assert len(body["claims"]) == 2
    for claim in body["claims"]:
        ev = claim["evidence"]
        assert body["text"][ev["start"]:ev["end"]] == ev["sentence"]
        assert ev["url"] == f"/documents/{doc_id}#claim-{claim['id']}"
    assert client.get("/api/v1/documents/999999").status_code == 404
    listing = client.get("/api/v1/documents", params={"since": "2025-01-01"}).json()
    assert listing["total"] >= 2 and all(d["published"] >= "2025-01-01" for d in listing["items"])


def test_search_finds_documents_and_claims(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/search", params={"q": "Brightwater electrolyte"}).json()
    assert body["method"] == "fts5"
    assert body["documents"]["total"] == 1
    assert body["claims"]["total"] == 1
    snippet = body["claims"]["items"][0]["snippet"]
    marked = [snippet["text"][a:b].lower() for a, b in snippet["matches"]]
    assert "brightwater" in marked and "electrolyte" in marked
    # FTS operators and quotes are words, not syntax
    assert client.get("/api/v1/search", params={"q": 'NEAR( "unbalanced AND OR *'}).status_code == 200
    assert client.get("/api/v1/search", params={"q": ""}).status_code == 422


def test_stories_and_conflicts(client, web_data) -> None:  # type: ignore[no-untyped-def]
    stories = client.get("/api/v1/stories").json()
    story = next(s for s in stories["items"] if s["id"] == web_data.story_id)
    assert story["doc_count"] == 2 and len(story["documents"]) == 2
    assert client.get(f"/api/v1/stories/{web_data.story_id}").json()["headline"].startswith("Calderon")
    body = client.get("/api/v1/conflicts").json()
    assert body["conflicts"], "the reference claims hold known conflicts"
    for conflict in body["conflicts"]:
        assert len(conflict["sides"]) >= 2
        assert all(c["evidence"]["sentence"] for side in conflict["sides"] for c in side["claims"])


def test_ledgers_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    ledgers = client.get("/api/v1/ledgers", params={"entity": "Calderon Cells"}).json()
    assert [x["stage"] for x in ledgers] == ["mass_production"]


def test_scoreboard_csv(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/scoreboard.csv", params={"by": "company"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    json_rows = client.get("/api/v1/scoreboard", params={"by": "company"}).json()["rows"]
    assert [r["company"] for r in rows] == [r["entity"] for r in json_rows]
    calderon = next(r for r in rows if r["company"] == "Calderon Cells")
    assert calderon["earliest_mass_production"] == "2029.0" or float(calderon["earliest_mass_production"]) == 2029
    assert "/documents/" in calderon["earliest_mass_production_evidence"]


def test_claims_csv_matches_filter_and_neutralises_formulas(client) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/claims.csv", params={"kind": "target"}).text)))
    total = client.get("/api/v1/claims", params={"kind": "target"}).json()["total"]
    assert len(rows) == total and {r["kind"] for r in rows} == {"target"}
    everything = client.get("/api/v1/claims.csv").text
    assert "\n=" not in everything and ",=" not in everything


def test_openapi_lists_every_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/scoreboard", "/api/v1/claims", "/api/v1/companies/{name}", "/api/v1/countries/{name}",
                 "/api/v1/documents/{document_id}", "/api/v1/search", "/api/v1/stories", "/api/v1/conflicts",
                 "/api/v1/scoreboard.csv", "/api/v1/claims.csv", "/api/v1/sources", "/api/v1/ingest",
                 "/api/v1/subscriptions"):
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/v1/claims"]["get"]["parameters"]}
    assert {"entity", "kind", "topic", "since", "limit", "offset"} <= params
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/api/v1/claims" in docs.text and "cdn" not in docs.text.lower()


def test_scoreboard_is_the_cli_board_json(client, web_data) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.cli.test_kb_cli import run

    for by in ("country", "company"):
        cli = run(web_data.url, "board", "--by", by, "--json")
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout) == client.get("/api/v1/scoreboard", params={"by": by}).json()
