"""The Customers tab: a revenue screen -- how MRR moved and why, who may leave, and every customer's billing.

Top to bottom: the KPI strip (each tile with its formula, target band and
24-month trend; a click lists the customers behind it), the month reported
and the counting policies in force, then five views: the MRR movements chart
beside the customers behind a bar or tile, the cohort heat map, the customers
at risk, the customers table with one customer's detail, and the
reconciliation of MRR against invoices.

Every figure is ``app.domain.revenue.figures.revenue_figures`` -- the figure
set ``opsconsole metrics revenue`` prints -- computed on a worker.  The
movements behind them are kept in a ``MovementCache`` and replayed only for
customers whose subscriptions changed, each time the change bus says billing
data did; the GUI thread never waits for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import utcnow
from app.config.settings import Settings
from app.connectors.config import SyncConfig
from app.domain.customer_desk import diagnosis as desk_diagnosis
from app.domain.revenue.cache import MovementCache
from app.domain.revenue.drill import LIMIT as DRILL_LIMIT
from app.domain.revenue.drill import DrillRow
from app.domain.revenue.figures import RevenueFigures
from app.domain.revenue.monthly import add_months, month_of
from app.domain.revenue.policy import CHART_MONTHS
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import customers as view
from ui import formatting as fmt
from ui.failures import could_not
from ui.models.sql_table import SqlTableModel
from ui.panes import customers_lists as lists
from ui.panes import customers_tiles as tiles
from ui.panes.base import Pane
from ui.panes.customers_cohorts import CohortView
from ui.widgets.action_bar import ActionBar
from ui.widgets.customer_desk import CustomerDesk
from ui.widgets.kpi_strip import KpiStrip
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREY, RED, brush
from ui.workers import LatestRequest, TaskRunner

VIEWS_MIN_HEIGHT = 320  # below it the pane scrolls: a chart with its month axis, or five rows of a list
FILTERS = (
    ("All", ()),
    ("Paying", ("paying",)),
    ("Trialing", ("trialing",)),
    ("Past due", ("past_due",)),
    ("Churned", ("churned",)),
)
STATUS_COLORS: dict[str, QColor] = {"past_due": RED, "unpaid": RED, "trialing": AMBER, "canceled": GREY}
MOVEMENTS_TAB, COHORTS_TAB, RISK_TAB, CUSTOMERS_TAB, RECONCILIATION_TAB = range(5)
_MOVEMENT_WORDS = {"new": "New business", "expansion": "Expansion", "contraction": "Contraction",
                   "churn": "Churn", "reactivation": "Reactivation", "trial": "Trials"}


class CustomerTableModel(SqlTableModel):
    """MRR in each customer's own currency, statuses in words; past-due and delinquent in red, canceled greyed."""

    cell_roles = (Qt.ItemDataRole.ForegroundRole,)

    def display(self, column_key: str, row: tuple[Any, ...], value: Any) -> str:
        if column_key == "mrr" and value is not None:
            return fmt.money(value, self.value(row, "currency") or "USD")
        if column_key == "status":
            return fmt.words(value)
        return super().display(column_key, row, value)

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole:
            return None
        if column_key == "status":
            return brush(STATUS_COLORS.get(self.value(row, "status") or ""))
        if column_key == "delinquent" and self.value(row, "delinquent"):
            return brush(RED)
        return None


