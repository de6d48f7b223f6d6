"""story_keys: the index story grouping finds candidate stories through

One row per key (an entity, a figure or a title word) of each document placed in a story, with the
document's date, so that placing a document looks up the stories of its window that share its keys
instead of comparing it with the most recently active stories only. Stores grouped before this revision
are indexed on first use (``pipeline.assign_pending``) or by ``ssbrace stories --rebuild``.

Revision ID: 0017_story_keys
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_story_keys"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "document_id"),
    )
    op.create_index("ix_story_keys_key_day", "story_keys", ["key", "day"], unique=False)
    op.create_index("ix_story_keys_story", "story_keys", ["story_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_story_keys_story", table_name="story_keys")
    op.drop_index("ix_story_keys_key_day", table_name="story_keys")
    op.drop_table("story_keys")
