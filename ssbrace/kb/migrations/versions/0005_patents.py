"""patents: loaded patent exports and their publications

Revision ID: 0005_patents
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_patents"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patent_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=300), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_table(
        "patent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("publication", sa.Text(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("publication_date", sa.String(length=10), nullable=True),
        sa.Column("filing_date", sa.String(length=10), nullable=True),
        sa.Column("priority_date", sa.String(length=10), nullable=True),
        sa.Column("priority_office", sa.String(length=8), nullable=False),
        sa.Column("simple_family", sa.Text(), nullable=False),
        sa.Column("extended_family", sa.Text(), nullable=False),
        sa.Column("applicants", sa.Text(), nullable=False),
        sa.Column("applicant_countries", sa.Text(), nullable=False),
        sa.Column("inventor_countries", sa.Text(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["export_id"], ["patent_exports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_patent_records_export_id", "patent_records", ["export_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_patent_records_export_id", table_name="patent_records")
    op.drop_table("patent_records")
    op.drop_table("patent_exports")
