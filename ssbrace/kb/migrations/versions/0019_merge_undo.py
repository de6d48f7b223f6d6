"""entity_merges.undo: what a merge moved, so that `ssbrace entities unmerge` can put it back

A JSON object per merge: the dropped entity's type, country and gazetteer flag, the ids of the aliases
and of the claims (as subject, as object) that moved to the kept entity. Merges logged before this
revision have none and cannot be undone.

Revision ID: 0019_merge_undo
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_merge_undo"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entity_merges") as batch:
        batch.add_column(sa.Column("undo", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entity_merges") as batch:
        batch.drop_column("undo")
