"""The one way to run background work: a core function in a thread pool, results on the GUI thread.

``TaskRunner.run(fn, ...)`` runs ``fn`` on a pool thread and delivers
``on_success(result)``, ``on_failure(exc)`` and ``on_progress(Progress)`` on the
GUI thread through queued signals.  Three pools: short reads (table pages,
counts) run in parallel; the user's cache writes go to a single thread so they
are serialised; long jobs (a sync pass, a file import) get their own thread so
they never hold up a table page or a user's write.
Workers never touch widgets: they only return values.

Every runner registers itself so the test suite can fail a test that leaves a
task running (see ``tests/ui/conftest.py``).
"""

from __future__ import annotations

import inspect
import logging
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.tasks import CancelToken, Cancelled, Progress

log = logging.getLogger(__name__)

_runners: weakref.WeakSet[TaskRunner] = weakref.WeakSet()


class _Signals(QObject):
    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()


class TaskHandle:
    """What ``run`` returns: cancel the job, or ask whether it finished."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.done = False

    def cancel(self) -> None:
        self.token.cancel()


class _Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._args, self._kwargs, self._signals = fn, args, kwargs, signals

    def run(self) -> None:  # Qt override, on the pool thread
        try:
            result = self._fn(*self._args, **self._kwargs)
        except Cancelled as exc:
            self._signals.failed.emit(exc)
        except Exception as exc:  # delivered to on_failure; the job must never kill the pool thread
            log.debug("background job %s failed", getattr(self._fn, "__qualname__", self._fn), exc_info=True)
            self._signals.failed.emit(exc)
        else:
            self._signals.succeeded.emit(result)
        finally:
            self._signals.finished.emit()


class TaskRunner(QObject):
    """Runs jobs for one window (or one test); owns its pools so shutdown can wait for them."""

    def __init__(self, parent: QObject | None = None, *, readers: int = 2) -> None:
        super().__init__(parent)
        self._read_pool = QThreadPool(self)
        self._read_pool.setMaxThreadCount(readers)
        self._write_pool = QThreadPool(self)
        self._write_pool.setMaxThreadCount(1)  # cache writes are serialised
        self._long_pool = QThreadPool(self)
        self._long_pool.setMaxThreadCount(1)
        self._active: dict[_Signals, TaskHandle] = {}
        _runners.add(self)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        writes: bool = False,
        long_running: bool = False,
        **kwargs: Any,
    ) -> TaskHandle:
        """Run ``fn(*args, **kwargs)`` in the background.

        If ``fn`` accepts ``progress`` and/or ``cancel`` keyword arguments they are
        supplied: a callback that re-emits on the GUI thread, and the handle's token.
        """
        token = CancelToken()
        handle = TaskHandle(token)
        signals = _Signals()  # created on the GUI thread, so its slots run there
        params = inspect.signature(fn).parameters
        if "cancel" in params:
            kwargs["cancel"] = token
        if "progress" in params:
            kwargs["progress"] = signals.progress.emit
        if on_progress:
            signals.progress.connect(on_progress)
        if on_success:
            signals.succeeded.connect(on_success)
        signals.failed.connect(on_failure or self._log_failure)
        signals.finished.connect(lambda: self._finish(signals))
        self._active[signals] = handle
        pool = self._long_pool if long_running else self._write_pool if writes else self._read_pool
        pool.start(_Job(fn, args, kwargs, signals))
        return handle

    @staticmethod
    def _log_failure(exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            log.error("background job failed: %s", exc)

    def _finish(self, signals: _Signals) -> None:
        handle = self._active.pop(signals, None)
        if handle is not None:
            handle.done = True
        signals.deleteLater()

    @property
    def active_count(self) -> int:
        """Jobs started whose results have not been delivered yet."""
        return len(self._active)

    def cancel_all(self) -> None:
        for handle in self._active.values():
            handle.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the pools; True when they emptied in time."""
        self.cancel_all()
        pools = (self._read_pool, self._write_pool, self._long_pool)
        return all([pool.waitForDone(timeout_ms) for pool in pools])


def live_runners() -> list[TaskRunner]:
    """Runners still alive (the test guard checks none has work left)."""
    return list(_runners)
