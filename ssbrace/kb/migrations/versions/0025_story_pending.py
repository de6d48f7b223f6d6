"""story_pending: the documents in no story yet, kept by the database as documents and placements come and go

Each batch's story placement asked for the documents in no story by an anti-join over every document id
(30-120 ms at 100,000 documents, growing with the store). The database now keeps that set itself: a
document enters it when stored, leaves it when it joins a story, enters it again when its place is removed
(its story deleted or rebuilt). Triggers do it, so that every way of storing a document (ingest, a bulk
load, a reference source, a test) is covered; ``stories_repo.pending_documents_in_arrival_order`` reads
it. No foreign key: a row whose document was deleted meanwhile is skipped and dropped by that reader.

Revision ID: 0025_story_pending
Revises: 0024_story_terms
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_story_pending"
down_revision = "0024_story_terms"
branch_labels = None
depends_on = None

# (trigger, table, event, what it does for one row)
_SQLITE = [
    ("story_pending_stored", "documents", "INSERT",
     "INSERT OR IGNORE INTO story_pending (document_id) VALUES (NEW.id)"),
    ("story_pending_deleted", "documents", "DELETE",
     "DELETE FROM story_pending WHERE document_id = OLD.id"),
    ("story_pending_placed", "story_documents", "INSERT",
     "DELETE FROM story_pending WHERE document_id = NEW.document_id"),
    ("story_pending_unplaced", "story_documents", "DELETE",
     "INSERT OR IGNORE INTO story_pending (document_id) SELECT id FROM documents WHERE id = OLD.document_id"),
]
_POSTGRES = [
    ("story_pending_stored", "documents", "INSERT",
     "INSERT INTO story_pending (document_id) VALUES (NEW.id) ON CONFLICT DO NOTHING"),
    ("story_pending_deleted", "documents", "DELETE",
     "DELETE FROM story_pending WHERE document_id = OLD.id"),
    ("story_pending_placed", "story_documents", "INSERT",
     "DELETE FROM story_pending WHERE document_id = NEW.document_id"),
    ("story_pending_unplaced", "story_documents", "DELETE",
     "INSERT INTO story_pending (document_id) SELECT id FROM documents WHERE id = OLD.document_id "
     "ON CONFLICT DO NOTHING"),
]


def upgrade() -> None:
    op.create_table(
        "story_pending",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.execute("INSERT INTO story_pending (document_id) "
               "SELECT id FROM documents EXCEPT SELECT document_id FROM story_documents")
    if op.get_bind().dialect.name == "postgresql":
        for name, table, event, action in _POSTGRES:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {action}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    else:
        for name, table, event, action in _SQLITE:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {action}; END")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _, _ in _SQLITE:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("story_pending")
