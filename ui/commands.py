"""Sub-commands that need Qt: ``self-test`` (the installer's smoke test)."""

from __future__ import annotations

import argparse
import os
import time

from app.config.paths import ENV_DATA_DIR, Paths


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "self-test",
        help="check the whole cache file, build the main window offscreen, open every pane, exit 0 when all is well",
    )
    parser.set_defaults(handler=self_test)


def self_test(args: argparse.Namespace) -> int:
    """Start the real window on a throw-away data dir (unless --data-dir), show each pane, close."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.application import application

    started = time.perf_counter()
    application()
    with tempfile.TemporaryDirectory(prefix="opsconsole-selftest-") as scratch:
        # --data-dir or OPSCONSOLE_DATA_DIR test that cache; otherwise a throw-away one.
        paths = Paths.resolve(args.data_dir or os.environ.get(ENV_DATA_DIR) or scratch)
        return _open_every_pane(paths, args.verbose, started)


def _open_every_pane(paths: Paths, verbose: bool, started: float) -> int:
    from PySide6.QtCore import QCoreApplication

    from ui.application import build_context
    from ui.main_window import MainWindow

    context = build_context(paths, verbose=verbose, full_check=True)
    window = MainWindow(context)
    window.show()
    for pane in window.panes:
        window.tabs.setCurrentWidget(pane)
        pane.ensure_built()
        QCoreApplication.processEvents()
    deadline = time.monotonic() + 30
    while context.runner.active_count and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    built = [p.title for p in window.panes if p.built]
    window.close()
    context.cache.dispose()
    damaged = context.cache.damaged
    ok = len(built) == len(window.panes) and damaged is None
    cache = f"; the cache failed its integrity check ({damaged}) and was rebuilt" if damaged else ""
    print(f"self-test {'ok' if ok else 'FAILED'}: {len(built)}/{len(window.panes)} panes ({', '.join(built)}) "
          f"in {time.perf_counter() - started:.2f} s; data dir {paths.data_dir}{cache}")
    for notice in context.notices:  # what opening the cache found (damage, recovered changes), bad settings
        print(notice)
    return 0 if ok else 1
