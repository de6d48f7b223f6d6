from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ssbrace.kb.store import Store, _alembic_config
from ssbrace.kb.tables import Document, Source


def test_store_migrates_on_first_use_and_uses_wal(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"sources", "documents", "entities", "entity_aliases", "claims", "alembic_version"} <= tables
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_reopening_is_idempotent(db_url):
    Store(db_url).dispose()
    again = Store(db_url)
    with again.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    heads = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    assert set(versions) == heads


def test_session_rolls_back_on_error(store):
    try:
        with store.session() as s:
            s.add(Source(kind="file", location="/x"))
            s.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with store.session() as s:
        assert s.query(Source).count() == 0
        assert s.query(Document).count() == 0
