"""The services summary: one row per service, each summarising a month of health checks.

A handful of rows computed with grouped aggregates (``availability.service_health``)
on a worker; the Health tab draws them in a small table.
"""

from __future__ import annotations

from sqlalchemy import Engine

from app.clock import utcnow
from app.domain import availability as av

#: What the summary reads.
TABLES = frozenset({"services", "health_checks", "incidents"})

#: Problems first: the order the summary lists services in.
STATE_ORDER = {av.DOWN: 0, av.DEGRADED: 1, av.UNKNOWN: 2, av.UP: 3}


def load_services(engine: Engine) -> list[av.ServiceHealth]:
    """Every service's health now, problems first, then by name."""
    with engine.connect() as conn:
        services = av.service_health(conn, utcnow())
    return sorted(services, key=lambda s: (STATE_ORDER[s.state], s.name.lower()))
