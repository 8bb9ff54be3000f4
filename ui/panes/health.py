"""The Health tab: are our services up, how fast, how much error budget is left, which incidents are open.

The services table is a handful of rows (one per service), each summarising a
month of health checks; ``app.domain.availability`` computes them with grouped
SQL aggregates on a worker and the table shows the result.  Incidents grow
without bound, so they are a ``SqlTableModel`` window like every big table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine, func, literal_column

from app.config.settings import Settings
from app.domain import availability as av
from app.store import windows as w
from app.clock import utcnow
from app.store.schema import Incident, Service
from app.store.windows import TableSpec, WindowSource
from ui import settings_keys
from ui.formatting import format_value
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.detail_panel import DetailPanel, DetailView, LogEntry, LogSection
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREEN, GREY, RED, brush
from ui.workers import TaskRunner

I, S = Incident.__table__, Service.__table__
# Hours from start to resolution, or to now while open (julianday: days as a float).
_DURATION_H = (
    func.julianday(func.coalesce(I.c.resolved_at, literal_column("CURRENT_TIMESTAMP"))) - func.julianday(I.c.started_at)
) * 24.0

INCIDENTS = TableSpec(
    name="incidents",
    source=I.outerjoin(S, S.c.id == I.c.service_id),
    key=I.c.id,
    columns=(
        w.Column("severity", "Sev.", I.c.severity, width=48, tooltip="P0 (everything down) … P4 (cosmetic)"),
        w.Column("title", "Title", I.c.title, width=250, sortable=False),
        w.Column("service", "Service", S.c.name, width=100, sortable=False),
        w.Column("status", "Status", I.c.status, width=90),
        w.Column("started_at", "Started", I.c.started_at, w.DATETIME, width=116),
        w.Column("duration_h", "Duration, h", _DURATION_H, w.FLOAT, width=84, sortable=False,
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
INCIDENT_FILTERS = (("Open", ("open",)), ("All", ()), ("P0–P1", ("p0_p1",)))
SEVERITY_COLORS: dict[str, QColor] = {"P0": RED, "P1": RED, "P2": AMBER, "P3": GREY, "P4": GREY}
STATE_COLORS: dict[str, QColor] = {av.UP: GREEN, av.DEGRADED: AMBER, av.DOWN: RED, av.UNKNOWN: GREY}
_STATE_ORDER = {av.DOWN: 0, av.DEGRADED: 1, av.UNKNOWN: 2, av.UP: 3}
SERVICE_COLUMNS = (
    ("Service", ""),
    ("State", "From the latest health check: Down when it failed; Degraded when it passed slowly "
              "(over half the timeout) or the service has an open incident"),
    ("Latency", "Response time of the latest check, milliseconds"),
    ("Avail. 24 h", "Share of health checks that passed in the last 24 hours"),
    ("Avail. 30 d", "Share of health checks that passed in the last 30 days"),
    ("SLO", "The service's availability objective"),
    ("Error budget left", "Downtime the SLO still allows this calendar month (hover a cell for the arithmetic)"),
    ("Open incidents", "Incidents not yet resolved"),
    ("Last check", "When the latest health check ran (local time)"),
)
_NUMERIC = frozenset({2, 3, 4, 5, 6, 7})
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class IncidentTableModel(SqlTableModel):
    """Severe incidents in red, resolved ones greyed, so the open P0/P1s stand out."""

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if column_key == "severity" and role == Qt.ItemDataRole.ForegroundRole:
            return brush(SEVERITY_COLORS.get(self.value(row, "severity")))
        if column_key == "status" and role == Qt.ItemDataRole.ForegroundRole and self.value(row, "status") == "resolved":
            return brush(GREY)
        return None


def load_services(engine: Engine) -> list[av.ServiceHealth]:
    with engine.connect() as conn:
        return av.service_health(conn, utcnow())


def load_incident(engine: Engine, incident_id: str) -> av.IncidentDetail | None:
    with engine.connect() as conn:
        return av.incident_detail(conn, incident_id)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"


def _when(value: Any) -> str:
    return format_value(w.DATETIME, value)


def service_cells(s: av.ServiceHealth) -> list[tuple[str, QColor | None, str]]:
    """(text, colour, tooltip) per column of one service row."""
    def below_slo(value: float | None) -> QColor | None:
        return RED if value is not None and value < s.slo_target else None

    budget_color = RED if s.budget.left_min < 0 else AMBER if s.budget.low else None
    failed = f"Latest check failed: {s.last_error}" if s.state == av.DOWN and s.last_error else ""
    return [
        (s.name, None, s.id),
        (s.state, STATE_COLORS[s.state], failed),
        ("—" if s.latency_ms is None else f"{s.latency_ms:,.0f} ms", None, ""),
        (_pct(s.availability_24h), below_slo(s.availability_24h), "Red: below the SLO"),
        (_pct(s.availability_30d), below_slo(s.availability_30d), f"{s.checks_30d:,} checks in the last 30 days"),
        (f"{s.slo_target * 100:g} %", None, ""),
        (av.budget_text(s.budget), budget_color, av.budget_explanation(s.budget, s.slo_target)),
        (f"{s.open_incidents}", RED if s.open_incidents else None, ""),
        (_when(s.checked_at) or "never", None, ""),
    ]


def render_incident(d: av.IncidentDetail) -> DetailView:
    i = d.incident
    end = i["resolved_at"] or utcnow()
    hours = (end - i["started_at"]).total_seconds() / 3600
    entries = [
        LogEntry(f"{_when(u['created_at'])} · {u['author'] or 'unknown'} · {u['status']}", u["body"],
                 "waiting to send" if u["pending"] else "")
        for u in d.updates
    ]
    return DetailView(
        title=f"{i['id']} · {i['title']}",
        fields=(
            ("Service", d.service_name or i["service_id"] or "—"),
            ("Severity", i["severity"]),
            ("Status", i["status"]),
            ("Started", _when(i["started_at"])),
            ("Acknowledged", _when(i["acknowledged_at"]) or "not yet"),
            ("Resolved", _when(i["resolved_at"]) or "open"),
            ("Duration", f"{hours:,.1f} h" + ("" if i["resolved_at"] else " so far")),
        ),
        sections=(LogSection("Updates (newest first)", entries, empty="No updates posted yet"),),
    )


class HealthPane(Pane):
    """Services with availability and error budget on top; incidents and their updates below."""

    pane_id = "health"
    title = "Health"
    resources = ("ops:services", "ops:health_checks", "ops:incidents", "ops:incident_updates")

    def __init__(self, engine: Engine, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(engine, runner, parent)
        self.settings = settings

    def build(self) -> None:
        self.services = QTableWidget(0, len(SERVICE_COLUMNS))
        self.services.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.services.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.services.setAlternatingRowColors(True)
        self.services.verticalHeader().hide()
        self.services.setWordWrap(False)
        for c, (title, tip) in enumerate(SERVICE_COLUMNS):
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            if c in _NUMERIC:
                item.setTextAlignment(_RIGHT)
            self.services.setHorizontalHeaderItem(c, item)
        header = self.services.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        vheader = self.services.verticalHeader()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(vheader.minimumSectionSize() + 6)
        self.services_status = QLabel("Reading service health…")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("<b>Services</b>"))
        top_layout.addWidget(self.services_status)
        top_layout.addWidget(self.services, 1)

        self.model = IncidentTableModel(WindowSource(self.engine, INCIDENTS), self.runner, self)
        self.detail = DetailPanel(self.runner, lambda key: load_incident(self.engine, key), render_incident,
                                  placeholder="Select an incident to see its updates")
        self.incidents = MasterDetail(
            self.model, self.detail, engine=self.engine, runner=self.runner, state_key="panes/health/incidents",
            noun="incidents", filters=INCIDENT_FILTERS,
            search_placeholder="Search incident titles and services…  (Ctrl+F)",
            empty="No incidents in the cache yet — File ▸ Sync now",
            no_match="No incidents match — “Open” shows only unresolved ones; try “All”",
        )
        self.table = self.incidents.table
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.addWidget(QLabel("<b>Incidents</b>"))
        bottom_layout.addWidget(self.incidents, 1)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(top)
        self.split.addWidget(bottom)
        if not settings_keys.restore_splitter("panes/health", self.split):
            self.split.setSizes([330, 470])
        self.body.addWidget(self.split, 1)
        self._load_services()

    def refresh_models(self) -> None:
        self.incidents.refresh()
        self._load_services()

    def save_state(self) -> None:
        self.incidents.save_state()
        settings_keys.save_splitter("panes/health", self.split)

    def _load_services(self) -> None:
        self.runner.run(
            load_services, self.engine, on_success=self._show_services,
            on_failure=lambda exc: self.services_status.setText(f"Could not read service health from the cache: {exc}"),
        )

    def _show_services(self, services: list[av.ServiceHealth]) -> None:
        services = sorted(services, key=lambda s: (_STATE_ORDER[s.state], s.name.lower()))
        self.services.setRowCount(len(services))
        for r, service in enumerate(services):
            for c, (text, color, tip) in enumerate(service_cells(service)):
                item = QTableWidgetItem(text)
                if c in _NUMERIC:
                    item.setTextAlignment(_RIGHT)
                if color is not None:
                    item.setForeground(brush(color))
                if tip:
                    item.setToolTip(tip)
                self.services.setItem(r, c, item)
        down = sum(s.state == av.DOWN for s in services)
        if not services:
            self.services_status.setText("No services in the cache yet — File ▸ Sync now")
        else:
            self.services_status.setText(
                f"{len(services)} services · {down} down · "
                f"{sum(s.state == av.DEGRADED for s in services)} degraded · problems listed first"
            )
