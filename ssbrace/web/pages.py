"""HTML pages (Jinja2, server-rendered). Each route gathers its data with ``views`` and renders it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from ssbrace.analysis.scoreboard import INDICATORS
from ssbrace.kb import search as kb_search
from ssbrace.kb.search import ClaimFilter
from ssbrace.models import CLAIM_KINDS
from ssbrace.web import views
from ssbrace.web.auth import (
    COOKIE,
    form_token,
    form_write_allowed,
    require_read_page,
    require_write_form,
    token_matches,
)
from ssbrace.web.params import PAGE, StoreId
from ssbrace.web.state import AppState

router = APIRouter(include_in_schema=False)
read = [Depends(require_read_page)]
PER_PAGE = 50


def state_of(request: Request) -> AppState:
    return request.app.state.ssbrace


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page in the base layout; ``section`` lights up its item in the navigation."""
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def _not_found(what: str) -> HTTPException:
    return HTTPException(404, f"no {what} here")


@router.get("/", response_class=HTMLResponse, dependencies=read)
def scoreboard(request: Request, by: str = Query("country", pattern="^(country|company)$")) -> HTMLResponse:
    snap = state_of(request).snapshot()

    def page() -> bytes:
        board = snap.board(by)
        return bytes(render(request, "scoreboard.html", {
            "section": "scoreboard", "board": board, "by": by, "indicators": INDICATORS,
            "cells": snap.board_cells(by), "chart": views.score_chart(board)}).body)

    return HTMLResponse(snap.fragment(("scoreboard", by), page))  # the whole page is the snapshot's


@router.get("/countries", response_class=HTMLResponse, dependencies=read)
def countries(request: Request) -> HTMLResponse:
    items = views.entity_list(state_of(request), views.COUNTRY_TYPES)
    return render(request, "entities.html", {"section": "countries", "title": "Countries and regions",
                                             "items": items, "kind": "country"})


@router.get("/companies", response_class=HTMLResponse, dependencies=read)
def companies(request: Request) -> HTMLResponse:
    items = views.entity_list(state_of(request), ("company",))
    return render(request, "entities.html", {"section": "companies", "title": "Companies", "items": items,
                                             "kind": "company"})


def _entity(request: Request, name: str, page: int, section: str) -> HTMLResponse:
    state = state_of(request)
    snap = state.snapshot()
    data = views.entity_page(state, name, page, snap)
    if data is None:
        raise _not_found(f"entity called {name!r}")

    def analysis() -> Markup:
        # Charts, ledgers, facts and conflicts: tens of KB of markup that only a new snapshot changes.
        return Markup(request.app.state.templates.get_template("entity_analysis.html").render({
            "page": data,
            "series_charts": [(s, views.series_chart(s, data.name)) for s in data.series
                              if sum(f.key.year is not None for f in s.facts) >= 2],
            "ledger_chart": views.ledger_chart(data.ledgers, f"{data.name}: targets as reported") if data.ledgers else ""}))

    return render(request, "entity.html", {"section": section, "page": data, "page_no": page,
                                           "analysis": snap.fragment(("entity", data.name), analysis)})


@router.get("/companies/{name:path}", response_class=HTMLResponse, dependencies=read)
def company(request: Request, name: str, page: int = PAGE) -> HTMLResponse:
    return _entity(request, name, page, "companies")


@router.get("/countries/{name:path}", response_class=HTMLResponse, dependencies=read)
def country(request: Request, name: str, page: int = PAGE) -> HTMLResponse:
    return _entity(request, name, page, "countries")


@router.get("/entities/{name:path}", response_class=HTMLResponse, dependencies=read)
def entity(request: Request, name: str, page: int = PAGE) -> HTMLResponse:
    return _entity(request, name, page, "")


@router.get("/conflicts", response_class=HTMLResponse, dependencies=read)
def conflicts(request: Request) -> HTMLResponse:
    from ssbrace.web.patents import gaps_for

    found, findings = views.conflicts(state_of(request))
    return render(request, "conflicts.html", {"section": "conflicts", "conflicts": found, "findings": findings,
                                              "patent_gaps": gaps_for(request)})


@router.get("/stories", response_class=HTMLResponse, dependencies=read)
def stories(request: Request, since: date | None = None, page: int = PAGE) -> HTMLResponse:
    per = 20  # each story's brief is composed on the way
    items, total = views.stories(state_of(request), since, per, (page - 1) * per)
    return render(request, "stories.html", {"section": "stories", "items": items, "total": total, "page_no": page,
                                            "per_page": per, "since": since})


@router.get("/stories/{story_id}", response_class=HTMLResponse, dependencies=read)
def story(request: Request, story_id: StoreId) -> HTMLResponse:
    item = views.story(state_of(request), story_id)
    if item is None:
        raise _not_found(f"story {story_id}")
    return render(request, "story.html", {"section": "stories", "item": item})


