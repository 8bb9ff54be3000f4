"""Sub-commands that need Qt: ``self-test`` (the installer's smoke test)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

from app.config.paths import ENV_DATA_DIR, Paths

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.main_window import MainWindow


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


def _wait_idle(context: AppContext) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + 30
    while context.runner.active_count and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)


def _charts_drawn(window: MainWindow) -> int:
    """Paint every pane with the data it loaded (charts draw here); count the charts among them.

    The installer's smoke test runs this on a synced cache to prove the bundle
    can draw (numpy, pyqtgraph, Qt's painting); pyqtgraph is imported only by
    panes that showed a chart, so an empty cache counts none.
    """
    for pane in window.panes:
        window.tabs.setCurrentWidget(pane)
        pane.grab()
    graphics = sys.modules.get("pyqtgraph")
    return len(window.findChildren(graphics.GraphicsView)) if graphics is not None else 0


def _probe_round(context: AppContext) -> int:
    """One round of the workstation's probes (services synced with a URL, probes in the settings), in the background."""
    from app.probes.runner import ProbeRound, run_probes

    rounds: list[ProbeRound] = []
    context.runner.run(run_probes, context.cache.engine, context.settings, long_running=True, on_success=rounds.append)
    _wait_idle(context)
    return len(rounds[0].results) if rounds else 0


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
    _wait_idle(context)
    built = [p.title for p in window.panes if p.built]
    charts = _charts_drawn(window)
    probed = _probe_round(context)
    window.close()
    context.cache.dispose()
    damaged = context.cache.damaged
    ok = len(built) == len(window.panes) and damaged is None
    cache = f"; the cache failed its integrity check ({damaged}) and was rebuilt" if damaged else ""
    print(f"self-test {'ok' if ok else 'FAILED'}: {len(built)}/{len(window.panes)} panes ({', '.join(built)}), "
          f"{charts} charts drawn, {probed} services probed "
          f"in {time.perf_counter() - started:.2f} s; data dir {paths.data_dir}{cache}")
    for notice in context.notices:  # what opening the cache found (damage, recovered changes), bad settings
        print(notice)
    return 0 if ok else 1
