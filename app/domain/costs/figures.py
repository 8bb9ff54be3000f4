"""Every number of the Costs pane for one month, from one function: ``month_data``.

It serves the pane (through ``cost_overview``, which adds the chart series),
the reports and ``opsconsole metrics costs --json [--month]`` (the figure set
``costs``, ``app.metrics.costs``), so the three agree for the same cache and
moment.  The month is the one asked
for, else the month of ``now`` when it has costs, else the newest month with
costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from app.clock import utcnow
from app.config.settings import Settings
from app.domain.costs import anomalies as anomaly_rule
from app.domain.costs import budgets as budget_rule
from app.domain.costs import economics, scenarios, store
from app.domain.costs import forecast as forecast_rule
from app.domain.costs.anomalies import Anomaly
from app.domain.costs.budgets import TOTAL, BudgetLimit
from app.domain.costs.economics import UnitEconomics
from app.domain.costs.forecast import LOOKBACK, ServiceForecast
from app.domain.costs.months import add_months, month_end, month_start, months
from app.domain.costs.scenarios import PlanningBase, Projection, ScalingRow
from app.domain.costs.store import DailySeries

HISTORY_MONTHS = 13  # how far back the charts and unit economics reach, the chosen month included


@dataclass(frozen=True)
class CostLine:
    """One row of the month: a service, or ``total`` for the business, against its budget."""

    service: str
    mtd_micros: int  # EffectiveCost month to date
    billed_micros: int  # BilledCost month to date (before credits)
    budget: BudgetLimit | None
    ratio: float | None
    level: str
    forecast_micros: int
    forecast_low_micros: int  # the 80 % interval
    forecast_high_micros: int
    forecast_ratio: float | None
    forecast_level: str
    last_day: dt.date | None  # the last day with figures (the service's own)
    runs_out: dt.date | None  # the burn-down date: the budget is reached on this day at this pace
    ran_out: bool  # … and has been, by the figures


@dataclass(frozen=True)
class CostFigures:
    """Everything the Costs pane says about one month (figure set ``costs``)."""

    month: dt.date | None  # None: no costs in the cache at all
    months: tuple[dt.date, ...]  # months with costs, newest first
    as_of: dt.date | None  # the newest day with figures in the month
    budgets_origin: str  # synced | settings
    lines: tuple[CostLine, ...]  # per service, biggest spend first
    total: CostLine | None
    other_currencies: tuple[tuple[str, int], ...]  # (currency, micros): never summed into USD
    anomalies: tuple[Anomaly, ...]  # of the month, newest first
    unit_economics: tuple[UnitEconomics, ...]  # the 13 months up to the month
    planning: PlanningBase | None
    scenarios: tuple[Projection, ...]
    scaling: tuple[ScalingRow, ...]

    def line(self, service: str) -> CostLine | None:
        if service == TOTAL:
            return self.total
        return next((line for line in self.lines if line.service == service), None)


def _line(service: str, parts: list[ServiceForecast], billed: int, budget: BudgetLimit | None,
          month: dt.date) -> CostLine:
    combined = forecast_rule.combine(parts)
    burn = forecast_rule.burn_down(parts, month, budget.monthly_micros if budget else None)
    last = max((p.as_of for p in parts if p.as_of is not None), default=None)
    return CostLine(
        service, combined.mtd_micros, billed, budget, budget_rule.ratio(combined.mtd_micros, budget),
        budget_rule.level(combined.mtd_micros, budget), combined.forecast_micros, combined.low_micros,
        combined.high_micros, budget_rule.ratio(combined.forecast_micros, budget),
        budget_rule.level(combined.forecast_micros, budget), last, burn.day, burn.reached,
    )


def _chosen_month(
    conn: Connection, asked: dt.date | None, now: dt.datetime
) -> tuple[dt.date | None, tuple[dt.date, ...]]:
    newest, oldest = store.newest_and_oldest(conn)
    if newest is None or oldest is None:
        return None, ()
    available = tuple(reversed(months(oldest, newest)))
    if asked is not None:
        return month_start(asked), available
    this = month_start(now.date())
    return (this if store.has_costs_in(conn, this, month_end(this)) else month_start(newest)), available


@dataclass(frozen=True)
class MonthData:
    """The month's figures and what the chart draws beside them."""

    figures: CostFigures
    forecasts: dict[str, ServiceForecast]


