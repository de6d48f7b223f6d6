"""Write endpoints of the API (add, disable, enable and remove a source, change or clear its kept options,
ingest a URL, remove a document, subscribe, review a claim): each needs the configured token.

Only http(s) URLs are accepted from the web: a path would let a caller read the server's files. The
fetch is as guarded as the CLI's (private addresses refused unless ``allow_private`` is set).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ssbrace import review
from ssbrace.errors import FetchError, InputError, UsageError
from ssbrace.kb import documents_repo, stories_repo
from ssbrace.kb.reviews_repo import ReviewRow
from ssbrace.pipeline import run_ingest
from ssbrace.register import Removal, remove_documents, remove_source, set_source_enabled, set_source_options
from ssbrace.review import review_json
from ssbrace.sources.options import SourceOptions
from ssbrace.sources.web import check_source_url
from ssbrace.web.api_models import (
    CorrectionIn,
    IngestIn,
    IngestItemOut,
    IngestOut,
    ReviewOut,
    SourceCreated,
    SourceIn,
    SubscriptionIn,
    SubscriptionOut,
    WrongIn,
)
from ssbrace.web.auth import require_write
from ssbrace.web.params import MAX_STORE_INT, StoreId
from ssbrace.web.state import AppState

router = APIRouter(dependencies=[Depends(require_write)], tags=["write"])
# Deliberately loose: one @, no spaces, a dot in the domain. The mail server is the real judge.
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def _state(request: Request) -> AppState:
    return request.app.state.ssbrace


def _http_url(value: str) -> str:
    url = value.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise HTTPException(422, "only http and https URLs are accepted")
    return url


@router.post("/sources", summary="Register a source", response_model=SourceCreated, status_code=201)
def add_source(request: Request, body: SourceIn) -> SourceCreated:
    """Register a page or feed URL for ssbrace update (nothing is fetched now)."""
    location = _http_url(body.location)
    state = _state(request)
    # The guard judges the address now as well as at each fetch: a private address is never stored.
    try:
        check_source_url(location, state.settings.allow_private)
    except FetchError as exc:
        raise HTTPException(422, str(exc)) from None
    with state.store.session() as session:
        source, created = documents_repo.add_source(session, location, "url", body.name)
        return SourceCreated(id=source.id, kind=source.kind, location=source.location, created=created)


@router.post("/ingest", summary="Ingest a page or feed now", response_model=IngestOut)
async def ingest_url(request: Request, body: IngestIn) -> IngestOut:
    """Fetch one page or feed now, store its documents and extract their claims."""
    url = _http_url(body.url)
    state = _state(request)
    # every stage, as `ssbrace ingest` runs them

    result = await run_in_threadpool(run_ingest, state.store, [url], state.settings)
    await run_in_threadpool(state.refresh)  # the caller's next read shows what it stored; other readers never wait
    items = [IngestItemOut(input=i.input, status=i.status, document_id=i.document_id or i.duplicate_of,
                           reason=i.reason or None, title=i.title, claims=i.claims) for i in result.items]
    return IngestOut(totals=result.counts(), items=items)


@router.post("/subscriptions", summary="Subscribe to a topic digest", response_model=SubscriptionOut, status_code=201)
def subscribe(request: Request, body: SubscriptionIn) -> SubscriptionOut:
    """Subscribe an address to the digest of one topic (a slug of the domain pack)."""
    state = _state(request)
    email = body.email.strip()
    if not _EMAIL.match(email):
        raise HTTPException(422, f"not an email address: {email!r}")
    slugs = [t.slug for t in state.pack.topics]
    if body.topic not in slugs:
        raise HTTPException(422, f"unknown topic {body.topic!r}; one of {', '.join(slugs)}")
    with state.store.session() as session:
        created = stories_repo.subscribe(session, email, body.topic)
    return SubscriptionOut(email=email, topic=body.topic, created=created)


# --- removing and disabling (issue 14): the same library functions as `ssbrace sources|documents remove` ---


class RemovalOut(BaseModel):
    documents: int
    claims: int
    stories_dropped: int
    stories_restated: int


class SourceStateOut(BaseModel):
    id: int
    kind: str
    location: str
    disabled: bool
    changed: bool


def _removal_out(removal: Removal) -> RemovalOut:
    return RemovalOut(documents=removal.documents, claims=removal.claims, stories_dropped=removal.stories_dropped,
                      stories_restated=removal.stories_restated)


@router.delete("/documents/{document_id}", summary="Remove a document", response_model=RemovalOut)
def remove_document(request: Request, document_id: StoreId) -> RemovalOut:
    """Remove a document with its claims, entity links, search entries and story place."""
    state = _state(request)
    try:
        removal = remove_documents(state.store, [str(document_id)], state.settings)
    except InputError:
        raise HTTPException(404, f"no document {document_id}") from None
    state.refresh()
    return _removal_out(removal)


@router.delete("/sources/{source_id}", summary="Remove a source", response_model=RemovalOut)
def remove_source_route(request: Request, source_id: StoreId,
                        keep_documents: bool = Query(False, description="keep the documents it brought")) -> RemovalOut:
    """Remove a source and, unless keep_documents is set, every document it brought."""
    state = _state(request)
    try:
        removal = remove_source(state.store, str(source_id), state.settings, keep_documents=keep_documents)
    except InputError:
        raise HTTPException(404, f"no source {source_id}") from None
    state.refresh()
    return _removal_out(removal)


def _set_enabled(request: Request, source_id: int, enabled: bool) -> SourceStateOut:
    try:
        info, changed = set_source_enabled(_state(request).store, str(source_id), enabled)
    except InputError:
        raise HTTPException(404, f"no source {source_id}") from None
    return SourceStateOut(id=info.id, kind=info.kind, location=info.location, disabled=info.disabled, changed=changed)


@router.post("/sources/{source_id}/disable", summary="Disable a source", response_model=SourceStateOut)
def disable_source(request: Request, source_id: StoreId) -> SourceStateOut:
    """Have ssbrace update skip a source until it is enabled again."""
    return _set_enabled(request, source_id, False)


@router.post("/sources/{source_id}/enable", summary="Enable a source", response_model=SourceStateOut)
def enable_source(request: Request, source_id: StoreId) -> SourceStateOut:
    """Have ssbrace update poll a disabled source again."""
    return _set_enabled(request, source_id, True)
class SourceOptionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # allow_private among them: see below

    max_bytes: int | None = Field(None, ge=1, le=MAX_STORE_INT,
                                  description="size cap of one page or file of this source, bytes")
    clear: list[Annotated[str, Field(max_length=40)]] = Field(
        [], max_length=10, description="options to forget first, so the run's settings hold: max_bytes, "
        "allow_private, or all")


class SourceOptionsOut(BaseModel):
    id: int
    kind: str
    location: str
    options: dict[str, Any] = Field(description="the options kept with the source now ({} when none)")


# allow_private is not set from the web: which addresses the server may reach is its own configuration's
# say (as for POST /sources); clearing it only narrows what a source may reach.
@router.post("/sources/{source_id}/options", summary="Change a source's options", response_model=SourceOptionsOut)
def change_source_options(request: Request, source_id: StoreId, body: SourceOptionsIn) -> SourceOptionsOut:
    """Set the size cap ssbrace update polls a source with, or clear kept options (cleared first, then set)."""
    try:
        info, now = set_source_options(_state(request).store, str(source_id),
                                       given=SourceOptions(max_bytes=body.max_bytes), clear=body.clear)
    except InputError:
        raise HTTPException(404, f"no source {source_id}") from None
    except UsageError as exc:
        raise HTTPException(422, str(exc)) from None
    return SourceOptionsOut(id=info.id, kind=info.kind, location=info.location, options=now.to_json())


# --- reviews of claims (ssbrace/review.py): the one token has no name, so the reviewer is "web", or "web: NAME"
# with the name the caller gives ---

REVIEWER = "web"


def reviewer(name: str | None) -> str:
    name = " ".join((name or "").split())
    return f"{REVIEWER}: {name}" if name else REVIEWER


def _review(state: AppState, write: Callable[[Session], ReviewRow]) -> ReviewOut:
    with state.store.session() as session:
        row = write(session)
    state.refresh()  # the writer's next read shows the review
    return ReviewOut(**review_json(row))


@router.post("/claims/{claim_id}/wrong", summary="Mark a claim wrong", response_model=ReviewOut, status_code=201, tags=["reviews"])
def mark_wrong(request: Request, claim_id: StoreId, body: WrongIn) -> ReviewOut:
    """Mark a claim wrong: it leaves facts, boards, ledgers and conflicts; it stays so after re-extraction."""
    return _review(_state(request), lambda s: review.mark_wrong(s, claim_id, reviewer=reviewer(body.by),
                                                                 reason=body.reason))


@router.post("/claims/{claim_id}/corrections", summary="Correct a claim", response_model=ReviewOut, status_code=201, tags=["reviews"])
def correct_claim(request: Request, claim_id: StoreId, body: CorrectionIn) -> ReviewOut:
    """Correct a claim's subject, kind, value, year or other fields (400 for a value that does not parse)."""
    given = body.model_dump(exclude={"reason", "by"})
    wanted = review.parse_corrections(given)
    return _review(_state(request), lambda s: review.correct_claim(s, claim_id, wanted, reviewer=reviewer(body.by),
                                                                    reason=body.reason))


@router.post("/reviews/{review_id}/undo", summary="Undo a review", response_model=ReviewOut, tags=["reviews"])
def undo_review(request: Request, review_id: StoreId) -> ReviewOut:
    """Stop applying a review: the claim reads as before it."""
    return _review(_state(request), lambda s: review.undo_review(s, review_id, by=REVIEWER))
