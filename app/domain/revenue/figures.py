"""The revenue figure set: the one function behind the revenue screen, the reports and ``opsconsole metrics revenue``.

``revenue_figures`` computes, for a month (this one by default, as of now;
a past one as of its end): the month's KPIs with the 24 months before for the
chart and sparklines, the cohorts, the customers at risk, the reconciliation
and what could not be converted -- from the cache, with the policies and
targets in settings.  The screen shows exactly these values (a test holds the
CLI's JSON and the screen's numbers equal).  ``mrr_by_month`` is the slice
other features need: MRR and paying customers at each month's end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Connection

from app import collector
from app.clock import utcnow
from app.config.settings import Settings
from app.domain.revenue import movements
from app.domain.revenue.cache import MovementCache
from app.domain.revenue.cohorts import Cohorts, cohorts
from app.domain.revenue.fx import Rates, load_rates
from app.domain.revenue.monthly import MonthFigures, Unconverted, add_months, aggregate, month_of, months_up_to
from app.domain.revenue.movements import Account
from app.domain.revenue.policy import CHART_MONTHS, LTV_TRAILING_MONTHS, Policy
from app.domain.revenue.reconciliation import Reconciliation, reconcile
from app.domain.revenue.risk import AtRisk, at_risk

# The chart's months, plus a year before them for year-on-year growth (which also covers LTV's six).
HISTORY_MONTHS = CHART_MONTHS + max(12, LTV_TRAILING_MONTHS)


class Moment(Protocol):
    """What a figure request says (``app.metrics.MetricsRequest``, which sits above this layer)."""

    @property
    def now(self) -> dt.datetime: ...

    @property
    def month(self) -> dt.date | None: ...


@dataclass(frozen=True)
class Targets:
    monthly_churn_max_pct: float
    ltv_min: float  # reporting currency units (not minor units)


@dataclass(frozen=True)
class RevenueFigures:
    """Everything the revenue screen shows; amounts in minor units of ``currency``."""

    as_of: dt.datetime
    month: dt.date
    currency: str
    policies: list[str]
    targets: Targets
    current: MonthFigures
    months: list[MonthFigures]  # the chart: ``CHART_MONTHS`` months ending with ``month``
    cohorts: Cohorts
    at_risk: list[AtRisk]
    reconciliation: Reconciliation
    not_converted: list[Unconverted] = field(default_factory=list)


@dataclass(frozen=True)
class MrrMonth:
    """MRR at a month's end (now, for the current month) in the reporting currency, and who pays it."""

    month: dt.date
    mrr_cents: float
    customers: int  # paying ones (and free ones when the policy counts them)
    currency: str
    not_converted: list[Unconverted] = field(default_factory=list)


def _as_of(now: dt.datetime, month: dt.date | None) -> tuple[dt.date, dt.datetime]:
    """The month reported and the moment it is seen from: its end, or now for the current (or a future) month."""
    target = month or month_of(now)
    end = dt.datetime.combine(add_months(target, 1), dt.time())
    return target, min(now, end)


def _accounts(conn: Connection, policy: Policy, now: dt.datetime,
              cache: MovementCache | None) -> Sequence[Account]:
    if cache is not None:
        return cache.accounts(conn, policy, now)
    return movements.accounts(conn, policy, now)


def _rates(conn: Connection, policy: Policy) -> Rates:
    return load_rates(conn, policy.reporting_currency, policy.fallback_rates)


def revenue_figures(conn: Connection, settings: Settings, request: Moment,
                    cache: MovementCache | None = None) -> RevenueFigures:
    """The figure set ``revenue``: as of ``request.now``, for ``request.month`` (this month when None).

    Bulk work at 100,000 customers (every history replayed, every live
    subscription reconciled), so no collection runs meanwhile: the window
    collects on its GUI thread, and walking this work's short-lived rows
    there took 45-140 ms per collection (see ``app.collector``).
    """
    with collector.paused():
        return _revenue_figures(conn, settings, request, cache)


def _revenue_figures(conn: Connection, settings: Settings, request: Moment,
                     cache: MovementCache | None) -> RevenueFigures:
    now = request.now
    month, as_of = _as_of(now, request.month)
    policy = Policy.from_settings(settings)
    rates = _rates(conn, policy)
    accounts = _accounts(conn, policy, now, cache)
    series = aggregate(accounts, rates, months_up_to(month, HISTORY_MONTHS), as_of, policy.trial_conversion_days,
                       outcomes_until=now)
    chart = series[-CHART_MONTHS:]
    current = chart[-1]
    return RevenueFigures(
        as_of=as_of,
        month=month,
        currency=policy.reporting_currency,
        policies=policy.describe(),
        targets=Targets(settings.kpi.monthly_churn_pct, settings.kpi.ltv_min),
        current=current,
        months=chart,
        cohorts=cohorts(accounts, rates, months_up_to(month, CHART_MONTHS), as_of),
        at_risk=at_risk(conn, now, settings, rates),
        reconciliation=reconcile(conn, now, rates),
        not_converted=current.not_converted,
    )


def mrr_by_month(conn: Connection, settings: Settings, months: Sequence[dt.date],
                 now: dt.datetime | None = None) -> dict[dt.date, MrrMonth]:
    """MRR (reporting currency) and paying customers at the end of each of ``months`` (first days).

    For unit economics and reports: the same movements and rates as the
    revenue screen, so the numbers agree with it.
    """
    if not months:
        return {}
    now = now or utcnow()
    policy = Policy.from_settings(settings)
    wanted = sorted({dt.date(m.year, m.month, 1) for m in months})
    span = (wanted[-1].year - wanted[0].year) * 12 + wanted[-1].month - wanted[0].month + 1
    series = aggregate(_accounts(conn, policy, now, None), _rates(conn, policy), months_up_to(wanted[-1], span),
                       now, policy.trial_conversion_days)
    by_month = {f.month: f for f in series}
    return {m: MrrMonth(m, by_month[m].mrr, by_month[m].customers, policy.reporting_currency,
                        by_month[m].not_converted) for m in wanted}
