"""Sync from the demo backend: a first pass fills the cache, later passes follow changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.demo.backend import DemoBackend
from app.store.database import open_cache
from app.store.schema import AppState, Customer, Subscription, SyncState, Ticket
from app.sync.engine import SyncEngine
from app.tasks import Cancelled, CancelToken, Progress
from tests.app.sync.support import NOW, config_for, snapshot


@pytest.fixture
def backend():
    with DemoBackend(customers=200, tickets=600, now=NOW) as running:
        yield running


def _count(cache, model) -> int:
    with cache.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def test_first_pass_fills_every_table_and_remembers_the_role(cache, backend) -> None:
    seen: list[Progress] = []
    report = SyncEngine(cache.engine, config_for(backend)).run_once(seen.append)
    assert report.ok, report.errors
    assert report.role == "executive"
    tables = snapshot(cache.engine)
    assert all(tables[name] for name in tables), [name for name, rows in tables.items() if not rows]
    assert _count(cache, Customer) == 200
    with cache.engine.connect() as conn:
        me = conn.execute(select(AppState.value_json).where(AppState.key == "me")).scalar_one()
        states = conn.execute(select(SyncState.__table__)).all()
    assert me["role"] == "executive"
    assert all(s.last_success_at is not None and s.last_error is None for s in states if s.resource != "ops:me")
    assert {p.label for p in seen} >= {"customers", "subscriptions", "tickets", "health_checks"}


def test_later_passes_follow_changes_and_tombstones(cache, backend) -> None:
    engine = SyncEngine(cache.engine, config_for(backend))
    assert engine.run_once().ok
    with cache.engine.connect() as conn:
        ticket_id = conn.execute(select(Ticket.id).order_by(Ticket.id).limit(1)).scalar_one()
        sub_id = conn.execute(select(Subscription.id).where(Subscription.status == "active").limit(1)).scalar_one()
    backend.clock.advance(dt.timedelta(hours=2))
    backend.business.delete_ticket(ticket_id)
    new_customer = backend.business.create_customer("Grace Hopper", "grace@example.com")
    backend.business.cancel_subscription(sub_id)

    report = engine.run_once()
    assert report.ok, report.errors
    assert report.resources["stripe:events"].rows > 0
    with cache.engine.connect() as conn:
        assert conn.execute(select(Ticket).where(Ticket.id == ticket_id)).first() is None
        email = conn.execute(select(Customer.email).where(Customer.id == new_customer)).scalar_one()
        assert email == "grace@example.com"
        assert conn.execute(select(Subscription.status).where(Subscription.id == sub_id)).scalar_one() == "canceled"


def test_incremental_equals_a_fresh_full_sync(tmp_path, cache, backend) -> None:
    engine = SyncEngine(cache.engine, config_for(backend))
    assert engine.run_once().ok
    backend.clock.advance(dt.timedelta(hours=3))
    backend.business.touch_customers(5)
    backend.business.touch_tickets(5)
    backend.business.create_customer("Ada Lovelace", "ada@example.com")
    assert engine.run_once().ok

    other = open_cache(tmp_path / "fresh.sqlite3")
    try:
        assert SyncEngine(other.engine, config_for(backend)).run_once().ok
        assert snapshot(cache.engine) == snapshot(other.engine)
    finally:
        other.dispose()


def test_offline_is_reported_quickly(cache) -> None:
    with DemoBackend(customers=10, tickets=10, now=NOW) as gone:
        config = config_for(gone)
    started = dt.datetime.now()
    report = SyncEngine(cache.engine, config).run_once()
    assert report.offline and not report.ok
    assert (dt.datetime.now() - started).total_seconds() < 2
    assert "offline" in report.errors["ops:me"]


def test_wrong_token_is_unauthorized(cache, backend) -> None:
    config = config_for(backend, ops_api_token="wrong", stripe_api_key="sk_test_wrong")
    report = SyncEngine(cache.engine, config).run_once()
    assert not report.offline
    assert "401" in report.errors["ops:me"] and "Invalid API Key" in report.errors["stripe:events"]
    assert set(report.errors) == {"ops:me", "stripe:events"}  # nothing else is attempted after a 401


def test_cancel_stops_between_pages_and_the_next_pass_resumes(cache, backend) -> None:
    token = CancelToken()

    def cancel_midway(progress: Progress) -> None:
        if progress.label == "tickets" and progress.done > 0:
            token.cancel()

    engine = SyncEngine(cache.engine, config_for(backend, ops_page_size=200))
    with pytest.raises(Cancelled):
        engine.run_once(cancel_midway, token)
    with cache.engine.connect() as conn:
        cursor = conn.execute(select(SyncState.cursor).where(SyncState.resource == "ops:tickets")).scalar_one()
    assert cursor is not None  # a pass in progress, committed page by page
    assert engine.run_once().ok
    assert _count(cache, Ticket) == 600


def test_pages_committed_together_bring_along_the_customers_all_of_them_need(cache, backend) -> None:
    """A full pass commits many pages at once (``open_writes``); missing parents are fetched for every one."""
    done: list[int] = []

    def progress(report: Progress) -> None:
        if report.label == "subscriptions" and report.done:
            done.append(report.done)

    # No customers pass: every subscription's customer is missing when its page is written.
    config = config_for(backend, ops_api_token="", stripe_objects=("subscriptions",), stripe_page_size=10)
    assert SyncEngine(cache.engine, config).run_once(progress).ok
    subscriptions = len(backend.business.billing.subscriptions)
    pages = -(-subscriptions // 10)
    assert done[-1] == subscriptions and len(done) < pages // 2  # many pages a commit: batches redone in it
    assert _count(cache, Subscription) == subscriptions
    with cache.engine.connect() as conn:
        owners = conn.execute(select(func.count(func.distinct(Subscription.customer_id)))).scalar_one()
        cursor = conn.execute(select(SyncState.cursor, SyncState.rows_synced)
                              .where(SyncState.resource == "stripe:subscriptions")).one()
    assert _count(cache, Customer) == owners and tuple(cursor) == (None, subscriptions)


def test_the_cyclic_collector_waits_while_a_pass_runs_and_comes_back_after(cache, backend) -> None:
    import gc

    from app import collector

    paused: list[bool] = []
    report = SyncEngine(cache.engine, config_for(backend)).run_once(
        lambda _progress: paused.append(collector.is_paused() and not gc.isenabled()))
    assert report.ok, report.errors
    assert paused and all(paused)
    assert not collector.is_paused() and gc.isenabled()
