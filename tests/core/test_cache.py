"""The cache: migrations match the models, WAL + foreign keys, corrupt files moved aside, failed upgrades harmless."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.store import migrations
from app.store.database import MigrationError, open_cache
from app.store.migrations import include_object
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
        stale = conn.exec_driver_sql("select name from customers_fts where customers_fts match 'acme*' and name = 'Acme Corp'").all()
    assert hits == [("Globex",)] and stale == []
    cache.dispose()


def test_corrupt_cache_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "cache.sqlite3"
    open_cache(path).dispose()
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff" * 4000)  # trash the schema page
    cache = open_cache(path)
    aside = [p for p in tmp_path.glob("cache.sqlite3.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].stat().st_size > 0  # kept, never deleted
    assert "moved to" in cache.notices[0]
    with cache.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
    cache.dispose()


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
