"""Replaying events pages forward from the last one applied, writing each batch as it arrives."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from app.connectors.errors import Refused, Unavailable
from app.connectors.stripe_api import StripeSource
from app.demo.backend import DemoBackend
from app.store.schema import SubscriptionChange, SubscriptionItem
from app.sync import state
from app.sync.engine import SyncEngine
from app.sync.prefetch import LEAD
from app.sync.stripe_pull import EVENTS_KEY, EventCursor, StripePuller
from tests.app.sync.support import NOW, config_for

H = SubscriptionChange.__table__
CHANGED = 7  # subscriptions given a seat, a few minutes apart: with pages of 3, events span several pages


@pytest.fixture
def backend():
    with DemoBackend(customers=150, tickets=0, now=NOW) as running:
        yield running


class EventRequests(list):
    """The params of every ``/v1/events`` list request, in order; ``failures`` makes forward ones raise."""

    def __init__(self) -> None:
        super().__init__()
        self.failures: dict[int, Exception] = {}  # forward request number (from 1) → what it raises, once
        self.slow = 0.0  # seconds each forward request after the first waits: the first page is a batch alone


@pytest.fixture
def event_requests(monkeypatch):
    sent = EventRequests()
    failures = sent.failures
    real = StripeSource.list_page

    def list_page(self, path, params, starting_after):
        if path == "/v1/events":
            sent.append(dict(params))
            forward = sum("ending_before" in p for p in sent)
            if "ending_before" in params and forward in failures:
                raise failures.pop(forward)
            if "ending_before" in params and forward > 1:
                time.sleep(sent.slow)
        return real(self, path, params, starting_after)

    monkeypatch.setattr(StripeSource, "list_page", list_page)
    return sent


def _synced(cache, backend, page_size: int) -> SyncEngine:
    """An engine reading pages of ``page_size``, its first sync done: where every replay here starts."""
    engine = SyncEngine(cache.engine, config_for(backend, stripe_page_size=page_size))
    assert engine.run_once().ok
    return engine


def _active(backend, count: int) -> list:
    return [s for s in backend.business.billing.subscriptions if s.status == "active"][:count]


def _add_seats(backend, subs, apart: dt.timedelta) -> list[tuple[str, dt.datetime]]:
    """One more seat for each of ``subs`` in turn, the clock moved on by ``apart`` before each: (id, instant)."""
    changed = []
    for sub in subs:
        backend.clock.advance(apart)
        changed.append((sub.id, backend.clock.now().replace(microsecond=0)))
        backend.business.change_subscription(sub.id, quantity=(sub.quantity or 1) + 1)
    return changed


def _change_seats(backend) -> list[tuple[str, dt.datetime]]:
    """Give CHANGED active subscriptions one more seat, three minutes apart: (id, instant) in order."""
    return _add_seats(backend, _active(backend, CHANGED), dt.timedelta(minutes=3))


def _anchor(cache) -> str:
    """The event the next replay pages forward from: the last one applied."""
    with cache.engine.connect() as conn:
        return EventCursor.parse(state.load(conn, EVENTS_KEY).watermark).ids[-1]


def _changed_at(cache) -> list[tuple[str, dt.datetime]]:
    """(subscription, instant) of every change recorded from an event, oldest first."""
    return [(sub_id, at) for sub_id, at, _ in _event_changes(cache)]


def _event_changes(cache) -> list[tuple[str, dt.datetime, str]]:
    """(subscription, instant, event id) of every change recorded from an event, oldest first."""
    with cache.engine.connect() as conn:
        rows = conn.execute(select(H.c.subscription_id, H.c.at, H.c.event_id)
                            .where(H.c.source == "event").order_by(H.c.at, H.c.id)).all()
    return [tuple(row) for row in rows]


def _quantities(cache, ids) -> dict[str, int]:
    """Seats of each subscription as the cache holds them: the quantities of its items."""
    items = SubscriptionItem.__table__
    with cache.engine.connect() as conn:
        return dict(conn.execute(select(items.c.subscription_id, func.sum(items.c.quantity))
                                 .where(items.c.subscription_id.in_(ids)).group_by(items.c.subscription_id)).all())


def _backend_quantities(backend, ids) -> dict[str, int]:
    return {s.id: s.quantity for s in backend.business.billing.subscriptions if s.id in ids}


def test_events_are_paged_forward_from_the_last_applied_one(cache, backend, event_requests):
    engine = _synced(cache, backend, 3)
    anchor = _anchor(cache)
    changed = _change_seats(backend)
    event_requests.clear()
    assert engine.run_once().ok
    assert event_requests[0] == {"ending_before": anchor}
    assert len(event_requests) >= 3 and all(set(p) == {"ending_before"} for p in event_requests)
    assert len({p["ending_before"] for p in event_requests}) == len(event_requests)  # each page starts further on
    recorded = _event_changes(cache)
    assert [(sub_id, at) for sub_id, at, _ in recorded] == changed  # oldest first, each at its own instant
    assert len({event_id for *_, event_id in recorded}) == CHANGED
    ids = [sub_id for sub_id, _ in changed]
    assert _quantities(cache, ids) == _backend_quantities(backend, ids)
    event_requests.clear()
    assert engine.run_once().ok and _event_changes(cache) == recorded  # nothing replayed twice
    assert len(event_requests) == 1  # one empty page after the newest event


def test_a_server_that_will_not_page_forward_has_its_events_listed(cache, backend, event_requests):
    engine = _synced(cache, backend, 3)
    changed = _change_seats(backend)
    event_requests.clear()
    event_requests.failures[1] = Refused(400, "Received unknown parameter: ending_before")
    assert engine.run_once().ok
    assert "ending_before" in event_requests[0] and all("created" in p for p in event_requests[1:])
    assert _changed_at(cache) == changed


def test_a_page_that_fails_midway_keeps_the_batches_before_it(cache, backend, event_requests):
    """The batches already written stay, the cursor after them; the next sync goes on from there."""
    engine = _synced(cache, backend, 3)
    start = _anchor(cache)
    changed = _change_seats(backend)
    event_requests.clear()
    event_requests.failures[3] = Unavailable("connection reset while reading the third page")
    report = engine.run_once()
    assert not report.ok and EVENTS_KEY in report.errors
    kept = _changed_at(cache)
    assert kept and kept == changed[: len(kept)]
    assert len(kept) < CHANGED
    resume = _anchor(cache)
    assert resume != start
    event_requests.clear()
    assert engine.run_once().ok
    assert event_requests[0] == {"ending_before": resume}  # on from the last event written, not from the start
    assert _changed_at(cache) == changed
    ids = [sub_id for sub_id, _ in changed]
    assert _quantities(cache, ids) == _backend_quantities(backend, ids)


def test_a_tie_whose_events_arrive_in_two_batches_is_settled(cache, backend, event_requests, monkeypatch):
    """Two events about one object in one second: the object is fetched as it is now, even across batches."""
    engine = _synced(cache, backend, 2)
    batches: list[list[str]] = []
    settled: list[str] = []
    settle = StripePuller._settle_ties

    def recording(self, events, earlier):
        batches.append([event["data"]["object"]["id"] for event in events])
        found = settle(self, events, earlier)
        settled.extend(obj_id for _, obj_id, *_rest in found)
        return found

    monkeypatch.setattr(StripePuller, "_settle_ties", recording)
    subs = _active(backend, 5)
    backend.clock.advance(dt.timedelta(minutes=3))
    _add_seats(backend, [*subs, subs[0]], dt.timedelta(0))  # six events in one second, two about the first
    event_requests.slow = 0.2  # the first page (two events) is a batch alone
    assert engine.run_once().ok
    holding = [i for i, batch in enumerate(batches) for obj_id in batch if obj_id == subs[0].id]
    assert len(holding) == 2 and holding[0] != holding[1], batches  # the tie did arrive in two batches
    assert subs[0].id in settled
    ids = [sub.id for sub in subs]
    assert _quantities(cache, ids) == _backend_quantities(backend, ids)


def test_a_batch_is_written_before_the_later_pages_are_asked_for(cache, backend, event_requests, monkeypatch):
    """A long backlog is never held whole: at most ``prefetch.LEAD`` pages wait while a batch is written."""
    engine = _synced(cache, backend, 1)
    asked_at_first_write: list[int] = []
    prepare = StripePuller._prepare

    def noting(self, events):
        if not asked_at_first_write:
            asked_at_first_write.append(len(event_requests))
        return prepare(self, events)

    monkeypatch.setattr(StripePuller, "_prepare", noting)
    subs = _active(backend, LEAD * 2)
    _add_seats(backend, subs, dt.timedelta(seconds=30))
    event_requests.clear()
    assert engine.run_once().ok
    assert len(event_requests) >= len(subs)  # a page of one event each
    assert asked_at_first_write[0] <= LEAD + 2, asked_at_first_write
    ids = [sub.id for sub in subs]
    assert _quantities(cache, ids) == _backend_quantities(backend, ids)
