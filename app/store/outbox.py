"""The outbox: local changes awaiting push to the Ops API or to Stripe.

A user's action writes its cache rows *and* an outbox entry in one transaction
(callers pass the open connection), so nothing they did is lost when the
network or the process dies.  ``app.sync`` pushes each backend's entries in id
order with their ``Idempotency-Key``; a change the server refuses (4xx, a
declined card) stays as ``refused`` with the server's message until the user
retries or discards it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from app.clock import utcnow
from app.store.schema import OutboxEntry

_table = OutboxEntry.__table__
TABLE = OutboxEntry.__tablename__  # the name ``Changes`` reports the outbox under

PENDING = "pending"
REFUSED = "refused"
SENT = "sent"

OPS = "ops"  # the Ops API
STRIPE = "stripe"


def enqueue(
    conn: Connection,
    kind: str,
    path: str,
    payload: dict[str, Any],
    *,
    method: str = "POST",
    idempotency_key: str | None = None,
    backend: str = OPS,
) -> int:
    """Add a change to the outbox inside the caller's transaction; returns its id."""
    entry_id = conn.execute(
        insert(_table)
        .values(
            created_at=utcnow(),
            kind=kind,
            backend=backend,
            method=method,
            path=path,
            payload_json=payload,
            idempotency_key=idempotency_key or str(uuid.uuid4()),
            state=PENDING,
            attempts=0,
        )
        .returning(_table.c.id)
    ).scalar_one()
    return int(entry_id)


def retry(conn: Connection, entry_id: int, *, new_key: str | None = None) -> None:
    """Put a refused entry back in the queue (the user fixed the cause, or wants another try).

    A backend that keeps a refusal under its key (Stripe replays a declined
    payment's answer for a day) needs ``new_key`` for the retry to be a new
    attempt; the refused one was never applied, so that cannot apply it twice.
    """
    values: dict[str, object] = {"state": PENDING, "next_attempt_at": None}
    if new_key is not None:
        values["idempotency_key"] = new_key
    conn.execute(update(_table).where(_table.c.id == entry_id, _table.c.state == REFUSED).values(**values))


def discard(conn: Connection, entry_id: int) -> None:
    """Drop an entry the user chose to give up on (only refused or pending ones)."""
    conn.execute(delete(_table).where(_table.c.id == entry_id, _table.c.state != SENT))


def count_by_state(conn: Connection) -> dict[str, int]:
    """How many entries wait (pending) or were refused, for the status bar.

    Sent entries are left out: they accumulate, and the ``state`` index lets
    this count touch only the few that are still open.
    """
    rows = conn.execute(
        select(_table.c.state, func.count()).where(_table.c.state.in_((PENDING, REFUSED))).group_by(_table.c.state)
    )
    return dict(rows.tuples().all())
