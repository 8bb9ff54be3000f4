"""The Costs tab: this month's spend per service against its budget, a forecast, 13 months of history.

All figures come from one worker job (``app.domain.costs.cost_overview``)
whose small result the pane draws; the raw daily records are a ``DataTable``
over the cache.  Selecting a service in the summary draws its budget line,
filters the records to it and shows its growth scenarios.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.config.settings import Settings
from app.domain import costs
from app.domain.costs import CostLine, CostOverview, MonthSummary
from app.store import windows as w
from app.store.schema import CostRecord
from app.store.windows import TableSpec, WindowSource
from ui import settings_keys
from ui.formatting import format_value
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.data_table import DataTable
from ui.workers import TaskRunner

STATE_KEY = "costs"
LEVEL_BRUSHES = {costs.WARNING: QBrush(QColor("#ffe3a6")), costs.CRITICAL: QBrush(QColor("#ffb8b8"))}
LEVEL_TEXT = QBrush(QColor("#202020"))  # tinted rows keep dark text whatever the theme
# Okabe–Ito colours: told apart by colour-blind readers too.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C8C00", "#7F7F7F")

FORECAST_TIP = (
    f"Forecast for the month end: spend so far plus the average daily spend of the last "
    f"{costs.RUN_RATE_DAYS} days with figures, times the days of the month not billed yet.\n"
    "Billing figures arrive a day late, so the forecast starts from the last day that has them."
)
_NUMERIC = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# (title, tooltip) of the summary columns
SUMMARY_COLUMNS = (
    ("Service", "Cost service; Total is the whole business against its own budget"),
    ("Month to date", "Spend from the 1st to the last day with figures, in USD"),
    ("Budget", "Monthly budget in USD (from the Ops API when synced, else from Settings)"),
    ("% of budget", "Month-to-date spend as a share of the budget: amber from the warning ratio, red from the critical one"),
    ("Forecast", FORECAST_TIP),
    ("Forecast %", "The month-end forecast as a share of the budget\n\n" + FORECAST_TIP),
)

_T = CostRecord.__table__
RECORDS = TableSpec(
    name="cost records",
    source=_T,
    key=_T.c.id,
    columns=(
        w.Column("day", "Day", _T.c.day, w.DATE, 100),
        w.Column("service", "Service", _T.c.service, w.TEXT, 150),
        w.Column("amount", "Amount", _T.c.amount_micros / 1_000_000.0, w.FLOAT, 110,
                 tooltip="The day's cost, in the currency of the next column"),
        w.Column("currency", "Currency", _T.c.currency, w.TEXT, 75),
        w.Column("source", "Source", _T.c.source, w.TEXT, 110,
                 tooltip="opsapi: synced; aws_cur, gcp_billing, simple_csv: imported from a file"),
        w.Column("imported_at", "Received", _T.c.imported_at, w.DATETIME, 140,
                 tooltip="When the cache received this figure"),
    ),
    default_sort="day",
    default_descending=True,
    search_columns=(_T.c.service, _T.c.source),
    filters={"synced": _T.c.source == "opsapi", "imported": _T.c.source != "opsapi"},
)
RECORD_FILTERS = (("All records", ()), ("Synced from the Ops API", ("synced",)), ("Imported from files", ("imported",)))

EMPTY_TEXT = (
    "<h3>No costs yet</h3>"
    "<p>Costs appear here once they are in the local cache: sync with the Ops API "
    "(<b>File ▸ Sync now</b>) or import a billing export (<b>File ▸ Import costs…</b>):<br>"
    "an AWS Cost and Usage Report, a Google Cloud billing export, or a "
    "<code>date,service,amount,currency</code> CSV file.</p>"
)


def _money(micros: int | None) -> str:
    return "—" if micros is None else format_value(w.MICROS, micros)


def _share(ratio: float | None) -> str:
    return "—" if ratio is None else format_value(w.PERCENT, ratio)


def _level_tip(line: CostLine, amount: int, what: str) -> str:
    budget = line.budget
    if budget is None or budget.monthly_micros <= 0:
        return f"{line.service}: no budget"
    level = costs.level(amount, budget)
    return (
        f"{line.service}: {what} is {_share(costs.ratio(amount, budget))} of the {_money(budget.monthly_micros)} budget — "
        f"{level} (warning from {budget.warn_ratio:.0%}, critical from {budget.critical_ratio:.0%}; budget from {budget.origin})"
    )


def _fit(table: QTableWidget) -> None:
    """Size a small table to its rows and columns, so no figure is ever cut off or scrolled."""
    frame = 2 * table.frameWidth()
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + table.verticalHeader().length() + frame)
    table.setMinimumWidth(table.horizontalHeader().length() + frame)


def _swatch(color: QColor) -> QIcon:
    pixmap = QPixmap(10, 10)
    pixmap.fill(color)
    return QIcon(pixmap)


class CostsPane(Pane):
    """Cloud costs against budgets; built on first show, redrawn after every sync or import."""

    pane_id = "costs"
    title = "Costs"
    resources = ("ops:costs", "ops:budgets")  # the sync_state keys of the two Ops API resources

    def __init__(self, engine: Engine, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(engine, runner, parent)
        self.settings = settings
        self.overview: CostOverview | None = None
        self.selected: str | None = None  # the service chosen in the summary
        self._month: dt.date | None = None  # None: the newest month with costs
        self._records_service: str | None = None  # the service the records table is filtered to
        self._generation = 0  # discards an overview that a newer request overtook

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
        self.summary = self._make_table(SUMMARY_COLUMNS)
        self.summary.itemSelectionChanged.connect(self._summary_selection_changed)
        self.scenario_caption = QLabel()
        self.scenario_caption.setWordWrap(True)
        self.scenarios = self._make_table((("Monthly growth", "Compound growth per month, applied to the month-end forecast"),))
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
            SqlTableModel(WindowSource(self.engine, RECORDS), self.runner, self),  # parented: deleted with the pane
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

    @staticmethod
    def _make_table(columns: tuple[tuple[str, str], ...]) -> QTableWidget:
        """A small read-only table for computed rows (a handful: no SQL window needed)."""
        table = QTableWidget(0, len(columns))
        for i, (title, tip) in enumerate(columns):
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            if i:
                item.setTextAlignment(_NUMERIC)
            table.setHorizontalHeaderItem(i, item)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setWordWrap(False)
        return table

    # -- Pane hooks

    def refresh_models(self) -> None:
        self._request_overview()
        self.records.model.refresh()

    def save_state(self) -> None:
        settings_keys.save_splitter(f"{STATE_KEY}/top", self.top_splitter)
        settings_keys.save_splitter(f"{STATE_KEY}/main", self.main_splitter)
        self.records.save_state()

    # -- the overview job

    def _request_overview(self) -> None:
        self._generation += 1
        generation = self._generation
        self.runner.run(
            costs.cost_overview,
            self.engine,
            self.settings.budgets,
            self._month,
            on_success=lambda overview: self._overview_arrived(generation, overview),
            on_failure=lambda exc: self._overview_failed(generation, exc),
        )

    def _overview_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.empty.setText(f"<p>Could not read costs from the local cache:<br>{html.escape(str(exc))}</p>")
            self.stack.setCurrentWidget(self.empty)

    def _overview_arrived(self, generation: int, overview: CostOverview) -> None:
        if generation != self._generation:
            return
        self.overview = overview
        if overview.summary is None:
            self.empty.setText(EMPTY_TEXT)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        summary = overview.summary
        self._fill_months(overview.months, summary.month)
        self.caption.setText(self._caption(summary, overview))
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

    @staticmethod
    def _caption(summary: MonthSummary, overview: CostOverview) -> str:
        origin = next(iter(overview.budgets.values())).origin if overview.budgets else costs.SETTINGS
        parts = [
            f"Figures up to {summary.as_of:%d %b %Y}" if summary.as_of else "No figures for this month yet",
            f"forecasting the {summary.remaining_days} day(s) left" if summary.remaining_days else "month complete",
            "budgets from the Ops API" if origin == costs.SYNCED else "budgets from Settings",
        ]
        if summary.other_currencies:
            others = ", ".join(f"{c} {m / 1_000_000:,.2f}" for c, m in summary.other_currencies)
            parts.append(f"not in the USD sums (no exchange rates): {others}")
        return " · ".join(parts)

    def colors(self) -> dict[str, QColor]:
        """A fixed colour per service (by name order) shared by the summary swatches and the chart.

        The total and the chart's "other" line have none: the chart draws them in the text colour.
        """
        names = sorted(self.overview.series.by_service) if self.overview else []
        return {name: QColor(PALETTE[i % len(PALETTE)]) for i, name in enumerate(names)}

    def _fill_summary(self, summary: MonthSummary) -> None:
        colors = self.colors()
        table = self.summary
        previous = self.selected
        table.blockSignals(True)
        table.clearContents()
        lines = (*summary.lines, summary.total)
        table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            cells = (
                line.service.capitalize() if line.service == costs.TOTAL else line.service,
                _money(line.mtd_micros),
                _money(line.budget.monthly_micros if line.budget else None),
                _share(line.ratio),
                _money(line.forecast_micros),
                _share(line.forecast_ratio),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, line.service)
                forecast = column >= 4
                level = line.forecast_level if forecast else line.level
                item.setToolTip(FORECAST_TIP if forecast and level == costs.OK else
                                _level_tip(line, line.forecast_micros if forecast else line.mtd_micros,
                                           "the forecast" if forecast else "spend so far"))
                if column:
                    item.setTextAlignment(_NUMERIC)
                elif line.service in colors:
                    item.setIcon(_swatch(colors[line.service]))
                if level in LEVEL_BRUSHES:
                    item.setBackground(LEVEL_BRUSHES[level])
                    item.setForeground(LEVEL_TEXT)
                if line.service == costs.TOTAL:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, column, item)
        table.blockSignals(False)
        _fit(table)
        services = [line.service for line in lines]
        if previous in services:
            table.selectRow(services.index(previous))  # keeps the selection across refreshes
        else:
            self._show_selection(None)

    def _summary_selection_changed(self) -> None:
        items = self.summary.selectedItems()
        self._show_selection(items[0].data(Qt.ItemDataRole.UserRole) if items else None)

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
        only = () if service is None else (_T.c.service == service,)
        model.set_query(dataclasses.replace(model.query, conditions=only))
        self.records_title.setText(f"<b>Daily records — {service}</b>" if service else "<b>Daily records</b>")

    def _fill_scenarios(self, summary: MonthSummary, line: CostLine | None) -> None:
        table = self.scenarios
        table.setRowCount(0)
        if line is None:
            return
        budget = f"a budget of {_money(line.budget.monthly_micros)} a month" if line.budget else "no budget"
        self.scenario_caption.setText(
            f"<b>{line.service.capitalize() if line.service == costs.TOTAL else line.service}</b>: "
            f"if costs grow each month from this month's forecast of {_money(line.forecast_micros)}, against {budget}."
            + (" Select a service in the summary to see its own." if line.service == costs.TOTAL else "")
        )
        projected = costs.scenarios(line, summary.month)
        months = [m.month for m in projected[0].months]
        table.setColumnCount(1 + len(months))
        for i, month in enumerate(months, start=1):
            header = QTableWidgetItem(month.strftime("%B %Y"))
            header.setTextAlignment(_NUMERIC)
            table.setHorizontalHeaderItem(i, header)
        table.setRowCount(len(projected))
        for row, scenario in enumerate(projected):
            table.setItem(row, 0, QTableWidgetItem(f"+{scenario.growth:.0%} a month"))
            for column, month in enumerate(scenario.months, start=1):
                share = f" ({_share(month.ratio)})" if month.ratio is not None else ""
                item = QTableWidgetItem(_money(month.amount_micros) + share)
                item.setTextAlignment(_NUMERIC)
                item.setToolTip(f"{month.level}: {_money(month.amount_micros)} in {month.month:%B %Y}")
                if month.level in LEVEL_BRUSHES:
                    item.setBackground(LEVEL_BRUSHES[month.level])
                    item.setForeground(LEVEL_TEXT)
                table.setItem(row, column, item)
        _fit(table)
