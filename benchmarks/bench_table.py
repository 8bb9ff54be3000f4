"""(b) The table model over 1M rows — first paint, sort, text filter — against QSqlTableModel.

Both models sit in a QTableView on the same SQLite file.  Each figure is the
time from the user's action to the first screenful of rows being paintable:

* ours: the action returns at once (queries run on worker threads); we time
  until row 0 holds real data, pumping the event loop as the GUI would;
* QSqlTableModel: ``select()`` runs the query on the GUI thread and fetches
  its first 256 rows; we time that call.

QSqlTableModel filters with LIKE over the searched columns (it has no
full-text search); ours uses the FTS5 index, which is what the user gets.  Three
filters show the trade: a word in every second row and one in one row of six
(LIKE finds a screenful at once) and one that matches a single row (LIKE must
scan the whole table).  Each search also gets a row against a fixed floor of
20 ms (a frame, give or take): the goal whatever the peer does.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from app.views.tickets import SPEC as TICKET_SPEC
from benchmarks.rows import Row
from tests.support.big_cache import make_ticket_cache

ROWS = 1_000_000
REPEAT = 5
WORDS = ("phone", "crash", "user123457")  # in every second row; in one row of six; in exactly one row
SEARCH_FLOOR = 0.020  # seconds: a search answers within a frame, give or take


def until_row0(model, app, start: float) -> float:
    """Pump events as the GUI would until row 0 holds real data; seconds since ``start``."""
    from PySide6.QtCore import QModelIndex

    deadline = start + 60
    while time.perf_counter() < deadline:
        app.processEvents()
        if model.rowCount(QModelIndex()) and model.key_at(0) is not None:
            return time.perf_counter() - start
        time.sleep(0.0005)
    raise RuntimeError("the model never showed row 0")


def run() -> list[Row]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtSql import QSqlDatabase, QSqlTableModel
    from PySide6.QtWidgets import QApplication, QTableView

    from app.store.database import make_engine
    from app.store.windows import WindowQuery, WindowSource
    from ui.models.sql_table import SqlTableModel
    from ui.workers import TaskRunner

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-table-") as tmp:
        path = make_ticket_cache(Path(tmp) / "cache.sqlite3", ROWS)
        engine = make_engine(path)
        runner = TaskRunner()
        source = WindowSource(engine, TICKET_SPEC)
        subject_col = TICKET_SPEC.index_of("subject")

        db = QSqlDatabase.addDatabase("QSQLITE", "bench")
        db.setDatabaseName(str(path))
        db.open()
        peer_view, our_view = QTableView(), QTableView()

        figures: dict[str, list[float]] = {}
        for _ in range(REPEAT):
            start = time.perf_counter()
            model = SqlTableModel(source, runner)
            our_view.setModel(model)
            figures.setdefault("first", []).append(until_row0(model, app, start))
            start = time.perf_counter()
            model.sort(subject_col, Qt.SortOrder.DescendingOrder)
            figures.setdefault("sort", []).append(until_row0(model, app, start))
            for word in WORDS:
                start = time.perf_counter()
                model.set_query(WindowQuery("subject", True, search=word))
                figures.setdefault(word, []).append(until_row0(model, app, start))
            runner.shutdown()
            app.processEvents()

            # QSqlTableModel
            peer = QSqlTableModel(None, db)
            start = time.perf_counter()
            peer.setTable("tickets")
            peer.select()
            peer_view.setModel(peer)
            figures.setdefault("p_first", []).append(time.perf_counter() - start)
            start = time.perf_counter()
            peer.setSort(peer.fieldIndex("subject"), Qt.SortOrder.DescendingOrder)
            peer.select()
            figures.setdefault("p_sort", []).append(time.perf_counter() - start)
            for word in WORDS:
                start = time.perf_counter()
                peer.setFilter(f"subject LIKE '%{word}%' OR body LIKE '%{word}%' OR requester_email LIKE '%{word}%'")
                peer.select()
                figures.setdefault("p_" + word, []).append(time.perf_counter() - start)
            peer_view.setModel(None)
            del peer
        db.close()
        del db
        QSqlDatabase.removeDatabase("bench")
        engine.dispose()

    med = {k: statistics.median(v) for k, v in figures.items()}
    label = f"table model, {ROWS:,} rows"
    return [
        Row(f"{label}: first paint", med["first"], "QSqlTableModel select()", med["p_first"], "s", goal=1.5),
        Row(f"{label}: sort by subject", med["sort"], "QSqlTableModel setSort+select()", med["p_sort"], "s", goal=1.5),
    ] + [
        row
        for word in WORDS
        for row in (
            Row(f"{label}: search '{word}'", med[word], "QSqlTableModel LIKE filter", med["p_" + word], "s",
                goal=1.5),
            Row(f"{label}: search '{word}'", med[word], "floor: 20 ms", SEARCH_FLOOR, "s", goal=1.0),
        )
    ]
