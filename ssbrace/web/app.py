"""The FastAPI app: HTML pages, the ``/api/v1`` JSON API and the static assets, over one store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException

from ssbrace import __version__
from ssbrace.errors import SsbraceError, UsageError
from ssbrace.kb.store import Store
from ssbrace.settings import Settings
from ssbrace.web import api, feeds, pages, patents, sources
from ssbrace.web.auth import LoginRequired
from ssbrace.web.formatting import FILTERS, GLOBALS
from ssbrace.web.state import AppState, Building

HERE = Path(__file__).parent
# Every asset is served by the app itself: no CDN, no fonts from elsewhere, pages work offline.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def _templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    env.globals["version"] = __version__
    env.globals["topics"] = ()  # set per app from its domain pack
    return Jinja2Templates(env=env)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The app for these settings (and this store, when the caller has one open already)."""
    app = FastAPI(
        title="ssbrace",
        version=__version__,
        description="The race to commercialise solid-state batteries: scoreboard, companies, countries, "
        "claims with their evidence, stories, conflicts and search. Every figure links to its sentence.",
        # FastAPI's own docs pages load Swagger UI from a CDN and run an inline script: /api/docs
        # (pages.api_docs) serves the vendored copy in static/swagger-ui instead, under our CSP.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.ssbrace = AppState(settings, store)
    app.state.templates = _templates()
    app.state.templates.env.globals["topics"] = app.state.ssbrace.pack.topics
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(patents.api)
    app.include_router(patents.pages)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(sources.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> HTMLResponse:
        return pages.render(request, "login.html", {"next": request.url.path, "failed": False}, status_code=401)

    @app.exception_handler(Building)
    async def building(request: Request, exc: Building) -> Response:
        # Only while the first analysis of a large store is built (seconds): the page reloads itself.
        headers = {"Retry-After": "2"}
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=503, headers=headers)
        response = pages.render(request, "error.html", {"status": 503, "message": str(exc)}, status_code=503)
        response.headers.update({**headers, "Refresh": "2"})
        return response

    @app.exception_handler(SsbraceError)
    async def ssbrace_error(request: Request, exc: SsbraceError) -> Response:
        code = 400 if isinstance(exc, UsageError) else 422
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=code)
        return pages.render(request, "error.html", {"status": code, "message": str(exc)}, status_code=code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.render(request, "error.html", {"status": exc.status_code, "message": str(exc.detail)},
                            status_code=exc.status_code)

    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory ssbrace.web.app:app_from_environment``: settings from config and env."""
    from ssbrace.settings import load_settings

    return create_app(load_settings())
