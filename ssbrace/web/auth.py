"""Access: write endpoints need the configured token; read endpoints are open unless closed by config.

The token travels as ``Authorization: Bearer <token>``. A browser can also present it as the
``ssbrace_token`` cookie set by the login form, for reads only: writes take the header alone, so a
page on another site cannot make a visitor's browser write (no cookie-borne CSRF).
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request, status

from ssbrace.settings import Settings

COOKIE = "ssbrace_token"


class LoginRequired(Exception):
    """A page was asked for without the read token; the app answers with the login form."""


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_matches(given: str | None, expected: str) -> bool:
    return bool(given and expected) and secrets.compare_digest((given or "").encode(), expected.encode())


def _settings(request: Request) -> Settings:
    return request.app.state.ssbrace.settings


def read_allowed(request: Request) -> bool:
    settings = _settings(request)
    if not settings.read_token_required:
        return True
    return token_matches(_bearer(request), settings.api_token) or token_matches(
        request.cookies.get(COOKIE), settings.api_token)


def require_read_api(request: Request) -> None:
    """Dependency of every read endpoint of the API."""
    if not read_allowed(request):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this server requires a token to read",
                            headers={"WWW-Authenticate": "Bearer"})


def require_read_page(request: Request) -> None:
    """Dependency of every HTML page: the login form instead of the page when the token is missing."""
    if not read_allowed(request):
        raise LoginRequired()


def require_write(request: Request) -> None:
    """Dependency of every write endpoint: the configured token in the Authorization header."""
    expected = _settings(request).api_token
    if not expected:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "write endpoints are off: set api_token in the config")
    if not token_matches(_bearer(request), expected):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a valid token is required to write",
                            headers={"WWW-Authenticate": "Bearer"})


# --- forms that write (the review of a claim on its document's page, the sources page's buttons) ---
# A browser cannot send the Authorization header from a form. A form that writes is shown to a visitor who
# logged in with the token (the cookie) and carries a value derived from the token: a page on another site
# can neither read it nor make the visitor's browser send it (the cookie alone does not write).

def form_token(settings: Settings) -> str:
    """The hidden value of a writing form: a MAC of the configured token, never the token itself."""
    import hashlib
    import hmac

    return hmac.new(settings.api_token.encode(), b"ssbrace write form", hashlib.sha256).hexdigest()


def form_write_allowed(request: Request) -> bool:
    """Whether this visitor may see the forms that write: logged in with the configured write token."""
    expected = _settings(request).api_token
    return bool(expected) and (token_matches(request.cookies.get(COOKIE), expected)
                               or token_matches(_bearer(request), expected))


def require_write_form(request: Request, csrf: str, what: str = "review claims") -> None:
    """A writing form's POST: the visitor holds the token (cookie or header) and the form's value matches."""
    if not _settings(request).api_token:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "writing is off: set api_token in the config")
    if not form_write_allowed(request) or not token_matches(csrf, form_token(_settings(request))):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"log in with the write token to {what}")
