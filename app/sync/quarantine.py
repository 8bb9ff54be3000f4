"""The sync quarantine: rows a source sent that the cache could not store, per resource, with the reason.

A row with an integer past 64 bits, an impossible date or text of the wrong
type used to fail its page on every sync, so nothing after it ever arrived.
Now the page's other rows are stored and the bad one is recorded here, in the
page's transaction: the status bar and ``opsconsole sync`` say how many rows
could not be stored, and which.  When the source fixes a row (or deletes it)
the next sync stores it (or drops it) and clears its entry.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection, Table, func, select

from app.clock import utcnow
from app.store.schema import SyncQuarantine
from app.sync.writer import delete_keys, refusal, upsert

_table: Table = SyncQuarantine.__table__
_KEY = ("resource", "item_id")
MAX_REASON = 500  # characters kept of a reason (a refused value can be huge)

# What turning a source item into a row can fail with: a missing or mistyped
# field, an impossible date, a number out of range (``app.store.limits``).
CONVERSION_ERRORS = (KeyError, ValueError, TypeError, OverflowError, AttributeError)


def conversion_refusal(exc: Exception) -> str:
    """Why an item could not become a row."""
    if isinstance(exc, KeyError):
        return f"the field {exc.args[0]!r} is missing"
    return refusal(exc)


def record(conn: Connection, resource: str, rejected: Mapping[str, str]) -> None:
    """Remember the rows of ``resource`` that were not stored (id → reason), in the caller's transaction."""
    if rejected:
        now = utcnow()
        upsert(conn, _table, [
            {"resource": resource, "item_id": item_id[:MAX_REASON], "reason": reason[:MAX_REASON], "seen_at": now}
            for item_id, reason in rejected.items()
        ], _KEY)


def holds(conn: Connection, resource: str) -> bool:
    """Whether any row of ``resource`` is in quarantine (one index probe)."""
    return conn.execute(select(_table.c.resource).where(_table.c.resource == resource).limit(1)).first() is not None


def clear(conn: Connection, resource: str, item_ids: Collection[str]) -> int:
    """Forget entries of rows now stored or deleted; returns how many there were.

    A look-up first: the quarantine is almost always empty.
    """
    if not item_ids or not holds(conn, resource):
        return 0
    before = _count(conn, resource)
    delete_keys(conn, _table, [(resource, item_id) for item_id in item_ids], _KEY)
    return before - _count(conn, resource)


def _count(conn: Connection, resource: str) -> int:
    return int(conn.execute(select(func.count()).where(_table.c.resource == resource)).scalar_one())


def entries(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The first ``limit`` entries, by resource and id, for ``opsconsole sync`` to list."""
    query = select(_table).order_by(_table.c.resource, _table.c.item_id).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]
