"""The Customers tab: who pays what, the business's headline numbers, and one customer on one screen.

The table is a window over ``customers`` (``app.views.customers``) whose plan,
status and MRR columns are computed for the rows in view only, which is why
they cannot be sorted on.  The KPI strip and the detail are worker jobs,
redone when the change bus says billing data changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.config.settings import Settings
from app.connectors.config import SyncConfig
from app.domain import revenue
from app.domain.customer_desk import diagnosis as desk_diagnosis
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import customers as view
from ui import formatting as fmt
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.action_bar import ActionBar
from ui.widgets.customer_desk import CustomerDesk
from ui.widgets.kpi_strip import Kpi, KpiStrip
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREEN, GREY, RED, brush
from ui.workers import LatestRequest, TaskRunner

FILTERS = (
    ("All", ()),
    ("Paying", ("paying",)),
    ("Trialing", ("trialing",)),
    ("Past due", ("past_due",)),
    ("Churned", ("churned",)),
)
STATUS_COLORS: dict[str, QColor] = {"past_due": RED, "unpaid": RED, "trialing": AMBER, "canceled": GREY}
KPI_LABELS = ("MRR", "ARR", "Paying customers", "Trialing", "Past due", "Churn, last 30 days")


class CustomerTableModel(SqlTableModel):
    """Past-due and delinquent customers in red, canceled ones greyed."""

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole:
            return None
        if column_key == "status":
            return brush(STATUS_COLORS.get(self.value(row, "status") or ""))
        if column_key == "delinquent" and self.value(row, "delinquent"):
            return brush(RED)
        return None


def kpi_tiles(k: revenue.Kpis) -> list[Kpi]:
    churn = k.churn_pct
    churn_tip = (
        f"Customers whose last live subscription ended in the last 30 days ({k.churned_30d:,}) "
        f"divided by customers paying 30 days ago ({k.churn_base:,}). Target: at most {k.churn_target_pct:g} %."
    )
    return [
        Kpi("MRR", fmt.cents(k.mrr_cents), view.MRR_TIP),
        Kpi("ARR", fmt.cents(k.arr_cents), "Annual run rate: MRR × 12"),
        Kpi("Paying customers", f"{k.active_customers:,}", "Customers with an active or past-due subscription"),
        Kpi("Trialing", f"{k.trialing_customers:,}", "Customers with a subscription in its trial"),
        Kpi("Past due", f"{k.past_due_customers:,}", "Customers with a subscription whose payment failed",
            RED if k.past_due_customers else None),
        Kpi("Churn, last 30 days", "—" if churn is None else f"{churn:.1f} %", churn_tip,
            RED if k.churn_over_target else GREEN if churn is not None else None,
            note=f"target ≤ {k.churn_target_pct:g} %"),
    ]


class CustomersPane(Pane):
    """Customers with their plan and MRR, the business KPIs, and one customer's billing."""

    pane_id = "customers"
    title = "Customers"
    resources = ("stripe:customers", "stripe:subscriptions", "stripe:invoices", "stripe:prices")
    tables = view.SPEC.tables | view.KPI_TABLES | desk_diagnosis.TABLES
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
        self._kpis = LatestRequest(runner)

    def build(self) -> None:
        self.kpis = KpiStrip(KPI_LABELS)
        self.model = CustomerTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.desk = CustomerDesk(self.runner, self.cache, lambda: self.settings, self._stripe_config)
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
        self.table.add_context_buttons(self.issue_button)
        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.request_license)
        self.table.current_changed.connect(lambda _key: self.update_actions())
        self.table.current_changed.connect(lambda _key: self.desk.bar.clear())  # its news was about another row
        self.body.addWidget(self.kpis)
        self.body.addWidget(self.action_bar)
        self.body.addWidget(self.split, 1)
        self._load_kpis()
        self.update_actions()

    def update_actions(self) -> None:
        self.issue_button.setEnabled(
            self.can_issue_licenses and not self.read_only and self.table.current_key() is not None
        )

    def request_license(self) -> None:
        key = self.table.current_key()
        if self.issue_button.isEnabled() and key is not None:
            self.issue_license_requested.emit(str(key))

    def changes_landed(self, changes: Changes) -> None:
        self.split.apply_changes(changes)
        if changes.touches(view.KPI_TABLES):
            self._load_kpis()

    def save_state(self) -> None:
        self.split.save_state()

    def _load_kpis(self) -> None:
        self._kpis.run(
            view.load_kpis, self.engine, self.settings.kpi.monthly_churn_pct,
            on_success=lambda k: self.kpis.set_values(kpi_tiles(k)),
            on_failure=lambda exc: self.kpis.set_unavailable(f"Could not compute the KPIs from the cache: {exc}"),
        )
