"""Notifications fire on transitions only, stay quiet for history and muted kinds, and never repeat."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from app.alerts import ARMED_KEY, run_alerts
from app.config.settings import NotificationSettings, Settings
from app.notices import Notice
from app.notifications import latest, mark_read, record, unread_count
from app.store.app_state import get_app_value
from app.store.schema import SyncState

NOW = dt.datetime(2026, 11, 30, 12, 0)


def _down(service: str, since: dt.datetime) -> Notice:
    return Notice("health.state", f"{service}:down:{since.isoformat()}", f"{service} is down",
                  severity="critical", pane="health", record=service, occurred_at=since)


def test_a_notice_is_announced_once_per_key(cache):
    with cache.engine.begin() as conn:
        first = record(conn, [_down("api", NOW)], now=NOW)
        again = record(conn, [_down("api", NOW)], now=NOW + dt.timedelta(minutes=1))
        next_outage = record(conn, [_down("api", NOW + dt.timedelta(hours=2))], now=NOW + dt.timedelta(hours=2))
    assert [n.record for n in first.announce] == ["api"]
    assert (again.new, again.announce) == (0, [])
    assert next_outage.new == 1 and len(next_outage.announce) == 1


def test_muted_quiet_and_old_notices_are_kept_but_not_announced(cache):
    with cache.engine.begin() as conn:
        muted = record(conn, [_down("api", NOW)], muted={"health.state"}, now=NOW)
        quiet = record(conn, [_down("db", NOW)], quiet=True, now=NOW)
        old = record(conn, [_down("cdn", NOW - dt.timedelta(days=2))], now=NOW)
        fresh = record(conn, [_down("web", NOW - dt.timedelta(hours=1))], now=NOW)
        stored = {s.notice.record: s for s in latest(conn)}
        unread = unread_count(conn)
    assert [r.new for r in (muted, quiet, old, fresh)] == [1, 1, 1, 1]
    assert [len(r.announce) for r in (muted, quiet, old, fresh)] == [0, 0, 0, 1]
    assert not stored["api"].delivered and stored["api"].read_at == NOW
    assert stored["web"].delivered and stored["web"].read_at is None
    assert unread == 1


def test_mark_read(cache):
    with cache.engine.begin() as conn:
        record(conn, [_down("a", NOW), _down("b", NOW), _down("c", NOW)], now=NOW)
        ids = [s.id for s in latest(conn) if s.notice.record == "a"]
        assert mark_read(conn, ids, now=NOW) == 1
        assert unread_count(conn) == 2
        assert mark_read(conn, now=NOW) == 2
        assert unread_count(conn) == 0
        assert [s.notice.record for s in latest(conn, unread_only=True)] == []


def test_unknown_kind_or_severity_is_refused():
    with pytest.raises(ValueError, match="unknown notification kind"):
        Notice("health.nope", "k", "t")
    with pytest.raises(ValueError, match="unknown severity"):
        Notice("health.state", "k", "t", severity="loud")


def _synced(cache) -> None:
    with cache.engine.begin() as conn:
        conn.execute(SyncState.__table__.insert().values(resource="ops:services", last_success_at=NOW))


def test_the_first_pass_after_the_first_sync_is_quiet_then_transitions_are_announced(cache):
    outages = [_down("api", NOW)]

    def rule(conn, now, settings):
        return list(outages)

    settings = Settings()
    before_sync = run_alerts(cache.engine, settings, now=NOW, rule_set=[rule])
    assert before_sync.announced == [] and before_sync.recorded == 1  # quiet: nothing synced yet
    outages.append(_down("db", NOW))
    _synced(cache)
    first = run_alerts(cache.engine, settings, now=NOW, rule_set=[rule])
    assert first.announced == [] and first.recorded == 1  # the history of the first sync: quiet
    with cache.engine.connect() as conn:
        assert get_app_value(conn, ARMED_KEY) is True
    outages.append(_down("cdn", NOW))
    later = run_alerts(cache.engine, settings, now=NOW, rule_set=[rule])
    assert [n.record for n in later.announced] == ["cdn"]
    assert run_alerts(cache.engine, settings, now=NOW, rule_set=[rule]).announced == []


def test_a_failing_rule_is_reported_and_the_others_still_run(cache):
    _synced(cache)
    run_alerts(cache.engine, Settings(), now=NOW, rule_set=[])  # arm

    def broken(conn, now, settings):
        raise RuntimeError("rule exploded")

    def working(conn, now, settings):
        return [_down("api", NOW)]

    run = run_alerts(cache.engine, Settings(), now=NOW, rule_set=[broken, working])
    assert [n.record for n in run.announced] == ["api"]
    assert list(run.errors.values()) == ["rule exploded"]


def test_muted_kinds_come_from_settings(cache):
    _synced(cache)
    run_alerts(cache.engine, Settings(), now=NOW, rule_set=[])
    settings = dataclasses.replace(Settings(), notifications=NotificationSettings(muted=("health.state",)))
    run = run_alerts(cache.engine, settings, now=NOW, rule_set=[lambda c, n, s: [_down("api", NOW)]])
    assert run.announced == [] and run.recorded == 1


def test_a_sync_committing_while_rules_read_does_not_fail_the_pass(cache):
    """A rule reads, a sync on another connection commits, then the pass records: SQLite refuses at once to
    turn a read that another commit overtook into a write ("database is locked", no busy wait). The pass
    takes the write lock before its first read, so it waits for the sync's commit instead of failing."""
    import sqlite3
    import threading

    _synced(cache)
    run_alerts(cache.engine, Settings(), now=NOW, rule_set=[])  # arm
    writing, done = threading.Event(), threading.Event()

    def sync_writes() -> None:
        writer = sqlite3.connect(cache.path, timeout=10)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE sync_state SET last_success_at = last_success_at")
        writing.set()
        done.wait(0.3)  # a page's write, still running when the rule reads
        writer.commit()
        writer.close()

    def reads_while_the_sync_writes(conn, now, settings):
        conn.execute(select(SyncState.resource)).all()
        return [_down("api", NOW)]

    thread = threading.Thread(target=sync_writes)
    thread.start()
    assert writing.wait(5)
    run = run_alerts(cache.engine, Settings(), now=NOW, rule_set=[reads_while_the_sync_writes])
    thread.join()
    assert run.errors == {} and [n.record for n in run.announced] == ["api"]
