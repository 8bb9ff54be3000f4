"""One customer's billing on one screen: subscriptions with their MRR, recent invoices, history, tickets.

A handful of indexed, bounded queries for one key (a detail panel's worker
job).  Amounts are in the customer's own currency; the subscription history
is the ``subscription_changes`` sync records, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, select

from app.domain.revenue.mrr import PAYING, Item, discount_text, subscription_mrr
from app.domain.sla import SOLVED_STATUSES
from app.store.schema import Customer, Invoice, Price, Subscription, SubscriptionChange, SubscriptionItem, Ticket

_C, _S, _I, _P = Customer.__table__, Subscription.__table__, SubscriptionItem.__table__, Price.__table__
_INV, _H, _T = Invoice.__table__, SubscriptionChange.__table__, Ticket.__table__
HISTORY_LIMIT = 40
#: A customer's subscription changes, newest first: found through its subscriptions (by the index by
#: subscription and time), as the history has no index by customer (migration 0021).
HISTORY_OF = (
    select(_H).where(_H.c.subscription_id.in_(select(_S.c.id).where(_S.c.customer_id == bindparam("customer_id"))))
    .order_by(_H.c.at.desc(), _H.c.id.desc()).limit(HISTORY_LIMIT)
)


@dataclass(frozen=True)
class CustomerDetail:
    """Everything the detail panel shows about one customer."""

    customer: dict[str, Any]
    currency: str | None  # of its subscriptions (the customer record's own may be unset)
    subscriptions: list[dict[str, Any]]  # with 'plan', 'mrr_cents', 'currency' and 'discount' added
    invoices: list[dict[str, Any]]  # newest first, at most ``invoice_limit``
    history: list[dict[str, Any]]  # subscription changes, newest first, at most ``HISTORY_LIMIT``
    tickets: int
    open_tickets: int

    @property
    def mrr_cents(self) -> float:
        return float(sum(s["mrr_cents"] for s in self.subscriptions))


def customer_detail(conn: Connection, customer_id: str, invoice_limit: int = 12) -> CustomerDetail | None:
    customer = conn.execute(select(_C).where(_C.c.id == customer_id)).mappings().first()
    if customer is None:
        return None
    subs = conn.execute(
        select(_S).where(_S.c.customer_id == customer_id).order_by(_S.c.created.desc()).limit(50)
    ).mappings().all()
    items = conn.execute(
        select(_I.c.subscription_id, _I.c.quantity, _P.c.unit_amount_cents, _P.c.interval, _P.c.interval_count,
               _P.c.currency, func.coalesce(_P.c.nickname, _P.c.id).label("plan"))
        .select_from(_I.join(_P, _P.c.id == _I.c.price_id))
        .where(_I.c.subscription_id.in_([s["id"] for s in subs]))
    ).all()
    subscriptions = []
    for sub in subs:
        own = [r for r in items if r.subscription_id == sub["id"]]
        currency = own[0].currency if own else None
        mrr = subscription_mrr(
            (Item(r.unit_amount_cents or 0, r.quantity, r.interval, r.interval_count) for r in own),
            sub["percent_off"], sub["amount_off_cents"],
        ) if sub["status"] in PAYING else 0.0
        subscriptions.append({
            **sub, "plan": ", ".join(r.plan for r in own) or "—", "mrr_cents": mrr, "currency": currency,
            "discount": discount_text(sub["percent_off"], sub["amount_off_cents"], currency),
        })
    invoices = conn.execute(
        select(_INV).where(_INV.c.customer_id == customer_id).order_by(_INV.c.created.desc()).limit(invoice_limit)
    ).mappings().all()
    history = conn.execute(HISTORY_OF, {"customer_id": customer_id}).mappings().all()
    counts = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((_T.c.status.in_(SOLVED_STATUSES), 0), else_=1)), 0))
        .where(_T.c.customer_id == customer_id)
    ).one()
    currency = next((s["currency"] for s in subscriptions if s["currency"]), customer["currency"])
    return CustomerDetail(dict(customer), currency, subscriptions, [dict(r) for r in invoices],
                          [dict(r) for r in history], int(counts[0]), int(counts[1]))
