"""MRR movements: each customer's recognised MRR over time, and each change of it classified.

Per subscription, the recorded history (``subscription_changes``) is replayed
under the policies in force into *recognised MRR* over time:

* paying (active or past due): the plan's MRR; trialing, ended, unpaid: 0;
* churn at the end of the paid period (default): a subscription that ends
  before its paid period is over keeps its MRR until that period ends;
  churn when scheduled: its MRR stops the moment a cancellation is scheduled
  (and comes back if the cancellation is withdrawn);
* past due for N days (when set): its MRR stops N days after it fell due.

Per customer (an *account*: one customer in one currency), the MRR of its
subscriptions is summed, changes within ``MERGE_WINDOW`` of the first of them
are merged, and each merged change is a movement (ChartMogul's classification):
new business (first time paying), reactivation (paying again after churning),
expansion and contraction (more or less while paying), churn (no longer
paying).  Cancelling one of two subscriptions is contraction, not churn.
A customer on a free plan or a 100 % coupon is not paying: going free is
churn, unless the "free plans count as customers" policy keeps them active
(then it is contraction).  Everything here is in the account's own currency;
``monthly`` converts.

Instants are unix seconds: the replay over 100,000 customers is integer
arithmetic, not datetime objects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exists, select

from app.domain.revenue import history
from app.domain.revenue.mrr import ENDED, PAYING
from app.domain.revenue.policy import MERGE_WINDOW, Policy
from app.store.schema import Price, Subscription, SubscriptionChange, SubscriptionItem

NEW, EXPANSION, CONTRACTION, CHURN, REACTIVATION = range(5)
KINDS = ("new", "expansion", "contraction", "churn", "reactivation")
NEVER = 2**62  # "no pending change": later than any instant
DAY = 86_400
_EPSILON = 0.005  # a hundredth of a minor unit: MRR below it is zero (float sums of twelfths)

# (instant, status, plan MRR, currency, cancellation scheduled, paid period end or None)
StateRow = tuple[int, str, float, str | None, bool, int | None]


def to_ts(value: dt.datetime) -> int:
    """Naive UTC → unix seconds."""
    return int(value.replace(tzinfo=dt.UTC).timestamp())


def from_ts(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Movement:
    at: int
    kind: int
    before: float  # the account's MRR before, in its currency's minor units
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass
class Account:
    """One customer in one currency: its movements, first payment and trials, and until when this holds."""

    customer_id: str
    currency: str | None
    movements: list[Movement] = field(default_factory=list)
    first_paid: int | None = None  # when it first paid (its cohort)
    first_paid_mrr: float = 0.0
    # (started, became paying or None, ended without paying or None)
    trials: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    valid_until: int = NEVER  # the replay changes by itself then (a paid period ends, past due runs out)


# --------------------------------------------------------------------------- one subscription


def recognised(rows: Sequence[StateRow], policy: Policy, now: int) -> tuple[list[tuple[int, float, bool]], int]:
    """Recognised MRR steps ``(instant, MRR, on a free plan)`` of one subscription, and its next self-change."""
    steps: list[tuple[int, float, bool]] = []
    pending = NEVER
    value, _free = 0.0, False
    failing_since: int | None = None
    scheduled_churns = policy.churn_when_scheduled
    due_days = policy.past_due_churn_days
    period_end: int | None = None
    count = len(rows)
    for i in range(count):
        at, status, plan_mrr, _currency, cancel, end = rows[i]
        if at > now:
            break
        following = rows[i + 1][0] if i + 1 < count else NEVER
        paying = status in PAYING
        if status in ENDED and value > _EPSILON and not scheduled_churns:
            paid_until = end or period_end
            if paid_until is not None and paid_until > at:  # ended inside a paid period: counts until its end
                if paid_until <= now and paid_until < following:
                    steps.append((paid_until, 0.0, False))
                    value, _free = 0.0, False
                elif paid_until > now:
                    pending = min(pending, paid_until)
                period_end = end or period_end
                continue
        new_value = plan_mrr if paying else 0.0
        new_free = paying and plan_mrr <= _EPSILON
        if paying and cancel and scheduled_churns:
            new_value, new_free = 0.0, False
        failing_since = (failing_since if failing_since is not None else at) if status == "past_due" else None
        if failing_since is not None and due_days:
            cutoff = failing_since + due_days * DAY
            if cutoff <= at:
                new_value, new_free = 0.0, False
            elif cutoff < following:
                steps.append((at, new_value, new_free))
                if cutoff <= now:
                    at, new_value, new_free = cutoff, 0.0, False
                else:
                    pending = min(pending, cutoff)
        steps.append((at, new_value, new_free))
        value, _free = new_value, new_free
        period_end = end if end is not None else period_end
    return steps, pending


# --------------------------------------------------------------------------- one account


def replay(customer_id: str, currency: str | None, subs: Sequence[Sequence[StateRow]], policy: Policy,
           now: int) -> Account:
    """The movements of one account from its subscriptions' histories (see the module doc)."""
    account = Account(customer_id, currency)
    changes: list[tuple[int, int, float, bool]] = []
    for k, rows in enumerate(subs):
        steps, pending = recognised(rows, policy, now)
        account.valid_until = min(account.valid_until, pending)
        last = (0.0, False)
        for at, value, free in steps:
            if (value, free) != last:
                changes.append((at, k, value, free))
                last = (value, free)
        account.trials.extend(_trial(rows))
    changes.sort()
    values = [0.0] * len(subs)
    frees = [False] * len(subs)
    total, free_count, active, ever = 0.0, 0, False, False
    counts_free = policy.free_plans_are_customers
    window = int(MERGE_WINDOW.total_seconds())
    i, n = 0, len(changes)
    while i < n:
        start = changes[i][0]
        before, was_active = total, active
        while i < n and changes[i][0] - start <= window:
            _, k, value, free = changes[i]
            total += value - values[k]
            free_count += free - frees[k]
            values[k], frees[k] = value, free
            i += 1
        total = round(total, 6)
        if abs(total) < _EPSILON:
            total = 0.0
        active = total > 0.0 or (counts_free and free_count > 0)
        kind = _classify(was_active, active, before, total, ever)
        if kind is None:
            continue
        account.movements.append(Movement(start, kind, before, total))
        ever = ever or active
        if account.first_paid is None and total > 0.0:
            account.first_paid, account.first_paid_mrr = start, total
    return account


