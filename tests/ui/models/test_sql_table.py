"""The one table model: windows of SQL, sorting and searching in SQL, bounded memory at 1M rows."""

from __future__ import annotations

import tracemalloc

import pytest
from PySide6.QtCore import Qt

from app.store.windows import WindowQuery, WindowSource
from app.views.tickets import SPEC
from tests.support.big_cache import make_ticket_cache
from tests.ui.helpers import wait_idle
from ui.models.sql_table import MAX_PAGES, PAGE_SIZE, SqlTableModel

SUBJECT = SPEC.index_of("subject")


@pytest.fixture(scope="module")
def million_ticket_cache(tmp_path_factory):
    return make_ticket_cache(tmp_path_factory.mktemp("big") / "cache.sqlite3", 1_000_000)


@pytest.fixture
def big_source(million_ticket_cache):
    from app.store.database import make_engine

    engine = make_engine(million_ticket_cache)
    yield WindowSource(engine, SPEC)
    engine.dispose()


def _display(model: SqlTableModel, row: int, column: int) -> str:
    return model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def _by_id(source: WindowSource, runner) -> SqlTableModel:
    """The Tickets tab's own table, sorted by ticket number (row n holds ticket n + 1)."""
    model = SqlTableModel(source, runner)
    model.set_query(WindowQuery("id"))
    return model


@pytest.mark.slow  # the million-row cache takes a minute to build
def test_counts_and_pages_a_million_rows(qtbot, runner, big_source):
    model = _by_id(big_source, runner)
    # The constructor ran no query on this thread: nothing is known yet.
    assert model.rowCount() == 0 and not model.row_count_known
    qtbot.waitUntil(lambda: model.rowCount() == 1_000_000, timeout=20_000)
    qtbot.waitUntil(lambda: _display(model, 0, 0) == "1", timeout=10_000)
    assert _display(model, 999_999, 0) == "…"  # far rows are placeholders until scrolled to
    wait_idle(qtbot, runner)


@pytest.mark.slow  # the million-row cache takes a minute to build
def test_memory_stays_bounded_while_scrolling_the_whole_table(qtbot, runner, big_source):
    # Tracing starts before the model's first job and stops only once the pool threads are idle:
    # Python 3.11's tracemalloc.stop() crashes the process when a thread without the interpreter
    # lock allocates meanwhile, as a pool thread does entering and leaving Python (CPython
    # gh-128679, fixed in 3.12.9 and 3.13.2 only). CI saw that segmentation fault here.
    tracemalloc.start()
    try:
        model = _by_id(big_source, runner)
        qtbot.waitUntil(lambda: model.rowCount() == 1_000_000, timeout=20_000)
        baseline = None
        for row in range(0, 1_000_000, 1_000_000 // 60):
            model.data(model.index(row, SUBJECT))
            qtbot.waitUntil(lambda r=row: model.key_at(r) == r + 1, timeout=10_000)
            if baseline is None:
                baseline = tracemalloc.get_traced_memory()[0]
        grown = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        wait_idle(qtbot, runner)
        assert runner.shutdown(10_000), "a pool thread was still busy; stopping tracemalloc now could crash"
        tracemalloc.stop()
    assert model.cached_page_count() <= MAX_PAGES
    # 24 pages × 200 rows × 4 short values is well under 8 MB; a model that kept
    # every page it saw would hold 60 pages and keep growing.
    assert grown < 8_000_000


@pytest.mark.slow  # the million-row cache takes a minute to build
def test_sort_is_done_in_sql(qtbot, runner, big_source):
    model = SqlTableModel(big_source, runner)
    qtbot.waitUntil(lambda: model.rowCount() == 1_000_000, timeout=20_000)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: model.key_at(0) == 1_000_000, timeout=10_000)
    # The next page is fetched by keyset after the first one and continues the order.
    model.data(model.index(PAGE_SIZE, 0))
    qtbot.waitUntil(lambda: model.key_at(PAGE_SIZE) == 1_000_000 - PAGE_SIZE, timeout=10_000)
    wait_idle(qtbot, runner)


@pytest.mark.slow  # the million-row cache takes a minute to build
def test_search_and_filter_narrow_the_rows(qtbot, runner, big_source):
    model = SqlTableModel(big_source, runner)
    qtbot.waitUntil(lambda: model.rowCount() == 1_000_000, timeout=20_000)
    model.set_search("crash")
    qtbot.waitUntil(lambda: model.row_count_known and 0 < model.rowCount() < 1_000_000, timeout=20_000)
    model.data(model.index(0, SUBJECT))
    qtbot.waitUntil(lambda: model.row_values(0) is not None, timeout=10_000)
    assert "crash" in model.row_values(0)["subject"]
    searched = model.rowCount()
    model.set_filters(("open",))  # the Tickets tab's "Open": unsolved
    qtbot.waitUntil(lambda: model.row_count_known and 0 < model.rowCount() < searched, timeout=20_000)
    model.data(model.index(0, SUBJECT))
    qtbot.waitUntil(lambda: model.row_values(0) is not None, timeout=10_000)
    assert model.row_values(0)["status"] not in ("solved", "closed")
    wait_idle(qtbot, runner)


