"""Cohorts by month of first payment: how many customers stay, and how much of their MRR, month after month.

ChartMogul's cohort analyses (``docs/metrics.md`` § Revenue, "Cohorts"): an
account joins the cohort of the month it first paid (trials before it do not
count).  *Customer retention* at month k is the share of the cohort active at
the end of the k-th month after the cohort's (a churned customer who comes
back counts again); *net MRR retention* is the cohort's MRR at that month's
end (expansion and reactivation add, contraction and churn take away) over
the MRR it started with (its new business).  Month 0 is the cohort's own
month.  An account whose currency has no rate counts in customer retention
but not in MRR retention.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.revenue.fx import Rates, code
from app.domain.revenue.monthly import add_months
from app.domain.revenue.movements import CHURN, DAY, NEW, REACTIVATION, Account, each_move, to_ts

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class CohortRow:
    month: dt.date
    customers: int
    mrr: float  # new business MRR of the cohort, reporting minor units (converted accounts only)
    customer_retention_pct: list[float | None]  # index k: k months after; None: not reached yet
    mrr_retention_pct: list[float | None]


@dataclass(frozen=True)
class Cohorts:
    span: int  # months followed
    rows: list[CohortRow]


def cohorts(accounts: Sequence[Account], rates: Rates, months: Sequence[dt.date], now: dt.datetime) -> Cohorts:
    """One row per month of ``months`` (oldest first): its cohort followed up to the last month."""
    size = len(months)
    starts = [to_ts(dt.datetime.combine(m, dt.time())) for m in months]
    now_ts = to_ts(now)
    last_end = min(to_ts(dt.datetime.combine(add_months(months[-1], 1), dt.time())), now_ts)
    counts = [0] * size
    base = [0.0] * size
    active = [[0] * size for _ in range(size)]  # [cohort][month]: change in active accounts
    native: dict[int, dict[str, list[float]]] = defaultdict(dict)  # cohort → currency → deltas per month
    codes: dict[str | None, str] = {}
    reporting = rates.reporting
    for _customer, native_currency, moves, _trials, first_paid, first_paid_mrr, _valid_until in accounts:
        if first_paid is None or not starts[0] <= first_paid < last_end:
            continue
        cohort = bisect.bisect_right(starts, first_paid) - 1
        currency = codes.get(native_currency)
        if currency is None:
            currency = codes[native_currency] = code(native_currency)
        counts[cohort] += 1
        active[cohort][cohort] += 1
        factor = 1.0 if currency == reporting else rates.factor(currency, first_paid // DAY + _EPOCH_ORDINAL)
        if factor is not None:
            base[cohort] += first_paid_mrr * factor
        deltas = native[cohort].get(currency)
        if deltas is None:
            deltas = native[cohort][currency] = [0.0] * size
        for at, kind, before, after in each_move(moves):
            if at < first_paid:
                continue
            if at >= last_end:
                break
            month = bisect.bisect_right(starts, at) - 1
            deltas[month] += after - before if at > first_paid else after
            if at > first_paid:
                active[cohort][month] += 1 if kind in (NEW, REACTIVATION) else -1 if kind == CHURN else 0
    ends = [min(to_ts(dt.datetime.combine(add_months(m, 1), dt.time())), now_ts) for m in months]
    end_factors: dict[tuple[str, int], float | None] = {}
    rows = []
    for c in range(size):
        followed = min(size - c, size)
        people, money = [], []
        running_active = 0
        running: dict[str, float] = defaultdict(float)
        own = native.get(c, {})
        for k in range(followed):
            month = c + k
            running_active += active[c][month]
            value = 0.0
            for currency, deltas in own.items():
                running[currency] += deltas[month]
                key = (currency, month)
                if key not in end_factors:
                    end_factors[key] = rates.factor(currency, (ends[month] - 1) // DAY + _EPOCH_ORDINAL)
                factor = end_factors[key]
                if factor is not None:
                    value += running[currency] * factor
            people.append(100.0 * running_active / counts[c] if counts[c] else None)
            money.append(100.0 * value / base[c] if base[c] else None)
        rows.append(CohortRow(months[c], counts[c], base[c], people, money))
    return Cohorts(size, rows)
