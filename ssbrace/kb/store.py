"""Opening the knowledge store: engine, SQLite pragmas, migrations on first use, sessions.

SQLAlchemy stays inside ``ssbrace.kb``; other stages call the query functions of this package.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ssbrace.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (``Session.execute`` is typed too loosely to say)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the web app) run beside a writer (ingest); NORMAL sync is safe under WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 32 MiB of page cache per connection instead of 2: a store of tens of thousands of documents keeps its
    # indexes' upper levels in memory, so an insert or a lookup does not grow dearer as the store fills.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def _replace_nul(session: Session, _context: object, _instances: object) -> None:
    """PostgreSQL text cannot hold NUL: store U+FFFD instead, one character for one, so offsets hold."""
    for obj in (*session.new, *session.dirty):
        for key, value in list(vars(obj).items()):
            if isinstance(value, str) and "\x00" in value and not key.startswith("_"):
                setattr(obj, key, value.replace("\x00", "\ufffd"))


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def display_url(url: str) -> str:
    """The URL as shown to people: its password hidden (an unparsable URL is shown as it is)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url



def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for an in-memory database, another backend or a bad URL)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()

class Store:
    """A knowledge store at one SQLAlchemy URL, migrated to the newest schema when opened."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError(f"not a database URL: {url!r}") from None
        # Error messages show the URL without its password.
        self.display_url = parsed.render_as_string(hide_password=True)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if (file := sqlite_file(url)) is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(url, future=True)
        except ModuleNotFoundError as exc:
            hint = " (pip install 'ssbrace[postgres]')" if (exc.name or "").startswith("psycopg") else ""
            raise StoreError(f"cannot open store {self.display_url}: driver {exc.name!r} is not installed{hint}") from None
        except Exception as exc:  # bad options
            raise StoreError(f"cannot open store {self.display_url}: {exc}") from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if parsed.get_backend_name() == "postgresql":
            event.listen(self._sessions, "before_flush", _replace_nul)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Apply every pending Alembic migration (all heads)."""
        config = _alembic_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
        try:
            with self.engine.begin() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
                if current == heads:
                    return
                config.attributes["connection"] = connection
                log.info("migrating %s to the newest schema", self.display_url)
                command.upgrade(config, "heads")
        except OperationalError as exc:
            reason = (str(exc.orig).strip().splitlines() or ["unknown error"])[0]  # one line: drivers add hints
            raise StoreError(f"cannot open store {self.display_url}: {reason}") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str) -> Store:
    return Store(url)
