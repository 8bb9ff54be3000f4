"""Recording the subscription history while sync writes subscriptions (``subscription_changes``).

Every write of subscriptions goes through ``write_objects``, which reads the
cached states of the page before the write (``before``) and hands them to
``record`` with the states the rows it wrote say (``states_of``: nothing is
read back).  What is recorded depends on how the
state arrived:

* from a Stripe event: the change at the event's instant (``event``); an
  event older than the history already recorded for that subscription is a
  replay after a restart and records nothing (a later event brings the
  subscription forward), and an event is never recorded twice;
* from a list or a retrieve: the change at the record's own date for it
  (``ended_at``, ``canceled_at``, ``trial_end``), else at the time of the read
  (``snapshot``);
* a subscription seen for the first time: its past, rebuilt from its own
  dates (``app.domain.revenue.history.rebuild``).  Once the invoices pass
  has stored its invoices, ``refine`` rebuilds that past again with the plan
  and quantity each invoice billed, so upgrades and downgrades before the
  first sync keep their dates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, bindparam, delete, func, select

from app.domain.revenue import history
from app.domain.revenue.history import PriceInfo, Record, SubState
from app.store.schema import Invoice, Price, Subscription, SubscriptionChange, SubscriptionItem
from app.sync.writer import insert_rows

TABLE: Table = SubscriptionChange.__table__
_S, _I, _P, _INV = Subscription.__table__, SubscriptionItem.__table__, Price.__table__, Invoice.__table__
_REBUILT = (history.BACKFILL, history.INVOICE)
_IN_CHUNK = 500


@dataclass(frozen=True)
class Observation:
    """How a subscription's state reached sync: by an event (with its instant and id), or by a read."""

    source: str
    at: dt.datetime | None = None
    event_id: str | None = None


READ = Observation(history.SNAPSHOT)


def from_event(at: dt.datetime | None, event_id: str | None = None) -> Observation:
    """A state an event (or several in one second: ``event_id`` None) carried, as of its instant."""
    return Observation(history.EVENT, at, event_id)


# The statements of every subscription page, built once.  Ids travel as one JSON array (``json_each``):
# no chunking under SQLite's parameter limit, and no expanding IN re-rendered and bound id by id per call.
def _among(column: ColumnElement[str]) -> ColumnElement[bool]:
    ids = func.json_each(bindparam("ids")).table_valued("value")
    return column.in_(select(ids.c.value))


_catalog = select(_P.c.id, _P.c.unit_amount_cents, _P.c.currency, _P.c.interval, _P.c.interval_count)
_subs_among = select(_S).where(_among(_S.c.id))
# What a state needs of a subscription (``history.state_of``), and no more: the rows' other dates would each be
# read for nothing (the states of 2,000 subscriptions at 20,000 customers: 12 ms with every column, 7 ms).
_STATE_COLUMNS = ("id", "status", "coupon_id", "percent_off", "amount_off_cents", "cancel_at_period_end",
                  "current_period_end")
_state_rows_among = select(*(_S.c[name] for name in _STATE_COLUMNS)).where(_among(_S.c.id))
_items_among = select(_I.c.id, _I.c.subscription_id, _I.c.price_id, _I.c.quantity).where(
    _among(_I.c.subscription_id))
_last_among = select(TABLE.c.subscription_id, func.max(TABLE.c.at)).where(
    _among(TABLE.c.subscription_id)).group_by(TABLE.c.subscription_id)
_events_seen = select(TABLE.c.event_id).where(_among(TABLE.c.event_id))


def prices(conn: Connection) -> dict[str, PriceInfo]:
    """Every cached price (a catalog: a few dozen rows)."""
    rows = conn.execute(_catalog)
    return {r.id: PriceInfo(r.unit_amount_cents, r.currency or "usd", r.interval, r.interval_count or 1) for r in rows}


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def states_of(
    subs: Iterable[Record], items: Iterable[Record], catalog: Mapping[str, PriceInfo]
) -> dict[str, tuple[Record, SubState]]:
    """The row and state of each subscription in ``subs`` with its rows among ``items``.

    What the cache holds once those rows are written (the last row of an id
    wins, as the upsert's does), so sync takes the state after a write from
    the rows it wrote instead of reading them back.
    """
    held: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    for item in {item["id"]: item for item in items}.values():
        held[item["subscription_id"]].append((item["price_id"], item["quantity"]))
    rows = {row["id"]: row for row in subs}
    return {sid: (row, history.state_of(row, held[sid], catalog)) for sid, row in rows.items()}


def cached_states(
    conn: Connection, ids: Iterable[str], catalog: Mapping[str, PriceInfo]
) -> dict[str, tuple[Record, SubState]]:
    """The row and state the cache holds for each subscription in ``ids`` (absent ones are left out)."""
    return _cached(conn, _subs_among, ids, catalog)


def states_before(conn: Connection, ids: Iterable[str], catalog: Mapping[str, PriceInfo]) -> dict[str, SubState]:
    """The state the cache holds for each subscription in ``ids``, before a write (absent ones are left out)."""
    return {sid: state for sid, (_row, state) in _cached(conn, _state_rows_among, ids, catalog).items()}


def _cached(conn: Connection, statement: Select[Any], ids: Iterable[str], catalog: Mapping[str, PriceInfo]
            ) -> dict[str, tuple[Record, SubState]]:
    wanted = {"ids": json.dumps(list(dict.fromkeys(ids)))}
    subs = conn.execute(statement, wanted).mappings().all()
    if not subs:  # a first sync: none yet
        return {}
    return states_of(subs, conn.execute(_items_among, wanted).mappings(), catalog)


