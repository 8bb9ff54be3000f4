"""The Costs tab's small tables: this month per service against its budget, and the growth scenarios.

Rows come from ``app.domain.costs`` (a ``MonthSummary`` and its scenarios);
this module turns them into cells -- money, shares, the warning/critical
tint and a tooltip with the arithmetic -- for ``SummaryTable``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from PySide6.QtGui import QColor

from app.domain import costs
from app.domain.costs import CostLine, CostOverview, MonthSummary
from ui import formatting as fmt
from ui.widgets.palette import CRITICAL_TINT, WARNING_TINT, brush
from ui.widgets.summary_table import Cell

LEVEL_TINTS = {costs.WARNING: WARNING_TINT, costs.CRITICAL: CRITICAL_TINT}  # live colours: they follow the theme

FORECAST_TIP = (
    f"Forecast for the month end: spend so far plus the average daily spend of the last "
    f"{costs.RUN_RATE_DAYS} days with figures, times the days of the month not billed yet.\n"
    "Billing figures arrive a day late, so the forecast starts from the last day that has them."
)
# (title, tooltip) of the summary columns
SUMMARY_COLUMNS = (
    ("Service", "Cost service; Total is the whole business against its own budget"),
    ("Month to date", "Spend from the 1st to the last day with figures, in USD"),
    ("Budget", "Monthly budget in USD (from the Ops API when synced, else from Settings)"),
    ("% of budget",
     "Month-to-date spend as a share of the budget: amber from the warning ratio, red from the critical one"),
    ("Forecast", FORECAST_TIP),
    ("Forecast %", "The month-end forecast as a share of the budget\n\n" + FORECAST_TIP),
)
SCENARIO_HEAD = ("Monthly growth", "Compound growth per month, applied to the month-end forecast")
NUMBERS = frozenset(range(1, 14))  # every column but the first holds a figure


def service_name(service: str) -> str:
    """How a summary row is called: the services by their name, the total as "Total"."""
    return service.capitalize() if service == costs.TOTAL else service


def _level_tip(line: CostLine, amount: int, what: str) -> str:
    budget = line.budget
    if budget is None or budget.monthly_micros <= 0:
        return f"{line.service}: no budget"
    level = costs.level(amount, budget)
    return (
        f"{line.service}: {what} is {fmt.share(costs.ratio(amount, budget))} "
        f"of the {fmt.micros(budget.monthly_micros)} budget — {level} "
        f"(warning from {budget.warn_ratio:.0%}, critical from {budget.critical_ratio:.0%}; "
        f"budget from {budget.origin})"
    )


def summary_rows(summary: MonthSummary, colors: dict[str, QColor]) -> tuple[list[list[Cell]], list[Hashable]]:
    """The summary's rows (services, then the total) and each row's service."""
    lines = (*summary.lines, summary.total)
    rows = []
    for line in lines:
        texts = (
            service_name(line.service),
            fmt.micros(line.mtd_micros),
            fmt.micros(line.budget.monthly_micros if line.budget else None),
            fmt.share(line.ratio),
            fmt.micros(line.forecast_micros),
            fmt.share(line.forecast_ratio),
        )
        cells = []
        for column, text in enumerate(texts):
            forecast = column >= 4
            level = line.forecast_level if forecast else line.level
            if forecast and level == costs.OK:
                tip = FORECAST_TIP
            elif forecast:
                tip = _level_tip(line, line.forecast_micros, "the forecast")
            else:
                tip = _level_tip(line, line.mtd_micros, "spend so far")
            cells.append(Cell(text, tip=tip, tint=brush(LEVEL_TINTS.get(level)), bold=line.service == costs.TOTAL,
                              swatch=colors.get(line.service) if column == 0 else None))
        rows.append(cells)
    return rows, [line.service for line in lines]


def scenario_months(summary: MonthSummary, line: CostLine) -> list[dt.date]:
    return [m.month for m in costs.scenarios(line, summary.month)[0].months]


def scenario_rows(summary: MonthSummary, line: CostLine) -> list[list[Cell]]:
    """One row per growth rate: the projected spend of each coming month, tinted by its budget level."""
    rows = []
    for scenario in costs.scenarios(line, summary.month):
        cells = [Cell(f"+{scenario.growth:.0%} a month")]
        for month in scenario.months:
            share = f" ({fmt.share(month.ratio)})" if month.ratio is not None else ""
            cells.append(Cell(fmt.micros(month.amount_micros) + share, tint=brush(LEVEL_TINTS.get(month.level)),
                              tip=f"{month.level}: {fmt.micros(month.amount_micros)} in {month.month:%B %Y}"))
        rows.append(cells)
    return rows


def scenario_caption(line: CostLine) -> str:
    budget = f"a budget of {fmt.micros(line.budget.monthly_micros)} a month" if line.budget else "no budget"
    return (
        f"<b>{service_name(line.service)}</b>: if costs grow each month from this month's forecast of "
        f"{fmt.micros(line.forecast_micros)}, against {budget}."
        + (" Select a service in the summary to see its own." if line.service == costs.TOTAL else "")
    )


def caption(summary: MonthSummary, overview: CostOverview) -> str:
    """What the figures cover: up to which day, how many days are forecast, where budgets come from."""
    origin = next(iter(overview.budgets.values())).origin if overview.budgets else costs.SETTINGS
    parts = [
        f"Figures up to {summary.as_of:%d %b %Y}" if summary.as_of else "No figures for this month yet",
        f"forecasting the {summary.remaining_days} day(s) left" if summary.remaining_days else "month complete",
        "budgets from the Ops API" if origin == costs.SYNCED else "budgets from Settings",
    ]
    if summary.other_currencies:
        others = ", ".join(f"{c} {m / 1_000_000:,.2f}" for c, m in summary.other_currencies)
        parts.append(f"not in the USD sums (no exchange rates): {others}")
    return " · ".join(parts)
