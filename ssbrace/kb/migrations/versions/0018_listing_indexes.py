"""listing indexes: the dashboard's newest-first listings read an index instead of sorting every row

``/documents`` and the API's document list order by ``published DESC NULLS LAST, id DESC`` and page with
LIMIT/OFFSET; claim listings order by their document's date the same way. PostgreSQL cannot read that order
from ``ix_documents_published`` (a backward scan puts NULLs first), so it sorted every document per page:
80 ms at 60,000 documents, 0.1 ms with this index; a page of claims 55 ms -> 0.6 ms (EXPLAIN ANALYZE,
docs/scale.md). SQLite sorts NULLs first ascending, so plain DESC is the same order there.

Revision ID: 0018_listing_indexes
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_listing_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.create_index("ix_documents_published_id", "documents",
                    [sa.text(f"published DESC{nulls}"), sa.text("id DESC")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_documents_published_id", table_name="documents")
