"""Write endpoints of the API (add a source, ingest a URL, subscribe): each needs the configured token.

Only http(s) URLs are accepted from the web: a path would let a caller read the server's files. The
fetch is as guarded as the CLI's (private addresses refused unless ``allow_private`` is set).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from ssbrace.errors import FetchError
from ssbrace.kb import documents_repo, stories_repo
from ssbrace.pipeline import run_ingest
from ssbrace.sources.web import check_source_url
from ssbrace.web.api_models import (
    IngestIn,
    IngestItemOut,
    IngestOut,
    SourceCreated,
    SourceIn,
    SubscriptionIn,
    SubscriptionOut,
)
from ssbrace.web.auth import require_write
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


@router.post("/sources", response_model=SourceCreated, status_code=201)
def add_source(request: Request, body: SourceIn) -> SourceCreated:
    """Register a page or feed URL for ``ssbrace update`` (nothing is fetched now)."""
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


@router.post("/ingest", response_model=IngestOut)
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


@router.post("/subscriptions", response_model=SubscriptionOut, status_code=201)
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
