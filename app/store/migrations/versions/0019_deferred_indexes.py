"""deferred indexes: a first sync pass sets the panes' indexes aside and builds them at its end

Measured on a first sync of 100,000 customers and their subscriptions,
keeping eleven secondary indexes in step row by row, in the random order of
Stripe's ids, cost over ten times what building them once at the pass's end does.  A first
pass drops them and records each one's ``CREATE INDEX`` here, in the same
transaction; its last page builds them from that text and removes the rows
(``app.store.deferred_indexes``).

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deferred_indexes",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("deferred_indexes")  # the environment built every index set aside before migrating
