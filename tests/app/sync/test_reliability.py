"""Reliability: faults, kills and retries must never change what ends up in the cache or on the server.

* A sync meeting 20 % injected faults (429/5xx, slow answers, dropped
  connections, truncated and garbled bodies) ends with the same cache, row for
  row, as a sync that met none.
* A ``sync`` process killed (SIGKILL) at random moments and restarted ends with
  the same cache too.
* Every outbox entry is applied by the server exactly once, even when the
  connection drops *after* the server applied it.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.demo.backend import DemoBackend
from app.demo.options import FaultOptions
from app.store import outbox
from app.store.database import open_cache
from app.store.schema import IncidentUpdate, License, OutboxEntry, Ticket, TicketEvent
from app.sync.engine import SyncEngine
from app.sync.outbox_push import entries
from tests.app.sync import support
from tests.app.sync.support import NOW, config_for, snapshot

SIZE = {"customers": 250, "tickets": 800, "now": NOW}


@pytest.fixture(scope="module")
def reference_snapshot(tmp_path_factory) -> dict:
    """The cache a fault-free sync of the test business produces."""
    return support.reference_snapshot(tmp_path_factory.mktemp("reference") / "cache.sqlite3", **SIZE)


@pytest.mark.slow
def test_twenty_percent_faults_leave_the_same_cache(cache, reference_snapshot) -> None:
    faults = FaultOptions(rate=0.2, seed=7, slow_seconds=0.05, retry_after_s=1)
    with DemoBackend(**SIZE, faults=faults) as backend:
        report = SyncEngine(cache.engine, config_for(backend)).run_once()
        injected = dict(backend.faults.injected)
    assert report.ok, report.errors
    assert sum(injected.values()) > 10 and len(injected) >= 5, injected  # the faults really happened
    assert snapshot(cache.engine) == reference_snapshot


# The sync command alone, so the test does not depend on other commands' modules.
_SYNC = "from app.cli import main; raise SystemExit(main(['sync'], command_modules=['app.sync_command']))"


def _sync_process(backend: DemoBackend, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OPSCONSOLE_DATA_DIR": str(data_dir),
        "OPSCONSOLE_API_URL": backend.ops_api_url,
        "OPSCONSOLE_API_TOKEN": backend.ops_api_token,
        "OPSCONSOLE_STRIPE_API_BASE": backend.stripe_api_base,
        "STRIPE_API_KEY": backend.stripe_api_key,
    }
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-c", _SYNC], env=env, stdout=subprocess.DEVNULL, stderr=sink)


def _rows_written(path: Path) -> int:
    """Rows the (running) sync has committed so far, read without disturbing it."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return sum(conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in _COUNTED)  # noqa: S608 - fixed names
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


_COUNTED = ("customers", "subscriptions", "invoices", "tickets", "ticket_events")


@pytest.mark.slow
def test_killed_syncs_resume_to_the_same_cache(tmp_path, reference_snapshot) -> None:
    data_dir = tmp_path / "killed"
    log = tmp_path / "sync.log"
    # The cache is created up front: a kill during the very first migration is
    # the store's concern (see app.store.migrations), not the sync's.
    open_cache(data_dir / "cache.sqlite3").dispose()
    rng = random.Random(3)
    total = sum(len(reference_snapshot[name]) for name in _COUNTED)
    kills = 0
    with DemoBackend(**SIZE) as backend:
        # Kill at random points of progress (not of time: a fast machine finishes
        # before any fixed delay), each further into the sync than the last.
        for share in sorted(rng.uniform(0.05, 0.9) for _ in range(4)):
            process = _sync_process(backend, data_dir, log)
            target = int(total * share)
            while process.poll() is None and _rows_written(data_dir / "cache.sqlite3") < target:
                time.sleep(0.005)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(timeout=30)
        final = _sync_process(backend, data_dir, log)
        assert final.wait(timeout=120) == 0, log.read_text()
    assert kills >= 2  # the test would prove nothing if every run finished before the kill
    cache = open_cache(data_dir / "cache.sqlite3")
    try:
        assert snapshot(cache.engine) == reference_snapshot
    finally:
        cache.dispose()


