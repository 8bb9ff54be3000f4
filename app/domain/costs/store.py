"""What the cost rules read from the store: the daily rollup (``cost_daily``) in US dollars, as plain values.

Every figure of the Costs pane is EffectiveCost (after credits and
discounts) in USD, read from the rollup the triggers keep; amounts in other
currencies are never added to it (there are no exchange rates in the cache)
and are reported beside it.  Each function is one or two indexed queries whose
result grows with days × services of the range asked for, never with the
charges or the lines of the bills behind them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from app.domain.costs.months import days, month_start
from app.store.schema import CostDaily

BUDGET_CURRENCY = "USD"
_D = CostDaily.__table__.c

# service → day → EffectiveCost micros
ServiceDays = dict[str, dict[dt.date, int]]


@dataclass(frozen=True)
class DailySeries:
    """Daily spend per service on consecutive days (a missing figure is 0), for the charts."""

    days: tuple[dt.date, ...] = ()
    by_service: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def total(self) -> tuple[int, ...]:
        return tuple(map(sum, zip(*self.by_service.values(), strict=True))) if self.by_service else ()


def newest_and_oldest(conn: Connection) -> tuple[dt.date | None, dt.date | None]:
    """The last and first day with any cost (two queries: SQLite answers a lone min or max from the index)."""
    newest = conn.execute(select(func.max(_D.day))).scalar_one()
    oldest = conn.execute(select(func.min(_D.day))).scalar_one()
    return newest, oldest


def has_costs_in(conn: Connection, first: dt.date, last: dt.date) -> bool:
    return conn.execute(select(_D.day).where(_D.day.between(first, last)).limit(1)).first() is not None


def service_days(conn: Connection, first: dt.date, last: dt.date) -> ServiceDays:
    """EffectiveCost per service and day (USD) within ``first``…``last``; days without a figure absent."""
    rows = conn.execute(
        select(_D.service_name, _D.day, _D.effective_cost_micros)
        .where(_D.day.between(first, last), _D.billing_currency == BUDGET_CURRENCY)
    ).all()
    result: ServiceDays = defaultdict(dict)
    for service, day, micros in rows:
        result[service][day] = int(micros)
    return dict(result)


def billed_by_service(conn: Connection, first: dt.date, last: dt.date) -> dict[str, int]:
    """BilledCost per service (USD) within the range: what the invoices say, before credits."""
    rows = conn.execute(
        select(_D.service_name, func.sum(_D.billed_cost_micros))
        .where(_D.day.between(first, last), _D.billing_currency == BUDGET_CURRENCY)
        .group_by(_D.service_name)
    ).all()
    return {service: int(total or 0) for service, total in rows}


def other_currencies(conn: Connection, first: dt.date, last: dt.date) -> tuple[tuple[str, int], ...]:
    """(currency, EffectiveCost micros) of the range in currencies other than USD: shown apart, never summed."""
    rows = conn.execute(
        select(_D.billing_currency, func.sum(_D.effective_cost_micros))
        .where(_D.day.between(first, last), _D.billing_currency != BUDGET_CURRENCY)
        .group_by(_D.billing_currency).order_by(_D.billing_currency)
    ).all()
    return tuple((currency, int(total or 0)) for currency, total in rows)


def daily_series(conn: Connection, first: dt.date, last: dt.date) -> DailySeries:
    """Spend per day and service from the first to the last day with figures within ``first``…``last``."""
    by_day = service_days(conn, first, last)
    seen = [day for values in by_day.values() for day in values]
    if not seen:
        return DailySeries()
    span = tuple(days(min(seen), max(seen)))
    return DailySeries(span, {s: tuple(v.get(d, 0) for d in span) for s, v in sorted(by_day.items())})


def monthly_by_service(conn: Connection, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, int]]:
    """EffectiveCost (USD) per month and service for the months from ``first``'s to ``last``'s."""
    month = func.substr(_D.day, 1, 7)
    rows = conn.execute(
        select(month, _D.service_name, func.sum(_D.effective_cost_micros))
        .where(_D.day.between(month_start(first), last), _D.billing_currency == BUDGET_CURRENCY)
        .group_by(month, _D.service_name)
    ).all()
    result: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for text, service, total in rows:
        result[dt.date.fromisoformat(f"{text}-01")][service] = int(total or 0)
    return dict(result)
