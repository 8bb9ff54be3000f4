"""Currencies: converting minor units into the reporting currency at a day's rate, or saying it cannot.

The rule (``docs/metrics.md`` § Revenue, "Currency"): an amount of a day
converts with the latest rate the Ops API served for that currency on or
before that day (rates appear on working days only); a currency with no
served rate uses the fallback rate in settings; with neither it is *not
converted* -- ``None`` here, listed apart on the screen, never added to a
total as if it were the reporting currency.  Rates may be quoted against any
base: a currency and the reporting currency quoted against the same base
convert through it.  Minor units follow ISO 4217 (no decimals for yen).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

# Currencies Stripe counts in whole units (no minor unit).
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
})
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def code(currency: str | None) -> str:
    """ISO 4217 in capitals (Stripe writes ``usd``); empty for an unknown currency."""
    return (currency or "").upper()


def exponent(currency: str) -> int:
    return 0 if code(currency) in ZERO_DECIMAL else 2


def money(minor: float, currency: str) -> str:
    """``$1,234.50``, ``€89.00``, ``CHF 95.00``: an amount in minor units with its currency."""
    iso = code(currency)
    places = exponent(iso)
    amount = f"{abs(minor) / 10**places:,.{places}f}"
    sign = "−" if minor < 0 else ""
    symbol = _SYMBOLS.get(iso)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{iso} {amount}"


def parse_fallback(entries: Iterable[str]) -> dict[str, float]:
    """``("EUR=1.08", …)`` → ``{"EUR": 1.08}``: units of the reporting currency one unit is worth."""
    rates: dict[str, float] = {}
    for entry in entries:
        currency, _, rate = entry.partition("=")
        rates[code(currency.strip())] = float(rate)
    return rates


@dataclass
class Rates:
    """Rates to one reporting currency; ``factor`` turns minor units of a currency into the reporting one's."""

    reporting: str
    # (currency, base) → (day ordinals ascending, base units per currency unit)
    series: Mapping[tuple[str, str], tuple[list[int], list[float]]] = field(default_factory=dict)
    fallback: Mapping[str, float] = field(default_factory=dict)
    _memo: dict[tuple[str, int], float | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.reporting = code(self.reporting)
        self._bases = sorted({base for _, base in self.series})

    def _quoted(self, currency: str, base: str, day: int) -> float | None:
        if currency == base:
            return 1.0
        found = self.series.get((currency, base))
        if found is None:
            return None
        days, values = found
        i = bisect.bisect_right(days, day)
        return values[i - 1] if i else None

    def rate(self, currency: str | None, day: dt.date) -> float | None:
        """Reporting units one unit of ``currency`` is worth on ``day`` (None: not convertible)."""
        iso = code(currency)
        if iso == self.reporting:
            return 1.0
        ordinal = day.toordinal()
        for base in self._bases:
            mine, theirs = self._quoted(iso, base, ordinal), self._quoted(self.reporting, base, ordinal)
            if mine is not None and theirs:
                return mine / theirs
        return self.fallback.get(iso)

    def factor(self, currency: str | None, ordinal: int) -> float | None:
        """Multiplier from minor units of ``currency`` to minor units of the reporting currency, on a day."""
        try:
            return self._memo[currency or "", ordinal]  # the hot path: a movement's day seen before
        except KeyError:
            rate = self.rate(currency, dt.date.fromordinal(ordinal))
            scale = 10 ** (exponent(self.reporting) - exponent(code(currency)))
            found = self._memo[currency or "", ordinal] = None if rate is None else rate * scale
            return found

    def convert(self, minor: float, currency: str | None, day: dt.date) -> float | None:
        """``minor`` units of ``currency`` in reporting minor units on ``day``; None when it cannot convert."""
        factor = self.factor(currency, day.toordinal())
        return None if factor is None else minor * factor

    def source(self, currency: str | None, day: dt.date) -> str:
        """Where the day's rate comes from: "same currency", "Ops API", "fallback setting" or "none"."""
        iso = code(currency)
        if iso == self.reporting:
            return "same currency"
        ordinal = day.toordinal()
        if any(self._quoted(iso, b, ordinal) is not None and self._quoted(self.reporting, b, ordinal)
               for b in self._bases):
            return "Ops API"
        return "fallback setting" if iso in self.fallback else "none"


def load_rates(conn: Connection, reporting: str, fallback: Mapping[str, float]) -> Rates:
    """Every served rate (a few per working day), grouped per currency and base, oldest first."""
    # SQLAlchemy and the ORM schema load here, not with this module: the window formats money before its
    # first paint, and runs no query until after it.
    from sqlalchemy import select

    from app.store.schema import FxRate

    t = FxRate.__table__
    series: dict[tuple[str, str], tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    rows = conn.execute(select(t.c.currency, t.c.base, t.c.day, t.c.rate).order_by(t.c.day)).all()
    for currency, base, day, rate in rows:
        if rate and rate > 0:
            days, values = series[code(currency), code(base)]
            days.append(day.toordinal())
            values.append(float(rate))
    return Rates(reporting, dict(series), {code(k): v for k, v in fallback.items()})
