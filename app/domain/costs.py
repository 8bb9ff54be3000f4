"""Cloud costs against their budgets: month to date, a month-end forecast, growth scenarios.

Everything here is pure logic over the cache: the sums are SQL ``GROUP BY``
queries on the indexed ``day`` column, and what comes back is a handful of
small frozen objects, so ``cost_overview`` can run on a worker thread and its
result be handed to the GUI thread as is.

Money stays in integer micro-units (1 USD = 1,000,000) from the cache to the
result; thresholds are compared exactly (``Decimal``), so a service at exactly
80 % of its budget is a warning, not "79.99999 %".

Only ``BUDGET_CURRENCY`` amounts are summed: the cache holds no exchange
rates, and adding euros to dollars would be a wrong number that looks right.
Other currencies are reported in ``MonthSummary.other_currencies`` instead.
Records from different sources (Ops API sync, imported files) are separate
facts and are added up.

**Forecast method** (``forecast_micros``): month-to-date spend plus the
run-rate of the last ``RUN_RATE_DAYS`` days that have figures, times the days
of the month still without figures.  The run-rate window ends at the last day
with figures (billing exports arrive a day late, so "today" would count a day
that simply has not been published yet) and may reach into the previous month
(so the forecast is sensible on the 2nd).  Days in the window for which no
service has any figure are left out of the average rather than counted as zero.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import Connection, Engine, func, select

from app.config.settings import BudgetSettings
from app.store.schema import Budget, CostRecord

OK, WARNING, CRITICAL = "ok", "warning", "critical"
TOTAL = "total"  # the budget (and summary line) of the whole business
BUDGET_CURRENCY = "USD"
MICROS_PER_UNIT = 1_000_000
RUN_RATE_DAYS = 7
HISTORY_MONTHS = 13  # how far back the daily chart reaches, the selected month included
GROWTH_RATES = (Decimal("0.10"), Decimal("0.25"), Decimal("0.50"))
SCENARIO_MONTHS = 3

SYNCED, SETTINGS = "synced", "settings"  # where a budget came from

_C = CostRecord.__table__.c
_B = Budget.__table__.c


# --------------------------------------------------------------------------- months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def days_in_month(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


# --------------------------------------------------------------------------- budgets and levels


@dataclass(frozen=True)
class BudgetLimit:
    """One service's monthly budget and the shares of it that warn and alarm."""

    service: str
    monthly_micros: int
    warn_ratio: float = 0.80
    critical_ratio: float = 0.95
    origin: str = SETTINGS


def level(amount_micros: int, budget: BudgetLimit | None) -> str:
    """``ok``, ``warning`` (≥ warn ratio) or ``critical`` (≥ critical ratio) for a spend.

    Compared in ``Decimal`` so the threshold itself counts: 640 of 800 is a
    warning.  No budget (or a zero one, meaning "not budgeted") is always ``ok``.
    """
    if budget is None or budget.monthly_micros <= 0:
        return OK
    if amount_micros >= budget.monthly_micros * Decimal(str(budget.critical_ratio)):
        return CRITICAL
    if amount_micros >= budget.monthly_micros * Decimal(str(budget.warn_ratio)):
        return WARNING
    return OK


def ratio(amount_micros: int, budget: BudgetLimit | None) -> float | None:
    """Spend as a share of the budget (1.0 = all of it), None without a budget."""
    if budget is None or budget.monthly_micros <= 0:
        return None
    return amount_micros / budget.monthly_micros


def budgets_from_settings(settings: BudgetSettings) -> dict[str, BudgetLimit]:
    """The budgets of the settings file, for when the Ops API has not sent any."""
    dollars = {"firebase": settings.firebase, "anthropic": settings.anthropic, TOTAL: settings.total}
    return {
        service: BudgetLimit(
            service, int(Decimal(str(amount)) * MICROS_PER_UNIT), settings.warn_ratio, settings.critical_ratio, SETTINGS
        )
        for service, amount in dollars.items()
    }


def load_budgets(conn: Connection, fallback: BudgetSettings) -> dict[str, BudgetLimit]:
    """Budgets synced from the Ops API when there are any, else those of the settings.

    All or nothing rather than per service: once the business keeps its budgets
    in the Ops API, that list is the one source of truth, and a service it
    leaves out is one it does not budget.
    """
    rows = conn.execute(select(_B.service, _B.monthly_cents, _B.warn_ratio, _B.critical_ratio)).all()
    if not rows:
        return budgets_from_settings(fallback)
    return {
        r.service: BudgetLimit(r.service, r.monthly_cents * 10_000, r.warn_ratio, r.critical_ratio, SYNCED)
        for r in rows
    }


