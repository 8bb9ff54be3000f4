"""How values travel on the wire: ISO-8601 UTC with ``Z``, unix seconds, and JSON.

Internally the demo keeps naive UTC ``datetime`` values (the cache's
convention); these helpers are the single place that turns them into the
strings the Ops API promises and back, so every resource formats time the same.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

EPOCH = dt.datetime(1970, 1, 1)


def iso(value: dt.datetime) -> str:
    """``2026-01-31T12:00:00Z`` (fractional seconds only when there are any)."""
    return value.isoformat() + "Z"


# RFC 3339 date-time, as docs/ops-api.json's ``format: date-time`` means it: an offset is required.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
# The years a stored time may have (the spec's TimeBounds pattern says the same): any
# offset then converts to UTC inside the calendar, which 0001-01-01T00:00:00+01:00 did not.
FIRST_YEAR, LAST_YEAR = 1900, 9998


def parse_iso(text: str) -> dt.datetime:
    """Parse an RFC 3339 timestamp (``Z`` or an offset) of years 1900–9998 into naive UTC.

    Raises ``ValueError`` for anything else (no offset, an impossible date, a
    year out of bounds), which callers turn into a 4xx naming the field.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text[:40]!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise ValueError(f"the year {year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    if offset not in ("Z", "z") and (int(offset[1:3]) > 23 or int(offset[4:6]) > 59):
        raise ValueError(f"not a time offset: {offset}")
    micro = int((fraction or "").ljust(6, "0")[:6])
    zone = dt.UTC if offset in ("Z", "z") else dt.timezone(
        (1 if offset[0] == "+" else -1) * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    )
    value = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, zone)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


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
