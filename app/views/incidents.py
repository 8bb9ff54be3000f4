"""The incidents table: severity, service, status and duration; one incident's updates.

Incidents grow without bound, so they are a window like every big table.  The
duration of an open incident runs to *now*, a bound parameter evaluated each
time the query runs (the same rule as ``availability.incident_hours``).
"""

from __future__ import annotations

from sqlalchemy import DateTime, Engine, bindparam, func

from app import clock
from app.domain import availability as av
from app.store import windows as w
from app.store.schema import Incident, Service
from app.store.windows import TableSpec

I, S = Incident.__table__, Service.__table__
# "Now" is read each time a query runs (through ``clock``, so a test can move it).
_NOW = bindparam("incident_now", callable_=lambda: clock.utcnow(), type_=DateTime)
# Hours from start to resolution, or to now while open (julianday: days as a float).
DURATION_H = (func.julianday(func.coalesce(I.c.resolved_at, _NOW)) - func.julianday(I.c.started_at)) * 24.0

SPEC = TableSpec(
    name="incidents",
    source=I.outerjoin(S, S.c.id == I.c.service_id),
    key=I.c.id,
    columns=(
        w.Column("severity", "Sev.", I.c.severity, width=48, tooltip="P0 (everything down) … P4 (cosmetic)"),
        w.Column("title", "Title", I.c.title, width=250, sortable=False),
        w.Column("service", "Service", S.c.name, width=100, sortable=False),
        w.Column("status", "Status", I.c.status, width=90),
        w.Column("started_at", "Started", I.c.started_at, w.DATETIME, width=116),
        w.Column("duration_h", "Duration, h", DURATION_H, w.FLOAT, width=84, sortable=False,
                 tooltip="Hours from start to resolution, or until now while the incident is open"),
    ),
    default_sort="started_at",
    default_descending=True,
    search_columns=(I.c.title, S.c.name, I.c.id),
    filters={
        "open": av.OPEN_INCIDENT,
        "p0_p1": I.c.severity.in_(("P0", "P1")),
    },
)
RESOLVED = "resolved"  # the status value of a finished incident

#: What one incident's detail reads.
DETAIL_TABLES = frozenset({"incidents", "incident_updates", "services"})


def load_incident(engine: Engine, incident_id: str) -> av.IncidentDetail | None:
    with engine.connect() as conn:
        return av.incident_detail(conn, incident_id)
