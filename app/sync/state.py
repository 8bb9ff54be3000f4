"""``sync_state`` bookkeeping, always written in the caller's transaction.

A resource's row is written in the same transaction as the page it describes,
which is the whole resume story: after a crash the cursor names exactly the
next page nobody has written yet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from app.clock import utcnow
from app.store.schema import SyncState
from app.sync.writer import upsert

_sync = SyncState.__table__
TABLE = SyncState.__tablename__  # the name ``Changes`` reports sync bookkeeping under (staleness labels read it)


@dataclass(frozen=True)
class ResourceState:
    """Where one resource stands (a missing row reads as "never synced")."""

    resource: str
    cursor: str | None = None
    watermark: str | None = None
    full_pass_done: bool = False
    rows_synced: int = 0
    last_success_at: dt.datetime | None = None
    last_error: str | None = None


def load(conn: Connection, resource: str) -> ResourceState:
    row = conn.execute(select(_sync).where(_sync.c.resource == resource)).mappings().first()
    if row is None:
        return ResourceState(resource)
    return ResourceState(
        resource,
        row["cursor"],
        row["watermark"],
        bool(row["full_pass_done"]),
        int(row["rows_synced"] or 0),
        row["last_success_at"],
        row["last_error"],
    )


def _write(conn: Connection, state: ResourceState) -> ResourceState:
    row = dataclasses.asdict(state)
    row["last_attempt_at"] = utcnow()
    upsert(conn, _sync, [row], ("resource",))
    return state


def save_progress(
    conn: Connection,
    state: ResourceState,
    *,
    cursor: str | None,
    watermark: str | None,
    rows: int,
    finished: bool,
) -> ResourceState:
    """Record a written page; ``finished`` marks a completed pass (success, error cleared)."""
    changes: dict[str, Any] = {"cursor": cursor, "watermark": watermark, "rows_synced": state.rows_synced + rows}
    if finished:
        changes.update(full_pass_done=True, last_success_at=utcnow(), last_error=None)
    return _write(conn, dataclasses.replace(state, **changes))


def reset(conn: Connection, resource: str) -> None:
    """Forget a resource's pass so the next run starts a full one (keeps its counters)."""
    _write(conn, dataclasses.replace(load(conn, resource), cursor=None, watermark=None, full_pass_done=False))


def record_error(conn: Connection, resource: str, message: str) -> None:
    """Note a failed attempt without touching the cursor, so the next run resumes."""
    _write(conn, dataclasses.replace(load(conn, resource), last_error=message))

