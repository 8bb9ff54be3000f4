"""Garbage holding Qt objects is collected on the GUI thread, never on a worker that happens to allocate."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Qt, QTimer

from ui import collector


class _Cyclic:
    """Only a reference cycle keeps this, and the QObject it owns, alive."""

    def __init__(self, record: list[int]) -> None:
        self.me = self
        self.qobject = QObject()
        self.timer = QTimer(self.qobject)  # a child with a timer: what Qt must not destroy off its thread
        self.qobject.destroyed.connect(lambda: record.append(threading.get_ident()),
                                       Qt.ConnectionType.DirectConnection)


def test_a_cycle_holding_a_qobject_dies_on_the_gui_thread(qtbot, qapp):
    guard = collector.install(qapp)
    assert not gc.isenabled() and guard.timer.isActive()
    gc.collect()
    destroyed_on: list[int] = []
    _Cyclic(destroyed_on)

    kept: list[list[int]] = []

    def allocate() -> None:  # far past the youngest generation's threshold: automatic collection would run here
        kept.extend([i] for i in range(200_000))

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join(10)
    assert destroyed_on == []  # the worker's allocations collected nothing
    qtbot.waitUntil(lambda: destroyed_on != [], timeout=5_000)  # the timer's collection, on this thread
    assert destroyed_on == [threading.get_ident()]
