"""The patents page and its ``/api/v1/patents`` endpoints: counts computed from the loaded exports.

Each response names the definition (its hash and choices) it was computed under. Counts are cached per
app until the set of loaded exports changes; the comparison with reported figures also until the claims do.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from ssbrace.delivery import charts
from ssbrace.delivery.links import entity_url
from ssbrace.errors import UsageError
from ssbrace.patents.counting import Counts, growth
from ssbrace.patents.landscape import unit_label
from ssbrace.web.api_models import CSV_RESPONSES, PatentCountsOut, PatentExportOut, PatentGapOut
from ssbrace.web.auth import require_read_api, require_read_page
from ssbrace.web.state import AppState

pages = APIRouter(include_in_schema=False, dependencies=[Depends(require_read_page)])
api = APIRouter(prefix="/api/v1/patents", tags=["patents"], dependencies=[Depends(require_read_api)])

BY = Query("country", pattern="^(country|applicant|year)$")
UNIT = Query(None, pattern="^(publication|simple_family|extended_family|family)$")
RULE = Query(None, pattern="^(applicant|first_applicant|priority_office|inventor)$")
_lock = threading.Lock()


def _state(request: Request) -> AppState:
    return request.app.state.ssbrace


UNCONFIRMED = Query(False, alias="unconfirmed_codes", description="also count the codes whose CPC titles are not "
                   "confirmed (another definition hash)")


def _choices(unit: str | None, country_by: str | None, date_field: str | None, year_from: int | None,
             year_to: int | None, unconfirmed: bool = False) -> dict[str, Any]:
    return {"unit": "simple_family" if unit == "family" else unit, "country_by": country_by,
            "date_field": date_field, "year_from": year_from, "year_to": year_to,
            **({"unconfirmed_codes": True} if unconfirmed else {})}


def _cache(request: Request) -> dict:
    """Per-app cache, emptied when the loaded exports change."""
    from ssbrace.kb.patents_repo import exports

    state = _state(request)
    marker = tuple((e.id, e.records) for e in exports(state.store))
    cache = getattr(request.app.state, "patents_cache", None)
    if cache is None or cache.get("marker") != marker:
        cache = {"marker": marker}
        request.app.state.patents_cache = cache
    return cache


def counts_for(request: Request, by: str, choices: dict[str, Any]) -> Counts | None:
    """The counts (None when no export is loaded)."""
    import ssbrace.patents as patents

    cache = _cache(request)
    if not cache["marker"]:
        return None
    key = (by, tuple(sorted(choices.items())))
    with _lock:
        if key not in cache:
            state = _state(request)
            cache[key] = patents.count(state.store, by, pack=state.pack, **choices)
        return cache[key]


def gaps_for(request: Request) -> list:
    import ssbrace.patents as patents

    cache = _cache(request)
    if not cache["marker"]:
        return []
    state = _state(request)
    knowledge = state.snapshot().knowledge
    with _lock:
        # computed again when the exports or the claims change (another analysis)
        held = cache.get("gaps")
        if held is None or held[0] is not knowledge:
            cache["gaps"] = (knowledge, patents.compare(state.store, knowledge.records, pack=state.pack))
        return cache["gaps"][1]


def _bars(counts: Counts, limit: int, link: bool) -> list[charts.Bar]:
    return [charts.Bar(r.key, r.count, f"{r.count:,}", entity_url(r.key, "country") if link else "",
                       f"{r.share:.1%} of {counts.total:,}") for r in counts.rows[:limit]]


@pages.get("/patents", response_class=HTMLResponse)
def patents_page(request: Request, unit: str | None = UNIT, country_by: str | None = RULE,
                 date_field: str | None = Query(None, alias="date", pattern="^(priority|filing|publication)$"),
                 year_from: int | None = Query(None, alias="from", ge=1800, le=2200),
                 year_to: int | None = Query(None, alias="to", ge=1800, le=2200)) -> HTMLResponse:
    from ssbrace.kb.patents_repo import exports
    from ssbrace.web.pages import render

    choices = _choices(unit, country_by, date_field, year_from, year_to)
    by_country = counts_for(request, "country", choices)
    context: dict[str, Any] = {"section": "patents", "exports": exports(_state(request).store), "counts": by_country,
                               "choices": choices, "gaps": gaps_for(request) if by_country else []}
    if by_country is not None:
        by_applicant = counts_for(request, "applicant", choices)
        by_year = counts_for(request, "year", choices)
        assert by_applicant is not None and by_year is not None
        label = unit_label(by_country.landscape.unit)
        points = tuple((float(r.key), float(r.count), "", f"{r.key}: {r.count:,} {label}") for r in by_year.rows)
        context.update({
            "landscape": by_country.landscape, "unit_label": label, "applicants": by_applicant.rows[:15],
            "growth": growth(by_year),
            "country_chart": charts.bar_chart(_bars(by_country, 12, True), f"{label.capitalize()} by country",
                                              label),
            "applicant_chart": charts.bar_chart(_bars(by_applicant, 12, False), "Top applicants", label,
                                                color=charts.PALETTE[1]),
            "year_chart": charts.line_chart([charts.Series(label, points)],
                                            f"{label.capitalize()} by {by_year.landscape.date_field} year", label)})
    return render(request, "patents.html", context)


@api.get("/counts", summary="Patent counts", response_model=PatentCountsOut)
def counts_api(request: Request, by: str = BY, unit: str | None = UNIT, country_by: str | None = RULE,
               date_field: str | None = Query(None, alias="date", pattern="^(priority|filing|publication)$"),
               year_from: int | None = Query(None, alias="from", ge=1800, le=2200),
               year_to: int | None = Query(None, alias="to", ge=1800, le=2200), unconfirmed: bool = UNCONFIRMED) -> dict:
    """Units of the landscape by country, applicant or year, with shares and the definition's hash."""
    counts = counts_for(request, by, _choices(unit, country_by, date_field, year_from, year_to, unconfirmed))
    if counts is None:
        raise UsageError("no patent exports loaded")
    data = counts.as_dict()
    if by == "year":
        g = growth(counts)
        data["cagr"] = g.cagr if g else None
    return data


