"""Every desk action issued offline reaches Stripe (or the Ops API) exactly once when sync gets through.

The demo backend is the reference: a first sync fills the cache, each action
is queued through the desk's core as the window does it, a sync against a
backend that is down leaves them waiting, and a sync that gets through
applies each one once — also when a fifth of the requests meet injected
faults, half of them after the server applied the write (the answer lost on
the way back, the case idempotency keys exist for).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from app.config.settings import Settings
from app.demo.backend import DemoBackend
from app.demo.options import FaultOptions
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.diagnosis import diagnose
from app.domain.customer_desk.queue import retry_action, submit
from app.store import outbox
from app.store.schema import AccessGrant, Charge, Coupon, Invoice, OutboxEntry, Subscription
from app.sync.engine import SyncEngine
from tests.app.sync.support import NOW, config_for
from tests.support.network import free_port

SIZE = {"customers": 800, "tickets": 0, "now": NOW, "role": "support"}
_S, _I, _C = Subscription.__table__, Invoice.__table__, Charge.__table__
REASON = "Asked for on the customer's ticket"


def _first(conn, query) -> dict:
    row = conn.execute(query.limit(1)).mappings().first()
    assert row is not None, query
    return dict(row)


def _requests(engine, billing) -> dict[str, a.DeskRequest]:
    """One request of every kind, on customers of the synced demo business that can take it."""
    with engine.connect() as conn:
        paid = _first(conn, select(_I).join(_C, _C.c.invoice_id == _I.c.id).where(
            _I.c.status == "paid", _C.c.status == "succeeded", _C.c.amount_refunded_cents == 0))
        unpaid = [dict(r) for r in conn.execute(select(_I).where(_I.c.status == "open")).mappings()]
        trial = _first(conn, select(_S).where(_S.c.status == "trialing"))
        active = [dict(r) for r in conn.execute(
            select(_S).where(_S.c.status == "active", _S.c.coupon_id.is_(None), _S.c.cancel_at_period_end.is_(False))
            .order_by(_S.c.id).limit(5)).mappings()]
        discounted = _first(conn, select(_S).where(_S.c.status == "active", _S.c.coupon_id.is_not(None)))
        coupon = conn.execute(select(Coupon.id).order_by(Coupon.id)).scalars().first()
    now = billing.clock.now()
    good = next(i for i in unpaid if not billing.payments.card(i["customer_id"]).expired_at(int(now.timestamp())))
    return {
        a.REFUND: a.DeskRequest(a.REFUND, paid["customer_id"], paid["id"], REASON, amount_cents=1_000),
        a.RETRY_PAYMENT: a.DeskRequest(a.RETRY_PAYMENT, good["customer_id"], good["id"], REASON),
        a.EXTEND_TRIAL: a.DeskRequest(a.EXTEND_TRIAL, trial["customer_id"], trial["id"], REASON,
                                      until=trial["trial_end"] + dt.timedelta(days=7)),
        a.APPLY_COUPON: a.DeskRequest(a.APPLY_COUPON, active[0]["customer_id"], active[0]["id"], REASON,
                                      coupon_id=coupon),
        a.REMOVE_COUPON: a.DeskRequest(a.REMOVE_COUPON, discounted["customer_id"], discounted["id"], REASON),
        a.CHANGE_PLAN: a.DeskRequest(a.CHANGE_PLAN, active[1]["customer_id"], active[1]["id"], REASON,
                                     price_id="price_enterprise_monthly", quantity=2),
        a.CANCEL_NOW: a.DeskRequest(a.CANCEL_NOW, active[2]["customer_id"], active[2]["id"], REASON),
        a.CANCEL_AT_PERIOD_END: a.DeskRequest(a.CANCEL_AT_PERIOD_END, active[3]["customer_id"], active[3]["id"],
                                              REASON),
        a.PAUSE_COLLECTION: a.DeskRequest(a.PAUSE_COLLECTION, active[4]["customer_id"], active[4]["id"], REASON),
        a.GRANT_ACCESS: a.DeskRequest(a.GRANT_ACCESS, active[0]["customer_id"], None, REASON, feature="audit_log",
                                      until=NOW + dt.timedelta(days=14)),
    }


def _queue_offline_then_sync(cache, backend: DemoBackend) -> dict[str, str]:
    config = config_for(backend)
    assert SyncEngine(cache.engine, config).run_once().ok
    requests = _requests(cache.engine, backend.business)
    queued = {kind: submit(cache.engine, request, Settings(), NOW).action_id for kind, request in requests.items()}
    down = dataclasses.replace(config, ops_api_url=f"http://127.0.0.1:{free_port()}/api",
                               stripe_api_base=f"http://127.0.0.1:{free_port()}")
    report = SyncEngine(cache.engine, down).run_once()
    assert report.offline and report.pushed == 0
    with cache.engine.connect() as conn:
        states = set(conn.execute(select(OutboxEntry.state)).scalars())
    assert states == {outbox.PENDING}  # offline: every action waits
    report = SyncEngine(cache.engine, config).run_once()
    assert report.ok and report.pushed == len(queued), report
    return queued


def _applied_everywhere(cache, backend: DemoBackend, queued: dict[str, str]) -> None:
    """Each action applied once by its backend, sent in the outbox, and the cache agreeing with Stripe."""
    assert {kind: backend.applied_count(key) for kind, key in queued.items()} == dict.fromkeys(queued, 1)
    with cache.engine.connect() as conn:
        sent = set(conn.execute(select(OutboxEntry.idempotency_key).where(OutboxEntry.state == outbox.SENT))
                   .scalars())
        subs = {r.id: r for r in conn.execute(select(_S))}
        grant = conn.execute(select(AccessGrant.__table__).where(AccessGrant.id == queued[a.GRANT_ACCESS])).one()
    assert sent == set(queued.values())
    assert grant.pending is False and grant.synced_at is not None  # the Ops API's own row
    for sub in backend.business.billing.subscriptions:
        cached = subs[sub.id]
        assert (cached.status, cached.coupon_id, cached.cancel_at_period_end, cached.pause_collection) == (
            sub.status, sub.coupon_id, sub.cancel_at_period_end, sub.pause_behavior), sub.id


def test_each_action_issued_offline_is_applied_in_stripe_exactly_once(cache):
    with DemoBackend(**SIZE) as backend:
        queued = _queue_offline_then_sync(cache, backend)
        _applied_everywhere(cache, backend, queued)
        billing, payments = backend.business.billing, backend.business.payments
        with cache.engine.connect() as conn:
            payloads = {k: conn.execute(select(OutboxEntry.payload_json, OutboxEntry.path)
                                        .where(OutboxEntry.idempotency_key == v)).one() for k, v in queued.items()}
        refund = payments.by_id[payloads[a.REFUND].payload_json["charge"]]
        assert refund.amount_refunded == 1_000
        changed = billing.by_id[payloads[a.CHANGE_PLAN].path.rsplit("/", 1)[1]]
        assert (changed.price_id, changed.quantity) == ("price_enterprise_monthly", 2)
        paid = billing.by_id[payloads[a.RETRY_PAYMENT].path.split("/")[3]]
        assert paid.status == "paid"
        assert billing.by_id[payloads[a.CANCEL_NOW].path.rsplit("/", 1)[1]].status == "canceled"
        assert SyncEngine(cache.engine, config_for(backend)).run_once().ok  # nothing is sent twice
        assert {backend.applied_count(key) for key in queued.values()} == {1}
        with cache.engine.connect() as conn:
            shown = diagnose(conn, paid.customer, NOW, Settings())
        assert shown is not None and shown.actions[0].state == outbox.SENT
        assert shown.invoice(paid.id).invoice["status"] == "paid"
        assert "past_due" not in {s["status"] for s in shown.subscriptions}


def test_stripe_refusals_are_kept_in_words_and_can_be_retried(cache):
    with DemoBackend(**SIZE) as backend:
        assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
        billing = backend.business.billing
        invoice = next(i for i in billing.invoices if i.status == "open")
        backend.business.expire_card(invoice.customer)
        queued = submit(cache.engine, a.DeskRequest(a.RETRY_PAYMENT, invoice.customer, invoice.id, REASON),
                        Settings(), NOW)
        report = SyncEngine(cache.engine, config_for(backend)).run_once()
        assert report.refused == 1
        with cache.engine.connect() as conn:
            entry = diagnose(conn, invoice.customer, NOW, Settings()).actions[0]
            charges = conn.execute(select(Charge.status, Charge.failure_code).where(
                Charge.invoice_id == invoice.id).order_by(Charge.created)).all()
        assert entry.words == "refused: Your card has expired." and entry.open
        assert charges[-1] == ("failed", "expired_card")  # the declined attempt, from the next events
        assert backend.applied_count(queued.action_id) == 1
        backend.business.expire_card(invoice.customer, expired=False)  # the customer put in a new card
        retry_action(cache.engine, queued.action_id)
        report = SyncEngine(cache.engine, config_for(backend)).run_once()
        assert report.pushed == 1 and report.refused == 0
        with cache.engine.connect() as conn:
            shown = diagnose(conn, invoice.customer, NOW, Settings())
            key = conn.execute(select(OutboxEntry.idempotency_key)).scalar_one()
        assert shown.actions[0].state == outbox.SENT and shown.invoice(invoice.id).invoice["status"] == "paid"
        assert key != queued.action_id and backend.applied_count(key) == 1  # a new attempt, under a new key


@pytest.mark.slow
def test_exactly_once_under_injected_faults(cache):
    faults = FaultOptions(rate=0.2, seed=11, slow_seconds=0.05, retry_after_s=1)
    with DemoBackend(**SIZE, faults=faults) as backend:
        queued = _queue_offline_then_sync(cache, backend)
        injected = dict(backend.faults.injected)
        _applied_everywhere(cache, backend, queued)
    assert injected.get("cut_body", 0) + injected.get("bad_json", 0) > 0, injected  # answers were lost
