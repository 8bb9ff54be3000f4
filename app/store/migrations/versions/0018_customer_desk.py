"""customer desk: payment attempts, refunds, coupons, access and usage per customer, desk actions

Payment methods and payment attempts (charges) make a failed payment
diagnosable; refunds and coupons let an action be checked before it is
queued; feature flags, access grants, per-customer usage and processing
failures come from the Ops API; ``desk_actions`` records who did what and
why; the outbox learns a second backend (Stripe).

Customers, subscriptions and invoices gain columns that only a new full pass
fills, so their sync state is reset: the next sync reads them again.

Revision ID: 0018
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None

_REPASS = ("stripe:customers", "stripe:subscriptions", "stripe:invoices")


def _stripe_tables() -> None:
    op.create_table(
        "coupons",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("percent_off", sa.Float(), nullable=True),
        sa.Column("amount_off_cents", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("duration", sa.String(), nullable=True),
        sa.Column("duration_in_months", sa.Integer(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("charge_id", sa.String(), nullable=True),
        sa.Column("payment_intent_id", sa.String(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("failure_reason", sa.String(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("metadata_json", sa.JSON(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_refunds_charge_id"), "refunds", ["charge_id"], unique=False)
    op.create_index(op.f("ix_refunds_payment_intent_id"), "refunds", ["payment_intent_id"], unique=False)
    op.create_table(
        "charges",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=True),
        sa.Column("invoice_id", sa.String(), nullable=True),
        sa.Column("payment_intent_id", sa.String(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_refunded_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("refunded", sa.Boolean(), nullable=False),
        sa.Column("failure_code", sa.String(), nullable=True),
        sa.Column("failure_message", sa.String(), nullable=True),
        sa.Column("card_brand", sa.String(), nullable=True),
        sa.Column("card_last4", sa.String(length=4), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("created", "customer_id", "invoice_id", "payment_intent_id"):
        op.create_index(op.f(f"ix_charges_{column}"), "charges", [column], unique=False)
    # ADD COLUMN, not a batch rebuild: a rebuilt customers table would lose its FTS triggers.
    op.add_column("customers", sa.Column("payment_method_id", sa.String(), nullable=True))
    op.add_column("customers", sa.Column("card_brand", sa.String(), nullable=True))
    op.add_column("customers", sa.Column("card_last4", sa.String(length=4), nullable=True))
    op.add_column("customers", sa.Column("card_exp_month", sa.Integer(), nullable=True))
    op.add_column("customers", sa.Column("card_exp_year", sa.Integer(), nullable=True))
    op.add_column("invoices", sa.Column("payment_intent_id", sa.String(), nullable=True))
    op.add_column("invoices", sa.Column("charge_id", sa.String(), nullable=True))
    op.add_column("invoices", sa.Column("attempt_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("invoices", sa.Column("next_payment_attempt", sa.DateTime(), nullable=True))
    op.create_index(op.f("ix_invoices_payment_intent_id"), "invoices", ["payment_intent_id"], unique=False)
    op.add_column("subscriptions", sa.Column("cancel_at", sa.DateTime(), nullable=True))
    op.add_column("subscriptions", sa.Column("pause_collection", sa.String(), nullable=True))
    op.add_column("subscriptions", sa.Column("pause_resumes_at", sa.DateTime(), nullable=True))


def _ops_tables() -> None:
    op.create_table(
        "feature_flags",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("plans_json", sa.JSON(), nullable=True),
        sa.Column("rollout_phase", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "access_grants",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("feature", sa.String(), nullable=True),
        sa.Column("plan", sa.String(), nullable=True),
        sa.Column("effect", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("granted_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(), nullable=True),
        sa.Column("revoke_reason", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_access_grants_customer_id"), "access_grants", ["customer_id"], unique=False)
    op.create_index(op.f("ix_access_grants_expires_at"), "access_grants", ["expires_at"], unique=False)
    op.create_table(
        "customer_usage",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("active_users", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.BigInteger(), nullable=False),
        sa.Column("jobs", sa.Integer(), nullable=False),
        sa.Column("failed_jobs", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_customer_usage_customer_day", "customer_usage", ["customer_id", "day"], unique=False)
    op.create_table(
        "processing_failures",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("job", sa.String(), nullable=False),
        sa.Column("error_code", sa.String(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_processing_failures_customer_time", "processing_failures", ["customer_id", "occurred_at"], unique=False
    )


def _desk_tables() -> None:
    op.create_table(
        "desk_actions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=True),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("params_json", sa.JSON(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("created_at", "customer_id", "outbox_id"):
        op.create_index(op.f(f"ix_desk_actions_{column}"), "desk_actions", [column], unique=False)
    op.add_column("outbox", sa.Column("backend", sa.String(), nullable=False, server_default="ops"))


def upgrade() -> None:
    _stripe_tables()
    _ops_tables()
    _desk_tables()
    sync_state = sa.table("sync_state", sa.column("resource", sa.String()), sa.column("cursor", sa.String()),
                          sa.column("full_pass_done", sa.Boolean()))
    op.execute(
        sync_state.update().where(sync_state.c.resource.in_(_REPASS)).values(full_pass_done=False, cursor=None)
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("backend")
    for column in ("outbox_id", "customer_id", "created_at"):
        op.drop_index(op.f(f"ix_desk_actions_{column}"), table_name="desk_actions")
    op.drop_table("desk_actions")
    op.drop_index("ix_processing_failures_customer_time", table_name="processing_failures")
    op.drop_table("processing_failures")
    op.drop_index("ix_customer_usage_customer_day", table_name="customer_usage")
    op.drop_table("customer_usage")
    op.drop_index(op.f("ix_access_grants_expires_at"), table_name="access_grants")
    op.drop_index(op.f("ix_access_grants_customer_id"), table_name="access_grants")
    op.drop_table("access_grants")
    op.drop_table("feature_flags")
    # SQLite drops columns (3.35+) in place, which keeps the customers table's FTS triggers.
    for table, columns in (
        ("subscriptions", ("pause_resumes_at", "pause_collection", "cancel_at")),
        ("invoices", ("next_payment_attempt", "attempt_count", "charge_id", "payment_intent_id")),
        ("customers", ("card_exp_year", "card_exp_month", "card_last4", "card_brand", "payment_method_id")),
    ):
        if table == "invoices":
            op.drop_index(op.f("ix_invoices_payment_intent_id"), table_name="invoices")
        for column in columns:
            op.drop_column(table, column)
    for column in ("payment_intent_id", "invoice_id", "customer_id", "created"):
        op.drop_index(op.f(f"ix_charges_{column}"), table_name="charges")
    op.drop_table("charges")
    op.drop_index(op.f("ix_refunds_payment_intent_id"), table_name="refunds")
    op.drop_index(op.f("ix_refunds_charge_id"), table_name="refunds")
    op.drop_table("refunds")
    op.drop_table("coupons")