class CustomersPane(Pane):
    """The revenue screen and the customers table (see the module doc)."""

    pane_id = "customers"
    title = "Customers"
    resources = ("stripe:customers", "stripe:subscriptions", "stripe:invoices", "stripe:prices", "ops:fx-rates")
    tables = view.SPEC.tables | view.FIGURE_TABLES | desk_diagnosis.TABLES
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    # The customer to issue a license for; the main window hands it to the Licenses pane's dialog.
    issue_license_requested = Signal(str)

    def __init__(
        self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None, *,
        stripe_config: Callable[[], SyncConfig] = SyncConfig,
    ) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self._stripe_config = stripe_config  # called on a worker: it may read the keyring
        self.can_issue_licenses = False  # the role may see the Licenses pane (set by the main window)
        self.movement_cache = MovementCache()
        self.figures: RevenueFigures | None = None
        self._figures_request = LatestRequest(runner)
        self._figures_running = False  # a figures job is out: changes meanwhile ask for one more, not one each
        self._figures_again = False
        self._drill_request = LatestRequest(runner)
        self._drill: tuple[dt.date, tuple[str, ...], str] | None = None

    # ------------------------------------------------------------------ building

    def build(self) -> None:
        from ui.panes.customers_chart import MovementsChart  # pyqtgraph: imported when the tab is first shown

        self.kpis = KpiStrip(tiles.LABELS, clickable=True)
        self.kpis.activated.connect(self.drill_tile)
        self.month = QComboBox()
        self.month.setToolTip("The month the figures describe: this one so far, or a past one as of its end")
        self._fill_months()
        self.month.currentIndexChanged.connect(lambda _i: self.load_figures())
        self.policies = QLabel()
        self.policies.setObjectName("policies")
        self.policies.setProperty("muted", True)
        self.policies.setWordWrap(True)
        self.policies.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.policies.setToolTip("The counting policies in force (File ▸ Settings ▸ Revenue); docs/metrics.md "
                                 "has each rule with its source")
        self.warning = QLabel()
        self.warning.setStyleSheet(f"color: {AMBER.name()};")
        self.warning.setWordWrap(True)
        self.warning.hide()
        header = QHBoxLayout()
        header.addWidget(QLabel("Month:"))
        header.addWidget(self.month)
        header.addWidget(self.policies, 3)
        header.addWidget(self.warning, 1)

        self.chart = MovementsChart()
        self.chart.bar_clicked.connect(self._bar_clicked)
        self.drill_list = lists.CustomerList(lists.DRILL_COLUMNS, frozenset({3, 4, 5}),
                                             "Click a bar of the chart or a tile above to list the customers behind it",
                                             names_stretch=True)
        movements = QSplitter(Qt.Orientation.Horizontal)
        movements.addWidget(self.chart)
        movements.addWidget(self.drill_list)
        movements.setSizes([640, 600])
        self.cohorts = CohortView()
        self.risk_list = lists.CustomerList(lists.RISK_COLUMNS, frozenset({1}), "No customer is at risk")
        self.reconciliation = lists.CustomerList(lists.RECONCILIATION_COLUMNS, frozenset({3, 4, 5}),
                                                 "Every paying subscription agrees with its latest paid invoice")
        for chooser in (self.drill_list, self.risk_list, self.reconciliation):
            chooser.customer_chosen.connect(self.show_customer)

        self.model = CustomerTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.desk = self.make_detail()
        self.detail = self.desk.detail
        self.split = MasterDetail(
            self.model, self.detail, side=self.desk, runner=self.runner, state_key="panes/customers",
            noun="customers", filters=FILTERS, search_placeholder="Search name, email or Stripe id…  (Ctrl+F)",
            sizes=(600, 664),  # the desk beside the table needs room for its tables
            empty="No customers in the cache yet — File ▸ Sync now",
            no_match="No customers match this search and filter — try “All” or clear the search",
        )
        self.table = self.split.table
        self.action_bar = ActionBar(align_right=True)
        self.issue_button = self.action_bar.add(
            "Issue license…", "Sign a license file for the selected customer, even offline (Ctrl+L)",
            self.request_license,
        )
        self.action_bar.finish()
        customers = QWidget()
        customers_layout = QVBoxLayout(customers)
        customers_layout.setContentsMargins(0, 4, 0, 0)
        customers_layout.addWidget(self.action_bar)
        customers_layout.addWidget(self.split, 1)
        self.table.add_context_buttons(self.issue_button)
        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.request_license)
        self.table.current_changed.connect(lambda _key: self.update_actions())
        self.table.current_changed.connect(lambda _key: self.desk.bar.clear())  # its news was about another row

        self.views = QTabWidget(documentMode=True)
        self.views.addTab(movements, "MRR movements")
        self.views.addTab(self.cohorts, "Cohorts")
        self.views.addTab(self.risk_list, "At risk")
        self.views.addTab(customers, "Customers")
        self.views.addTab(self.reconciliation, "Reconciliation")
        self.body.addWidget(self.kpis)
        self.body.addLayout(header)
        self.add_filling(self.views, VIEWS_MIN_HEIGHT)
        self.load_figures()
        self.update_actions()

    def make_detail(self) -> CustomerDesk:
        """The one place the customer detail is created: the customer desk (diagnosis and actions)."""
        return CustomerDesk(self.runner, self.cache, lambda: self.settings, self._stripe_config)

    def _fill_months(self) -> None:
        this_month = month_of(utcnow())
        self.month.addItem(f"{fmt.month_name(this_month)} (so far)", None)
        for n in range(1, CHART_MONTHS):
            month = add_months(this_month, -n)
            self.month.addItem(fmt.month_name(month), month)

    # ------------------------------------------------------------------ actions

    def update_actions(self) -> None:
        self.issue_button.setEnabled(
            self.can_issue_licenses and not self.read_only and self.table.current_key() is not None
        )

    def request_license(self) -> None:
        key = self.table.current_key()
        if self.issue_button.isEnabled() and key is not None:
            self.issue_license_requested.emit(str(key))

    def apply_filter(self, token: str) -> bool:
        """The customers list (its own inner tab) filtered to ``token`` (paying, trialing, churned…)."""
        self.ensure_built()
        self.views.setCurrentIndex(CUSTOMERS_TAB)
        return super().apply_filter(token)

    def show_customer(self, customer_id: str) -> None:
        """Open one customer in the customers view: the table shows every customer and highlights them."""
        self.views.setCurrentIndex(CUSTOMERS_TAB)
        self.table.filter.setCurrentIndex(0)
        if self.table.search.text():
            self.table.search.clear()
            self.model.set_search("")
        self.table.select_key(customer_id)

    # ------------------------------------------------------------------ figures

    def selected_month(self) -> dt.date | None:
        month: dt.date | None = self.month.currentData()
        return month

    def load_figures(self) -> None:
        """Compute the figures on a worker; while one computation runs, later requests make one more after it."""
        if self._figures_running:
            self._figures_again = True
            return
        self._figures_running = True
        self._figures_request.run(
            view.load_figures, self.engine, self.settings, self.selected_month(), self.movement_cache,
            on_success=self._figures_done, on_failure=self._figures_failed,
        )

    def _figures_done(self, f: RevenueFigures) -> None:
        self._figures_running = False
        if self._figures_again:
            self._figures_again = False
            self.load_figures()
        self._show_figures(f)

    def _figures_failed(self, exc: BaseException) -> None:
        self._figures_running = False
        if self._figures_again:
            self._figures_again = False
            self.load_figures()
            return
        why = could_not("compute the revenue figures from the cache", exc)
        self.kpis.set_unavailable(why)
        self.warning.setText(why)
        self.warning.show()

    def _show_figures(self, f: RevenueFigures) -> None:
        self.figures = f
        self.kpis.set_values(tiles.tiles(f))
        self.policies.setText(" · ".join(f.policies))
        missing = ", ".join(f"{fmt.money(u.mrr, u.currency)} ({u.customers:,} customers)" for u in f.not_converted)
        self.warning.setText(f"Not converted (no rate): {missing}" if missing else "")
        self.warning.setToolTip("MRR in these currencies is left out of every total: add their rate to the "
                                "fallback rates in settings, or have the Ops API serve it")
        self.warning.setVisible(bool(missing))
        self.chart.plot_months(f.months, f.currency)
        self.cohorts.set_cohorts(f.cohorts, f.currency)
        self.risk_list.set_rows(
            f"{len(f.at_risk):,} customers at risk",
            lists.risk_rows(f.at_risk, f.currency), [a.customer_id for a in f.at_risk])
        rec = f.reconciliation
        self.reconciliation.set_rows(
            f"{rec.checked:,} live subscriptions checked: {rec.mismatches:,} disagree with their latest paid "
            f"invoice, {rec.bad_input:,} with input the rule cannot use"
            + (f" (the first {len(rec.findings):,} shown)" if len(rec.findings) < rec.mismatches + rec.bad_input
               else ""),
            lists.reconciliation_rows(rec), [x.customer_id for x in rec.findings])
        self.views.setTabText(RISK_TAB, f"At risk ({len(f.at_risk):,})")
        self.views.setTabText(RECONCILIATION_TAB, f"Reconciliation ({rec.mismatches + rec.bad_input:,})")
        month, kinds, title = self._drill or (f.month, tiles.DRILLS[tiles.MRR], "Every movement")
        self.drill(month, kinds, title)

    # ------------------------------------------------------------------ drill-down

    def drill_tile(self, label: str) -> None:
        """A tile was clicked: the customers behind its figure (at-risk ones in their own view)."""
        if label == tiles.AT_RISK:
            self.views.setCurrentIndex(RISK_TAB)
            return
        month = self.figures.month if self.figures else month_of(utcnow())
        self.views.setCurrentIndex(MOVEMENTS_TAB)
        self.drill(month, tiles.DRILLS[label], label)

    def _bar_clicked(self, index: int, movement: str) -> None:
        if self.figures is not None and 0 <= index < len(self.figures.months):
            self.drill(self.figures.months[index].month, (movement,), _MOVEMENT_WORDS[movement])

    def drill(self, month: dt.date, kinds: Sequence[str], title: str) -> None:
        self._drill = (month, tuple(kinds), title)
        self.drill_list.caption.setText(f"{title} in {fmt.month_name(month)}: loading…")
        self._drill_request.run(
            view.load_drill, self.engine, self.settings, self.movement_cache, month, tuple(kinds),
            on_success=lambda rows: self._show_drill(month, title, rows),
            on_failure=lambda exc: self.drill_list.set_rows(could_not("list them", exc), [], []),
        )

    def _show_drill(self, month: dt.date, title: str, rows: list[DrillRow]) -> None:
        currency = self.figures.currency if self.figures else "USD"
        net = sum((r.after_reporting or 0.0) - (r.before_reporting or 0.0) for r in rows)
        customers = len({r.customer_id for r in rows})
        caption = (f"{title} in {fmt.month_name(month)}: {customers:,} customer{'s' if customers != 1 else ''}, "
                   f"net {fmt.money(net, currency)}" + (" (the largest shown)" if len(rows) >= DRILL_LIMIT
                                                        else ""))
        self.drill_list.set_rows(caption, lists.drill_rows(rows, currency), [r.customer_id for r in rows],
                                 empty=f"No customers in {fmt.month_name(month)}")

    # ------------------------------------------------------------------ changes

    def changes_landed(self, changes: Changes) -> None:
        self.split.apply_changes(changes)
        if changes.touches(view.FIGURE_TABLES):
            self.load_figures()

    def save_state(self) -> None:
        self.split.save_state()
