"""Everything support checks about one customer, read in one go: ``diagnose(conn, customer_id, now, settings)``.

The support procedures this serves: for a billing problem — the
subscription's status, the payment method, the history of changes, the
invoices and their payment attempts; for an access problem — the plan, the
feature flags and grants; for a processing problem — recent usage and
errors.  Every query is bounded and indexed on the customer (or on the
few invoices shown), so a diagnosis costs the same in a cache of ten
customers or a million.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, case, func, or_, select

from app.clock import utcnow
from app.config.settings import Settings
from app.domain import revenue
from app.domain.customer_desk import lifecycle
from app.domain.customer_desk.actions import REFUND
from app.domain.customer_desk.entitlements import Entitlement, entitlements, grant_state
from app.domain.customer_desk.history import HistoryEntry, history
from app.domain.customer_desk.money import InvoiceFacts, refundable
from app.domain.customer_desk.state import ActionEntry, Permissions, actions_of, permissions
from app.domain.licenses import seats_in_use_sql
from app.domain.sla import SOLVED_STATUSES
from app.store import outbox
from app.store.schema import (
    AccessGrant,
    Charge,
    Coupon,
    CustomerUsage,
    FeatureFlag,
    Invoice,
    License,
    Price,
    ProcessingFailure,
    Product,
    Refund,
    SubscriptionItem,
    Ticket,
)

_CH, _RE, _CO, _FF = Charge.__table__, Refund.__table__, Coupon.__table__, FeatureFlag.__table__
_AG, _CU, _PF, _LI = AccessGrant.__table__, CustomerUsage.__table__, ProcessingFailure.__table__, License.__table__
_SI, _PR, _PROD, _TI = SubscriptionItem.__table__, Price.__table__, Product.__table__, Ticket.__table__
_IN = Invoice.__table__

#: Every table a diagnosis reads: a change to any of them may change what the desk shows.
TABLES = frozenset({
    "customers", "subscriptions", "subscription_items", "prices", "products", "invoices", "charges", "refunds",
    "coupons", "feature_flags", "access_grants", "customer_usage", "processing_failures", "tickets", "licenses",
    "desk_actions", "outbox", "app_state",
})
USAGE_DAYS = 14
RECENT_FAILURES = 10
RECENT_TICKETS = 5
INVOICES = 12


@dataclass(frozen=True)
class PaymentMethod:
    """The card on file and how the last payment attempt went."""

    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    state: str  # valid | expires this month | expired | none on file
    last_failure: str | None  # the last declined attempt, in words
    last_failure_at: dt.datetime | None

    @property
    def label(self) -> str:
        if self.last4 is None:
            return "no card on file"
        expiry = f"{self.exp_month:02d}/{self.exp_year}" if self.exp_month and self.exp_year else "?"
        return f"{(self.brand or 'card').capitalize()} •••• {self.last4}, expires {expiry}"


@dataclass(frozen=True)
class Usage:
    days: list[dict[str, Any]]  # oldest first
    active_users: float | None  # average a day
    api_calls: int
    jobs: int
    failed_jobs: int

    @property
    def failure_rate(self) -> float | None:
        return self.failed_jobs / self.jobs if self.jobs else None


@dataclass(frozen=True)
class Diagnosis:
    """One customer on one screen (plain data: the CLI prints it as JSON, the desk renders it)."""

    as_of: dt.datetime
    customer: dict[str, Any]
    tier: str | None  # the plan tier of the most telling live subscription
    subscriptions: list[dict[str, Any]]  # with plan, items, mrr_cents, discount
    payment_method: PaymentMethod
    invoices: list[InvoiceFacts]
    entitlements: list[Entitlement]
    grants: list[dict[str, Any]]  # with their state
    usage: Usage
    failures: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    tickets_total: int
    tickets_unsolved: int
    licenses: list[dict[str, Any]]
    stage: lifecycle.Stage
    actions: list[ActionEntry]
    history: list[HistoryEntry]
    permissions: Permissions
    coupons: list[dict[str, Any]]  # the account's valid coupons (for "Apply coupon")
    prices: list[dict[str, Any]]  # active recurring prices (for "Change plan")

    @property
    def name(self) -> str:
        return str(self.customer.get("name") or self.customer.get("email") or self.customer["id"])

    @property
    def mrr_cents(self) -> float:
        return float(sum(s["mrr_cents"] for s in self.subscriptions))

    def subscription(self, subscription_id: str | None) -> dict[str, Any] | None:
        return next((s for s in self.subscriptions if s["id"] == subscription_id), None)

    def invoice(self, invoice_id: str | None) -> InvoiceFacts | None:
        return next((i for i in self.invoices if i.invoice["id"] == invoice_id), None)

    def grant(self, grant_id: str | None) -> dict[str, Any] | None:
        return next((g for g in self.grants if g["id"] == grant_id), None)


def load(engine: Engine, customer_id: str, settings: Settings) -> Diagnosis | None:
    """The diagnosis of ``customer_id`` now (a worker-thread job: a handful of bounded queries)."""
    with engine.connect() as conn:
        return diagnose(conn, customer_id, utcnow(), settings)


def diagnose(
    conn: Connection, customer_id: str, now: dt.datetime, settings: Settings, *, invoice_id: str | None = None
) -> Diagnosis | None:
    """The diagnosis of ``customer_id`` at ``now``; None when the cache no longer holds them (deleted in Stripe).

    ``invoice_id`` makes sure that invoice is among those read, even when
    older than the newest dozen (the CLI refunds by invoice).
    """
    detail = revenue.customer_detail(conn, customer_id, invoice_limit=INVOICES)
    if detail is None:
        return None
    subscriptions = _with_items(conn, detail.subscriptions)
    invoice_rows = list(detail.invoices)
    if invoice_id and all(i["id"] != invoice_id for i in invoice_rows):
        invoice_rows += [dict(r) for r in conn.execute(
            select(_IN).where(_IN.c.id == invoice_id, _IN.c.customer_id == customer_id)
        ).mappings()]
    entries = actions_of(conn, customer_id)
    grants = _grants(conn, customer_id, now)
    tier = _tier(subscriptions)
    moves = [lifecycle.PlanMove(a.created_at, float(a.details.get("mrr_delta_cents") or 0))
             for a in entries if a.state == outbox.SENT and a.details.get("mrr_delta_cents")]
    invoices = _invoices(conn, invoice_rows, entries)
    return Diagnosis(
        as_of=now,
        customer=detail.customer,
        tier=tier,
        subscriptions=subscriptions,
        payment_method=_payment_method(conn, detail.customer, now),
        invoices=invoices,
        entitlements=entitlements(customer_id, tier, _flags(conn), grants, now),
        grants=grants,
        usage=_usage(conn, customer_id),
        failures=_failures(conn, customer_id),
        tickets=_tickets(conn, customer_id),
        tickets_total=detail.tickets,
        tickets_unsolved=detail.open_tickets,
        licenses=[dict(r) for r in conn.execute(
            select(_LI, seats_in_use_sql(_LI.c.id).label("in_use"))
            .where(_LI.c.customer_id == customer_id).order_by(_LI.c.issued_at.desc()).limit(20)
        ).mappings()],
        stage=lifecycle.lifecycle_stage(subscriptions, moves, now, settings.desk.at_risk_downgrade_days),
        actions=entries,
        history=history(subscriptions, invoices, entries, grants, now),
        permissions=permissions(conn, settings),
        coupons=[dict(r) for r in conn.execute(select(_CO).where(_CO.c.valid).order_by(_CO.c.id).limit(200))
                 .mappings()],
        prices=_prices(conn),
    )


def _prices(conn: Connection) -> list[dict[str, Any]]:
    """The active recurring prices, cheapest first, each with its product's tier (what "Change plan" offers)."""
    rows = conn.execute(
        select(_PR, _PROD.c.name.label("product_name"), _PROD.c.metadata_json.label("product_metadata"))
        .outerjoin(_PROD, _PROD.c.id == _PR.c.product_id)
        .where(_PR.c.active, _PR.c.interval.is_not(None)).order_by(_PR.c.unit_amount_cents, _PR.c.id).limit(200)
    ).mappings()
    return [{**dict(r), "tier": tier_of(r["product_name"], r["product_metadata"])} for r in rows]


