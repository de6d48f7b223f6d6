"""The topic digests' unsubscribe link on a real uvicorn server on 127.0.0.1: the page's button and the mail
client's one-click POST (RFC 8058) both stop the digest."""

from __future__ import annotations

from ssbrace.kb import stories_repo
from ssbrace.kb.store import Store

TOKEN = "feeds-token-15"


def _subscribe(db: str, email: str, topic: str) -> str:
    store = Store(db)
    try:
        with store.session() as session:
            stories_repo.subscribe(session, email, topic)
            return next(s.token for s in stories_repo.subscriptions(session) if s.email == email)
    finally:
        store.dispose()


def _subscribed(db: str) -> list[str]:
    store = Store(db)
    try:
        with store.session() as session:
            return sorted(s.email for s in stories_repo.subscriptions(session))
    finally:
        store.dispose()


def test_one_click_unsubscribe_from_the_digest_header(serve, db_url) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db_url, api_token=TOKEN)
    token = _subscribe(db_url, "reader@example.org", "patents")
    _subscribe(db_url, "other@example.org", "patents")
    # The List-Unsubscribe header holds the page's URL with the token; List-Unsubscribe-Post makes the mail
    # client POST "List-Unsubscribe=One-Click" there, with no token in the form.
    done = client.post(f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200, done.text
    assert "reader@example.org will no longer receive the patents digest" in done.text
    assert _subscribed(db_url) == ["other@example.org"]
    again = client.post(f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 404 and "not known" in again.text


def test_a_post_without_any_token_removes_nothing(serve, db_url) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db_url, api_token=TOKEN)
    _subscribe(db_url, "reader@example.org", "patents")
    for response in (client.post("/unsubscribe", data={"List-Unsubscribe": "One-Click"}),
                     client.post("/unsubscribe?token=", data={"token": ""})):
        assert response.status_code == 404 and "not known" in response.text
    assert _subscribed(db_url) == ["reader@example.org"]


def test_the_form_token_wins_over_the_url(serve, db_url) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=db_url, api_token=TOKEN)
    first = _subscribe(db_url, "first@example.org", "patents")
    second = _subscribe(db_url, "second@example.org", "patents")
    done = client.post(f"/unsubscribe?token={first}", data={"token": second})
    assert done.status_code == 200 and "second@example.org" in done.text
    assert _subscribed(db_url) == ["first@example.org"]
