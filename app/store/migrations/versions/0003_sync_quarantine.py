"""Sync quarantine: rows a sync could not store, per resource, with the reason

One row the cache cannot hold (an integer past 64 bits, an impossible date,
text of the wrong type or size) used to fail its whole page, every sync; now
it is skipped and recorded here, and the rest of the page is stored.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_quarantine",
        sa.Column("resource", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("resource", "item_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_quarantine")
