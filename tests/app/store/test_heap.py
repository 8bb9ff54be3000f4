"""SQLite's process-wide memory: the resting limit, raised while a bulk pass writes (``app.store.heap``)."""

from __future__ import annotations

import pytest

from app.demo.backend import DemoBackend
from app.store import heap
from app.sync import stripe_pull
from app.sync.engine import SyncEngine
from tests.app.sync.support import NOW, config_for


def _limit(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA soft_heap_limit").scalar_one()


def test_a_bulk_pass_raises_the_limit_for_its_duration_and_the_last_one_out_puts_it_back(cache) -> None:
    engine = cache.engine
    assert _limit(engine) == heap.RESTING
    with heap.bulk_writes(engine):
        assert _limit(engine) == heap.BULK
        with heap.bulk_writes(engine):  # another pass at once (another cache's sync)
            assert _limit(engine) == heap.BULK
        assert _limit(engine) == heap.BULK  # the first one still writes
        engine.dispose()  # a connection opened meanwhile takes the raised limit, and does not lower it
        assert _limit(engine) == heap.BULK
    assert _limit(engine) == heap.RESTING
    engine.dispose()
    assert _limit(engine) == heap.RESTING


def test_a_pass_that_fails_puts_the_resting_limit_back(cache) -> None:
    with pytest.raises(RuntimeError), heap.bulk_writes(cache.engine):
        raise RuntimeError("the network went away")
    assert _limit(cache.engine) == heap.RESTING


def test_the_sync_writes_its_full_passes_under_the_raised_limit(cache, monkeypatch) -> None:
    seen: dict[str, set[int]] = {}
    write = stripe_pull.write_objects

    def noting(conn, resource, *args, **kwargs):
        limit = conn.exec_driver_sql("PRAGMA soft_heap_limit").scalar_one()
        seen.setdefault(resource.name, set()).add(limit)
        return write(conn, resource, *args, **kwargs)

    monkeypatch.setattr(stripe_pull, "write_objects", noting)
    with DemoBackend(customers=30, tickets=10, now=NOW) as backend:
        assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
    assert {"customers", "subscriptions"} <= set(seen) and set().union(*seen.values()) == {heap.BULK}
    assert _limit(cache.engine) == heap.RESTING
