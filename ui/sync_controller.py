"""Keeps the cache fresh: scheduled and on-demand sync passes, reported as signals.

The engine (``app.sync``) is Qt-free and synchronous; this controller runs it
on the task runner's long-job thread (where it is also imported: requests and
stripe cost half a second that start-up should not pay), re-emits its progress on the GUI thread,
hands the engine the task runner's ``changed`` callback so every page shows as it lands (the
runner's change bus coalesces them), and arms a single-shot timer with the engine's back-off policy: the settings'
interval while the backends answer, growing retries while they do not.

A pass can be cancelled (the status bar's Cancel): the engine stops between
pages, every page it committed stays with its cursor, and the next pass
resumes there.  Failures are told in words (``app.connectors.explain``) through
``problem``, with the technical text as details.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.connectors.explain import explain
from app.sync.backoff import Backoff
from app.tasks import Cancelled
from app.views import status
from ui.status_bar import ERROR, NOT_CONFIGURED, OFFLINE, ONLINE, SYNCING

if TYPE_CHECKING:  # names in annotations only: the window's start does not load the connectors' config
    from app.connectors.config import SyncConfig
    from app.store.changes import ChangeCallback
    from app.sync.engine import SyncEngine
    from app.sync.report import SyncReport
    from app.tasks import CancelToken, Progress, ProgressCallback
    from ui.context import AppContext
    from ui.workers import TaskHandle

log = logging.getLogger(__name__)


def config_from(context: AppContext) -> SyncConfig:
    """Settings + stored tokens (+ environment overrides), or the in-process demo backend."""
    from app.sync.backends import sync_config

    if context.demo is not None:
        return context.demo.sync_config
    return sync_config(context.settings, context.secrets)


class SyncController(QObject):
    state_changed = Signal(str, object, str)  # state, last full success (naive UTC) or None, detail
    progress = Signal(str, int, object)  # resource, rows done, total or None
    finished = Signal()  # a pass ended (the cache may have changed)
    outbox_changed = Signal(int, int)  # pending, refused
    not_stored_changed = Signal(int, str)  # rows in quarantine, per-resource detail
    role_changed = Signal(str)
    problem = Signal(str, str)  # what went wrong in words, the technical details
    recovered = Signal()  # a pass succeeded: earlier problems are over

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        # Read on a worker by ``start``: the keyring may block (a D-Bus unlock
        # prompt) and loading its backends costs a fifth of a second.
        self._config: SyncConfig | None = None
        self._engine: SyncEngine | None = None  # built on the worker thread at the first pass
        self._backoff = Backoff(interval=context.settings.sync.interval_minutes * 60.0)
        self._timer = QTimer(self, singleShot=True)
        self._timer.setObjectName("syncSchedule")
        self._timer.timeout.connect(self._run_pass)
        self._running: TaskHandle | None = None
        self._stopped = False
        self.cancelling = False

    # -- state read from the cache (small, fixed-size queries)

    def last_success(self) -> dt.datetime | None:
        """The last time every resource that has synced at all succeeded (the oldest of them)."""
        return status.last_success(self.context.cache.engine)

    def current_role(self) -> str:
        return status.current_role(self.context.cache.path, self.context.settings.sync.offline_role)

    def refresh_outbox(self) -> None:
        """Count the outbox again (a change landed in it): the status bar shows what waits and what was refused."""
        self.outbox_changed.emit(*status.outbox_counts(self.context.cache.engine))

    def _emit_not_stored(self, counts: dict[str, int]) -> None:
        """How many rows the cache could not store, per resource (``app.sync.quarantine``)."""
        detail = "\n".join(f"{resource}: {n:,}" for resource, n in sorted(counts.items()) if n)
        if detail:
            detail = ("Rows the backends sent that the cache could not store:\n" + detail
                      + "\nFixed at the source, they are stored by the next sync; "
                      "the command opsconsole sync lists them.")
        self.not_stored_changed.emit(sum(counts.values()), detail)

    @property
    def configured(self) -> bool:
        config = self._config
        return config is not None and (config.ops_enabled or config.stripe_enabled)

    # -- commands

    def start(self) -> None:
        """Read the backend config (settings + keyring) in the background, then sync if one is configured."""
        self.refresh_outbox()
        self._emit_not_stored(status.rows_not_stored(self.context.cache.engine))
        self.context.runner.run(config_from, self.context, on_success=self._config_loaded,
                                on_failure=self._config_failed, long_running=True)

    def _config_failed(self, exc: BaseException) -> None:
        """The tokens could not be read (a locked keyring): say so; the cache stays usable offline."""
        log.warning("backend configuration: %s", exc)
        self.state_changed.emit(NOT_CONFIGURED, self.last_success(), str(exc))
        self.problem.emit(f"Ops Console cannot sync: {exc}", f"{type(exc).__name__}: {exc}")

    def _config_loaded(self, config: SyncConfig) -> None:
        self._config = config
        self.state_changed.emit(ONLINE if self.configured else NOT_CONFIGURED, self.last_success(), "")
        if self.configured and not self._stopped:
            self._timer.start(0)

    def sync_now(self) -> None:
        """File ▸ Sync now: a pass at once, forgetting any back-off from earlier failures."""
        self._backoff.reset()
        if self._config is None:
            self.start()  # the pass follows once the config is read
        else:
            self._run_pass()

    def _run_pass(self) -> None:
        if self._running is not None or self._stopped:
            return
        if not self.configured:
            self.state_changed.emit(NOT_CONFIGURED, self.last_success(), "")
            return
        self._timer.stop()
        self.state_changed.emit(SYNCING, self.last_success(), "")
        self._running = self.context.runner.run(
            self._pass,
            on_success=self._done,
            on_failure=self._failed,
            on_progress=self._progress,
            long_running=True,
        )

    def stop(self) -> None:
        """The window is closing: no more passes, and cancel the one running."""
        self._stopped = True
        self._timer.stop()
        if self._running is not None:
            self._running.cancel()

    @property
    def running(self) -> bool:
        return self._running is not None

    def cancel(self) -> None:
        """The user's Cancel: stop the pass between pages; what it committed stays, the next pass resumes."""
        if self._running is not None and not self.cancelling:
            self.cancelling = True
            self._running.cancel()

    def settings_changed(self) -> None:
        """Settings or tokens were edited: re-read the config and sync with it."""
        self._backoff.interval = self.context.settings.sync.interval_minutes * 60.0
        self.start()

    def _pass(self, progress: ProgressCallback, cancel: CancelToken, changed: ChangeCallback) -> SyncReport:
        """One sync pass; runs on the long-job thread."""
        from app.sync.engine import SyncEngine

        assert self._config is not None  # passes start only once the config is read
        if self._engine is None or self._engine.config != self._config:
            self._engine = SyncEngine(self.context.cache.engine, self._config)
        return self._engine.run_once(progress, cancel, changed)

    # -- results

    def _progress(self, progress: Progress) -> None:
        self.progress.emit(progress.label, progress.done, progress.total)

    def _done(self, report: SyncReport) -> None:
        self._running = None
        self.cancelling = False
        explained = explain(report.errors)
        if explained is None:
            self.state_changed.emit(ONLINE, self.last_success(), "")
            self.recovered.emit()
        else:
            state = OFFLINE if report.offline else ERROR
            self.state_changed.emit(state, self.last_success(), explained.summary)
            self.problem.emit(explained.summary + " Showing what the cache holds.", explained.details)
        self.role_changed.emit(self.current_role())
        self._emit_not_stored({name: r.not_stored for name, r in report.resources.items()})
        self.finished.emit()
        self._schedule(failed=not report.ok)

    def _failed(self, exc: BaseException) -> None:
        self._running = None
        cancelled = isinstance(exc, Cancelled)
        self.cancelling = False
        if cancelled:
            self.state_changed.emit(ONLINE, self.last_success(),
                                    "sync cancelled — the next sync continues where it stopped")
        else:
            log.error("sync failed: %s", exc)
            self.state_changed.emit(ERROR, self.last_success(), "the sync stopped unexpectedly")
            self.problem.emit("The sync stopped unexpectedly; the cache keeps what it had. "
                              "The next sync tries again.", f"{type(exc).__name__}: {exc}")
        self.finished.emit()
        self._schedule(failed=not cancelled)

    def _schedule(self, *, failed: bool) -> None:
        delay = self._backoff.next_delay(failed)
        if not self._stopped:
            self._timer.start(int(delay * 1000))
