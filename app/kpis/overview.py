"""What a role's Overview tab shows, computed in one worker job: its KPIs and the sections under them.

The scorecard is limited to the figure sets the role's dashboard level allows;
operations and executives also get the service grid (the health figure set's
services) and the open incidents, product and executives the features and the
free-to-paid funnel (the usage figure set).  Every figure set is asked once and
its result both shown and scored, so a tile and its section cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, case, select

from app.config.settings import Settings
from app.domain.availability.figures import HealthFigures
from app.domain.usage.figures import UsageFigures
from app.kpis.catalogue import SOURCES_BY_ROLE, Scorecard
from app.kpis.scorecard import freshness, from_figure_sets, read_figure_sets, seen_from
from app.metrics import MetricsRequest
from app.store.schema import Incident
from app.views import costs as cost_view
from app.views import customers as customer_view
from app.views import services as service_view
from app.views import tickets as ticket_view
from app.views.freshness import TABLES as SYNC_TABLES

INCIDENTS_SHOWN = 8
SEVERITIES = ("P0", "P1", "P2", "P3", "P4")

#: Every table a figure set behind the overview reads: a change to one of them recomputes it.
TABLES = (customer_view.FIGURE_TABLES | service_view.TABLES | ticket_view.KPI_TABLES | cost_view.OVERVIEW_TABLES
          | {"licenses", "activations", "usage_daily", "feature_flags"} | SYNC_TABLES)

_I = Incident.__table__


@dataclass(frozen=True)
class OpenIncident:
    id: str
    title: str
    severity: str
    status: str
    started_at: dt.datetime
    acknowledged: bool


@dataclass(frozen=True)
class Overview:
    """One role's overview: its scorecard and, where its level allows, the service grid, incidents and usage."""

    role: str
    scorecard: Scorecard
    health: HealthFigures | None
    usage: UsageFigures | None
    incidents: tuple[OpenIncident, ...]
    incidents_open: int


def open_incidents(engine: Engine, limit: int = INCIDENTS_SHOWN) -> tuple[OpenIncident, ...]:
    """The most severe open incidents, oldest first within a severity (a bounded query)."""
    rank = case({s: i for i, s in enumerate(SEVERITIES)}, value=_I.c.severity, else_=len(SEVERITIES))
    with engine.connect() as conn:
        rows = conn.execute(
            select(_I.c.id, _I.c.title, _I.c.severity, _I.c.status, _I.c.started_at, _I.c.acknowledged_at)
            .where(_I.c.status != "resolved").order_by(rank, _I.c.started_at).limit(limit)
        ).all()
    return tuple(OpenIncident(r.id, r.title, r.severity, r.status, r.started_at, r.acknowledged_at is not None)
                 for r in rows)


def overview(engine: Engine, settings: Settings, role: str, now: dt.datetime) -> Overview:
    """Everything ``role``'s Overview tab shows as of ``now`` (a worker job)."""
    asked = seen_from(MetricsRequest(now=now))
    sources = SOURCES_BY_ROLE.get(role, frozenset())
    with engine.connect() as conn:
        figures = read_figure_sets(conn, settings, asked, sources)
        card = from_figure_sets(figures, settings, asked, freshness(conn))
    health: HealthFigures | None = figures.get("health")
    return Overview(
        role=role, scorecard=card, health=health, usage=figures.get("usage"),
        incidents=open_incidents(engine) if health is not None else (),
        incidents_open=health.open_incidents if health is not None else 0,
    )
