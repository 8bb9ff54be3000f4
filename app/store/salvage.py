"""Recovering unsent outbox entries from a damaged cache, page by page.

A cache that fails its integrity check is moved aside and rebuilt from the
backends — except for what only this workstation knows: the outbox, the
changes (licenses issued, replies written) not yet accepted by the Ops API.
One query over the outbox fails as a whole when a single page is damaged, so
the entries are read in ranges of ids, and a range that fails is split until
every id that can still be read has been read: nothing readable is lost.
The user is told how many entries were recovered and how many sat on pages
too damaged to read (those stay in the moved-aside file).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.store.schema import OutboxEntry

log = logging.getLogger(__name__)

_CHUNK = 256  # ids per range read: one leaf page holds a few dozen entries
# Where the largest id may be read when the table's own last page is damaged:
# the table's b-tree first, then each index (separate pages, separate damage).
_UPPER_BOUNDS = (
    "SELECT max(id) FROM outbox",
    "SELECT max(id) FROM outbox INDEXED BY ix_outbox_state",
    "SELECT max(id) FROM outbox INDEXED BY sqlite_autoindex_outbox_1",
)
_COLUMNS = tuple(c.name for c in OutboxEntry.__table__.columns if c.name != "id")
_TEXT_REQUIRED = ("kind", "method", "path", "idempotency_key", "state")


@dataclass(frozen=True)
class Salvage:
    """What could be carried into the fresh cache: entries recovered, and ids that could not be read.

    ``unreadable`` is None when not even the outbox's shape could be read
    (then nothing is known about how many entries there were).
    """

    recovered: int
    unreadable: int | None

    def notice(self, aside: Path) -> str | None:
        """The sentence the user reads (window and CLI), or None when there was nothing to say."""
        kept = f"The moved-aside file {aside} keeps them."
        if self.unreadable is None:
            return f"The changes not yet sent could not be read from the damaged cache. {kept}"
        parts = []
        if self.recovered:
            parts.append(f"{self.recovered} change(s) not yet sent were recovered and will be sent at the next sync.")
        if self.unreadable:
            parts.append(f"{self.unreadable} outbox entr{'y' if self.unreadable == 1 else 'ies'} sat on damaged "
                         f"pages and could not be read (sent or not). {kept}")
        return " ".join(parts) or None


def salvage_outbox(old: Path, new: Path) -> Salvage:
    """Copy every readable unsent entry of the damaged cache ``old`` into the fresh cache ``new``."""
    try:
        src = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        log.warning("the damaged cache %s cannot be opened: %s", old, exc)
        return Salvage(0, None)
    try:
        bounds = _id_bounds(src)
        if bounds is None:
            log.warning("no outbox entry can be located in the damaged cache %s", old)
            return Salvage(0, None)
        rows: list[tuple[object, ...]] = []
        unreadable = 0
        low, high = bounds
        for start in range(low, high + 1, _CHUNK):
            found, failed = _read_range(src, start, min(start + _CHUNK - 1, high))
            rows += found
            unreadable += failed
    finally:
        src.close()
    valid = [row for row in rows if _plausible(row)]
    unreadable += len(rows) - len(valid)
    _insert(new, valid)
    log.warning("salvaged %d unsent outbox entries from %s; %d ids could not be read", len(valid), old, unreadable)
    return Salvage(len(valid), unreadable)


def _id_bounds(src: sqlite3.Connection) -> tuple[int, int] | None:
    """The range of outbox ids to walk (from 1: ids are assigned in order), or None when none can be read."""
    for sql in _UPPER_BOUNDS:
        try:
            (high,) = src.execute(sql).fetchone()
        except sqlite3.DatabaseError:
            continue
        return (1, int(high)) if high is not None else (1, 0)
    return None


def _read_range(src: sqlite3.Connection, first: int, last: int) -> tuple[list[tuple[object, ...]], int]:
    """Unsent entries with ids in ``first..last`` and how many ids failed to read, splitting on damage."""
    # A single id is a point lookup: a range scan steps to the next row to see
    # where the range ends, and that row may sit on the damaged page.
    where = "id = ?" if first == last else "id BETWEEN ? AND ?"
    try:
        rows = src.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM outbox "  # noqa: S608 - fixed column names from the schema
            f"WHERE {where} AND state != 'sent' ORDER BY id",
            (first,) if first == last else (first, last),
        ).fetchall()
    except sqlite3.DatabaseError:
        if first == last:
            return [], 1
        middle = (first + last) // 2
        head, head_failed = _read_range(src, first, middle)
        tail, tail_failed = _read_range(src, middle + 1, last)
        return head + tail, head_failed + tail_failed
    return rows, 0


def _plausible(row: Sequence[object]) -> bool:
    """A row a damaged page may have garbled is not sent: its text fields and JSON payload must read."""
    values = dict(zip(_COLUMNS, row, strict=True))
    if not all(isinstance(values[name], str) and values[name] for name in _TEXT_REQUIRED):
        return False
    try:
        json.loads(str(values["payload_json"]))
    except ValueError:
        return False
    return True


def _insert(new: Path, rows: list[tuple[object, ...]]) -> None:
    dst = sqlite3.connect(new)
    try:
        with dst:
            dst.executemany(
                f"INSERT OR IGNORE INTO outbox ({', '.join(_COLUMNS)}) "  # noqa: S608 - fixed column names
                f"VALUES ({', '.join('?' * len(_COLUMNS))})",
                rows,
            )
    finally:
        dst.close()
