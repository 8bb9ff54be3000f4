"""Service availability and error budgets: what the Health tab's services table says.

Availability is the share of health checks that passed in a window.  The
error budget is the downtime a service's SLO allows in the current calendar
month (99.9 % of a 30-day month is 43.2 min); what is used so far is the
month's failed share of checks times the minutes elapsed this month, so a
service probed every minute and every five minutes is judged the same way.

The maths is pure (tested without a database); ``service_health`` gathers its
inputs with a few grouped SQL aggregates over the ``(service_id, checked_at)``
index and runs on a worker thread -- there are about ten services, but each
has a month of checks behind it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, select

from app.store.schema import HealthCheck, Incident, IncidentUpdate, Service

UP, DEGRADED, DOWN, UNKNOWN = "Up", "Degraded", "Down", "Unknown"
SLOW_SHARE = 0.5  # a passing check slower than half its timeout means the service is struggling
BUDGET_LOW_SHARE = 0.25  # under a quarter of the month's budget left: warn

OPEN_INCIDENT = Incident.__table__.c.status != "resolved"


@dataclass(frozen=True)
class ErrorBudget:
    """This month's downtime allowance and its use, in minutes."""

    allowed_min: float
    used_min: float

    @property
    def left_min(self) -> float:
        return self.allowed_min - self.used_min

    @property
    def left_share(self) -> float:
        """Share of the allowance still unused (negative when overspent)."""
        return self.left_min / self.allowed_min if self.allowed_min > 0 else 0.0

    @property
    def low(self) -> bool:
        return self.left_share < BUDGET_LOW_SHARE


@dataclass(frozen=True)
class ServiceHealth:
    """One row of the services table."""

    id: str
    name: str
    state: str
    latency_ms: float | None
    checked_at: dt.datetime | None
    last_error: str | None
    availability_24h: float | None
    availability_30d: float | None
    checks_30d: int
    slo_target: float
    budget: ErrorBudget
    open_incidents: int


def availability(ok: int, total: int) -> float | None:
    """Passed share of checks, or None when there were none (unknown is not 100 %)."""
    return ok / total if total else None


def month_start(now: dt.datetime) -> dt.datetime:
    return dt.datetime(now.year, now.month, 1)


def month_minutes(now: dt.datetime) -> float:
    return calendar.monthrange(now.year, now.month)[1] * 1_440.0


def allowed_downtime_min(slo_target: float, minutes: float) -> float:
    """Downtime an SLO allows over ``minutes``: 99.9 % of 43,200 min (30 days) is 43.2 min."""
    return max(0.0, 1.0 - slo_target) * minutes


def error_budget(slo_target: float, ok: int, total: int, now: dt.datetime) -> ErrorBudget:
    """This month's budget for ``slo_target`` given the month's ``ok`` of ``total`` checks."""
    elapsed = (now - month_start(now)).total_seconds() / 60.0
    failed_share = (total - ok) / total if total else 0.0
    return ErrorBudget(allowed_downtime_min(slo_target, month_minutes(now)), failed_share * elapsed)


def service_state(ok: bool | None, latency_ms: float | None, timeout_s: float, open_incidents: int) -> str:
    """Up / Degraded / Down from the latest check; an open incident or a slow pass is Degraded."""
    if ok is None:
        return UNKNOWN
    if not ok:
        return DOWN
    slow = latency_ms is not None and latency_ms >= SLOW_SHARE * timeout_s * 1_000
    return DEGRADED if slow or open_incidents else UP


def budget_text(budget: ErrorBudget) -> str:
    """'31.0 min (72 %)' or 'overspent 5.2 min': the budget cell."""
    if budget.left_min < 0:
        return f"overspent {-budget.left_min:,.1f} min"
    return f"{budget.left_min:,.1f} min ({budget.left_share:.0%})"


