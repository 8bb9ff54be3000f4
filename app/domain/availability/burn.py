"""Burn-rate alerts: multiwindow, multi-burn-rate, as the Google SRE workbook (ch. 5, "Alerting on SLOs") sets them.

The burn rate over a window is the window's error ratio (down time over known
time, by duration) divided by the error ratio the SLO allows (1 − SLO): a
burn rate of 1 spends exactly the budget over the budget period.  An alert
fires when the burn rate is above its threshold over a long window *and* over
a short one (a twelfth of it), so it fires fast and stops soon after the
burning does:

=========  ===========  ============  =========  ====================================
severity   long window  short window  threshold  budget spent at that rate
=========  ===========  ============  =========  ====================================
page       1 h          5 min         14.4       2 % of 30 days in one hour
page       6 h          30 min        6          5 % of 30 days in six hours
ticket     3 d          6 h           1          10 % of 30 days in three days
=========  ===========  ============  =========  ====================================

A window with no known time has no burn rate and never fires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.domain.availability.timeline import Coverage

PAGE, TICKET = "page", "ticket"
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class BurnRule:
    """One alert of the scheme: over ``long`` and ``short`` the burn rate must exceed ``threshold``."""

    name: str
    severity: str
    long: dt.timedelta
    short: dt.timedelta
    threshold: float

    @property
    def label(self) -> str:
        return f"{self.threshold:g}× over {_span(self.long)} and {_span(self.short)}"


def _span(window: dt.timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440} d"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


RULES = (
    BurnRule("page_1h", PAGE, dt.timedelta(hours=1), dt.timedelta(minutes=5), 14.4),
    BurnRule("page_6h", PAGE, dt.timedelta(hours=6), dt.timedelta(minutes=30), 6.0),
    BurnRule("ticket_3d", TICKET, dt.timedelta(days=3), dt.timedelta(hours=6), 1.0),
)
#: Every window a burn rate is needed over, longest first.
WINDOWS: tuple[dt.timedelta, ...] = tuple(sorted({w for r in RULES for w in (r.long, r.short)}, reverse=True))


def window_key(window: dt.timedelta) -> str:
    """``"5m"``, ``"1h"``, ``"3d"``: how figures name a burn window."""
    return _span(window).replace(" min", "m").replace(" h", "h").replace(" d", "d")


def burn_rate(cover: Coverage, slo_target: float) -> float | None:
    """Error ratio over the allowed error ratio; None without known time or without an allowance."""
    ratio = cover.error_ratio
    allowed = 1.0 - slo_target
    if ratio is None or allowed <= 0:
        return None
    return ratio / allowed


def fires(rule: BurnRule, rates: Mapping[dt.timedelta, float | None]) -> bool:
    """Whether both of the rule's windows burn faster than its threshold."""
    long, short = rates.get(rule.long), rates.get(rule.short)
    return long is not None and short is not None and long > rule.threshold and short > rule.threshold


def firing(rates: Mapping[dt.timedelta, float | None]) -> tuple[BurnRule, ...]:
    """The rules firing for these burn rates (pages before tickets)."""
    return tuple(rule for rule in RULES if fires(rule, rates))


def level(rules: tuple[BurnRule, ...]) -> str | None:
    """The most urgent severity among firing rules: page, ticket or None."""
    severities = {r.severity for r in rules}
    return PAGE if PAGE in severities else TICKET if TICKET in severities else None


CoverageAt = Callable[[dt.datetime, dt.timedelta], Coverage]


def episode_start(
    rule: BurnRule, cover: CoverageAt, slo_target: float, now: dt.datetime, horizon: dt.timedelta
) -> dt.datetime | None:
    """When the current firing of ``rule`` began (to the minute), or None when it is not firing now.

    Evaluated minute by minute backwards from ``now``; an alert firing for the
    whole ``horizon`` is said to start at the horizon's first whole UTC day, so
    its notification key stays the same from one evaluation to the next.
    """

    def firing_at(at: dt.datetime) -> bool:
        rates = {w: burn_rate(cover(at, w), slo_target) for w in (rule.long, rule.short)}
        return fires(rule, rates)

    at = now.replace(second=0, microsecond=0)
    if not firing_at(now):
        return None
    earliest = now - horizon
    while at - MINUTE >= earliest and firing_at(at - MINUTE):
        at -= MINUTE
    if at - MINUTE < earliest:
        return dt.datetime(earliest.year, earliest.month, earliest.day)
    return at
