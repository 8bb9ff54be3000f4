"""Daily exchange rates to the US dollar, published each working day at 16:00 UTC, as a reference rate would be.

Rates are a smooth, deterministic function of the day (a yearly swing, a
monthly ripple and a little daily noise around a mid rate), so the series
extends as the clock moves without replaying a random walk.  Only euros and
pounds are served: the Swiss-franc customers have no published rate, which is
what the console's "not converted" path exists for.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

Row = dict[str, Any]
BASE = "USD"
PUBLISHED_AT = dt.time(16, 0)  # the day's fixing appears that afternoon
MID_RATES = {"EUR": 1.09, "GBP": 1.27}  # US dollars per unit
HISTORY_DAYS = 800  # older than the oldest customer


class FxRates:
    """Rates per working day from ``HISTORY_DAYS`` before the anchor, as functions of the day."""

    def __init__(self, seed: int, anchor: dt.datetime) -> None:
        self._seed = seed
        self._first_day = anchor.date() - dt.timedelta(days=HISTORY_DAYS)

    def rows(self, after: dt.datetime | None, until: dt.datetime) -> list[Row]:
        """Rates published after ``after`` (None: the whole history) and by ``until``."""
        rows: list[Row] = []
        day = self._first_day
        while day <= until.date():
            published = dt.datetime.combine(day, PUBLISHED_AT)
            if day.weekday() < 5 and published <= until and (after is None or published > after):
                rows.extend(self._rates(day, published))
            day += dt.timedelta(days=1)
        return rows

    def _rates(self, day: dt.date, published: dt.datetime) -> list[Row]:
        rng = random.Random(f"fx:{self._seed}:{day.toordinal()}")
        n = day.toordinal()
        rows = []
        for i, (currency, mid) in enumerate(MID_RATES.items()):
            swing = 0.035 * math.sin(2 * math.pi * n / 365.25 + i) + 0.008 * math.sin(2 * math.pi * n / 31 + 2 * i)
            rate = round(mid * (1 + swing + rng.uniform(-0.002, 0.002)), 6)
            rows.append({"id": f"{day.isoformat()}:{currency}", "day": day, "currency": currency, "base": BASE,
                         "rate": rate, "updated_at": published})
        return rows
