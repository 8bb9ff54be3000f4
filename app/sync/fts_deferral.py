"""Full-text indexes brought up to date once at the end of a bulk pass, not row by row.

Keeping an FTS5 index in step row by row (the triggers of migrations
0001/0017) made a customer's write about four times dearer than the row
itself; on a first sync of 100,000 customers that was most of the write
path.  One ``rebuild`` when the pass ends costs a fraction of it.  So a bulk
pass names its table in ``fts_deferred`` with its first page (the triggers
stand aside while the name is there) and ``catch_up`` rebuilds the index and
removes the name with its last page, in that page's transaction.

A pass killed half-way leaves the name: the index then lacks the rows
written since, until the next sync's start (``catch_up_all``) or the resumed
pass's end rebuilds it.  Searches meanwhile miss only those new rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, text

from app.store.schema import FtsDeferred

_deferred = FtsDeferred.__table__
# Each table with a full-text index kept by triggers, and that index.
FTS_INDEXES = {"customers": "customers_fts", "tickets": "tickets_fts"}
# Run with every page of a pass, so written as text: SQLAlchemy gives SQLite's ON CONFLICT no cache key and
# compiled the Core statement again each time (85 µs a page, against 13 µs as text).
_mark_deferred = text("INSERT INTO fts_deferred (content_table) VALUES (:table) ON CONFLICT DO NOTHING")


def defer(conn: Connection, table: str) -> None:
    """Make ``table``'s FTS triggers stand aside until ``catch_up`` (nothing for a table without one)."""
    if table in FTS_INDEXES:
        conn.execute(_mark_deferred, {"table": table})


def catch_up(conn: Connection, table: str) -> None:
    """Rebuild ``table``'s FTS index if a pass deferred it, and let its triggers work again."""
    if table not in FTS_INDEXES:
        return
    gone = conn.execute(delete(_deferred).where(_deferred.c.content_table == table))
    if gone.rowcount:
        fts = FTS_INDEXES[table]
        conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608 - a name from FTS_INDEXES


def catch_up_all(conn: Connection) -> None:
    """Bring up to date every index a pass left deferred (it was killed or its resource dropped)."""
    for table in conn.execute(select(_deferred.c.content_table)).scalars().all():
        catch_up(conn, table)
