"""``scorecard``: the figure set ``kpis`` — each KPI read from the figure set that owns it, banded by ``[targets]``.

No value is recomputed here: the revenue, health, support, costs, licenses
and usage figure sets are asked through ``app.metrics.figure_set`` and their
fields copied into readings (an average over services is the one aggregate
the scorecard adds, written in docs/metrics.md).  Rules: docs/metrics.md
§ "Overview and reports".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, select

from app.config.settings import Settings
from app.domain.availability.figures import HealthFigures
from app.domain.costs.figures import CostFigures
from app.domain.licenses import LicenseFigures
from app.domain.revenue.figures import RevenueFigures
from app.domain.sla.kpis import SupportFigures
from app.domain.usage.figures import UsageFigures, month_bounds
from app.kpis.catalogue import GOOD, UNKNOWN, WARNING, Band, KpiReading, Scorecard, band, variance
from app.metrics import MetricsRequest, figure_set
from app.roles import (
    COSTS,
    CUSTOMERS,
    EXECUTIVE,
    FINANCE,
    HEALTH,
    LICENSES,
    OPERATIONS,
    OVERVIEW,
    PRODUCT,
    SUPPORT,
    TICKETS,
)
from app.sla_rules.policies import RESOLUTION
from app.store.schema import SyncState

# (figure set, label, sync_state resource): the freshness line of the overview and the reports
FRESHNESS_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("revenue", "Stripe subscriptions", "stripe:subscriptions"),
    ("health", "Health checks", "ops:health_checks"),
    ("support", "Tickets", "ops:tickets"),
    ("costs", "Costs", "ops:costs"),
    ("licenses", "Licenses", "ops:licenses"),
    ("usage", "Product usage", "ops:usage"),
)
SLA_DAYS = 30  # the window of the support KPIs


@dataclass(frozen=True)
class _Threshold:
    """A KPI's green and amber lines, which side is better, and its unit for the target text."""

    good: float
    warning: float
    higher_is_better: bool
    unit: str

    def text(self) -> str:
        more, less = ("≥", "below") if self.higher_is_better else ("≤", "above")
        return (f"{more} {_num(self.good)}{self.unit} (amber {more} {_num(self.warning)}{self.unit}, "
                f"red {less})")


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0")


def _graded(key: str, label: str, area: str, value: float | None, unit: str, t: _Threshold, source: str,
            pane: str, pane_filter: str | None, series: Sequence[float | None]) -> KpiReading:
    """A KPI banded by its thresholds."""
    better = t.higher_is_better
    return KpiReading(key, label, area, value, unit, None, t.text(),
                      band(value, t.good, t.warning, higher_is_better=better),
                      variance(value, t.good, higher_is_better=better), source, pane, pane_filter, _points(series))


def _context(key: str, label: str, area: str, value: float | None, unit: str, source: str, pane: str,
             pane_filter: str | None, series: Sequence[float | None], *, currency: str | None = None,
             target_text: str = "no target (shown for context)", state: Band = UNKNOWN) -> KpiReading:
    """A KPI the guide sets no numeric line for: grey, or the ``state`` its own rule gives."""
    return KpiReading(key, label, area, value, unit, currency, target_text, UNKNOWN if value is None else state,
                      None, source, pane, pane_filter, _points(series))


def _points(series: Sequence[float | None]) -> tuple[float, ...]:
    return tuple(float(x) for x in series if x is not None)


