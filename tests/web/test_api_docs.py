"""The API's description (a response schema for every route, plain-text descriptions), the docs page on
vendored Swagger UI, and the export downloads; against the real server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

import ssbrace.web

STATIC = Path(ssbrace.web.__file__).parent / "static"
# Markdown or HTML a docs page would show as written (or render by surprise): backticks, bold, tags, links.
MARKUP = re.compile(r"`|\*\*|<[a-zA-Z/]|\]\(|^#", re.M)


def _texts(node: object, where: str = "") -> list[tuple[str, str]]:
    """Every description, summary and title in the document, with where it is."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                found.append((f"{where}/{key}", value))
            found += _texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _texts(value, f"{where}/{i}")
    return found


def test_every_get_route_has_a_response_schema(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").json()
    gets = [(path, ops["get"]) for path, ops in spec["paths"].items() if path.startswith("/api/v1") and "get" in ops]
    assert len(gets) >= 20
    for path, op in gets:
        ok = op["responses"].get("200")
        assert ok and ok.get("content"), f"{path}: no 200 response body described"
        for media, body in ok["content"].items():
            assert body.get("schema"), f"{path} {media}: empty schema"
    export = spec["paths"]["/api/v1/export/{table}.{fmt}"]["get"]
    assert set(export["responses"]["200"]["content"]) == {"text/csv", "application/x-ndjson",
                                                          "application/vnd.apache.parquet"}
    for name in ("PatentCountsOut", "PatentGapOut", "ConflictsOut"):
        assert spec["components"]["schemas"][name]["properties"], name


def _generated_summary(method: str, path: str, op: dict) -> str:
    """What FastAPI titles an operation without a summary of its own: the function's name, title-cased (the
    name is the operation id less what FastAPI adds from the path and method)."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    assert op["operationId"].endswith(suffix), op["operationId"]
    return op["operationId"][: -len(suffix)].replace("_", " ").title()


def test_every_operation_has_a_plain_summary_and_description(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").json()
    operations = [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 35
    for method, path, op in operations:
        summary = op.get("summary") or ""
        where = f"{method.upper()} {path}"
        assert summary and summary != _generated_summary(method, path, op), f"{where}: generated summary {summary!r}"
        assert not summary.endswith((" Api", " Csv", " Route")), f"{where}: {summary!r}"
        assert len(op.get("description") or "") > 20, f"{where}: no description"
        for code, answer in op["responses"].items():
            content = answer.get("content")
            assert content, f"{where} {code}: no body described"
            for media, body in content.items():
                schema = body.get("schema") or {}
                assert schema, f"{where} {code} {media}: no schema"
                assert "$ref" in schema or schema.get("type") != "object" or schema.get("properties"), \
                    f"{where} {code} {media}: an object with no fields described"
    # a schema named after the route's function means no model describes that answer
    names = list(spec["components"]["schemas"])
    assert [n for n in names if n.startswith("Response ")] == []
    assert spec["paths"]["/api/v1/watches/{watch_id}/digest"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"] == {"$ref": "#/components/schemas/WatchDigestOut"}


def test_descriptions_are_plain_text(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").json()
    texts = _texts(spec)
    assert len(texts) > 50
    marked = [(where, text) for where, text in texts if MARKUP.search(text)]
    assert marked == []


def test_docs_page_loads_swagger_ui_from_this_site(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/api/docs")
    assert page.status_code == 200
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page.text)
    assert scripts == ["/static/ssbrace.js", "/static/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"]
    assert "<script>" not in page.text and "cdn" not in page.text.lower()  # no inline script: the CSP refuses them
    assert 'data-spec="/api/v1/openapi.json"' in page.text
    assert "/api/v1/claims" in page.text  # the same operations for readers without scripts (noscript)
    for asset, kind in (("swagger-ui/swagger-ui-bundle.js", "javascript"), ("swagger-ui/swagger-ui.css", "css"),
                        ("api-docs.js", "javascript")):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200 and kind in response.headers["content-type"], asset
    # vendored with its licence beside it, and nothing else of the package than what the page loads
    folder = STATIC / "swagger-ui"
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.iterdir()) == ["LICENSE", "NOTICE", "SOURCE.txt", "swagger-ui-bundle.js",
                                                         "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui.css"]
    assert sum(p.stat().st_size for p in folder.iterdir()) < 2_500_000


def test_export_downloads(client, web_data) -> None:  # type: ignore[no-untyped-def]
    pq = pytest.importorskip("pyarrow.parquet")
    facts = client.get("/api/v1/export/facts.csv")
    assert facts.status_code == 200 and facts.headers["content-type"].startswith("text/csv")
    assert facts.text.splitlines()[0].startswith("entity,entity_type,country,kind")
    stories = [json.loads(line) for line in client.get("/api/v1/export/stories.jsonl").text.splitlines()]
    story = next(s for s in stories if s["id"] == web_data.story_id)
    assert story["document_ids"] and all(isinstance(i, int) for i in story["document_ids"])
    claims = client.get("/api/v1/export/claims.parquet")
    assert claims.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(claims.content))
    listed = client.get("/api/v1/claims", params={"limit": 1}).json()["total"]
    assert table.num_rows == listed and str(table.schema.field("published").type) == "date32[day]"
    for bad in ("/api/v1/export/boards.csv", "/api/v1/export/facts.xlsx"):
        assert client.get(bad).status_code == 422, bad
