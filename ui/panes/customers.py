"""The Customers tab: who pays what, the business's headline numbers, and one customer on one screen.

The table is a window over ``customers`` (``app.views.customers``) whose plan,
status and MRR columns are computed for the rows in view only, which is why
they cannot be sorted on.  The KPI strip and the detail are worker jobs,
redone when the change bus says billing data changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.config.settings import Settings
from app.domain import revenue
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import customers as view
from ui import formatting as fmt
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.action_bar import ActionBar
from ui.widgets.detail_panel import DetailPanel, DetailView, TableSection
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
INVOICE_COLORS: dict[str, QColor] = {"open": AMBER, "uncollectible": RED, "void": GREY}
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


def render_customer(d: revenue.CustomerDetail) -> DetailView:
    c = d.customer
    live = [s for s in d.subscriptions if s["status"] in revenue.LIVE]
    mrr = sum(s["mrr_cents"] for s in d.subscriptions)
    subscriptions = TableSection(
        "Subscriptions",
        ("Plan", "Status", "MRR", "Period ends", "Discount"),
        [
            (s["plan"], s["status"] + (" (cancels at period end)" if s["cancel_at_period_end"] else ""),
             fmt.cents(s["mrr_cents"]), fmt.local_day(s["current_period_end"]), s["discount"] or "—")
            for s in d.subscriptions
        ],
        numeric=frozenset({2}),
        colors=[STATUS_COLORS.get(s["status"]) for s in d.subscriptions],
        empty="No subscriptions",
    )
    invoices = TableSection(
        f"Recent invoices (last {len(d.invoices)})" if d.invoices else "Recent invoices",
        ("Number", "Amount", "Status", "Date"),
        [(i["number"] or i["id"], fmt.cents(i["amount_due_cents"]), i["status"] or "", fmt.local_day(i["created"]))
         for i in d.invoices],
        numeric=frozenset({1}),
        colors=[INVOICE_COLORS.get(i["status"] or "") for i in d.invoices],
        empty="No invoices",
    )
    return DetailView(
        title=c["name"] or c["email"] or c["id"],
        fields=(
            ("Email", c["email"] or ""),
            ("MRR", f"{fmt.cents(mrr)} from {len(live)} live subscription{'s' if len(live) != 1 else ''}"),
            ("Customer since", fmt.when(c["created"])),
            ("Balance", fmt.cents(c["balance_cents"])),
            ("Delinquent", "yes — a payment failed" if c["delinquent"] else "no"),
            ("Tickets", f"{d.tickets:,} ({d.open_tickets:,} unsolved)"),
            ("Stripe id", c["id"]),
        ),
        tooltips={
            "MRR": view.MRR_TIP,
            "Balance": "Stripe customer balance: negative is credit in the customer's favour",
        },
        sections=(subscriptions, invoices),
    )


class CustomersPane(Pane):
    """Customers with their plan and MRR, the business KPIs, and one customer's billing."""

    pane_id = "customers"
    title = "Customers"
    resources = ("stripe:customers", "stripe:subscriptions", "stripe:invoices", "stripe:prices")
    tables = view.SPEC.tables | view.DETAIL_TABLES | view.KPI_TABLES
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    # The customer to issue a license for; the main window hands it to the Licenses pane's dialog.
    issue_license_requested = Signal(str)

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self.can_issue_licenses = False  # the role may see the Licenses pane (set by the main window)
        self._kpis = LatestRequest(runner)

    def build(self) -> None:
        self.kpis = KpiStrip(KPI_LABELS)
        self.model = CustomerTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.detail = DetailPanel(
            self.runner, lambda key: view.load_customer(self.engine, key), render_customer,
            placeholder="Select a customer to see their subscriptions, invoices and tickets",
            key_table="customers", tables=view.DETAIL_TABLES,
        )
        self.split = MasterDetail(
            self.model, self.detail, runner=self.runner, state_key="panes/customers",
            noun="customers", filters=FILTERS, search_placeholder="Search name, email or Stripe id…  (Ctrl+F)",
            sizes=(880, 384),
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