def _classify(was_active: bool, active: bool, before: float, after: float, ever: bool) -> int | None:
    if not was_active:
        return (REACTIVATION if ever else NEW) if active else None
    if not active:
        return CHURN
    if after > before + _EPSILON:
        return EXPANSION
    if after < before - _EPSILON:
        return CONTRACTION
    return None


def _trial(rows: Sequence[StateRow]) -> list[tuple[int, int | None, int | None]]:
    """A subscription that started in a trial: when, when it first paid (plan MRR above zero), when it ended."""
    if not rows or rows[0][1] != "trialing":
        return []
    started = rows[0][0]
    paid = next((at for at, status, plan_mrr, *_ in rows if status in PAYING and plan_mrr > _EPSILON), None)
    ended = next((at for at, status, *_ in rows if status in ENDED), None)
    return [(started, paid, ended)]


# --------------------------------------------------------------------------- reading the cache

_C, _S = SubscriptionChange.__table__, Subscription.__table__
_I, _P = SubscriptionItem.__table__, Price.__table__
_HISTORY_SQL = (
    "SELECT customer_id, subscription_id, CAST(strftime('%s', at) AS INTEGER), status_after, plan_mrr_cents, "
    "currency, cancel_at_period_end, CAST(strftime('%s', period_end) AS INTEGER) FROM subscription_changes"
)
_ORDER = " ORDER BY subscription_id, at, id"


