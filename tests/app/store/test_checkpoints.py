"""The WAL is copied into the database file by a helper thread after each write, not in the writer's commit."""

from __future__ import annotations

import gc
import logging
import shutil
import sqlite3
import time

from app.store import checkpoints
from app.store.checkpoints import Checkpointer
from app.store.database import make_engine, open_cache

_ROW = ("insert into customers (id, name, email, created, delinquent, balance_cents) "
        "values ('cus_1', 'Acme Corp', 'ops@acme.test', '2026-01-01', 0, 0)")


def _customers_in_the_file_alone(cache_path, tmp_path) -> list[tuple[str]]:
    """What the database file holds without its WAL: what checkpoints copied into it."""
    alone = tmp_path / "alone.sqlite3"
    shutil.copyfile(cache_path, alone)
    conn = sqlite3.connect(alone)
    try:
        return conn.execute("select id from customers").fetchall()
    finally:
        conn.close()


def test_a_commit_reaches_the_database_file_through_the_helper(tmp_path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    with cache.engine.begin() as conn:
        conn.exec_driver_sql(_ROW)
    assert cache.checkpointer is not None and cache.checkpointer.wait_for_runs(1, timeout=10)
    assert _customers_in_the_file_alone(cache.path, tmp_path) == [("cus_1",)]
    with cache.engine.connect() as conn:  # the writer's own checkpoint waits for the backstop, not 1,000 pages
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == checkpoints.BACKSTOP
    cache.dispose()


def test_the_wal_file_is_cut_back_when_it_starts_over(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "RESTING", 256 * 1024)
    cache = open_cache(tmp_path / "cache.sqlite3")
    wal = tmp_path / "cache.sqlite3-wal"
    with cache.engine.begin() as conn:  # about 2 MB of WAL in one transaction
        conn.exec_driver_sql("create table filler (blob)")
        conn.exec_driver_sql("with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000) "
                             "insert into filler select randomblob(1000) from n")
    assert cache.checkpointer is not None and cache.checkpointer.wait_for_runs(1, timeout=10)
    assert wal.stat().st_size > 1_000_000
    with cache.engine.begin() as conn:  # the next write starts the WAL over from its beginning, and cuts the file
        conn.exec_driver_sql("delete from filler where rowid = 1")
    assert wal.stat().st_size <= 256 * 1024
    with cache.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 256 * 1024
    cache.dispose()


def test_a_connection_that_only_read_does_not_wake_the_helper(tmp_path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    with cache.engine.connect() as conn:
        conn.exec_driver_sql("select count(*) from customers").scalar()
    assert cache.checkpointer is not None and not cache.checkpointer.wait_for_runs(1, timeout=0.5)
    with cache.engine.connect() as conn:  # several commits on one connection: one checkpoint once it is returned
        conn.exec_driver_sql(_ROW)
        conn.commit()
        conn.exec_driver_sql("update customers set name = 'Globex'")
        conn.commit()
    assert cache.checkpointer.wait_for_runs(1, timeout=10)
    assert not cache.checkpointer.wait_for_runs(2, timeout=0.5)
    cache.dispose()


def _commit(engine, n: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(_ROW.replace("'cus_1'", f"'cus_{n}'"))


def test_commits_in_quick_succession_are_copied_once_they_pause(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "QUIET", 0.5)
    cache = open_cache(tmp_path / "cache.sqlite3")
    cache.engine  # noqa: B018 - making the engine starts the helper
    helper = cache.checkpointer
    assert helper is not None
    for n in range(5):  # a replay's batches: each commits well within QUIET of the last
        _commit(cache.engine, n)
        time.sleep(0.05)
    assert helper.runs == 0  # nothing copied while they kept coming
    assert helper.wait_for_runs(1, timeout=10)
    assert len(_customers_in_the_file_alone(cache.path, tmp_path)) == 5  # one checkpoint copied them all
    assert not helper.wait_for_runs(2, timeout=0.3)
    cache.dispose()


def test_commits_that_never_pause_are_copied_all_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "QUIET", 60.0)
    monkeypatch.setattr(checkpoints, "LONGEST", 0.2)
    cache = open_cache(tmp_path / "cache.sqlite3")
    cache.engine  # noqa: B018 - making the engine starts the helper
    helper = cache.checkpointer
    assert helper is not None
    deadline = time.monotonic() + 10
    n = 0
    while helper.runs == 0 and time.monotonic() < deadline:  # a first sync's pages, committed one after another
        _commit(cache.engine, n)
        n += 1
        time.sleep(0.02)
    assert helper.runs >= 1 and n > 1
    cache.dispose()


def test_dispose_stops_the_helper(tmp_path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    cache.engine  # noqa: B018 - making the engine starts the helper
    helper = cache.checkpointer
    assert helper is not None and helper.running
    cache.dispose()
    assert cache.checkpointer is None and not helper.running


def test_the_helper_ends_with_its_engine(tmp_path):
    engine = make_engine(tmp_path / "cache.sqlite3")
    helper = Checkpointer(engine, tmp_path / "cache.sqlite3")
    assert helper.running
    engine.dispose()
    del engine
    gc.collect()
    deadline = time.monotonic() + 10
    while helper.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not helper.running


def test_a_failed_checkpoint_is_logged_and_the_next_commit_tries_again(tmp_path, caplog):
    cache = open_cache(tmp_path / "cache.sqlite3")
    engine = make_engine(cache.path)  # an engine without the cache's own helper, which would answer first
    not_a_database = tmp_path / "not-a-database"
    not_a_database.write_text("plain text, not SQLite", encoding="utf-8")
    helper = Checkpointer(engine, not_a_database)
    with caplog.at_level(logging.WARNING, logger="app.store.checkpoints"):
        for name in ("Acme", "Globex"):
            with engine.begin() as conn:
                conn.exec_driver_sql(_ROW.replace("Acme Corp", name).replace("'cus_1'", f"'cus_{name}'"))
            assert helper.wait_for_runs(1 if name == "Acme" else 2, timeout=10)
    helper.stop()
    engine.dispose()
    failures = [r.getMessage() for r in caplog.records if "could not checkpoint" in r.getMessage()]
    assert len(failures) == 2 and all("not-a-database" in f for f in failures)
