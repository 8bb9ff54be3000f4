"""activations: the machines holding a license's seats; licenses follow a Stripe subscription

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subscription_id", sa.String(), nullable=True))
        batch_op.create_index(batch_op.f("ix_licenses_subscription_id"), ["subscription_id"], unique=False)
    op.create_table(
        "activations",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("license_id", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("machine_name", sa.String(), nullable=True),
        sa.Column("product_version", sa.String(), nullable=True),
        sa.Column("activated_via", sa.String(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["license_id"], ["licenses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("license_id", "fingerprint", name="uq_activations_license_machine"),
    )
    with op.batch_alter_table("activations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activations_last_seen_at"), ["last_seen_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_activations_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licenses_subscription_id"))
        batch_op.drop_column("subscription_id")
    with op.batch_alter_table("activations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activations_updated_at"))
        batch_op.drop_index(batch_op.f("ix_activations_last_seen_at"))
    op.drop_table("activations")
