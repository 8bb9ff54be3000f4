"""The Stripe writes an ops console makes: refunds, paying an invoice, changing and canceling a subscription.

Bodies arrive form-encoded in Stripe's bracket notation (``items[0][price]=…``)
and are decoded by ``decode_form``.  Each write checks everything before it
changes anything, refuses in Stripe's error shape with Stripe's codes where it
has them (``charge_already_refunded``, ``resource_missing``, a card error's
decline code), and records the events Stripe would (``charge.refunded``,
``invoice.paid``, ``customer.subscription.updated`` with its previous
attributes…) so an incremental sync sees the change.  ``preview`` is the
proration preview of ``POST /v1/invoices/create_preview``, which changes
nothing.  Replaying an ``Idempotency-Key`` is the caller's (``stripe_api``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from app.demo import stripe_objects
from app.demo.billing import Billing, Customer, Invoice, Subscription
from app.demo.catalog import COUPON_BY_ID, PRICE_BY_ID
from app.demo.messages import StripeError
from app.demo.payments import Charge, Payments, Refund

Obj = dict[str, Any]
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
PRORATION_BEHAVIORS = ("create_prorations", "none", "always_invoice")
PAUSE_BEHAVIORS = ("keep_as_draft", "mark_uncollectible", "void")
MAX_METADATA_VALUE = 500  # Stripe's limit on a metadata value


@dataclass(frozen=True)
class Account:
    """What a write acts on: the account's billing and payments, and the moment (unix seconds)."""

    billing: Billing
    payments: Payments
    now: int


Write = Callable[[Account, str, Obj], Obj]


# --------------------------------------------------------------------------- decoding


