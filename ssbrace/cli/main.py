"""The ``ssbrace`` command: global options, command registration, one-line errors."""

from __future__ import annotations

import logging
import sys
from typing import Any

import typer

from ssbrace import __version__
from ssbrace.cli.context import AppContext, err, plain, styled
from ssbrace.errors import SsbraceError
from ssbrace.settings import load_settings

# Typer's help writes each parameter's Python type ("<bool>" after a flag, "<list[str]>"); users read
# click's words. Flags show no value; an argument taking several values is its element's word with "...".
_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "bool": "BOOLEAN", "path": "PATH", "file": "PATH",
          "directory": "FOLDER", "datetime": "DATE"}


def _help_word(label: str) -> str:
    many = label.startswith("list[") and label.endswith("]")
    base = label[5:-1] if many else label
    word = _WORDS.get(base, base if "|" in base else base.upper())
    return word + ("..." if many else "")


def _readable_types() -> None:
    from typer.core import TyperArgument, TyperOption

    def option_type(self: TyperOption, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        if self.is_flag or self.count:
            return None
        # a repeatable option takes one value each time it is given
        return _help_word(self.display_type(ctx).strip("<>")).removesuffix("...")

    def argument_type(self: TyperArgument, ctx: Any) -> str | None:
        return str(self.metavar) if self.metavar is not None else _help_word(self.display_type(ctx).strip("<>"))

    TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = argument_type  # type: ignore[method-assign,assignment]


_readable_types()

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
    verbose: bool = typer.Option(False, "--verbose", help="Log each step on stderr (with --debug: every detail)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    _show_logs(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    settings = load_settings()
    context = AppContext(settings=settings, debug=debug)
    if db:
        context.with_settings(db=db)
    ctx.obj = context


class _LogLine(logging.Formatter):
    """One log record as a line on stderr; a title or URL in it cannot reach the terminal as control codes."""

    def format(self, record: logging.LogRecord) -> str:
        return plain(super().format(record))


def _show_logs(level: int) -> None:
    """The library logs under ``ssbrace`` and shows nothing by itself; the command line shows warnings,
    or every step with --verbose."""
    logger = logging.getLogger("ssbrace")
    for handler in [h for h in logger.handlers if isinstance(h.formatter, _LogLine)]:
        logger.removeHandler(handler)  # a second run in one process (tests) replaces the first's handler
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogLine("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def _register() -> None:
    # Each command module adds its commands to ``app``; the order here is the order of the flow.
    from ssbrace.cli import commands  # noqa: F401


_YES, _NO = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


def _flags() -> dict[str, str | None]:
    """Every boolean flag of every command: its name -> its negative form ("--no-scope"), if any."""
    import typer.main

    found: dict[str, str | None] = {}

    def walk(command: Any) -> None:  # Typer's own click types
        for param in command.params:
            if getattr(param, "is_flag", False) and not getattr(param, "count", False):
                for name in param.opts:
                    found.setdefault(name, next(iter(param.secondary_opts), None))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found


def flag_values(args: list[str]) -> list[str]:
    """``--json true`` as ``--json`` and ``--json false`` as nothing (or ``--no-x``): people type flags with a
    value, and click would read the word as a stray argument."""
    if not any(a.lower() in _YES | _NO for a in args):
        return args
    flags = _flags()
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        value = args[i + 1].lower() if i + 1 < len(args) else ""
        if arg in flags and value in _YES | _NO:
            if value in _YES:
                out.append(arg)
            elif flags[arg]:
                out.append(str(flags[arg]))
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def run() -> None:
    """Console entry point: print one line per error, no traceback unless --debug.

    Click runs in standalone mode, so usage errors exit 2 with click's message and ``typer.Exit``
    keeps its code; our own errors come out here as one line with their exit code.
    """
    if sys.argv[1:] == ["--version"]:  # answered before the commands are built
        print(f"ssbrace {__version__}")
        return
    _register()
    sys.argv[1:] = flag_values(sys.argv[1:])
    debug = "--debug" in sys.argv
    try:
        app()
    except SsbraceError as exc:
        if debug:
            raise
        err.print(styled(("error:", "red"), f" {exc}"))
        sys.exit(exc.exit_code)
    except Exception as exc:  # anything unexpected: one line unless --debug
        if debug:
            raise
        err.print(styled(("error:", "red"), f" {type(exc).__name__}: {exc}"))
        sys.exit(1)