def _add_open_tickets(cache, *tickets: tuple[int, str, str]) -> None:
    """Open tickets, each given as (id, subject, priority), created on 1 Jan 2026."""
    with cache.engine.begin() as conn:
        for ticket_id, subject, priority in tickets:
            conn.exec_driver_sql(
                "insert into tickets (id, subject, status, priority, tier, created_at, updated_at, escalated) "
                "values (?, ?, 'open', ?, 1, '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 0)",
                (ticket_id, subject, priority),
            )


def test_refresh_keeps_rows_on_screen_until_fresh_ones_arrive(qtbot, runner, cache):
    _add_open_tickets(cache, (1, "Printer on fire", "urgent"))
    model = SqlTableModel(WindowSource(cache.engine, SPEC), runner)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    model.data(model.index(0, SUBJECT))
    qtbot.waitUntil(lambda: _display(model, 0, SUBJECT) == "Printer on fire", timeout=10_000)
    with cache.engine.begin() as conn:
        conn.exec_driver_sql("update tickets set subject = 'Printer fixed' where id = 1")
    model.refresh()
    assert _display(model, 0, SUBJECT) == "Printer on fire"  # stale, but still shown: no flicker
    qtbot.waitUntil(lambda: _display(model, 0, SUBJECT) == "Printer fixed", timeout=10_000)
    wait_idle(qtbot, runner)


class _Coloured(SqlTableModel):
    """A pane's model that paints every cell red and has a tooltip (painted and asked-for cell roles)."""

    cell_roles = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole)

    def cell_role(self, column_key, row, role):
        from ui.widgets import palette

        if role == Qt.ItemDataRole.ForegroundRole:
            return palette.brush(palette.RED)
        return f"tip for {row[0]}" if role == Qt.ItemDataRole.ToolTipRole else None


def _printer_on_fire(qtbot, cache, model_class, runner):
    """``model_class`` over a cache holding one ticket, #7 'Printer on fire', once its row is loaded."""
    _add_open_tickets(cache, (7, "Printer on fire", "urgent"))
    model = model_class(WindowSource(cache.engine, SPEC), runner)
    qtbot.waitUntil(lambda: _display(model, 0, SUBJECT) == "Printer on fire", timeout=10_000)
    return model


def test_a_kept_cell_takes_the_new_schemes_colour_and_its_tooltip_is_asked_for_when_wanted(qtbot, runner, cache):
    from ui.widgets import palette

    model = _printer_on_fire(qtbot, cache, _Coloured, runner)
    index = model.index(0, SUBJECT)
    light = model.data(index, Qt.ItemDataRole.ForegroundRole).color().name()
    try:
        palette.use_scheme(palette.DARK)  # no signal from the model: the kept brush must not stay light
        assert model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == palette.DARK.statuses["red"] != light
    finally:
        palette.use_scheme(palette.LIGHT)
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "tip for 7"
    assert model.data(index, Qt.ItemDataRole.StatusTipRole) is None  # not among its cell roles
    wait_idle(qtbot, runner)


