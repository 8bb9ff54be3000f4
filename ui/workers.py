"""The one way to run background work: a core function in a thread pool, results on the GUI thread.

``TaskRunner.run(fn, ...)`` runs ``fn`` on a pool thread and delivers
``on_success(result)``, ``on_failure(exc)`` and ``on_progress(Progress)`` on the
GUI thread through queued signals.  Three pools: short reads (table pages,
counts) run in parallel; the user's cache writes go to a single thread so they
are serialised; long jobs (a sync pass, a file import) get their own thread so
they never hold up a table page or a user's write.
Workers never touch widgets: they only return values.

A write job reports what it changed by returning a ``Changes`` value (or a
result carrying one as ``.changes``); a long job that accepts a ``changed``
callback reports as it goes (a sync, page by page).  The runner publishes
both on its ``ChangeBus``, on the GUI thread, before the job's own
``on_success`` runs -- so every view is fresh when the caller reacts.

``LatestRequest`` is "latest request wins": results of jobs a newer request
overtook are dropped, for a detail that follows the arrow keys, a search box,
or a table's pages after a re-sort.

Every runner registers itself so the test suite can fail a test that leaves a
task running (see ``tests/ui/conftest.py``).
"""

from __future__ import annotations

import inspect
import logging
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal

from app.store.changes import NOTHING, Changes
from app.tasks import Cancelled, CancelToken, Progress

log = logging.getLogger(__name__)

_runners: weakref.WeakSet[TaskRunner] = weakref.WeakSet()


class _Signals(QObject):
    progress = Signal(object)
    changed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()


class ChangeBus(QObject):
    """The one broadcast of what the cache's writes changed, in the manner of Anki's ``operation_did_execute``.

    ``publish`` delivers at once (a user's action should show the moment it is
    written); ``publish_soon`` coalesces a stream of changes (sync pages) into
    at most one delivery per ``THROTTLE_MS``; ``flush`` delivers what is
    waiting and stops the throttle (the stream ended).
    """

    THROTTLE_MS = 500
    changed = Signal(object)  # Changes

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting: Changes = NOTHING
        self._throttle = QTimer(self, singleShot=True, interval=self.THROTTLE_MS)
        self._throttle.setObjectName("changeBusThrottle")
        self._throttle.timeout.connect(self._throttled)

    def publish(self, changes: Changes) -> None:
        changes = self._waiting | changes
        self._waiting = NOTHING
        if changes:
            self.changed.emit(changes)

    def publish_soon(self, changes: Changes) -> None:
        if self._throttle.isActive():
            self._waiting |= changes
            return
        self.publish(changes)
        self._throttle.start()  # later changes wait for the end of this interval

    def flush(self) -> None:
        self._throttle.stop()
        self.publish(NOTHING)

    def stop(self) -> None:
        """The window is closing: deliver nothing more (a delivery would only start queries)."""
        self._throttle.stop()
        self._waiting = NOTHING

    def _throttled(self) -> None:
        if self._waiting:
            self.publish(NOTHING)
            self._throttle.start()


class TaskHandle:
    """What ``run`` returns: cancel the job, or ask whether it finished."""

    def __init__(self, token: CancelToken, *, reads: bool = False) -> None:
        self.token = token
        self.done = False
        self.reads = reads  # a read-only job: cancelling it may skip or stop it (``LatestRequest``)

    def cancel(self) -> None:
        self.token.cancel()


