"""Every UI fixture, for every test under tests/ui: offscreen Qt, QSettings in tmp_path, a task runner, a leak guard.

The guard fails a test that leaves a background task, a pool thread or an
active timer behind (STYLE.md habit 7): such leftovers are how UI tests turn
flaky and how a real window hangs on quit.  The panes' fixtures give them the
hand-worked business and, for the Licenses tab, a signing key.  Functions the
tests call (``settle``, ``show``, ``pane_for``…) are in ``tests/ui/helpers.py``.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from app.clock import utcnow
from app.config.paths import Paths
from app.config.settings import Settings
from app.licensing.keys import KeyStore
from tests.support import dataset
from tests.ui.helpers import KEY_ID, PASSPHRASE
from ui import collector
from ui.dialogs import passphrase
from ui.dialogs.passphrase import Unlock
from ui.panes.tickets import TicketsPane
from ui.workers import TaskRunner, live_runners


@pytest.fixture(scope="session", autouse=True)
def gui_thread_collector(qapp):
    """Garbage is collected on the GUI thread only, as in the window (``ui.collector``)."""
    guard = collector.install(qapp)
    yield guard
    guard.stop()


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path):
    """Window state goes to tmp_path, never to the user's real QSettings."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture(autouse=True)
def no_leftover_work(qapp, gui_thread_collector):
    """Fail the test if it leaves tasks, threads or timers running."""
    threads_before = {t.ident for t in threading.enumerate()}
    yield
    problems = []
    for runner in live_runners():
        if not shiboken6.isValid(runner):  # its Qt side was deleted with its owner: nothing can run
            continue
        try:
            active = runner.active_count
            if active:
                problems.append(f"a TaskRunner still has {active} unfinished task(s)")
            runner.shutdown(5000)
        except RuntimeError:  # its Qt pools were already deleted with their owner
            continue
    QCoreApplication.processEvents()
    if QThreadPool.globalInstance().activeThreadCount():
        problems.append("the global QThreadPool still runs tasks")
        QThreadPool.globalInstance().waitForDone(5000)
    timers = [t for w in QApplication.topLevelWidgets() for t in w.findChildren(QTimer) if t.isActive()]
    timers += [t for t in qapp.findChildren(QTimer) if t.isActive() and t is not gui_thread_collector.timer]
    if timers:
        problems.append(f"{len(timers)} QTimer(s) still active: {[t.objectName() or repr(t) for t in timers]}")
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.processEvents()
    new_threads = [t for t in threading.enumerate() if t.ident not in threads_before and t.is_alive() and not t.daemon]
    if new_threads:
        problems.append(f"threads left running: {[t.name for t in new_threads]}")
    if problems:
        pytest.fail("test left work behind: " + "; ".join(problems))


@pytest.fixture(autouse=True)
def tickets_tabs_hidden():
    """A shown Tickets tab re-reads its rows every minute (``ui.panes.tickets.LIVE_MS``) until it is hidden,
    as a window closing hides it; hidden here before the check above looks for running timers."""
    yield
    for widget in QApplication.topLevelWidgets():
        for pane in [widget, *widget.findChildren(TicketsPane)]:
            if isinstance(pane, TicketsPane) and shiboken6.isValid(pane):
                pane.hide()


@pytest.fixture
def runner(qtbot):
    """A task runner that tests must drain (use ``wait_idle``) before they end.

    Owned by Python (no ``deleteLater``): panes keep references to it through
    connected lambdas, and its Qt side must live as long as those do.
    """
    task_runner = TaskRunner()
    yield task_runner
    leftover = task_runner.active_count
    task_runner.shutdown(5000)
    QCoreApplication.processEvents()
    if leftover:
        pytest.fail(f"test ended with {leftover} background task(s) still running; wait for them (wait_idle)")


@pytest.fixture
def context(isolated_data_dir, qapp):
    """What the real window is built from (``build_context``) on the test's data dir."""
    from app.config.paths import Paths
    from ui.application import build_context

    ctx = build_context(Paths.resolve(isolated_data_dir))
    yield ctx
    ctx.runner.shutdown()
    ctx.cache.dispose()


@pytest.fixture
def filled(cache):
    """The cache holding the hand-worked business, dated now (panes read the wall clock)."""
    dataset.fill(cache.engine, utcnow())
    return cache


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def key_template(tmp_path_factory) -> Path:
    """One signing key, generated once per run: stretching a passphrase with scrypt takes a noticeable time."""
    keys_dir = tmp_path_factory.mktemp("keys") / "keys"
    KeyStore(keys_dir).generate(PASSPHRASE, KEY_ID)
    return keys_dir


@pytest.fixture
def paths(isolated_data_dir) -> Paths:
    return Paths(isolated_data_dir)


@pytest.fixture
def keyed(paths, key_template) -> Paths:
    """``paths`` with one active signing key, ``KEY_ID``, locked (a copy of the run's key files)."""
    shutil.copytree(key_template, paths.keys_dir)
    return paths


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Patch the passphrase prompt: it answers ``PASSPHRASE`` (15 min) and records the error it was shown."""
    calls: list[str] = []

    def fake_ask(parent, key_id, error=""):
        calls.append(error)
        return Unlock(PASSPHRASE, 15)

    monkeypatch.setattr(passphrase, "ask", fake_ask)
    return calls
