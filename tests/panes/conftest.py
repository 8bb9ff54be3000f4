"""Pane tests: the UI fixtures (QSettings in tmp_path, leak guard, runner) and the hand-worked business."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from app.clock import utcnow
from app.config.settings import Settings
from tests.domain import dataset
from tests.ui.conftest import isolated_qsettings, no_leftover_work, runner, wait_idle  # noqa: F401 - fixtures
from ui.workers import TaskRunner

SIZE = (1280, 800)


@pytest.fixture
def filled(cache):
    """The cache holding the hand-worked business, dated now (panes read the wall clock)."""
    dataset.fill(cache.engine, utcnow())
    return cache


@pytest.fixture
def settings() -> Settings:
    return Settings()


def settle(qtbot, tasks: TaskRunner) -> None:
    """Let the pane fetch what it shows: wait until no job runs, a few event rounds in a row."""
    for _ in range(3):
        wait_idle(qtbot, tasks)
        qtbot.wait(20)
    wait_idle(qtbot, tasks)


def show(qtbot, tasks: TaskRunner, pane: QWidget) -> QWidget:
    qtbot.addWidget(pane)
    pane.resize(*SIZE)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot, tasks)
    return pane
