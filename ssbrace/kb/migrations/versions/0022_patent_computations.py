"""patent_computations: counts computed from loaded exports, stored as claims of a "computed" document

One row per computation slot (the landscape over all loaded exports, or over chosen ones): the document
its claims hang on, the definition's hash and choices, and the exports it read (name, digest, rows).

Revision ID: 0022_patent_computations
Revises: 0005_patents
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_patent_computations"
down_revision = "0005_patents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patent_computations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("definition", sa.String(length=16), nullable=False),
        sa.Column("inputs", sa.String(length=64), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("exports", sa.JSON(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot"),
    )


def downgrade() -> None:
    op.drop_table("patent_computations")
