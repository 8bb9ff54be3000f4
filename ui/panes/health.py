"""The Health tab: are our services up, how fast, how much error budget is left, which incidents are open.

The services table is a handful of rows (one per service), each summarising a
month of health checks (``app.views.services``, grouped SQL aggregates on a
worker); the table shows the result.  Incidents grow without bound, so they
are a ``SqlTableModel`` window (``app.views.incidents``) like every big table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.clock import utcnow
from app.config.settings import Settings
from app.domain import availability as av
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import incidents as view
from app.views import services
from ui import formatting as fmt
from ui import settings_keys
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.detail_panel import DetailPanel, DetailView, LogEntry, LogSection
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREEN, GREY, RED, brush
from ui.widgets.summary_table import Cell, SummaryTable
from ui.workers import LatestRequest, TaskRunner

INCIDENT_FILTERS = (("Open", ("open",)), ("All", ()), ("P0–P1", ("p0_p1",)))
SEVERITY_COLORS: dict[str, QColor] = {"P0": RED, "P1": RED, "P2": AMBER, "P3": GREY, "P4": GREY}
STATE_COLORS: dict[str, QColor] = {av.UP: GREEN, av.DEGRADED: AMBER, av.DOWN: RED, av.UNKNOWN: GREY}
SERVICE_COLUMNS = (
    ("Service", ""),
    ("State", (
        "From the latest health check: Down when it failed; Degraded when it passed slowly "
        "(over half the timeout) or the service has an open incident"
    )),
    ("Latency", "Response time of the latest check, milliseconds"),
    ("Avail. 24 h", "Share of health checks that passed in the last 24 hours"),
    ("Avail. 30 d", "Share of health checks that passed in the last 30 days"),
    ("SLO", "The service's availability objective"),
    ("Error budget left", "Downtime the SLO still allows this calendar month (hover a cell for the arithmetic)"),
    ("Open incidents", "Incidents not yet resolved"),
    ("Last check", "When the latest health check ran (local time)"),
)
_NUMERIC = frozenset({2, 3, 4, 5, 6, 7})


class IncidentTableModel(SqlTableModel):
    """Severe incidents in red, resolved ones greyed, so the open P0/P1s stand out."""

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if column_key == "severity" and role == Qt.ItemDataRole.ForegroundRole:
            return brush(SEVERITY_COLORS.get(self.value(row, "severity")))
        resolved = self.value(row, "status") == view.RESOLVED
        if column_key == "status" and role == Qt.ItemDataRole.ForegroundRole and resolved:
            return brush(GREY)
        return None


def service_cells(s: av.ServiceHealth) -> list[Cell]:
    """The cells of one service row: text, colour, tooltip."""
    def below_slo(value: float | None) -> QColor | None:
        return RED if value is not None and value < s.slo_target else None

    budget_color = RED if s.budget.left_min < 0 else AMBER if s.budget.low else None
    failed = f"Latest check failed: {s.last_error}" if s.state == av.DOWN and s.last_error else ""
    return [
        Cell(s.name, tip=s.id),
        Cell(s.state, STATE_COLORS[s.state], failed),
        Cell(fmt.MISSING if s.latency_ms is None else f"{s.latency_ms:,.0f} ms"),
        Cell(fmt.share(s.availability_24h), below_slo(s.availability_24h), "Red: below the SLO"),
        Cell(
            fmt.share(s.availability_30d), below_slo(s.availability_30d), f"{s.checks_30d:,} checks in the last 30 days"
        ),
        Cell(f"{s.slo_target * 100:g} %"),
        Cell(av.budget_text(s.budget), budget_color, av.budget_explanation(s.budget, s.slo_target)),
        Cell(f"{s.open_incidents}", RED if s.open_incidents else None),
        Cell(fmt.when(s.checked_at) or "never"),
    ]


def render_incident(d: av.IncidentDetail) -> DetailView:
    i = d.incident
    hours = av.incident_hours(i["started_at"], i["resolved_at"], utcnow())
    entries = [
        LogEntry(f"{fmt.when(u['created_at'])} · {u['author'] or 'unknown'} · {u['status']}", u["body"],
                 "waiting to send" if u["pending"] else "")
        for u in d.updates
    ]
    return DetailView(
        title=f"{i['id']} · {i['title']}",
        fields=(
            ("Service", d.service_name or i["service_id"] or "—"),
            ("Severity", i["severity"]),
            ("Status", i["status"]),
            ("Started", fmt.when(i["started_at"])),
            ("Acknowledged", fmt.when(i["acknowledged_at"]) or "not yet"),
            ("Resolved", fmt.when(i["resolved_at"]) or "open"),
            ("Duration", f"{hours:,.1f} h" + ("" if i["resolved_at"] else " so far")),
        ),
        sections=(LogSection("Updates (newest first)", entries, empty="No updates posted yet"),),
    )


class HealthPane(Pane):
    """Services with availability and error budget on top; incidents and their updates below."""

    pane_id = "health"
    title = "Health"
    resources = ("ops:services", "ops:health_checks", "ops:incidents", "ops:incident_updates")
    tables = services.TABLES | view.SPEC.tables | view.DETAIL_TABLES
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self._services = LatestRequest(runner)

    def build(self) -> None:
        self.services = SummaryTable(SERVICE_COLUMNS, _NUMERIC, fit=False)
        self.services_status = QLabel("Reading service health…")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("<b>Services</b>"))
        top_layout.addWidget(self.services_status)
        top_layout.addWidget(self.services, 1)

        self.model = IncidentTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.detail = DetailPanel(self.runner, lambda key: view.load_incident(self.engine, key), render_incident,
                                  placeholder="Select an incident to see its updates",
                                  key_table="incidents", tables=view.DETAIL_TABLES)
        self.incidents = MasterDetail(
            self.model, self.detail, runner=self.runner, state_key="panes/health/incidents",
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

    def changes_landed(self, changes: Changes) -> None:
        self.incidents.apply_changes(changes)
        if changes.touches(services.TABLES):
            self._load_services()

    def save_state(self) -> None:
        self.incidents.save_state()
        settings_keys.save_splitter("panes/health", self.split)

    def _load_services(self) -> None:
        self._services.run(
            services.load_services, self.engine, on_success=self._show_services,
            on_failure=lambda exc: self.services_status.setText(f"Could not read service health from the cache: {exc}"),
        )

    def _show_services(self, health: list[av.ServiceHealth]) -> None:
        self.services.set_rows([service_cells(s) for s in health], [s.id for s in health])
        down = sum(s.state == av.DOWN for s in health)
        if not health:
            self.services_status.setText("No services in the cache yet — File ▸ Sync now")
        else:
            self.services_status.setText(
                f"{len(health)} services · {down} down · "
                f"{sum(s.state == av.DEGRADED for s in health)} degraded · problems listed first"
            )
