"""Watches and webhooks on the web: the ``/api/v1`` routes, the watches page with its form, each watch's feed
and page, and the unsubscribe link of alert emails. Every route is a thin wrapper over ``ssbrace.following``.

Listing watches and webhooks shows addresses and URLs, so the API asks for the write token there too. The
page's form carries the token in a password field: it is typed, never a cookie, so another site's page
cannot post it on a visitor's behalf.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ssbrace.delivery.watches import label, watch_topic
from ssbrace.errors import InputError, SsbraceError, UsageError
from ssbrace.following import (
    add_watch,
    add_webhook,
    delivery_log,
    get_watch,
    list_watches,
    list_webhooks,
    remove_watch,
    remove_webhook,
    stop_emails,
    unsubscribe_choices,
    watch_digest,
    watch_feed,
    watch_stories,
)
from ssbrace.kb.watches_repo import WatchRecord
from ssbrace.stories.features import entity_index
from ssbrace.web.auth import require_read_api, require_read_page, require_write, token_matches
from ssbrace.web.pages import render, state_of
from ssbrace.web.params import StoreId, form_or_link
from ssbrace.web.views import story_items

api = APIRouter(tags=["watches"])
pages = APIRouter(include_in_schema=False)
WRITE = [Depends(require_write)]
READ = [Depends(require_read_api)]
WATCH_STORIES = 20


class WatchIn(BaseModel):
    target: str = Field(max_length=300, description="an entity (any of its names), a keyword or search words")
    kind: str = Field("auto", description="auto, entity, keyword or search")
    email: str | None = Field(None, max_length=320, description="where its alerts go by email")
    webhook: str | None = Field(None, max_length=2000, description="a URL its alerts are POSTed to")


class WatchOut(BaseModel):
    id: int
    kind: str
    value: str
    label: str
    entity_type: str | None
    email: str | None
    webhook: str | None
    feed: str
    created: bool | None = None
    note: str | None = None


class WatchRefOut(BaseModel):
    """A watch as its digest names it (where its alerts go stays out: digests are a read route)."""

    id: int
    kind: str = Field(description="entity, keyword or search")
    value: str = Field(description="the entity's canonical name, the keyword or the search words")
    label: str
    entity_type: str | None
    feed: str = Field(description="the path of its Atom feed")


class DigestBulletOut(BaseModel):
    text: str
    section: str = Field(description="what, figures or context")
    citations: list[int] = Field(description="ids of the documents the bullet rests on")


class DigestSourceOut(BaseModel):
    document_id: int
    title: str | None
    publisher: str | None
    published: str | None
    link: str = Field(description="the document's page in this app")


class DigestStoryOut(BaseModel):
    """A story in a digest: its brief, each bullet citing its documents."""

    story_id: int
    headline: str
    bullets: list[DigestBulletOut]
    sources: list[DigestSourceOut]
    source_count: int = Field(description="distinct publishers")
    first_date: str | None
    last_date: str | None
    version: str = Field(description="changes whenever a reader would see a change")
    based_on: str


class WatchDigestOut(BaseModel):
    watch: WatchRefOut
    since: datetime
    until: datetime
    key: str = Field(description="names what a reader gets: the watch and each story at its brief's version")
    stories: list[DigestStoryOut]
    changes: dict[str, list[str]] = Field(
        description="section title (New facts, Moved targets, New conflicts) to one line per change")


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000)
    events: list[str] = Field(description="new_claim, new_figure, target_slip, new_conflict, new_story")
    secret: str | None = Field(None, min_length=16, max_length=128, description="default: a new random one")


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    secret: str | None = None  # shown when it is registered, not in listings
    created: bool | None = None


class DeliveryOut(BaseModel):
    id: int
    channel: str
    target: str
    event: str
    event_key: str
    delivery_id: str
    status: str
    attempts: int
    response: int | None
    error: str | None
    summary: str
    created_at: datetime
    attempted_at: datetime | None
    delivered_at: datetime | None


def _watch_out(watch: WatchRecord, **extra: Any) -> WatchOut:
    return WatchOut(id=watch.id, kind=watch.kind, value=watch.value, label=label(watch), entity_type=watch.entity_type,
                    email=watch.email, webhook=watch.webhook_url, feed=f"/feeds/watches/{watch.id}.atom", **extra)


def _found(request: Request, watch_id: int) -> WatchRecord:
    try:
        return get_watch(state_of(request).store, watch_id)
    except InputError:
        raise HTTPException(404, f"no watch {watch_id}") from None


def _unprocessable(exc: SsbraceError) -> HTTPException:
    return HTTPException(422, str(exc))


# --- the API ---


@api.get("/watches", summary="List watches", response_model=list[WatchOut], dependencies=WRITE)
def watches_list(request: Request) -> list[WatchOut]:
    """Every watch, with where its alerts go (needs the token: it lists addresses)."""
    return [_watch_out(w) for w in list_watches(state_of(request).store)]


@api.post("/watches", summary="Add a watch", response_model=WatchOut, status_code=201, dependencies=WRITE)
def watches_add(request: Request, body: WatchIn) -> WatchOut:
    """Follow an entity, a keyword or a saved search, as ssbrace watch add does."""
    state = state_of(request)
    try:
        added = add_watch(state.store, state.settings, body.target, kind=body.kind, email=body.email,
                          webhook=body.webhook)
    except SsbraceError as exc:
        raise _unprocessable(exc) from None
    return _watch_out(added.watch, created=added.created, note=added.note)


@api.delete("/watches/{watch_id}", summary="Remove a watch", response_model=WatchOut, dependencies=WRITE)
def watches_remove(request: Request, watch_id: StoreId) -> WatchOut:
    """Stop a watch: no more alerts, digest or feed; its alerts not sent yet are dropped."""
    try:
        return _watch_out(remove_watch(state_of(request).store, watch_id))
    except InputError:
        raise HTTPException(404, f"no watch {watch_id}") from None


@api.get("/watches/{watch_id}/digest", summary="A watch's digest", response_model=WatchDigestOut, dependencies=READ)
def watches_digest(request: Request, watch_id: StoreId,
                   since: date | None = Query(None, description="period start (default: 7 days ago)")
                   ) -> dict[str, Any]:
    """A watch's digest as JSON: its stories since the date with their briefs, and what changed."""
    from datetime import timedelta

    state = state_of(request)
    watch = _found(request, watch_id)
    now = datetime.now(UTC)
    start = datetime.combine(since, datetime.min.time(), UTC) if since else now - timedelta(days=7)
    with state.store.session() as session:
        digest = watch_digest(session, watch, state.settings, start, now=now)
    return {"watch": _watch_out(watch).model_dump(exclude={"email", "webhook"}), "since": digest.since,
            "until": digest.until, "key": digest.key, "stories": [b.to_json() for b in digest.briefs],
            "changes": digest.changes}


