"""The incidents table: severity, service, status and duration; one incident's story and impact.

Incidents grow without bound, so they are a window like every big table.  The
duration of an open incident runs to *now*, a bound parameter evaluated each
time the query runs (the same rule as ``incidents.incident_hours``).
"""

from __future__ import annotations

from sqlalchemy import DateTime, Engine, bindparam, case, func

from app import clock
from app.config.settings import Settings
from app.domain.availability import incidents as domain
from app.domain.revenue.fx import load_rates
from app.domain.revenue.policy import Policy
from app.store import windows as w
from app.store.schema import Incident, Service
from app.store.windows import TableSpec

INC, SVC = Incident.__table__, Service.__table__
# "Now" is read each time a query runs (through ``clock``, so a test can move it).
_NOW = bindparam("incident_now", callable_=lambda: clock.utcnow(), type_=DateTime)
# Hours from start to resolution, or to now while open (julianday: days as a float).
DURATION_H = (func.julianday(func.coalesce(INC.c.resolved_at, _NOW)) - func.julianday(INC.c.started_at)) * 24.0
# Why the other unsortable columns are: the incidents table grows without bound and has no index on them.
_UNINDEXED = "the cache keeps no index on it, so ordering every incident by it would read them all; sort by Started"

SPEC = TableSpec(
    name="incidents",
    source=INC.outerjoin(SVC, SVC.c.id == INC.c.service_id),
    key=INC.c.id,
    columns=(
        w.Column("severity", "Sev.", INC.c.severity, width=44,
                 tooltip="\n".join(f"{k} — {v}" for k, v in domain.SEVERITIES.items())),
        w.Column("title", "Title", INC.c.title, width=200, sortable=False, sort_note=_UNINDEXED),
        w.Column("service", "Service", SVC.c.name, width=90, sortable=False, sort_note=_UNINDEXED),
        w.Column("status", "Status", INC.c.status, width=86, words=True),
        w.Column("acknowledged", "Ack.", case((INC.c.acknowledged_at.is_(None), ""), else_="yes"), width=44,
                 sortable=False, sort_note=_UNINDEXED,
                 tooltip="When someone acknowledged the incident (empty: nobody yet)"),
        w.Column("started_at", "Started", INC.c.started_at, w.DATETIME, width=120),
        w.Column("duration_h", "Hours", DURATION_H, w.FLOAT, width=52, sortable=False,
                 tooltip="Hours from start to resolution, or until now while the incident is open",
                 sort_note="an open incident's duration grows while the table is read, so its pages would "
                 "not line up; sort by Started instead"),
        w.Column("pending", "To send", INC.c.pending, w.BOOL, width=60, sortable=False, sort_note=_UNINDEXED,
                 tooltip="“yes”: changed here and waiting to be sent with the next sync"),
    ),
    default_sort="started_at",
    default_descending=True,
    search_columns=(INC.c.title, SVC.c.name, INC.c.id),
    filters={
        "open": domain.OPEN_INCIDENT,
        "p0_p1": INC.c.severity.in_(("P0", "P1")),
        "unacknowledged": INC.c.acknowledged_at.is_(None) & domain.OPEN_INCIDENT,
    },
)
RESOLVED = domain.RESOLVED

#: What one incident's detail reads: the incident, its updates, services, and the tickets and MRR of its impact.
DETAIL_TABLES = frozenset(
    {"incidents", "incident_updates", "services", "tickets", "customers", "subscriptions", "subscription_items",
     "prices", "fx_rates"}
)


def load_incident(engine: Engine, incident_id: str, settings: Settings) -> domain.IncidentDetail | None:
    """One incident's detail, its revenue at stake in the revenue settings' reporting currency."""
    policy = Policy.from_settings(settings)
    with engine.connect() as conn:
        rates = load_rates(conn, policy.reporting_currency, policy.fallback_rates)
        return domain.incident_detail(conn, incident_id, clock.utcnow(), rates)
