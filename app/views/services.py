"""The services table of the Health tab: the ``health`` figure set, the draft incidents, one service's charts.

About ten rows, each summarising ninety days of checks (``availability.figures``,
computed inside SQLite on a worker), plus the drafts the console proposes for
services that went Down without an incident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from app.clock import utcnow
from app.config.settings import HealthSettings
from app.domain.availability import figures as fig
from app.domain.availability import state as st
from app.domain.availability.incidents import DraftIncident, draft_incidents
from app.domain.availability.latency import ChartSeries, chart_series

#: What the summary and the drafts read.
TABLES = frozenset({"services", "health_checks", "incidents", "maintenance_windows", "incident_draft_dismissals"})


@dataclass(frozen=True)
class HealthView:
    figures: fig.HealthFigures
    drafts: list[DraftIncident]


def load_health(engine: Engine, health: HealthSettings, now: dt.datetime | None = None) -> HealthView:
    """Every service's figures now (problems first), and the drafts for services Down without an incident."""
    now = now or utcnow()
    with engine.connect() as conn:
        figures = fig.compute(conn, now, health)
        down = [(s.id, s.name, s.criticality, s.state_since or now, s.state_reason)
                for s in figures.services if s.state == st.DOWN]
        return HealthView(figures, draft_incidents(conn, down))


def load_chart(engine: Engine, service_id: str, window: dt.timedelta) -> ChartSeries | None:
    """One service's latency and availability series over ``window`` up to now."""
    with engine.connect() as conn:
        return chart_series(conn, service_id, window, utcnow())
