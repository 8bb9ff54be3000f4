"""MRR of one subscription: quantity × unit price normalised to a month, after its coupon.

MRR counts subscriptions that are ``active`` or ``past_due`` (a past-due
customer still owes the money; trials do not pay yet).  Each item is
``quantity × unit amount`` normalised to a month (an annual price counts a
twelfth, a quarterly one a third), then the subscription's coupon applies:
``percent_off`` to the total, ``amount_off`` once per billing period -- so a
$120 off an annual plan is $10 a month.  Amounts stay in the minor units of
the subscription's own currency; converting is ``app.domain.revenue.fx``'s job.

This is the reference rule in pure Python; ``columns`` writes the same rule as
SQL for the customers table, and the tests hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.revenue.fx import money

PAYING = ("active", "past_due")
LIVE = ("active", "past_due", "trialing", "unpaid", "incomplete")
ENDED = ("canceled", "incomplete_expired")
KNOWN_INTERVALS = ("day", "week", "month", "year")

_MONTHS_PER_INTERVAL = {"month": 1.0, "year": 12.0, "week": 12.0 / 52.0, "day": 12.0 / 365.0}


def months_per_period(interval: str | None, interval_count: int = 1) -> float:
    """How many months one billing period lasts (0 for one-off prices and unknown intervals)."""
    return _MONTHS_PER_INTERVAL.get(interval or "", 0.0) * max(1, interval_count)


@dataclass(frozen=True)
class Item:
    """A subscription item as MRR needs it."""

    unit_amount_cents: int
    quantity: int
    interval: str | None
    interval_count: int = 1

    @property
    def monthly_cents(self) -> float:
        months = months_per_period(self.interval, self.interval_count)
        return self.unit_amount_cents * self.quantity / months if months else 0.0


def subscription_mrr(
    items: Iterable[Item], percent_off: float | None = None, amount_off_cents: int | None = None
) -> float:
    """Monthly recurring revenue of one subscription in minor units, after its coupon (never negative)."""
    items = list(items)
    gross = sum(i.monthly_cents for i in items)
    net = gross * (1.0 - (percent_off or 0.0) / 100.0)
    if amount_off_cents:
        months = max((months_per_period(i.interval, i.interval_count) for i in items), default=0.0)
        net -= amount_off_cents / months if months else 0.0
    return max(0.0, net)


def discount_text(percent_off: float | None, amount_off_cents: int | None, currency: str | None = None) -> str:
    """The coupon in words: "20 % off", "$10.00 off per period"."""
    parts = []
    if percent_off:
        parts.append(f"{percent_off:g} % off")
    if amount_off_cents:
        parts.append(f"{money(amount_off_cents, currency or 'usd')} off per period")
    return ", ".join(parts)
