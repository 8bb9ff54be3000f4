"""The Costs tab: the month against its budgets with a forecast range, anomalies, unit economics, planning.

All figures come from one worker job (``app.domain.costs.figures.cost_overview``,
the same ``month_data`` that ``opsconsole metrics costs`` prints) whose result
the pane draws (``cost_summary`` makes the cells, ``cost_chart`` the chart);
the charges are a ``DataTable`` over the cost store (``app.views.costs``).
Selecting a service in the summary follows it in the chart and filters the
charges.  Every table scrolls inside its tab, so a bill of 40 services never
grows the window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.config.settings import Settings
from app.domain.costs import anomalies as anomaly_rule
from app.domain.costs import budgets
from app.domain.costs import forecast as forecast_rule
from app.domain.costs.figures import CostFigures, CostOverview, cost_overview
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import costs as view
from ui import formatting as fmt
from ui import settings_keys
from ui.failures import could_not
from ui.models.sql_table import SqlTableModel
from ui.panes import cost_summary
from ui.panes.base import Pane
from ui.widgets.action_bar import ActionBar
from ui.widgets.data_table import DataTable
from ui.widgets.kpi_strip import Kpi, KpiStrip
from ui.widgets.palette import AMBER, GREEN, GREY, RED, SERIES
from ui.widgets.summary_table import SummaryTable
from ui.workers import LatestRequest, TaskRunner

STATE_KEY = "costs"
CONTENT_MIN_HEIGHT = 440  # below it the pane scrolls: month bar, tiles and a chart with its date axis
# The palette's series (Okabe–Ito, told apart by colour-blind readers too) but its last, grey: that is "other".
OWN_COLORS = SERIES[:-1]
CHARGE_FILTERS = (("All charges", ()), ("Synced from the Ops API", ("synced",)),
                  ("Imported from files", ("imported",)), ("Credits", ("credits",)))
KPIS = ("Spend this month", "Forecast", "Total budget", "Runs out", "Anomalies", "Cost per $ MRR",
        "Margin after cloud")

EMPTY_TEXT = (
    "<h3>No costs yet</h3>"
    "<p>Costs appear here once they are in the local cache: sync with the Ops API "
    "(<b>File ▸ Sync now</b>) or import a billing export (<b>File ▸ Import costs…</b>):<br>"
    "an AWS Cost and Usage Report (one file, its parts, or its manifest), a Google Cloud billing export, "
    "an Azure cost export, a FOCUS file, or a <code>date,service,amount,currency</code> CSV file.</p>"
)


def _table(
    columns: tuple[tuple[str, str], ...], *, selectable: bool = False, numeric: frozenset[int] | None = None
) -> SummaryTable:
    """A summary table that fills its tab and scrolls inside it, whatever its number of rows.

    ``numeric``: the right-aligned columns (default: all but the first).
    """
    numeric = frozenset(range(1, len(columns))) if numeric is None else numeric
    return SummaryTable(columns, numeric, selectable=selectable, fit=False)


class CostsPane(Pane):
    """Cloud costs against budgets; built on first show, redrawn after every sync, import or mark."""

    pane_id = "costs"
    title = "Costs"
    resources = ("ops:costs", "ops:budgets")  # the sync_state keys of the two Ops API resources
    tables = view.OVERVIEW_TABLES | view.CHARGES.tables
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self.overview: CostOverview | None = None
        self.selected: str | None = None  # the service chosen in the summary
        self._month: dt.date | None = None  # None: the default month (this one, else the newest with costs)
        self._charges_service: str | None = None  # the service the charges table is filtered to
        self._overview = LatestRequest(runner)

    # -- building

    def build(self) -> None:
        from ui.panes.cost_chart import CostChart  # pyqtgraph is imported here, not at start-up

        self.chart = CostChart()
        self.chart.setMinimumHeight(200)
        self.kpis = KpiStrip(KPIS)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_budgets(), "Budgets")
        self.tabs.addTab(self._build_anomalies(), "Anomalies")
        self.tabs.addTab(self._build_economics(), "Unit economics")
        self.tabs.addTab(self._build_planning(), "Planning")
        self.tabs.addTab(self._build_charges(), "Charges")
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_month_bar())
        layout.addWidget(self.kpis)
        layout.addWidget(self.tabs, 1)
        self.empty = QLabel("Reading costs…")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(content)
        self.add_filling(self.stack, CONTENT_MIN_HEIGHT)
        self._request_overview()

    def _build_month_bar(self) -> QHBoxLayout:
        self.month = QComboBox()
        self.month.setToolTip("The month the figures are about")
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

    def _build_budgets(self) -> QWidget:
        """The month per service against its budget, beside the chart."""
        self.summary = _table(cost_summary.SUMMARY_COLUMNS, selectable=True)
        self.summary.itemSelectionChanged.connect(self._summary_selection_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.summary)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([780, 500])  # the table's columns whole at 1280 px; the chart takes the rest
        settings_keys.restore_splitter(f"{STATE_KEY}/budgets", self.splitter)
        return self.splitter

    def _build_anomalies(self) -> QWidget:
        self.anomaly_actions = ActionBar()
        self.mark_button = self.anomaly_actions.add(
            "Mark as expected", "The selected day was planned (a load test, a migration): keep it listed, "
            "raise no alert", lambda: self._mark(True))
        self.unmark_button = self.anomaly_actions.add(
            "Not expected", "Undo: treat the selected day as an anomaly again", lambda: self._mark(False))
        self.anomaly_actions.finish()
        self.anomaly_table = _table(cost_summary.ANOMALY_COLUMNS, selectable=True)
        self.anomaly_table.itemSelectionChanged.connect(self._update_anomaly_actions)
        rule = QLabel(cost_summary.ANOMALY_RULE)
        rule.setWordWrap(True)
        return self._box(rule, self.anomaly_actions, self.anomaly_table)

    def _build_economics(self) -> QWidget:
        self.economics = _table(cost_summary.ECONOMICS_COLUMNS)
        note = QLabel("Cloud cost against the recurring revenue it serves, month by month (newest first).")
        note.setWordWrap(True)
        return self._box(note, self.economics)

    def _build_planning(self) -> QWidget:
        self.planning_caption = QLabel()
        self.planning_caption.setWordWrap(True)
        # scenario and figure names, then one column of numbers per month shown (set when drawn)
        months = len(cost_summary.SHOWN_MONTHS) + 1
        self.scenarios = _table((("Scenario", ""),), numeric=frozenset(range(2, 2 + months)))
        self.scaling = _table(cost_summary.SCALING_COLUMNS)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._box(self.planning_caption, self.scenarios))
        splitter.addWidget(self._box(QLabel("<b>Scaling cost table</b> (monthly, Settings ▸ Planning)"),
                                     self.scaling))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        return splitter

    def _build_charges(self) -> QWidget:
        self.records = DataTable(
            # parented: deleted with the pane
            SqlTableModel(WindowSource(self.engine, view.CHARGES), self.runner, self),
            f"{STATE_KEY}/charges",
            noun="charges",
            filters=CHARGE_FILTERS,
            search_placeholder="Filter by service, provider, source or account…",
        )
        self.records_title = QLabel("<b>Charges</b> (FOCUS rows: one per day, service, charge category…)")
        return self._box(self.records_title, self.records)

    @staticmethod
    def _box(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        for widget in widgets:
            layout.addWidget(widget, 1 if isinstance(widget, (SummaryTable, DataTable)) else 0)
        return box

    # -- Pane hooks

    def changes_landed(self, changes: Changes) -> None:
        if changes.touches(view.OVERVIEW_TABLES):
            self._request_overview()
        if changes.touches(view.CHARGES.tables):
            self.records.model.refresh()

    def save_state(self) -> None:
        settings_keys.save_splitter(f"{STATE_KEY}/budgets", self.splitter)
        self.records.save_state()

    # -- the overview job

    def _request_overview(self) -> None:
        self._overview.run(cost_overview, self.engine, self.settings, self._month,
                           on_success=self._overview_arrived, on_failure=self._overview_failed)

    def _overview_failed(self, exc: BaseException) -> None:
        self.empty.setText(f"<p>{html.escape(could_not('read costs from the local cache', exc))}</p>")
        self.stack.setCurrentWidget(self.empty)

    def _overview_arrived(self, overview: CostOverview) -> None:
        self.overview = overview
        figures = overview.figures
        if figures.month is None:
            self.empty.setText(EMPTY_TEXT)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        self._fill_months(figures.months, figures.month)
        self.caption.setText(cost_summary.caption(figures))
        self.kpis.set_values(self._kpis(figures))
        self._fill_summary(figures)
        rows, keys = cost_summary.anomaly_rows(figures)
        self.anomaly_table.set_rows(rows, keys)
        unexpected = len(anomaly_rule.unmarked(figures.anomalies))
        self.tabs.setTabText(1, f"Anomalies ({unexpected})" if unexpected else "Anomalies")
        self._update_anomaly_actions()
        self.economics.set_rows(cost_summary.economics_rows(figures))
        self.planning_caption.setText(cost_summary.planning_caption(figures))
        self.scenarios.set_columns(cost_summary.scenario_columns(figures))
        self.scenarios.set_rows(cost_summary.scenario_rows(figures))
        self.scaling.set_rows(cost_summary.scaling_rows(figures))

    def _month_chosen(self, index: int) -> None:
        self._month = self.month.itemData(index)
        self._request_overview()

    # -- drawing

    def _fill_months(self, months: tuple[dt.date, ...], shown: dt.date) -> None:
        self.month.clear()
        for month in months:
            self.month.addItem(month.strftime("%B %Y"), month)
        if shown in months:
            self.month.setCurrentIndex(months.index(shown))

    def own_colors(self) -> tuple[list[str], dict[str, QColor]]:
        """The services drawn in a colour of their own (the month's biggest) and every colour, "other" grey.

        Colours follow the month's ranking, so a service keeps its colour across the summary and the
        three chart views; a service past the seventh is drawn in the grey of "other".
        """
        figures = self.overview.figures if self.overview else None
        ranked = [line.service for line in figures.lines] if figures else []
        own = ranked[: len(OWN_COLORS)]
        colors = {name: QColor(OWN_COLORS[i]) for i, name in enumerate(own)}
        colors.update({name: QColor(GREY) for name in ranked if name not in colors})
        colors["other"] = QColor(GREY)
        return own, colors

    def _kpis(self, figures: CostFigures) -> list[Kpi]:
        total = figures.total
        assert total is not None
        level_color = {budgets.WARNING: AMBER, budgets.CRITICAL: RED}
        latest = figures.unit_economics[-1] if figures.unit_economics else None
        unexpected = len(anomaly_rule.unmarked(figures.anomalies))
        runs_out = fmt.day(total.runs_out) if total.runs_out else "Lasts the month"
        return [
            Kpi(KPIS[0], fmt.micros(total.mtd_micros), "Effective cost from the 1st to the last day with figures",
                level_color.get(total.level), f"to {fmt.day(total.last_day)}"),
            Kpi(KPIS[1], fmt.micros(total.forecast_micros), cost_summary.FORECAST_TIP,
                level_color.get(total.forecast_level),
                f"80 %: {fmt.micros_range(total.forecast_low_micros, total.forecast_high_micros)}"),
            Kpi(KPIS[2], fmt.micros(total.budget.monthly_micros if total.budget else None),
                "The whole business's monthly budget", None, f"{fmt.share(total.ratio)} used"),
            Kpi(KPIS[3], runs_out, "The day the total budget is used up at this pace",
                RED if total.runs_out else GREEN, "at this pace" if total.runs_out else ""),
            Kpi(KPIS[4], f"{unexpected:,}", cost_summary.ANOMALY_RULE, RED if unexpected else None,
                f"{len(figures.anomalies) - unexpected} expected" if len(figures.anomalies) > unexpected else ""),
            Kpi(KPIS[5], fmt.MISSING if latest is None or latest.cost_per_mrr_dollar is None
                else f"${latest.cost_per_mrr_dollar:,.3f}", cost_summary.ECONOMICS_COLUMNS[3][1]),
            Kpi(KPIS[6], fmt.share(latest.gross_margin if latest else None), cost_summary.ECONOMICS_COLUMNS[4][1],
                cost_summary.margin_color(latest.gross_margin if latest else None)),
        ]

    def _fill_summary(self, figures: CostFigures) -> None:
        previous = self.selected
        rows, services = cost_summary.summary_rows(figures, self.own_colors()[1])
        self.summary.set_rows(rows, services)
        if previous in services:
            self.summary.selectRow(services.index(previous))  # keeps the selection across refreshes
        self._show_selection(previous if previous in services else None)

    def _summary_selection_changed(self) -> None:
        selected = self.summary.selected_key()
        self._show_selection(selected if isinstance(selected, str) else None)

    def _show_selection(self, service: str | None) -> None:
        """Draw the chart and filter the charges for ``service`` (None or total: the whole business)."""
        from ui.panes.cost_chart import ChartData

        self.selected = service
        overview = self.overview
        month = overview.figures.month if overview else None
        if overview is None or month is None:
            return
        figures = overview.figures
        chosen = service or budgets.TOTAL
        parts = list(overview.forecasts.values()) if chosen == budgets.TOTAL else \
            [overview.forecasts[chosen]] if chosen in overview.forecasts else []
        line = figures.line(chosen)
        own, colors = self.own_colors()
        self.chart.set_data(ChartData(
            month=month, title=cost_summary.service_name(chosen), selected=service,
            path=forecast_rule.path(parts, month) if parts else None,
            budget_micros=line.budget.monthly_micros if line and line.budget else None,
            runs_out=line.runs_out if line else None, series=overview.series, monthly=overview.monthly,
            own=own, colors=colors, anomalies=figures.anomalies,
        ))
        self._filter_charges(None if chosen == budgets.TOTAL else chosen)

    def _filter_charges(self, service: str | None) -> None:
        """Show one service's charges (None: all); unchanged keeps the table's rows and scroll."""
        if service == self._charges_service:
            return
        self._charges_service = service
        model = self.records.model
        model.set_query(dataclasses.replace(model.query, conditions=view.of_service(service)))
        suffix = f" — {service}" if service else ""
        self.records_title.setText(f"<b>Charges{suffix}</b> (FOCUS rows: one per day, service, charge category…)")

    # -- marking anomalies

    def _selected_anomaly(self) -> tuple[str, dt.date, bool] | None:
        key = self.anomaly_table.selected_key()
        overview = self.overview
        if not isinstance(key, str) or overview is None:
            return None
        found = next((a for a in overview.figures.anomalies if a.key == key), None)
        return None if found is None else (found.service, found.day, found.marked_expected)

    def _update_anomaly_actions(self) -> None:
        chosen = self._selected_anomaly()
        self.mark_button.setEnabled(chosen is not None and not chosen[2])
        self.unmark_button.setEnabled(chosen is not None and chosen[2])

    def _mark(self, expected: bool) -> None:
        chosen = self._selected_anomaly()
        if chosen is None:
            return
        service, day, _ = chosen
        self.anomaly_actions.say("Saving…")
        self.runner.run(
            anomaly_rule.mark_expected, self.engine, service, day, expected, writes=True,
            on_success=lambda _changes: self.anomaly_actions.say(
                f"{service} on {fmt.day(day)} marked as {'expected' if expected else 'unexpected'}."),
            on_failure=self.anomaly_actions.fail,
        )
