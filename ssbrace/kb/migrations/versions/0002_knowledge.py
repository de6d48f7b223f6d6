"""knowledge: entity merge log, index on claims' object entity

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=True),
        sa.Column("kept_name", sa.Text(), nullable=False),
        sa.Column("dropped_name", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kept_id"], ["entities.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_entity_merges_dropped", "entity_merges", ["dropped_name"], unique=False)
    op.create_index("ix_claims_object_entity", "claims", ["object_entity_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claims_object_entity", table_name="claims")
    op.drop_index("ix_entity_merges_dropped", table_name="entity_merges")
    op.drop_table("entity_merges")
