"""One customer on one screen: their subscriptions with MRR, recent invoices and subscription history.

The rendering of ``app.domain.revenue.customer.CustomerDetail`` for the
detail panel beside the customers table; amounts in the customer's currency,
statuses in words.  The pane creates its detail widget in one place
(``CustomersPane.make_detail``), which is where a richer customer view plugs in.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.domain.revenue.customer import CustomerDetail
from app.domain.revenue.mrr import LIVE
from app.views import customers as view
from ui import formatting as fmt
from ui.widgets.detail_panel import DetailView, TableSection
from ui.widgets.palette import AMBER, GREEN, GREY, RED

STATUS_COLORS: dict[str, QColor] = {"past_due": RED, "unpaid": RED, "trialing": AMBER, "canceled": GREY}
INVOICE_COLORS: dict[str, QColor] = {"open": AMBER, "uncollectible": RED, "void": GREY}
_GAINS = ("started", "converted", "recovered", "cancel_withdrawn")
_LOSSES = ("ended", "payment_failed", "cancel_scheduled")


def _change(row: dict[str, object]) -> str:
    """What a history row changed, in words: "Starter monthly → Professional monthly", "2 → 3 seats"."""
    parts = []
    if row["status_before"] != row["status_after"]:
        parts.append(f"{fmt.words(str(row['status_before'] or 'new'))} → {fmt.words(str(row['status_after']))}")
    if row["plan_before"] and row["plan_before"] != row["plan_after"]:
        parts.append(f"{row['plan_before']} → {row['plan_after']}")
    if row["quantity_before"] and row["quantity_before"] != row["quantity_after"]:
        parts.append(f"{row['quantity_before']} → {row['quantity_after']} seats")
    if row["coupon_before"] != row["coupon_after"] and row["status_before"] is not None:
        parts.append(f"coupon {row['coupon_before'] or 'none'} → {row['coupon_after'] or 'none'}")
    return "; ".join(parts) or fmt.words(str(row["kind"]))


def render_customer(d: CustomerDetail) -> DetailView:
    c = d.customer
    currency = d.currency or "USD"
    live = [s for s in d.subscriptions if s["status"] in LIVE]
    subscriptions = TableSection(
        "Subscriptions",
        ("Plan", "Status", "MRR", "Period ends", "Discount"),
        [
            (s["plan"], fmt.words(s["status"]) + (" (cancels at period end)" if s["cancel_at_period_end"] else ""),
             fmt.money(s["mrr_cents"], s["currency"] or currency), fmt.local_day(s["current_period_end"]),
             s["discount"] or "—")
            for s in d.subscriptions
        ],
        numeric=frozenset({2}),
        colors=[STATUS_COLORS.get(s["status"]) for s in d.subscriptions],
        empty="No subscriptions",
    )
    invoices = TableSection(
        f"Recent invoices (last {len(d.invoices)})" if d.invoices else "Recent invoices",
        ("Number", "Amount", "Status", "Date"),
        [(i["number"] or i["id"], fmt.money(i["amount_due_cents"], i["currency"]), fmt.words(i["status"]),
          fmt.local_day(i["created"])) for i in d.invoices],
        numeric=frozenset({1}),
        colors=[INVOICE_COLORS.get(i["status"] or "") for i in d.invoices],
        empty="No invoices",
    )
    history = TableSection(
        "Subscription history",
        ("When", "Change", "MRR before", "MRR after"),
        [(fmt.when(h["at"]), _change(h), fmt.money(h["mrr_before_cents"], h["currency"] or currency),
          fmt.money(h["mrr_after_cents"], h["currency"] or currency)) for h in d.history],
        numeric=frozenset({2, 3}),
        colors=[GREEN if h["kind"] in _GAINS else RED if h["kind"] in _LOSSES else None for h in d.history],
        empty="No recorded changes",
    )
    return DetailView(
        title=c["name"] or c["email"] or c["id"],
        fields=(
            ("Email", c["email"] or ""),
            ("MRR", (f"{fmt.money(d.mrr_cents, currency)} from {len(live)} live "
                    f"subscription{'s' if len(live) != 1 else ''}")),
            ("Currency", currency.upper()),
            ("Customer since", fmt.when(c["created"])),
            ("Balance", fmt.money(c["balance_cents"], currency)),
            ("Delinquent", "yes — a payment failed" if c["delinquent"] else "no"),
            ("Tickets", f"{d.tickets:,} ({d.open_tickets:,} unsolved)"),
            ("Stripe id", c["id"]),
        ),
        tooltips={
            "MRR": view.MRR_TIP,
            "Balance": "Stripe customer balance: negative is credit in the customer's favour",
        },
        sections=(subscriptions, invoices, history),
    )
