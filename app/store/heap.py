"""How much memory SQLite may keep for the whole process: little while panes read, more while a bulk pass writes.

SQLite's soft heap limit is one number for the process (``PRAGMA
soft_heap_limit`` on any connection sets it); past it, SQLite recycles cached
pages.  ``RESTING`` keeps a table of a million rows open in a pane within its
memory budget: each of the table's count, pages and search reads on its own
pooled connection, and would otherwise fill every one of their caches.

A bulk pass (a full pass over a resource, as in a first sync) inserts at
random places in indexes larger than that, so its writer had its pages
recycled and read again.  A first sync of 100,000 customers took 17.1 to
17.5 s at 20 MB and 16.5 to 16.9 s at 100 MB (three runs each,
alternating); at 48 MB, 16.2 to 16.5 s against 16.3 to 17.0 s.  ``BULK`` is
twice the writer's own page cache (``cache_size``), so it can fill it with
room to spare for the panes reading meanwhile: with it, 16.59 to 16.63 s
against 16.84 to 17.36 s.  ``bulk_writes`` raises the limit for the pass and
puts it back after; a connection opened meanwhile takes the raised value
(``current``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

RESTING = 20_000_000  # bytes
BULK = 64_000_000

_lock = threading.Lock()
_passes = 0  # bulk passes under way in the process


def current() -> int:
    """The limit in force now (what a new connection sets)."""
    return BULK if _passes else RESTING


def pragma() -> str:
    """The statement setting ``current``'s limit."""
    return f"PRAGMA soft_heap_limit = {current()}"


@contextmanager
def bulk_writes(engine: Engine) -> Iterator[None]:
    """``BULK`` while the block runs (passes may overlap: the last one out puts ``RESTING`` back)."""
    global _passes
    with _lock:
        _passes += 1
        _apply(engine)
    try:
        yield
    finally:
        with _lock:
            _passes -= 1
            _apply(engine)


def _apply(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql(pragma())
