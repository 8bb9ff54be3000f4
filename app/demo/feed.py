"""Change feeds: the Ops API's ``updated_since`` + cursor pagination over one resource.

A feed is an immutable, generated *base* (already ordered by ``(updated_at,
id)``, rendered row by row on demand so a million tickets cost arrays, not
dicts) plus a small *live* overlay of rows written since start-up (updates,
new rows, tombstones).  A live row shadows the base row with the same id.
Pages are read by merging both in key order from the cursor, which encodes the
last ``(updated_at, id)`` served: a row changed during a pass moves *after*
the cursor and is served again later in the pass, never skipped.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from app.demo.wire import micros

Row = dict[str, Any]
RowId = str | int
Key = tuple[int, RowId]  # (updated_at in epoch microseconds, id)


class RowSource(Protocol):
    """A generated, immutable run of rows sorted by key."""

    def __len__(self) -> int: ...

    def key(self, index: int) -> Key: ...

    def row(self, index: int) -> Row: ...

    def index_of(self, row_id: RowId) -> int | None: ...


def row_key(row: Row) -> Key:
    return micros(row["updated_at"]), row["id"]


class ListSource:
    """A base held as ready rows: fine for the small resources (services, costs, …)."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self._rows = sorted(rows, key=row_key)
        self._keys = [row_key(r) for r in self._rows]
        self._index = {r["id"]: i for i, r in enumerate(self._rows)}

    def __len__(self) -> int:
        return len(self._rows)

    def key(self, index: int) -> Key:
        return self._keys[index]

    def row(self, index: int) -> Row:
        return dict(self._rows[index])

    def index_of(self, row_id: RowId) -> int | None:
        return self._index.get(row_id)


def encode_cursor(resource: str, key: Key) -> str:
    """Opaque to clients: the resource and the last key served, base64url JSON."""
    raw = json.dumps([resource, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(resource: str, cursor: str) -> Key:
    """Raise ``ValueError`` for anything that is not a cursor this server issued for ``resource``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        issued_for, stamp, row_id = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise ValueError("malformed cursor") from exc
    if issued_for != resource:
        raise ValueError(f"a cursor of {issued_for}, not of {resource}")
    if not isinstance(stamp, int) or not isinstance(row_id, str | int) or isinstance(row_id, bool):
        raise ValueError("malformed cursor")
    return stamp, row_id


class Feed:
    """One resource's rows in ``(updated_at, id)`` order: a generated base and live writes."""

    def __init__(self, base: RowSource) -> None:
        self._base = base
        self._live: dict[RowId, Row] = {}
        self._live_keys: list[Key] = []

    def __len__(self) -> int:
        shadowed = sum(1 for row_id in self._live if self._base.index_of(row_id) is not None)
        return len(self._base) + len(self._live) - shadowed

    def get(self, row_id: RowId) -> Row | None:
        """The current row (a copy), a tombstone, or ``None`` when the id never existed."""
        if row_id in self._live:
            return dict(self._live[row_id])
        index = self._base.index_of(row_id)
        return None if index is None else self._base.row(index)

    def put(self, row: Row) -> None:
        """Store a new version; ``row["updated_at"]`` must be a fresh stamp."""
        old = self._live.get(row["id"])
        if old is not None:
            del self._live_keys[bisect.bisect_left(self._live_keys, row_key(old))]
        self._live[row["id"]] = dict(row)
        bisect.insort(self._live_keys, row_key(row))

    def delete(self, row_id: RowId, when: dt.datetime) -> None:
        self.put({"id": row_id, "deleted": True, "updated_at": when})

    def page(self, since: dt.datetime | None, after: Key | None, limit: int) -> tuple[list[Row], bool]:
        """Up to ``limit`` rows after the cursor (or from ``since``, inclusive); and whether more follow."""
        rows: list[Row] = []
        for row in self._merged(since, after):
            if len(rows) == limit:
                return rows, True
            rows.append(row)
        return rows, False

    def _merged(self, since: dt.datetime | None, after: Key | None) -> Iterator[Row]:
        base, live = self._base, self._live_keys
        base_keys: Callable[[int], Key] = base.key
        if after is not None:
            bi = bisect.bisect_right(range(len(base)), after, key=base_keys)
            li = bisect.bisect_right(live, after)
        elif since is not None:
            floor = micros(since)
            bi = bisect.bisect_left(range(len(base)), floor, key=lambda i: base_keys(i)[0])
            li = bisect.bisect_left(live, floor, key=lambda k: k[0])
        else:
            bi = li = 0
        while bi < len(base) or li < len(live):
            if li == len(live) or (bi < len(base) and base_keys(bi) < live[li]):
                if base_keys(bi)[1] not in self._live:
                    yield base.row(bi)
                bi += 1
            else:
                yield dict(self._live[live[li][1]])
                li += 1
