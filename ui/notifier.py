"""The one notification service: alert rules evaluated after each sync and every minute, announced once.

The rules and the recording are the core's (``app.alerts.run_alerts`` over
``app.notifications``: transitions only, deduplicated, quiet for the first
sync's history and for muted kinds).  This service runs that pass on the
task runner's write queue -- after every sync pass and on a one-minute timer,
since some alerts come with the passing of time (a ticket entering its
pre-breach window) rather than with new data -- and announces what the pass
says is new: a desktop message where the desktop has a system tray, and in
every case the in-app list (the status-bar bell, which follows the
notifications table on the change bus).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from app.config.settings import Settings
from app.notices import CRITICAL, Notice
from app.store.database import Cache
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from app.alerts import AlertRun

log = logging.getLogger(__name__)

INTERVAL_MS = 60_000
TRAY_MESSAGE_MS = 10_000


def alert_pass(cache: Cache, settings: Settings) -> AlertRun:
    """``app.alerts.run_alerts``, imported on the worker that runs it: every rule's module and the cache's
    schema load there, after the window is up, rather than with the notifier the window makes at start-up."""
    from app.alerts import run_alerts

    return run_alerts(cache.engine, settings)


def tray_text(notices: Sequence[Notice]) -> tuple[str, str]:
    """(title, body) of one desktop message for ``notices`` (several new ones share one message)."""
    if len(notices) == 1:
        return notices[0].title, notices[0].body
    titles = [n.title for n in notices[:3]]
    more = f"\n… and {len(notices) - 3} more" if len(notices) > 3 else ""
    return f"{len(notices)} new notifications", "\n".join(titles) + more


class Notifier(QObject):
    """Runs the alert pass and announces its news; ``tray`` is None where the desktop has no tray."""

    announced = Signal(list)  # the notices the last pass announced (list[Notice])
    open_requested = Signal()  # the user clicked a desktop message: show the window and the list

    def __init__(
        self,
        cache: Cache,
        runner: TaskRunner,
        settings: Callable[[], Settings],
        icon: QIcon | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._cache = cache
        self._runner = runner
        self._settings = settings
        self._running = False
        self._again = False
        self._timer = QTimer(self, interval=INTERVAL_MS)
        self._timer.setObjectName("alertsTimer")
        self._timer.timeout.connect(self.run)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon or QIcon(), self)
            self.tray.setToolTip("Ops Console")
            self.tray.messageClicked.connect(self.open_requested)
            self.tray.activated.connect(lambda _reason: self.open_requested.emit())
            self.tray.show()

    def start(self) -> None:
        """Evaluate the rules now and every minute from now on."""
        self._timer.start()
        self.run()

    def stop(self) -> None:
        """The window is closing: no more passes, no tray icon."""
        self._timer.stop()
        if self.tray is not None:
            self.tray.hide()

    def run(self) -> None:
        """One pass of every alert rule (after a sync, on the timer); a pass asked for meanwhile follows it."""
        if self._running:
            self._again = True
            return
        self._running = True
        self._runner.run(alert_pass, self._cache, self._settings(), writes=True,
                         on_success=self._ran, on_failure=self._failed)

    def announce(self, notices: Sequence[Notice]) -> None:
        """Tell the user about ``notices``: a desktop message where there is a tray (the bell shows them anyway)."""
        if not notices:
            return
        if self.tray is not None:
            title, body = tray_text(notices)
            critical = any(n.severity == CRITICAL for n in notices)
            icon = QSystemTrayIcon.MessageIcon.Critical if critical else QSystemTrayIcon.MessageIcon.Warning
            self.tray.showMessage(title, body, icon, TRAY_MESSAGE_MS)
        self.announced.emit(list(notices))

    def _ran(self, run: AlertRun) -> None:
        for name, error in run.errors.items():
            log.warning("alert rule %s failed: %s", name, error)
        self.announce(run.announced)
        self._finished()

    def _failed(self, exc: BaseException) -> None:
        log.error("alert pass failed: %s", exc)
        self._finished()

    def _finished(self) -> None:
        self._running = False
        if self._again:
            self._again = False
            self.run()
