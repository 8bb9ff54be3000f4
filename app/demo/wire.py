"""How values travel on the wire: ISO-8601 UTC with ``Z``, unix seconds, and JSON.

Internally the demo keeps naive UTC ``datetime`` values (the cache's
convention); these helpers are the single place that turns them into the
strings the Ops API promises and back, so every resource formats time the same.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

EPOCH = dt.datetime(1970, 1, 1)


def iso(value: dt.datetime) -> str:
    """``2026-01-31T12:00:00Z`` (fractional seconds only when there are any)."""
    return value.isoformat() + "Z"


def parse_iso(text: str) -> dt.datetime:
    """Parse an ISO-8601 timestamp into naive UTC; naive input is taken as UTC.

    Raises ``ValueError`` for anything else, which callers turn into a 4xx
    naming the field.
    """
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def micros(value: dt.datetime) -> int:
    """Microseconds since the epoch: the integer sort key of change feeds."""
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


def unix(value: dt.datetime) -> int:
    """Stripe's timestamps: whole unix seconds."""
    return int((value - EPOCH).total_seconds())


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON with datetimes as ISO ``Z`` strings and dates as ``YYYY-MM-DD``."""
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False).encode()
