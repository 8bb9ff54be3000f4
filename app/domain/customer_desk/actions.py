"""The desk's actions: what each one is called, where it goes, and the request a user makes.

Billing actions go to Stripe, access actions to the Ops API; both through
the outbox.  A ``DeskRequest`` is what the user asked for; ``validation``
turns it into a ``Planned`` action (the confirmation sentence and the exact
call) or refuses it in words; ``queue`` writes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.store import outbox

REFUND = "refund"
RETRY_PAYMENT = "retry_payment"
EXTEND_TRIAL = "extend_trial"
APPLY_COUPON = "apply_coupon"
REMOVE_COUPON = "remove_coupon"
CHANGE_PLAN = "change_plan"
CANCEL_NOW = "cancel_now"
CANCEL_AT_PERIOD_END = "cancel_at_period_end"
PAUSE_COLLECTION = "pause_collection"
RESUME_COLLECTION = "resume_collection"
GRANT_ACCESS = "grant_access"
REVOKE_ACCESS = "revoke_access"

INVOICE, SUBSCRIPTION, GRANT, CUSTOMER = "invoice", "subscription", "grant", "customer"


@dataclass(frozen=True)
class Kind:
    """One action: its button, what it acts on, the backend that applies it."""

    key: str
    label: str
    target: str  # invoice | subscription | grant | customer
    backend: str
    tip: str


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind(REFUND, "Refund…", INVOICE, outbox.STRIPE, "Give back all or part of a paid invoice"),
    Kind(RETRY_PAYMENT, "Retry payment…", INVOICE, outbox.STRIPE, "Charge the card on file again for an open invoice"),
    Kind(EXTEND_TRIAL, "Extend trial…", SUBSCRIPTION, outbox.STRIPE, "Move the end of a trial later"),
    Kind(APPLY_COUPON, "Apply coupon…", SUBSCRIPTION, outbox.STRIPE, "Discount a subscription with an existing coupon"),
    Kind(REMOVE_COUPON, "Remove coupon…", SUBSCRIPTION, outbox.STRIPE, "End a subscription's discount"),
    Kind(CHANGE_PLAN, "Change plan…", SUBSCRIPTION, outbox.STRIPE,
         "Move to another plan or quantity; Stripe prorates the period"),
    Kind(CANCEL_AT_PERIOD_END, "Cancel at period end…", SUBSCRIPTION, outbox.STRIPE,
         "End the subscription when the paid period ends"),
    Kind(CANCEL_NOW, "Cancel now…", SUBSCRIPTION, outbox.STRIPE, "End the subscription immediately"),
    Kind(PAUSE_COLLECTION, "Pause collection…", SUBSCRIPTION, outbox.STRIPE,
         "Stop charging: new invoices stay drafts until collection resumes"),
    Kind(RESUME_COLLECTION, "Resume collection…", SUBSCRIPTION, outbox.STRIPE, "Charge new invoices again"),
    Kind(GRANT_ACCESS, "Grant access…", CUSTOMER, outbox.OPS,
         "Give a feature or a plan's features until a date, with a reason"),
    Kind(REVOKE_ACCESS, "Revoke access…", GRANT, outbox.OPS, "End a running grant before it expires"),
)}

REASON_CHARS = 500  # Stripe keeps at most 500 characters in a metadata value


class Refusal(Exception):
    """An action the desk will not queue; the message says why, in words, and nothing was written."""


@dataclass(frozen=True)
class DeskRequest:
    """What the user asked for (the fields an action does not use stay None)."""

    kind: str
    customer_id: str
    target_id: str | None
    reason: str
    amount_cents: int | None = None  # refund
    coupon_id: str | None = None  # apply coupon
    price_id: str | None = None  # change plan
    quantity: int | None = None  # change plan
    until: dt.datetime | None = None  # new trial end; grant expiry (naive UTC)
    feature: str | None = None  # grant: a feature, or
    plan: str | None = None  # a plan tier


@dataclass(frozen=True)
class Call:
    """The write that applies an action: outbox kind, backend, method, path and body."""

    kind: str
    backend: str
    method: str
    path: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Planned:
    """An accepted request: the sentence the user confirms, the money involved, the call, what to remember."""

    request: DeskRequest
    summary: str
    call: Call
    amount_cents: int | None = None
    currency: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # kept with the action (old and new plan, MRR change…)
