"""Wire values → cache values: the cache's conventions (naive UTC, dates, integers) in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any


def parse_datetime(value: str | None) -> dt.datetime | None:
    """ISO-8601 (``...Z`` or with an offset) → naive UTC, the cache's time convention."""
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def from_unix(value: int | float | None) -> dt.datetime | None:
    """Stripe's unix seconds → naive UTC."""
    if value is None:
        return None
    return dt.datetime.fromtimestamp(value, dt.UTC).replace(tzinfo=None)


def identity(value: Any) -> Any:
    return value
