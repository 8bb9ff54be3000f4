"""Python's cyclic garbage collector runs on the GUI thread only.

Left automatic, a collection runs on whichever thread happens to allocate.  A
worker computing figures could then destroy a Qt object from an earlier
screen (one held only by a reference cycle) on its own thread: ``~QObject``
there takes Qt's connection lock and then waits for the interpreter lock,
while the GUI thread holds the interpreter lock and waits for that Qt lock
(inserting a tab, say).  The window froze for good that way; a native stack
dump showed both threads.  So, as qutebrowser does, automatic collection is
turned off and the GUI thread collects from a timer, by the interpreter's own
generation thresholds, so a collection costs what an automatic one would.

The first full collection's survivors -- the modules, classes and panes of
start-up, which live as long as the window -- are then frozen
(``gc.freeze``): a full collection walks only what came after them.  Walking
everything again took 22 ms of the GUI thread each time in the big-table
benchmark's process, longer than a frame.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from app import collector

INTERVAL_MS = 1000
NAME = "garbageCollector"


class GuiThreadCollector(QObject):
    """Collects garbage on the thread it lives on (the GUI thread), once per ``INTERVAL_MS`` when due."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(NAME)
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self.collect_due)
        self.froze = False

    def start(self) -> None:
        collector.collect_manually()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.froze:
            gc.unfreeze()
            self.froze = False
        collector.collect_automatically()

    def collect_due(self) -> None:
        """Collect the generations past their thresholds, as the automatic collector would."""
        if collector.is_paused():  # bulk work on a worker: it asked for no collection meanwhile
            return
        thresholds, counts = gc.get_threshold(), gc.get_count()
        for generation in range(3):
            if counts[generation] <= thresholds[generation]:
                break
            gc.collect(generation)
            if generation == 2 and not self.froze:
                gc.freeze()  # what start-up left is the program itself: never walked again
                self.froze = True


def install(parent: QObject) -> GuiThreadCollector:
    """Collect on ``parent``'s thread (the application's, i.e. the GUI thread) from now on; once per parent.

    The guard is looked up by name: a lookup by type alone makes PySide wrap
    every child of the application, its ``QStyle`` among them (4 ms at start).
    """
    guard = parent.findChild(GuiThreadCollector, NAME) or GuiThreadCollector(parent)
    guard.start()
    return guard
