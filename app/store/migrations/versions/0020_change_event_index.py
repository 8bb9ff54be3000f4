"""subscription history: an index on the event that recorded a change, for replaying events

Replaying Stripe events asks, for every event about a subscription, whether
that event already recorded a change (``app.sync.subscription_history``).
Without an index the question read the whole history: 9.7 ms a
subscription event on a cache of 50,000 customers (107,500 changes), and
more as the history grows.  Only changes recorded from an event carry its
id; the past a first sync rebuilds does not, so the index is partial and
that sync's bulk writes never touch it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_subscription_changes_event_id", "subscription_changes", ["event_id"], unique=False,
                    sqlite_where=sa.text("event_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_subscription_changes_event_id", table_name="subscription_changes")
