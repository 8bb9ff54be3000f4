"""A first sync pass sets its tables' secondary indexes aside and builds them once, whatever stops it half-way."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, event, select

from app.demo.backend import DemoBackend
from app.store import deferred_indexes
from app.store.migrations import alembic_config
from app.store.schema import DeferredIndex
from app.sync import state
from app.sync.engine import SyncEngine
from app.sync.prefetch import LEAD
from app.tasks import Cancelled, CancelToken, Progress, ProgressCallback
from tests.app.sync.support import NOW, config_for

CUSTOMERS, PAGE = 80, 1
# More pages than the writer puts in one transaction (fewer than two ``prefetch.LEAD``: ``app.sync.open_writes``):
# a pass never ends with its first commit.
assert CUSTOMERS // PAGE >= 2 * LEAD
STRIPE_ONLY = {"ops_api_url": "", "stripe_objects": ("customers", "subscriptions"), "stripe_page_size": PAGE}
ALL_SET_ASIDE = sorted(name for names in deferred_indexes.SET_ASIDE.values() for name in names)


@pytest.fixture
def backend():
    with DemoBackend(customers=CUSTOMERS, tickets=0, now=NOW) as running:
        yield running


def _indexes(conn: Connection) -> dict[str, str]:
    rows = conn.exec_driver_sql("select name, sql from sqlite_master where type = 'index' and sql is not null")
    return dict(rows.tuples().all())


def _aside(conn: Connection) -> list[str]:
    return list(conn.execute(select(DeferredIndex.name).order_by(DeferredIndex.name)).scalars())


def _watch(engine: Engine, label: str, token: CancelToken | None = None) -> tuple[list[list[str]], ProgressCallback]:
    """A progress callback noting what is set aside each time ``label`` reports rows (and cancelling, if given)."""
    seen: list[list[str]] = []

    def progress(report: Progress) -> None:
        if report.label == label and report.done > 0:
            with engine.connect() as conn:
                seen.append(sorted(set(ALL_SET_ASIDE) - set(_indexes(conn))))
            if token is not None:
                token.cancel()

    return seen, progress


def test_every_index_named_exists_on_its_table_and_is_not_unique(engine) -> None:
    with engine.connect() as conn:
        for table, names in deferred_indexes.SET_ASIDE.items():
            listed = {row[1]: row[2] for row in conn.exec_driver_sql(f"pragma index_list('{table}')")}
            for name in names:
                assert listed.get(name) == 0, f"{name} is not a non-unique index of {table}"


def test_a_first_pass_writes_without_them_and_builds_them_as_migrated(cache, backend) -> None:
    with cache.engine.connect() as conn:
        migrated = _indexes(conn)
    seen, progress = _watch(cache.engine, "subscriptions")
    assert SyncEngine(cache.engine, config_for(backend, **STRIPE_ONLY)).run_once(progress).ok
    customers = deferred_indexes.SET_ASIDE["customers"]
    subscriptions = [name for table in ("subscriptions", "subscription_items", "subscription_changes")
                     for name in deferred_indexes.SET_ASIDE[table]]
    assert seen and not set(customers) & set(seen[0])  # the customers pass had built its own again
    assert set(subscriptions) <= set(seen[0])  # the subscriptions pass wrote without its own, its items' and history's
    with cache.engine.connect() as conn:
        assert _indexes(conn) == migrated  # every one back, in the migration's own words
        assert _aside(conn) == []


def test_a_first_pass_reads_back_neither_the_items_nor_the_history_it_writes(cache, backend) -> None:
    """Their indexes by subscription are aside while it writes: reading through them would scan the tables."""
    read: list[str] = []
    passing: list[str] = []

    def statement(_conn, _cursor, sql: str, *_args) -> None:
        if passing == ["subscriptions"] and any(f"FROM {t}" in sql for t in ("subscription_items",
                                                                             "subscription_changes")):
            read.append(sql)

    def progress(report: Progress) -> None:
        passing[:] = [report.label]

    event.listen(cache.engine, "before_cursor_execute", statement)
    assert SyncEngine(cache.engine, config_for(backend, **STRIPE_ONLY)).run_once(progress).ok
    with cache.engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from subscription_changes").scalar_one() > 0  # it wrote them
    assert passing == ["events"] and read == []


@pytest.mark.parametrize("then", ["resumes the pass", "pulls nothing"])
def test_a_killed_first_pass_gets_them_back_at_the_next_sync(cache, backend, then) -> None:
    with cache.engine.connect() as conn:
        migrated = _indexes(conn)
    token = CancelToken()
    seen, progress = _watch(cache.engine, "customers", token)
    with pytest.raises(Cancelled):
        SyncEngine(cache.engine, config_for(backend, **STRIPE_ONLY)).run_once(progress, token)
    customers = list(deferred_indexes.SET_ASIDE["customers"])
    assert seen == [customers]
    with cache.engine.connect() as conn:
        assert _aside(conn) == customers  # committed with the first page
    # The pass's own end builds them; a sync that pulls nothing (Stripe dropped from the settings) too, at its start.
    config = config_for(backend, **STRIPE_ONLY) if then == "resumes the pass" else config_for(
        backend, ops_api_url="", stripe_api_key="")
    assert SyncEngine(cache.engine, config).run_once().ok
    with cache.engine.connect() as conn:
        assert _indexes(conn) == migrated
        assert _aside(conn) == []


def test_a_pass_over_rows_already_cached_keeps_them(cache, backend) -> None:
    engine = SyncEngine(cache.engine, config_for(backend, **STRIPE_ONLY))
    assert engine.run_once().ok
    with cache.engine.begin() as conn:  # as when Stripe's events have expired: every object read again
        for key in ("stripe:customers", "stripe:subscriptions"):
            state.reset(conn, key)
    seen, progress = _watch(cache.engine, "customers")
    assert engine.run_once(progress).ok
    assert seen and all(missing == [] for missing in seen)


def test_a_schema_change_builds_them_before_it_migrates(cache) -> None:
    with cache.engine.connect() as conn:
        migrated = _indexes(conn)
    with cache.engine.begin() as conn:
        aside = deferred_indexes.set_aside(conn, ["customers"])
    assert sorted(aside) == sorted(deferred_indexes.SET_ASIDE["customers"])
    cache.dispose()
    path = Path(cache.path)
    command.downgrade(alembic_config(path), "0017")  # drops deferred_indexes: the SQL kept there must be used first
    command.upgrade(alembic_config(path), "head")
    with cache.engine.connect() as conn:
        assert _indexes(conn) == migrated
