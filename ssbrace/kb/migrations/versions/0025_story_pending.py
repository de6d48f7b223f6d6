"""story_pending, story_unkeyed: what story placement looks for, kept by the database as rows come and go

Each batch's story placement asked for the documents in no story by an anti-join over every document id
(30-120 ms at 100,000 documents, growing with the store), and for the stories of each window without keys
(``story_keys``, revision 0017) by probing the keys of every story of the window (15 ms in a week of 2,000
stories). The database now keeps both sets itself, so that placement reads only their few rows:

- ``story_pending``: a document enters when stored, leaves when it joins a story, and enters again when its
  place is removed (its story deleted or rebuilt);
- ``story_unkeyed``: a story enters when stored, leaves when a key of it is stored, and enters again when its
  last key goes.

Triggers do it, so that every way of writing these rows (ingest, a bulk load, a reference source, a removal,
a test) is covered; ``stories_repo.pending_documents_in_arrival_order`` and ``stories_without_keys`` read
them. No foreign keys: a row whose document or story was deleted meanwhile is skipped and dropped there.

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
_SQLITE += [
    ("story_unkeyed_stored", "stories", "INSERT",
     "INSERT OR IGNORE INTO story_unkeyed (story_id) VALUES (NEW.id)"),
    ("story_unkeyed_deleted", "stories", "DELETE",
     "DELETE FROM story_unkeyed WHERE story_id = OLD.id"),
    ("story_unkeyed_keyed", "story_keys", "INSERT",
     "DELETE FROM story_unkeyed WHERE story_id = NEW.story_id"),
    ("story_unkeyed_unkeyed", "story_keys", "DELETE",
     "INSERT OR IGNORE INTO story_unkeyed (story_id) SELECT id FROM stories WHERE id = OLD.story_id "
     "AND NOT EXISTS (SELECT 1 FROM story_keys WHERE story_id = OLD.story_id)"),
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
    ("story_unkeyed_stored", "stories", "INSERT",
     "INSERT INTO story_unkeyed (story_id) VALUES (NEW.id) ON CONFLICT DO NOTHING"),
    ("story_unkeyed_deleted", "stories", "DELETE",
     "DELETE FROM story_unkeyed WHERE story_id = OLD.id"),
    ("story_unkeyed_keyed", "story_keys", "INSERT",
     "DELETE FROM story_unkeyed WHERE story_id = NEW.story_id"),
    ("story_unkeyed_unkeyed", "story_keys", "DELETE",
     "INSERT INTO story_unkeyed (story_id) SELECT id FROM stories WHERE id = OLD.story_id "
     "AND NOT EXISTS (SELECT 1 FROM story_keys WHERE story_id = OLD.story_id) ON CONFLICT DO NOTHING"),
]


def upgrade() -> None:
    op.create_table(
        "story_pending",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_table(
        "story_unkeyed",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("story_id"),
    )
    op.execute("INSERT INTO story_pending (document_id) "
               "SELECT id FROM documents EXCEPT SELECT document_id FROM story_documents")
    op.execute("INSERT INTO story_unkeyed (story_id) SELECT id FROM stories EXCEPT SELECT story_id FROM story_keys")
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
    op.drop_table("story_unkeyed")
    op.drop_table("story_pending")