def decode_form(body: bytes) -> Obj:
    """``a[b][0][c]=1&d=`` → ``{"a": {"b": [{"c": "1"}]}, "d": ""}`` (Stripe's encoding of nested params)."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise StripeError(400, "The request body could not be decoded as form parameters.") from None
    root: Obj = {}
    for key, value in pairs:
        path = re.findall(r"[^\[\]]+", key)
        if not path:
            raise StripeError(400, f"Invalid parameter name: {key[:40]!r}")
        node = root
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise StripeError(400, f"Invalid parameter: {key[:40]} mixes a value and a hash", param=key)
            node = child
        node[path[-1]] = value
    decoded: Obj = _lists(root)
    return decoded


def _lists(node: Any) -> Any:
    """Hashes whose keys are all indexes (``{"0": …, "1": …}``) become lists, as Stripe reads them."""
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_lists(node[k]) for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}


def _integer(params: Obj, name: str, *, minimum: int = 1) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.isdigit() or int(value) < minimum:
        raise StripeError(400, f"Invalid integer: {str(value)[:40]}", param=name)
    return int(value)


def _boolean(params: Obj, name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise StripeError(400, f"Invalid boolean: {str(value)[:40]}", param=name)
    return bool(value == "true")


def _choice(params: Obj, name: str, choices: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if value not in choices:
        raise StripeError(400, f"Invalid {name}: must be one of {', '.join(choices)}", param=name)
    return str(value)


def _metadata(params: Obj) -> dict[str, str]:
    meta = params.get("metadata") or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) and len(v) <= MAX_METADATA_VALUE
                                             for v in meta.values()):
        raise StripeError(400, f"Invalid metadata: values are strings of at most {MAX_METADATA_VALUE} characters",
                          param="metadata")
    return {str(k): str(v) for k, v in meta.items()}


def _missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{object_id[:60]}'", code="resource_missing", param=param)


def _live_customer(account: Account, customer_id: str) -> Customer:
    customer = account.billing.by_id.get(customer_id)
    if not isinstance(customer, Customer) or customer.deleted:
        raise _missing("customer", customer_id, "customer")
    return customer


def _subscription(account: Account, subscription_id: str) -> Subscription:
    sub = account.billing.by_id.get(subscription_id) if subscription_id.startswith("sub_") else None
    if not isinstance(sub, Subscription):
        raise _missing("subscription", subscription_id)
    _live_customer(account, sub.customer)
    return sub


# --------------------------------------------------------------------------- refunds


def create_refund(account: Account, _: str, params: Obj) -> Obj:
    """``POST /v1/refunds``: all or part of what a charge took; never more than is left of it."""
    charge = _refundable_charge(account, params)
    left = charge.amount - charge.amount_refunded
    if left <= 0:
        raise StripeError(400, f"Charge {charge.id} has already been refunded.", code="charge_already_refunded")
    amount = _integer(params, "amount") or left
    if amount > left:
        raise StripeError(400, f"Refund amount (${amount / 100:,.2f}) is greater than unrefunded amount on charge "
                               f"(${left / 100:,.2f})", code="amount_too_large", param="amount")
    reason = _choice(params, "reason", REFUND_REASONS)
    metadata = _metadata(params)
    refund = Refund(account.billing.new_id("re_"), charge, amount, reason, account.now, metadata)
    previous = {"amount_refunded": charge.amount_refunded, "refunded": False}
    charge.amount_refunded += amount
    account.payments.add_refund(refund)
    account.billing.record("charge.refunded", account.now, charge, previous)
    account.billing.record("refund.created", account.now, refund)
    return stripe_objects.refund(refund)


def _refundable_charge(account: Account, params: Obj) -> Charge:
    charge_id, intent = params.get("charge"), params.get("payment_intent")
    if (charge_id is None) == (intent is None):
        raise StripeError(400, "You must pass either a charge or a payment_intent to create a refund.",
                          param="charge")
    if intent is not None:
        attempts = account.payments.charges_of_intent(str(intent))
        if not attempts:
            raise _missing("payment_intent", str(intent), "payment_intent")
        succeeded = [c for c in attempts if c.status == "succeeded"]
        if not succeeded:
            raise StripeError(400, f"This PaymentIntent ({str(intent)[:60]}) does not have a successful charge to "
                                   "refund.", code="charge_not_refundable", param="payment_intent")
        return succeeded[-1]
    found = account.payments.by_id.get(str(charge_id))
    if not isinstance(found, Charge):
        raise _missing("charge", str(charge_id), "charge")
    if found.status != "succeeded":
        raise StripeError(400, f"Charge {found.id} did not succeed: there is nothing to refund.",
                          code="charge_not_refundable", param="charge")
    return found


# --------------------------------------------------------------------------- invoices


def pay_invoice(account: Account, invoice_id: str, params: Obj) -> Obj:
    """``POST /v1/invoices/{id}/pay``: charge the customer's card now; a declined card is a 402 card error."""
    invoice = account.billing.by_id.get(invoice_id) if invoice_id.startswith("in_") else None
    if not isinstance(invoice, Invoice):
        raise _missing("invoice", invoice_id)
    _live_customer(account, invoice.customer)
    if invoice.status == "paid":
        raise StripeError(400, "Invoice is already paid", code="invoice_already_paid")
    if invoice.status != "open":
        raise StripeError(400, f"You can only pay an open invoice; this one is {invoice.status}.",
                          code="invoice_not_open")
    card = account.payments.card(invoice.customer)
    invoice.attempts += 1
    decline = "expired_card" if card.expired_at(account.now) else None
    charge = Charge(f"ch_{invoice.id.removeprefix('in_')}R{invoice.attempts}", invoice, invoice.amount_due,
                    account.now, card, decline)
    account.payments.add_charge(charge)
    invoice.charge = charge.id
    billing = account.billing
    if decline is not None:
        billing.record("charge.failed", account.now, charge)
        billing.record("invoice.payment_failed", account.now, invoice)
        raise StripeError(402, charge.failure_message or "Your card was declined.", type="card_error",
                          code=decline, param="payment_method")
    invoice.status, invoice.amount_paid, invoice.paid_at = "paid", invoice.amount_due, account.now
    billing.record("charge.succeeded", account.now, charge)
    billing.record("invoice.paid", account.now, invoice)
    sub = billing.by_id.get(invoice.subscription)
    if isinstance(sub, Subscription) and sub.status in ("past_due", "unpaid"):
        previous = {"status": sub.status}
        sub.status = "active"
        billing.record("customer.subscription.updated", account.now, sub, previous)
    customer = _live_customer(account, invoice.customer)
    if customer.delinquent and not any(i.customer == customer.id and i.status == "open" for i in billing.invoices):
        customer.delinquent = False  # Stripe clears it once no invoice of the customer is unpaid
        billing.record("customer.updated", account.now, customer, {"delinquent": True})
    return stripe_objects.invoice(invoice)


# --------------------------------------------------------------------------- subscriptions


@dataclass(frozen=True)
class _Change:
    """A subscription update, checked whole before any of it is applied."""

    price_id: str | None = None
    quantity: int | None = None
    trial_end: int | None = None
    cancel_at_period_end: bool | None = None
    coupon: str | None = None  # "" removes the coupon
    pause: tuple[str, int | None] | None = None  # ("", None) resumes collection


