"""A read whose answer nobody wants stops: SQLite aborts the statement once the job's token is set."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from app.store.interruptible import interruptible
from app.tasks import Cancelled, CancelToken

# A statement that runs for many seconds unless stopped: a recursive count to a billion.
ENDLESS = text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
               "SELECT count(*) FROM n")


@pytest.fixture
def engine(tmp_path):
    made = create_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}", pool_size=1, max_overflow=0)
    yield made
    made.dispose()


def test_a_cancelled_read_stops_at_once_and_raises_cancelled(engine):
    cancel = CancelToken()
    threading.Timer(0.2, cancel.cancel).start()
    start = time.perf_counter()
    with pytest.raises(Cancelled), engine.connect() as conn, interruptible(conn, cancel):
        conn.execute(ENDLESS).scalar_one()
    assert time.perf_counter() - start < 5  # the count to a billion takes minutes


def test_the_connection_goes_back_to_the_pool_without_the_handler(engine):
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled), engine.connect() as conn, interruptible(conn, cancel):
        conn.execute(text("SELECT 1")).scalar_one()
    with engine.connect() as conn:  # the pool's only connection, the same one
        assert conn.execute(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
                                 "SELECT count(*) FROM n")).scalar_one() == 300000


def test_a_read_not_cancelled_answers_and_other_errors_stay_errors(engine):
    cancel = CancelToken()
    with engine.connect() as conn, interruptible(conn, cancel):
        assert conn.execute(text("SELECT 41 + 1")).scalar_one() == 42
    with pytest.raises(Exception, match="no such table"), engine.connect() as conn, interruptible(conn, cancel):
        conn.execute(text("SELECT * FROM missing"))
