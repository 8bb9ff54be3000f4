"""A small Stripe account written straight into a cache, with the subscription history sync would record.

Revenue tests tell a story -- "Acme starts on Starter on 10 January,
upgrades on 3 February, cancels on 10 March" -- and check the figures a
person works out by hand.  ``Ledger`` writes each step as sync leaves it: the
subscription and item rows as they are after the step, and the
``subscription_changes`` row recording it (``app.domain.revenue.history``).
Amounts are minor units; times naive UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select, update

from app.domain.revenue import history
from app.domain.revenue.history import PriceInfo, SubState
from app.store.schema import Customer, FxRate, Price, Subscription, SubscriptionChange, SubscriptionItem

_S, _I = Subscription.__table__, SubscriptionItem.__table__


def day(month: int, d: int, hour: int = 12, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, d, hour, minute)


class Ledger:
    def __init__(self, engine: Engine, recorded_at: dt.datetime | None = None) -> None:
        self.engine = engine
        self.recorded_at = recorded_at or dt.datetime(2030, 1, 1)
        self.prices: dict[str, PriceInfo] = {}
        self.states: dict[str, SubState] = {}
        self.customers: dict[str, str] = {}  # subscription → customer

    # -- catalog and customers

    def price(self, price_id: str, cents: int, interval: str | None = "month", currency: str = "usd",
              interval_count: int = 1) -> Ledger:
        with self.engine.begin() as conn:
            conn.execute(insert(Price).values(id=price_id, product_id="prod", nickname=price_id,
                                              unit_amount_cents=cents, currency=currency, interval=interval,
                                              interval_count=interval_count))
        self.prices[price_id] = PriceInfo(cents, currency, interval, interval_count)
        return self

    def customer(self, customer_id: str, created: dt.datetime, **fields: Any) -> None:
        with self.engine.begin() as conn:
            if conn.execute(select(Customer.id).where(Customer.id == customer_id)).first() is None:
                conn.execute(insert(Customer).values(id=customer_id, name=fields.pop("name", customer_id.title()),
                                                     email=f"{customer_id}@example.com", created=created, **fields))

    def rate(self, currency: str, on: dt.date, rate: float, base: str = "USD") -> Ledger:
        with self.engine.begin() as conn:
            conn.execute(insert(FxRate).values(day=on, currency=currency, base=base, rate=rate))
        return self

    # -- the story

    def start(self, sub_id: str, customer_id: str, price_id: str, at: dt.datetime, *, quantity: int = 1,
              trial_days: int = 0, percent_off: float | None = None, amount_off_cents: int | None = None,
              period_months: int = 1) -> Ledger:
        """A new subscription (in a trial for ``trial_days``), paid up for ``period_months`` from its start."""
        self.customer(customer_id, at)
        trial_end = at + dt.timedelta(days=trial_days) if trial_days else None
        row = {
            "id": sub_id, "customer_id": customer_id, "status": "trialing" if trial_days else "active",
            "created": at, "current_period_start": at,
            "current_period_end": trial_end or _plus_months(at, period_months),
            "trial_start": at if trial_days else None, "trial_end": trial_end,
            "coupon_id": "COUPON" if percent_off or amount_off_cents else None,
            "percent_off": percent_off, "amount_off_cents": amount_off_cents,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(Subscription).values(**row))
            conn.execute(insert(SubscriptionItem).values(id=f"si_{sub_id}", subscription_id=sub_id,
                                                         price_id=price_id, quantity=quantity))
        self.customers[sub_id] = customer_id
        self._record(sub_id, at, row, [(price_id, quantity)])
        return self

    def change(self, sub_id: str, at: dt.datetime, *, price_id: str | None = None, quantity: int | None = None,
               **fields: Any) -> Ledger:
        """Any change: another plan or seat count, a status, a coupon, a scheduled cancellation…"""
        with self.engine.begin() as conn:
            if fields:
                conn.execute(update(_S).where(_S.c.id == sub_id).values(**fields))
            changes = {k: v for k, v in (("price_id", price_id), ("quantity", quantity)) if v is not None}
            if changes:
                conn.execute(update(_I).where(_I.c.subscription_id == sub_id).values(**changes))
            row = conn.execute(select(_S).where(_S.c.id == sub_id)).mappings().one()
            items = [(r.price_id, r.quantity) for r in conn.execute(select(_I).where(_I.c.subscription_id == sub_id))]
        self._record(sub_id, at, dict(row), items)
        return self

    def convert(self, sub_id: str, at: dt.datetime, period_months: int = 1) -> Ledger:
        return self.change(sub_id, at, status="active", current_period_start=at,
                           current_period_end=_plus_months(at, period_months))

    def schedule_cancel(self, sub_id: str, at: dt.datetime) -> Ledger:
        return self.change(sub_id, at, cancel_at_period_end=True, canceled_at=at)

    def end(self, sub_id: str, at: dt.datetime, paid_until: dt.datetime | None = None) -> Ledger:
        """Ended at ``at``: at its paid period's end, or on the spot when it was ``paid_until`` later."""
        return self.change(sub_id, at, status="canceled", ended_at=at, current_period_end=paid_until or at,
                           canceled_at=self._row(sub_id)["canceled_at"] or at)

    def _row(self, sub_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(_S).where(_S.c.id == sub_id)).mappings().one())

    def _record(self, sub_id: str, at: dt.datetime, row: dict[str, Any], items: list[tuple[str, int]]) -> None:
        state = history.state_of(row, items, self.prices)
        change = history.observed(sub_id, self.customers[sub_id], self.states.get(sub_id), state, at, history.EVENT)
        self.states[sub_id] = state
        if change is None:
            return
        with self.engine.begin() as conn:
            conn.execute(insert(SubscriptionChange).values(**change.row(self.recorded_at)))

    def state(self, sub_id: str) -> SubState:
        return self.states[sub_id]


def _plus_months(at: dt.datetime, months: int) -> dt.datetime:
    index = at.year * 12 + at.month - 1 + months
    return at.replace(year=index // 12, month=index % 12 + 1, day=min(at.day, 28))
