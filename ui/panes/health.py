"""The Health tab: are our services up, how fast, how much error budget is left, which incidents are open.

Top: every service in one table (``health_services``) from the ``health``
figure set, with drafts the console proposes for services that went Down
without an incident.  Below, two tabs: the incidents (a ``SqlTableModel``
window beside the selected incident's story, impact and actions) and the
selected service's charts (pyqtgraph, imported when that tab is first shown).
Actions write pending rows and outbox entries on the writer thread; the
change bus redraws what they changed.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.clock import utcnow
from app.config.settings import Settings
from app.domain.availability import incidents as domain
from app.domain.availability import state as st
from app.domain.availability.impact import Impact
from app.domain.availability.latency import ChartSeries
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import incidents as view
from app.views import services
from ui import formatting as fmt
from ui.dialogs import incident_forms
from ui.failures import could_not
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.panes.health_services import ServicesTable, duration
from ui.widgets.action_bar import ActionBar
from ui.widgets.detail_panel import DetailPanel, DetailView, LogEntry, LogSection, TableSection
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREY, RED, brush
from ui.workers import LatestRequest, TaskRunner

if TYPE_CHECKING:
    from ui.panes.health_charts import ServiceCharts

INCIDENT_FILTERS = (("Open", ("open",)), ("Not acknowledged", ("unacknowledged",)), ("P0–P1", ("p0_p1",)),
                    ("All", ()))
SEVERITY_COLORS: dict[str, QColor] = {"P0": RED, "P1": RED, "P2": AMBER, "P3": GREY, "P4": GREY}
READ_ONLY_NOTE = "Read-only: your role can view incidents but not change them."
CHART_WINDOWS = (("24 h", dt.timedelta(days=1)), ("7 d", dt.timedelta(days=7)), ("30 d", dt.timedelta(days=30)),
                 ("90 d", dt.timedelta(days=90)))
ACTIONS = (
    ("open", "Open incident…", "Open an incident: severity, affected services, impact, first update"),
    ("acknowledge", "Acknowledge", "Say you are on it (records who and when)"),
    ("update", "Post update…", "Post a status update: investigating → identified → monitoring → resolved"),
    ("resolve", "Resolve…", "Post the resolving update"),
    ("postmortem", "Post-mortem…", "Root cause, what went well and badly, follow-up actions with owners"),
)


class IncidentTableModel(SqlTableModel):
    """Severe incidents in red, resolved ones greyed, so the open P0/P1s stand out."""

    cell_roles = (Qt.ItemDataRole.ForegroundRole,)

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if column_key == "severity" and role == Qt.ItemDataRole.ForegroundRole:
            return brush(SEVERITY_COLORS.get(self.value(row, "severity")))
        resolved = self.value(row, "status") == view.RESOLVED
        if column_key == "status" and role == Qt.ItemDataRole.ForegroundRole and resolved:
            return brush(GREY)
        return None


def _at_stake(impact: Impact) -> str:
    """``$1,234.00 MRR``, naming the customers whose currency has no rate (left out of the sum)."""
    text = f"{fmt.money(impact.mrr_minor, impact.currency)} MRR"
    if impact.unconverted:
        text += f" (+{impact.unconverted} customers in a currency without a rate)"
    return text


def render_incident(d: domain.IncidentDetail, settings: Settings) -> DetailView:
    """One incident: facts, escalation, impact (tickets and MRR), post-mortem, updates."""
    i = d.incident
    now = utcnow()
    hours = domain.incident_hours(i["started_at"], i["resolved_at"], now)
    ack = "not yet"
    if i["acknowledged_at"]:
        minutes = (i["acknowledged_at"] - i["started_at"]).total_seconds() / 60
        ack = f"{fmt.when(i['acknowledged_at'])} by {i.get('acknowledged_by') or 'someone'} ({minutes:.0f} min in)"
    impact = d.impact
    sections: list[TableSection | LogSection] = []
    if impact.tickets:
        sections.append(TableSection(
            f"Tickets about it: {impact.tickets} from {impact.customers} customers, {_at_stake(impact)}",
            ("Ticket", "Customer", "MRR"),
            [(f"#{t.id} {t.subject}", t.customer_name or t.customer_id or "—", fmt.money(t.mrr_minor, t.currency))
             for t in impact.listed],
            numeric=frozenset({2}),
        ))
    review = d.postmortem
    if review:
        sections.append(TableSection(
            "Post-mortem follow-ups", ("Action", "Owner"),
            [(f.get("action", ""), f.get("owner", "")) for f in review.get("follow_ups", [])], empty="None"))
    entries = [
        LogEntry(f"{fmt.when(u['created_at'])} · {u['author'] or 'unknown'} · {u['status']}", u["body"],
                 "waiting to send" if u["pending"] else "")
        for u in d.updates
    ]
    sections.append(LogSection("Updates (newest first)", entries, empty="No updates posted yet"))
    fields = [
        ("Severity", f"{i['severity']} — {domain.SEVERITIES.get(i['severity'], '')}"),
        ("Status", i["status"] + ("  ·  waiting to send" if i.get("pending") else "")),
        ("Services", ", ".join(d.services.values()) or "—"),
        ("Impact", i.get("impact") or "—"),
        ("Revenue at stake", f"{_at_stake(impact)} of {impact.customers} customers who wrote in"
         if impact.tickets else "No ticket mentions it yet"),
        ("Started", fmt.when(i["started_at"])),
        ("Acknowledged", ack),
        ("Resolved", fmt.when(i["resolved_at"]) or "open"),
        ("Duration", f"{hours:,.1f} h" + ("" if i["resolved_at"] else " so far")),
        ("Escalation", " → ".join(settings.health.escalation(i["severity"]))),
    ]
    if review:
        fields += [("Root cause", review.get("root_cause", "")), ("Went well", review.get("went_well", "")),
                   ("Went badly", review.get("went_badly", ""))]
    return DetailView(
        title=f"{i['id']} · {i['title']}", fields=fields, sections=sections,
        tooltips={"Escalation": "Who is called for this severity, in order ([health] escalation_p0 … p4)",
                  "Revenue at stake": "MRR of the customers whose tickets since the start mention an affected "
                                      "service (docs/metrics.md, Incident impact)"},
    )


class HealthPane(Pane):
    """Services with state, availability, budget and burn rate on top; incidents and charts below."""

    pane_id = "health"
    title = "Health"
    resources = ("ops:services", "ops:health_checks", "ops:incidents", "ops:incident_updates",
                 "ops:maintenance_windows")
    tables = services.TABLES | view.SPEC.tables | view.DETAIL_TABLES
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self._services = LatestRequest(runner)
        self._chart = LatestRequest(runner)
        self.health: services.HealthView | None = None
        self.charts: ServiceCharts | None = None
        self.chart_service: str | None = None
        self.chart_window = CHART_WINDOWS[0][1]
        self.buttons: dict[str, QPushButton] = {}

    # -- building

    def build(self) -> None:
        self.summary = QLabel("Reading service health…")
        self.summary.setObjectName("healthSummary")
        self.draft_bar = self._draft_bar()
        self.services = ServicesTable()
        self.services.itemSelectionChanged.connect(self._service_selected)
        self.below = QTabWidget()
        self.below.setDocumentMode(True)
        self.below.addTab(self._incidents_tab(), "Incidents")
        self.chart_tab = QWidget()
        self.below.addTab(self.chart_tab, "Service charts")
        self.below.currentChanged.connect(self._tab_changed)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.draft_bar)
        self.body.addWidget(self.services)
        self.body.addWidget(self.below, 1)
        self._load_services()
        self.update_actions()

    def show_record(self, key: str) -> None:
        """A service or an incident; a service asked for before the services are read is chosen when they are."""
        super().show_record(key)
        if self.health is None:
            self.chart_service = key

    def apply_filter(self, token: str) -> bool:
        """The incidents list (the first inner tab) filtered to ``token`` (open, not acknowledged…)."""
        self.ensure_built()
        self.below.setCurrentIndex(0)
        return super().apply_filter(token)

    def _draft_bar(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("draftIncident")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(0, 0, 0, 0)
        self.draft_label = QLabel()
        self.draft_label.setWordWrap(True)
        self.draft_open = QPushButton("Review and open…")
        self.draft_open.setToolTip("Open the incident the console proposes, after checking it")
        self.draft_open.clicked.connect(lambda _checked=False: self.open_draft())
        self.draft_dismiss = QPushButton("Dismiss")
        self.draft_dismiss.setToolTip("This outage needs no incident (it will not be proposed again)")
        self.draft_dismiss.clicked.connect(lambda _checked=False: self.dismiss_draft())
        layout.addWidget(self.draft_label, 1)
        layout.addWidget(self.draft_open)
        layout.addWidget(self.draft_dismiss)
        bar.hide()
        return bar

    def _incidents_tab(self) -> QWidget:
        self.model = IncidentTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.detail = DetailPanel(self.runner, lambda key: view.load_incident(self.engine, key, self.settings),
                                  lambda d: render_incident(d, self.settings),
                                  placeholder="Select an incident to see its story, impact and escalation",
                                  key_table="incidents", tables=view.DETAIL_TABLES)
        self.detail.loaded.connect(lambda _detail: self.update_actions())
        self.action_bar = ActionBar(READ_ONLY_NOTE)
        for action, label, tip in ACTIONS:
            self.buttons[action] = self.action_bar.add(label, tip, partial(self.act, action))
        self.action_bar.finish()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.action_bar)
        side_layout.addWidget(self.detail, 1)
        self.incidents = MasterDetail(
            self.model, self.detail, runner=self.runner, state_key="panes/health/incidents",
            noun="incidents", filters=INCIDENT_FILTERS, side=side,
            search_placeholder="Search incident titles and services…  (Ctrl+F)",
            empty="No incidents in the cache yet — File ▸ Sync now",
            no_match="No incidents match — “Open” shows only unresolved ones; try “All”",
            sizes=(720, 540),
        )
        self.table = self.incidents.table
        self.table.current_changed.connect(lambda _key: self.action_bar.clear())
        return self.incidents

    def _build_charts(self) -> None:
        """The chart tab's widgets: pyqtgraph is imported here, the first time the tab is shown."""
        from ui.panes.health_charts import ServiceCharts

        layout = QVBoxLayout(self.chart_tab)
        layout.setContentsMargins(0, 4, 0, 0)
        row = QHBoxLayout()
        self.chart_title = QLabel("Select a service above")
        row.addWidget(self.chart_title, 1)
        self.window_buttons = QButtonGroup(self)
        for n, (label, window) in enumerate(CHART_WINDOWS):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setChecked(n == 0)
            button.clicked.connect(lambda _checked=False, w=window: self._set_window(w))
            self.window_buttons.addButton(button)
            row.addWidget(button)
        layout.addLayout(row)
        self.charts = ServiceCharts()
        layout.addWidget(self.charts, 1)

    # -- Pane hooks

    def changes_landed(self, changes: Changes) -> None:
        self.incidents.apply_changes(changes)
        if changes.touches(services.TABLES):
            self._load_services()
            if self.charts is not None and changes.touches(("health_checks", "maintenance_windows")):
                self._load_chart()

    def save_state(self) -> None:
        self.incidents.save_state()

    # -- services

    def _load_services(self) -> None:
        self._services.run(
            services.load_health, self.engine, self.settings.health, on_success=self._show_services,
            on_failure=lambda exc: self.summary.setText(could_not("read service health from the cache", exc)),
        )

    def _show_services(self, health: services.HealthView) -> None:
        self.health = health
        figures = health.figures
        self.services.show_services(figures)
        self.services.keep_key(self.chart_service)
        if not figures.services:
            self.summary.setText("No services in the cache yet — File ▸ Sync now")
        else:
            counts = figures.states
            parts = [f"<b>{len(figures.services)} services</b>"]
            parts += [f"{counts[s]} {s.lower()}" for s in (st.DOWN, st.DEGRADED, st.UNKNOWN) if counts[s]]
            if counts[st.MAINTENANCE]:
                parts.append(f"{counts[st.MAINTENANCE]} in maintenance")
            if figures.pages:
                parts.append(f"<span style='color:{RED.name()}'>{figures.pages} burning budget fast (page)</span>")
            parts.append(f"{figures.open_incidents} open incident{'s' if figures.open_incidents != 1 else ''}")
            period = "calendar month" if figures.budget_period == "calendar_month" else "rolling 30 days"
            self.summary.setText(" · ".join(parts) + f" · budgets over the {period} · problems first")
        self._show_drafts(health.drafts)
        self.update_actions()

    def _show_drafts(self, drafts: list[domain.DraftIncident]) -> None:
        if not drafts:
            self.draft_bar.hide()
            return
        first = drafts[0]
        more = f" (and {len(drafts) - 1} more)" if len(drafts) > 1 else ""
        age = duration(max(0.0, (utcnow() - first.since).total_seconds()))
        self.draft_label.setText(
            f"<span style='color:{RED.name()}'><b>Draft incident:</b></span> {first.service_name} has been down "
            f"for {age} (since {fmt.when(first.since)}) and no incident covers it — proposed "
            f"{first.severity}{more}."
        )
        self.draft_bar.show()

    def _service_selected(self) -> None:
        key = self.services.selected_key()
        if key is None:
            return
        self.chart_service = str(key)
        if self.below.currentWidget() is self.chart_tab:
            self._load_chart()

    # -- charts

    def _tab_changed(self, _index: int) -> None:
        if self.below.currentWidget() is not self.chart_tab:
            return
        if self.charts is None:
            self._build_charts()
        if self.chart_service is None and self.health is not None and self.health.figures.services:
            self.chart_service = self.health.figures.services[0].id
            self.services.keep_key(self.chart_service)
        self._load_chart()

    def _set_window(self, window: dt.timedelta) -> None:
        self.chart_window = window
        self._load_chart()

    def _load_chart(self) -> None:
        if self.charts is None or self.chart_service is None:
            return
        self._chart.run(services.load_chart, self.engine, self.chart_service, self.chart_window,
                        on_success=self._show_chart)

    def _show_chart(self, series: ChartSeries | None) -> None:
        if series is None or self.charts is None:
            return
        name = next((s.name for s in self.health.figures.services if s.id == series.service_id), series.service_id) \
            if self.health else series.service_id
        label = next(lbl for lbl, w in CHART_WINDOWS if w == self.chart_window)
        self.chart_title.setText(f"<b>{name}</b> — last {label} · {len(series.times):,} passing checks")
        self.charts.show_series(series)

    # -- incident actions

    def _selected(self) -> domain.IncidentDetail | None:
        """The current incident's detail, only once it is the detail of the key the table remembers."""
        detail = self.detail.current
        key = self.table.current_key()
        return detail if isinstance(detail, domain.IncidentDetail) and detail.incident["id"] == key else None

    def _service_names(self) -> dict[str, str]:
        figures = self.health.figures.services if self.health else ()
        return incident_forms.service_names([(s.id, s.name) for s in figures])

    def _write(self, fn: Any, *args: Any, done: str) -> None:
        self.action_bar.say("Saving…")
        self.runner.run(fn, self.engine, *args, writes=True,
                        on_failure=self.action_bar.failed_to_save,
                        on_success=lambda _written: self.action_bar.say(done))

    def act(self, action: str) -> None:
        """Ask for what the action needs, then write it (cache + outbox) on the writer thread."""
        if self.read_only or not self.buttons[action].isEnabled():
            return
        sent = "Saved — waiting to send; it goes out with the next sync."
        if action == "open":
            new = incident_forms.ask_open(self._service_names(), self.settings.health, utcnow(), parent=self)
            if new is not None:
                self._write(domain.open_incident, new, done=sent)
            return
        detail = self._selected()
        if detail is None:
            return
        key = detail.incident["id"]
        if action == "acknowledge":
            self._write(domain.acknowledge, key, done=sent)
        elif action in ("update", "resolve"):
            answer = incident_forms.ask_update(detail, resolve=action == "resolve", parent=self)
            if answer is not None:
                self._write(domain.post_update, key, *answer, done=sent)
        elif action == "postmortem":
            review = incident_forms.ask_postmortem(detail, parent=self)
            if review is not None:
                self._write(domain.write_postmortem, key, review, done=sent)

    def open_draft(self) -> None:
        if self.read_only or self.health is None or not self.health.drafts:
            return
        draft = self.health.drafts[0]
        new = incident_forms.ask_open(self._service_names(), self.settings.health, utcnow(), draft, parent=self)
        if new is not None:
            self._write(domain.open_incident, new, done="Incident opened — waiting to send with the next sync.")

    def dismiss_draft(self) -> None:
        if self.read_only or self.health is None or not self.health.drafts:
            return
        self.runner.run(domain.dismiss_draft, self.engine, self.health.drafts[0], writes=True)

    def update_actions(self) -> None:
        if not self.built:
            return
        detail = self._selected()
        incident = detail.incident if detail else None
        open_ = incident is not None and incident["status"] != domain.RESOLVED
        enabled = {
            "open": True,
            "acknowledge": open_ and incident is not None and not incident["acknowledged_at"],
            "update": open_,
            "resolve": open_,
            "postmortem": incident is not None and not open_,
        }
        for action, button in self.buttons.items():
            button.setEnabled(enabled[action] and not self.read_only)
        self.draft_open.setEnabled(not self.read_only)
        self.draft_dismiss.setEnabled(not self.read_only)
        self.action_bar.set_read_only(self.read_only)
