"""The ``health`` figure set: every number of the Health tab's services table, from one function.

``health_figures`` is what the pane shows, what the reports print and what
``opsconsole metrics health --json`` prints, so the three agree for the same
cache and moment.  Per service: current state (and why), availability over
24 h / 7 d / 30 d / 90 d, the error budget and its state, burn rates and the
alerts firing, open incidents, the certificate's days left, and ninety UTC
days for the status bar.  Each rule is in docs/metrics.md § Service health.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, select

from app.config.settings import HealthSettings, Settings
from app.domain.availability import budget as bud
from app.domain.availability import burn
from app.domain.availability import state as st
from app.domain.availability.coverage_sql import (
    failures_since,
    last_success_at,
    latest_checks,
    maintenance_spans,
    per_service,
    service_coverage,
    spans_for,
)
from app.domain.availability.incidents import open_incident_counts
from app.domain.availability.latency import latency_percentiles
from app.domain.availability.timeline import Coverage, Span
from app.store.schema import HealthCheck, Service

WINDOWS: Mapping[str, dt.timedelta] = {
    "24h": dt.timedelta(days=1), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30), "90d": dt.timedelta(days=90),
}
STATUS_DAYS = 90
BUDGET = "budget"

# A day of the status bar, in words (docs/metrics.md "90-day status bar").
NO_DATA, MET, BELOW, OUTAGE = "No data", "Met the SLO", "Below the SLO", "Outage"
OUTAGE_S = 3_600.0  # an hour or more down in a day

_S, _H = Service.__table__, HealthCheck.__table__


@dataclass(frozen=True)
class DayStatus:
    """One UTC day of the 90-day bar."""

    day: dt.date
    level: str
    availability: float | None
    down_s: float
    unknown_s: float
    maintenance_s: float


@dataclass(frozen=True)
class ServiceFigures:
    id: str
    name: str
    criticality: str | None
    slo_target: float
    interval_s: float
    state: str
    state_since: dt.datetime | None
    state_reason: str
    last_check_at: dt.datetime | None
    last_check_source: str | None
    latency_ms: float | None  # the latest check's
    last_error: str | None
    latency_p50_ms: float | None  # passing checks of the last 24 h
    latency_p95_ms: float | None
    availability: Mapping[str, float | None]  # by window: 24h, 7d, 30d, 90d
    coverage: Mapping[str, Coverage]
    budget: bud.ErrorBudget
    burn_rates: Mapping[str, float | None]  # by window: 5m, 30m, 1h, 6h, 3d
    burn_alerts: tuple[str, ...]  # the rules firing, in words
    burn_level: str | None  # page | ticket | None
    open_incidents: int
    maintenance_until: dt.datetime | None
    certificate_expires_at: dt.datetime | None
    certificate_days_left: int | None
    days: tuple[DayStatus, ...]


@dataclass(frozen=True)
class HealthFigures:
    as_of: dt.datetime
    budget_period: str
    services: tuple[ServiceFigures, ...]  # problems first, then by name
    states: Mapping[str, int]  # how many services are in each state
    open_incidents: int
    pages: int  # services with a page-level burn-rate alert firing
    tickets: int  # services with only a ticket-level one


def policy(health: HealthSettings) -> st.StatePolicy:
    return st.StatePolicy(health.latency_threshold_ms, health.error_rate_threshold_pct / 100.0,
                          health.down_after_failures)


def day_level(cover: Coverage, slo_target: float) -> str:
    """No data / met the SLO / below it / an outage (an hour or more down)."""
    if cover.availability is None:
        return NO_DATA
    if cover.down_s >= OUTAGE_S:
        return OUTAGE
    return MET if cover.availability >= slo_target else BELOW


def _certificate(conn: Connection, service_id: str, now: dt.datetime) -> dt.datetime | None:
    """The latest certificate end any check of the last week reported."""
    at: dt.datetime | None = conn.execute(
        select(_H.c.cert_expires_at)
        .where(_H.c.service_id == service_id, _H.c.checked_at >= now - dt.timedelta(days=7),
               _H.c.cert_expires_at.is_not(None))
        .order_by(_H.c.checked_at.desc()).limit(1)
    ).scalar_one_or_none()
    return at


def _current(conn: Connection, service_id: str) -> tuple[st.RecentCheck | None, int, dt.datetime | None, str | None]:
    """The latest check, the failures in a row it ends, when they began, and its source."""
    newest = latest_checks(conn, service_id, 1)
    if not newest:
        return None, 0, None, None
    at, ok, latency, error, source = newest[-1]
    latest = st.RecentCheck(at, ok, latency, error)
    if ok:
        return latest, 0, None, source
    failures, first = failures_since(conn, service_id, last_success_at(conn, service_id))
    return latest, failures, first, source


def service_figures(
    conn: Connection,
    row: Mapping[str, Any],
    now: dt.datetime,
    health: HealthSettings,
    maintenance: Mapping[str | None, list[Span]],
    incidents: Mapping[str, int],
) -> ServiceFigures:
    """Every figure of one service (``row``: its ``services`` row)."""
    service_id, slo = str(row["id"]), float(row["slo_target"])
    interval = float(row["probe_interval_s"] or 60)
    period = bud.budget_period(now, health.budget_period)
    named = {key: Span(now - length, now) for key, length in WINDOWS.items()}
    named |= {burn.window_key(w): Span(now - w, now) for w in burn.WINDOWS}
    named[BUDGET] = Span(period.start, min(period.end, now))
    spans = spans_for(service_id, maintenance)
    first_day = (now - dt.timedelta(days=STATUS_DAYS - 1)).date()
    cover = service_coverage(conn, service_id, interval, now, named, first_day, spans)
    latest, failures, first_failure, source = _current(conn, service_id)
    open_now = next((m for m in spans if m.start <= now < m.end), None)
    hour = cover.windows[burn.window_key(dt.timedelta(hours=1))]
    current = st.current_state(latest, failures, first_failure, interval, now, maintenance=open_now,
                               error_rate=hour.error_ratio, policy=policy(health))
    rates = {w: burn.burn_rate(cover.windows[burn.window_key(w)], slo) for w in burn.WINDOWS}
    firing = burn.firing(rates)
    p50, p95 = latency_percentiles(conn, service_id, now - WINDOWS["24h"], now)
    cert = _certificate(conn, service_id, now)
    return ServiceFigures(
        id=service_id, name=str(row["name"]), criticality=row["criticality"],
        slo_target=slo, interval_s=interval,
        state=current.state, state_since=current.since, state_reason=current.reason,
        last_check_at=latest.at if latest else None, last_check_source=source,
        latency_ms=latest.latency_ms if latest else None, last_error=latest.error if latest else None,
        latency_p50_ms=p50, latency_p95_ms=p95,
        availability={key: cover.windows[key].availability for key in WINDOWS},
        coverage={key: cover.windows[key] for key in WINDOWS},
        budget=bud.error_budget(slo, period, cover.windows[BUDGET].down_s, health.budget_at_risk_pct / 100.0),
        burn_rates={burn.window_key(w): rate for w, rate in rates.items()},
        burn_alerts=tuple(f"{r.severity}: {r.label}" for r in firing),
        burn_level=burn.level(firing),
        open_incidents=incidents.get(service_id, 0),
        maintenance_until=open_now.end if open_now else None,
        certificate_expires_at=cert,
        certificate_days_left=None if cert is None else int((cert - now).total_seconds() // 86_400),
        days=tuple(
            DayStatus(first_day + dt.timedelta(days=n), day_level(c, slo), c.availability, c.down_s, c.unknown_s,
                      c.maintenance_s)
            for n, c in enumerate(cover.days)
        ),
    )


def _order(s: ServiceFigures) -> tuple[int, str]:
    return st.STATES.index(s.state), s.name.lower()


def compute(conn: Connection, now: dt.datetime, health: HealthSettings) -> HealthFigures:
    """Every service's figures at ``now`` (naive UTC)."""
    rows = conn.execute(select(_S).order_by(_S.c.name)).mappings().all()
    maintenance = maintenance_spans(conn, now - WINDOWS["90d"] - dt.timedelta(days=1), now + dt.timedelta(days=1))
    incidents, open_total = open_incident_counts(conn)
    figures = per_service(conn.engine, [dict(r) for r in rows],
                          lambda own, row: service_figures(own, row, now, health, maintenance, incidents))
    services = sorted(figures, key=_order)
    states = {name: sum(s.state == name for s in services) for name in st.STATES}
    return HealthFigures(
        as_of=now,
        budget_period=health.budget_period,
        services=tuple(services),
        states=states,
        open_incidents=open_total,
        pages=sum(s.burn_level == burn.PAGE for s in services),
        tickets=sum(s.burn_level == burn.TICKET for s in services),
    )


class AsOf(Protocol):
    """What a figure set is asked for (``app.metrics.MetricsRequest`` has it): the moment, naive UTC."""

    @property
    def now(self) -> dt.datetime: ...


def health_figures(conn: Connection, settings: Settings, request: AsOf) -> HealthFigures:
    """The registered figure set (``opsconsole metrics health``): the figures as of ``request.now``."""
    return compute(conn, request.now, settings.health)
