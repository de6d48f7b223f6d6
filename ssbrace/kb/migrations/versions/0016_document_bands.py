"""document_bands: the near-duplicate index kept in the store

One row per LSH band of each original document's MinHash signature, so that ingestion looks up
candidates with an indexed query instead of loading every stored signature into memory per run.
Rows are written with the document; ``tag`` names the banding (bands x rows) they were cut with.
Existing stores are filled on first use by ingestion (``documents_repo.originals_without_bands``).

Revision ID: 0016
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_bands",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=16), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "tag", "band"),
    )
    op.create_index("ix_document_bands_key", "document_bands", ["tag", "band", "key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_document_bands_key", table_name="document_bands")
    op.drop_table("document_bands")
