"""The subscription history: a subscription's billing state, what changed, and its past rebuilt from its own record.

A ``SubState`` is what revenue needs of a subscription at one instant:
status, plan (price ids), quantity, coupon, currency, the plan's MRR (what it
bills per month once paying, whatever the status), whether a cancellation is
scheduled and when the paid period ends.  Sync records a ``Change`` each time
that state changes (``app.sync.subscription_history``); the movements replay
them.

A subscription first seen with a past (every one, on a fresh cache: Stripe
keeps 30 days of events) gets that past rebuilt here, from what its own record
still says: it started on ``created`` (in a trial when it had one), converted
at ``trial_end``, had its cancellation scheduled at ``canceled_at``, fell past
due at the start of its current period, ended at ``ended_at`` -- and, from its
invoices, which plan and quantity each billed period carried, so upgrades,
downgrades and seat changes keep their dates.  The same rebuild, without
invoices, serves a cache whose history was never recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from app.domain.revenue.mrr import PAYING, Item, subscription_mrr

EVENT, SNAPSHOT, BACKFILL, INVOICE = "event", "snapshot", "backfill", "invoice"
Record = Mapping[Any, Any]  # a row as a mapping (SQLAlchemy's ``RowMapping`` or a plain dict)
_ENDING = ("canceled", "incomplete_expired")
_FAILING = ("past_due", "unpaid")


class SubState(NamedTuple):
    """A subscription's billing state at one instant.

    A named tuple rather than a frozen dataclass: a first sync rebuilds the past
    of every subscription through about four ``_replace`` calls (87,332 at
    20,000 customers), at 0.65 µs a call against 1.87 µs for
    ``dataclasses.replace``.
    """

    status: str
    plan: str | None  # price ids, comma-separated, sorted
    quantity: int | None
    coupon: str | None
    currency: str | None
    plan_mrr: float  # minor units a month once paying, after the coupon
    cancel_at_period_end: bool = False
    period_end: dt.datetime | None = None

    @property
    def paying(self) -> bool:
        return self.status in PAYING

    @property
    def mrr(self) -> float:
        """MRR as the subscription's own status says (trials, ended ones: 0)."""
        return self.plan_mrr if self.paying else 0.0

    def billing(self) -> tuple[object, ...]:
        """What a change is made of (the period's end moves every renewal: not a change)."""
        return (self.status, self.plan, self.quantity, self.coupon, round(self.plan_mrr, 4), self.cancel_at_period_end)


@dataclass(frozen=True)
class PriceInfo:
    unit_amount_cents: int | None
    currency: str
    interval: str | None
    interval_count: int = 1


def state_of(sub: Record, items: Sequence[tuple[str | None, int]],
             prices: Mapping[str, PriceInfo]) -> SubState:
    """The state a subscriptions row and its items say (prices missing from the cache count nothing)."""
    known = [(prices[pid], qty) for pid, qty in items if pid is not None and pid in prices]
    mrr = subscription_mrr(
        (Item(p.unit_amount_cents or 0, qty, p.interval, p.interval_count) for p, qty in known),
        sub.get("percent_off"), sub.get("amount_off_cents"),
    )
    return SubState(
        status=sub["status"],
        plan=",".join(sorted(pid for pid, _ in items if pid)) or None,
        quantity=sum(qty for _, qty in items) if items else None,
        coupon=sub.get("coupon_id"),
        currency=known[0][0].currency.lower() if known else None,
        plan_mrr=mrr,
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
        period_end=sub.get("current_period_end"),
    )


def change_kind(before: SubState | None, after: SubState) -> str | None:
    """What a change was, in one word (None: nothing revenue cares about changed)."""
    if before is None:
        return "trial_started" if after.status == "trialing" else "started"
    if before.billing() == after.billing():
        return None
    if before.status != after.status:
        if before.status == "trialing" and after.paying:
            return "converted"
        if after.status in _ENDING:
            return "ended"
        if after.status in _FAILING:
            return "payment_failed"
        return "recovered" if before.status in _FAILING and after.paying else "status"
    if before.cancel_at_period_end != after.cancel_at_period_end:
        return "cancel_scheduled" if after.cancel_at_period_end else "cancel_withdrawn"
    if before.plan != after.plan:
        return "plan"
    if before.quantity != after.quantity:
        return "quantity"
    return "coupon" if before.coupon != after.coupon else "price"


