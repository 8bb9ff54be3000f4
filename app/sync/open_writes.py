"""A full pass's transaction, kept open across the batches it writes, committed every ``LEAD`` pages or half second.

Stripe's ids are random, so a batch's rows land on random leaves of each
table's id index, and a commit writes every page the transaction dirtied to
the WAL.  When the network is the slower side, the writer takes the pages as
they come, a page or two a batch, and committed each batch: a first sync of
100,000 customers wrote 453 MB through 203,893 write calls for its customers
and 604 MB through 226,381 for its subscriptions, into a cache of 183 MB,
most of it the same index leaves written again at every commit.

Waiting for more pages before writing them was slower (medians of three runs
at 100,000 customers: 13.85 s without waiting, 14.61 s waiting up to 0.1 s,
14.84 s up to 0.3 s): the writer then idles while pages come in.  So each
batch is still written as it arrives, into a transaction that stays open
until it holds ``LEAD`` pages, or ``COMMIT_AFTER`` seconds have passed since
its first write, or the pass ends.  In a trial that differed in that alone,
the same sync took 12.89 s against 13.42 s (medians of three, alternating);
as first built (``COMMIT_AFTER`` at 1 s), 13.11 s against 13.77 s (medians
of four, alternating, with list pages read in one piece:
``app.connectors.stripe_api``), writing 188 MB through 68,771 calls for its
customers and 487 MB through 180,564 for its subscriptions.  With half a
second, two runs took 12.91 and 12.98 s, their passes committing 61 times
instead of 910.

A kill, or a write that fails, loses what the transaction held (fewer than
twice ``LEAD`` pages, or half a second's worth): the pass resumes after its
last commit, as it did after a killed batch.  Other writers (an action's
outbox entry) wait for that commit: about ``COMMIT_AFTER``, and a page's
fetch when the network is the slower side, at most.  At 100,000 customers
32 pages come in 0.13 s (customers) to 0.26 s (subscriptions), so pages,
not time, end its transactions.  An error between two writes (a page that
could not be fetched, a cancel) commits the batches written first: they are
whole.  The pass's progress and its change notices follow the commits, so
what they announce is in the cache.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Generic, TypeVar

from app.sync.prefetch import LEAD

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, RootTransaction

COMMIT_AFTER = 0.5  # seconds from a transaction's first write to its commit, at most, while pages keep coming

B = TypeVar("B")


class OpenWrites(Generic[B]):
    """The batches a pass wrote since its last commit, in one transaction begun with the first of them.

    ``connection`` begins the transaction if none is open; ``wrote`` records
    a batch written in it; ``due`` says whether to commit now.  ``commit``
    and ``rollback`` end it and hand back the batches it held; ``close``
    rolls back whatever is still open (use it with ``contextlib.closing``).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._opened = 0.0
        self._pages = 0
        self._batches: list[B] = []

    @property
    def batches(self) -> list[B]:
        """The batches written since the last commit, oldest first."""
        return list(self._batches)

    def connection(self) -> Connection:
        """The connection of the open transaction, begun now if there is none."""
        if self._conn is None:
            self._conn = self._engine.connect()
            self._transaction = self._conn.begin()
            self._opened = time.monotonic()
        return self._conn

    def wrote(self, batch: B, pages: int) -> None:
        """Note ``batch`` (``pages`` pages) as written in the open transaction."""
        self._batches.append(batch)
        self._pages += pages

    @property
    def due(self) -> bool:
        """Whether the transaction holds ``LEAD`` pages, or has been open ``COMMIT_AFTER`` seconds."""
        return self._pages >= LEAD or time.monotonic() - self._opened >= COMMIT_AFTER

    def commit(self) -> list[B]:
        """Commit the open transaction; returns the batches now in the cache (none, if the commit fails: it raises)."""
        if self._transaction is not None:
            try:
                self._transaction.commit()
            except BaseException:
                self.rollback()
                raise
        return self._end()

    def rollback(self) -> list[B]:
        """Undo the open transaction; returns the batches it held (to write again, or to fetch again later)."""
        try:
            if self._transaction is not None:
                self._transaction.rollback()
        finally:
            undone = self._end()  # the connection goes back to the pool even if the rollback fails
        return undone

    def close(self) -> None:
        """Roll back whatever is still open."""
        self.rollback()

    def _end(self) -> list[B]:
        if self._conn is not None:
            self._conn.close()  # back to the pool: the checkpoint helper hears of the commit
        ended, self._batches, self._pages = self._batches, [], 0
        self._conn = self._transaction = None
        return ended
