"""Pane tests: the UI fixtures (QSettings in tmp_path, leak guard, runner) over a copied, migrated cache."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from app.config.settings import Settings
from app.store.outbox import utcnow
from tests.domain import dataset
from tests.domain.conftest import copy_of, migrated_template  # noqa: F401 - fixture
from tests.ui.conftest import isolated_qsettings, no_leftover_work, wait_idle  # noqa: F401 - fixtures
from ui.workers import TaskRunner

SIZE = (1280, 800)


@pytest.fixture
def runner(qtbot):
    """Like ``tests/ui``'s runner, but its Qt side lives as long as its Python side.

    A pane and the lambdas it connects form reference cycles that keep the
    runner's Python wrapper in ``live_runners()`` after the test; if its Qt
    object had been deleted (``deleteLater``), the leak guard's ``shutdown``
    would hit deleted thread pools.  Python ownership avoids that.
    """
    task_runner = TaskRunner()
    yield task_runner
    leftover = task_runner.active_count
    task_runner.shutdown(5000)
    if leftover:
        pytest.fail(f"test ended with {leftover} background task(s) still running; wait for them (wait_idle)")


@pytest.fixture
def cache(migrated_template, isolated_data_dir):  # noqa: F811 - pytest passes the imported fixture
    opened = copy_of(migrated_template, isolated_data_dir / "cache.sqlite3")
    yield opened
    opened.dispose()


@pytest.fixture
def filled(cache):
    """The cache holding the hand-worked business, dated now (panes read the wall clock)."""
    dataset.fill(cache.engine, utcnow())
    return cache


@pytest.fixture
def settings() -> Settings:
    return Settings()


def settle(qtbot, runner: TaskRunner) -> None:
    """Let the pane fetch what it shows: wait until no job runs, a few event rounds in a row."""
    for _ in range(3):
        wait_idle(qtbot, runner)
        qtbot.wait(20)
    wait_idle(qtbot, runner)


def show(qtbot, runner: TaskRunner, pane: QWidget) -> QWidget:
    qtbot.addWidget(pane)
    pane.resize(*SIZE)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot, runner)
    return pane