def _usage(u: UsageFigures, s: Settings) -> list[KpiReading]:
    t = s.targets
    days = u.days
    funnel = u.free_to_paid
    return [
        _graded("user_growth", "User growth", PRODUCT, u.mau_growth_pct, "%",
                _Threshold(t.user_growth_good, t.user_growth_warning, True, " %"), "usage", OVERVIEW, "usage",
                [d.monthly_active_users for d in days]),
        _graded("free_to_paid", "Free to paid", PRODUCT, funnel.paid_pct, "%",
                _Threshold(t.free_to_paid_good, t.free_to_paid_warning, True, " %"), "usage", OVERVIEW, "funnel", []),
        _graded("dau", "Daily active users", PRODUCT, u.dau, "count",
                _Threshold(t.dau_good, t.dau_warning, True, ""), "usage", OVERVIEW, "usage",
                [d.active_users for d in days]),
        _graded("mau", "Monthly active users", PRODUCT, u.mau, "count",
                _Threshold(t.mau_good, t.mau_warning, True, ""), "usage", OVERVIEW, "usage",
                [d.monthly_active_users for d in days]),
        _graded("retention_30d", "30-day retention", PRODUCT, u.retention_30d_pct, "%",
                _Threshold(t.retention_good, t.retention_warning, True, " %"), "usage", OVERVIEW, "usage",
                [d.retention_30d_pct for d in days]),
        _graded("avg_session", "Average session", PRODUCT, u.avg_session_minutes, "minutes",
                _Threshold(t.session_good, t.session_warning, True, " min"), "usage", OVERVIEW, "usage",
                [d.avg_session_minutes for d in days]),
        _graded("feature_adoption", "Feature adoption", PRODUCT, u.feature_adoption_pct, "%",
                _Threshold(t.feature_adoption_good, t.feature_adoption_warning, True, " %"), "usage", OVERVIEW,
                "features", []),
        _graded("nps", "NPS", EXECUTIVE, u.nps, "points",
                _Threshold(t.nps_good, t.nps_warning, True, ""), "usage", OVERVIEW, "usage", []),
    ]


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _health(h: HealthFigures, s: Settings) -> list[KpiReading]:
    t = s.targets
    uptime = _mean([x.availability["30d"] for x in h.services])
    p95 = _mean([x.latency_p95_ms for x in h.services])
    days = len(h.services[0].days) if h.services else 0
    daily = [_mean([x.days[i].availability for x in h.services]) for i in range(max(0, days - 30), days)]
    return [
        _graded("uptime", "Uptime (30 days)", OPERATIONS, None if uptime is None else 100.0 * uptime, "%",
                _Threshold(t.uptime_good, t.uptime_warning, True, " %"), "health", HEALTH, None,
                [None if d is None else 100.0 * d for d in daily]),
        _graded("response_time", "Response time (p95)", OPERATIONS, None if p95 is None else p95 / 1000.0,
                "seconds", _Threshold(t.response_good, t.response_warning, False, " s"), "health", HEALTH, None, []),
        _context("open_incidents", "Open incidents", OPERATIONS, float(h.open_incidents), "count", "health", HEALTH,
                 "open", [], target_text="none open (amber: any open)",
                 state=GOOD if h.open_incidents == 0 else WARNING),
    ]


def _support(f: SupportFigures, s: Settings) -> list[KpiReading]:
    t = s.targets
    resolution = next(m for m in f.medians if (m.metric, m.days) == (RESOLUTION, SLA_DAYS))
    hours = None if resolution.seconds is None else resolution.seconds / 3600.0
    sla = f.achievement_of(RESOLUTION, SLA_DAYS).pct
    queue = f.queue
    state = "critical" if queue["breached"] else WARNING if queue["about_to_breach"] else GOOD
    return [
        _graded("resolution_time", "Resolution time (median)", SUPPORT, hours, "hours",
                _Threshold(t.resolution_good, t.resolution_warning, False, " h"), "support", TICKETS, None, []),
        _graded("csat", "Satisfaction", SUPPORT, f.satisfaction.average, "score",
                _Threshold(s.sla.satisfaction_target, t.csat_warning, True, " / 5"), "support", TICKETS, None, []),
        _graded("sla_attainment", "SLA attainment (resolution)", SUPPORT, sla, "%",
                _Threshold(t.sla_good, t.sla_warning, True, " %"), "support", TICKETS, "breached", []),
        _context("open_tickets", "Open tickets", SUPPORT, float(queue["open"]), "count", "support", TICKETS, "open",
                 [n for _, n in f.backlog],
                 target_text="none breached (amber: one about to breach, red: one past its SLA target)", state=state),
    ]


def _revenue(r: RevenueFigures, s: Settings) -> list[KpiReading]:
    t = s.targets
    m = r.current
    months = r.months
    growth = m.mom_growth_pct
    return [
        _context("mrr", "MRR", FINANCE, m.mrr / 100.0, "money", "revenue", CUSTOMERS, "paying",
                 [x.mrr / 100.0 for x in months], currency=r.currency,
                 target_text="grows month over month (amber: shrank)",
                 state=UNKNOWN if growth is None else GOOD if growth >= 0 else WARNING),
        _graded("churn_rate", "Customer churn", FINANCE, m.customer_churn_pct, "%",
                _Threshold(s.kpi.monthly_churn_pct, t.churn_warning, False, " %"), "revenue", CUSTOMERS, "churned",
                [x.customer_churn_pct for x in months]),
        _context("active_customers", "Active customers", EXECUTIVE, float(m.customers), "count", "revenue",
                 CUSTOMERS, "paying", [x.customers for x in months]),
        _context("trial_users", "Trial users", EXECUTIVE, float(m.trials_open), "count", "revenue", CUSTOMERS,
                 "trialing", [x.trials_open for x in months]),
    ]