# --------------------------------------------------------------------------- the month summary


def forecast_micros(mtd_micros: int, window_micros: int, window_days: int, remaining_days: int) -> int:
    """Month-end forecast: MTD + (window spend / window days) × remaining days (see the module doc)."""
    if remaining_days <= 0 or window_days <= 0:
        return mtd_micros
    return mtd_micros + round(Fraction(window_micros * remaining_days, window_days))


@dataclass(frozen=True)
class CostLine:
    """One row of the month summary: a service, or ``TOTAL`` for the business."""

    service: str
    mtd_micros: int
    forecast_micros: int
    budget: BudgetLimit | None

    @property
    def ratio(self) -> float | None:
        return ratio(self.mtd_micros, self.budget)

    @property
    def level(self) -> str:
        return level(self.mtd_micros, self.budget)

    @property
    def forecast_ratio(self) -> float | None:
        return ratio(self.forecast_micros, self.budget)

    @property
    def forecast_level(self) -> str:
        return level(self.forecast_micros, self.budget)


@dataclass(frozen=True)
class MonthSummary:
    """Spend of one month per service and in total, with the facts behind the forecast."""

    month: dt.date  # first day of the month
    as_of: dt.date | None  # last day of the month with figures; None: none yet
    run_rate_days: int  # days with figures in the run-rate window
    lines: tuple[CostLine, ...]  # per service, biggest spend first
    total: CostLine
    other_currencies: tuple[tuple[str, int], ...] = ()  # (currency, micros) left out of the sums

    @property
    def remaining_days(self) -> int:
        return days_left(self.month, self.as_of)

    def line(self, service: str) -> CostLine | None:
        if service == TOTAL:
            return self.total
        return next((line for line in self.lines if line.service == service), None)


def days_left(month: dt.date, as_of: dt.date | None) -> int:
    """Days of ``month`` after ``as_of`` (the last day with figures): what the forecast fills in."""
    return (month_end(month) - as_of).days if as_of else days_in_month(month)


def _sums_by_service(conn: Connection, first: dt.date, last: dt.date) -> dict[str, int]:
    rows = conn.execute(
        select(_C.service, func.sum(_C.amount_micros))
        .where(_C.day.between(first, last), _C.currency == BUDGET_CURRENCY)
        .group_by(_C.service)
    ).all()
    return {service: int(total or 0) for service, total in rows}


def month_summary(conn: Connection, month: dt.date, budgets: dict[str, BudgetLimit]) -> MonthSummary:
    """The summary of ``month`` (any day of it) from the cache, in a few indexed queries."""
    first, last = month_start(month), month_end(month)
    as_of = conn.execute(
        select(func.max(_C.day)).where(_C.day.between(first, last), _C.currency == BUDGET_CURRENCY)
    ).scalar_one()
    mtd = _sums_by_service(conn, first, last)
    window_last = as_of or first - dt.timedelta(days=1)
    window_first = window_last - dt.timedelta(days=RUN_RATE_DAYS - 1)
    window = _sums_by_service(conn, window_first, window_last)
    window_days = conn.execute(
        select(func.count(func.distinct(_C.day))).where(
            _C.day.between(window_first, window_last), _C.currency == BUDGET_CURRENCY
        )
    ).scalar_one()
    others = conn.execute(
        select(_C.currency, func.sum(_C.amount_micros))
        .where(_C.day.between(first, last), _C.currency != BUDGET_CURRENCY)
        .group_by(_C.currency)
        .order_by(_C.currency)
    ).all()
    remaining = days_left(first, as_of)

    services = (set(mtd) | set(budgets)) - {TOTAL}
    lines = [
        CostLine(
            service,
            mtd.get(service, 0),
            forecast_micros(mtd.get(service, 0), window.get(service, 0), window_days, remaining),
            budgets.get(service),
        )
        for service in services
    ]
    lines.sort(key=lambda line: (-line.mtd_micros, line.service))
    # The total is the sum of the lines (the forecast is linear), so the table adds up.
    total = CostLine(
        TOTAL,
        sum(line.mtd_micros for line in lines),
        sum(line.forecast_micros for line in lines),
        budgets.get(TOTAL),
    )
    return MonthSummary(
        first, as_of, window_days, tuple(lines), total, tuple((c, int(m or 0)) for c, m in others)
    )