def _queue_local_changes(cache) -> list[str]:
    """Local writes as the UI makes them: the pending row and its outbox entry in one transaction."""
    now = NOW.replace(microsecond=0)
    with cache.engine.begin() as conn:
        tickets = conn.execute(select(Ticket.id).order_by(Ticket.id).limit(3)).scalars().all()
        incident = conn.execute(select(IncidentUpdate.incident_id).limit(1)).scalar_one()
        keys = []
        for n, ticket_id in enumerate(tickets):
            event_id = str(uuid.uuid4())
            conn.execute(insert(TicketEvent).values(
                id=event_id, ticket_id=ticket_id, kind="reply", author="me", body=f"reply {n}",
                created_at=now, pending=True,
            ))
            payload = {"id": event_id, "kind": "reply", "author": "me", "body": f"reply {n}",
                       "created_at": now.isoformat() + "Z"}
            key = str(uuid.uuid4())
            outbox.enqueue(conn, "ticket_event", f"/v1/tickets/{ticket_id}/events", payload, idempotency_key=key)
            keys.append(key)
        update_id = str(uuid.uuid4())
        conn.execute(insert(IncidentUpdate).values(
            id=update_id, incident_id=incident, status="monitoring", body="fix deployed", author="me",
            created_at=now, pending=True,
        ))
        key = str(uuid.uuid4())
        outbox.enqueue(conn, "incident_update", f"/v1/incidents/{incident}/updates",
                       {"id": update_id, "status": "monitoring", "body": "fix deployed", "author": "me",
                        "created_at": now.isoformat() + "Z"}, idempotency_key=key)
        keys.append(key)
        license_id = str(uuid.uuid4())
        conn.execute(insert(License).values(
            id=license_id, key_id="k1", product="desktop", plan="pro", seats=5, issued_at=now,
            not_before=now, expires_at=now + dt.timedelta(days=365), pending=True,
        ))
        key = str(uuid.uuid4())
        outbox.enqueue(conn, "license_issue", "/v1/licenses",
                       {"id": license_id, "key_id": "k1", "product": "desktop", "plan": "pro", "seats": 5,
                        "issued_at": now.isoformat() + "Z", "not_before": now.isoformat() + "Z",
                        "expires_at": (now + dt.timedelta(days=365)).isoformat() + "Z"}, idempotency_key=key)
        keys.append(key)
    return keys


@pytest.fixture(scope="module")
def ops_backend():
    """One small Ops-only backend for the outbox tests (their idempotency keys never collide)."""
    with DemoBackend(customers=20, tickets=50, now=NOW) as backend:
        yield backend


@pytest.fixture
def synced(tmp_path, ops_backend):
    """A cache already synced from ``ops_backend``, and an engine on it."""
    cache = open_cache(tmp_path / "outbox.sqlite3")
    engine = SyncEngine(cache.engine, config_for(ops_backend, stripe_api_key="", ops_page_size=1000))
    assert engine.run_once().ok
    yield cache, engine
    cache.dispose()


@pytest.mark.parametrize("fault", ["cut_body", "bad_json", "disconnect", "server_error", "rate_limit"])
def test_outbox_entries_reach_the_server_exactly_once(synced, ops_backend, fault) -> None:
    cache, engine = synced
    backend = ops_backend
    keys = _queue_local_changes(cache)
    # After /me, every write meets the fault on its first try ("after" faults
    # hit once the server applied it), then goes through on the retry.
    backend.faults.script(None, *[x for _ in keys for x in (fault, None)])
    report = engine.run_once()
    assert report.ok, report.errors
    assert report.pushed == len(keys)
    assert [backend.applied_count(k) for k in keys] == [1] * len(keys)
    # A later pass sends nothing again.
    assert engine.run_once().pushed == 0
    assert [backend.applied_count(k) for k in keys] == [1] * len(keys)
    with cache.engine.connect() as conn:
        states = conn.execute(select(OutboxEntry.state)).scalars().all()
        pending = [
            conn.execute(select(model.pending).where(model.pending.is_(True))).first()
            for model in (TicketEvent, IncidentUpdate, License)
        ]
    assert states == [outbox.SENT] * len(keys)
    assert pending == [None, None, None]


def test_refused_entries_wait_for_the_user(synced) -> None:
    cache, engine = synced
    with cache.engine.begin() as conn:
        ticket_id = conn.execute(select(Ticket.id).limit(1)).scalar_one()
        bad = outbox.enqueue(conn, "ticket_event", f"/v1/tickets/{ticket_id}/events",
                             {"id": "e1", "kind": "shout", "created_at": "2026-06-01T00:00:00Z"})
    report = engine.run_once()
    assert report.refused == 1 and report.pushed == 0
    with cache.engine.connect() as conn:
        (refused,) = entries(conn, outbox.REFUSED)
    assert refused["id"] == bad and "kind" in refused["last_error"]
    assert engine.run_once().refused == 0  # kept, not resent on its own

    with cache.engine.begin() as conn:
        outbox.retry(conn, bad)
    assert engine.run_once().refused == 1  # the user asked: tried again, refused again
    with cache.engine.begin() as conn:
        outbox.discard(conn, bad)
        assert entries(conn) == []


def test_changes_recovered_from_a_damaged_cache_are_sent_at_the_next_sync(synced, ops_backend) -> None:
    from app.store.database import mark_damaged

    cache, _ = synced
    keys = _queue_local_changes(cache)
    cache.dispose()
    mark_damaged(cache.path, "found damaged by the background check")
    rebuilt = open_cache(cache.path)
    try:
        assert any(f"{len(keys)} change(s) not yet sent were recovered" in n for n in rebuilt.notices)
        report = SyncEngine(rebuilt.engine, config_for(ops_backend, stripe_api_key="")).run_once()
        assert report.ok, report.errors
        assert report.pushed == len(keys)  # in the first pass, before the fresh cache holds their tickets
        assert [ops_backend.applied_count(k) for k in keys] == [1] * len(keys)
    finally:
        rebuilt.dispose()