@api.get("/counts.csv", summary="Patent counts as CSV", response_class=StreamingResponse, responses=CSV_RESPONSES)
def counts_csv(request: Request, by: str = BY, unit: str | None = UNIT, country_by: str | None = RULE,
               date_field: str | None = Query(None, alias="date", pattern="^(priority|filing|publication)$"),
               year_from: int | None = Query(None, alias="from", ge=1800, le=2200),
               year_to: int | None = Query(None, alias="to", ge=1800, le=2200),
               unconfirmed: bool = UNCONFIRMED) -> StreamingResponse:
    """The same counts as CSV: one row per group, with the definition's hash on each."""
    from ssbrace.web.api import _csv

    counts = counts_for(request, by, _choices(unit, country_by, date_field, year_from, year_to, unconfirmed))
    if counts is None:
        raise UsageError("no patent exports loaded")
    rows = ([r.key, r.count, round(r.share, 6), counts.definition] for r in counts.rows)
    return _csv([by, "count", "share", "definition"], rows, f"patents-by-{by}.csv")


@api.get("/exports", summary="List loaded patent exports", response_model=list[PatentExportOut])
def exports_api(request: Request) -> list[dict]:
    """The loaded patent exports: name, format, SHA-256, records read and when each was loaded."""
    from ssbrace.kb.patents_repo import exports

    return [{**e.__dict__, "loaded_at": e.loaded_at.isoformat()} for e in exports(_state(request).store)]


@api.get("/gaps", summary="Reported patent figures against computed ones", response_model=list[PatentGapOut])
def gaps_api(request: Request) -> list[dict]:
    """Each reported patent figure beside the computed one, with what could explain the gap."""
    return [g.as_dict() for g in gaps_for(request)]
