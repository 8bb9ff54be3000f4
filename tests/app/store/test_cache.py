"""The cache: migrations match the models, WAL + foreign keys, corrupt files moved aside, failed upgrades harmless."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.store import migrations
from app.store.database import open_cache
from app.store.migrations import MigrationError, include_object
from app.store.schema import Base


def test_migrations_build_exactly_the_models(tmp_path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    with cache.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        assert compare_metadata(context, Base.metadata) == []
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    cache.dispose()


def test_fts_follows_upserts(tmp_path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    with cache.engine.begin() as conn:
        conn.exec_driver_sql("insert into customers (id, name, email, created, delinquent, balance_cents) "
                             "values ('cus_1', 'Acme Corp', 'ops@acme.test', '2026-01-01', 0, 0)")
        conn.exec_driver_sql("insert into customers (id, name, email, created, delinquent, balance_cents) "
                             "values ('cus_1', 'Globex', 'ops@acme.test', '2026-01-01', 0, 0) "
                             "on conflict (id) do update set name = excluded.name")
        hits = conn.exec_driver_sql("select name from customers_fts where customers_fts match 'glob*'").all()
        stale = conn.exec_driver_sql(
            "select name from customers_fts where customers_fts match 'acme*' and name = 'Acme Corp'"
        ).all()
    assert hits == [("Globex",)] and stale == []
    cache.dispose()


def test_corrupt_cache_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "cache.sqlite3"
    open_cache(path).dispose()
    with path.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff" * 4000)  # trash the schema page
    cache = open_cache(path)
    aside = [p for p in tmp_path.glob("cache.sqlite3.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].stat().st_size > 0  # kept, never deleted
    assert "moved to" in cache.notices[0]
    with cache.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
    cache.dispose()


def test_a_cache_locked_by_another_process_is_not_called_damaged(tmp_path):
    from app.store.database import check_integrity

    path = tmp_path / "plain.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("create table t (x)")
    writer.execute("begin exclusive")  # a rollback-journal file: readers wait for this lock, then give up
    try:
        assert check_integrity(path, timeout=0.05) is None
    finally:
        writer.execute("rollback")
        writer.close()
    path.write_bytes(b"not a database at all, " * 200)
    assert check_integrity(path) == "file is not a database"


def test_a_failed_upgrade_leaves_the_old_cache_untouched(tmp_path, monkeypatch):
    path = tmp_path / "cache.sqlite3"
    open_cache(path).dispose()
    conn = sqlite3.connect(path)
    conn.execute("update alembic_version set version_num = 'from-the-future'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(MigrationError, match="left untouched"):
        open_cache(path)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.upgrading"))


def test_an_old_cache_is_upgraded_in_place(tmp_path):
    path = tmp_path / "cache.sqlite3"
    migrations.upgrade_in_place(path, target="base")  # an empty, un-versioned file
    assert migrations.current_revision(path) is None
    cache = open_cache(path)
    assert migrations.current_revision(path) == migrations.head_revision()
    cache.dispose()


def test_damage_found_in_the_background_is_repaired_at_the_next_start(tmp_path):
    from app.store.database import check_integrity, mark_damaged

    path = tmp_path / "cache.sqlite3"
    open_cache(path).dispose()
    assert check_integrity(path) is None
    mark_damaged(path, "*** in database main *** Page 7: btreeInitPage() returns error code 11")
    cache = open_cache(path, full_check=False)
    assert "Page 7" in cache.notices[0]
    assert [p.name for p in tmp_path.glob("cache.sqlite3.corrupt-*") if p.suffix == "" or p.name.count("-") == 2]
    assert not (tmp_path / "cache.sqlite3.damaged").exists()
    cache.dispose()


def test_unsent_changes_survive_a_damaged_cache(tmp_path):
    from app.store import outbox
    from app.store.database import mark_damaged

    path = tmp_path / "cache.sqlite3"
    cache = open_cache(path)
    with cache.engine.begin() as conn:
        outbox.enqueue(conn, "license_revoke", "/v1/licenses/L1/revoke", {"reason": "refund"}, idempotency_key="k-1")
    cache.dispose()
    mark_damaged(path, "found damaged")
    cache = open_cache(path)
    with cache.engine.connect() as conn:
        rows = conn.exec_driver_sql("select idempotency_key, state, payload_json from outbox").all()
    assert rows == [("k-1", "pending", '{"reason": "refund"}')]
    assert "1 change(s) not yet sent were recovered" in cache.notices[1]
    cache.dispose()


def test_the_quick_head_lookup_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.alembic_config(migrations._HERE / "unused.sqlite3"))
    assert len(script.get_heads()) == 1  # a linear history
    assert migrations.head_revision() == script.get_current_head()


def test_the_engine_is_made_once_by_whichever_thread_asks_first(tmp_path):
    """Opening the cache makes no engine (the window paints before SQLAlchemy loads); threads that ask for it
    at the same time share one."""
    from concurrent.futures import ThreadPoolExecutor

    cache = open_cache(tmp_path / "cache.sqlite3")
    try:
        assert cache._engine is None
        with ThreadPoolExecutor(max_workers=4) as pool:
            engines = list(pool.map(lambda _i: cache.engine, range(8)))
        assert len({id(e) for e in engines}) == 1
        with cache.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        cache.dispose()


def test_a_failed_query_is_told_in_sqlites_words_on_one_line(tmp_path):
    from sqlalchemy.exc import OperationalError

    from app.store.database import reason

    cache = open_cache(tmp_path / "cache.sqlite3")
    with pytest.raises(OperationalError) as caught, cache.engine.connect() as conn:
        conn.exec_driver_sql("select count(*) from no_such_table where id = ?", (1,))
    assert "\n" in str(caught.value)  # SQLAlchemy's own text: the statement and its parameters too
    assert reason(caught.value) == "no such table: no_such_table"
    assert reason(ValueError("first line\nsecond line")) == "first line"
    assert reason(RuntimeError()) == "RuntimeError"
    cache.dispose()
