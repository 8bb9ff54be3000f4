"""Probes from this workstation, every few seconds while the backend answers: the core decides who is due.

``app.probes.runner.run_probes`` reads from the cache which services are due
(their interval, or the retry interval after a failure), probes them in
parallel with bounded timeouts and stores the results; this controller only
ticks, on the task runner's long-job thread (probes are network I/O), never
two rounds at once, and pauses while the sync says the backend is out of
reach.  What a round wrote reaches the panes through the change bus.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from ui.context import AppContext
from ui.workers import TaskHandle

if TYPE_CHECKING:
    from app.probes.runner import ProbeRound

log = logging.getLogger(__name__)


class ProbeController(QObject):
    TICK_MS = 5_000  # how often to ask who is due (a round with nobody due costs a few small queries)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._timer = QTimer(self, interval=self.TICK_MS)
        self._timer.setObjectName("probeSchedule")
        self._timer.timeout.connect(self.tick)
        self._running: TaskHandle | None = None
        self.rounds = 0

    def set_online(self, online: bool) -> None:
        """Probe while the backend is reachable; pause while the workstation seems offline."""
        if online and not self._timer.isActive():
            self._timer.start()
            self.tick()
        elif not online:
            self._timer.stop()

    def tick(self) -> None:
        if self._running is not None or not self.context.settings.health.probes_enabled:
            return
        from app.probes.runner import run_probes  # requests and TLS: not needed before the window shows

        self._running = self.context.runner.run(
            run_probes, self.context.cache.engine, self.context.settings, long_running=True,
            on_success=self._done, on_failure=self._failed,
        )

    def _done(self, result: ProbeRound) -> None:
        self._running = None
        self.rounds += 1

    def _failed(self, exc: BaseException) -> None:
        self._running = None
        log.warning("probe round failed: %s", exc)

    def stop(self) -> None:
        self._timer.stop()
        if self._running is not None:
            self._running.cancel()
