"""story_terms: the term counts of recent documents, kept for story placement's term weights

Each batch of new documents weighs words by how rare they are among the store's 300 latest documents. It
fitted a TF-IDF model on their texts every time (0.1-0.2 s per batch, whatever the batch's size); now each
document's terms are counted once and kept here while it is among the latest (``stories.terms``). A store
made before this revision counts its latest documents on the first batch.

Revision ID: 0024_story_terms
Revises: 0017_story_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_story_terms"
down_revision = "0017_story_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_terms",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("terms", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )


def downgrade() -> None:
    op.drop_table("story_terms")