def tier_of(product_name: str | None, product_metadata: dict[str, Any] | None) -> str | None:
    """A product's plan tier: its ``tier`` metadata, else the first word of its name (lower case)."""
    tier = (product_metadata or {}).get("tier")
    if isinstance(tier, str) and tier:
        return tier
    return product_name.split()[0].lower() if product_name else None


def _with_items(conn: Connection, subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each subscription with its items (price, plan name, tier, quantity, unit amount, interval)."""
    rows = conn.execute(
        select(_SI.c.id, _SI.c.subscription_id, _SI.c.quantity, _SI.c.price_id, _PR.c.unit_amount_cents,
               _PR.c.interval, _PR.c.interval_count, _PR.c.currency,
               func.coalesce(_PR.c.nickname, _PROD.c.name, _PR.c.id).label("plan"),
               _PROD.c.name.label("product_name"), _PROD.c.metadata_json.label("product_metadata"))
        .select_from(_SI.outerjoin(_PR, _PR.c.id == _SI.c.price_id).outerjoin(_PROD, _PROD.c.id == _PR.c.product_id))
        .where(_SI.c.subscription_id.in_([s["id"] for s in subs]))
    ).mappings().all()
    result = []
    for sub in subs:
        items = [{**dict(r), "tier": tier_of(r["product_name"], r["product_metadata"])}
                 for r in rows if r["subscription_id"] == sub["id"]]
        result.append({**sub, "items": items})
    return result


def _tier(subscriptions: list[dict[str, Any]]) -> str | None:
    live = [s for s in subscriptions if s["status"] in lifecycle.LIVE]
    rank = {"past_due": 0, "unpaid": 1, "active": 2, "trialing": 3, "incomplete": 4}
    for sub in sorted(live, key=lambda s: rank.get(s["status"], 9)):
        for item in sub["items"]:
            if item["tier"]:
                return str(item["tier"])
    return None


def _payment_method(conn: Connection, customer: dict[str, Any], now: dt.datetime) -> PaymentMethod:
    failed = conn.execute(
        select(_CH.c.created, _CH.c.failure_message, _CH.c.failure_code, _CH.c.amount_cents, _CH.c.currency)
        .where(_CH.c.customer_id == customer["id"], _CH.c.status == "failed")
        .order_by(_CH.c.created.desc()).limit(1)
    ).first()
    words = None
    if failed is not None:
        words = failed.failure_message or "declined"
        if failed.failure_code:
            words += f" ({failed.failure_code})"
    month, year = customer.get("card_exp_month"), customer.get("card_exp_year")
    return PaymentMethod(
        customer.get("card_brand"), customer.get("card_last4"), month, year, card_state(month, year, now),
        words, failed.created if failed is not None else None,
    )


def card_state(exp_month: int | None, exp_year: int | None, now: dt.datetime) -> str:
    """valid, expires this month, expired — a card works until the end of its expiry month (UTC)."""
    if not exp_month or not exp_year:
        return "none on file"
    if (now.year, now.month) > (exp_year, exp_month):
        return "expired"
    if (now.year, now.month) == (exp_year, exp_month):
        return "expires this month"
    return "valid"


def _invoices(conn: Connection, rows: list[dict[str, Any]], entries: list[ActionEntry]) -> list[InvoiceFacts]:
    ids = [i["id"] for i in rows]
    intents = [i["payment_intent_id"] for i in rows if i.get("payment_intent_id")]
    charges = [dict(r) for r in conn.execute(
        select(_CH).where(or_(_CH.c.invoice_id.in_(ids), _CH.c.payment_intent_id.in_(intents)))
        .order_by(_CH.c.created, _CH.c.id)
    ).mappings()]
    refunds = [dict(r) for r in conn.execute(
        select(_RE).where(_RE.c.charge_id.in_([c["id"] for c in charges])).order_by(_RE.c.created)
    ).mappings()]
    waiting: dict[str, int] = {}
    for action in entries:
        if action.kind == REFUND and action.state == outbox.PENDING and action.target_id:
            waiting[action.target_id] = waiting.get(action.target_id, 0) + (action.amount_cents or 0)
    facts = []
    for invoice in rows:
        own = [c for c in charges if c["invoice_id"] == invoice["id"]
               or (invoice.get("payment_intent_id") and c["payment_intent_id"] == invoice["payment_intent_id"])]
        own_ids = {c["id"] for c in own}
        own_refunds = [r for r in refunds if r["charge_id"] in own_ids]
        facts.append(InvoiceFacts(invoice, own, own_refunds,
                                  refundable(own, own_refunds, waiting.get(invoice["id"], 0))))
    return facts


def _flags(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(_FF).order_by(_FF.c.name).limit(500)).mappings()]


def _grants(conn: Connection, customer_id: str, now: dt.datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(_AG).where(_AG.c.customer_id == customer_id).order_by(_AG.c.created_at.desc()).limit(100)
    ).mappings()
    return [{**dict(r), "state": grant_state(dict(r), now)} for r in rows]


def _usage(conn: Connection, customer_id: str) -> Usage:
    days = [dict(r) for r in conn.execute(
        select(_CU).where(_CU.c.customer_id == customer_id).order_by(_CU.c.day.desc()).limit(USAGE_DAYS)
    ).mappings()]
    days.reverse()
    users = sum(d["active_users"] for d in days) / len(days) if days else None
    return Usage(days, users, sum(d["api_calls"] for d in days), sum(d["jobs"] for d in days),
                 sum(d["failed_jobs"] for d in days))


def _failures(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """The latest processing failures, unresolved ones first."""
    return [dict(r) for r in conn.execute(
        select(_PF).where(_PF.c.customer_id == customer_id)
        .order_by(case((_PF.c.resolved_at.is_(None), 0), else_=1), _PF.c.occurred_at.desc())
        .limit(RECENT_FAILURES)
    ).mappings()]


def _tickets(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """The latest tickets, unsolved ones first."""
    solved = case((_TI.c.status.in_(SOLVED_STATUSES), 1), else_=0)
    return [dict(r) for r in conn.execute(
        select(_TI.c.id, _TI.c.subject, _TI.c.status, _TI.c.priority, _TI.c.tier, _TI.c.created_at,
               _TI.c.sla_due_at)
        .where(_TI.c.customer_id == customer_id).order_by(solved, _TI.c.created_at.desc()).limit(RECENT_TICKETS)
    ).mappings()]
