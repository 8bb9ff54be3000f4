"""Fetch the next pages while the current one is being written.

A page's cursor is known as soon as the page arrives, so a helper thread can
keep requesting pages while the cache writes the ones already here: the
network and SQLite overlap instead of taking turns, which is what keeps a
large sync limited by the network.  A few pages of lead (not one) ride out
the moments SQLite stalls to checkpoint its WAL; the bound keeps memory small.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from queue import Full, Queue
from typing import TypeVar

from app.tasks import CancelToken

P = TypeVar("P")
C = TypeVar("C")

LEAD = 4  # pages fetched ahead of the writer at most


@dataclass(frozen=True)
class _Failure:
    error: BaseException


@dataclass(frozen=True)
class _End:
    """The helper stopped: after the last page, or because the job was cancelled."""


def pages_ahead(
    fetch: Callable[[C | None], P],
    first: C | None,
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
                cursor = next_cursor(page)
                if cursor is None:
                    break
        except BaseException as exc:  # noqa: BLE001 - handed over to the consumer's thread, which raises it
            put(_Failure(exc))
            return
        put(_End())

    helper = threading.Thread(target=produce, name="sync-prefetch", daemon=True)
    helper.start()
    try:
        while True:
            item = queue.get()
            if isinstance(item, _End):
                cancel.raise_if_cancelled()  # the helper stopped early because of it
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        helper.join()
