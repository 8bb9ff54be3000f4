"""The Stripe side of the business: customers, subscriptions, invoices and their events.

Each customer lives through a simulated year: a trial that converts or not,
monthly or annual renewals with invoices, failed payments that recover or end
in cancellation, upgrades, downgrades, coupons, churn and the odd
reactivation.  Times are unix seconds (Stripe's unit) and objects use
``__slots__`` so 100,000 customers with their invoices stay in memory
comfortably; the Stripe JSON is rendered per request by ``stripe_objects``.

Events are recorded only for the last 30 days, because that is all Stripe
keeps; tests mutate the business through ``Billing``'s methods, which record
events the way Stripe would.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from app.demo import vocabulary as words
from app.demo.catalog import COUPONS, LADDER, PRICE_BY_ID
from app.demo.wire import unix

EVENT_RETENTION_S = 30 * 86_400
DAY_S = 86_400
_B62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BYTE_TO_B62 = bytes(_B62[b % 62] for b in range(256))  # byte -> base62 digit, translated in C


def stripe_id(rng: random.Random, prefix: str, length: int = 24) -> str:
    """An id shaped like Stripe's (``cus_`` + base62), drawn from the seeded generator."""
    return prefix + rng.randbytes(length).translate(_BYTE_TO_B62).decode("ascii")


def add_months(ts: int, months: int) -> int:
    """Stripe's calendar billing: same day of month, clamped to the month's last day."""
    day = dt.datetime.fromtimestamp(ts, dt.UTC)
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    clamped = min(day.day, calendar.monthrange(year, month)[1])
    return int(day.replace(year=year, month=month, day=clamped).timestamp())


class Customer:
    __slots__ = ("id", "name", "email", "created", "delinquent", "balance", "metadata", "deleted")

    def __init__(self, id: str, name: str, email: str, created: int, metadata: dict[str, str]) -> None:
        self.id, self.name, self.email, self.created, self.metadata = id, name, email, created, metadata
        self.delinquent = False
        self.balance = 0
        self.deleted = False


class Subscription:
    __slots__ = (
        "id", "customer", "item_id", "price_id", "quantity", "status", "created", "period_start",
        "period_end", "cancel_at_period_end", "canceled_at", "ended_at", "trial_start", "trial_end", "coupon_id",
        "pause_behavior", "pause_resumes_at",
    )

    def __init__(self, id: str, customer: str, item_id: str, price_id: str, created: int) -> None:
        self.id, self.customer, self.item_id, self.price_id, self.created = id, customer, item_id, price_id, created
        self.quantity = 1
        self.status = "active"
        self.period_start, self.period_end = created, created
        self.cancel_at_period_end = False
        self.canceled_at: int | None = None
        self.ended_at: int | None = None
        self.trial_start: int | None = None
        self.trial_end: int | None = None
        self.coupon_id: str | None = None
        self.pause_behavior: str | None = None  # collection paused (keep_as_draft | mark_uncollectible | void)
        self.pause_resumes_at: int | None = None


class Invoice:
    __slots__ = (
        "id", "number", "customer", "subscription", "status", "amount_due", "amount_paid", "created",
        "period_start", "period_end", "paid_at", "billing_reason", "declined", "attempts", "charge",
    )

    def __init__(self, id: str, number: str, sub: Subscription, created: int, amount_due: int, reason: str) -> None:
        self.id, self.number, self.customer, self.subscription = id, number, sub.customer, sub.id
        self.created, self.amount_due, self.billing_reason = created, amount_due, reason
        self.period_start, self.period_end = sub.period_start, sub.period_end
        self.status = "paid"
        self.amount_paid = amount_due
        self.paid_at: int | None = created + 3_600
        self.declined = False  # the first attempt failed (a charge of its own; ``app.demo.payments``)
        self.attempts = 1 if amount_due > 0 else 0  # payment attempts made (Stripe's attempt_count)
        self.charge: str | None = "ch_" + id.removeprefix("in_") if amount_due > 0 else None  # the latest attempt


class Event:
    """One Stripe event; ``source`` is the live object (history) or a frozen snapshot (test writes).

    ``seq`` orders events within one second the way they happened, as Stripe does.
    """

    __slots__ = ("id", "type", "created", "seq", "source", "previous")

    def __init__(self, id: str, type: str, created: int, source: Any, previous: dict[str, Any] | None) -> None:
        self.id, self.type, self.created, self.source, self.previous = id, type, created, source, previous
        self.seq = 0

    def order(self) -> tuple[int, int]:
        return self.created, self.seq


def _created_key(obj: Any) -> tuple[int, str]:
    return obj.created, obj.id


