"""claim_reviews: a person's verdicts on claims (wrong, corrected), kept apart from the extracted claims

Re-extraction replaces a document's claims under new ids; a review keeps the claim it is about in a key
that survives (document hash and address, kind, subject, sentence, offset, value, year) and is matched
again to the new claims (``kb/reviews_repo.py``).

Revision ID: 0020_claim_reviews
Revises: 0019_merge_undo
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_claim_reviews"
down_revision = "0019_merge_undo"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False, unique=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id", ondelete="SET NULL"), nullable=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id", ondelete="SET NULL"), nullable=True),
        sa.Column("doc_sha256", sa.String(64), nullable=False),
        sa.Column("doc_location", sa.Text(), nullable=False),
        sa.Column("doc_url", sa.Text(), nullable=True),
        sa.Column("key_kind", sa.String(24), nullable=False),
        sa.Column("key_subject", sa.Text(), nullable=False),
        sa.Column("key_sentence", sa.Text(), nullable=False),
        sa.Column("key_start", sa.Integer(), nullable=False),
        sa.Column("key_value", sa.Float(), nullable=True),
        sa.Column("key_year", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(12), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("new_kind", sa.String(24), nullable=True),
        sa.Column("new_subject", sa.Text(), nullable=True),
        sa.Column("new_subject_entity_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.Text(), nullable=True),
        sa.Column("supersedes", sa.Integer(), nullable=True),
    )
    op.create_index("ix_claim_reviews_claim", "claim_reviews", ["claim_id"])
    op.create_index("ix_claim_reviews_document", "claim_reviews", ["document_id"])
    op.create_index("ix_claim_reviews_sha256", "claim_reviews", ["doc_sha256"])


def downgrade() -> None:
    op.drop_index("ix_claim_reviews_sha256", table_name="claim_reviews")
    op.drop_index("ix_claim_reviews_document", table_name="claim_reviews")
    op.drop_index("ix_claim_reviews_claim", table_name="claim_reviews")
    op.drop_table("claim_reviews")
