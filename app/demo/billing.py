"""The Stripe side of the business: customers, subscriptions, invoices and their events.

Each customer lives through up to two simulated years: a trial that converts
or not, monthly or annual renewals with invoices, failed payments that recover
or end in cancellation, upgrades, downgrades and seat changes at renewal,
coupons (one of them 100 % off), an add-on subscription beside the main one,
cancellations at period end and on the spot, churn and the odd reactivation.
Customers pay in US dollars, euros, pounds or Swiss francs.  Times are unix seconds (Stripe's unit) and objects use
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
from app.demo.catalog import COUPON_BY_ID, CURRENCIES, PRICE_BY_ID, coupons_for, ladder
from app.demo.wire import unix

EVENT_RETENTION_S = 30 * 86_400
DAY_S = 86_400
HISTORY_DAYS = 760  # a little over two years: the revenue screen's 24 months and cohorts have data
CURRENCY_WEIGHTS = {"usd": 75, "eur": 15, "gbp": 9, "chf": 1}
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
    __slots__ = ("id", "name", "email", "created", "currency", "delinquent", "balance", "metadata", "deleted")

    def __init__(
        self, id: str, name: str, email: str, created: int, metadata: dict[str, str], currency: str = "usd"
    ) -> None:
        self.id, self.name, self.email, self.created, self.metadata = id, name, email, created, metadata
        self.currency = currency
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

    @property
    def currency(self) -> str:
        return PRICE_BY_ID[self.price_id].currency


class Invoice:
    """One invoice of one subscription period; its single line is the plan and quantity billed then."""

    __slots__ = (
        "id", "number", "customer", "subscription", "status", "subtotal", "amount_due", "amount_paid", "created",
        "period_start", "period_end", "paid_at", "billing_reason", "price_id", "quantity", "currency", "proration",
        "declined", "attempts", "charge",
    )

    def __init__(self, id: str, number: str, sub: Subscription, created: int, subtotal: int, discount: int,
                 reason: str) -> None:
        self.id, self.number, self.customer, self.subscription = id, number, sub.customer, sub.id
        self.created, self.billing_reason = created, reason
        self.subtotal, self.amount_due = subtotal, subtotal - discount
        self.period_start, self.period_end = sub.period_start, sub.period_end
        self.price_id, self.quantity, self.currency = sub.price_id, sub.quantity, sub.currency
        self.proration = False  # bills the rest of a period after a change within it
        self.status = "paid"
        self.amount_paid = self.amount_due
        self.paid_at: int | None = created + 3_600
        self.declined = False  # the first attempt failed (a charge of its own; ``app.demo.payments``)
        self.attempts = 1 if self.amount_due > 0 else 0  # payment attempts made (Stripe's attempt_count)
        self.charge: str | None = "ch_" + id.removeprefix("in_") if self.amount_due > 0 else None  # the latest attempt


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


def _plan_attributes(sub: Subscription) -> dict[str, Any]:
    """What a plan or seat change alters, as Stripe's ``previous_attributes`` shows it."""
    return {"items": {"data": [{"id": sub.item_id, "price": {"id": sub.price_id}, "quantity": sub.quantity}]},
            "plan": {"id": sub.price_id}, "quantity": sub.quantity}


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
        created = now - int(HISTORY_DAYS * DAY_S * (1 - rng.random() ** 0.6)) - 3_600
        stem, trade = rng.choice(words.COMPANY_STEMS), rng.choice(words.COMPANY_TRADES)
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        name = f"{stem} {trade} {rng.choice(words.COMPANY_FORMS)}".strip()
        domain = f"{stem}-{trade}".lower() + ".example"
        currency = rng.choices(CURRENCIES, weights=[CURRENCY_WEIGHTS[c] for c in CURRENCIES])[0]
        metadata = {"segment": rng.choice(words.SEGMENTS), "country": rng.choice(words.COUNTRIES),
                    "contact": f"{first} {last}"}
        customer = Customer(stripe_id(rng, "cus_", 14), name, f"{first}.{last}@{domain}".lower(), created, metadata,
                            currency)
        self.customers.append(customer)
        self._count("signups", created)
        self._event("customer.created", created, customer)
        legacy = currency == "usd" and created < now - 330 * DAY_S and rng.random() < 0.04
        start, trial = created, True
        while start < now:
            ended = self._live_one_subscription(customer, start, legacy, trial=trial)
            if rng.random() < 0.08:  # a second subscription beside the first: an add-on workspace
                self._add_on(customer, start, ended)
            if ended is None or rng.random() > 0.15:
                break
            # A reactivation, later on (the odd one straight into a new trial).
            start, legacy, trial = ended + rng.randint(30, 120) * DAY_S, False, rng.random() < 0.1

    def _add_on(self, customer: Customer, main_start: int, main_end: int | None) -> None:
        """A Starter subscription started while the main one runs; it lives (and may end) on its own."""
        start = main_start + self._rng.randint(20, 200) * DAY_S
        if start < min(main_end or self._now, self._now):
            self._live_one_subscription(customer, start, legacy=False, trial=False,
                                        price_id=ladder("month", customer.currency)[0])

    def _live_one_subscription(self, customer: Customer, start: int, legacy: bool, trial: bool,
                               price_id: str | None = None) -> int | None:
        """Simulate one subscription from ``start`` to now; returns when it ended (None: still running)."""
        rng, now = self._rng, self._now
        annual = rng.random() < 0.25 and not legacy and price_id is None
        plans = ladder("year" if annual else "month", customer.currency)
        if price_id is None:
            price_id = "plan_team_legacy" if legacy else rng.choices(plans, weights=(60, 30, 10))[0]
        sub = Subscription(stripe_id(rng, "sub_"), customer.id, stripe_id(rng, "si_", 14), price_id, start)
        roll = rng.random()
        if roll < 0.012:
            sub.coupon_id = "FOUNDER100"
        elif roll < 0.16:
            sub.coupon_id = rng.choice([c for c in coupons_for(customer.currency) if c.percent_off != 100]).id
        if rng.random() < 0.12:
            sub.quantity = rng.randint(2, 5)
        self.subscriptions.append(sub)
        self._event("customer.subscription.created", start, sub)
        number = 0
        prefix = stripe_id(rng, "", 8).upper()

        def invoice(at: int, reason: str, amount: int | None = None) -> Invoice:
            nonlocal number
            number += 1
            subtotal = PRICE_BY_ID[sub.price_id].unit_amount * sub.quantity if amount is None else amount
            coupon = COUPON_BY_ID.get(sub.coupon_id or "")
            inv = Invoice(stripe_id(rng, "in_"), f"{prefix}-{number:04d}", sub, at, subtotal,
                          coupon.discount(subtotal) if coupon else 0, reason)
            self.invoices.append(inv)
            self._event("invoice.created", at, inv)
            return inv

        if trial and rng.random() < 0.6:
            sub.status, sub.trial_start, sub.trial_end = "trialing", start, start + 14 * DAY_S
            sub.period_end = sub.trial_end
            self._count("trial_starts", start)
            self._event("invoice.paid", start + 3_600, invoice(start, "subscription_create", amount=0))
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
            inv = invoice(start, reason)
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
            if rng.random() < 0.006:  # canceled on the spot, mid-period: the paid period is not refunded
                at = start + rng.randint(1, 27) * DAY_S
                if at <= now:
                    return self._end(sub, at, at)
            if sub.period_end > now:
                roll = rng.random()
                if roll < 0.04:
                    sub.cancel_at_period_end, sub.canceled_at = True, now - rng.randint(1, 20) * DAY_S
                    self._event("customer.subscription.updated", sub.canceled_at, sub,
                                {"cancel_at_period_end": False, "canceled_at": None})
                elif roll < 0.055 and not legacy and now - start > 2 * DAY_S:
                    self._change_mid_period(sub, plans, start + rng.randint(DAY_S, now - start - 3_600), invoice)
                return None
            start = sub.period_end
            roll = rng.random()
            if roll < (0.15 if months == 12 else 0.025):
                return self._end(sub, start - rng.randint(1, 20) * DAY_S, start)
            if roll < 0.06 and not legacy:
                self._change_plan(sub, plans, up=roll < 0.045, at=start)
            elif roll < 0.085 and not legacy:
                self._change_quantity(sub, 1 if roll < 0.077 or sub.quantity == 1 else -1, at=start)

    def _change_plan(self, sub: Subscription, plans: tuple[str, ...], up: bool, at: int) -> None:
        step = plans.index(sub.price_id) + (1 if up else -1) if sub.price_id in plans else -1
        if 0 <= step < len(plans):
            previous = _plan_attributes(sub)
            sub.price_id = plans[step]
            self._event("customer.subscription.updated", at, sub, previous)

    def _change_mid_period(self, sub: Subscription, plans: tuple[str, ...], at: int,
                           invoice: Callable[..., Invoice]) -> None:
        """An upgrade (or a downgrade) inside the paid period: the difference for the rest of it is invoiced now."""
        old = PRICE_BY_ID[sub.price_id].unit_amount * sub.quantity
        self._change_plan(sub, plans, up=self._rng.random() < 0.75, at=at)
        remaining = (sub.period_end - at) / max(1, sub.period_end - sub.period_start)
        difference = round((PRICE_BY_ID[sub.price_id].unit_amount * sub.quantity - old) * remaining)
        proration = invoice(at, "subscription_update", amount=max(0, difference))
        proration.proration = True
        self._event("invoice.paid", at + 60, proration)

    def _change_quantity(self, sub: Subscription, by: int, at: int) -> None:
        previous = _plan_attributes(sub)
        sub.quantity = max(1, sub.quantity + by)
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

    def change_subscription(
        self, subscription_id: str, now: dt.datetime, *, price_id: str | None = None, quantity: int | None = None
    ) -> None:
        """Move a subscription to another plan or seat count at once (an upgrade, a downgrade)."""
        sub = self.by_id[subscription_id]
        previous = _plan_attributes(sub)
        sub.price_id = price_id or sub.price_id
        sub.quantity = quantity or sub.quantity
        self.record("customer.subscription.updated", unix(now), sub, previous)

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