def update_subscription(account: Account, subscription_id: str, params: Obj) -> Obj:
    """``POST /v1/subscriptions/{id}``: plan and quantity, trial end, cancellation, coupon, paused collection."""
    sub = _subscription(account, subscription_id)
    if sub.status == "canceled":
        raise StripeError(400, "A canceled subscription can only update its cancellation_details and metadata.")
    change = _subscription_change(account, sub, params)
    _metadata(params)
    previous: Obj = {}
    if change.price_id is not None and change.price_id != sub.price_id:
        previous["items"] = {"data": [{"price": {"id": sub.price_id}}]}
        sub.price_id = change.price_id
    if change.quantity is not None and change.quantity != sub.quantity:
        previous["quantity"] = sub.quantity
        sub.quantity = change.quantity
    if change.trial_end is not None:
        previous.update(trial_end=sub.trial_end, status=sub.status)
        sub.trial_end, sub.period_end = change.trial_end, change.trial_end
        sub.trial_start = sub.trial_start or account.now
        sub.status = "trialing"
    if change.cancel_at_period_end is not None and change.cancel_at_period_end != sub.cancel_at_period_end:
        previous.update(cancel_at_period_end=sub.cancel_at_period_end, canceled_at=sub.canceled_at)
        sub.cancel_at_period_end = change.cancel_at_period_end
        sub.canceled_at = account.now if change.cancel_at_period_end else None
    if change.coupon is not None and (change.coupon or None) != sub.coupon_id:
        previous["discount"] = None if sub.coupon_id is None else {"coupon": {"id": sub.coupon_id}}
        sub.coupon_id = change.coupon or None
    if change.pause is not None:
        previous["pause_collection"] = (
            {"behavior": sub.pause_behavior, "resumes_at": sub.pause_resumes_at} if sub.pause_behavior else None
        )
        sub.pause_behavior, sub.pause_resumes_at = (change.pause[0] or None), change.pause[1]
    if previous:
        account.billing.record("customer.subscription.updated", account.now, sub, previous)
    return stripe_objects.subscription(sub)


def _subscription_change(account: Account, sub: Subscription, params: Obj) -> _Change:
    price_id, quantity = _item_change(sub, params.get("items"), "items")
    _choice(params, "proration_behavior", PRORATION_BEHAVIORS)
    return _Change(
        price_id=price_id,
        quantity=quantity,
        trial_end=_trial_end(account, params),
        cancel_at_period_end=_boolean(params, "cancel_at_period_end"),
        coupon=_coupon(params),
        pause=_pause(account, params),
    )


def _item_change(sub: Subscription, items: Any, param: str) -> tuple[str | None, int | None]:
    """The new price and quantity of the subscription's one item (``items[0]``), checked."""
    if items is None:
        return None, None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise StripeError(400, "This subscription has one item: pass exactly one in items.", param=param)
    item = items[0]
    if item.get("id") not in (None, sub.item_id):
        raise _missing("subscription item", str(item.get("id")), f"{param}[0][id]")
    price_id = item.get("price") or item.get("plan")
    if price_id is not None and price_id not in PRICE_BY_ID:
        raise _missing("price", str(price_id), f"{param}[0][price]")
    return price_id, _integer(item, "quantity")


def _trial_end(account: Account, params: Obj) -> int | None:
    value = params.get("trial_end")
    if value is None:
        return None
    if value == "now":
        return account.now
    if not isinstance(value, str) or not value.isdigit() or int(value) <= account.now:
        raise StripeError(400, "Invalid timestamp: trial_end must be in the future.", param="trial_end")
    return int(value)


def _coupon(params: Obj) -> str | None:
    """The coupon to apply (``discounts[0][coupon]`` or the older ``coupon``); "" to remove it; None: no change."""
    discounts, legacy = params.get("discounts"), params.get("coupon")
    if discounts is None and legacy is None:
        return None
    if discounts == "" or legacy == "":
        return ""
    coupon = legacy
    if discounts is not None:
        if not isinstance(discounts, list) or len(discounts) != 1 or not isinstance(discounts[0], dict):
            raise StripeError(400, "Invalid discounts: pass one discount with a coupon.", param="discounts")
        coupon = discounts[0].get("coupon")
    if not isinstance(coupon, str) or coupon not in COUPON_BY_ID:
        raise _missing("coupon", str(coupon), "discounts[0][coupon]" if discounts is not None else "coupon")
    return coupon


def _pause(account: Account, params: Obj) -> tuple[str, int | None] | None:
    value = params.get("pause_collection")
    if value is None:
        return None
    if value == "":
        return "", None
    if not isinstance(value, dict):
        raise StripeError(400, "Invalid pause_collection: a hash with a behavior, or an empty string.",
                          param="pause_collection")
    behavior = _choice(value, "behavior", PAUSE_BEHAVIORS)
    if behavior is None:
        raise StripeError(400, "Missing required param: pause_collection[behavior].",
                          param="pause_collection[behavior]")
    resumes_at = _integer(value, "resumes_at", minimum=account.now + 1)
    return behavior, resumes_at


