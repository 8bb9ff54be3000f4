"""Full-text indexes stay consistent with their tables through syncs, deferred bulk passes and kills.

``INSERT INTO x_fts(x_fts) VALUES('integrity-check')`` fails when the index
and its content table disagree (a row missing, a stale term left behind).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, select

from app.demo.backend import DemoBackend
from app.store.schema import FtsDeferred, Ticket
from app.sync import fts_deferral
from app.sync.engine import SyncEngine
from app.tasks import Cancelled, CancelToken, Progress
from tests.app.sync.support import NOW, config_for

_CUSTOMER = ("insert into customers (id, name, email, created, delinquent, balance_cents) "
             "values (?, ?, ?, '2026-01-01', 0, 0) on conflict (id) do update set name = excluded.name, "
             "email = excluded.email")


@pytest.fixture
def backend():
    with DemoBackend(customers=120, tickets=400, now=NOW) as running:
        yield running


def _assert_consistent(conn: Connection) -> None:
    for fts in fts_deferral.FTS_INDEXES.values():
        conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")  # noqa: S608 - names from FTS_INDEXES; raises when they disagree
    assert conn.execute(select(FtsDeferred.content_table)).all() == []


def _hits(conn: Connection, fts: str, word: str) -> int:
    return conn.exec_driver_sql(f"select count(*) from {fts} where {fts} match ?", (word,)).scalar_one()  # noqa: S608 - a test constant


def test_indexes_match_their_tables_after_first_and_later_syncs(cache, backend) -> None:
    engine = SyncEngine(cache.engine, config_for(backend))
    assert engine.run_once().ok
    with cache.engine.connect() as conn:
        _assert_consistent(conn)
        ticket_id = conn.execute(select(Ticket.id).order_by(Ticket.id).limit(1)).scalar_one()
    backend.clock.advance(dt.timedelta(hours=2))
    backend.business.touch_customers(5)
    backend.business.touch_tickets(5)
    backend.business.delete_ticket(ticket_id)
    backend.business.create_customer("Grace Hopper", "grace@example.com")
    assert engine.run_once().ok
    with cache.engine.connect() as conn:
        _assert_consistent(conn)
        assert _hits(conn, "customers_fts", "hopper") == 1


def test_a_killed_bulk_pass_is_caught_up_by_the_next_sync(cache, backend) -> None:
    token = CancelToken()

    def cancel_midway(progress: Progress) -> None:
        if progress.label == "tickets" and progress.done > 0:
            token.cancel()

    engine = SyncEngine(cache.engine, config_for(backend, ops_page_size=100))
    with pytest.raises(Cancelled):
        engine.run_once(cancel_midway, token)
    with cache.engine.connect() as conn:
        assert conn.execute(select(FtsDeferred.content_table)).scalars().all() == ["tickets"]
    assert engine.run_once().ok
    with cache.engine.connect() as conn:
        _assert_consistent(conn)


def test_deferred_writes_are_indexed_by_the_catch_up(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(_CUSTOMER, ("cus_1", "Acme Corp", "ops@acme.test"))
        fts_deferral.defer(conn, "customers")
        conn.exec_driver_sql(_CUSTOMER, ("cus_2", "Globex", "it@globex.test"))
        conn.exec_driver_sql(_CUSTOMER, ("cus_1", "Initech", "ops@acme.test"))
        conn.exec_driver_sql("delete from customers where id = 'cus_2'")
        assert _hits(conn, "customers_fts", "initech") == 0  # the triggers stood aside
        fts_deferral.catch_up(conn, "customers")
        _assert_consistent(conn)
        assert (_hits(conn, "customers_fts", "initech"), _hits(conn, "customers_fts", "acme")) == (1, 1)
        assert _hits(conn, "customers_fts", "globex") == 0


def test_an_update_that_changes_no_searched_column_leaves_the_index_alone(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(_CUSTOMER, ("cus_1", "Acme Corp", "ops@acme.test"))
        driver = conn.connection.dbapi_connection
        assert driver is not None
        before = driver.total_changes  # rows written, by triggers too (the FTS 'delete' and insert)
        conn.exec_driver_sql(_CUSTOMER, ("cus_1", "Acme Corp", "ops@acme.test"))
        conn.exec_driver_sql("update customers set balance_cents = 5 where id = 'cus_1'")
        unchanged = driver.total_changes - before
        conn.exec_driver_sql(_CUSTOMER, ("cus_1", "Acme Inc", "ops@acme.test"))
        renamed = driver.total_changes - before - unchanged
        _assert_consistent(conn)
    assert unchanged == 2  # the two rows rewritten as they were, and nothing in the index
    assert renamed > 1  # the renamed row and its index entries
    with engine.connect() as conn:
        assert _hits(conn, "customers_fts", "inc") == 1
