"""story listing index: a page of stories, newest first, read from an index instead of sorting every story

``/stories`` and the API's story list order by ``last_date DESC NULLS LAST, id DESC`` and page with
LIMIT/OFFSET. ``ix_stories_last_date`` gives neither PostgreSQL (a backward scan puts NULLs first) nor SQLite
(ties on the date) that order, so each page sorted the stories (as revision 0018 found for documents).

Revision ID: 0026_story_listing_index
Revises: 0025_story_pending
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_story_listing_index"
down_revision = "0025_story_pending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.create_index("ix_stories_last_date_id", "stories",
                    [sa.text(f"last_date DESC{nulls}"), sa.text("id DESC")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stories_last_date_id", table_name="stories")
