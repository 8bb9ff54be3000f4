"""The monthly review's scorecard: every KPI a role may see against its target with the variance, and the headline.

The readings are the KPI scorecard's (figure set ``kpis``, ``app.kpis``),
the same the Overview tab's tiles show; this module only writes them, in the
KPI's unit (docs/metrics.md § "Overview and reports").
"""

from __future__ import annotations

from app.kpis.catalogue import SOURCES_BY_ROLE, KpiReading, Scorecard, visible_to
from app.kpis.scorecard import SOURCES, freshness, from_figure_sets, seen_from
from app.reports import fmt
from app.reports.inputs import Inputs
from app.reports.model import Cell, Figure, Section, Table

KPIS = "kpis"
# The monthly headline, in reading order: money, then reliability and support, then cost.
VARIANCE_NOTE = ("Variance: the distance from the green line, in the KPI's unit (percentage points for shares); "
                 "+ is the good side.")
HEADLINE_KEYS = ("mrr", "churn_rate", "uptime", "sla_attainment", "cost_month", "gross_margin")


def value_text(r: KpiReading) -> str:
    """A reading's value with its unit: ``$64,505.21``, ``99.36 %``, ``3.5 h``, ``4.43 / 5``."""
    v = r.value
    if v is None:
        return fmt.MISSING
    if r.unit == "money":
        return fmt.money(v * 100, r.currency or "USD")
    if r.unit == "%":
        return fmt.percent(v, 2)
    if r.unit == "count":
        return fmt.count(v)
    if r.unit == "score":
        return f"{v:.2f} / 5"
    return f"{v:,.{_PLACES.get(r.unit, 1)}f}{_UNITS.get(r.unit, '')}"


def variance_text(r: KpiReading) -> str:
    """The distance from the green line, signed (+ = the good side): ``+0.45 pts``, ``−1.5 h``."""
    v = r.variance
    if v is None:
        return fmt.MISSING
    unit = " pts" if r.unit == "%" else " / 5" if r.unit == "score" else _UNITS.get(r.unit, "")
    text = f"{abs(v):,.{_PLACES.get(r.unit, 2)}f}{unit}"
    return ("+" if v >= 0 else "−") + text


_UNITS = {"minutes": " min", "hours": " h", "seconds": " s", "points": ""}
_PLACES = {"minutes": 1, "hours": 1, "seconds": 2, "points": 0, "%": 2, "score": 2, "count": 0}


def read(inputs: Inputs) -> Scorecard:
    """The scorecard of the report's month for its role: what ``scorecard`` gives, from the figure sets the
    report already read (the same request: the month seen from its end), so revenue is replayed once."""
    figures = {name: inputs.figures(name) for name in SOURCES if name in SOURCES_BY_ROLE[inputs.role]}
    return from_figure_sets(figures, inputs.settings, seen_from(inputs.request), freshness(inputs.conn))


def kpi_headline(inputs: Inputs) -> tuple[Figure, ...]:
    readings = {r.key: r for r in visible_to(inputs.role, read(inputs).readings)}
    return tuple(_figure(readings[key]) for key in HEADLINE_KEYS if key in readings)


def _figure(r: KpiReading) -> Figure:
    return Figure(r.label, value_text(r), r.target_text, r.band,
                  "" if r.variance is None else f"{variance_text(r)} against the target")


def kpi_section(inputs: Inputs) -> Section:
    rows = tuple((Cell(r.label), Cell(value_text(r), r.value), Cell(r.target_text),
                  Cell(fmt.words(r.band) if r.band != "unknown" else "No data"),
                  Cell(variance_text(r), r.variance), Cell(fmt.words(r.source)))
                 for r in visible_to(inputs.role, read(inputs).readings))
    table = Table("scorecard", "Every KPI against its target",
                  ("KPI", "Value", "Target", "Band", "Variance", "Source"), rows, "No KPI for this role.")
    return Section(KPIS, "KPI scorecard", KPIS, tables=(table,),
                   notes=(VARIANCE_NOTE,))

