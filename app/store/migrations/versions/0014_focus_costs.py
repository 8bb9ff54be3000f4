"""focus costs: FOCUS-shaped charges, imported reports, a daily rollup kept by triggers, anomaly marks

``cost_records`` (day, service, amount, source) becomes ``cost_charges``, a
row per FOCUS charge at daily granularity (billed, effective and list cost,
charge category, provider, billing and sub account, billing period).  Every
old row is carried over as a Usage charge whose three costs are its amount;
imported rows get one ``cost_reports`` row per (source, month), so importing
that month again replaces them as a whole.  The Ops API's cost feed is pulled
again from the start (its items now carry FOCUS fields).

``cost_daily`` sums the charges per day, service and currency.  Triggers keep
it exact on every insert, update and delete of a charge, whoever writes it.

Revision ID: 0014
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

# What the old ``source`` values stand for, as FOCUS ProviderName.
_PROVIDERS = {"opsapi": "Ops API", "aws_cur": "AWS", "gcp_billing": "Google Cloud", "simple_csv": "CSV import"}

_ROLLUP_ADD = """
    INSERT INTO cost_daily (day, service_name, billing_currency, billed_cost_micros, effective_cost_micros,
                            list_cost_micros, charges)
    VALUES (NEW.charge_period_start, NEW.service_name, NEW.billing_currency, NEW.billed_cost_micros,
            NEW.effective_cost_micros, NEW.list_cost_micros, 1)
    ON CONFLICT (day, service_name, billing_currency) DO UPDATE SET
        billed_cost_micros = billed_cost_micros + excluded.billed_cost_micros,
        effective_cost_micros = effective_cost_micros + excluded.effective_cost_micros,
        list_cost_micros = list_cost_micros + excluded.list_cost_micros,
        charges = charges + 1;
"""
_ROLLUP_REMOVE = """
    UPDATE cost_daily SET
        billed_cost_micros = billed_cost_micros - OLD.billed_cost_micros,
        effective_cost_micros = effective_cost_micros - OLD.effective_cost_micros,
        list_cost_micros = list_cost_micros - OLD.list_cost_micros,
        charges = charges - 1
    WHERE day = OLD.charge_period_start AND service_name = OLD.service_name
      AND billing_currency = OLD.billing_currency;
    DELETE FROM cost_daily
    WHERE day = OLD.charge_period_start AND service_name = OLD.service_name
      AND billing_currency = OLD.billing_currency AND charges <= 0;
