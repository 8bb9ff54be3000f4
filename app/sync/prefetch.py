"""Fetch the next page while the current one is being written.

A page's cursor is known as soon as the page arrives, so the request for the
next page can be in flight while the cache writes this one: the network and
SQLite overlap instead of taking turns, which is what keeps a large sync
limited by the network.  One page ahead is enough — the writer is never far
behind — and bounds memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from app.tasks import CancelToken

P = TypeVar("P")
C = TypeVar("C")


def pages_ahead(
    fetch: Callable[[C | None], P],
    first: C | None,
    next_cursor: Callable[[P], C | None],
    cancel: CancelToken,
) -> Iterator[P]:
    """Yield pages from ``first`` on, each next one already requested while the caller handles this one.

    ``next_cursor`` returns None after the last page.  Errors of a fetch are
    raised where its page would have been yielded, i.e. after every earlier
    page was handled.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prefetch") as pool:
        pending: Future[P] | None = pool.submit(fetch, first)
        while pending is not None:
            page = pending.result()
            cursor = next_cursor(page)
            pending = pool.submit(fetch, cursor) if cursor is not None and not cancel.cancelled else None
            try:
                yield page
            except GeneratorExit:
                if pending is not None:
                    pending.cancel()
                raise
