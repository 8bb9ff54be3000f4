"""Stripe objects (plain JSON dicts) → cache rows.

Written against the shapes of both older API versions (``discount``,
``current_period_*`` and ``subscription`` on the parent object) and the
current one (``discounts``, periods on the items, ``parent.subscription_details``),
because the account's pinned version decides which one arrives.  Amounts stay
in cents as Stripe sends them; unix seconds become naive UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.connectors.convert import from_unix

Obj = dict[str, Any]
Row = dict[str, Any]


def ref_id(value: str | Obj | None) -> str | None:
    """The id of a possibly-expanded reference (``"cus_1"`` or ``{"id": "cus_1", ...}``)."""
    if value is None or isinstance(value, str):
        return value
    return value.get("id")


def _metadata(obj: Obj) -> dict[str, Any] | None:
    meta = obj.get("metadata")
    return dict(meta) if meta else None


def default_payment_method(customer: Obj) -> str | Obj | None:
    """The customer's default payment method: ``invoice_settings.default_payment_method``, else the default source."""
    settings = customer.get("invoice_settings") or {}
    return settings.get("default_payment_method") or customer.get("default_source")


def _card(method: str | Obj | None) -> Obj:
    """The card of an expanded payment method (``card``) or legacy card source (the object itself)."""
    if not isinstance(method, dict):
        return {}
    card = method.get("card") if method.get("object") == "payment_method" else method
    return card if isinstance(card, dict) else {}


def customer_row(obj: Obj, now: dt.datetime) -> Row:
    method = default_payment_method(obj)
    card = _card(method)
    return {
        "id": obj["id"],
        "name": obj.get("name"),
        "email": obj.get("email"),
        "created": from_unix(obj["created"]),
        "currency": obj.get("currency"),
        "delinquent": bool(obj.get("delinquent")),
        "balance_cents": obj.get("balance") or 0,
        "metadata_json": _metadata(obj),
        "payment_method_id": ref_id(method),
        "card_brand": card.get("brand"),
        "card_last4": card.get("last4"),
        "card_exp_month": card.get("exp_month"),
        "card_exp_year": card.get("exp_year"),
        "synced_at": now,
    }


def product_row(obj: Obj, now: dt.datetime) -> Row:
    return {
        "id": obj["id"],
        "name": obj.get("name") or obj["id"],
        "active": bool(obj.get("active", True)),
        "metadata_json": _metadata(obj),
        "synced_at": now,
    }


def is_legacy_plan(price_id: str) -> bool:
    """Whether a price was created through the old Plans API.

    Stripe lists every recurring price under ``/v1/plans`` too, so being listed
    there says nothing; the id does: the Prices API issues ``price_…`` ids,
    the Plans API ``plan_…`` or custom ones.
    """
    return not price_id.startswith("price_")


def price_row(obj: Obj, now: dt.datetime) -> Row:
    recurring = obj.get("recurring") or {}
    return {
        "id": obj["id"],
        "product_id": ref_id(obj.get("product")),
        "nickname": obj.get("nickname"),
        "unit_amount_cents": obj.get("unit_amount"),
        "currency": obj.get("currency") or "usd",
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count") or 1,
        "active": bool(obj.get("active", True)),
        "is_legacy_plan": is_legacy_plan(obj["id"]),
        "metadata_json": _metadata(obj),
        "synced_at": now,
    }


def plan_row(obj: Obj, now: dt.datetime) -> Row:
    """A plan (the Plans API's view of a recurring price), stored as the price it is."""
    return {
        "id": obj["id"],
        "product_id": ref_id(obj.get("product")),
        "nickname": obj.get("nickname"),
        "unit_amount_cents": obj.get("amount"),
        "currency": obj.get("currency") or "usd",
        "interval": obj.get("interval"),
        "interval_count": obj.get("interval_count") or 1,
        "active": bool(obj.get("active", True)),
        "is_legacy_plan": is_legacy_plan(obj["id"]),
        "metadata_json": _metadata(obj),
        "synced_at": now,
    }


def _first_discount(sub: Obj) -> Obj | None:
    legacy = sub.get("discount")
    if isinstance(legacy, dict):
        return legacy
    for discount in sub.get("discounts") or ():
        if isinstance(discount, dict):  # only expanded discounts carry their coupon
            return discount
    return None


def _coupon(discount: Obj | None) -> Obj | None:
    if discount is None:
        return None
    coupon = discount.get("coupon") or (discount.get("source") or {}).get("coupon")
    return coupon if isinstance(coupon, dict) else ({"id": coupon} if coupon else None)


