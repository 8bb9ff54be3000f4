"""Fetch the next pages while the current one is being written.

A page's cursor is known as soon as the page arrives, so a helper thread can
keep requesting pages while the cache writes the ones already here: the
network and SQLite overlap instead of taking turns, which is what keeps a
large sync limited by the network.  A few pages of lead (not one) ride out
the moments the writer stalls to checkpoint the WAL itself (when it outruns
the helper of ``app.store.checkpoints``); the bound keeps memory small.

When the writer is the slower side, pages wait for it; ``batches_ahead``
hands it every page already waiting at once, so it can write them with one
statement per table and catch up.  When the network is the slower side,
batches are single pages, as they arrive.  A full pass commits its batches
together, every ``LEAD`` pages or so (``app.sync.open_writes``).

Why 32 pages of lead: a page's rows land on random leaves of each table's
id index, so a transaction writes about one index page per row until it
holds as many rows as the index has leaves.  At 100,000 customers, batches
of up to 32 pages instead of 8 took the sync's commits from 5.7-6.6 s to
3.5-3.7 s, for 13 MB more at the peak (at 20,000 customers: 135 MB
against 122 MB).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from queue import Empty, Full, Queue
from typing import TypeVar

from app.tasks import CancelToken

P = TypeVar("P")
C = TypeVar("C")

LEAD = 32  # pages fetched ahead of the writer at most (and so written in one transaction)


@dataclass(frozen=True)
class _Failure:
    error: BaseException


@dataclass(frozen=True)
class _End:
    """The helper stopped: after the last page, or because the job was cancelled."""


def pages_ahead(
    fetch: Callable[[C], P],
    first: C,
    next_cursor: Callable[[P], C | None],
    cancel: CancelToken,
    lead: int = LEAD,
) -> Generator[P, None, None]:
    """Yield pages from ``first`` on while a helper thread fetches up to ``lead`` pages ahead.

    ``next_cursor`` returns None after the last page.  A fetch's error is
    raised where its page would have been yielded, i.e. after every earlier
    page was handled.  Closing the iterator (or leaving the loop) stops the
    helper and waits for it, so no thread outlives the pass.
    """
    with closing(batches_ahead(fetch, first, next_cursor, cancel, lead, most=1)) as batches:
        for batch in batches:
            yield from batch


def batches_ahead(
    fetch: Callable[[C], P],
    first: C,
    next_cursor: Callable[[P], C | None],
    cancel: CancelToken,
    lead: int = LEAD,
    most: int = LEAD,
) -> Generator[list[P], None, None]:
    """``pages_ahead``, yielding each time every page fetched and not yet yielded (at least one, at most ``most``).

    A fetch's error is raised after the batch of the pages before it.
    """
    queue: Queue[P | _Failure | _End] = Queue(maxsize=lead)
    stop = threading.Event()

    def put(item: P | _Failure | _End) -> None:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return
            except Full:
                continue

    def produce() -> None:  # runs on the helper thread
        cursor = first
        try:
            while not stop.is_set() and not cancel.cancelled:
                page = fetch(cursor)
                put(page)
                following = next_cursor(page)
                if following is None:
                    break
                cursor = following
        except BaseException as exc:  # noqa: BLE001 - handed over to the consumer's thread, which raises it
            put(_Failure(exc))
            return
        put(_End())

    helper = threading.Thread(target=produce, name="sync-prefetch", daemon=True)
    helper.start()
    try:
        held: P | _Failure | _End | None = None  # what ended the last batch early: the end, or an error
        while True:
            item = queue.get() if held is None else held
            held = None
            if isinstance(item, _End):
                cancel.raise_if_cancelled()  # the helper stopped early because of it
                return
            if isinstance(item, _Failure):
                raise item.error
            batch = [item]
            while len(batch) < most:
                try:
                    waiting = queue.get_nowait()
                except Empty:
                    break
                if isinstance(waiting, (_End, _Failure)):
                    held = waiting
                    break
                batch.append(waiting)
            yield batch
    finally:
        stop.set()
        helper.join()
