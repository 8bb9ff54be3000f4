"""Reconciliation: subscriptions whose MRR disagrees with what their latest paid invoice implies, and why.

For every paying subscription (active or past due), the MRR the rule gives
(``mrr.subscription_mrr``) is set against the MRR its latest paid
subscription invoice implies: the invoice's total after discounts, before
tax, over the months of the service period it billed.  They disagree when
they differ by more than a cent and half a percent; the reason names what
differs -- the plan or seats since that invoice, the discount, an unpaid
latest invoice, or no paid invoice at all.

Bad input is listed here too, never silently counted or dropped: a
subscription without items, a price the cache does not hold or billing on an
interval the rule does not know, and a currency with no exchange rate (its
MRR is shown apart, not converted).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from app.domain.revenue.fx import Rates, code, money
from app.domain.revenue.history import CYCLE_REASONS, BilledPeriod, PriceInfo, Record, period_months
from app.domain.revenue.mrr import KNOWN_INTERVALS, LIVE, PAYING, Item, months_per_period, subscription_mrr
from app.store.schema import Customer, Invoice, Price, Subscription, SubscriptionItem

_C, _S, _I, _P, _INV = (Customer.__table__, Subscription.__table__, SubscriptionItem.__table__, Price.__table__,
                        Invoice.__table__)
BAD_INPUT, MISMATCH = "bad input", "mismatch"
LIMIT = 500


@dataclass(frozen=True)
class Finding:
    customer_id: str
    customer: str
    subscription_id: str
    status: str
    currency: str
    kind: str  # bad input | mismatch
    reason: str
    mrr: float | None  # the rule's MRR, minor units of ``currency`` (None: cannot be computed)
    implied: float | None  # what the latest paid invoice implies
    invoice: str | None = None  # its number

    @property
    def difference(self) -> float | None:
        return None if self.mrr is None or self.implied is None else self.mrr - self.implied


@dataclass(frozen=True)
class Reconciliation:
    checked: int  # subscriptions looked at
    mismatches: int
    bad_input: int
    findings: list[Finding] = field(default_factory=list)  # bad input first, then the largest differences


_latest_paid = (
    select(_INV.c.id).where(
        _INV.c.subscription_id == _S.c.id, _INV.c.status == "paid",
        func.coalesce(_INV.c.billing_reason, "subscription_cycle").in_([r for r in CYCLE_REASONS if r]),
        func.coalesce(_INV.c.total_cents, _INV.c.amount_paid_cents) > 0,
    ).order_by(_INV.c.created.desc()).limit(1).scalar_subquery()
)


def reconcile(conn: Connection, now: dt.datetime, rates: Rates, limit: int = LIMIT) -> Reconciliation:
    subs = conn.execute(
        select(_S, func.coalesce(_C.c.name, _C.c.email, _C.c.id).label("customer_name"),
               _latest_paid.label("invoice_id"))
        .select_from(_S.join(_C, _C.c.id == _S.c.customer_id))
        .where(_S.c.status.in_(LIVE))
    ).mappings().all()
    ids = [s["id"] for s in subs]
    items: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    invoices: dict[str, Record] = {}
    invoice_ids = [s["invoice_id"] for s in subs if s["invoice_id"]]
    for start in range(0, len(ids), 500):
        for sid, price_id, qty in conn.execute(select(_I.c.subscription_id, _I.c.price_id, _I.c.quantity)
                                               .where(_I.c.subscription_id.in_(ids[start:start + 500]))):
            items[sid].append((price_id, qty))
    for start in range(0, len(invoice_ids), 500):
        for row in conn.execute(select(_INV).where(_INV.c.id.in_(invoice_ids[start:start + 500]))).mappings():
            invoices[row["id"]] = row
    catalog = {r.id: (PriceInfo(r.unit_amount_cents, r.currency or "usd", r.interval, r.interval_count or 1),
                      r.nickname or r.id)
               for r in conn.execute(select(_P.c.id, _P.c.unit_amount_cents, _P.c.currency, _P.c.interval,
                                            _P.c.interval_count, _P.c.nickname))}
    findings = [f for sub in subs
                if (f := _check(sub, items[sub["id"]], invoices.get(sub["invoice_id"] or ""), catalog, rates, now))]
    findings.sort(key=lambda f: (f.kind != BAD_INPUT, -abs(f.difference or 0.0), f.customer))
    bad = sum(f.kind == BAD_INPUT for f in findings)
    return Reconciliation(len(subs), len(findings) - bad, bad, findings[:limit])


def _check(sub: Record, items: list[tuple[str | None, int]], invoice: Record | None,
           catalog: Mapping[str, tuple[PriceInfo, str]], rates: Rates, now: dt.datetime) -> Finding | None:
    def finding(kind: str, reason: str, mrr: float | None = None, implied: float | None = None) -> Finding:
        number = (invoice["number"] or invoice["id"]) if invoice else None
        return Finding(sub["customer_id"], sub["customer_name"], sub["id"], sub["status"], code(currency), kind,
                       reason, mrr, implied, number)

    known = [(catalog[pid][0], qty, pid) for pid, qty in items if pid is not None and pid in catalog]
    currency = known[0][0].currency if known else ""
    if not items:
        return finding(BAD_INPUT, "subscription without items: its MRR cannot be computed")
    missing = [pid or "(none)" for pid, _ in items if pid is None or pid not in catalog]
    if missing:
        return finding(BAD_INPUT, f"price {', '.join(missing)} is not in the cache: its MRR cannot be computed")
    odd = [(pid, p.interval) for p, _, pid in known if (p.interval or "") not in KNOWN_INTERVALS]
    if odd:
        pid, interval = odd[0]
        return finding(BAD_INPUT, f"price {pid} bills per {interval or 'one-off'!r}, an interval MRR does not know")
    mrr = subscription_mrr((Item(p.unit_amount_cents or 0, qty, p.interval, p.interval_count) for p, qty, _ in known),
                           sub["percent_off"], sub["amount_off_cents"])
    if len({p.currency.lower() for p, _, _ in known}) > 1:
        return finding(BAD_INPUT, "items in several currencies: MRR cannot be one amount", mrr)
    if rates.rate(currency, now.date()) is None:
        return finding(BAD_INPUT, f"no exchange rate for {code(currency)} to {rates.reporting}: "
                                  "its MRR is listed as not converted", mrr)
    if sub["status"] not in PAYING:
        return None
    if invoice is None:
        if mrr <= 0.5:
            return None
        return finding(MISMATCH, "no paid invoice yet" + (" (the latest is unpaid: past due)"
                                                          if sub["status"] == "past_due" else ""), mrr, None)
    period = BilledPeriod(invoice["period_start"] or invoice["created"], invoice["period_end"], invoice["plan"],
                          invoice["quantity"], invoice["total_cents"])
    months = period_months(period.start, period.end) or max(
        (months_per_period(p.interval, p.interval_count) for p, _, _ in known), default=0.0)
    total = invoice["total_cents"] if invoice["total_cents"] is not None else invoice["amount_paid_cents"]
    implied = total / months if months else None
    if implied is None or abs(mrr - implied) <= max(1.0, 0.005 * max(mrr, implied)):
        return None
    names = {pid: name for pid, (_, name) in catalog.items()}
    plan_now = ",".join(sorted(pid for _, _, pid in known))
    quantity_now = sum(qty for _, qty, _ in known)
    if invoice["plan"] and invoice["plan"] != plan_now:
        reason = (f"plan changed since invoice {invoice['number'] or invoice['id']}: "
                  f"{_names(invoice['plan'], names)} → {_names(plan_now, names)}")
    elif invoice["quantity"] and invoice["quantity"] != quantity_now:
        reason = f"seats changed since the last paid invoice: {invoice['quantity']} → {quantity_now}"
    elif sub["percent_off"] or sub["amount_off_cents"]:
        reason = "the discount differs from the last paid invoice's"
    else:
        reason = (f"billed {money(total, currency)} for the period, not the plan's price "
                  "(a price change, a credit or a one-off charge)")
    return finding(MISMATCH, reason, mrr, implied)


def _names(ids: str, names: Mapping[str, str]) -> str:
    return ", ".join(names.get(i, i) for i in ids.split(",") if i)
