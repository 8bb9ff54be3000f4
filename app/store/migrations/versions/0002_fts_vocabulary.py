"""FTS5 vocabulary tables, so a search can tell a common word from a rare one

A search that matches a large share of rows is fastest when SQLite walks the
sort column's index and checks membership; a rare one when it starts from the
full-text matches.  ``fts5vocab`` exposes per-term document counts that let
``app.store.windows`` choose.  The tables are views over the FTS index: no
data is copied.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_FTS_TABLES = ("tickets_fts", "customers_fts")


def upgrade() -> None:
    for fts in _FTS_TABLES:
        op.execute(f"CREATE VIRTUAL TABLE {fts}_vocab USING fts5vocab({fts}, 'row')")


def downgrade() -> None:
    for fts in _FTS_TABLES:
        op.execute(f"DROP TABLE IF EXISTS {fts}_vocab")