def subscription_row(obj: Obj, now: dt.datetime) -> Row:
    items = (obj.get("items") or {}).get("data") or []
    period_source = obj if obj.get("current_period_start") is not None else (items[0] if items else {})
    coupon = _coupon(_first_discount(obj)) or {}
    pause = obj.get("pause_collection") or {}
    return {
        "id": obj["id"],
        "customer_id": ref_id(obj["customer"]),
        "status": obj["status"],
        "created": from_unix(obj["created"]),
        "current_period_start": from_unix(period_source.get("current_period_start")),
        "current_period_end": from_unix(period_source.get("current_period_end")),
        "cancel_at_period_end": bool(obj.get("cancel_at_period_end")),
        "canceled_at": from_unix(obj.get("canceled_at")),
        "ended_at": from_unix(obj.get("ended_at")),
        "trial_start": from_unix(obj.get("trial_start")),
        "trial_end": from_unix(obj.get("trial_end")),
        "coupon_id": coupon.get("id"),
        "percent_off": coupon.get("percent_off"),
        "amount_off_cents": coupon.get("amount_off"),
        "cancel_at": from_unix(obj.get("cancel_at")),
        "pause_collection": pause.get("behavior"),
        "pause_resumes_at": from_unix(pause.get("resumes_at")),
        "synced_at": now,
    }


def subscription_item_row(item: Obj, subscription_id: str, now: dt.datetime) -> Row:
    return {
        "id": item["id"],
        "subscription_id": subscription_id,
        "price_id": ref_id(item.get("price")) or ref_id(item.get("plan")),
        "quantity": item.get("quantity") or 1,
        "synced_at": now,
    }


def _invoice_payment_intent(obj: Obj) -> str | None:
    """The invoice's payment intent: ``payment_intent`` (older API versions), else its first payment's."""
    direct = ref_id(obj.get("payment_intent"))
    if direct:
        return direct
    for payment in (obj.get("payments") or {}).get("data") or ():
        intent = ref_id(((payment or {}).get("payment") or {}).get("payment_intent"))
        if intent:
            return intent
    return None


def invoice_row(obj: Obj, now: dt.datetime) -> Row:
    parent = (obj.get("parent") or {}).get("subscription_details") or {}
    transitions = obj.get("status_transitions") or {}
    return {
        "id": obj["id"],
        "customer_id": ref_id(obj["customer"]),
        "subscription_id": ref_id(obj.get("subscription")) or ref_id(parent.get("subscription")),
        "number": obj.get("number"),
        "status": obj.get("status"),
        "currency": obj.get("currency") or "usd",
        "amount_due_cents": obj.get("amount_due") or 0,
        "amount_paid_cents": obj.get("amount_paid") or 0,
        "created": from_unix(obj["created"]),
        "due_date": from_unix(obj.get("due_date")),
        "paid_at": from_unix(transitions.get("paid_at")),
        "payment_intent_id": _invoice_payment_intent(obj),
        "charge_id": ref_id(obj.get("charge")),
        "attempt_count": obj.get("attempt_count") or 0,
        "next_payment_attempt": from_unix(obj.get("next_payment_attempt")),
        "synced_at": now,
    }


def charge_row(obj: Obj, now: dt.datetime) -> Row:
    """A payment attempt; its card from ``payment_method_details`` (older versions: ``source``)."""
    details = obj.get("payment_method_details") or {}
    card = details.get("card") or _card(obj.get("source"))
    return {
        "id": obj["id"],
        "customer_id": ref_id(obj.get("customer")),
        "invoice_id": ref_id(obj.get("invoice")),
        "payment_intent_id": ref_id(obj.get("payment_intent")),
        "amount_cents": obj.get("amount") or 0,
        "amount_refunded_cents": obj.get("amount_refunded") or 0,
        "currency": obj.get("currency") or "usd",
        "status": obj["status"],
        "refunded": bool(obj.get("refunded")),
        "failure_code": obj.get("failure_code"),
        "failure_message": obj.get("failure_message"),
        "card_brand": card.get("brand"),
        "card_last4": card.get("last4"),
        "created": from_unix(obj["created"]),
        "synced_at": now,
    }


def refund_row(obj: Obj, now: dt.datetime) -> Row:
    return {
        "id": obj["id"],
        "charge_id": ref_id(obj.get("charge")),
        "payment_intent_id": ref_id(obj.get("payment_intent")),
        "amount_cents": obj["amount"],
        "currency": obj.get("currency") or "usd",
        "status": obj.get("status") or "succeeded",
        "reason": obj.get("reason"),
        "failure_reason": obj.get("failure_reason"),
        "created": from_unix(obj["created"]),
        "metadata_json": _metadata(obj),
        "synced_at": now,
    }


def coupon_row(obj: Obj, now: dt.datetime) -> Row:
    return {
        "id": obj["id"],
        "name": obj.get("name"),
        "percent_off": obj.get("percent_off"),
        "amount_off_cents": obj.get("amount_off"),
        "currency": obj.get("currency"),
        "duration": obj.get("duration"),
        "duration_in_months": obj.get("duration_in_months"),
        "valid": bool(obj.get("valid", True)),
        "synced_at": now,
    }
