"""How a report writes a figure: the one formatter of reports (and of the tests that compare them with the CLI).

The window's ``ui/formatting.py`` cannot be imported from the core; the money
rule is the same one (``app.domain.revenue.fx.money``), and shares and counts
follow the window's conventions: "3.2 %", "1,234", "—" for a figure the cache
cannot give.
"""

from __future__ import annotations

import datetime as dt

from app.domain.revenue.fx import money as _money

MISSING = "—"


def money(minor: float | None, currency: str = "USD") -> str:
    """An amount in minor units (cents): ``$64,006.24``."""
    return MISSING if minor is None else _money(round(minor), currency)


def micros(value: float | None) -> str:
    """US dollars from micro-dollars (cloud costs): ``$1,292.45``."""
    return MISSING if value is None else _money(round(value / 10_000), "USD")


def percent(value: float | None, places: int = 1) -> str:
    """A value already in percent: ``2.2 %``."""
    return MISSING if value is None else f"{value:,.{places}f} %"


def share(ratio: float | None, places: int = 2) -> str:
    """A ratio 0…1 as a percentage: ``99.36 %`` (availability, margin)."""
    return MISSING if ratio is None else percent(ratio * 100, places)


def count(value: float | None) -> str:
    return MISSING if value is None else f"{round(value):,}"


def number(value: float | None, places: int = 2) -> str:
    return MISSING if value is None else f"{value:,.{places}f}"


def hours(seconds: float | None) -> str:
    """Business seconds as hours: ``3.5 h``."""
    return MISSING if seconds is None else f"{seconds / 3600:,.1f} h"


def when(value: dt.datetime | None) -> str:
    """A cache time (naive UTC): ``2026-11-18 14:30 UTC``."""
    return "never" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


def words(code: str | None) -> str:
    """A code in words, as the window writes it: ``past_due`` → "Past due"."""
    return (code or "").replace("_", " ").capitalize()