class Billing:
    """The generated Stripe account, ordered the way Stripe lists it, plus test mutations."""

    def __init__(self, seed: int, customers: int, now: dt.datetime, snapshot: Callable[[Any], dict[str, Any]]) -> None:
        self._rng = random.Random(f"billing:{seed}")
        self._now = unix(now)
        self._snapshot = snapshot
        self.customers: list[Customer] = []
        self.subscriptions: list[Subscription] = []
        self.invoices: list[Invoice] = []
        self.events: list[Event] = []
        self.daily: Counter[tuple[str, dt.date]] = Counter()  # (signups|trial_starts|conversions, day)
        for _ in range(customers):
            self._live_one_customer()
        for listing in (self.customers, self.subscriptions, self.invoices):
            listing.sort(key=_created_key)
        self.events.sort(key=_created_key)
        for seq, event in enumerate(self.events):
            event.seq = seq
        listed: list[Customer | Subscription | Invoice] = [*self.customers, *self.subscriptions, *self.invoices]
        self.by_id: dict[str, Any] = {o.id: o for o in listed}
        self._event_by_id = {e.id: e for e in self.events}

    # ------------------------------------------------------------------ generation

    def _live_one_customer(self) -> None:
        rng, now = self._rng, self._now
        created = now - int(400 * DAY_S * (1 - rng.random() ** 0.6)) - 3_600
        stem, trade = rng.choice(words.COMPANY_STEMS), rng.choice(words.COMPANY_TRADES)
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        name = f"{stem} {trade} {rng.choice(words.COMPANY_FORMS)}".strip()
        domain = f"{stem}-{trade}".lower() + ".example"
        metadata = {"segment": rng.choice(words.SEGMENTS), "country": rng.choice(words.COUNTRIES),
                    "contact": f"{first} {last}"}
        customer = Customer(stripe_id(rng, "cus_", 14), name, f"{first}.{last}@{domain}".lower(), created, metadata)
        self.customers.append(customer)
        self._count("signups", created)
        self._event("customer.created", created, customer)
        legacy = created < now - 330 * DAY_S and rng.random() < 0.04
        start = created
        while start < now:
            ended = self._live_one_subscription(customer, start, legacy, trial=start == created)
            if ended is None or rng.random() > 0.15:
                break
            start, legacy = ended + rng.randint(30, 120) * DAY_S, False  # a reactivation, later on

    def _live_one_subscription(self, customer: Customer, start: int, legacy: bool, trial: bool) -> int | None:
        """Simulate one subscription from ``start`` to now; returns when it ended (None: still running)."""
        rng, now = self._rng, self._now
        annual = rng.random() < 0.25 and not legacy
        ladder = LADDER["year" if annual else "month"]
        price_id = "plan_team_legacy" if legacy else rng.choices(ladder, weights=(60, 30, 10))[0]
        sub = Subscription(stripe_id(rng, "sub_"), customer.id, stripe_id(rng, "si_", 14), price_id, start)
        if rng.random() < 0.15:
            sub.coupon_id = rng.choice(COUPONS).id
        self.subscriptions.append(sub)
        self._event("customer.subscription.created", start, sub)
        number = 0
        prefix = stripe_id(rng, "", 8).upper()

        def invoice(at: int, amount: int, reason: str) -> Invoice:
            nonlocal number
            number += 1
            coupon = next((c for c in COUPONS if c.id == sub.coupon_id), None)
            due = amount - (coupon.discount(amount) if coupon else 0)
            inv = Invoice(stripe_id(rng, "in_"), f"{prefix}-{number:04d}", sub, at, due, reason)
            self.invoices.append(inv)
            self._event("invoice.created", at, inv)
            return inv

        if trial and rng.random() < 0.6:
            sub.status, sub.trial_start, sub.trial_end = "trialing", start, start + 14 * DAY_S
            sub.period_end = sub.trial_end
            self._count("trial_starts", start)
            self._event("invoice.paid", start + 3_600, invoice(start, 0, "subscription_create"))
            if sub.trial_end > now:
                return None
            if rng.random() > 0.7:
                return self._end(sub, sub.trial_end, sub.trial_end)
            self._count("conversions", sub.trial_end)
            sub.status, start = "active", sub.trial_end
            self._event("customer.subscription.updated", start, sub, {"status": "trialing"})
        months = 12 if PRICE_BY_ID[sub.price_id].interval == "year" else 1
        reason = "subscription_create" if sub.trial_end is None else "subscription_cycle"
        while True:
            sub.period_start, sub.period_end = start, add_months(start, months)
            inv = invoice(start, PRICE_BY_ID[sub.price_id].unit_amount * sub.quantity, reason)
            reason = "subscription_cycle"
            if rng.random() < 0.04:  # the card was declined
                self._event("invoice.payment_failed", start + 3_600, inv)
                inv.status, inv.amount_paid, inv.paid_at, inv.declined = "open", 0, None, True
                inv.charge = f"{inv.charge}F"  # app.demo.payments names a declined first attempt so
                if start + 7 * DAY_S > now:
                    sub.status, customer.delinquent = "past_due", True
                    self._event("customer.subscription.updated", start + 3_600, sub, {"status": "active"})
                    return None
                if rng.random() < 0.4:
                    inv.status = "uncollectible"
                    return self._end(sub, start + 3 * DAY_S, start + 14 * DAY_S)
                inv.status, inv.amount_paid, inv.paid_at, inv.attempts = "paid", inv.amount_due, start + 3 * DAY_S, 2
                inv.charge = "ch_" + inv.id.removeprefix("in_")
            self._event("invoice.paid", inv.paid_at or start, inv)
            if sub.period_end > now:
                if rng.random() < 0.04:
                    sub.cancel_at_period_end, sub.canceled_at = True, now - rng.randint(1, 20) * DAY_S
                    self._event("customer.subscription.updated", sub.canceled_at, sub,
                                {"cancel_at_period_end": False})
                return None
            start = sub.period_end
            roll = rng.random()
            if roll < (0.15 if months == 12 else 0.025):
                return self._end(sub, start - rng.randint(1, 20) * DAY_S, start)
            if roll < 0.06 and not legacy:
                self._change_plan(sub, ladder, up=roll < 0.045, at=start)

    def _change_plan(self, sub: Subscription, ladder: tuple[str, ...], up: bool, at: int) -> None:
        step = ladder.index(sub.price_id) + (1 if up else -1)
        if 0 <= step < len(ladder):
            previous = {"items": {"data": [{"price": {"id": sub.price_id}}]}}
            sub.price_id = ladder[step]
            self._event("customer.subscription.updated", at, sub, previous)

    def _end(self, sub: Subscription, canceled_at: int, ended_at: int) -> int | None:
        """Cancel ``sub``; one ending after now stays active with ``cancel_at_period_end``."""
        sub.canceled_at = canceled_at
        if ended_at > self._now:
            sub.cancel_at_period_end = True
            return None
        sub.status, sub.ended_at = "canceled", ended_at
        self._event("customer.subscription.deleted", ended_at, sub)
        return ended_at

    def _count(self, what: str, ts: int) -> None:
        self.daily[what, dt.datetime.fromtimestamp(ts, dt.UTC).date()] += 1

    def _event(self, type: str, at: int, source: Any, previous: dict[str, Any] | None = None) -> None:
        if at >= self._now - EVENT_RETENTION_S and at <= self._now:
            self.events.append(Event(stripe_id(self._rng, "evt_"), type, at, source, previous))

    # ------------------------------------------------------------------ reading

    def live_events(self, now: dt.datetime) -> list[Event]:
        """Events Stripe still holds at ``now``: the last 30 days."""
        cutoff = unix(now) - EVENT_RETENTION_S
        return self.events[bisect.bisect_left(self.events, cutoff, key=lambda e: e.created):]

    def find_event(self, event_id: str, now: dt.datetime) -> Event | None:
        event = self._event_by_id.get(event_id)
        return event if event is not None and event.created >= unix(now) - EVENT_RETENTION_S else None

    # ------------------------------------------------------------------ test mutations (record events)

    def touch_customers(self, count: int, now: dt.datetime) -> list[str]:
        """Change ``count`` customers (a new note in metadata), as a support agent would."""
        at = unix(now)
        live = [c for c in self.customers if not c.deleted]
        touched = self._rng.sample(live, min(count, len(live)))
        for customer in touched:
            previous = {"metadata": dict(customer.metadata)}
            customer.metadata = {**customer.metadata, "note": f"touched at {at}"}
            self.record("customer.updated", at, customer, previous)
        return [c.id for c in touched]

    def create_customer(self, name: str, email: str, now: dt.datetime) -> str:
        at = unix(now)
        customer = Customer(stripe_id(self._rng, "cus_", 14), name, email, at, {})
        bisect.insort(self.customers, customer, key=_created_key)
        self.by_id[customer.id] = customer
        self.record("customer.created", at, customer)
        return customer.id

    def delete_customer(self, customer_id: str, now: dt.datetime) -> None:
        customer = self.by_id[customer_id]
        snapshot = self._snapshot(customer)
        customer.deleted = True
        self.customers.remove(customer)
        self.record("customer.deleted", unix(now), snapshot)

    def cancel_subscription(self, subscription_id: str, now: dt.datetime) -> None:
        sub = self.by_id[subscription_id]
        at = unix(now)
        sub.status, sub.canceled_at, sub.ended_at, sub.cancel_at_period_end = "canceled", at, at, False
        self.record("customer.subscription.deleted", at, sub)

    def new_id(self, prefix: str, length: int = 24) -> str:
        """A fresh Stripe-shaped id for an object a client's write creates (a refund, a charge)."""
        return stripe_id(self._rng, prefix, length)

    def record(self, type: str, at: int, source: Any, previous: dict[str, Any] | None = None) -> None:
        """Record an event about ``source`` as it is now (a snapshot), after every event recorded before."""
        snapshot = source if isinstance(source, dict) else self._snapshot(source)
        event = Event(stripe_id(self._rng, "evt_"), type, at, snapshot, previous)
        event.seq = self.events[-1].seq + 1 if self.events else 0
        bisect.insort(self.events, event, key=Event.order)
        self._event_by_id[event.id] = event
