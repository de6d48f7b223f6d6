"""search: full-text indexes over documents and claims

SQLite: FTS5 tables over documents (title, text) and claims (sentence, subject, object), kept in step
with their tables by triggers. PostgreSQL: GIN indexes on the same ``to_tsvector`` expressions the
search queries use. A SQLite built without FTS5 gets nothing here and searches with LIKE.

Revision ID: 0004
Revises: 0001
"""

from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

# External-content FTS5 tables: the text lives once, in documents/claims; the index holds tokens only.
_SQLITE_UP = [
    """CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, text, content='documents', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE VIRTUAL TABLE claims_fts USING fts5(
        sentence, subject, object, content='claims', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER claims_fts_ai AFTER INSERT ON claims BEGIN
        INSERT INTO claims_fts(rowid, sentence, subject, object) VALUES (new.id, new.sentence, new.subject, new.object);
    END""",
    """CREATE TRIGGER claims_fts_ad AFTER DELETE ON claims BEGIN
        INSERT INTO claims_fts(claims_fts, rowid, sentence, subject, object)
        VALUES ('delete', old.id, old.sentence, old.subject, old.object);
    END""",
    """CREATE TRIGGER claims_fts_au AFTER UPDATE OF sentence, subject, object ON claims BEGIN
        INSERT INTO claims_fts(claims_fts, rowid, sentence, subject, object)
        VALUES ('delete', old.id, old.sentence, old.subject, old.object);
        INSERT INTO claims_fts(rowid, sentence, subject, object) VALUES (new.id, new.sentence, new.subject, new.object);
    END""",
    # Rows stored before this migration.
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
    "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS documents_fts_ai",
    "DROP TRIGGER IF EXISTS documents_fts_ad",
    "DROP TRIGGER IF EXISTS documents_fts_au",
    "DROP TRIGGER IF EXISTS claims_fts_ai",
    "DROP TRIGGER IF EXISTS claims_fts_ad",
    "DROP TRIGGER IF EXISTS claims_fts_au",
    "DROP TABLE IF EXISTS documents_fts",
    "DROP TABLE IF EXISTS claims_fts",
]

# Must match the expressions in ssbrace/kb/search.py, or PostgreSQL will not use the indexes.
_PG_UP = [
    "CREATE INDEX IF NOT EXISTS ix_documents_tsv ON documents "
    "USING gin (to_tsvector('english', coalesce(title, '') || ' ' || text))",
    "CREATE INDEX IF NOT EXISTS ix_claims_tsv ON claims "
    "USING gin (to_tsvector('english', sentence || ' ' || subject || ' ' || coalesce(object, '')))",
]
_PG_DOWN = ["DROP INDEX IF EXISTS ix_documents_tsv", "DROP INDEX IF EXISTS ix_claims_tsv"]


def _has_fts5() -> bool:
    bind = op.get_bind()
    return bool(bind.exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar())


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite" and _has_fts5():
        for statement in _SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in _PG_UP:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_DOWN if dialect == "sqlite" else _PG_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