class _Job(QRunnable):
    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], signals: _Signals,
        skip_when: CancelToken | None = None,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._args, self._kwargs, self._signals = fn, args, kwargs, signals
        self._skip_when = skip_when  # a read cancelled before its turn is not run at all

    def run(self) -> None:  # Qt override, on the pool thread
        try:
            if self._skip_when is not None:
                self._skip_when.raise_if_cancelled()
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
    """Runs jobs for one window (or one test) on its own pools, so shutdown can wait for them."""

    def __init__(self, parent: QObject | None = None, *, readers: int = 2) -> None:
        super().__init__(parent)
        # The pools belong to the application, not to the runner: a runner dropped with a job still running
        # would otherwise destroy its pools from Python's garbage collector, and ~QThreadPool waits, without
        # a timeout and holding the interpreter lock, for a job that needs that lock to finish (a deadlock).
        owner = QCoreApplication.instance() or self
        self._read_pool = QThreadPool(owner)
        self._read_pool.setMaxThreadCount(readers)
        self._write_pool = QThreadPool(owner)
        self._write_pool.setMaxThreadCount(1)  # cache writes are serialised
        self._long_pool = QThreadPool(owner)
        self._long_pool.setMaxThreadCount(1)
        self._active: dict[_Signals, TaskHandle] = {}
        self.bus = ChangeBus(self)
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

        If ``fn`` accepts ``progress``, ``changed`` and/or ``cancel`` keyword
        arguments they are supplied: callbacks that re-emit on the GUI thread
        (``changed`` into the bus, coalesced), and the handle's token.  A result
        that is or carries ``Changes`` is published before ``on_success`` runs.
        """
        token = CancelToken()
        reads = not (writes or long_running)
        handle = TaskHandle(token, reads=reads)
        signals = _Signals()  # created on the GUI thread, so its slots run there
        params = inspect.signature(fn).parameters
        if "cancel" in params:
            kwargs["cancel"] = token
        if "progress" in params:
            kwargs["progress"] = signals.progress.emit
        if "changed" in params:
            kwargs["changed"] = signals.changed.emit
            signals.changed.connect(self.bus.publish_soon)
            # Connected before the caller's slots: views hold every page when the job's end is told.
            signals.succeeded.connect(self._flush_bus)
            signals.failed.connect(self._flush_bus)
        if on_progress:
            signals.progress.connect(on_progress)
        signals.succeeded.connect(self._publish_result)  # before on_success: it may act on the fresh views
        if on_success:
            signals.succeeded.connect(on_success)
        signals.failed.connect(on_failure or self._log_failure)
        signals.finished.connect(lambda: self._finish(signals))
        self._active[signals] = handle
        pool = self._long_pool if long_running else self._write_pool if writes else self._read_pool
        pool.start(_Job(fn, args, kwargs, signals, skip_when=token if reads else None))
        return handle

    def _flush_bus(self, _outcome: object) -> None:
        self.bus.flush()

    def _publish_result(self, result: object) -> None:
        changes = result if isinstance(result, Changes) else getattr(result, "changes", None)
        if isinstance(changes, Changes):
            self.bus.publish(changes)

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
        self.bus.stop()
        self.cancel_all()
        pools = (self._read_pool, self._write_pool, self._long_pool)
        emptied = [pool.waitForDone(timeout_ms) for pool in pools]  # a list: every pool waits, even after a timeout
        return all(emptied)


def live_runners() -> list[TaskRunner]:
    """Runners still alive (the test guard checks none has work left)."""
    return list(_runners)


class LatestRequest:
    """Latest request wins: results of jobs started before the newest ``run`` (or ``invalidate``) are dropped.

    ``also`` starts another job of the current request (a table's row count
    beside its first page); it is dropped with the rest when a newer request
    comes.  One object per thing that asks (a detail panel, a search box).

    A dropped job that only reads is also cancelled: one still queued is not
    run, and one that accepts ``cancel`` may stop early (a table's count, see
    ``app.store.interruptible``), so the newest request's jobs do not wait
    behind answers nobody will look at.  Writes always run to their end.
    """

    def __init__(self, runner: TaskRunner) -> None:
        self._runner = runner
        self._generation = 0
        self._reads: list[TaskHandle] = []  # the current request's read jobs not known to be done

    def invalidate(self) -> None:
        """Drop the results of every job started so far, and cancel the reads among them."""
        self._generation += 1
        for handle in self._reads:
            handle.cancel()
        self._reads.clear()

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskHandle:
        """A new request: earlier jobs' results are dropped, this one's delivered (arguments as ``also``)."""
        self.invalidate()
        return self.also(fn, *args, **kwargs)

    def also(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> TaskHandle:
        """Another job of the current request."""
        generation = self._generation

        def current() -> bool:
            return generation == self._generation

        def succeeded(result: Any) -> None:
            if current() and on_success is not None:
                on_success(result)

        def failed(exc: BaseException) -> None:
            if not current():
                return
            if on_failure is not None:
                on_failure(exc)
            else:
                TaskRunner._log_failure(exc)

        handle = self._runner.run(fn, *args, on_success=succeeded, on_failure=failed, **kwargs)
        if handle.reads:
            self._reads = [h for h in self._reads if not h.done]
            self._reads.append(handle)
        return handle
