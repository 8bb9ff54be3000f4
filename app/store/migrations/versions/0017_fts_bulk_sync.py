"""fts bulk sync: full-text triggers skip unchanged rows and pause while a bulk pass defers them

Measured on a 100,000-customer sync, keeping ``customers_fts`` in step row
by row made each customer write about four times dearer than the write
itself; one ``rebuild`` of the index after the pass costs a fraction of
that.  So a bulk pass (a Stripe full pass, the first pull of the Ops
tickets) names its table in ``fts_deferred``; the triggers stand aside while
it is named, and the pass's last page rebuilds the index and clears the name
in the same transaction (``app.sync.fts_deferral``).

The update triggers also fire only when a searched column really changed: a
re-sync rewrites every row with the values it already holds.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_FTS = {
    "tickets": ("tickets_fts", ("subject", "body", "requester_email", "assignee", "category")),
    "customers": ("customers_fts", ("name", "email", "id")),
}


def _triggers(table: str, fts: str, cols: tuple[str, ...], *, deferrable: bool) -> None:
    col_list = ", ".join(cols)
    new_vals = ", ".join(f"new.{c}" for c in cols)
    old_vals = ", ".join(f"old.{c}" for c in cols)
    live = f"NOT EXISTS (SELECT 1 FROM fts_deferred WHERE content_table = '{table}')"  # noqa: S608 - names from _FTS
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in cols)
    insert_when = f"WHEN {live} " if deferrable else ""
    update_when = f"WHEN {live} AND ({changed}) " if deferrable else ""
    # Before this revision: the tickets' update trigger watched its searched columns (0012), the customers' any.
    update_of = f"OF {col_list} " if deferrable or table == "tickets" else ""
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} {insert_when}BEGIN "  # noqa: S608 - names from _FTS
        f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.rowid, {new_vals}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} {insert_when}BEGIN "  # noqa: S608 - names from _FTS
        f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.rowid, {old_vals}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE {update_of}ON {table} {update_when}BEGIN "  # noqa: S608 - names from _FTS
        f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.rowid, {old_vals}); "
        f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.rowid, {new_vals}); END"
    )


def upgrade() -> None:
    op.create_table(
        "fts_deferred",
        sa.Column("content_table", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("content_table"),
    )
    for table, (fts, cols) in _FTS.items():
        _triggers(table, fts, cols, deferrable=True)


def downgrade() -> None:
    for table, (fts, cols) in _FTS.items():
        _triggers(table, fts, cols, deferrable=False)
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608 - rows a pass deferred; names from _FTS
    op.drop_table("fts_deferred")
