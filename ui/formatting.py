"""How values are shown: one place, so every table, detail and dialog agrees.

Column kinds (``format_value``) for the big tables, and the few phrases the
details and dialogs use -- money, shares, times, local calendar days, "in 3
days".  Cache times are naive UTC; people read local time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.clock import utcnow
from app.domain.revenue.fx import money as _money
from app.domain.seats import NEAR, OVER, seat_level
from app.store import kinds as w

MISSING = "—"  # a figure that cannot be computed (no budget, no checks yet)
__all__ = ["MISSING", "cents", "days_until", "expiry_words", "format_age", "format_value", "local_day", "micros",
           "relative_days", "share", "to_local", "when", "words"]


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


def cents(value: float | None) -> str:
    """US dollars from (possibly fractional) cents: ``$1,234.50``; empty when unknown."""
    return format_value(w.CENTS, None if value is None else round(value))


def money(minor: float | None, currency: str | None) -> str:
    """An amount in minor units with its currency: ``$1,234.50``, ``€89.00``, ``CHF 95.00``; ``—`` when unknown."""
    return MISSING if minor is None else _money(round(minor), currency or "USD")


def money_headline(minor: float | None, currency: str) -> str:
    """A headline figure: cents while it is small, whole units from 10,000, millions from 10 million."""
    if minor is None:
        return MISSING
    major = abs(minor) / 100
    if major >= 10_000_000:
        return money_short(minor, currency)
    if major >= 10_000:
        return _money(round(minor / 100) * 100, currency).removesuffix(".00")
    return money(minor, currency)


def money_short(minor: float, currency: str) -> str:
    """An axis label: ``$12.5k``, ``€1.2M``, ``$950``."""
    major = minor / 100
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(major) >= size:
            text = _money(round(major / size * 10) * 10, currency)  # one decimal
            return text.removesuffix("0").removesuffix(".0") + suffix
    return _money(round(major) * 100, currency).removesuffix(".00")


def words(status: str | None) -> str:
    """A status or code in words: ``past_due`` → "Past due", ``first_reply`` → "First reply" (never shown raw)."""
    return (status or "").replace("_", " ").capitalize()


def percent(value: float | None, places: int = 1) -> str:
    """A percentage already in percent (``3.2`` → "3.2 %"), or ``—``."""
    return MISSING if value is None else f"{value:,.{places}f} %"


def month_name(month: dt.date) -> str:
    """``Nov 2026``."""
    return month.strftime("%b %Y")


def micros(value: int | None) -> str:
    """US dollars from micro-dollars, or ``—`` when there is no figure."""
    return MISSING if value is None else format_value(w.MICROS, value)


def share(ratio: float | None) -> str:
    """A ratio as a percentage with two decimals, or ``—``."""
    return MISSING if ratio is None else format_value(w.PERCENT, ratio)


def when(value: dt.datetime | None) -> str:
    """Local date and minute of a naive-UTC time; empty when there is none."""
    return format_value(w.DATETIME, value)


def local_day(value: dt.datetime | None) -> str:
    """The local calendar day of a naive-UTC time (small tables have no room for times nobody needs there)."""
    return "" if value is None else to_local(value).date().isoformat()


def days_until(value: dt.datetime) -> int:
    """Calendar days from today to ``value``'s local day (negative once past): what people count."""
    return (to_local(value).date() - dt.date.today()).days


def relative_days(value: dt.datetime) -> str:
    """"in 365 days", "today", "5 days ago"."""
    days = days_until(value)
    if days == 0:
        return "today"
    count = f"{abs(days):,} day{'' if abs(days) == 1 else 's'}"
    return f"in {count}" if days > 0 else f"{count} ago"


def expiry_words(expires_at: dt.datetime) -> str:
    """"expires 2027-11-22 (in 365 days)" or "expired 2026-10-01 (52 days ago)", in local days."""
    verb = "expires" if days_until(expires_at) >= 0 else "expired"
    return f"{verb} {local_day(expires_at)} ({relative_days(expires_at)})"


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The last minute of ``day`` in local time, as naive UTC: what "until 2026-12-01" means to a person."""
    local = dt.datetime.combine(day, dt.time(23, 59)).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


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


def duration(seconds: float) -> str:
    """"45 s", "12 m", "1 h 12 m", "2 d 3 h": coarse enough to read at a glance."""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} m" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def business_time(seconds: float | None) -> str:
    """A span of business time ("1 h 12 m"), or ``—``; under a minute reads "under 1 m"."""
    if seconds is None:
        return MISSING
    return "under 1 m" if seconds < 60 else duration(seconds)


def countdown(state: str, seconds_to_due: float | None, paused_left: float | None) -> str:
    """The queue's SLA cell: "due in 1 h 12 m", "paused · 3 h left", "breached 3 h ago", or ``—``."""
    if state == "paused" and paused_left is not None:
        return f"paused · {duration(paused_left)} left"
    if seconds_to_due is None:
        return MISSING
    if seconds_to_due <= 0:
        return f"breached {duration(seconds_to_due)} ago"
    return f"due in {duration(seconds_to_due)}"
def day(value: dt.date | None) -> str:
    """A calendar day as people say it in a table: ``24 Nov 2026``; ``—`` when there is none."""
    return MISSING if value is None else f"{value.day} {value:%b %Y}"


def short_day(value: dt.date | None) -> str:
    """A day of a month everyone knows the year of: ``27 Nov``; ``—`` when there is none."""
    return MISSING if value is None else f"{value.day} {value:%b}"


def micros_range(low: int, high: int) -> str:
    """A money range from micro-dollars in whole dollars: ``$1,200 – $1,450`` (a range is no more exact)."""
    low_text, high_text = f"${low / 1_000_000:,.0f}", f"${high / 1_000_000:,.0f}"
    return low_text if low_text == high_text else f"{low_text} – {high_text}"


def count(value: float, noun: str) -> str:
    """``1,234 customers`` from a possibly fractional projection (rounded to whole ones)."""
    return f"{round(value):,} {noun}"


_SEAT_LEVEL_WORDS = {OVER: "over the seat cap", NEAR: "near the seat cap"}


def seat_words(in_use: int, seats: int) -> str:
    """"53 of 50 seats in use (106 %), over the seat cap"."""
    level = seat_level(in_use, seats)
    tail = f", {_SEAT_LEVEL_WORDS[level]}" if level else ""
    return f"{in_use:,} of {seats:,} seats in use ({in_use / seats:.0%}){tail}"