@router.get("/documents", response_class=HTMLResponse, dependencies=read)
def documents(request: Request, since: date | None = None, page: int = PAGE) -> HTMLResponse:
    with state_of(request).store.session() as session:
        listing = kb_search.find_documents(session, since=since, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render(request, "documents.html", {"section": "documents", "listing": listing, "page_no": page,
                                              "since": since})


@router.get("/documents/{document_id}", response_class=HTMLResponse, dependencies=read)
def document(request: Request, document_id: StoreId) -> HTMLResponse:
    data = views.document_page(state_of(request), document_id)
    if data is None:
        raise _not_found(f"document {document_id}")
    can_write = form_write_allowed(request)
    return render(request, "document.html", {
        "section": "documents", "data": data, "can_write": can_write, "kinds": CLAIM_KINDS,
        "csrf": form_token(state_of(request).settings) if can_write else ""})


@router.get("/claims", response_class=HTMLResponse, dependencies=read)
def claims(request: Request, entity: str | None = None, kind: str | None = None, topic: str | None = None,
           since: date | None = None, page: int = PAGE) -> HTMLResponse:
    state = state_of(request)
    rule = state.topic_rule(topic) if topic else None
    if topic and rule is None:
        raise HTTPException(400, f"unknown topic {topic!r}")
    flt = ClaimFilter(entity=entity or None, kind=kind or None, topic=rule, since=since)
    listing = views.find_claims(state, flt, PER_PAGE, (page - 1) * PER_PAGE)
    return render(request, "claims.html", {
        "section": "claims", "listing": listing, "page_no": page, "kinds": CLAIM_KINDS, "topics": state.pack.topics,
        "filters": {"entity": entity or "", "kind": kind or "", "topic": topic or "",
                    "since": since.isoformat() if since else ""}})


@router.get("/search", response_class=HTMLResponse, dependencies=read)
def search(request: Request, q: str = "", page: int = PAGE) -> HTMLResponse:
    per = 20
    results = views.search(state_of(request), q, per, (page - 1) * per) if q.strip() else None
    return render(request, "search.html", {"section": "search", "q": q, "results": results, "page_no": page})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002 - the usual name
    return render(request, "login.html", {"next": next, "failed": False})


@router.post("/login", response_model=None)
def login(request: Request, token: str = Form(...), next: str = Form("/")) -> Response:  # noqa: A002
    if not token_matches(token, state_of(request).settings.api_token):
        return render(request, "login.html", {"next": next, "failed": True}, status_code=401)
    # Only a path on this site: "//evil.example" or "https://..." would send the visitor elsewhere.
    target = next if next.startswith("/") and not next.startswith(("//", "/\\")) else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return response


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API reference: Swagger UI (vendored, served from /static) over the OpenAPI document, and the same
    operations as a table for readers without scripts."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [(p["name"], p.get("in", ""), p.get("required", False), p.get("description", ""))
                      for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            operations.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                               "description": op.get("description", ""), "params": params,
                               "body": body.get("$ref", "").rsplit("/", 1)[-1], "tags": op.get("tags", [])})
    return render(request, "api_docs.html", {"section": "", "operations": operations, "spec": spec,
                                             "spec_url": request.app.openapi_url})


# --- reviewing a claim from its document's page (the form shows with the write token only) ---


@router.post("/documents/{document_id}/claims/{claim_id}/review", response_model=None)
def review_claim(request: Request, document_id: StoreId, claim_id: StoreId, csrf: str = Form(""),
                 action: str = Form(...), reason: str = Form(""), subject: str = Form(""), kind: str = Form(""),
                 value: str = Form(""), year: str = Form(""), by: str = Form("")) -> Response:
    from ssbrace import review
    from ssbrace.web.api_write import reviewer

    require_write_form(request, csrf)
    state = state_of(request)
    if action not in ("wrong", "correct"):
        raise HTTPException(400, f"unknown action {action!r}: wrong or correct")
    with state.store.session() as session:
        if action == "wrong":
            review.mark_wrong(session, claim_id, reviewer=reviewer(by[:100]), reason=reason.strip() or None)
        else:
            given = {"subject": subject, "kind": kind, "value": value, "year": year}
            wanted = review.parse_corrections({k: v for k, v in given.items() if v.strip()})
            review.correct_claim(session, claim_id, wanted, reviewer=reviewer(by[:100]),
                                    reason=reason.strip() or None)
    state.refresh()
    return RedirectResponse(f"/documents/{document_id}#list-claim-{claim_id}", status_code=303)


@router.post("/documents/{document_id}/reviews/{review_id}/undo", response_model=None)
def undo_review(request: Request, document_id: StoreId, review_id: StoreId, csrf: str = Form("")) -> Response:
    from ssbrace import review
    from ssbrace.web.api_write import REVIEWER

    require_write_form(request, csrf)
    state = state_of(request)
    with state.store.session() as session:
        review.undo_review(session, review_id, by=REVIEWER)
    state.refresh()
    return RedirectResponse(f"/documents/{document_id}", status_code=303)
