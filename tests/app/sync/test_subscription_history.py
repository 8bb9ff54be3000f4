"""Sync records the subscription history: pasts rebuilt at first sight and dated by invoices, changes by events."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite

from app.demo import stripe_objects
from app.demo.backend import DemoBackend
from app.demo.catalog import ladder
from app.store.schema import SubscriptionChange
from app.sync import subscription_history
from app.sync.engine import SyncEngine
from app.sync.stripe_resources import BY_OBJECT, write_objects
from app.sync.subscription_history import READ, cached_states, prices
from tests.app.sync.support import NOW, config_for

H = SubscriptionChange.__table__


@pytest.fixture
def backend():
    with DemoBackend(customers=150, tickets=0, now=NOW) as running:
        yield running


def _history(cache, sub_id):
    with cache.engine.connect() as conn:
        return conn.execute(select(H).where(H.c.subscription_id == sub_id).order_by(H.c.at, H.c.id)).mappings().all()


def test_first_sync_rebuilds_every_past_and_dates_plan_changes_by_invoices(cache, backend):
    assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
    billing = backend.business.billing
    with cache.engine.connect() as conn:
        kinds = dict(conn.execute(select(H.c.kind, func.count()).group_by(H.c.kind)).tuples().all())
        subs = conn.execute(select(func.count(func.distinct(H.c.subscription_id)))).scalar_one()
    assert subs == len(billing.subscriptions)  # every subscription has a history
    assert {"started", "trial_started", "converted", "ended", "plan"} <= set(kinds)
    # A plan change at a renewal more than 30 days ago (no event left): dated by the invoice that billed it.
    by_sub = defaultdict(list)
    for invoice in billing.invoices:
        by_sub[invoice.subscription].append(invoice)
    changed = next(billing.by_id[sid] for sid, invoices in by_sub.items()
                   for i0, i1 in itertools.pairwise(invoices)
                   if i0.price_id != i1.price_id and i1.billing_reason == "subscription_cycle"
                   and i1.created < NOW.timestamp() - 40 * 86_400)
    rows = [r for r in _history(cache, changed.id) if r["kind"] == "plan"]
    assert rows and rows[0]["source"] == "invoice"
    assert rows[0]["at"] in {dt.datetime.fromtimestamp(i.period_start, dt.UTC).replace(tzinfo=None)
                             for i in billing.invoices if i.subscription == changed.id}


def test_later_syncs_record_changes_at_the_event_instant(cache, backend):
    engine = SyncEngine(cache.engine, config_for(backend))
    assert engine.run_once().ok
    sub = next(s for s in backend.business.billing.subscriptions
               if s.status == "active" and s.price_id == ladder("month", "usd")[0] and s.quantity == 1
               and not s.coupon_id)
    backend.clock.advance(dt.timedelta(hours=3))
    when = backend.clock.now().replace(microsecond=0)
    backend.business.change_subscription(sub.id, price_id=ladder("month", "usd")[1])
    backend.clock.advance(dt.timedelta(minutes=5))
    backend.business.cancel_subscription(sub.id)
    assert engine.run_once().ok
    recorded = _history(cache, sub.id)
    plan, ended = recorded[-2], recorded[-1]
    assert (plan["kind"], plan["source"], plan["at"]) == ("plan", "event", when)
    assert (plan["plan_before"], plan["plan_after"]) == ("price_starter_monthly", "price_professional_monthly")
    assert (plan["mrr_before_cents"], plan["mrr_after_cents"]) == (9_900, 29_900)
    assert plan["event_id"] and ended["kind"] == "ended" and ended["mrr_after_cents"] == 0
    assert engine.run_once().ok and len(_history(cache, sub.id)) == len(recorded)  # nothing recorded twice


def test_events_about_several_subscriptions_written_together_keep_each_its_instant_and_id(cache, backend):
    """A replay writes consecutive events about distinct subscriptions as one page; each change keeps its own event."""
    engine = SyncEngine(cache.engine, config_for(backend))
    assert engine.run_once().ok
    subs = [s for s in backend.business.billing.subscriptions if s.status == "active"][:3]
    instants = []
    for minutes, sub in zip((10, 7, 4), subs, strict=True):
        backend.clock.advance(dt.timedelta(minutes=minutes))
        instants.append(backend.clock.now().replace(microsecond=0))
        backend.business.change_subscription(sub.id, quantity=(sub.quantity or 1) + 1)
    assert engine.run_once().ok
    latest = [_history(cache, sub.id)[-1] for sub in subs]
    assert [(row["kind"], row["source"], row["at"]) for row in latest] == [("quantity", "event", at) for at in instants]
    assert len({row["event_id"] for row in latest}) == 3 and all(row["event_id"] for row in latest)
    assert engine.run_once().ok and [_history(cache, sub.id)[-1]["id"] for sub in subs] == [r["id"] for r in latest]


def test_whether_an_event_recorded_a_change_is_answered_from_an_index(cache):
    """Replaying events asks it for every run of subscription events: read by scanning, it grew with the whole
    history."""
    sql = str(subscription_history._events_seen.compile(dialect=sqlite.dialect()))
    with cache.engine.connect() as conn:
        plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, ('["evt_1", "evt_2"]',))]
    assert any("ix_subscription_changes_event_id" in step for step in plan), plan
    assert not any(step.startswith("SCAN subscription_changes") for step in plan), plan  # the id list is scanned


def test_a_read_that_differs_is_recorded_at_the_records_own_date(cache, backend):
    assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
    sub = next(s for s in backend.business.billing.subscriptions if s.status == "active")
    obj = backend.business.billing.by_id[sub.id]
    rendered = stripe_objects.subscription(obj)
    ended_at = int(NOW.timestamp()) - 3_600
    rendered.update(status="canceled", ended_at=ended_at, canceled_at=ended_at)
    with cache.engine.begin() as conn:
        write_objects(conn, BY_OBJECT["subscription"], [rendered], NOW, items={sub.id: rendered["items"]["data"]},
                      observation=READ)
    last = _history(cache, sub.id)[-1]
    assert (last["kind"], last["source"]) == ("ended", "snapshot")
    assert last["at"] == dt.datetime.fromtimestamp(ended_at, dt.UTC).replace(tzinfo=None)


def test_the_state_recorded_after_a_write_is_the_one_the_cache_holds(cache, backend):
    """The state after a write comes from the rows written, not read back: refused items and repeats do not count."""
    assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
    sub = next(s for s in backend.business.billing.subscriptions if s.status == "active" and s.quantity == 1)
    rendered = stripe_objects.subscription(backend.business.billing.by_id[sub.id])
    (item,) = rendered["items"]["data"]
    more = {**item, "id": "si_more", "quantity": 2}
    unstorable = {**item, "id": "si_unstorable", "quantity": 2**70}  # quarantined, never stored
    with cache.engine.begin() as conn:
        write_objects(conn, BY_OBJECT["subscription"], [rendered], NOW,
                      items={sub.id: [item, more, unstorable, more]}, observation=READ)
        held = cached_states(conn, [sub.id], prices(conn))[sub.id][1]
    last = _history(cache, sub.id)[-1]
    assert held.quantity == 3
    assert (last["plan_after"], last["quantity_after"], last["plan_mrr_cents"]) == (
        held.plan, held.quantity, held.plan_mrr)


def test_an_event_that_recorded_a_change_records_nothing_when_it_comes_again(cache, backend):
    assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
    first, second = [s for s in backend.business.billing.subscriptions if s.status == "active"][:2]
    at = NOW - dt.timedelta(minutes=5)

    def write(subs, quantity, events):
        rendered = [stripe_objects.subscription(backend.business.billing.by_id[s.id]) for s in subs]
        items = {r["id"]: [{**r["items"]["data"][0], "quantity": quantity}] for r in rendered}
        seen = {r["id"]: subscription_history.from_event(at, event) for r, event in zip(rendered, events, strict=True)}
        with cache.engine.begin() as conn:
            write_objects(conn, BY_OBJECT["subscription"], rendered, NOW, items=items, observation=seen)

    write([first], 7, ["evt_first"])
    recorded = _history(cache, first.id)
    assert (recorded[-1]["event_id"], recorded[-1]["quantity_after"]) == ("evt_first", 7)
    write([first, second], 9, ["evt_first", "evt_second"])  # the first event again, with another state
    assert _history(cache, first.id) == recorded
    assert (_history(cache, second.id)[-1]["event_id"], _history(cache, second.id)[-1]["quantity_after"]) == (
        "evt_second", 9)