class Change(NamedTuple):
    """One row of ``subscription_changes``.

    A named tuple, as ``SubState`` is: a first sync makes about two for every
    subscription it sees (43,215 at 20,000 customers), and a frozen dataclass
    took 859 ns to build against 253 ns, ``dataclasses.replace`` 1,856 ns
    against 620 ns for ``_replace``.
    """

    subscription_id: str
    customer_id: str
    at: dt.datetime
    kind: str
    source: str
    before: SubState | None
    after: SubState
    event_id: str | None = None

    def row(self, recorded_at: dt.datetime) -> dict[str, Any]:
        b, a = self.before, self.after
        return {
            "subscription_id": self.subscription_id, "customer_id": self.customer_id, "at": self.at,
            "kind": self.kind, "source": self.source, "event_id": self.event_id,
            "status_before": b.status if b else None, "status_after": a.status,
            "plan_before": b.plan if b else None, "plan_after": a.plan,
            "quantity_before": b.quantity if b else None, "quantity_after": a.quantity,
            "coupon_before": b.coupon if b else None, "coupon_after": a.coupon,
            "currency": a.currency or (b.currency if b else None),
            "mrr_before_cents": b.mrr if b else 0.0, "mrr_after_cents": a.mrr, "plan_mrr_cents": a.plan_mrr,
            "cancel_at_period_end": a.cancel_at_period_end, "period_end": a.period_end, "recorded_at": recorded_at,
        }


def observed(sub_id: str, customer_id: str, before: SubState | None, after: SubState, at: dt.datetime,
             source: str, event_id: str | None = None) -> Change | None:
    """The change between two observed states, or None when revenue sees none."""
    kind = change_kind(before, after)
    return None if kind is None else Change(sub_id, customer_id, at, kind, source, before, after, event_id)


def snapshot_time(before: SubState, after: SubState, sub: Record, now: dt.datetime) -> dt.datetime:
    """When a change seen only by comparing two reads happened: the record's own date for it, else now."""
    candidates = {
        "ended": sub.get("ended_at"),
        "cancel_scheduled": sub.get("canceled_at"),
        "converted": sub.get("trial_end"),
    }
    when = candidates.get(change_kind(before, after) or "")
    return when if when is not None and when <= now else now


# --------------------------------------------------------------------------- a past, rebuilt


CYCLE_REASONS = (None, "subscription_create", "subscription_cycle", "subscription")
UPDATE_REASON = "subscription_update"


@dataclass(frozen=True)
class BilledPeriod:
    """What one invoice of the subscription billed: its service period, plan, quantity and total.

    An ``update`` one bills a change inside a period (a proration): it dates
    the change, its plan and amount say nothing of a whole period.
    """

    start: dt.datetime
    end: dt.datetime | None
    plan: str | None
    quantity: int | None
    total_cents: int | None
    created: dt.datetime | None = None
    update: bool = False


