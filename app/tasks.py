"""What long jobs in the core take instead of Qt: a progress callback and a cancel token.

The UI wraps these for the thread pool (``ui.workers``) and turns callbacks into
signals; the CLI prints them.  Keeping them plain Python is what lets sync,
imports and key generation run headless and in tests.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol


class Cancelled(Exception):
    """Raised inside a job when its token was cancelled; the job's writes so far are committed pages."""


class CancelToken:
    """A thread-safe flag a job polls between units of work (pages, files, rows)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True early if cancelled (used for back-off waits)."""
        return self._event.wait(seconds)


@dataclass(frozen=True)
class Progress:
    """One progress report: what is being done, how far, and the total when known."""

    label: str
    done: int = 0
    total: int | None = None


class ProgressCallback(Protocol):
    def __call__(self, progress: Progress) -> None: ...


def no_progress(progress: Progress) -> None:
    """The default callback: report nothing."""