def test_a_paint_asks_a_cell_once_for_every_role_and_gets_what_data_answers(qtbot, runner, cache):
    """The style's seven roles per cell (a selected row's, which the style draws) come in one ``multiData``
    call, and each answer equals ``data``'s for the same role: loaded cells (text, alignment, colour,
    nothing), tooltips and raw values, rows loading."""
    from PySide6.QtCore import QModelRoleData

    from ui.widgets import palette
    from ui.widgets.rows_view import RowsView

    class Counted(_Coloured):
        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            data_calls.append(role)
            return super().data(index, role)

        def multiData(self, index, span):
            super().multiData(index, span)
            if not isinstance(span, QModelRoleData):  # a paint's span, not one of the single asks below
                painted[index.row(), index.column()] = [(item.role(), item.data()) for item in span]

    def comparable(value):
        return value.color().name() if hasattr(value, "color") else value

    painted: dict[tuple[int, int], list] = {}
    data_calls: list[int] = []
    model = _printer_on_fire(qtbot, cache, Counted, runner)
    view = RowsView()
    view.resize(900, 200)
    view.setModel(model)
    view.show()
    view.selectRow(0)
    data_calls.clear()
    view.viewport().grab()
    assert data_calls == []  # the painted roles came from the memo, not from a call into data() per role
    shown = [column for column in range(model.columnCount()) if (0, column) in painted]
    assert len(shown) >= 5 and set(painted) == {(0, column) for column in shown}  # one call per cell
    for column in shown:
        answers = painted[0, column]
        assert len(answers) == 7
        assert [comparable(v) for _, v in answers] == [
            comparable(model.data(model.index(0, column), role)) for role, _ in answers
        ]
    subject = dict(painted[0, SUBJECT])
    assert subject[int(Qt.ItemDataRole.DisplayRole)] == "Printer on fire"
    assert comparable(subject[int(Qt.ItemDataRole.ForegroundRole)]) == palette.LIGHT.statuses["red"]
    view.close()

    def one_role(index, role):
        one = QModelRoleData(int(role))
        one.setData("left over")
        model.multiData(index, one)
        return one.data()

    subject_cell = model.index(0, SUBJECT)
    assert one_role(subject_cell, Qt.ItemDataRole.ToolTipRole) == "tip for 7"  # not painted: asked when wanted
    assert one_role(subject_cell, Qt.ItemDataRole.UserRole + 101) == "Printer on fire"  # the raw value
    assert one_role(subject_cell, Qt.ItemDataRole.BackgroundRole) is None  # nothing to say: what was there goes
    assert one_role(subject_cell.siblingAtRow(-1), Qt.ItemDataRole.DisplayRole) is None
    model._pages.clear()  # as if the page had been dropped from memory: the row shows as loading
    model._forget_cells()
    first_cell = model.index(0, 0)
    assert one_role(first_cell, Qt.ItemDataRole.DisplayRole) == "…" == model.data(first_cell)
    assert comparable(one_role(first_cell, Qt.ItemDataRole.ForegroundRole)) == comparable(
        model.data(first_cell, Qt.ItemDataRole.ForegroundRole)) == palette.LIGHT.statuses["grey"]
    wait_idle(qtbot, runner)


def test_rows_changed_in_place_drop_their_painted_cells_and_keep_the_others(qtbot, runner, cache):
    """A page arriving changes its own rows: the cells of the other rows stay as painted (not built again)."""
    _add_open_tickets(cache, (1, "Ticket 1", "low"), (2, "Ticket 2", "low"))

    class Counted(_Coloured):
        def cell_role(self, column_key, row, role):
            built.append(row[0])
            return super().cell_role(column_key, row, role)

    built: list[int] = []
    model = Counted(WindowSource(cache.engine, SPEC), runner)
    qtbot.waitUntil(lambda: _display(model, 1, SUBJECT) == "Ticket 2", timeout=10_000)
    keys = {row: model.key_at(row) for row in (0, 1)}
    built.clear()
    model.dataChanged.emit(model.index(0, 0), model.index(0, model.columnCount() - 1))
    for row in (0, 1):
        model.painted_cell(row, SUBJECT)
    assert set(built) == {keys[0]}  # row 0's cells were built again, row 1's kept
    model.modelReset.emit()  # rows moved: every row's cells go
    built.clear()
    model.painted_cell(1, SUBJECT)
    assert set(built) == {keys[1]}
    wait_idle(qtbot, runner)


def test_a_page_a_paint_asks_for_is_fetched_once_the_paint_is_over(qtbot, runner, cache, monkeypatch):
    """Asking for a row of a page not at hand starts no read at once (its reader's Python work would slow the
    paint that asked): the page is requested on the next event-loop turn, once however many cells asked."""
    _add_open_tickets(cache, (1, "Ticket 1", "low"), (2, "Ticket 2", "low"))
    model = SqlTableModel(WindowSource(cache.engine, SPEC), runner)
    qtbot.waitUntil(lambda: _display(model, 1, SUBJECT) == "Ticket 2", timeout=10_000)
    wait_idle(qtbot, runner)
    model.refresh()  # the pages go stale: the next look at a row wants its page again
    wait_idle(qtbot, runner)
    asked: list[int] = []
    monkeypatch.setattr(model.source, "page", lambda query, offset, limit, cancel=None: asked.append(offset) or [])
    model._pages.clear()  # as if the page had been dropped from memory
    for column in range(model.columnCount()):  # a paint: every cell of both rows
        model.data(model.index(0, column))
        model.data(model.index(1, column))
    assert runner.active_count == 0 and asked == []  # no read was started while the "paint" ran
    qtbot.waitUntil(lambda: asked == [0], timeout=5_000)  # one request for the page, after it
    wait_idle(qtbot, runner)
