"""Python's cyclic garbage collector: paused around bulk work, and left off for good where the window collects.

Bulk work (replaying every customer's history, generating the demo business)
makes hundreds of thousands of small acyclic objects; the collector would
rescan them again and again (about 40 % of a replay at 100,000 customers), so
that work runs inside ``paused()``.  Pauses nest and may overlap on several
threads: automatic collection comes back only when the last one ends, and
never after ``collect_manually()`` (the window runs every collection on its
GUI thread, see ``ui.collector``).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0
_enabled_before = True  # automatic collection was on when the first of the running pauses began
_manual = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic collection while the block runs (on any thread)."""
    global _pauses, _enabled_before
    with _lock:
        if _pauses == 0:
            _enabled_before = gc.isenabled()
        _pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _enabled_before and not _manual:
                gc.enable()


def is_paused() -> bool:
    """Some thread is inside ``paused()``: a manual collection should wait too."""
    return _pauses > 0


def collect_manually() -> None:
    """Turn automatic collection off for good: from now on the caller collects, on a thread of its choosing."""
    global _manual
    with _lock:
        _manual = True
        gc.disable()


def collect_automatically() -> None:
    """Undo ``collect_manually`` (a test session ending)."""
    global _manual
    with _lock:
        _manual = False
        if _pauses == 0:
            gc.enable()