def period_months(start: dt.datetime, end: dt.datetime | None) -> float:
    """Months a service period lasts: whole calendar months when it is (give or take short months), else days."""
    if end is None or end <= start:
        return 0.0
    months = (end.year - start.year) * 12 + end.month - start.month
    if months >= 1 and abs((end - start).days - months * 30.44) <= 3.5 * max(1, months // 12 + 1):
        return float(months)
    return (end - start).total_seconds() / (30.4375 * 86_400)


def period_state(period: BilledPeriod, final: SubState, sub: Record,
                 prices: Mapping[str, PriceInfo]) -> SubState | None:
    """The plan a billed period carried: its price and quantity through the MRR rule, else its total a month.

    None when the invoice says nothing usable (no known price and no amount).
    """
    plan_ids = period.plan.split(",") if period.plan else []
    if len(plan_ids) == 1 and plan_ids[0] in prices and period.quantity:
        state = state_of({**sub, "status": final.status}, [(plan_ids[0], period.quantity)], prices)
        return final._replace(plan=state.plan, quantity=state.quantity, plan_mrr=state.plan_mrr,
                              currency=state.currency or final.currency)
    months = period_months(period.start, period.end)
    if not period.total_cents or not months:
        return None
    return final._replace(plan=period.plan or final.plan, quantity=period.quantity or final.quantity,
                          plan_mrr=period.total_cents / months)


_WHEN_THEN_ORDER = itemgetter(0, 1)  # facts at one instant keep their order; their dicts are never compared


def rebuild(sub: Record, final: SubState, until: dt.datetime,
            periods: Iterable[BilledPeriod] = (), prices: Mapping[str, PriceInfo] | None = None) -> list[Change]:
    """The changes a subscription's own record implies up to ``until`` (see the module doc).

    ``final`` is its state at ``until`` (as first seen); ``periods`` its billed
    periods, which date its plan changes.  Every rebuilt change is a
    ``backfill`` one, or ``invoice`` where an invoice dated it.
    """
    created: dt.datetime = sub["created"]
    trial_start, trial_end = sub.get("trial_start"), sub.get("trial_end")
    canceled_at, ended_at = sub.get("canceled_at"), sub.get("ended_at")
    ended = final.status in _ENDING
    trialing = trial_start is not None and (trial_end is None or trial_end > created)
    start_status = "trialing" if trialing else (final.status if final.status.startswith("incomplete") else "active")
    if final.status.startswith("incomplete"):
        trialing, canceled_at = False, None  # it never got going: one state from start to end
    plan_states, updates = _billed(sub, final, until, ended_at if ended else None, list(periods), prices or {})
    first_plan = plan_states[0][1] if plan_states else final

    # Facts: (when, what changes) in the order they happened; several at one instant are one change.
    facts: list[tuple[dt.datetime, int, dict[str, Any], str]] = [
        (created, 0, {"status": start_status, "cancel_at_period_end": False}, BACKFILL)]
    converted = final.status != "trialing" and not (ended_at and trial_end and ended_at <= trial_end)
    if trialing and trial_end is not None and trial_end <= until and converted:
        facts.append((trial_end, 1, {"status": "active", "period_end": None}, BACKFILL))
    for at, billed in plan_states:
        fields = {"plan": billed.plan, "quantity": billed.quantity, "plan_mrr": billed.plan_mrr,
                  "currency": billed.currency}
        facts.append((max(at, created), 2, fields, INVOICE))
    if final.status in _FAILING:
        failing_since = sub.get("current_period_start") or created
        facts.append((min(max(failing_since, created), until), 3, {"status": final.status}, BACKFILL))
    if canceled_at is not None and canceled_at <= until and (ended_at is None or canceled_at < ended_at):
        facts.append((max(canceled_at, created), 4, {"cancel_at_period_end": True}, BACKFILL))
    if ended and ended_at is not None and ended_at <= until:
        facts.append((max(ended_at, created), 5, {"status": final.status, "period_end": final.period_end}, BACKFILL))
    facts.sort(key=_WHEN_THEN_ORDER)

    changes: list[Change] = []
    state: SubState | None = None
    running = first_plan._replace(status=start_status, cancel_at_period_end=False,
                                 period_end=trial_end if trialing else None)
    i = 0
    while i < len(facts):
        at, sources = facts[i][0], set()
        while i < len(facts) and facts[i][0] == at:
            running = running._replace(**facts[i][2])
            sources.add(facts[i][3])
            i += 1
        source = INVOICE if sources == {INVOICE} else BACKFILL
        kind = change_kind(state, running)
        if kind is not None:
            changes.append(Change(sub["id"], sub["customer_id"], at, kind, source, state, running))
            state = running
    pending = None if state is None or ended else change_kind(state, final)
    if pending is not None:
        # A change no billed period shows yet: dated by the proration invoice it raised, if any,
        # else placed when the subscription was first seen.
        dated = [at for at in updates if at >= changes[-1].at]
        changes.append(Change(sub["id"], sub["customer_id"], dated[-1] if dated else max(until, changes[-1].at),
                              pending, INVOICE if dated else BACKFILL, state, final))
    elif changes:  # the last state is the record's own, up to the end of its current period
        last = changes[-1]
        changes[-1] = last._replace(after=last.after._replace(period_end=final.period_end))
    return changes


def _billed(sub: Record, final: SubState, until: dt.datetime, ended_at: dt.datetime | None,
            periods: list[BilledPeriod], prices: Mapping[str, PriceInfo]
            ) -> tuple[list[tuple[dt.datetime, SubState]], list[dt.datetime]]:
    """The plan each billed period carried from its start (in order), and when the changes prorated were billed.

    Periods starting once the subscription stopped billing (``ended_at``, or
    ``until``) say nothing of its past.  Nothing to do for a subscription
    without invoices, as every one on a first sync's subscriptions pass.
    """
    if not periods:
        return [], []
    last_billed = min(until, ended_at) if ended_at is not None else until
    billed_as: dict[tuple[object, ...], SubState | None] = {}  # a plan billed twelve times is priced once
    plan_states = []
    for p in sorted(periods, key=lambda p: p.start):
        if p.update or p.start >= last_billed:
            continue
        priced = p.plan is not None and p.plan in prices
        key = (p.plan, p.quantity) if priced else (p.plan, p.quantity, p.total_cents, p.start, p.end)
        if key not in billed_as:
            billed_as[key] = period_state(p, final, sub, prices)
        if (billed := billed_as[key]) is not None:
            plan_states.append((p.start, billed))
    updates = sorted(p.created for p in periods if p.update and p.created is not None and p.created <= until)
    return plan_states, updates


def billed_periods(rows: Iterable[Record]) -> list[BilledPeriod]:
    """Invoices of one subscription → the periods they billed, and the changes prorated (one-offs left out)."""
    periods = []
    for r in rows:
        reason = r.get("billing_reason")
        if reason not in (*CYCLE_REASONS, UPDATE_REASON) or r.get("status") in ("void", "draft"):
            continue
        if r.get("period_start") is None and reason != UPDATE_REASON:
            continue
        periods.append(BilledPeriod(r.get("period_start") or r["created"], r.get("period_end"), r.get("plan"),
                                    r.get("quantity"), r.get("total_cents"), r.get("created"),
                                    reason == UPDATE_REASON))
    return periods
