"""Unit economics month by month: cloud cost against the revenue it serves.

Rule (docs/metrics.md § Costs, "Unit economics"), for each month:

* cloud cost = the month's EffectiveCost in USD (the month in progress: its
  month-end forecast, marked as such);
* MRR and paying customers at the month's end (now, for the month in progress);
* cost per $ of MRR = cloud cost ÷ MRR; gross margin after cloud costs =
  (MRR − cloud cost) ÷ MRR; cost per paying customer = cloud cost ÷ customers;
  each "—" when its denominator is 0.

MRR comes from ``revenue_by_month``, the one function that reads revenue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from app.config.settings import Settings
from app.domain.revenue import mrr_by_month


@dataclass(frozen=True)
class MonthRevenue:
    mrr_cents: float
    paying_customers: int


def revenue_by_month(
    conn: Connection, settings: Settings, months: Sequence[dt.date], now: dt.datetime
) -> dict[dt.date, MonthRevenue]:
    """MRR and paying customers at the end of each month (at ``now`` for a month not over yet).

    The revenue screen's own figures (``app.domain.revenue.mrr_by_month``: the
    same movements, policies and exchange rates), so a margin here and an MRR
    there never disagree.
    """
    by_month = mrr_by_month(conn, settings, months, now)
    return {m: MonthRevenue(f.mrr_cents, f.customers) for m, f in by_month.items()}


@dataclass(frozen=True)
class UnitEconomics:
    """One month's cloud cost against its revenue."""

    month: dt.date
    cloud_cost_micros: int
    forecast: bool  # the month is not over: its cost is the month-end forecast
    mrr_cents: float
    paying_customers: int
    cost_per_mrr_dollar: float | None  # dollars of cloud cost per dollar of MRR
    gross_margin: float | None  # (MRR − cloud cost) / MRR
    cost_per_customer_micros: int | None


def unit_economics(
    costs: Mapping[dt.date, int], revenue: Mapping[dt.date, MonthRevenue], forecast_month: dt.date | None = None
) -> tuple[UnitEconomics, ...]:
    """The rule above for each month of ``revenue`` (oldest first); ``forecast_month``'s cost is a forecast."""
    rows = []
    for month in sorted(revenue):
        cost = costs.get(month, 0)
        money = revenue[month]
        mrr_micros = money.mrr_cents * 10_000
        rows.append(UnitEconomics(
            month, cost, month == forecast_month, money.mrr_cents, money.paying_customers,
            cost / mrr_micros if mrr_micros > 0 else None,
            (mrr_micros - cost) / mrr_micros if mrr_micros > 0 else None,
            round(cost / money.paying_customers) if money.paying_customers else None,
        ))
    return tuple(rows)
