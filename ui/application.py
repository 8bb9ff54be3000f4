"""Starting the window: paths, logs, settings, cache, theme — and clear messages when one fails.

``build_context`` is shared by the real window, ``--demo`` and ``self-test``,
so the smoke test exercises the same start-up path users get.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from app import __version__, logs
from app.config import settings as cfg
from app.config.paths import APP_AUTHOR, APP_NAME, Paths
from app.secrets import SecretStore
from app.store.database import open_cache
from app.store.migrations import MigrationError
from app.tasks import Progress
from resources import resource_path
from ui import settings_keys
from ui.context import AppContext
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from ui.demo import DemoSession

log = logging.getLogger(__name__)


def application() -> QApplication:
    """The QApplication, created once with the app's name, icon and theme."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qapp = QApplication(sys.argv[:1])
    qapp.setApplicationName(APP_NAME)
    qapp.setOrganizationName(APP_AUTHOR)
    qapp.setApplicationDisplayName("Ops Console")
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName("opsconsole")
    qapp.setWindowIcon(QIcon(str(resource_path("icons/opsconsole.svg"))))
    qapp.setStyle("Fusion")
    qapp.setStyleSheet(resource_path("theme.qss").read_text(encoding="utf-8"))
    return qapp


def resolve_paths(args: argparse.Namespace) -> Paths:
    if getattr(args, "demo", False) and not args.data_dir:
        return Paths.resolve(tempfile.mkdtemp(prefix="opsconsole-demo-"))
    return Paths.resolve(args.data_dir)


def build_context(paths: Paths, *, verbose: bool = False, full_check: bool = False) -> AppContext:
    """Open everything the window needs; raises MigrationError when the cache cannot be upgraded.

    The window checks the whole cache file in the background once it is up;
    ``full_check`` does it here, before anything reads it (``self-test``).
    """
    paths.ensure()
    logs.configure(paths.log_file, verbose=verbose)
    log.info("Ops Console %s starting, data dir %s", __version__, paths.data_dir)
    loaded = cfg.load(paths.settings)
    for problem in loaded.problems:
        log.warning("settings: %s", problem)
    settings_keys.use_data_dir(paths.data_dir)
    cache = open_cache(paths.cache, full_check=full_check)
    notices = list(cache.notices)
    if loaded.problems:
        notices.append("Some settings were not valid and their defaults are used:\n• " + "\n• ".join(loaded.problems))
    return AppContext(paths, loaded, cache, SecretStore(paths.secrets_file), TaskRunner(), notices=notices)


def initial_sync(context: AppContext, demo: DemoSession, parent: QWidget | None = None) -> None:
    """Fill a fresh demo cache from ``demo``'s backend before the window opens, with a progress bar."""
    from app.sync.engine import SyncEngine

    dialog = QProgressDialog("Generating the demo business…", "Skip", 0, 0, parent)
    dialog.setWindowTitle("Ops Console demo")
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(420)
    loop = QEventLoop()
    engine = SyncEngine(context.cache.engine, demo.sync_config)

    def show(progress: Progress) -> None:
        dialog.setLabelText(f"Syncing {progress.label}: {progress.done:,} rows")

    handle = context.runner.run(
        engine.run_once, on_progress=show, on_success=lambda _r: loop.quit(), on_failure=lambda _e: loop.quit(),
        long_running=True,
    )
    dialog.canceled.connect(handle.cancel)
    dialog.show()
    loop.exec()
    dialog.close()


def run(args: argparse.Namespace) -> int:
    """``opsconsole`` and ``opsconsole --demo``: open the window and run until it closes."""
    qapp = application()
    paths = resolve_paths(args)
    try:
        context = build_context(paths, verbose=args.verbose)
    except MigrationError as exc:
        QMessageBox.critical(None, "Ops Console cannot start", str(exc))
        return 1
    if args.demo:
        from ui.demo import start_demo

        context.demo = start_demo(args.demo_role)
        initial_sync(context, context.demo)
    from ui.main_window import MainWindow

    window = MainWindow(context)
    window.show()
    window.check_cache_integrity()
    window.sync.start()
    for notice in context.notices:
        QTimer.singleShot(0, lambda n=notice: QMessageBox.information(window, "Ops Console", n))
    code = qapp.exec()
    if context.demo is not None:
        context.demo.stop()
    context.cache.dispose()
    return code
