"""The Costs tab's small tables as cells: the month against budgets, anomalies, unit economics, planning.

Rows come from ``app.domain.costs.figures`` (one ``CostFigures``); this module
turns them into cells -- money, shares, the warning/critical tint, a swatch of
the chart colour and a tooltip with the arithmetic -- for ``SummaryTable``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

from PySide6.QtGui import QColor

from app.domain.costs import budgets, forecast
from app.domain.costs.figures import CostFigures, CostLine
from app.domain.costs.scenarios import ProjectedMonth
from ui import formatting as fmt
from ui.widgets.palette import AMBER, CRITICAL_TINT, GREEN, GREY, RED, WARNING_TINT, brush
from ui.widgets.summary_table import Cell

LEVEL_TINTS = {budgets.WARNING: WARNING_TINT, budgets.CRITICAL: CRITICAL_TINT}  # live colours: they follow the theme

FORECAST_TIP = (
    "Forecast for the month end, per service from its own last day with figures: spend so far plus its "
    f"average daily spend of the last {forecast.RUN_RATE_DAYS} days, times the days not billed yet.\n"
    "A source that publishes late is projected over the days it has not sent, not counted as zero."
)
RANGE_TIP = (
    "80 % interval of the month-end forecast: ± 1.28 × the daily spread (standard deviation of the last "
    f"{forecast.SPREAD_DAYS} days) × √(days left). Never below what is already spent."
)
# (title, tooltip) of the summary columns
SUMMARY_COLUMNS = (
    ("Service", "Cost service; Total is the whole business against its own budget"),
    ("Month to date", "Effective cost (after credits and discounts) from the 1st to the last day with figures, USD"),
    ("Budget", "Monthly budget in USD (from the Ops API when synced, else from Settings)"),
    ("% of budget",
     "Month-to-date spend as a share of the budget: amber from the warning share, red from the critical one"),
    ("Forecast", FORECAST_TIP),
    ("80 % range", RANGE_TIP),
    ("Forecast %", "The month-end forecast as a share of the budget\n\n" + FORECAST_TIP),
    ("Runs out", ("The day the budget is used up at this pace (the forecast path reaching it); "
                  "— when it lasts the month")),
    ("Data to", "The last day with figures for this service: billing exports arrive a day or more late"),
)
NUMBERS = frozenset(range(1, 9))


def service_name(service: str) -> str:
    """How a summary row is called: the services by their name, the total as "Total"."""
    return "Total" if service == budgets.TOTAL else service


def _level_tip(line: CostLine, amount: int, what: str) -> str:
    budget = line.budget
    if budget is None or budget.monthly_micros <= 0:
        return f"{service_name(line.service)}: no budget"
    return (
        f"{service_name(line.service)}: {what} is {fmt.share(budgets.ratio(amount, budget))} "
        f"of the {fmt.micros(budget.monthly_micros)} budget — {budgets.level(amount, budget)} "
        f"(warning from {budget.warn_ratio:.0%}, critical from {budget.critical_ratio:.0%}; "
        f"budget from {budget.origin})"
    )


def _runs_out(line: CostLine) -> str:
    if line.runs_out is None:
        return fmt.MISSING
    return fmt.short_day(line.runs_out) + (" (reached)" if line.ran_out else "")


def summary_rows(figures: CostFigures, colors: Mapping[str, QColor]) -> tuple[list[list[Cell]], list[Hashable]]:
    """The month's rows (services, then the total) and each row's service."""
    lines = [*figures.lines, *([figures.total] if figures.total else [])]
    rows = []
    for line in lines:
        actual_tip = _level_tip(line, line.mtd_micros, "spend so far")
        if line.billed_micros != line.mtd_micros:
            actual_tip += (f"\nBilled {fmt.micros(line.billed_micros)} before credits and discounts "
                           f"({fmt.micros(line.mtd_micros - line.billed_micros)})")
        forecast_tip = _level_tip(line, line.forecast_micros, "the forecast") + "\n\n" + FORECAST_TIP
        columns = (
            (service_name(line.service), None, ""),
            (fmt.micros(line.mtd_micros), line.level, actual_tip),
            (fmt.micros(line.budget.monthly_micros if line.budget else None), None, actual_tip),
            (fmt.share(line.ratio), line.level, actual_tip),
            (fmt.micros(line.forecast_micros), line.forecast_level, forecast_tip),
            (fmt.micros_range(line.forecast_low_micros, line.forecast_high_micros), None, RANGE_TIP),
            (fmt.share(line.forecast_ratio), line.forecast_level, forecast_tip),
            (_runs_out(line), line.forecast_level if line.runs_out else None, SUMMARY_COLUMNS[7][1]),
            (fmt.short_day(line.last_day), None, SUMMARY_COLUMNS[8][1]),
        )
        total = line.service == budgets.TOTAL
        rows.append([
            Cell(text, tip=tip, tint=brush(LEVEL_TINTS.get(level or "")), bold=total,
                 swatch=colors.get(line.service) if column == 0 and not total else None)
            for column, (text, level, tip) in enumerate(columns)
        ])
    return rows, [line.service for line in lines]


def caption(figures: CostFigures) -> str:
    """What the figures cover: up to which day, where budgets come from, what is left out."""
    parts = [
        f"Figures up to {fmt.day(figures.as_of)}" if figures.as_of else "No figures for this month yet",
        "effective cost (after credits and discounts), USD",
        "budgets from the Ops API" if figures.budgets_origin == budgets.SYNCED else "budgets from Settings",
    ]
    if figures.other_currencies:
        others = ", ".join(f"{c} {m / 1_000_000:,.2f}" for c, m in figures.other_currencies)
        parts.append(f"not in the USD sums (no exchange rates): {others}")
    return " · ".join(parts)


ANOMALY_COLUMNS = (
    ("Day", "The day whose cost stood out"),
    ("Service", "Cost service"),
    ("Cost", "Effective cost of that day, USD"),
    ("Expected", "The service's usual cost for that weekday: median of the last 28 days, weekday-adjusted"),
    ("Excess", "What the day cost above the expected: the anomaly in dollars"),
    ("Robust z", "Excess in robust standard deviations (1.4826 × MAD); — when the history never varied"),
    ("Status", "Expected: a user marked it as planned (no alert)"),
)
ANOMALY_RULE = (
    "A day is an anomaly when its cost is at least 3.5 robust standard deviations, 25 % and $10 above the "
    "service's weekday-adjusted median of the previous 28 days (thresholds in Settings ▸ Costs)."
)


def anomaly_rows(figures: CostFigures) -> tuple[list[list[Cell]], list[Hashable]]:
    rows = []
    for a in figures.anomalies:
        color = GREY if a.marked_expected else RED
        rows.append([
            Cell(fmt.day(a.day)), Cell(a.service),
            Cell(fmt.micros(a.cost_micros)), Cell(fmt.micros(a.expected_micros)),
            Cell(fmt.micros(a.excess_micros), color=color, bold=not a.marked_expected),
            Cell(fmt.MISSING if a.z is None else f"{a.z:,.1f}"),
            Cell("Expected" if a.marked_expected else "Unexpected", color=color),
        ])
    return rows, [a.key for a in figures.anomalies]


ECONOMICS_COLUMNS = (
    ("Month", "Calendar month; the month in progress uses its cost forecast"),
    ("Cloud cost", "Effective cost of the month, USD (the forecast for the month in progress)"),
    ("MRR", "Monthly recurring revenue at the month's end (now, for the month in progress)"),
    ("Cost per $ MRR", "Cloud cost ÷ MRR: dollars of cloud spent per dollar of recurring revenue"),
    ("Margin after cloud", "(MRR − cloud cost) ÷ MRR"),
    ("Paying customers", "Customers with a paying subscription at the month's end"),
    ("Cost per customer", "Cloud cost ÷ paying customers"),
)


def margin_color(margin: float | None) -> QColor | None:
    if margin is None:
        return None
    return RED if margin < 0.5 else AMBER if margin < 0.7 else GREEN


def economics_rows(figures: CostFigures) -> list[list[Cell]]:
    rows = []
    for m in reversed(figures.unit_economics):
        note = " (forecast)" if m.forecast else ""
        rows.append([
            Cell(f"{m.month:%B %Y}{note}"), Cell(fmt.micros(m.cloud_cost_micros)), Cell(fmt.cents(m.mrr_cents)),
            Cell(fmt.MISSING if m.cost_per_mrr_dollar is None else f"${m.cost_per_mrr_dollar:,.3f}"),
            Cell(fmt.share(m.gross_margin), color=margin_color(m.gross_margin)),
            Cell(f"{m.paying_customers:,}"), Cell(fmt.micros(m.cost_per_customer_micros)),
        ])
    return rows


SHOWN_MONTHS = (0, 2, 5, 11)  # which months of a projection the table shows (and the last one)


def _picked(months: Sequence[ProjectedMonth]) -> list[ProjectedMonth]:
    return [m for i, m in enumerate(months) if i in SHOWN_MONTHS or i == len(months) - 1]


def scenario_columns(figures: CostFigures) -> list[tuple[str, str]]:
    picked = _picked(figures.scenarios[0].months) if figures.scenarios else []
    return [("Scenario", "Monthly user growth, conversion of new users, monthly churn (Settings ▸ Planning)"),
            ("Figure", ""), *((f"{m.month:%b %Y}", f"Projected for {m.month:%B %Y}") for m in picked)]


def scenario_rows(figures: CostFigures) -> list[list[Cell]]:
    """Per scenario four rows -- customers, MRR, cloud cost, margin -- at a few months of the projection."""
    rows = []
    for projection in figures.scenarios:
        s = projection.scenario
        picked = _picked(projection.months)
        head = f"{s.name} ({s.user_growth:.0%} growth, {s.conversion:.0%} conversion, {s.churn:.0%} churn)"
        figures_of: tuple[tuple[str, Callable[[ProjectedMonth], str]], ...] = (
            ("Paying customers", lambda m: f"{round(m.customers):,}"),
            ("MRR", lambda m: fmt.cents(m.mrr_cents)),
            ("Cloud cost", lambda m: fmt.micros(m.cloud_cost_micros)),
            ("Margin after cloud", lambda m: fmt.share(m.margin)),
        )
        for n, (label, shown) in enumerate(figures_of):
            rows.append([Cell(head if n == 0 else "", bold=n == 0), Cell(label),
                         *(Cell(shown(m)) for m in picked)])
    return rows


def planning_caption(figures: CostFigures) -> str:
    base = figures.planning
    if base is None:
        return ""
    return (
        f"From today's figures: {fmt.count(base.active_users, 'active users')} a day, "
        f"{base.paying_customers:,} paying customers, MRR {fmt.cents(base.mrr_cents)}, cloud cost "
        f"{fmt.micros(base.cloud_cost_micros)} this month (forecast). Costs scale with users along the scaling table."
    )


SCALING_COLUMNS = (
    ("Item", "Cost item (Settings ▸ Planning)"),
    ("Current", "Monthly cost at today's capacity, USD"),
    ("Doubled", "Monthly cost at twice the capacity"),
    ("Tripled", "Monthly cost at three times the capacity"),
)


def scaling_rows(figures: CostFigures) -> list[list[Cell]]:
    return [
        [Cell("Total" if r.item == "total" else r.item, bold=r.item == "total"),
         *(Cell(fmt.micros(v), bold=r.item == "total") for v in (r.current_micros, r.doubled_micros,
                                                                  r.tripled_micros))]
        for r in figures.scaling
    ]
