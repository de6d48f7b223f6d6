"""The ``ssbrace`` command: global options, command registration, one-line errors."""

from __future__ import annotations

import sys

import typer

from ssbrace import __version__
from ssbrace.cli.context import AppContext, err
from ssbrace.errors import SsbraceError, UsageError
from ssbrace.settings import load_settings

app = typer.Typer(
    name="ssbrace",
    help="Follow the race to commercialise solid-state batteries: ingest sources, extract claims, "
    "reconcile them, and brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ssbrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL of the store (env SSBRACE_DB)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    settings = load_settings()
    context = AppContext(settings=settings, debug=debug)
    if db:
        context.with_settings(db=db)
    ctx.obj = context


def _register() -> None:
    # Each command module adds its commands to ``app``; the order here is the order of the flow.
    from ssbrace.cli import commands  # noqa: F401


def run() -> None:
    """Console entry point: print one line per error, no traceback unless --debug."""
    _register()
    debug = "--debug" in sys.argv
    try:
        app(standalone_mode=False)
    except SsbraceError as exc:
        if debug:
            raise
        err.print(f"[red]error:[/red] {exc}", markup=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(UsageError.exit_code if isinstance(exc, click.UsageError) else exc.exit_code)
        if debug:
            raise
        err.print(f"[red]error:[/red] {type(exc).__name__}: {exc}", markup=True)
        sys.exit(1)
