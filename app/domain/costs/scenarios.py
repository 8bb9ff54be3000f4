"""The seed's planning tables: growth scenarios projecting customers, MRR and costs, and the scaling cost table.

Rule (docs/metrics.md § Costs, "Growth scenarios"), from today's figures --
active users U₀ (average daily active users of the last 30 days), paying
customers C₀, MRR₀ (so ARPA = MRR₀ ÷ C₀) and cloud cost K₀ (this month's
forecast) -- for each month n = 1…12 of a scenario (growth g, conversion c,
churn r):

* users Uₙ = Uₙ₋₁ × (1 + g);
* customers Cₙ = Cₙ₋₁ × (1 − r) + c × (Uₙ − Uₙ₋₁): new users convert, payers churn;
* MRR = Cₙ × ARPA;
* cloud cost Kₙ = K₀ × S(Uₙ ÷ U₀), S the scaling table's total at that load
  relative to its total today: linear between 1×, 2× and 3× capacity,
  extended past them with the nearest segment's slope (never below 0);
* margin = (MRR − Kₙ) ÷ MRR.

Without usage figures the load is Cₙ ÷ C₀ instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from app.config.settings import GrowthScenario, PlanningSettings, ScalingCost
from app.domain.costs.months import add_months, month_start
from app.store.schema import UsageDaily

USAGE_DAYS = 30
_U = UsageDaily.__table__.c


@dataclass(frozen=True)
class PlanningBase:
    """Today's figures the scenarios start from."""

    month: dt.date  # the month the projection follows
    active_users: float
    paying_customers: int
    mrr_cents: float
    cloud_cost_micros: int  # this month's forecast


@dataclass(frozen=True)
class ProjectedMonth:
    month: dt.date
    users: float
    customers: float
    mrr_cents: float
    cloud_cost_micros: int
    margin: float | None


@dataclass(frozen=True)
class Projection:
    scenario: GrowthScenario
    months: tuple[ProjectedMonth, ...]


def active_users(conn: Connection) -> float:
    """Average daily active users over the last ``USAGE_DAYS`` days with usage figures (0 without any)."""
    newest = conn.execute(select(func.max(_U.day))).scalar_one()
    if newest is None:
        return 0.0
    since = newest - dt.timedelta(days=USAGE_DAYS - 1)
    average = conn.execute(select(func.avg(_U.active_users)).where(_U.day.between(since, newest))).scalar_one()
    return float(average or 0.0)


def _total(scaling: Sequence[ScalingCost], column: str) -> float:
    return sum(float(getattr(row, column)) for row in scaling)


def scale(scaling: Sequence[ScalingCost], load: float) -> float:
    """The scaling table's cost at ``load`` × today's capacity, relative to today's (1.0 at load 1)."""
    points = [(1.0, _total(scaling, "current")), (2.0, _total(scaling, "doubled")), (3.0, _total(scaling, "tripled"))]
    base = points[0][1]
    if base <= 0:
        return max(load, 0.0)
    (x0, y0), (x1, y1) = points[:2] if load < 2 else points[1:]
    value = y0 + (y1 - y0) * (load - x0) / (x1 - x0)
    return max(value, 0.0) / base


def project(base: PlanningBase, scenario: GrowthScenario, scaling: Sequence[ScalingCost],
            months: int) -> Projection:
    arpa = base.mrr_cents / base.paying_customers if base.paying_customers else 0.0
    users, customers = base.active_users, float(base.paying_customers)
    rows = []
    for n in range(1, months + 1):
        grown = users * (1 + scenario.user_growth)
        customers = customers * (1 - scenario.churn) + scenario.conversion * (grown - users)
        users = grown
        if base.active_users > 0:
            load = users / base.active_users
        else:
            load = customers / base.paying_customers if base.paying_customers else 1.0
        mrr = customers * arpa
        cost = round(base.cloud_cost_micros * scale(scaling, load))
        margin = (mrr * 10_000 - cost) / (mrr * 10_000) if mrr > 0 else None
        rows.append(ProjectedMonth(add_months(month_start(base.month), n), users, customers, mrr, cost, margin))
    return Projection(scenario, tuple(rows))


def projections(base: PlanningBase, planning: PlanningSettings) -> tuple[Projection, ...]:
    return tuple(project(base, s, planning.scaling, planning.months) for s in planning.scenarios)


@dataclass(frozen=True)
class ScalingRow:
    """One line of the scaling cost table (``item`` "total" adds them up), in micro-dollars a month."""

    item: str
    current_micros: int
    doubled_micros: int
    tripled_micros: int


def scaling_table(scaling: Sequence[ScalingCost]) -> tuple[ScalingRow, ...]:
    def micros(value: float) -> int:
        return round(value * 1_000_000)

    rows = [ScalingRow(r.item, micros(r.current), micros(r.doubled), micros(r.tripled)) for r in scaling]
    rows.append(ScalingRow("total", sum(r.current_micros for r in rows), sum(r.doubled_micros for r in rows),
                           sum(r.tripled_micros for r in rows)))
    return tuple(rows)
