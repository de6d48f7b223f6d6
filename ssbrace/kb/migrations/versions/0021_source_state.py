"""sources: a disabled flag, the fetch options a source was added with, and its OPML categories and topics

``update`` skips a disabled source and polls the others with the options stored here (``allow_private``,
``max_bytes``) instead of forgetting them; ``categories`` keeps the labels an OPML import gave a feed and
``topics`` the domain pack's topic slugs among them, under which the feed's documents are filed.

Revision ID: 0021_source_state
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_source_state"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("options", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("categories", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("topics", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        for column in ("topics", "categories", "options", "disabled"):
            batch.drop_column(column)