"""
TRIGGERS = {
    "cost_charges_rollup_insert": f"AFTER INSERT ON cost_charges BEGIN {_ROLLUP_ADD} END",
    "cost_charges_rollup_delete": f"AFTER DELETE ON cost_charges BEGIN {_ROLLUP_REMOVE} END",
    "cost_charges_rollup_update": f"AFTER UPDATE ON cost_charges BEGIN {_ROLLUP_REMOVE} {_ROLLUP_ADD} END",
}


def _create_tables() -> None:
    op.create_table(
        "cost_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider_name", sa.String(), nullable=False),
        sa.Column("billing_account_id", sa.String(), nullable=False),
        sa.Column("billing_period_start", sa.Date(), nullable=False),
        sa.Column("billing_period_end", sa.Date(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("files_json", sa.JSON(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "provider_name", "billing_account_id", "billing_period_start", name="uq_cost_reports_identity"
        ),
    )
    op.create_table(
        "cost_charges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("provider_name", sa.String(), nullable=False),
        sa.Column("billing_account_id", sa.String(), nullable=False),
        sa.Column("sub_account_id", sa.String(), nullable=False),
        sa.Column("billing_period_start", sa.Date(), nullable=False),
        sa.Column("billing_period_end", sa.Date(), nullable=False),
        sa.Column("charge_period_start", sa.Date(), nullable=False),
        sa.Column("charge_period_end", sa.Date(), nullable=False),
        sa.Column("service_name", sa.String(), nullable=False),
        sa.Column("service_category", sa.String(), nullable=False),
        sa.Column("charge_category", sa.String(), nullable=False),
        sa.Column("billing_currency", sa.String(length=3), nullable=False),
        sa.Column("billed_cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("effective_cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("list_cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("tags", sa.String(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["cost_reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "source", "billing_account_id", "billing_period_start", "sub_account_id", "charge_period_start",
            "service_name", "charge_category", "billing_currency", "tags", name="uq_cost_charges_identity",
        ),
    )
    with op.batch_alter_table("cost_charges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_charges_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cost_charges_charge_period_start"), ["charge_period_start"],
                              unique=False)
        batch_op.create_index("ix_cost_charges_service_day", ["service_name", "charge_period_start"], unique=False)
    op.create_table(
        "cost_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_name", sa.String(), nullable=False),
        sa.Column("billing_currency", sa.String(length=3), nullable=False),
        sa.Column("billed_cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("effective_cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("list_cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("charges", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "service_name", "billing_currency"),
    )
    with op.batch_alter_table("cost_daily", schema=None) as batch_op:
        batch_op.create_index("ix_cost_daily_service_day", ["service_name", "day"], unique=False)
    op.create_table(
        "cost_anomaly_marks",
        sa.Column("service_name", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("service_name", "day"),
    )


def _migrate_records() -> None:
    """Every old record as a Usage charge; imported ones under a report per (source, month)."""
    conn = op.get_bind()
    months = conn.exec_driver_sql(
        "SELECT source, substr(day, 1, 7) || '-01' AS month, count(*), max(imported_at) FROM cost_records "
        "WHERE source != 'opsapi' GROUP BY source, month"
    ).all()
    for source, month, count, imported_at in months:
        conn.execute(
            sa.text(
                "INSERT INTO cost_reports (provider_name, billing_account_id, billing_period_start, "
                "billing_period_end, source, files_json, lines, imported_at) VALUES (:provider, '', :month, "
                "date(:month, '+1 month'), :source, '[\"(imported before the FOCUS store)\"]', :count, "
                "coalesce(:imported_at, datetime('now')))"
            ),
            {"provider": _PROVIDERS.get(source, source), "month": month, "source": source, "count": count,
             "imported_at": imported_at},
        )
    conn.execute(
        sa.text(
            "INSERT INTO cost_charges (report_id, source, provider_name, billing_account_id, sub_account_id, "
            "billing_period_start, billing_period_end, charge_period_start, charge_period_end, service_name, "
            "service_category, charge_category, billing_currency, billed_cost_micros, effective_cost_micros, "
            "list_cost_micros, tags, imported_at) "
            "SELECT r.id, c.source, CASE c.source WHEN 'opsapi' THEN :opsapi WHEN 'aws_cur' THEN :aws "
            "WHEN 'gcp_billing' THEN :gcp WHEN 'simple_csv' THEN :csv ELSE c.source END, '', '', "
            "substr(c.day, 1, 7) || '-01', date(substr(c.day, 1, 7) || '-01', '+1 month'), c.day, "
            "date(c.day, '+1 day'), c.service, 'Other', 'Usage', c.currency, c.amount_micros, c.amount_micros, "
            "c.amount_micros, '{}', c.imported_at "
            "FROM cost_records AS c LEFT JOIN cost_reports AS r ON c.source != 'opsapi' AND r.source = c.source "
            "AND r.billing_period_start = substr(c.day, 1, 7) || '-01'"
        ),
        {"opsapi": _PROVIDERS["opsapi"], "aws": _PROVIDERS["aws_cur"], "gcp": _PROVIDERS["gcp_billing"],
         "csv": _PROVIDERS["simple_csv"]},
    )
    # The feed's items now carry FOCUS fields: pull it again from the start (upserts onto the rows above).
    conn.exec_driver_sql("DELETE FROM sync_state WHERE resource = 'ops:costs'")


def upgrade() -> None:
    _create_tables()
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    _migrate_records()
    with op.batch_alter_table("cost_records", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_records_service_day")
        batch_op.drop_index(batch_op.f("ix_cost_records_day"))
    op.drop_table("cost_records")


def downgrade() -> None:
    op.create_table(
        "cost_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "service", "source", "currency", name="uq_cost_records_day_service"),
    )
    with op.batch_alter_table("cost_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_records_day"), ["day"], unique=False)
        batch_op.create_index("ix_cost_records_service_day", ["service", "day"], unique=False)
    op.execute(
        "INSERT INTO cost_records (day, service, amount_micros, currency, source, imported_at) "
        "SELECT charge_period_start, service_name, sum(effective_cost_micros), billing_currency, "
        "CASE WHEN source IN ('opsapi', 'aws_cur', 'gcp_billing') THEN source ELSE 'simple_csv' END, "
        "max(imported_at) FROM cost_charges GROUP BY 1, 2, 4, 5"
    )
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("cost_anomaly_marks")
    with op.batch_alter_table("cost_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_daily_service_day")
    op.drop_table("cost_daily")
    with op.batch_alter_table("cost_charges", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_charges_service_day")
        batch_op.drop_index(batch_op.f("ix_cost_charges_charge_period_start"))
        batch_op.drop_index(batch_op.f("ix_cost_charges_report_id"))
    op.drop_table("cost_charges")
    op.drop_table("cost_reports")