# --------------------------------------------------------------------------- growth scenarios


@dataclass(frozen=True)
class ProjectedMonth:
    month: dt.date
    amount_micros: int
    ratio: float | None
    level: str


@dataclass(frozen=True)
class Scenario:
    """Spend if costs grow by ``growth`` a month, starting from this month's forecast."""

    growth: Decimal
    months: tuple[ProjectedMonth, ...]


def scenarios(
    line: CostLine, month: dt.date, rates: tuple[Decimal, ...] = GROWTH_RATES, months: int = SCENARIO_MONTHS
) -> tuple[Scenario, ...]:
    """Compound growth from the month-end forecast over the next ``months`` months, per rate."""
    result = []
    for rate in rates:
        projected = []
        for n in range(1, months + 1):
            amount = int((line.forecast_micros * (1 + rate) ** n).to_integral_value())
            projected.append(
                ProjectedMonth(
                    add_months(month_start(month), n), amount, ratio(amount, line.budget), level(amount, line.budget)
                )
            )
        result.append(Scenario(rate, tuple(projected)))
    return tuple(result)


# --------------------------------------------------------------------------- the daily series


@dataclass(frozen=True)
class DailySeries:
    """Daily spend per service on consecutive days (a missing figure is 0), for the chart."""

    days: tuple[dt.date, ...] = ()
    by_service: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def total(self) -> tuple[int, ...]:
        return tuple(map(sum, zip(*self.by_service.values(), strict=True))) if self.by_service else ()


def daily_series(conn: Connection, first: dt.date, last: dt.date) -> DailySeries:
    """Spend per day and service on the days from the first to the last with figures within ``first``…``last``."""
    rows = conn.execute(
        select(_C.day, _C.service, func.sum(_C.amount_micros))
        .where(_C.day.between(first, last), _C.currency == BUDGET_CURRENCY)
        .group_by(_C.day, _C.service)
    ).all()
    if not rows:
        return DailySeries()
    first_seen, last_seen = min(r[0] for r in rows), max(r[0] for r in rows)
    days = tuple(first_seen + dt.timedelta(days=n) for n in range((last_seen - first_seen).days + 1))
    values: dict[str, list[int]] = {}
    for day, service, amount in rows:
        values.setdefault(service, [0] * len(days))[(day - first_seen).days] = int(amount or 0)
    return DailySeries(days, {service: tuple(v) for service, v in sorted(values.items())})


def daily_budget(budget: BudgetLimit, days: tuple[dt.date, ...]) -> tuple[int, ...]:
    """A monthly budget spread evenly over each day's month (the chart's budget line)."""
    return tuple(budget.monthly_micros // days_in_month(day) for day in days)


# --------------------------------------------------------------------------- what the pane asks for


@dataclass(frozen=True)
class CostOverview:
    """Everything the Costs pane shows for one month, computed in one worker job."""

    months: tuple[dt.date, ...]  # months that can be chosen, newest first
    summary: MonthSummary | None  # None: no costs in the cache at all
    series: DailySeries
    budgets: dict[str, BudgetLimit]


def cost_overview(engine: Engine, budget_settings: BudgetSettings, month: dt.date | None = None) -> CostOverview:
    """Summary of ``month`` (default: the newest with costs) and the daily series of 13 months.

    The month list comes from the first and last day with costs: two separate
    queries, because SQLite answers a lone ``min`` or ``max`` from the index but
    scans the table for both at once.
    """
    with engine.connect() as conn:
        budgets = load_budgets(conn, budget_settings)
        first_day = conn.execute(select(func.min(_C.day))).scalar_one()
        last_day = conn.execute(select(func.max(_C.day))).scalar_one()
        if first_day is None:
            return CostOverview((), None, DailySeries(), budgets)
        newest, oldest = month_start(last_day), month_start(first_day)
        count = (newest.year - oldest.year) * 12 + newest.month - oldest.month + 1
        months = tuple(add_months(newest, -n) for n in range(count))
        chosen = month_start(month) if month is not None and oldest <= month_start(month) <= newest else newest
        summary = month_summary(conn, chosen, budgets)
        series = daily_series(conn, add_months(chosen, 1 - HISTORY_MONTHS), month_end(chosen))
    return CostOverview(months, summary, series, budgets)

