"""Starting the window: paths, logs, settings, cache, theme — and clear messages when one fails.

``build_context`` is shared by the real window, ``--demo`` and ``self-test``,
so the smoke test exercises the same start-up path users get.  A data folder
or settings file that cannot be used, or a cache that cannot be upgraded,
ends the start with one sentence in a dialog (and on stderr), exit code 1.

``--demo`` keeps its data in the ``demo`` folder of the data folder: its
cache (the next demo start syncs only what changed), its window layout and
theme; ``--fresh`` empties that folder first.  Nothing is left in the system's
temporary folder.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from typing import TYPE_CHECKING

from ui import feature_hook  # noqa: F401  # before the rest: see its docstring

# isort: split
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from app import __version__, logs
from app.config.paths import APP_AUTHOR, APP_NAME, Paths
from app.config.startup import StartupError, open_data_dir, read_settings
from app.secrets import SecretStore
from app.store.database import open_cache
from app.store.migrations import MigrationError
from app.tasks import Progress
from resources import resource_path
from ui import collector, settings_keys, theme
from ui.context import AppContext
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from ui.demo import DemoSession

log = logging.getLogger(__name__)

DEMO_FOLDER = "demo"


def application() -> QApplication:
    """The QApplication, created once with the app's name, icon and theme."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qapp = QApplication([*sys.argv[:1], "-style", "Fusion"])  # not setStyle(): it returns a QStyle, 4 ms to wrap
    qapp.setApplicationName(APP_NAME)
    qapp.setOrganizationName(APP_AUTHOR)
    qapp.setApplicationDisplayName("Ops Console")
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName("opsconsole")
    qapp.setWindowIcon(QIcon(str(resource_path("icons/opsconsole.svg"))))
    theme.apply_scheme(qapp, theme.scheme_for(theme.SYSTEM))  # the window applies the user's choice
    collector.install(qapp)  # garbage is collected on this thread only (see ui.collector)
    return qapp


def resolve_paths(args: argparse.Namespace) -> Paths:
    """The data folder, or for ``--demo`` its demo folder (emptied first with ``--fresh``); may raise StartupError."""
    paths = open_data_dir(args.data_dir)
    if not getattr(args, "demo", False):
        return paths
    demo = paths.data_dir / DEMO_FOLDER
    if getattr(args, "fresh", False) and demo.exists():
        shutil.rmtree(demo)
    return open_data_dir(demo)


def build_context(paths: Paths, *, verbose: bool = False, full_check: bool = False) -> AppContext:
    """Open everything the window needs; raises StartupError (data folder, settings) or MigrationError (cache).

    The window checks the whole cache file in the background once it is up;
    ``full_check`` does it here, before anything reads it (``self-test``).
    """
    paths = open_data_dir(paths.data_dir)
    logs.configure(paths.log_file, verbose=verbose)
    log.info("Ops Console %s starting, data dir %s", __version__, paths.data_dir)
    loaded = read_settings(paths.settings)
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
    from PySide6.QtWidgets import QProgressDialog

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


def _inform(parent: QWidget, text: str) -> None:
    """A start-up notice (a settings value that fell back to its default), once the window is up."""
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(parent, "Ops Console", text)


def run(args: argparse.Namespace) -> int:
    """``opsconsole`` and ``opsconsole --demo``: open the window and run until it closes."""
    qapp = application()
    try:
        context = build_context(resolve_paths(args), verbose=args.verbose)
    except (StartupError, MigrationError) as exc:
        from PySide6.QtWidgets import QMessageBox  # message boxes load when one opens, not before the first paint

        print(f"opsconsole: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "Ops Console cannot start", str(exc))
        return 1
    if args.demo:
        from ui.demo import start_demo

        context.demo = start_demo(args.demo_role)
        initial_sync(context, context.demo)
    from ui.main_window import MainWindow

    window = MainWindow(context)
    window.show()
    window.start_when_painted()
    for notice in context.notices:
        QTimer.singleShot(0, lambda n=notice: _inform(window, n))
    code = qapp.exec()
    if context.demo is not None:
        context.demo.stop()
    context.cache.dispose()
    return code
