"""subscription history: no index by customer

Every change sync records (one per replayed subscription event) wrote an
entry into four indexes, two of them at a random place: the one by
subscription and time, and the one by customer.  The latter served a single
query, a customer's history on the customer desk, which finds it as
well through the customer's subscriptions and the index by subscription and
time.  Replaying 2,000 subscription events at 100,000 customers wrote 6,785
pages to the WAL with it and 4,341 without, in 0.41 s and 0.34 s (medians
of six, alternating).

A first sync set this index aside while it wrote (``deferred_indexes``);
one a killed sync left aside is built again before any migration runs
(``env.py``), so it is there to drop.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_NAME = "ix_subscription_changes_customer_id"


def upgrade() -> None:
    op.drop_index(_NAME, table_name="subscription_changes")


def downgrade() -> None:
    op.create_index(_NAME, "subscription_changes", ["customer_id"], unique=False)