def _last_recorded(conn: Connection, ids: list[str]) -> dict[str, dt.datetime]:
    if not ids:
        return {}
    return dict(conn.execute(_last_among, {"ids": json.dumps(ids)}).tuples().all())


def _known_events(conn: Connection, event_ids: list[str]) -> set[str]:
    """Which of ``event_ids`` already recorded a change (no query for a page read from a list)."""
    if not event_ids:
        return set()
    return set(conn.execute(_events_seen, {"ids": json.dumps(event_ids)}).scalars())


def record(
    conn: Connection,
    before: Mapping[str, SubState],
    after: Mapping[str, tuple[Record, SubState]],
    observation: Observation | Mapping[str, Observation],
    now: dt.datetime,
) -> int:
    """Record what writing the subscriptions in ``after`` changed; returns how many changes.

    ``before``: their states as cached until the write (``states_before``); ``after``: as
    written (``states_of``), or as read back (``cached_states``).  They are
    taken in id order, so the order of a page does not decide the history's ids.
    ``observation``: how they arrived, one for all of them (a page) or one per
    subscription id (events replayed together, each about another subscription).
    A subscription whose event already recorded a change records nothing.
    """
    seen = dict.fromkeys(after, observation) if isinstance(observation, Observation) else observation
    known = _known_events(conn, sorted({o.event_id for o in seen.values() if o.event_id is not None}))
    written = sorted(sid for sid in after if seen[sid].event_id not in known)
    if not written:
        return 0
    # Only a subscription the cache held before the write can have a history: a foreign key (ON DELETE CASCADE)
    # ties every change to its subscription.  So a first sync reads nothing here, nor the index it would read.
    last = _last_recorded(conn, [sid for sid in written if sid in before])
    changes: list[history.Change] = []
    for sid in written:
        row, state = after[sid]
        if sid not in last:  # first sight: the past its record implies
            changes += history.rebuild(row, state, now)
            continue
        how = seen[sid]
        if how.at is not None and how.at < last[sid]:
            continue  # an event replayed behind what is recorded: later events bring it forward
        if sid not in before:
            continue
        prior = before[sid]
        at = how.at or history.snapshot_time(prior, state, row, now)
        change = history.observed(sid, row["customer_id"], prior, state, max(at, last[sid]), how.source, how.event_id)
        if change is not None:
            changes.append(change)
    _insert(conn, changes, now)
    return len(changes)


def _insert(conn: Connection, changes: list[history.Change], recorded_at: dt.datetime) -> None:
    insert_rows(conn, TABLE, [c.row(recorded_at) for c in changes])


# --------------------------------------------------------------------------- refining the rebuilt past


def _state(row: Record) -> SubState:
    return SubState(row["status_after"], row["plan_after"], row["quantity_after"], row["coupon_after"],
                    row["currency"], row["plan_mrr_cents"], bool(row["cancel_at_period_end"]), row["period_end"])


_rebuilt_rows = select(TABLE).where(TABLE.c.source.in_(_REBUILT)).order_by(
    TABLE.c.subscription_id, TABLE.c.at, TABLE.c.id)
_periods = select(
    _INV.c.subscription_id, _INV.c.period_start, _INV.c.period_end, _INV.c.plan, _INV.c.quantity,
    _INV.c.total_cents, _INV.c.billing_reason, _INV.c.status, _INV.c.created,
).where(_INV.c.subscription_id.in_(bindparam("ids", expanding=True)))


def refine(conn: Connection) -> int:
    """Rebuild every subscription's pre-sync past with its invoices (after an invoices pass); returns changes.

    The rebuilt rows of a subscription (``backfill``/``invoice``) end in its
    state as first seen, recorded at that moment; they are replaced by a
    rebuild up to the same moment, now dated by the plan each invoice billed.
    Changes recorded from events and reads since are left as they are.
    """
    catalog = prices(conn)
    rebuilt: dict[str, list[Record]] = defaultdict(list)
    for row in conn.execute(_rebuilt_rows).mappings():
        rebuilt[row["subscription_id"]].append(row)
    written = 0
    ids = list(rebuilt)
    for chunk in _chunks(ids):
        subs = {r["id"]: r for r in conn.execute(select(_S).where(_S.c.id.in_(chunk))).mappings()}
        invoices: dict[str, list[Record]] = defaultdict(list)
        for inv in conn.execute(_periods, {"ids": chunk}).mappings():
            invoices[inv["subscription_id"]].append(inv)
        changes: list[history.Change] = []
        stamps: dict[str, dt.datetime] = {}
        for sid in chunk:
            sub, rows = subs.get(sid), rebuilt[sid]
            if sub is None or not invoices[sid]:
                continue
            first_seen = rows[-1]["recorded_at"]
            stamps[sid] = first_seen
            final = _state(rows[-1])
            changes += history.rebuild(sub, final, first_seen, history.billed_periods(invoices[sid]), catalog)
        if not stamps:
            continue
        conn.execute(delete(TABLE).where(TABLE.c.subscription_id.in_(list(stamps)), TABLE.c.source.in_(_REBUILT)))
        if changes:
            insert_rows(conn, TABLE, [c.row(stamps[c.subscription_id]) for c in changes])
        written += len(changes)
    return written
