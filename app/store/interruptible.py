"""Reads that stop when nobody wants their answer any more.

A table's count of a common word runs for tens of milliseconds at a million
rows; when the user types the next letter, its answer is dropped -- but the
reader thread stays busy until SQLite finishes, and the next search's page
waits behind it.  ``interruptible`` gives SQLite a progress handler that
aborts the statement once the job's ``CancelToken`` is set, and turns the
abort into ``Cancelled``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from app.tasks import Cancelled, CancelToken

# SQLite virtual-machine instructions between two looks at the token: a few
# hundred looks a second on a long scan, each a Python call of well under a microsecond.
CHECK_EVERY = 100_000


@contextmanager
def interruptible(conn: Connection, cancel: CancelToken | None) -> Iterator[Connection]:
    """``conn``, whose statements abort as soon as ``cancel`` is set (raising ``Cancelled``).

    The handler is removed on the way out: the connection goes back to the
    pool and must not carry one job's token into the next.
    """
    if cancel is None:
        yield conn
        return
    cancel.raise_if_cancelled()
    raw = conn.connection.dbapi_connection
    if raw is None:  # a connection already closed: nothing to interrupt
        yield conn
        return
    raw.set_progress_handler(lambda: cancel.cancelled, CHECK_EVERY)
    try:
        yield conn
    except OperationalError as exc:
        if cancel.cancelled:
            raise Cancelled from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)
