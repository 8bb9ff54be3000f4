"""The Overview tab, first for every role: its dashboard of KPI tiles against their targets.

What it shows follows the role (``app.roles``, from ``/me``): operations leads
with the service grid and the open incidents; product sees usage, feature
adoption per rollout phase and the free-to-paid funnel; executives the
customer overview, the top KPIs and the service grid; finance revenue and
costs; support its ticket KPIs.  Everything comes from one worker job
(``app.kpis.overview``: the role's figure sets, each asked once, and the
scorecard over them); the tab recomputes when a table they read changes.
A tile's click opens the tab behind it with its filter (``filter_requested``);
a service or an incident opens that record (``record_requested``).  No chart
library: sparklines are painted, so the first tab on screen costs little at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.clock import utcnow
from app.config.settings import Settings
from app.kpis import overview as core
from app.roles import EXECUTIVE, OVERVIEW
from app.store.changes import Changes
from app.store.database import Cache
from ui.failures import could_not
from ui.panes import overview_sections as sections
from ui.panes import overview_tiles as words
from ui.panes.base import Pane
from ui.widgets.flow_grid import FlowGrid
from ui.widgets.kpi_strip import Tile
from ui.widgets.summary_table import SummaryTable
from ui.workers import LatestRequest, TaskRunner

TILE_WIDTH = 150  # points: a tile's value and target stay readable


class OverviewPane(Pane):
    pane_id = OVERVIEW
    title = "Overview"
    resources = ("stripe:subscriptions", "ops:health_checks", "ops:tickets", "ops:costs", "ops:usage")
    tables = core.TABLES

    filter_requested = Signal(str, str)  # pane id, filter token ("" for none): a tile's click-through
    record_requested = Signal(str, str)  # pane id, record key: a service or an incident

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self.role = EXECUTIVE
        self.data: core.Overview | None = None
        self._request = LatestRequest(runner)
        self.tiles: dict[str, Tile] = {}  # KPI key → its tile, for the role shown
        self.anchors: dict[str, QWidget] = {}  # section name → its heading (a tile's click scrolls there)
        self.services: sections.ServiceGrid | None = None
        self.incidents: SummaryTable | None = None
        self.features: SummaryTable | None = None
        self.funnel: SummaryTable | None = None

    # ------------------------------------------------------------------ building

    def build(self) -> None:
        self.header = QLabel("Reading the figures…")
        self.header.setObjectName("overviewHeader")
        self.header.setWordWrap(True)
        self.content = QWidget()
        self.sections_layout = QVBoxLayout(self.content)
        self.sections_layout.setContentsMargins(0, 0, 0, 0)
        self.footer = QLabel()
        self.footer.setProperty("muted", True)
        self.footer.setWordWrap(True)
        self.body.addWidget(self.header)
        self.body.addWidget(self.content)
        self.body.addWidget(self.footer)
        self.body.addStretch(1)
        self._lay_out()
        self.load()

    def set_role(self, role: str) -> None:
        """The role from ``/me`` (or settings, offline): the dashboard is rebuilt for it."""
        if role == self.role:
            return
        self.role = role
        self.data = None
        if self.built:
            self._lay_out()
            self.load()

    def _clear(self) -> None:
        while self.sections_layout.count():
            item = self.sections_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.tiles, self.anchors = {}, {}
        self.services = self.incidents = self.features = self.funnel = None

    def _lay_out(self) -> None:
        """Headings, tile grids and sections for the role, empty until the figures arrive."""
        self._clear()
        role_sections = words.SECTIONS.get(self.role, ())
        if self.role in words.LEADS:
            self._add_sections(role_sections)
        for title, keys in words.LAYOUT.get(self.role, ()):
            head = sections.heading(title)
            self.anchors[title.lower()] = head
            self._add(head)
            grid = FlowGrid(TILE_WIDTH)
            made = []
            for key in keys:
                t = Tile("", clickable=True)  # captioned by its reading: a key is no title to show
                t.setObjectName(f"kpi_{key}")
                t.clicked.connect(lambda key=key: self.open_kpi(key))
                self.tiles[key] = t
                made.append(t)
            grid.set_items(made)
            self._add(grid)
        if self.role not in words.LEADS:
            self._add_sections(role_sections)

    def _add(self, widget: QWidget) -> None:
        self.sections_layout.addWidget(widget)

    def _add_sections(self, names: tuple[str, ...]) -> None:
        for name in names:
            title = {words.SERVICES: "Services", words.INCIDENTS: "Open incidents",
                     words.FEATURES: "Feature adoption", words.FUNNEL: "Free to paid this month"}[name]
            head = sections.heading(title)
            self.anchors[name] = head
            self._add(head)
            if name == words.SERVICES:
                self.services = sections.ServiceGrid(220)
                self.services.service_clicked.connect(lambda sid: self.record_requested.emit("health", sid))
                self._add(self.services)
            elif name == words.INCIDENTS:
                self.incidents = SummaryTable(sections.INCIDENT_COLUMNS, frozenset({3}), selectable=True)
                self.incidents.cellClicked.connect(self._incident_clicked)
                self._add(self.incidents)
            elif name == words.FEATURES:
                self.features = SummaryTable(sections.FEATURE_COLUMNS, frozenset({2, 3, 4}))
                self._add(self.features)
            else:
                self.funnel = SummaryTable(sections.FUNNEL_COLUMNS, frozenset({1, 2}))
                self._add(self.funnel)

    # ------------------------------------------------------------------ data

    def load(self) -> None:
        self._request.run(core.overview, self.engine, self.settings, self.role, utcnow(),
                          on_success=self._show, on_failure=self._failed)

    def changes_landed(self, changes: Changes) -> None:
        if changes.touches(self.tables):
            self.load()

    def _failed(self, exc: BaseException) -> None:
        """Say why in the header; tiles that never had figures are hidden (their captions come with them)."""
        self.header.setText(could_not("compute the overview from the cache", exc))
        self.content.setVisible(self.data is not None)
        for t in self.tiles.values():
            t.value.setText("—")

    def _show(self, data: core.Overview) -> None:
        if data.role != self.role:
            return
        self.data = data
        self.content.show()
        card = data.scorecard
        now = utcnow()
        self.header.setText(f"<b>{self.role.capitalize()} overview</b> — {words.period_text(card)}")
        self.footer.setText(words.freshness_text(card, now))
        for reading, kpi in words.tiles(card, tuple(self.tiles), now):
            t = self.tiles[reading.key]
            t.caption.setText(kpi.label)
            t.value.setText(kpi.value)
            t.value.setStyleSheet(f"color: {kpi.color.name()};" if kpi.color is not None else "")
            t.note.setText(kpi.note)
            t.setToolTip(kpi.tooltip)
            t.sparkline.show()  # empty when the KPI has no series: the tiles keep one height
            t.sparkline.set_values(kpi.trend, None, kpi.color)
        if self.services is not None and data.health is not None:
            self.services.set_services(data.health.services)
        if self.incidents is not None:
            self.incidents.set_rows(sections.incident_rows(data.incidents, now), [i.id for i in data.incidents])
        if data.usage is not None:
            if self.features is not None:
                self.features.set_rows(sections.feature_rows(data.usage.features, self.settings.targets)
                                       if self.settings else [], [f.id for f in data.usage.features])
            if self.funnel is not None:
                self.funnel.set_rows(sections.funnel_rows(data.usage.free_to_paid))

    # ------------------------------------------------------------------ click-through

    def open_kpi(self, key: str) -> None:
        """A tile was clicked: the tab behind it with its filter, or this tab's section about it."""
        if self.data is None:
            return
        reading = next((r for r in self.data.scorecard.readings if r.key == key), None)
        if reading is None:
            return
        if reading.pane == OVERVIEW:
            anchor = self.anchors.get(reading.pane_filter or "")
            if anchor is not None:
                self.scroll_area.ensureWidgetVisible(anchor)
            return
        self.filter_requested.emit(reading.pane, reading.pane_filter or "")

    def _incident_clicked(self, row: int, _column: int) -> None:
        if self.data is not None and 0 <= row < len(self.data.incidents):
            self.record_requested.emit("health", self.data.incidents[row].id)
