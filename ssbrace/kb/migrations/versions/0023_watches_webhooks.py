"""watches, webhooks, event_deliveries, alert_marks: following entities and keywords, and the alerts sent

A watch follows an entity, a keyword or a saved search and may send alerts to an address or a webhook; a
webhook also takes the event types it registered for. ``event_deliveries`` is the outbox and delivery log:
one row per event and recipient (unique, so nothing goes twice), kept with its payload for retries.
``alert_marks`` holds the last document and story the alerts have examined.

Revision ID: 0023_watches_webhooks
Revises: 0017_story_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_watches_webhooks"
down_revision = "0017_story_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("webhook_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_watches_kind_value", "watches", ["kind", "value"], unique=False)
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=True),
        sa.Column("watch_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=24), nullable=False),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["watch_id"], ["watches.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id"),
    )
    op.create_index("ux_event_deliveries_target_key", "event_deliveries", ["channel", "target", "event_key"],
                    unique=True)
    op.create_index("ix_event_deliveries_status", "event_deliveries", ["status"], unique=False)
    op.create_table(
        "alert_marks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("alert_marks")
    op.drop_index("ix_event_deliveries_status", table_name="event_deliveries")
    op.drop_index("ux_event_deliveries_target_key", table_name="event_deliveries")
    op.drop_table("event_deliveries")
    op.drop_index("ix_watches_kind_value", table_name="watches")
    op.drop_table("watches")
    op.drop_table("webhooks")