def _history_rows(conn: Connection, customers: Sequence[str] | None) -> Iterable[Sequence[Any]]:
    """The recorded history, per subscription in time order (raw rows: this is the hot path)."""
    if customers is None:
        return conn.exec_driver_sql(_HISTORY_SQL + _ORDER).fetchall()
    rows: list[Sequence[Any]] = []
    ids = list(customers)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"{_HISTORY_SQL} WHERE customer_id IN ({marks}){_ORDER}"
        rows += conn.exec_driver_sql(sql, tuple(chunk)).fetchall()
    return rows


def _unrecorded(conn: Connection, customers: Sequence[str] | None,
                now: dt.datetime) -> list[tuple[str, str, list[StateRow]]]:
    """Subscriptions whose history sync never recorded (a cache filled another way): rebuilt from their record."""
    stmt = select(_S).where(~exists().where(_C.c.subscription_id == _S.c.id))
    if customers is not None:
        stmt = stmt.where(_S.c.customer_id.in_(list(customers)))
    subs = conn.execute(stmt).mappings().all()
    if not subs:
        return []
    catalog = {r.id: history.PriceInfo(r.unit_amount_cents, r.currency or "usd", r.interval, r.interval_count or 1)
               for r in conn.execute(select(_P.c.id, _P.c.unit_amount_cents, _P.c.currency, _P.c.interval,
                                            _P.c.interval_count))}
    items: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    ids = [s["id"] for s in subs]
    for start in range(0, len(ids), 500):
        for sid, price_id, qty in conn.execute(select(_I.c.subscription_id, _I.c.price_id, _I.c.quantity)
                                               .where(_I.c.subscription_id.in_(ids[start:start + 500]))):
            items[sid].append((price_id, qty))
    rebuilt = []
    for sub in subs:
        state = history.state_of(sub, items[sub["id"]], catalog)
        rows = [_state_row(c.at, c.after) for c in history.rebuild(sub, state, now)]
        rebuilt.append((sub["customer_id"], sub["id"], rows))
    return rebuilt


def _state_row(at: dt.datetime, s: history.SubState) -> StateRow:
    return (to_ts(at), s.status, s.plan_mrr, s.currency, s.cancel_at_period_end,
            None if s.period_end is None else to_ts(s.period_end))


def accounts(conn: Connection, policy: Policy, now: dt.datetime,
             customers: Sequence[str] | None = None) -> dict[str, list[Account]]:
    """Every account's movements (of ``customers`` only, when given), keyed by customer."""
    now_ts = to_ts(now)
    by_customer: dict[str, dict[str, list[StateRow]]] = defaultdict(dict)
    current_sub: str | None = None
    current_rows: list[StateRow] = []
    for customer_id, sub_id, at, status, plan_mrr, currency, cancel, end in _history_rows(conn, customers):
        if sub_id != current_sub:
            current_sub, current_rows = sub_id, []
            by_customer[customer_id][sub_id] = current_rows
        current_rows.append((at, status, plan_mrr, currency, bool(cancel), end))
    for customer_id, sub_id, rows in _unrecorded(conn, customers, now):
        by_customer[customer_id][sub_id] = rows
    result: dict[str, list[Account]] = {}
    for customer_id, subs in by_customer.items():
        per_currency: dict[str | None, list[list[StateRow]]] = defaultdict(list)
        for rows in subs.values():
            per_currency[next((r[3] for r in rows if r[3]), None)].append(rows)
        result[customer_id] = [replay(customer_id, cur, own, policy, now_ts) for cur, own in per_currency.items()]
    if customers is not None:
        for customer_id in customers:
            result.setdefault(customer_id, [])
    return result


def flatten(by_customer: Mapping[str, list[Account]]) -> list[Account]:
    return [a for own in by_customer.values() for a in own]
