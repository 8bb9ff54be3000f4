"""Report sections of the revenue and costs figure sets: MRR and its movements, churn, cohorts, spend and margin.

Every value is read from ``revenue`` (``app.domain.revenue``) or ``costs``
(``app.metrics.costs``) for the report's moment and month; this module only
chooses what a kind of report shows and writes it with ``app.reports.fmt``.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.costs.economics import UnitEconomics
from app.domain.costs.figures import CostFigures
from app.domain.revenue.figures import RevenueFigures
from app.domain.revenue.monthly import MonthFigures
from app.reports import MONTHLY, fmt
from app.reports.inputs import Inputs, band
from app.reports.model import Cell, Chart, Figure, Section, Series, Table

REVENUE, COSTS = "revenue", "costs"
CHART_MONTHS = 12
COHORT_ROWS, COHORT_MONTHS = 12, 6


def _money(f: RevenueFigures, minor: float | None) -> Cell:
    return Cell(fmt.money(minor, f.currency), None if minor is None else round(minor / 100, 2))


def _pct(value: float | None, places: int = 1) -> Cell:
    return Cell(fmt.percent(value, places), None if value is None else round(value, places))


def mrr_figure(f: RevenueFigures) -> Figure:
    cur = f.current
    return Figure("MRR", fmt.money(cur.mrr, f.currency), note=f"{fmt.percent(cur.mom_growth_pct)} on last month")


def churn_figure(f: RevenueFigures) -> Figure:
    value, target = f.current.customer_churn_pct, f.targets.monthly_churn_max_pct
    return Figure("Customer churn", fmt.percent(value, 2), f"≤ {fmt.percent(target)}",
                  band(value, target, higher_is_better=False, warning_margin=target / 2),
                  f"{f.current.churned_customers} of {f.current.customers_start} customers")


def revenue_headline(inputs: Inputs) -> tuple[Figure, ...]:
    f: RevenueFigures = inputs.figures("revenue")
    return (mrr_figure(f), churn_figure(f))


def revenue_section(inputs: Inputs) -> Section:
    f: RevenueFigures = inputs.figures("revenue")
    cur = f.current
    figures = (
        mrr_figure(f),
        Figure("ARR", fmt.money(cur.arr, f.currency)),
        Figure("Net new MRR", fmt.money(cur.net_new_mrr, f.currency)),
        Figure("Paying customers", fmt.count(cur.customers), note=f"{cur.new_customers} new, "
                                                                   f"{cur.churned_customers} churned"),
        churn_figure(f),
        Figure("Net revenue retention", fmt.percent(cur.nrr_pct)),
        Figure("Trial conversion", fmt.percent(cur.trial_conversion_pct),
               note=f"{cur.trials_converted} of {cur.trials_started} trials"),
        Figure("ARPA", fmt.money(cur.arpa, f.currency)),
    )
    heading = ("Movement", f"Amount ({f.currency})")
    movements = Table("mrr_movements", f"MRR movements, {cur.month:%B %Y}", heading, tuple(
        (Cell(label), _money(f, value)) for label, value in (
            ("MRR at the start", cur.mrr_start), ("New", cur.new_mrr), ("Expansion", cur.expansion_mrr),
            ("Contraction", -cur.contraction_mrr), ("Churn", -cur.churn_mrr),
            ("Reactivation", cur.reactivation_mrr), ("Exchange rates", cur.fx_impact), ("MRR now", cur.mrr))))
    months = f.months[-CHART_MONTHS:]
    chart = Chart(f"MRR, last {len(months)} months ({f.currency})", "line", tuple(f"{m.month:%b %y}" for m in months),
                  (Series("MRR", tuple(m.mrr / 100 for m in months)),), f.currency)
    tables = [movements]
    if inputs.period.kind == MONTHLY:
        tables.append(_monthly_table(f, months))
        tables.append(_cohort_table(f))
    elif f.at_risk:
        tables.append(_at_risk_table(f))
    return Section(REVENUE, "Revenue and conversion", REVENUE, figures, tuple(tables), (chart,),
                   tuple(f"Policy: {p}" for p in f.policies))


def _monthly_table(f: RevenueFigures, months: Sequence[MonthFigures]) -> Table:
    columns = ("Month", f"MRR ({f.currency})", "Growth", "New customers", "Churned", "Churn", "NRR")
    rows = tuple((Cell(f"{m.month:%b %Y}"), _money(f, m.mrr), _pct(m.mom_growth_pct),
                  Cell(fmt.count(m.new_customers), m.new_customers),
                  Cell(fmt.count(m.churned_customers), m.churned_customers), _pct(m.customer_churn_pct),
                  _pct(m.nrr_pct)) for m in reversed(months))
    return Table("mrr_by_month", "Revenue by month", columns, rows)


def _cohort_table(f: RevenueFigures) -> Table:
    columns = ("Cohort", "Customers", *(f"Month {k}" for k in range(COHORT_MONTHS)))
    rows = tuple((Cell(f"{r.month:%b %Y}"), Cell(fmt.count(r.customers), r.customers),
                  *(_retention(r.customer_retention_pct, k) for k in range(COHORT_MONTHS)))
                 for r in reversed(f.cohorts.rows[-COHORT_ROWS:]) if r.customers)
    return Table("cohorts", "Cohorts: customers still paying, by month after the first payment", columns, rows)


def _retention(values: list[float | None], k: int) -> Cell:
    return _pct(values[k], 0) if k < len(values) else Cell(fmt.MISSING)


def _at_risk_table(f: RevenueFigures) -> Table:
    rows = tuple((Cell(r.name), _money(f, r.mrr), Cell(", ".join(s.name for s in r.signals)))
                 for r in f.at_risk[:10])
    columns = ("Customer", f"MRR ({f.currency})", "Signals")
    return Table("at_risk", f"Customers at risk ({len(f.at_risk)})", columns, rows)


# --------------------------------------------------------------------------- costs


def _usd(micros: int | None) -> Cell:
    return Cell(fmt.micros(micros), None if micros is None else round(micros / 1_000_000, 2))


def cost_figure(f: CostFigures) -> Figure:
    total = f.total
    if total is None:
        return Figure("Cloud cost to date", fmt.MISSING, note="no costs in the cache")
    limit = total.budget.monthly_micros if total.budget else None
    return Figure("Cloud cost to date", fmt.micros(total.mtd_micros),
                  f"forecast ≤ {fmt.micros(limit)}" if limit else "",
                  band(total.forecast_micros, limit, higher_is_better=False, warning_margin=0.05 * limit)
                  if limit else "",
                  f"forecast {fmt.micros(total.forecast_micros)} by month end")


def _economics(f: CostFigures) -> UnitEconomics | None:
    return next((u for u in reversed(f.unit_economics) if u.month == f.month), None)


def margin_figure(f: CostFigures) -> Figure:
    unit = _economics(f)
    value = None if unit is None else unit.gross_margin
    return Figure("Gross margin (cloud)", fmt.share(value, 1),
                  note="month-end forecast" if unit is not None and unit.forecast else "")


def costs_headline(inputs: Inputs) -> tuple[Figure, ...]:
    f: CostFigures = inputs.figures("costs")
    return (cost_figure(f), margin_figure(f))


def costs_section(inputs: Inputs) -> Section:
    f: CostFigures = inputs.figures("costs")
    figures = [cost_figure(f), margin_figure(f)]
    if f.total is not None and f.total.budget is not None:
        figures.append(Figure("Budget used", fmt.share(f.total.ratio, 1),
                              note=f"of {fmt.micros(f.total.budget.monthly_micros)}"))
    lines = Table("costs_by_service", f"Cloud cost by service, month to {f.as_of or fmt.MISSING}",
                  ("Service", "Cost to date (USD)", "Budget (USD)", "Used", "Forecast (USD)", "Forecast level"),
                  tuple((Cell(line.service), _usd(line.mtd_micros),
                         _usd(line.budget.monthly_micros if line.budget else None), _ratio(line.ratio),
                         _usd(line.forecast_micros), Cell(fmt.words(line.forecast_level)))
                        for line in f.lines))
    tables = [lines]
    notes = [f"Also spent in {cur}: {fmt.number(m / 1_000_000)} (never summed into USD)"
             for cur, m in f.other_currencies]
    charts: list[Chart] = []
    if inputs.period.kind == MONTHLY:
        over = tuple(line for line in f.lines if line.level != "ok" or line.forecast_level != "ok")
        tables.append(Table("over_budget", "Services over budget or forecast to be", lines.columns,
                            tuple(r for r, line in zip(lines.rows, f.lines, strict=True) if line in over),
                            "No service is over budget or forecast to be."))
        tables.append(Table("cost_anomalies", "Cost anomalies this month",
                            ("Day", "Service", "Cost (USD)", "Expected (USD)", "Excess (USD)", "Marked expected"),
                            tuple((Cell(a.day.isoformat()), Cell(a.service), _usd(a.cost_micros),
                                   _usd(a.expected_micros), _usd(a.excess_micros),
                                   Cell("yes" if a.marked_expected else "no")) for a in f.anomalies),
                            "No anomalies this month."))
        tables.append(Table("unit_economics", "Unit economics: cloud cost against MRR",
                            ("Month", "Cloud cost (USD)", "MRR (USD)", "Paying customers", "Cost per $ MRR",
                             "Gross margin"),
                            tuple((Cell(f"{u.month:%b %Y}" + (" (forecast)" if u.forecast else "")),
                                   _usd(u.cloud_cost_micros), Cell(fmt.money(u.mrr_cents), round(u.mrr_cents / 100, 2)),
                                   Cell(fmt.count(u.paying_customers), u.paying_customers),
                                   Cell(fmt.number(u.cost_per_mrr_dollar, 3), u.cost_per_mrr_dollar),
                                   _ratio(u.gross_margin)) for u in reversed(f.unit_economics))))
        charts.append(Chart("Cloud cost by month (USD)", "bar", tuple(f"{u.month:%b %y}" for u in f.unit_economics),
                            (Series("Cloud cost", tuple(u.cloud_cost_micros / 1_000_000 for u in f.unit_economics)),),
                            "USD"))
    return Section(COSTS, "Costs and margin" if inputs.period.kind == MONTHLY else "Cost to date", COSTS,
                   tuple(figures), tuple(tables), tuple(charts), tuple(notes))


def _ratio(value: float | None) -> Cell:
    return Cell(fmt.share(value, 1), None if value is None else round(value * 100, 1))