@api.get("/webhooks", summary="List webhooks", response_model=list[WebhookOut], dependencies=WRITE)
def webhooks_list(request: Request) -> list[WebhookOut]:
    """Every webhook and the events it receives (secrets are shown only when registered)."""
    return [WebhookOut(id=h.id, url=h.url, events=list(h.events)) for h in list_webhooks(state_of(request).store)]


@api.post("/webhooks", summary="Register a webhook", response_model=WebhookOut, status_code=201, dependencies=WRITE)
def webhooks_add(request: Request, body: WebhookIn) -> WebhookOut:
    """Register a URL for event types; the answer holds the secret that signs its deliveries."""
    state = state_of(request)
    try:
        hook, created = add_webhook(state.store, state.settings, body.url, body.events, secret=body.secret)
    except SsbraceError as exc:
        raise _unprocessable(exc) from None
    return WebhookOut(id=hook.id, url=hook.url, events=list(hook.events), secret=hook.secret, created=created)


@api.delete("/webhooks/{webhook_id}", summary="Remove a webhook", response_model=WebhookOut, dependencies=WRITE)
def webhooks_remove(request: Request, webhook_id: StoreId) -> WebhookOut:
    """Remove a webhook with the watches that alert through it and its log."""
    try:
        hook = remove_webhook(state_of(request).store, str(webhook_id))
    except InputError:
        raise HTTPException(404, f"no webhook {webhook_id}") from None
    return WebhookOut(id=hook.id, url=hook.url, events=list(hook.events))


@api.get("/webhooks/log", summary="The delivery log", response_model=list[DeliveryOut], dependencies=WRITE)
def webhooks_log(request: Request, limit: int = Query(50, ge=1, le=500),
                 with_email: bool = Query(False, description="include the alerts sent by email")) -> list[DeliveryOut]:
    """The delivery log, newest first: each event for each webhook (and address, with with_email), its status, tries and last answer or error."""
    rows = delivery_log(state_of(request).store, channel=None if with_email else "webhook", limit=limit)
    return [DeliveryOut(**{k: getattr(r, k) for k in DeliveryOut.model_fields}) for r in rows]


# --- the pages ---


def _masked(address: str | None) -> str:
    """An address as a reader of the page sees it: enough to recognise one's own."""
    if not address:
        return ""
    name, _, domain = address.partition("@")
    return f"{name[:1]}…@{domain}"


def _watches_page(request: Request, *, message: str | None = None, error: str | None = None,
                  status_code: int = 200) -> HTMLResponse:
    rows = [{"id": w.id, "label": label(w), "kind": w.kind, "email": _masked(w.email),
             "webhook": "yes" if w.webhook_id else ""} for w in list_watches(state_of(request).store)]
    writes_on = bool(state_of(request).settings.api_token)
    return render(request, "watches.html", {"section": "watches", "rows": rows, "message": message, "error": error,
                                            "writes_on": writes_on}, status_code=status_code)


