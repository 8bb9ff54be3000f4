"""The outbox: counts for the status bar, retry and discard of refused entries."""

from __future__ import annotations

from sqlalchemy import select, update

from app.store import outbox
from app.store.schema import OutboxEntry


def test_counts_retry_and_discard(cache):
    with cache.engine.begin() as conn:
        ids = [outbox.enqueue(conn, "ticket_event", f"/v1/tickets/{n}/events", {"n": n}) for n in range(4)]
        conn.execute(update(OutboxEntry).where(OutboxEntry.id == ids[0]).values(state=outbox.SENT))
        conn.execute(update(OutboxEntry).where(OutboxEntry.id == ids[1]).values(state=outbox.REFUSED, last_error="422"))
        assert outbox.count_by_state(conn) == {"pending": 2, "refused": 1}
        outbox.retry(conn, ids[1])
        assert outbox.count_by_state(conn) == {"pending": 3}
        outbox.discard(conn, ids[0])  # a sent entry is history: discard leaves it
        outbox.discard(conn, ids[2])
        left = conn.execute(select(OutboxEntry.id).order_by(OutboxEntry.id)).scalars().all()
    assert left == [ids[0], ids[1], ids[3]]
