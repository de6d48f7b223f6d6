"""The sources page: every registered source, how its last poll went and the options kept with it; to a
visitor signed in with the write token, buttons that disable, enable or remove one. Each route is a thin
wrapper over ``ssbrace.register``, as ``ssbrace sources`` is.

The buttons are forms that write, guarded as the claim review form is (``web.auth.require_write_form``):
the token's cookie and a hidden value derived from the token, which a page on another site cannot read.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse

from ssbrace.errors import InputError
from ssbrace.register import SourceListing, list_sources, remove_source, set_source_enabled
from ssbrace.web.auth import form_token, form_write_allowed, require_read_page, require_write_form
from ssbrace.web.pages import render, state_of
from ssbrace.web.params import StoreId

router = APIRouter(include_in_schema=False)
WHAT = "change sources"


def _count(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else words or word + 's'}"


def _options(source: SourceListing) -> str:
    words = [k.replace("_", "-") if v is True else f"{k.replace('_', '-')}={v}"
             for k, v in source.options.to_json().items()]
    return ", ".join(words)


def _page(request: Request, *, message: str | None = None) -> HTMLResponse:
    state = state_of(request)
    can_write = form_write_allowed(request)
    rows = [{"source": s, "options": _options(s)} for s in list_sources(state.store)]
    return render(request, "sources.html", {
        "section": "documents", "rows": rows, "message": message, "can_write": can_write,
        "csrf": form_token(state.settings) if can_write else ""})


def _no_source(source_id: int) -> HTTPException:
    return HTTPException(404, f"no source {source_id} (removed already?)")


@router.get("/sources", response_class=HTMLResponse, dependencies=[Depends(require_read_page)])
def sources_page(request: Request) -> HTMLResponse:
    return _page(request)


def _set_enabled(request: Request, source_id: int, csrf: str, enabled: bool) -> HTMLResponse:
    require_write_form(request, csrf, WHAT)
    try:
        info, changed = set_source_enabled(state_of(request).store, str(source_id), enabled)
    except InputError:
        raise _no_source(source_id) from None
    state = "enabled" if enabled else "disabled"
    told = f"Source {info.id} ({info.location}) {state}" if changed else f"Source {info.id} was {state} already"
    return _page(request, message=told + ("." if enabled else ": update skips it, its documents stay."))


@router.post("/sources/{source_id}/disable", response_class=HTMLResponse)
def disable_source(request: Request, source_id: StoreId, csrf: str = Form("")) -> HTMLResponse:
    return _set_enabled(request, source_id, csrf, False)


@router.post("/sources/{source_id}/enable", response_class=HTMLResponse)
def enable_source(request: Request, source_id: StoreId, csrf: str = Form("")) -> HTMLResponse:
    return _set_enabled(request, source_id, csrf, True)


@router.post("/sources/{source_id}/remove", response_class=HTMLResponse)
def remove_source_form(request: Request, source_id: StoreId, csrf: str = Form(""),
                       keep_documents: str = Form("")) -> HTMLResponse:
    require_write_form(request, csrf, WHAT)
    state = state_of(request)
    keep = bool(keep_documents)
    try:
        removal = remove_source(state.store, str(source_id), state.settings, keep_documents=keep)
    except InputError:
        raise _no_source(source_id) from None
    state.refresh()  # the pages stop counting what the removed documents brought
    info = removal.source
    assert info is not None
    told = f"Source {info.id} ({info.location}) removed"
    if keep:
        told += f"; its {_count(info.documents, 'document')} kept."
    else:
        told += (f" with {_count(removal.documents, 'document')} and {_count(removal.claims, 'claim')}; "
                 f"{_count(removal.stories_dropped, 'story', 'stories')} gone, {removal.stories_restated} restated.")
    return _page(request, message=told)
