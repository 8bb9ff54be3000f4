"""sla: the console's SLA clocks, the Ops API's SLA policies and ticket ratings, reply authors' roles

Revision ID: 0012
Revises: 0004
Create Date: 2026-12-01

The tickets' full-text triggers now fire only when a searched column
changes: the SLA columns are rewritten for every open ticket when a policy
changes, and re-indexing 50,000 unchanged subjects each time would dominate
that re-evaluation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0018"
branch_labels = None
depends_on = None

_FTS_COLUMNS = ("subject", "body", "requester_email", "assignee", "category")


def _update_trigger(only_searched: bool) -> None:
    cols = ", ".join(_FTS_COLUMNS)
    old_vals = ", ".join(f"old.{c}" for c in _FTS_COLUMNS)
    new_vals = ", ".join(f"new.{c}" for c in _FTS_COLUMNS)
    of = f"OF {cols} " if only_searched else ""
    op.execute("DROP TRIGGER IF EXISTS tickets_fts_au")
    op.execute(
        f"CREATE TRIGGER tickets_fts_au AFTER UPDATE {of}ON tickets BEGIN "  # noqa: S608 - fixed names above
        f"INSERT INTO tickets_fts(tickets_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old_vals}); "
        f"INSERT INTO tickets_fts(rowid, {cols}) VALUES (new.rowid, {new_vals}); END"
    )


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_policy", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("sla_metric", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("sla_rank", sa.DateTime(), server_default="9999-12-31 00:00:00.000000", nullable=True)
        )
        batch_op.add_column(sa.Column("sla_warn_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("sla_agent_replies", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sla_rules", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_sla_rank"), ["sla_rank"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_resolved_at"), ["resolved_at"], unique=False)
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_role", sa.String(), nullable=True))
    _update_trigger(only_searched=True)

    op.create_table(
        "ticket_slas",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(), nullable=False),
        sa.Column("target_s", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("warn_at", sa.DateTime(), nullable=True),
        sa.Column("fulfilled_at", sa.DateTime(), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id", "metric", "seq"),
    )
    with op.batch_alter_table("ticket_slas", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_slas_metric_due", ["metric", "due_at"], unique=False)
        batch_op.create_index("ix_ticket_slas_metric_fulfilled", ["metric", "fulfilled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_slas_warn_at"), ["warn_at"], unique=False)

    op.create_table(
        "ticket_ratings",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_ratings_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_ratings_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "sla_policies",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("priorities_json", sa.JSON(), nullable=True),
        sa.Column("categories_json", sa.JSON(), nullable=True),
        sa.Column("plans_json", sa.JSON(), nullable=True),
        sa.Column("tiers_json", sa.JSON(), nullable=True),
        sa.Column("first_reply_minutes", sa.Float(), nullable=False),
        sa.Column("next_reply_minutes", sa.Float(), nullable=False),
        sa.Column("resolution_minutes", sa.Float(), nullable=False),
        sa.Column("calendar_json", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("sla_policies")
    with op.batch_alter_table("ticket_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_ratings_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_ratings_created_at"))
    op.drop_table("ticket_ratings")
    with op.batch_alter_table("ticket_slas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_slas_warn_at"))
        batch_op.drop_index("ix_ticket_slas_metric_fulfilled")
        batch_op.drop_index("ix_ticket_slas_metric_due")
    op.drop_table("ticket_slas")
    _update_trigger(only_searched=False)
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_column("author_role")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_tickets_sla_rank"))
        batch_op.drop_column("sla_rules")
        batch_op.drop_column("sla_agent_replies")
        batch_op.drop_column("sla_warn_at")
        batch_op.drop_column("sla_rank")
        batch_op.drop_column("sla_metric")
        batch_op.drop_column("sla_policy")