def _costs(c: CostFigures, s: Settings) -> list[KpiReading]:
    t = s.targets
    total = c.total
    economics = [e for e in c.unit_economics if c.month is not None and e.month <= c.month]
    margin = economics[-1].gross_margin if economics else None
    level = total.forecast_level if total is not None else ""
    state: Band = {"ok": GOOD, "warning": WARNING, "critical": "critical"}.get(level, UNKNOWN)
    return [
        _context("cost_month", "Cloud cost this month", FINANCE,
                 None if total is None else total.mtd_micros / 1_000_000, "money", "costs", COSTS, None,
                 [e.cloud_cost_micros / 1_000_000 for e in economics], currency="USD",
                 target_text="forecast within budget (amber: past its warning share, red: past its critical share)",
                 state=state),
        _graded("gross_margin", "Gross margin after cloud", FINANCE, None if margin is None else 100.0 * margin, "%",
                _Threshold(t.gross_margin_good, t.gross_margin_warning, True, " %"), "costs", COSTS, None,
                [None if e.gross_margin is None else 100.0 * e.gross_margin for e in economics]),
    ]


def _licenses(lic: LicenseFigures, s: Settings) -> list[KpiReading]:
    del s
    return [_context("licenses_over_cap", "Licenses over the seat cap", SUPPORT, float(lic.over_cap), "count",
                     "licenses", LICENSES, "seats_over", [], target_text="none over the cap (amber: any over)",
                     state=GOOD if lic.over_cap == 0 else WARNING)]


_READERS: tuple[tuple[str, Callable[[Any, Settings], list[KpiReading]]], ...] = (
    ("revenue", _revenue), ("usage", _usage), ("health", _health), ("support", _support), ("costs", _costs),
    ("licenses", _licenses),
)
SOURCES = tuple(name for name, _ in _READERS)  # the figure sets behind the KPIs


def freshness(conn: Connection) -> tuple[tuple[str, dt.datetime | None], ...]:
    table = SyncState.__table__
    rows = conn.execute(select(table.c.resource, table.c.last_success_at)
                        .where(table.c.resource.in_([r for _, _, r in FRESHNESS_SOURCES]))).all()
    found: dict[str, dt.datetime | None] = {row.resource: row.last_success_at for row in rows}
    return tuple((label, found.get(resource)) for _, label, resource in FRESHNESS_SOURCES)


def _unsynced_zero_is_no_data(reading: KpiReading, never_synced: frozenset[str]) -> KpiReading:
    """A zero from a source that has never synced is an empty cache, not good news: grey, not green.

    ("0 open tickets" before the first ticket sync.)  A source filled by other
    means (a cost file imported by hand) has non-zero values and keeps its band.
    """
    if reading.source in never_synced and reading.value == 0:
        return replace(reading, band=UNKNOWN, variance=None)
    return reading


def read_figure_sets(conn: Connection, settings: Settings, request: MetricsRequest,
                     sources: Iterable[str] | None = None) -> dict[str, Any]:
    """The figure sets the scorecard reads (``sources`` of them, every one when None), each asked once."""
    wanted = set(SOURCES if sources is None else sources)
    return {name: figure_set(name)(conn, settings, request) for name in SOURCES if name in wanted}


def from_figure_sets(figures: Mapping[str, Any], settings: Settings, request: MetricsRequest,
                     freshness: tuple[tuple[str, dt.datetime | None], ...]) -> Scorecard:
    """The scorecard of figure sets already computed for ``request`` (the overview shows them too)."""
    start, end, as_of = month_bounds(request)
    synced = dict(freshness)
    never = frozenset(name for name, label, _ in FRESHNESS_SOURCES if synced.get(label) is None)
    readings = [_unsynced_zero_is_no_data(r, never)
                for name, read in _READERS if name in figures for r in read(figures[name], settings)]
    return Scorecard(as_of=as_of, period_start=start, period_end=end, readings=tuple(readings), freshness=freshness)


def seen_from(request: MetricsRequest) -> MetricsRequest:
    """The request every figure set is asked: the month, seen from its end (or now, for this month)."""
    start, _, as_of = month_bounds(request)
    return MetricsRequest(now=as_of, month=start)


def scorecard(conn: Connection, settings: Settings, request: MetricsRequest,
              sources: Iterable[str] | None = None) -> Scorecard:
    """Figure set ``kpis``: every KPI of ``request``'s month; ``sources`` limits the figure sets read (a role's)."""
    asked = seen_from(request)
    return from_figure_sets(read_figure_sets(conn, settings, asked, sources), settings, asked, freshness(conn))
