"""Run in a fresh process by ``bench_startup``: start a window, print 'shown' once it is painted.

``python -m benchmarks.startup_probe app DATA_DIR`` starts the real Ops Console
window on DATA_DIR; ``python -m benchmarks.startup_probe bare`` a bare
QApplication with an empty QMainWindow (the floor).
"""

from __future__ import annotations

import os
import sys


def _shown_then_exit(window: object) -> None:
    from PySide6.QtCore import QCoreApplication

    window.show()  # type: ignore[attr-defined]  # a QWidget, typed object so Qt loads only when timed
    QCoreApplication.processEvents()
    window.grab()  # type: ignore[attr-defined]  # forces a real paint of every visible widget
    print("shown", flush=True)
    os._exit(0)  # the measurement ends at first paint; teardown is not start-up


def main(argv: list[str]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if argv[0] == "bare":
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv[:1])
        _shown_then_exit(QMainWindow())
        app.exec()
        return
    from app.config.paths import Paths
    from ui.application import application, build_context
    from ui.main_window import MainWindow

    application()
    context = build_context(Paths.resolve(argv[1]))
    _shown_then_exit(MainWindow(context))


if __name__ == "__main__":
    main(sys.argv[1:])