def budget_explanation(budget: ErrorBudget, slo_target: float) -> str:
    return (
        f"SLO {slo_target:.3%} allows {budget.allowed_min:,.1f} min of downtime this calendar month.\n"
        f"Used so far: {budget.used_min:,.1f} min (share of failed checks × minutes elapsed this month).\n"
        f"Left: {budget.left_min:,.1f} min."
    )


def _pass_counts(conn: Connection, since: dt.datetime, until: dt.datetime) -> dict[str, tuple[int, int]]:
    h = HealthCheck.__table__
    rows = conn.execute(
        select(h.c.service_id, func.sum(case((h.c.ok, 1), else_=0)), func.count())
        .where(h.c.checked_at >= since, h.c.checked_at <= until)
        .group_by(h.c.service_id)
    )
    return {sid: (int(ok or 0), int(total)) for sid, ok, total in rows}


def service_health(conn: Connection, now: dt.datetime) -> list[ServiceHealth]:
    """Every service with its latest check, availabilities and error budget (a worker-thread job)."""
    s, h, i = Service.__table__, HealthCheck.__table__, Incident.__table__

    def latest(column: Any) -> Any:
        return (
            select(column).where(h.c.service_id == s.c.id).order_by(h.c.checked_at.desc()).limit(1).scalar_subquery()
        )

    services = conn.execute(
        select(
            s.c.id, s.c.name, s.c.slo_target, s.c.timeout_s,
            latest(h.c.ok).label("ok"), latest(h.c.latency_ms).label("latency_ms"),
            latest(h.c.checked_at).label("checked_at"), latest(h.c.error).label("error"),
        ).order_by(s.c.name)
    ).all()
    day = _pass_counts(conn, now - dt.timedelta(days=1), now)
    month30 = _pass_counts(conn, now - dt.timedelta(days=30), now)
    this_month = _pass_counts(conn, month_start(now), now)
    incidents: dict[str, int] = dict(
        conn.execute(select(i.c.service_id, func.count()).where(OPEN_INCIDENT).group_by(i.c.service_id)).tuples().all()
    )
    result = []
    for row in services:
        open_count = int(incidents.get(row.id, 0))
        ok = None if row.ok is None else bool(row.ok)
        result.append(
            ServiceHealth(
                id=row.id,
                name=row.name,
                state=service_state(ok, row.latency_ms, row.timeout_s, open_count),
                latency_ms=row.latency_ms,
                checked_at=row.checked_at,
                last_error=row.error,
                availability_24h=availability(*day.get(row.id, (0, 0))),
                availability_30d=availability(*month30.get(row.id, (0, 0))),
                checks_30d=month30.get(row.id, (0, 0))[1],
                slo_target=row.slo_target,
                budget=error_budget(row.slo_target, *this_month.get(row.id, (0, 0)), now),
                open_incidents=open_count,
            )
        )
    return result


def incident_hours(started_at: dt.datetime, resolved_at: dt.datetime | None, now: dt.datetime) -> float:
    """An incident's duration in hours: from its start to its resolution, or to ``now`` while it is open."""
    return ((resolved_at or now) - started_at).total_seconds() / 3600


@dataclass(frozen=True)
class IncidentDetail:
    """One incident and its status updates, newest first (bounded: an incident has a handful)."""

    incident: dict[str, Any]
    service_name: str | None
    updates: list[dict[str, Any]]


def incident_detail(conn: Connection, incident_id: str, limit: int = 200) -> IncidentDetail | None:
    i, u, s = Incident.__table__, IncidentUpdate.__table__, Service.__table__
    row = conn.execute(select(i).where(i.c.id == incident_id)).mappings().first()
    if row is None:
        return None
    name = conn.execute(select(s.c.name).where(s.c.id == row["service_id"])).scalar_one_or_none()
    updates = conn.execute(
        select(u).where(u.c.incident_id == incident_id).order_by(u.c.created_at.desc()).limit(limit)
    ).mappings().all()
    return IncidentDetail(dict(row), name, [dict(r) for r in updates])
