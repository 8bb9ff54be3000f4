"""Cost anomalies: a day's cost of a service far above its own robust, weekday-aware baseline.

Rule (docs/metrics.md § Costs, "Anomalies"), for service *s* on day *d*:

1. History: *s*'s daily EffectiveCost (USD) on the 28 days before *d*; a day
   without a figure counts 0, days before *s*'s first figure are left out.
   At least 14 days of history, else no judgement.
2. Weekday profile: wₖ = median of the history's weekday-*k* days ÷ median of
   all history days (1 when either is 0, or the weekday is absent).
3. Adjusted history aᵢ = xᵢ ÷ w(weekday of i); baseline m = median(a);
   spread σ = 1.4826 × median(|aᵢ − m|) (the MAD, scaled to a σ).
4. Expected cost e = m × w(weekday of d), spread s = σ × w(weekday of d).
5. *d* is an anomaly when its excess x − e is at least ``anomaly_z`` × s
   (3.5, Iglewicz and Hoaglin's cut-off for robust z-scores), at least
   ``anomaly_min_ratio`` × e (25 %) and at least ``anomaly_min_dollars`` ($10).

Median and MAD, not mean and standard deviation, so one earlier spike does not
raise the bar for the next; weekday-aware, so the Monday after a quiet weekend
is not an anomaly.  A user may mark an anomaly as expected (a local fact,
stored in ``cost_anomaly_marks``): it stays listed as such and raises no alert.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects.sqlite import insert

from app.clock import utcnow
from app.config.settings import CostSettings
from app.domain.costs.store import ServiceDays, service_days
from app.store.changes import Changes
from app.store.schema import CostAnomalyMark

HISTORY_DAYS = 28
MIN_HISTORY_DAYS = 14
MAD_TO_SIGMA = 1.4826
MIN_DOLLAR_MICROS = 1_000_000
_MARKS = CostAnomalyMark.__table__


@dataclass(frozen=True)
class Anomaly:
    service: str
    day: dt.date
    cost_micros: int
    expected_micros: int  # the baseline for that weekday
    excess_micros: int  # cost − expected: what the anomaly cost
    z: float | None  # excess in robust σ (None: the history never varied)
    marked_expected: bool = False

    @property
    def key(self) -> str:
        """How the anomaly is named in notifications and selections: ``service:YYYY-MM-DD``."""
        return f"{self.service}:{self.day.isoformat()}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _judge_window(
    history: list[float], first_weekday: int, cost: float, settings: CostSettings
) -> tuple[float, float] | None:
    """(expected, spread) of the day after ``history`` when its ``cost`` is an anomaly, else None.

    ``history`` is consecutive days, the first a ``first_weekday``; the same
    weekday recurs every 7th place, so a weekday's days are a slice.
    """
    overall = _median(history)
    weights = [1.0] * 7
    if overall > 0:
        for offset in range(min(7, len(history))):
            typical = _median(history[offset::7])
            weights[(first_weekday + offset) % 7] = typical / overall if typical > 0 else 1.0
    adjusted = [a / weights[(first_weekday + i) % 7] for i, a in enumerate(history)]
    baseline = _median(adjusted)
    sigma = MAD_TO_SIGMA * _median([abs(a - baseline) for a in adjusted])
    weight = weights[(first_weekday + len(history)) % 7]
    expected, spread = baseline * weight, sigma * weight
    excess = cost - expected
    if excess <= 0 or excess < settings.anomaly_min_ratio * expected:
        return None
    if excess < settings.anomaly_min_dollars * MIN_DOLLAR_MICROS:
        return None
    if spread > 0 and excess < settings.anomaly_z * spread:
        return None
    return expected, spread


def _anomaly(service: str, day: dt.date, cost: int, judged: tuple[float, float]) -> Anomaly:
    expected, spread = judged
    excess = cost - expected
    return Anomaly(service, day, cost, round(expected), round(excess), excess / spread if spread > 0 else None)


def judge(service: str, values: dict[dt.date, int], day: dt.date, settings: CostSettings) -> Anomaly | None:
    """``day``'s anomaly of ``service`` (``values``: its daily costs), or None, by the rule above."""
    cost = values.get(day)
    history_start = max(day - dt.timedelta(days=HISTORY_DAYS), min(values))
    if cost is None or (day - history_start).days < MIN_HISTORY_DAYS:
        return None
    history = [float(values.get(history_start + dt.timedelta(days=n), 0)) for n in range((day - history_start).days)]
    judged = _judge_window(history, history_start.weekday(), cost, settings)
    return None if judged is None else _anomaly(service, day, cost, judged)


def detect(by_service: ServiceDays, first: dt.date, last: dt.date, settings: CostSettings) -> list[Anomaly]:
    """Every anomaly from ``first`` to ``last`` (``by_service`` must reach 28 days before ``first``).

    Each service's days become one list (0 where a day has no figure) and each
    day is judged on the slice before it, which is ``judge`` without a date
    look-up per history day: years of 50 services are judged in one pass.
    """
    found = []
    for service, values in sorted(by_service.items()):
        begin = min(values)
        span = (max(values) - begin).days + 1
        series = [0.0] * span
        for day, micros in values.items():
            series[(day - begin).days] = float(micros)
        for day in sorted(d for d in values if first <= d <= last):
            index = (day - begin).days
            low = max(0, index - HISTORY_DAYS)
            if index - low < MIN_HISTORY_DAYS:
                continue
            judged = _judge_window(series[low:index], (begin + dt.timedelta(days=low)).weekday(), series[index],
                                   settings)
            if judged is not None:
                found.append(_anomaly(service, day, values[day], judged))
    return found


def marks(conn: Connection, first: dt.date, last: dt.date) -> set[tuple[str, dt.date]]:
    rows = conn.execute(select(_MARKS.c.service_name, _MARKS.c.day).where(_MARKS.c.day.between(first, last)))
    return {(service, day) for service, day in rows}


def anomalies(conn: Connection, first: dt.date, last: dt.date, settings: CostSettings) -> tuple[Anomaly, ...]:
    """The anomalies of ``first``…``last``, newest first, with the user's "expected" marks."""
    history = service_days(conn, first - dt.timedelta(days=HISTORY_DAYS), last)
    marked = marks(conn, first, last)
    found = [dataclasses.replace(a, marked_expected=(a.service, a.day) in marked)
             for a in detect(history, first, last, settings)]
    return tuple(sorted(found, key=lambda a: (a.day, a.excess_micros), reverse=True))


def mark_expected(engine: Engine, service: str, day: dt.date, expected: bool = True) -> Changes:
    """Mark (or unmark) the anomaly of ``service`` on ``day`` as expected: a local fact, never pushed."""
    with engine.begin() as conn:
        if expected:
            conn.execute(insert(_MARKS).values(service_name=service, day=day, marked_at=utcnow())
                         .on_conflict_do_nothing())
        else:
            conn.execute(delete(_MARKS).where(_MARKS.c.service_name == service, _MARKS.c.day == day))
    return Changes.rows(_MARKS.name, [f"{service}:{day.isoformat()}"])


def unmarked(found: Iterable[Anomaly]) -> list[Anomaly]:
    return [a for a in found if not a.marked_expected]
