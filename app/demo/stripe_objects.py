"""Render the billing state as Stripe API objects (the fields the stripe package reads).

Shapes follow Stripe's API reference: ids with their prefixes, unix
timestamps, ``items`` as a list object holding price and plan objects,
``discount.coupon``.  Where newer API versions moved a field (billing periods
onto subscription items, the subscription of an invoice under ``parent``) both
places are filled, so clients pinned to either version read what they expect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.demo.billing import Customer, Event, Invoice, Subscription
from app.demo.catalog import COUPON_BY_ID, PRICE_BY_ID, Coupon, Price, Product
from app.demo.payments import Card, Charge, Refund, payment_intent_of

CATALOG_CREATED = 1_640_995_200  # 2022-01-01: the catalog predates every customer
Obj = dict[str, Any]


def product(p: Product) -> Obj:
    return {
        "id": p.id, "object": "product", "active": True, "created": CATALOG_CREATED, "description": None,
        "livemode": False, "metadata": {"seats": str(p.seats), "tier": p.tier}, "name": p.name,
        "type": "service", "updated": CATALOG_CREATED, "url": None,
    }


def price(p: Price) -> Obj:
    return {
        "id": p.id, "object": "price", "active": not p.legacy_plan, "billing_scheme": "per_unit",
        "created": CATALOG_CREATED, "currency": "usd", "livemode": False, "lookup_key": None,
        "metadata": {}, "nickname": p.nickname, "product": p.product_id,
        "recurring": {"interval": p.interval, "interval_count": 1, "usage_type": "licensed"},
        "tax_behavior": "unspecified", "type": "recurring", "unit_amount": p.unit_amount,
        "unit_amount_decimal": str(p.unit_amount),
    }


def plan(p: Price) -> Obj:
    return {
        "id": p.id, "object": "plan", "active": not p.legacy_plan, "amount": p.unit_amount,
        "amount_decimal": str(p.unit_amount), "billing_scheme": "per_unit", "created": CATALOG_CREATED,
        "currency": "usd", "interval": p.interval, "interval_count": 1, "livemode": False, "metadata": {},
        "nickname": p.nickname, "product": p.product_id, "usage_type": "licensed",
    }


def coupon(c: Coupon) -> Obj:
    return {
        "id": c.id, "object": "coupon", "amount_off": c.amount_off, "created": CATALOG_CREATED,
        "currency": "usd" if c.amount_off else None, "duration": c.duration, "duration_in_months": None,
        "livemode": False, "max_redemptions": None, "metadata": {}, "name": c.name, "percent_off": c.percent_off,
        "redeem_by": None, "times_redeemed": 0, "valid": True,
    }


def payment_method(card: Card, customer_id: str) -> Obj:
    return {
        "id": card.id, "object": "payment_method", "billing_details": {}, "created": CATALOG_CREATED,
        "customer": customer_id, "livemode": False, "metadata": {}, "type": "card",
        "card": {"brand": card.brand, "country": "US", "exp_month": card.exp_month, "exp_year": card.exp_year,
                 "funding": "credit", "last4": card.last4},
    }


def charge(c: Charge) -> Obj:
    succeeded = c.status == "succeeded"
    outcome = {"type": "authorized", "network_status": "approved_by_network", "reason": None,
               "seller_message": "Payment complete."}
    if not succeeded:
        outcome = {"type": "issuer_declined", "network_status": "declined_by_network", "reason": c.failure_code,
                   "seller_message": "The bank did not return any further details with this decline."}
    return {
        "id": c.id, "object": "charge", "amount": c.amount, "amount_captured": c.amount if succeeded else 0,
        "amount_refunded": c.amount_refunded, "captured": succeeded, "created": c.created, "currency": "usd",
        "customer": c.customer, "description": None, "failure_code": c.failure_code,
        "failure_message": c.failure_message, "invoice": c.invoice, "livemode": False, "metadata": {},
        "outcome": outcome, "paid": succeeded, "payment_intent": c.payment_intent, "payment_method": c.card.id,
        "payment_method_details": {"type": "card", "card": {
            "brand": c.card.brand, "exp_month": c.card.exp_month, "exp_year": c.card.exp_year,
            "last4": c.card.last4}},
        "refunded": succeeded and c.amount_refunded >= c.amount, "status": c.status,
    }


def refund(r: Refund) -> Obj:
    return {
        "id": r.id, "object": "refund", "amount": r.amount, "charge": r.charge, "created": r.created,
        "currency": "usd", "metadata": dict(r.metadata), "payment_intent": r.payment_intent, "reason": r.reason,
        "status": r.status,
    }


def customer(c: Customer) -> Obj:
    if c.deleted:
        return {"id": c.id, "object": "customer", "deleted": True}
    return {
        "id": c.id, "object": "customer", "balance": c.balance, "created": c.created, "currency": "usd",
        "default_source": None, "delinquent": c.delinquent, "description": None, "email": c.email,
        "invoice_settings": {"custom_fields": None, "default_payment_method": "pm_" + c.id.removeprefix("cus_"),
                             "footer": None},
        "livemode": False, "metadata": dict(c.metadata), "name": c.name, "phone": None,
    }


def subscription(s: Subscription) -> Obj:
    p = PRICE_BY_ID[s.price_id]
    item = {
        "id": s.item_id, "object": "subscription_item", "created": s.created,
        "current_period_start": s.period_start, "current_period_end": s.period_end, "metadata": {},
        "plan": plan(p), "price": price(p), "quantity": s.quantity, "subscription": s.id,
    }
    discount = None
    if s.coupon_id:
        discount = {"id": f"di_{s.id[4:18]}", "object": "discount", "coupon": coupon(COUPON_BY_ID[s.coupon_id]),
                    "customer": s.customer, "start": s.created, "subscription": s.id}
    return {
        "id": s.id, "object": "subscription", "billing_cycle_anchor": s.created,
        "cancel_at": s.period_end if s.cancel_at_period_end else None,
        "cancel_at_period_end": s.cancel_at_period_end, "canceled_at": s.canceled_at,
        "collection_method": "charge_automatically", "created": s.created, "currency": "usd",
        "current_period_start": s.period_start, "current_period_end": s.period_end, "customer": s.customer,
        "discount": discount, "ended_at": s.ended_at,
        "items": {"object": "list", "data": [item], "has_more": False,
                  "url": f"/v1/subscription_items?subscription={s.id}"},
        "livemode": False, "metadata": {}, "pause_collection": (
            {"behavior": s.pause_behavior, "resumes_at": s.pause_resumes_at} if s.pause_behavior else None
        ),
        "plan": plan(p), "quantity": s.quantity, "start_date": s.created,
        "status": s.status, "trial_end": s.trial_end, "trial_start": s.trial_start,
    }


def invoice(i: Invoice) -> Obj:
    return {
        "id": i.id, "object": "invoice", "amount_due": i.amount_due, "amount_paid": i.amount_paid,
        "amount_remaining": i.amount_due - i.amount_paid, "attempt_count": i.attempts, "attempted": i.attempts > 0,
        "charge": i.charge, "payment_intent": payment_intent_of(i) if i.amount_due > 0 else None,
        "next_payment_attempt": None,
        "billing_reason": i.billing_reason, "collection_method": "charge_automatically", "created": i.created,
        "currency": "usd", "customer": i.customer, "due_date": None, "livemode": False, "number": i.number,
        "paid": i.status == "paid",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": i.subscription}},
        "period_start": i.period_start, "period_end": i.period_end, "status": i.status,
        "status_transitions": {"finalized_at": i.created, "marked_uncollectible_at": None,
                               "paid_at": i.paid_at, "voided_at": None},
        "subscription": i.subscription, "subtotal": i.amount_due, "total": i.amount_due,
    }


def render(obj: Any) -> Obj:
    """Any billing object as Stripe JSON (catalog entries included)."""
    for kind, fn in _RENDERERS:
        if isinstance(obj, kind):
            return fn(obj)
    raise TypeError(f"no Stripe rendering for {type(obj).__name__}")


_RENDERERS: tuple[tuple[type, Callable[[Any], Obj]], ...] = (
    (Customer, customer), (Subscription, subscription), (Invoice, invoice), (Product, product), (Price, price),
    (Charge, charge), (Refund, refund), (Coupon, coupon),
)


def event(e: Event) -> Obj:
    data: Obj = {"object": e.source if isinstance(e.source, dict) else render(e.source)}
    if e.previous is not None:
        data["previous_attributes"] = e.previous
    return {
        "id": e.id, "object": "event", "api_version": "2024-06-20", "created": e.created, "data": data,
        "livemode": False, "pending_webhooks": 0, "request": {"id": None, "idempotency_key": None},
        "type": e.type,
    }
