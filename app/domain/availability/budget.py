"""Error budgets: the downtime an SLO allows over its period, and how much of it observed downtime used.

The rule (docs/metrics.md § Service health, "Error budget"): allowance =
(1 − SLO) × the period; consumed = the downtime observed in the period so far
(by duration, maintenance excluded, unknown time not counted); remaining =
allowance − consumed.  The period is a rolling 30 days, or the calendar month
(UTC) when ``[health] budget_period = "calendar_month"``; a calendar month's
allowance is the whole month's, consumed so far.  The budget state is
*exhausted* once nothing remains, *at risk* when less than
``[health] budget_at_risk_pct`` of the allowance remains, *healthy* otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.availability.timeline import Span

ROLLING_30D, CALENDAR_MONTH = "rolling_30d", "calendar_month"
PERIODS = (ROLLING_30D, CALENDAR_MONTH)
ROLLING = dt.timedelta(days=30)

HEALTHY, AT_RISK, EXHAUSTED = "Healthy", "At risk", "Exhausted"
BUDGET_STATES = (HEALTHY, AT_RISK, EXHAUSTED)


def month_span(now: dt.datetime) -> Span:
    """The UTC calendar month holding ``now``: from its first instant to the next month's."""
    start = dt.datetime(now.year, now.month, 1)
    following = dt.datetime(now.year + (now.month == 12), now.month % 12 + 1, 1)
    return Span(start, following)


def budget_period(now: dt.datetime, period: str) -> Span:
    """The period a budget is judged over: the 30 days before ``now``, or the month holding it."""
    if period == CALENDAR_MONTH:
        return month_span(now)
    if period == ROLLING_30D:
        return Span(now - ROLLING, now)
    raise ValueError(f"unknown budget period {period!r}; known: {', '.join(PERIODS)}")


def allowance_s(slo_target: float, period: Span) -> float:
    """Downtime the SLO allows over ``period``: 99.9 % of 30 days is 2,592 s (43.2 min)."""
    return max(0.0, 1.0 - slo_target) * period.seconds


@dataclass(frozen=True)
class ErrorBudget:
    """One service's budget over one period, in seconds."""

    slo_target: float
    period_start: dt.datetime
    period_end: dt.datetime
    allowance_s: float
    consumed_s: float
    state: str

    @property
    def remaining_s(self) -> float:
        """Negative once overspent."""
        return self.allowance_s - self.consumed_s

    @property
    def remaining_share(self) -> float | None:
        """Share of the allowance left (negative when overspent); None for an SLO of 100 % (no allowance)."""
        return self.remaining_s / self.allowance_s if self.allowance_s > 0 else None


def budget_state(allowance: float, consumed: float, at_risk_share: float) -> str:
    """Exhausted when nothing remains, at risk under ``at_risk_share`` of the allowance, healthy otherwise."""
    remaining = allowance - consumed
    if remaining <= 0:
        return EXHAUSTED
    return AT_RISK if remaining < at_risk_share * allowance else HEALTHY


def error_budget(slo_target: float, period: Span, downtime_s: float, at_risk_share: float) -> ErrorBudget:
    allowance = allowance_s(slo_target, period)
    return ErrorBudget(
        slo_target, period.start, period.end, allowance, downtime_s, budget_state(allowance, downtime_s, at_risk_share)
    )
