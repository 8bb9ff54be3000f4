"""Payment methods, payment attempts (charges) and refunds of the generated Stripe account.

Derived from the billing history rather than drawn with it, so adding them
leaves every customer, subscription and invoice exactly as before: each
customer's card comes from a generator seeded by the customer id, and each
invoice's charges from its own status (a paid invoice has a succeeded charge;
one whose first attempt was declined also has the failed one, with a reason
drawn from the invoice id).  A customer whose unpaid invoice was declined for
an expired card still has that card, so retrying fails again until the card
is replaced; the other declines (insufficient funds, a generic decline)
succeed on retry.  About one paid charge in a hundred was refunded, in full
or in half, a few days later.  All of it is built the first time something
asks for it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from app.demo.billing import Invoice

BRANDS = ("visa", "visa", "visa", "mastercard", "mastercard", "amex")
# Why a first attempt was declined, and the words Stripe returns for it.
DECLINES = {
    "insufficient_funds": "Your card has insufficient funds.",
    "card_declined": "Your card was declined.",
    "expired_card": "Your card has expired.",
}
RETRY_DELAY_S = 3_600  # a first attempt an hour after the invoice, as the generator pays them
PAST_REFUND_SHARE = 0.01
REFUND_REASONS = ("requested_by_customer", "duplicate")


@dataclass(frozen=True)
class Card:
    """A customer's default card (``pm_…``), as a payment method object shows it."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def expired_at(self, ts: int) -> bool:
        """Whether the card no longer works at unix time ``ts`` (it runs to the end of its month)."""
        when = dt.datetime.fromtimestamp(ts, dt.UTC)
        return (when.year, when.month) > (self.exp_year, self.exp_month)


def card_of(customer_id: str, now: int, *, expired: bool = False) -> Card:
    """The customer's card: valid for years, a few expiring this month; ``expired`` ones ended months ago."""
    rng = random.Random(f"card:{customer_id}")
    today = dt.datetime.fromtimestamp(now, dt.UTC)
    roll = rng.random()
    months_left = -rng.randint(1, 6) if expired else 0 if roll < 0.05 else rng.randint(1, 48)
    month0 = today.year * 12 + today.month - 1 + months_left
    return Card("pm_" + customer_id.removeprefix("cus_"), rng.choice(BRANDS), f"{rng.randint(0, 9999):04d}",
                month0 % 12 + 1, month0 // 12)


class Charge:
    __slots__ = ("id", "customer", "invoice", "payment_intent", "amount", "amount_refunded", "status",
                 "failure_code", "created", "card")

    def __init__(self, id: str, invoice: Invoice, amount: int, created: int, card: Card,
                 failure_code: str | None) -> None:
        self.id, self.customer, self.invoice = id, invoice.customer, invoice.id
        self.payment_intent = payment_intent_of(invoice)
        self.amount, self.amount_refunded, self.created, self.card = amount, 0, created, card
        self.status = "failed" if failure_code else "succeeded"
        self.failure_code = failure_code

    @property
    def failure_message(self) -> str | None:
        return DECLINES.get(self.failure_code or "")


class Refund:
    __slots__ = ("id", "charge", "payment_intent", "amount", "status", "reason", "created", "metadata")

    def __init__(self, id: str, charge: Charge, amount: int, reason: str | None, created: int,
                 metadata: dict[str, str]) -> None:
        self.id, self.charge, self.payment_intent = id, charge.id, charge.payment_intent
        self.amount, self.reason, self.created, self.metadata = amount, reason, created, metadata
        self.status = "succeeded"


def payment_intent_of(invoice: Invoice) -> str:
    return "pi_" + invoice.id.removeprefix("in_")


def decline_of(invoice: Invoice) -> str:
    """Why the first attempt on ``invoice`` was declined (drawn from its id, so it never changes)."""
    return random.Random(f"decline:{invoice.id}").choices(tuple(DECLINES), weights=(4, 3, 3))[0]


def charges_of(invoice: Invoice, card: Card) -> list[Charge]:
    """The attempts the generated history made on ``invoice``: a declined one, a succeeded one, or both."""
    if invoice.amount_due <= 0:
        return []
    made: list[Charge] = []
    attempt = invoice.created + RETRY_DELAY_S
    if invoice.declined:
        made.append(Charge("ch_" + invoice.id.removeprefix("in_") + "F", invoice, invoice.amount_due, attempt, card,
                           decline_of(invoice)))
    if invoice.status == "paid" and invoice.paid_at is not None:
        made.append(Charge("ch_" + invoice.id.removeprefix("in_"), invoice, invoice.amount_due, invoice.paid_at,
                           card, None))
    return made


def _created_key(obj: Charge | Refund) -> tuple[int, str]:
    return obj.created, obj.id


class Payments:
    """The account's cards, charges (oldest first, as Stripe lists them) and refunds, over one ``Billing``."""

    def __init__(self, invoices: list[Invoice], now: int) -> None:
        self._now = now
        # Still unpaid after a decline for an expired card: the card on file is that expired card.
        self._expired = {i.customer for i in invoices
                         if i.status == "open" and i.declined and decline_of(i) == "expired_card"}
        self.charges: list[Charge] = sorted(
            (charge for invoice in invoices for charge in charges_of(invoice, self.card(invoice.customer))),
            key=_created_key,
        )
        self.refunds: list[Refund] = sorted(
            (r for r in map(self._past_refund, self.charges) if r is not None), key=_created_key
        )
        self.by_id: dict[str, Charge | Refund] = {c.id: c for c in self.charges}
        self.by_id.update((r.id, r) for r in self.refunds)
        self._by_intent: dict[str, list[Charge]] = {}
        for charge in self.charges:
            self._by_intent.setdefault(charge.payment_intent, []).append(charge)

    def _past_refund(self, charge: Charge) -> Refund | None:
        """The refund the history made on ``charge``, if any (applied to the charge as it is made)."""
        rng = random.Random(f"refund:{charge.id}")
        if charge.status != "succeeded" or rng.random() >= PAST_REFUND_SHARE:
            return None
        created = charge.created + rng.randint(1, 10) * 86_400
        if created > self._now:
            return None
        amount = charge.amount if rng.random() < 0.5 else charge.amount // 2
        charge.amount_refunded = amount
        return Refund("re_" + charge.id.removeprefix("ch_"), charge, amount, rng.choice(REFUND_REASONS), created, {})

    def card(self, customer_id: str) -> Card:
        return card_of(customer_id, self._now, expired=customer_id in self._expired)

    def expire_card(self, customer_id: str, expired: bool = True) -> None:
        """From now on the customer's card on file is expired, or (``expired=False``) a new, valid one."""
        if expired:
            self._expired.add(customer_id)
        else:
            self._expired.discard(customer_id)

    def charges_of_intent(self, payment_intent: str) -> list[Charge]:
        """The attempts of one payment intent (one invoice), oldest first."""
        return list(self._by_intent.get(payment_intent, ()))

    def add_charge(self, charge: Charge) -> None:
        self.charges.append(charge)  # created now: the newest
        self.by_id[charge.id] = charge
        self._by_intent.setdefault(charge.payment_intent, []).append(charge)

    def add_refund(self, refund: Refund) -> None:
        self.refunds.append(refund)
        self.by_id[refund.id] = refund
