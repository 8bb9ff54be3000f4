"""Money in the desk's words, and what can still be refunded (docs/metrics.md, "Refundable amount").

Amounts are integer minor units (cents), as Stripe sends them.  What an
invoice can still give back is what its successful charges took, less what
was refunded (Stripe's ``amount_refunded``, or the refunds the cache holds if
they say more, because a refund the console just made is stored before the
charge is synced again), less the refunds still waiting in the outbox — so
two refunds queued offline can never add up to more than was paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

REFUND_COUNTED = ("succeeded", "pending", "requires_action")  # refund statuses that take money back


def money(cents: float | None, currency: str | None = "usd") -> str:
    """``$1,234.50`` for dollars; ``1,234.50 EUR`` for other currencies; ``—`` when unknown."""
    if cents is None:
        return "—"
    amount = f"{round(cents) / 100:,.2f}"
    code = (currency or "usd").upper()
    if code == "USD":
        return f"-${amount[1:]}" if amount.startswith("-") else f"${amount}"
    return f"{amount} {code}"


def parse_money(text: str) -> int:
    """``"299"``, ``"299.5"``, ``"$1,299.00"`` → cents; ``ValueError`` naming what is wrong."""
    cleaned = text.strip().replace(",", "").removeprefix("$").strip()
    whole, _, fraction = cleaned.partition(".")
    if not whole.lstrip("-").isdigit() or (fraction and (not fraction.isdigit() or len(fraction) > 2)):
        raise ValueError(f"{text.strip()!r} is not an amount like 299.00")
    cents = int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0) * (-1 if whole.startswith("-") else 1)
    return cents


@dataclass(frozen=True)
class Refundable:
    """What an invoice took and can still give back, in cents."""

    paid: int
    refunded: int
    waiting: int  # refunds queued in the outbox, not yet accepted by Stripe

    @property
    def left(self) -> int:
        return max(0, self.paid - self.refunded - self.waiting)


@dataclass(frozen=True)
class InvoiceFacts:
    """An invoice with its payment attempts (charges, oldest first), their refunds and what is left to refund."""

    invoice: dict[str, Any]
    attempts: list[dict[str, Any]]
    refunds: list[dict[str, Any]]
    refundable: Refundable


def refundable(charges: Iterable[dict[str, Any]], refunds: Iterable[dict[str, Any]], waiting: int) -> Refundable:
    """The refundable amount of one invoice from its charges, the refunds on them and refunds still queued."""
    succeeded = [c for c in charges if c["status"] == "succeeded"]
    by_charge: dict[str, int] = {}
    for refund in refunds:
        if refund["status"] in REFUND_COUNTED and refund.get("charge_id"):
            by_charge[refund["charge_id"]] = by_charge.get(refund["charge_id"], 0) + int(refund["amount_cents"])
    paid = sum(int(c["amount_cents"]) for c in succeeded)
    refunded = sum(max(int(c["amount_refunded_cents"]), by_charge.get(c["id"], 0)) for c in succeeded)
    return Refundable(paid, refunded, waiting)
