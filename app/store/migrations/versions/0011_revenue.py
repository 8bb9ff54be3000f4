"""revenue: the subscription history, exchange rates, and the service period of invoices

Revenue movements need to know what each subscription was worth at every
instant, which the cache's current rows cannot say: ``subscription_changes``
keeps each change with the state before and after.  Invoices gain the service
period they bill, their billing reason, total, plan and quantity, from which the
history of a subscription first seen with a past is rebuilt.  ``fx_rates``
holds the daily rates the Ops API serves, so figures in several currencies
are converted, never summed as if they were one.

Revision ID: 0011
Revises: 0018
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscription_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=True),
        sa.Column("status_before", sa.String(), nullable=True),
        sa.Column("status_after", sa.String(), nullable=False),
        sa.Column("plan_before", sa.String(), nullable=True),
        sa.Column("plan_after", sa.String(), nullable=True),
        sa.Column("quantity_before", sa.Integer(), nullable=True),
        sa.Column("quantity_after", sa.Integer(), nullable=True),
        sa.Column("coupon_before", sa.String(), nullable=True),
        sa.Column("coupon_after", sa.String(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("mrr_before_cents", sa.Float(), nullable=False),
        sa.Column("mrr_after_cents", sa.Float(), nullable=False),
        sa.Column("plan_mrr_cents", sa.Float(), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("subscription_changes", schema=None) as batch_op:
        batch_op.create_index("ix_subscription_changes_subscription_at", ["subscription_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_changes_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_changes_at"), ["at"], unique=False)

    op.create_table(
        "fx_rates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "currency", name="uq_fx_rates_day_currency"),
    )
    with op.batch_alter_table("fx_rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fx_rates_day"), ["day"], unique=False)

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_start", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("period_end", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("billing_reason", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("total_cents", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("plan", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("quantity", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("quantity")
        batch_op.drop_column("plan")
        batch_op.drop_column("total_cents")
        batch_op.drop_column("billing_reason")
        batch_op.drop_column("period_end")
        batch_op.drop_column("period_start")
    with op.batch_alter_table("fx_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fx_rates_day"))
    op.drop_table("fx_rates")
    with op.batch_alter_table("subscription_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_changes_at"))
        batch_op.drop_index(batch_op.f("ix_subscription_changes_customer_id"))
        batch_op.drop_index("ix_subscription_changes_subscription_at")
    op.drop_table("subscription_changes")
