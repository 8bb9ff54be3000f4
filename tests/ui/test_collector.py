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
    assert collector.install(qapp) is guard  # once per parent: found again by its name
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


def test_the_first_full_collection_freezes_the_survivors_and_later_garbage_still_dies(qtbot, qapp):
    session_guard = collector.install(qapp)
    fresh = collector.GuiThreadCollector()
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    survivor = [[i] for i in range(1_000)]  # alive through the full collection: frozen with the rest
    try:
        gc.set_threshold(1, 1, 1)
        for generation in (1, 1, 0, 0):
            gc.collect(generation)  # each counts towards the next generation: every one is due
        held = [[i] for i in range(10)]  # and the youngest, by allocations
        fresh.collect_due()
        assert fresh.froze
        assert gc.get_freeze_count() >= frozen_before + len(survivor)
        destroyed_on: list[int] = []
        _Cyclic(destroyed_on)  # garbage made after the freeze
        held += [[i] for i in range(10)]
        fresh.collect_due()
        assert destroyed_on == [threading.get_ident()]
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        session_guard.froze = fresh.froze = False
        fresh.deleteLater()
