"""What every command receives: the layered settings and a lazily opened store."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import typer
from rich.console import Console

from ssbrace.kb.store import Store
from ssbrace.settings import Settings

# Results go to stdout; progress, warnings and errors to stderr.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


@dataclass
class AppContext:
    settings: Settings
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.db)
        return self._store

    def with_settings(self, **changes: object) -> None:
        self.settings = dataclasses.replace(self.settings, **changes)


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext), "the root callback sets the context"
    return obj
