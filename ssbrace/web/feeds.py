"""Topic pages, Atom feeds and the unsubscribe page: the web ends of the links digests and feeds carry."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ssbrace.domains.schema import Topic
from ssbrace.errors import UsageError
from ssbrace.kb import stories_repo
from ssbrace.pipeline import build_feed, stories_for_topic
from ssbrace.stories.features import entity_index
from ssbrace.stories.topics import find_topic
from ssbrace.web.auth import require_read_page
from ssbrace.web.pages import render, state_of
from ssbrace.web.params import form_or_link
from ssbrace.web.state import AppState
from ssbrace.web.views import story_items
from ssbrace.web.watches import pages as watch_pages

router = APIRouter(include_in_schema=False)
TOPIC_STORIES = 20


def _topic(state: AppState, slug: str) -> Topic:
    try:
        return find_topic(state.pack.topics, slug)
    except UsageError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/feeds/{slug}.atom", dependencies=[Depends(require_read_page)])
def feed(request: Request, slug: str) -> Response:
    """The Atom feed of a topic's stories, as ``ssbrace feed`` writes it."""
    state = state_of(request)
    topic = _topic(state, slug)
    with state.store.session() as session:
        data = build_feed(session, topic, entity_index(state.settings.domain), base_url=state.settings.base_url)
    return Response(data, media_type="application/atom+xml; charset=utf-8")


@router.get("/topics/{slug}", response_class=HTMLResponse, dependencies=[Depends(require_read_page)])
def topic_page(request: Request, slug: str) -> HTMLResponse:
    state = state_of(request)
    topic = _topic(state, slug)
    with state.store.session() as session:
        found = stories_for_topic(session, topic, entity_index(state.settings.domain), limit=TOPIC_STORIES)
        items = story_items(state, session, found)
    return render(request, "stories.html", {"section": "stories", "items": items, "total": len(items), "page_no": 1,
                                            "per_page": TOPIC_STORIES, "since": None, "topic": topic})


# Unsubscribing needs no token but the one in the digest's link, and never happens on a GET: mail
# scanners follow links, so the link shows a button and the button posts. The List-Unsubscribe header's
# one-click POST (RFC 8058) sends the token in the URL, not the form.
@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_form(request: Request, token: str = "") -> HTMLResponse:
    return render(request, "unsubscribe.html", {"token": token, "done": None})


@router.post("/unsubscribe", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str = Form("")) -> HTMLResponse:
    token = form_or_link(request, token, "token")
    with state_of(request).store.session() as session:
        removed = stories_repo.unsubscribe_by_token(session, token)
    status = 200 if removed is not None else 404
    return render(request, "unsubscribe.html", {"token": token, "done": removed}, status_code=status)


# Watches' pages, feeds and unsubscribe links live beside the topics' (``web.watches``).
router.include_router(watch_pages)