@pages.get("/watches", response_class=HTMLResponse, dependencies=[Depends(require_read_page)])
def watches_page(request: Request, added: int | None = None) -> HTMLResponse:
    return _watches_page(request, message=f"Watch #{added} added." if added else None)


def _check_token(request: Request, token: str) -> str | None:
    expected = state_of(request).settings.api_token
    if not expected:
        return "Changes from the web are off: set api_token in the config."
    return None if token_matches(token, expected) else "That token is not right."


@pages.post("/watches", response_model=None)
def watches_form(request: Request, token: str = Form(""), target: str = Form(""), kind: str = Form("auto"),
                 email: str = Form(""), webhook: str = Form("")) -> Response:
    refused = _check_token(request, token)
    if refused:
        return _watches_page(request, error=refused, status_code=401)
    state = state_of(request)
    try:
        added = add_watch(state.store, state.settings, target, kind=kind, email=email or None, webhook=webhook or None)
    except (UsageError, InputError) as exc:
        return _watches_page(request, error=str(exc), status_code=422)
    return RedirectResponse(f"/watches?added={added.watch.id}", status_code=303)


@pages.post("/watches/{watch_id}/remove", response_model=None)
def watches_remove_form(request: Request, watch_id: StoreId, token: str = Form("")) -> Response:
    refused = _check_token(request, token)
    if refused:
        return _watches_page(request, error=refused, status_code=401)
    try:
        watch = remove_watch(state_of(request).store, watch_id)
    except InputError as exc:
        return _watches_page(request, error=str(exc), status_code=404)
    return _watches_page(request, message=f"Watch #{watch.id} ({label(watch)}) removed.")


@pages.get("/feeds/watches/{watch_id}.atom", dependencies=[Depends(require_read_page)])
def watch_feed_route(request: Request, watch_id: StoreId) -> Response:
    """A watch's Atom feed, as `ssbrace watch feed` writes it."""
    state = state_of(request)
    watch = _found(request, watch_id)
    with state.store.session() as session:
        data = watch_feed(session, watch, state.settings)
    return Response(data, media_type="application/atom+xml; charset=utf-8")


@pages.get("/topics/watches/{watch_id}", response_class=HTMLResponse, dependencies=[Depends(require_read_page)])
def watch_stories_page(request: Request, watch_id: StoreId) -> HTMLResponse:
    """A watch's stories, as a topic's page shows them (the feed's alternate link)."""
    state = state_of(request)
    watch = _found(request, watch_id)
    with state.store.session() as session:
        found = watch_stories(session, watch, entity_index(state.settings.domain), limit=WATCH_STORIES)
        items = story_items(state, session, found)
    return render(request, "stories.html", {"section": "watches", "items": items, "total": len(items), "page_no": 1,
                                            "per_page": WATCH_STORIES, "since": None, "topic": watch_topic(watch)})


# As with digests, the link in an alert shows buttons and a button posts: mail scanners follow links. The
# List-Unsubscribe header's one-click POST (RFC 8058) sends its token and scope in the URL, not the form.
def _unsubscribe_page(request: Request, token: str, scope: str) -> HTMLResponse:
    choices = unsubscribe_choices(state_of(request).store, token)
    if choices is None:
        return render(request, "watch_unsubscribe.html", {"known": False, "done": None}, status_code=404)
    watch, mailing = choices
    return render(request, "watch_unsubscribe.html", {
        "known": True, "done": None, "token": token, "every_first": scope == "all",
        "address": _masked(watch.email), "watch": label(watch), "others": [label(w) for w in mailing if w.id != watch.id],
        "count": len(mailing)})


@pages.get("/watches/unsubscribe", response_class=HTMLResponse)
def watch_unsubscribe_form(request: Request, token: str = "", scope: str = "") -> HTMLResponse:
    return _unsubscribe_page(request, token, scope)


@pages.post("/watches/unsubscribe", response_class=HTMLResponse)
def watch_unsubscribe(request: Request, token: str = Form(""), scope: str = Form("")) -> HTMLResponse:
    token, scope = form_or_link(request, token, "token"), form_or_link(request, scope, "scope")
    stopped = stop_emails(state_of(request).store, token, every=scope == "all")
    if stopped is None:
        return render(request, "watch_unsubscribe.html", {"known": False, "done": None}, status_code=404)
    done = [{"label": label(w), "id": w.id, "stays": stays} for w, stays in stopped.watches]
    return render(request, "watch_unsubscribe.html", {"known": True, "done": done,
                                                      "address": _masked(stopped.email)})