def cancel_subscription(account: Account, subscription_id: str, params: Obj) -> Obj:
    """``DELETE /v1/subscriptions/{id}``: end it now."""
    sub = _subscription(account, subscription_id)
    if sub.status == "canceled":
        raise StripeError(400, f"This subscription ({sub.id}) is already canceled.", code="subscription_canceled")
    previous = {"status": sub.status}
    sub.status, sub.canceled_at, sub.ended_at, sub.cancel_at_period_end = "canceled", account.now, account.now, False
    account.billing.record("customer.subscription.deleted", account.now, sub, previous)
    return stripe_objects.subscription(sub)


# --------------------------------------------------------------------------- proration preview


def preview(account: Account, _: str, params: Obj) -> Obj:
    """``POST /v1/invoices/create_preview``: the next invoice if the subscription changed as described.

    Proration is Stripe's: the unused share of the current period is
    credited at the old price and charged at the new one, by the second.  A
    change of interval (monthly to annual) starts a new cycle now, so the new
    price is charged for a whole period instead.
    """
    subscription_id = params.get("subscription")
    if not isinstance(subscription_id, str):
        raise StripeError(400, "Missing required param: subscription.", param="subscription")
    sub = _subscription(account, subscription_id)
    details = params.get("subscription_details") or {}
    if not isinstance(details, dict):
        raise StripeError(400, "Invalid subscription_details: must be a hash.", param="subscription_details")
    new_price, new_quantity = _item_change(sub, details.get("items"), "subscription_details[items]")
    behavior = _choice(details, "proration_behavior", PRORATION_BEHAVIORS) or "create_prorations"
    at = _integer(details, "proration_date", minimum=0) or account.now
    old_price, new_price_obj = PRICE_BY_ID[sub.price_id], PRICE_BY_ID[new_price or sub.price_id]
    quantity = new_quantity or sub.quantity
    span = max(1, sub.period_end - sub.period_start)
    left = min(1.0, max(0.0, (sub.period_end - at) / span))
    coupon = COUPON_BY_ID.get(sub.coupon_id or "")

    def net(amount: int) -> int:
        return amount - (coupon.discount(amount) if coupon is not None and coupon.percent_off else 0)

    lines: list[Obj] = []
    changed = (new_price_obj.id, quantity) != (old_price.id, sub.quantity)
    if behavior != "none" and changed:
        lines.append(_line(sub, -net(round(old_price.unit_amount * sub.quantity * left)),
                           f"Unused time on {sub.quantity} × {old_price.nickname}", True, at))
        if new_price_obj.interval == old_price.interval:  # same cycle: the rest of it at the new price
            lines.append(_line(sub, net(round(new_price_obj.unit_amount * quantity * left)),
                               f"Remaining time on {quantity} × {new_price_obj.nickname}", True, at))
    regular = new_price_obj.unit_amount * quantity
    lines.append(_line(sub, regular - (coupon.discount(regular) if coupon is not None else 0),
                       f"{quantity} × {new_price_obj.nickname}", False, sub.period_end))
    total = sum(line["amount"] for line in lines)
    return {
        "id": f"upcoming_{sub.id.removeprefix('sub_')}", "object": "invoice", "amount_due": max(0, total),
        "amount_paid": 0, "amount_remaining": max(0, total), "created": account.now, "currency": "usd",
        "customer": sub.customer, "lines": {"object": "list", "data": lines, "has_more": False},
        "period_start": sub.period_start, "period_end": sub.period_end, "status": "draft",
        "subscription": sub.id, "subtotal": total, "total": total, "payment_intent": None,
    }


def _line(sub: Subscription, amount: int, description: str, proration: bool, start: int) -> Obj:
    return {
        "object": "line_item", "amount": amount, "currency": "usd", "description": description,
        "period": {"start": start, "end": sub.period_end}, "proration": proration,
        "parent": {"type": "subscription_item_details", "subscription_item_details": {
            "proration": proration, "subscription": sub.id, "subscription_item": sub.item_id}},
    }


# Which writes exist: (method, path with {id}) → the function that applies them.
WRITES: dict[tuple[str, str], Write] = {
    ("POST", "/v1/refunds"): create_refund,
    ("POST", "/v1/invoices/create_preview"): preview,
    ("POST", "/v1/invoices/{id}/pay"): pay_invoice,
    ("POST", "/v1/subscriptions/{id}"): update_subscription,
    ("DELETE", "/v1/subscriptions/{id}"): cancel_subscription,
}


def route(method: str, path: str) -> tuple[Write, str] | None:
    """The write ``method path`` names, with its path id ("" when it has none); None when it is not a write."""
    parts = path.strip("/").split("/")
    for (write_method, template), write in WRITES.items():
        pattern = template.strip("/").split("/")
        if write_method != method or len(pattern) != len(parts):
            continue
        ids = [part for part, want in zip(parts, pattern, strict=True) if want == "{id}"]
        if all(want in ("{id}", part) for part, want in zip(parts, pattern, strict=True)):
            return write, ids[0] if ids else ""
    return None
