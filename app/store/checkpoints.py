"""Copying the cache's WAL into the database file on a thread of its own, not in the writer's commits.

SQLite checkpoints inside the commit that takes the WAL past
``wal_autocheckpoint`` pages: the committing thread stops to copy every new
page into the database file before it can go on.  For the sync that thread
is the bottleneck (the network waits for it), so each copy lengthens the
sync.  Replaying 2,000 subscription events at 100,000 customers spent 0.16
to 0.22 s of its 0.45 to 0.61 s in such commits.

Here a connection that committed wakes a helper thread when it goes back to
the pool, and the helper runs a ``PASSIVE`` checkpoint on its own connection
(it never waits for, nor blocks, the writer or a reader) while the writer
prepares and writes its next page.  The same replay took 0.40 s instead of
0.51 s (medians of six, alternating with the peer).

The helper waits for the writes to pause first: it checkpoints once no
connection has committed for ``QUIET`` seconds, or ``LONGEST`` after the
first commit it has not copied yet.  A checkpoint reads the WAL, writes the
database file and syncs it, and on two cores it takes time from the writer
and from the thread fetching pages: the same replay, whose batches commit 20
to 60 ms apart, took 0.259 s instead of 0.279-0.283 s with a checkpoint
after every commit (medians of two series of six, alternating), and its
pages are copied once, after its last batch.  A first sync of 100,000
customers was no slower: 15.26-15.95 s against 15.53-16.20 s (six runs
each, alternating).

The writer's own checkpoint stays, at ``BACKSTOP`` pages instead of
SQLite's 1,000: the WAL starts over from its beginning only when a checkpoint
has copied all of it before the next write begins, which a writer that never
pauses (a first sync) does not leave the helper time for.  The backstop
bounds the file then, as the default does now: a first sync of 100,000
customers peaked at 67.8 MB of WAL, against 33 MB with SQLite's default.
The file keeps its peak size after that unless told otherwise, so it is cut
back to ``RESTING`` bytes whenever it starts over.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

QUIET = 0.1  # seconds without a commit after which the helper checkpoints...
LONGEST = 1.0  # ...or, while commits keep coming, this long after the first one it has not copied
BACKSTOP = 10_000  # pages (40 MB) past which a commit checkpoints on the writer's thread after all
RESTING = 32 * 1024 * 1024  # bytes of WAL file kept when it starts over (``journal_size_limit``)
_WROTE = "checkpoints.wrote"  # key in a pooled connection's ``info``: it committed since it was checked out


class Checkpointer:
    """A helper thread that checkpoints ``path`` after each connection of ``engine`` that committed is returned.

    ``runs`` counts the checkpoints it made (``wait_for_runs``: what tests
    wait on); ``stop`` ends the thread and closes its connection, and so does
    the engine's garbage collection when nobody called it: a helper never
    outlives its engine, holding a connection open.
    """

    def __init__(self, engine: Engine, path: Path) -> None:
        from sqlalchemy import event

        self._path = path
        self._wake = threading.Condition()
        self._pending = False
        self._stopping = False
        self.runs = 0
        event.listen(engine, "connect", _bounds)
        event.listen(engine, "commit", _mark_written)
        event.listen(engine, "checkin", self._checked_in)
        self._thread = threading.Thread(target=self._run, name="cache-checkpoints", daemon=True)
        self._thread.start()
        weakref.finalize(engine, self._ask_to_stop)  # not a join: collection may run on the helper's own thread

    @property
    def running(self) -> bool:
        """Whether the helper thread is still there."""
        return self._thread.is_alive()

    def _checked_in(self, _dbapi_conn: object, record: Any) -> None:
        if record.info.pop(_WROTE, False):
            with self._wake:
                self._pending = True
                self._wake.notify_all()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            while True:
                with self._wake:
                    self._wake.wait_for(self._called)
                    self._wait_for_a_pause()
                    if self._stopping:
                        return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # the next commit tries again; the backstop bounds the WAL meanwhile
                    log.warning("could not checkpoint the cache %s: %s", self._path, exc)
                with self._wake:
                    self.runs += 1
                    self._wake.notify_all()
        finally:
            conn.close()

    def _called(self) -> bool:
        """Whether the helper has something to do (held under ``_wake``): copy a commit, or stop."""
        return self._pending or self._stopping

    def _wait_for_a_pause(self) -> None:
        """Wait (holding ``_wake``, released while waiting) until no commit came for ``QUIET`` seconds or
        ``LONGEST`` passed; the commits waited for are then taken as copied by the checkpoint to come."""
        deadline = time.monotonic() + LONGEST
        while not self._stopping:
            self._pending = False
            left = deadline - time.monotonic()
            if left <= 0 or not self._wake.wait_for(self._called, min(QUIET, left)):
                return

    def wait_for_runs(self, runs: int, timeout: float) -> bool:
        """Whether the helper has made ``runs`` checkpoints, waiting up to ``timeout`` seconds for them."""
        with self._wake:
            return self._wake.wait_for(lambda: self.runs >= runs, timeout)

    def stop(self) -> None:
        """End the helper thread (after the checkpoint it is making, if any)."""
        self._ask_to_stop()
        self._thread.join()

    def _ask_to_stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()


def _bounds(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP}")
    dbapi_conn.execute(f"PRAGMA journal_size_limit = {RESTING}")


def _mark_written(conn: Connection) -> None:
    conn.info[_WROTE] = True
