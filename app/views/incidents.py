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

INC, SVC = Incident.__table__, Service.__table__
# "Now" is read each time a query runs (through ``clock``, so a test can move it).
_NOW = bindparam("incident_now", callable_=lambda: clock.utcnow(), type_=DateTime)
# Hours from start to resolution, or to now while open (julianday: days as a float).
DURATION_H = (func.julianday(func.coalesce(INC.c.resolved_at, _NOW)) - func.julianday(INC.c.started_at)) * 24.0

SPEC = TableSpec(
    name="incidents",
    source=INC.outerjoin(SVC, SVC.c.id == INC.c.service_id),
    key=INC.c.id,
    columns=(
        w.Column("severity", "Sev.", INC.c.severity, width=48, tooltip="P0 (everything down) … P4 (cosmetic)"),
        w.Column("title", "Title", INC.c.title, width=250),
        w.Column("service", "Service", SVC.c.name, width=100),
        w.Column("status", "Status", INC.c.status, width=90, words=True),
        w.Column("started_at", "Started", INC.c.started_at, w.DATETIME, width=116),
        w.Column("duration_h", "Duration, h", DURATION_H, w.FLOAT, width=84, sortable=False,
                 tooltip="Hours from start to resolution, or until now while the incident is open",
                 sort_note="an open incident's duration grows while the table is read, so its pages would "
                 "not line up; sort by Started instead"),
    ),
    default_sort="started_at",
    default_descending=True,
    search_columns=(INC.c.title, SVC.c.name, INC.c.id),
    filters={
        "open": av.OPEN_INCIDENT,
        "p0_p1": INC.c.severity.in_(("P0", "P1")),
    },
)
RESOLVED = "resolved"  # the status value of a finished incident

#: What one incident's detail reads.
DETAIL_TABLES = frozenset({"incidents", "incident_updates", "services"})


def load_incident(engine: Engine, incident_id: str) -> av.IncidentDetail | None:
    with engine.connect() as conn:
        return av.incident_detail(conn, incident_id)
