"""What every command receives: the layered settings and a lazily opened store."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from ssbrace.errors import InputError
from ssbrace.settings import Settings

if TYPE_CHECKING:  # the store pulls in SQLAlchemy and Alembic: loaded when a command first needs it
    from ssbrace.kb.store import Store

# Results go to stdout; progress, warnings and errors to stderr. No emoji codes: a title holding
# ":fire:" is printed as written.
out = Console(highlight=False, soft_wrap=True, emoji=False)


def print_table(table: Any) -> None:
    """A Rich table at the terminal's width, or on a wide page when stdout is a pipe or a file."""
    if out.is_terminal:
        out.print(table)
    else:
        Console(highlight=False, emoji=False, width=170).print(table)


def write_or_echo(text: str, out_file: Any, stories: int) -> None:
    """A rendered digest to ``out_file`` (saying how many stories it holds), else to standard output."""
    from ssbrace.errors import DeliveryError

    if out_file is None:
        typer.echo(plain(text), nl=False)  # stdout may be a terminal: no control characters reach it
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DeliveryError(f"cannot write {out_file}: {exc.strerror or exc}") from None
    err.print(plain(f"wrote {out_file} ({plural(stories, 'story')})"), markup=False)


def print_json(data: object) -> None:
    # typer.echo, not Rich: JSON must reach stdout unwrapped and unstyled.
    import json

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)  # an error stays one line

# C0 controls but tab and newline, DEL and C1 controls: escape sequences in a stored title or sentence
# must not reach the terminal (clear the screen, retitle the window, fake a line).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value: object) -> str:
    """User-supplied text for a line printed with ``markup=False``: control characters shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", "" if value is None else str(value))


def plural(n: int, word: str, words: str | None = None) -> str:
    """"1 claim", "2 claims", "1 story", "3 stories": counts as a person writes them."""
    if n == 1:
        return f"1 {word}"
    many = words or (word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s")
    return f"{n:,} {many}"


def cell(value: object) -> Text:
    """User-supplied text for a table cell or title: a Text, so that Rich never reads it as markup."""
    return Text(plain(value))


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line of plain parts and (text, style) parts; no part is ever read as markup."""
    return Text.assemble(*(plain(p) if isinstance(p, str) else (plain(p[0]), p[1]) for p in parts))


# Commands that may create a store where none exists; every other command reads one and refuses a path
# that holds nothing (a mistyped --db must not answer "no conflicts" from a new empty store).
CREATING_COMMANDS = frozenset({"init", "demo", "ingest", "update", "sources add", "sources import", "load-reference",
                               "patents load", "subscribe"})


@dataclass
class AppContext:
    settings: Settings
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)
    command: str | None = None  # the running command ("sources add"), set by app_context

    def store(self) -> Store:
        if self._store is None:
            from ssbrace.api import open_store
            from ssbrace.kb.store import sqlite_file

            missing = sqlite_file(self.settings.db)
            if (missing is not None and not missing.exists() and self.command is not None
                    and self.command not in CREATING_COMMANDS):
                raise InputError(f"no store at {missing} (check --db or SSBRACE_DB; `ssbrace ingest` or "
                                 "`ssbrace init` creates one)")

            self._store = open_store(settings=self.settings)
        return self._store

    def with_settings(self, **changes: Any) -> None:
        self.settings = dataclasses.replace(self.settings, **changes)


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext), "the root callback sets the context"
    names: list[str] = []
    here: Any = ctx
    while here.parent is not None:  # the command's own names, without the program's ("python -m ssbrace")
        names.append(here.info_name or "")
        here = here.parent
    obj.command = " ".join(reversed(names))
    return obj