def month_data(conn: Connection, settings: Settings, month: dt.date | None, now: dt.datetime) -> MonthData:
    chosen, available = _chosen_month(conn, month, now)
    budgets = budget_rule.load_budgets(conn, settings.budgets)
    origin = next(iter(budgets.values())).origin if budgets else budget_rule.SETTINGS
    if chosen is None:
        empty = CostFigures(None, (), None, origin, (), None, (), (), (), None, (),
                            scenarios.scaling_table(settings.planning.scaling))
        return MonthData(empty, {})
    first, last = chosen, month_end(chosen)
    by_service = store.service_days(conn, first - dt.timedelta(days=LOOKBACK), last)
    forecasts = forecast_rule.forecasts(by_service, chosen)
    billed = store.billed_by_service(conn, first, last)
    names = (set(billed) | {s for s, f in forecasts.items() if f.as_of is not None} | set(budgets)) - {TOTAL}
    lines = sorted(
        (_line(s, [forecasts[s]] if s in forecasts else [], billed.get(s, 0), budgets.get(s), chosen) for s in names),
        key=lambda line: (-line.mtd_micros, line.service),
    )
    total = _line(TOTAL, list(forecasts.values()), sum(billed.values()), budgets.get(TOTAL), chosen)
    history = months(add_months(chosen, 1 - HISTORY_MONTHS), chosen)
    monthly = store.monthly_by_service(conn, history[0], last)
    costs = {m: sum(monthly.get(m, {}).values()) for m in history}
    in_progress = chosen if total.last_day is not None and total.last_day < last else None
    if in_progress is not None:
        costs[in_progress] = total.forecast_micros
    revenue = economics.revenue_by_month(conn, settings, history, now)
    base = PlanningBase(chosen, scenarios.active_users(conn), revenue[chosen].paying_customers,
                        revenue[chosen].mrr_cents, total.forecast_micros)
    figures = CostFigures(
        month=chosen,
        months=available,
        as_of=total.last_day,
        budgets_origin=origin,
        lines=tuple(lines),
        total=total,
        other_currencies=store.other_currencies(conn, first, last),
        anomalies=anomaly_rule.anomalies(conn, first, last, settings.costs),
        unit_economics=economics.unit_economics(costs, revenue, in_progress),
        planning=base,
        scenarios=scenarios.projections(base, settings.planning),
        scaling=scenarios.scaling_table(settings.planning.scaling),
    )
    return MonthData(figures, forecasts)


@dataclass(frozen=True)
class CostOverview:
    """What the Costs pane draws for one month, computed in one worker job."""

    figures: CostFigures
    forecasts: dict[str, ServiceForecast]  # per service: the cumulative chart's path
    series: DailySeries  # 13 months of daily spend per service
    monthly: dict[dt.date, dict[str, int]]  # the stacked monthly view


def cost_overview(engine: Engine, settings: Settings, month: dt.date | None = None,
                  now: dt.datetime | None = None) -> CostOverview:
    now = now or utcnow()
    with engine.connect() as conn:
        data = month_data(conn, settings, month, now)
        chosen = data.figures.month
        if chosen is None:
            return CostOverview(data.figures, {}, DailySeries(), {})
        start = add_months(chosen, 1 - HISTORY_MONTHS)
        series = store.daily_series(conn, start, month_end(chosen))
        monthly = store.monthly_by_service(conn, start, month_end(chosen))
    return CostOverview(data.figures, data.forecasts, series, monthly)
