"""What a user does to the big table, scripted: scroll, sort, search — with the GUI thread's longest stall.

``run_script`` drives a ``QTableView`` through the steps while a heartbeat
timer on the GUI thread notes how late each of its ticks came: a tick is late
by as long as the event loop could not run (a query on the GUI thread, a
model reset, a repaint), which is what a user feels as a frozen window.  Each
step starts once the rows in view of the previous one have arrived.

``python -m benchmarks.table_probe CACHE`` runs the script on our model over
the Tickets spec in a fresh process and prints its resident memory (kB) at the
end, so ``bench_table`` can compare a million-row cache with an empty one.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HEARTBEAT_MS = 2
VIEW_SIZE = (1280, 720)
WORDS = ("phone", "crash", "user123457")  # in every second row; in one row of six; in exactly one row


def steps(view: Any, model: Any, sort_column: int, search: Callable[[str], None]) -> list[Callable[[], None]]:
    """The user's actions, in order: scroll around, sort both ways, search a common and a rare word, clear."""
    from PySide6.QtCore import Qt

    bar = view.verticalScrollBar()

    def scroll_to(fraction: float) -> Callable[[], None]:
        return lambda: bar.setValue(int(bar.maximum() * fraction))

    def page_down() -> None:
        bar.setValue(bar.value() + bar.pageStep())

    return [
        scroll_to(0.5), page_down, page_down, scroll_to(1.0), scroll_to(0.0), page_down,
        lambda: model.sort(sort_column, Qt.SortOrder.DescendingOrder), page_down,
        lambda: model.sort(sort_column, Qt.SortOrder.AscendingOrder), scroll_to(0.5),
        *(lambda w=word: search(w) for word in WORDS), page_down,
        lambda: search(""), scroll_to(0.25),
    ]


def shown_view(model: Any) -> Any:
    """A shown view of ``model`` of the class every big table of the app shows its rows in."""
    from ui.widgets.rows_view import RowsView

    view = RowsView()
    view.resize(*VIEW_SIZE)
    view.setModel(model)
    view.show()
    return view


def rows_in_view_loaded(view: Any, model: Any) -> bool:
    """The rows the view shows hold data (our model shows '…' until a page arrives)."""
    rows = model.rowCount()
    if rows == 0:
        return bool(getattr(model, "row_count_known", True))  # an empty table, once counted, is all there
    top = max(view.rowAt(0), 0)
    bottom = view.rowAt(view.viewport().height() - 1)
    bottom = rows - 1 if bottom < 0 else bottom
    key_at = getattr(model, "key_at", None)
    if key_at is None:
        return True  # QSqlTableModel: whatever it shows, it fetched on the GUI thread
    return key_at(top) is not None and key_at(bottom) is not None


def run_script(view: Any, model: Any, actions: list[Callable[[], None]], timeout_s: float = 120.0) -> float:
    """Run ``actions`` one after the other through the event loop; seconds of the longest GUI-thread stall."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    heartbeat = QTimer(interval=HEARTBEAT_MS, timerType=Qt.TimerType.PreciseTimer)
    pending = list(actions)
    state = {"last": time.perf_counter(), "worst": 0.0, "deadline": time.perf_counter() + timeout_s}

    def beat() -> None:
        now = time.perf_counter()
        state["worst"] = max(state["worst"], now - state["last"] - HEARTBEAT_MS / 1000)
        if now > state["deadline"]:
            loop.exit(1)
        elif rows_in_view_loaded(view, model):
            if not pending:
                loop.exit(0)
                return
            pending.pop(0)()  # the action's own time counts into the next beat's lateness
        state["last"] = now

    heartbeat.timeout.connect(beat)
    heartbeat.start()
    code = loop.exec()
    heartbeat.stop()
    if code:
        raise RuntimeError("the table script did not finish in time")
    return float(state["worst"])


def idle_stall(view: Any, model: Any, seconds: float) -> float:
    """The longest heartbeat lateness of the event loop doing nothing: the machine's own noise (other
    processes, the scheduler), the floor any stall measured on the same machine in the same run includes."""
    return run_script(view, model, [_nothing] * int(seconds * 1000 / HEARTBEAT_MS))


def _nothing() -> None:
    """An action that does nothing (``idle_stall``)."""


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(argv: list[str]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.store.database import make_engine
    from app.store.windows import WindowQuery, WindowSource
    from app.views.tickets import SPEC
    from ui import collector
    from ui.models.sql_table import SqlTableModel
    from ui.workers import TaskRunner

    app = QApplication([])
    collector.install(app)  # garbage is collected on the GUI thread, as in the window
    engine = make_engine(Path(argv[0]))
    runner = TaskRunner()
    model = SqlTableModel(WindowSource(engine, SPEC), runner)
    view = shown_view(model)

    def search(word: str) -> None:
        model.set_query(WindowQuery(model.query.sort_key, model.query.descending, search=word))

    run_script(view, model, steps(view, model, SPEC.index_of("subject"), search))
    gc.collect()
    app.processEvents()
    print(_rss_kb(), flush=True)
    runner.shutdown()
    os._exit(0)  # the figure is printed; teardown is not part of it


if __name__ == "__main__":
    main(sys.argv[1:])
