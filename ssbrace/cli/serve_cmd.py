"""``ssbrace serve``: the web dashboard and JSON API over the store (FastAPI under uvicorn)."""

from __future__ import annotations

import ipaddress
import socket

import typer

from ssbrace.cli.context import app_context, err, plain
from ssbrace.cli.main import app
from ssbrace.errors import UsageError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_can_listen(host: str, port: int) -> None:
    """Bind once before starting: uvicorn logs a bind failure and exits instead of raising."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # port in use, unknown host, address not on this machine
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Serve the dashboard (scoreboard, companies, countries, stories, conflicts, search) and /api/v1."""
    import uvicorn

    from ssbrace.web.app import create_app

    if not 0 < port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {port}")
    _check_can_listen(host, port)
    context = app_context(ctx)
    settings = context.settings
    store = context.store()
    application = create_app(settings, store)
    if not _is_loopback(host) and not settings.api_token:
        err.print("[yellow]warning:[/yellow] listening beyond this machine; write endpoints stay off until "
                  "api_token is set")
    err.print(plain(f"ssbrace serving {store.display_url} on http://{host}:{port}/  (API docs: /api/docs; Ctrl-C stops)"),
              markup=False)
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)
    except OSError as exc:  # port in use, address not available
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
