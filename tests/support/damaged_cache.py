"""Caches damaged on purpose: an outbox spread over many pages, and a way to overwrite some of them.

The store's salvage tests and the ``self-test`` command's test both start from such a file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store import outbox
from app.store.database import open_cache

ENTRIES = 200


def fill_outbox(path: Path) -> None:
    """A cache at ``path`` with ``ENTRIES`` unsent outbox entries over a dozen leaf pages, and one sent entry."""
    cache = open_cache(path)
    with cache.engine.begin() as conn:
        for n in range(ENTRIES):
            # Payloads of a few hundred bytes spread the entries over a dozen leaf pages.
            outbox.enqueue(conn, "ticket_event", f"/v1/tickets/{n}/events",
                           {"id": f"e{n}", "kind": "reply", "body": f"reply {n} " + "x" * 300},
                           idempotency_key=f"key-{n:05d}")
        sent = outbox.enqueue(conn, "ticket_event", "/v1/tickets/1/events", {"id": "sent"}, idempotency_key="key-sent")
        conn.exec_driver_sql("UPDATE outbox SET state = 'sent' WHERE id = ?", (sent,))
    cache.dispose()


def outbox_leaf_pages(path: Path) -> list[int]:
    """The page numbers of the outbox table's leaf pages, in id order."""
    conn = sqlite3.connect(path)
    try:
        return [n for (n,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY pageno")]
    finally:
        conn.close()


def damage(path: Path, pages: list[int]) -> None:
    """Overwrite whole ``pages`` of the file with garbage, as a failing disk would."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * page_size)
            fh.write(b"\xa5" * page_size)
