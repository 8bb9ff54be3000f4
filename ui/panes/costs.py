"""The Costs tab: this month's spend per service against its budget, a forecast, 13 months of history.

All figures come from one worker job (``app.domain.costs.cost_overview``)
whose small result the pane draws (``cost_summary`` makes the cells); the raw
daily records are a ``DataTable`` over the cache (``app.views.costs``).
Selecting a service in the summary draws its budget line, filters the records
to it and shows its growth scenarios.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from app.config.settings import Settings
from app.domain import costs
from app.domain.costs import CostLine, CostOverview, MonthSummary
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import costs as view
from ui import settings_keys
from ui.models.sql_table import SqlTableModel
from ui.panes import cost_summary
from ui.panes.base import Pane
from ui.widgets.data_table import DataTable
from ui.widgets.palette import SERIES
from ui.widgets.summary_table import SummaryTable
from ui.workers import LatestRequest, TaskRunner

STATE_KEY = "costs"
RECORD_FILTERS = (("All records", ()), ("Synced from the Ops API", ("synced",)), ("Imported from files", ("imported",)))

EMPTY_TEXT = (
    "<h3>No costs yet</h3>"
    "<p>Costs appear here once they are in the local cache: sync with the Ops API "
    "(<b>File ▸ Sync now</b>) or import a billing export (<b>File ▸ Import costs…</b>):<br>"
    "an AWS Cost and Usage Report, a Google Cloud billing export, or a "
    "<code>date,service,amount,currency</code> CSV file.</p>"
)


class CostsPane(Pane):
    """Cloud costs against budgets; built on first show, redrawn after every sync or import."""

    pane_id = "costs"
    title = "Costs"
    resources = ("ops:costs", "ops:budgets")  # the sync_state keys of the two Ops API resources
    tables = view.OVERVIEW_TABLES | view.RECORDS.tables
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self.overview: CostOverview | None = None
        self.selected: str | None = None  # the service chosen in the summary
        self._month: dt.date | None = None  # None: the newest month with costs
        self._records_service: str | None = None  # the service the records table is filtered to
        self._overview = LatestRequest(runner)

    # -- building

    def build(self) -> None:
        from ui.panes.cost_chart import CostChart  # pyqtgraph is imported here, not at start-up

        self.chart: CostChart = CostChart()
        self.chart.setMinimumHeight(220)
        self.top_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top_splitter.addWidget(self._build_tables())
        self.top_splitter.addWidget(self.chart)
        self.top_splitter.setStretchFactor(1, 1)
        self.main_splitter = QSplitter(Qt.Orientation.Vertical)
        self.main_splitter.addWidget(self.top_splitter)
        self.main_splitter.addWidget(self._build_records())
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 2)
        settings_keys.restore_splitter(f"{STATE_KEY}/top", self.top_splitter)
        settings_keys.restore_splitter(f"{STATE_KEY}/main", self.main_splitter)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_month_bar())
        layout.addWidget(self.main_splitter, 1)
        self.empty = QLabel("Reading costs…")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(content)
        self.body.addWidget(self.stack, 1)
        self._request_overview()

    def _build_month_bar(self) -> QHBoxLayout:
        self.month = QComboBox()
        self.month.setToolTip("The month the summary, forecast and scenarios are about")
        self.month.setMinimumContentsLength(14)
        self.month.activated.connect(self._month_chosen)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Month:"))
        bar.addWidget(self.month)
        bar.addSpacing(12)
        bar.addWidget(self.caption, 1)
        return bar

    def _build_tables(self) -> QWidget:
        """The month summary with the growth scenarios under it."""
        self.summary = SummaryTable(cost_summary.SUMMARY_COLUMNS, cost_summary.NUMBERS, selectable=True)
        self.summary.itemSelectionChanged.connect(self._summary_selection_changed)
        self.scenario_caption = QLabel()
        self.scenario_caption.setWordWrap(True)
        self.scenarios = SummaryTable((cost_summary.SCENARIO_HEAD,), cost_summary.NUMBERS)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addWidget(QLabel("<b>Growth scenarios</b>"))
        layout.addWidget(self.scenario_caption)
        layout.addWidget(self.scenarios)
        layout.addStretch(1)
        return box

    def _build_records(self) -> QWidget:
        self.records = DataTable(
            # parented: deleted with the pane
            SqlTableModel(WindowSource(self.engine, view.RECORDS), self.runner, self),
            f"{STATE_KEY}/records",
            noun="daily records",
            filters=RECORD_FILTERS,
            search_placeholder="Filter by service or source…",
        )
        self.records_title = QLabel("<b>Daily records</b>")
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.records_title)
        layout.addWidget(self.records, 1)
        return box

    # -- Pane hooks

    def changes_landed(self, changes: Changes) -> None:
        if changes.touches(view.OVERVIEW_TABLES):
            self._request_overview()
        if changes.touches(view.RECORDS.tables):
            self.records.model.refresh()

    def save_state(self) -> None:
        settings_keys.save_splitter(f"{STATE_KEY}/top", self.top_splitter)
        settings_keys.save_splitter(f"{STATE_KEY}/main", self.main_splitter)
        self.records.save_state()

    # -- the overview job

    def _request_overview(self) -> None:
        self._overview.run(costs.cost_overview, self.engine, self.settings.budgets, self._month,
                           on_success=self._overview_arrived, on_failure=self._overview_failed)

    def _overview_failed(self, exc: BaseException) -> None:
        self.empty.setText(f"<p>Could not read costs from the local cache:<br>{html.escape(str(exc))}</p>")
        self.stack.setCurrentWidget(self.empty)

    def _overview_arrived(self, overview: CostOverview) -> None:
        self.overview = overview
        if overview.summary is None:
            self.empty.setText(EMPTY_TEXT)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        summary = overview.summary
        self._fill_months(overview.months, summary.month)
        self.caption.setText(cost_summary.caption(summary, overview))
        self._fill_summary(summary)

    def _month_chosen(self, index: int) -> None:
        self._month = self.month.itemData(index)
        self._request_overview()

    # -- drawing

    def _fill_months(self, months: tuple[dt.date, ...], shown: dt.date) -> None:
        self.month.clear()
        for month in months:
            self.month.addItem(month.strftime("%B %Y"), month)
        self.month.setCurrentIndex(months.index(shown))

    def colors(self) -> dict[str, QColor]:
        """A fixed colour per service (by name order) shared by the summary swatches and the chart.

        The total and the chart's "other" line have none: the chart draws them in the text colour.
        """
        names = sorted(self.overview.series.by_service) if self.overview else []
        return {name: QColor(SERIES[i % len(SERIES)]) for i, name in enumerate(names)}

    def _fill_summary(self, summary: MonthSummary) -> None:
        previous = self.selected
        rows, services = cost_summary.summary_rows(summary, self.colors())
        self.summary.set_rows(rows, services)
        if previous in services:
            self.summary.selectRow(services.index(previous))  # keeps the selection across refreshes
        else:
            self._show_selection(None)

    def _summary_selection_changed(self) -> None:
        selected = self.summary.selected_key()
        self._show_selection(selected if isinstance(selected, str) else None)

    def _show_selection(self, service: str | None) -> None:
        """Draw the chart, records and scenarios for ``service`` (None: all, no budget line)."""
        self.selected = service
        overview = self.overview
        if overview is None or overview.summary is None:
            return
        self.chart.plot_series(overview.series, overview.summary.month, self.colors(), overview.budgets, service)
        self._filter_records(None if service == costs.TOTAL else service)
        self._fill_scenarios(overview.summary, overview.summary.line(service or costs.TOTAL))

    def _filter_records(self, service: str | None) -> None:
        """Show one service's records (None: all); unchanged keeps the table's rows and scroll."""
        if service == self._records_service:
            return
        self._records_service = service
        model = self.records.model
        model.set_query(dataclasses.replace(model.query, conditions=view.of_service(service)))
        self.records_title.setText(f"<b>Daily records — {service}</b>" if service else "<b>Daily records</b>")

    def _fill_scenarios(self, summary: MonthSummary, line: CostLine | None) -> None:
        if line is None:
            self.scenarios.set_rows([])
            return
        self.scenario_caption.setText(cost_summary.scenario_caption(line))
        months = cost_summary.scenario_months(summary, line)
        self.scenarios.set_columns([cost_summary.SCENARIO_HEAD, *((f"{m:%B %Y}", "") for m in months)])
        self.scenarios.set_rows(cost_summary.scenario_rows(summary, line))
