"""How values of each column kind are shown: one place, so every table agrees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.clock import utcnow
from app.store import windows as w


def to_local(value: dt.datetime) -> dt.datetime:
    """Cache times are naive UTC; people read local time."""
    return value.replace(tzinfo=dt.UTC).astimezone()


def format_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == w.CENTS:
        return f"${value / 100:,.2f}"
    if kind == w.MICROS:
        return f"${value / 1_000_000:,.2f}"
    if kind == w.INT:
        return f"{value:,}"
    if kind == w.FLOAT:
        return f"{value:,.2f}"
    if kind == w.PERCENT:
        return f"{value * 100:.2f} %"
    if kind == w.BOOL:
        return "yes" if value else ""
    if kind == w.DATETIME and isinstance(value, dt.datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if kind == w.DATE and isinstance(value, dt.datetime):
        return to_local(value).date().isoformat()
    if kind == w.DATE and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_age(then: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'3 min ago' style staleness for naive-UTC ``then``."""
    if then is None:
        return "never"
    now = now or utcnow()
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
