"""Data out of every big table: Ctrl+C, Export CSV…, right-click menus on rows and header, the keyboard."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib
import pkgutil

import pytest
from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QStyle, QStyleOptionViewItem, QToolTip

import app.views
from app.store import kinds
from app.store.windows import TableSpec, WindowSource
from app.views import tickets as view
from tests.ui.helpers import activate, settle, show, title_width, wait_idle
from ui.formatting import format_value
from ui.models import sql_table
from ui.models.sql_table import SqlTableModel
from ui.panes.tickets import TicketsPane
from ui.widgets.data_table import DataTable

SELECT = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows


def _by_id(qtbot, runner, table: DataTable) -> DataTable:
    """Sorted by ticket number, as a click on the "#" header does."""
    table.view.sortByColumn(view.SPEC.index_of("id"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: table.model.row_count_known and table.model.rowCount() == 5, timeout=10_000)
    settle(qtbot, runner)
    return table


@pytest.fixture
def table(qtbot, runner, filled):
    model = SqlTableModel(WindowSource(filled.engine, view.SPEC), runner)
    return _by_id(qtbot, runner, show(qtbot, runner, DataTable(model, "tests/table", noun="tickets")))


def _select(table: DataTable, *rows: int) -> None:
    selection = table.view.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(table.model.index(row, 0), SELECT)
    selection.setCurrentIndex(table.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)


def _clipboard_lines() -> list[list[str]]:
    return [line.split("\t") for line in QGuiApplication.clipboard().text().splitlines()]


def test_ctrl_c_copies_the_selected_rows_by_the_visible_columns_with_a_header(qtbot, table):
    header = table.view.horizontalHeader()
    header.setSectionHidden(view.SPEC.index_of("requester"), True)
    header.moveSection(header.visualIndex(view.SPEC.index_of("subject")), 0)  # Subject first on screen
    _select(table, 0, 2)
    with qtbot.waitSignal(table.copied) as copied:
        QTest.keyClick(table.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = _clipboard_lines()
    assert copied.args == [2]
    assert lines[0][:3] == ["Subject", "#", "SLA"] and "Requester" not in lines[0]
    assert len(lines[0]) == len(view.SPEC.columns) - 1
    first = table.model.row_values(0)
    assert [lines[1][0], lines[1][1]] == [first["subject"], str(first["id"])]
    assert lines[2][1] == str(table.model.key_at(2))
    assert lines[1][lines[0].index("Status")] == view.SPEC.column("status").shown(first["status"])  # as on screen
    assert f"Copied 2 rows × {len(view.SPEC.columns) - 1} columns" in table.count_label.text()


def test_rows_not_fetched_yet_are_read_in_the_background(qtbot, runner, filled, monkeypatch):
    monkeypatch.setattr(sql_table, "PAGE_SIZE", 2)  # five tickets in three pages,
    monkeypatch.setattr(sql_table, "MAX_PAGES", 1)  # of which the model keeps one
    model = SqlTableModel(WindowSource(filled.engine, view.SPEC), runner)
    table = _by_id(qtbot, runner, show(qtbot, runner, DataTable(model, "tests/paged", noun="tickets")))
    table.view.selectAll()
    assert model.loaded_rows(range(5)) is None
    with qtbot.waitSignal(table.copied, timeout=10_000) as copied:
        table.copy_selection()
    assert copied.args == [5]
    assert [line[0] for line in _clipboard_lines()] == ["#", "101", "102", "103", "104", "105"]
    settle(qtbot, runner)


def test_the_row_menu_offers_copy_export_detail_and_the_panes_actions(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    table = pane.table
    index = table.model.index(1, view.SPEC.index_of("subject"))
    table.row_menu(index)  # a right-click on a row not selected makes it the selection
    settle(qtbot, runner)  # its detail loads, which enables the pane's buttons
    items = {a.text(): a for a in table.row_menu(index).actions() if a.text()}
    assert list(items) == ["Copy row", "Copy cell", "Export CSV…", "Open detail",
                           "Reply…", "Status…", "Priority…", "Assign…", "Escalate…"]
    assert table.current_key() == table.model.key_at(1)
    assert items["Reply…"].isEnabled() and pane.buttons["reply"].isEnabled()
    items["Copy cell"].trigger()
    assert QGuiApplication.clipboard().text() == table.model.row_values(1)["subject"]
    pane.set_read_only(True)
    read_only = {a.text(): a for a in table.row_menu(index).actions() if a.text()}
    assert not read_only["Reply…"].isEnabled() and read_only["Copy row"].isEnabled()
    _select(table, 0, 1, 2)
    assert table.row_menu(index).actions()[0].text() == "Copy 3 rows"  # a selected row keeps the selection
    settle(qtbot, runner)


def test_the_header_menu_hides_shows_and_resets_columns(qtbot, table):
    header = table.view.horizontalHeader()
    menu = table.header_menu()
    items = {a.text(): a for a in menu.actions() if a.text()}
    assert list(items)[: len(view.SPEC.columns)] == [c.title for c in view.SPEC.columns]
    assert "Reset columns" in items
    items["Requester"].trigger()
    assert header.isSectionHidden(view.SPEC.index_of("requester"))
    for title in [c.title for c in view.SPEC.columns if c.key != "id"]:
        for action in table.header_menu().actions():
            if action.text() == title and action.isChecked():
                action.trigger()
    last = {a.text(): a for a in table.header_menu().actions() if a.text()}["#"]
    assert last.isChecked() and not last.isEnabled()  # the last visible column cannot be hidden
    header.moveSection(0, 3)
    table.reset_columns()
    assert [header.isSectionHidden(i) for i in range(len(view.SPEC.columns))] == [False] * len(view.SPEC.columns)
    assert [header.logicalIndex(i) for i in range(len(view.SPEC.columns))] == list(range(len(view.SPEC.columns)))
    assert header.sortIndicatorSection() == view.SPEC.index_of(view.SPEC.default_sort)


def test_export_csv_writes_what_the_table_shows(qtbot, runner, table, tmp_path, monkeypatch):
    path = tmp_path / "tickets.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    table.view.horizontalHeader().setSectionHidden(view.SPEC.index_of("requester"), True)
    assert table.export_csv() is not None
    settle(qtbot, runner)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [c.title for c in view.SPEC.columns if c.key != "requester"]
    assert [r[0] for r in rows[1:]] == ["101", "102", "103", "104", "105"]
    assert f"Exported 5 tickets to {path}" in table.count_label.text()


def test_tab_leaves_the_table_enter_opens_the_detail_escape_comes_back(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    activate(qtbot, pane)
    view_ = pane.table.view
    view_.setFocus()
    view_.selectRow(0)
    settle(qtbot, runner)
    qtbot.waitUntil(view_.hasFocus)
    QTest.keyClick(view_, Qt.Key.Key_Tab)
    assert not view_.hasFocus() and view_.currentIndex().row() == 0  # focus moved on; the cell did not
    view_.setFocus()
    QTest.keyClick(view_, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.split.detail.isAncestorOf(QApplication.focusWidget()))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert view_.hasFocus()
    pane.table.focus_search()
    QTest.keyClick(pane.table.search, Qt.Key.Key_Escape)
    assert view_.hasFocus()
    settle(qtbot, runner)


def test_a_cell_too_narrow_for_its_text_shows_it_in_a_tooltip(qtbot, table):
    column = view.SPEC.index_of("subject")
    table.view.setColumnWidth(column, 30)
    index = table.model.index(0, column)
    option = QStyleOptionViewItem()
    table.view.initViewItemOption(option)
    option.rect = table.view.visualRect(index)
    delegate = table.view.itemDelegateForIndex(index)
    position = option.rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, position, table.view.viewport().mapToGlobal(position))
    assert delegate.helpEvent(event, table.view, option, index)
    assert QToolTip.text() == table.model.row_values(0)["subject"]
    QToolTip.hideText()
    table.view.setColumnWidth(column, 600)
    option.rect = table.view.visualRect(index)
    wide = QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), table.view.viewport().mapToGlobal(QPoint(5, 5)))
    assert not delegate.helpEvent(wide, table.view, option, index)  # the whole text shows: no tooltip


def test_rows_that_arrive_are_laid_out_at_once_for_one_paint(qtbot):
    """Rows inserted (a page, a count) take their scroll range at once, so the new rows and the new range are
    drawn in one paint, not a second one a timer turn later."""
    from PySide6.QtGui import QStandardItemModel

    from ui.widgets.rows_view import RowsView

    rows = QStandardItemModel(0, 3)
    table = RowsView()
    qtbot.addWidget(table)
    table.resize(400, 200)
    table.setModel(rows)
    table.show()
    qtbot.waitExposed(table)
    rows.insertRows(0, 1_000)  # no event loop turn after it
    assert table.verticalScrollBar().maximum() > 0


def test_a_table_that_cannot_read_says_why_in_one_line(qtbot, runner, table, filled):
    """SQLite's words only: SQLAlchemy's text (the statement, its parameters) pushed the search box out."""
    with filled.engine.begin() as conn:
        conn.exec_driver_sql("drop table tickets_fts")
    table.search.setText("refund")
    table.search.returnPressed.emit()
    qtbot.waitUntil(lambda: "Could not" in table.count_label.text(), timeout=10_000)
    assert table.count_label.text() == "Could not read tickets from the local cache: no such table: tickets_fts"
    wait_idle(qtbot, runner)


def _every_spec() -> list[TableSpec]:
    """The table specs of every module under ``app.views``: a new big table is checked without being listed."""
    modules = [importlib.import_module(f"app.views.{m.name}") for m in pkgutil.iter_modules(app.views.__path__)]
    return [value for module in modules for value in vars(module).values() if isinstance(value, TableSpec)]


# What a header section adds to its title's width beyond the style's two header margins (its frame
# lines and the style's padding): "Ack." at 37 px needed showed cut at 36, a title needing 69 showed whole at 70.
_SECTION_FRAME = 4


@pytest.mark.parametrize("spec", _every_spec(), ids=lambda spec: spec.name)
def test_every_column_title_fits_its_declared_width(qtbot, runner, cache, spec):
    """A title wider than its column is cut at both ends ("urrenc"); the style draws titles bold."""
    table = show(qtbot, runner, DataTable(SqlTableModel(WindowSource(cache.engine, spec), runner), "tests/fit"))
    header = table.view.horizontalHeader()
    margins = 2 * header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    needs = {c.title: title_width(header, c.title) + margins + _SECTION_FRAME for c in spec.columns}
    assert {c.title: (c.width, needs[c.title]) for c in spec.columns if c.width < needs[c.title]} == {}


@pytest.mark.parametrize("spec", _every_spec(), ids=lambda spec: spec.name)
def test_date_and_time_columns_fit_a_whole_timestamp(qtbot, runner, cache, spec):
    """Health's "Started" showed "2026-12-01 10…": a time cut off is no time at all."""
    table = show(qtbot, runner, DataTable(SqlTableModel(WindowSource(cache.engine, spec), runner), "tests/fit"))
    view = table.view
    margins = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1) + 1  # + grid
    samples = {kinds.DATETIME: format_value(kinds.DATETIME, dt.datetime(2026, 12, 1, 7, 12)),
               kinds.DATE: format_value(kinds.DATE, dt.datetime(2026, 12, 1, 7, 12))}
    needs = {c.title: view.fontMetrics().horizontalAdvance(samples[c.kind]) + margins
             for c in spec.columns if c.kind in samples}
    assert {c.title: (c.width, needs[c.title]) for c in spec.columns if c.width < needs.get(c.title, 0)} == {}


def test_a_remembered_header_holds_until_the_declared_columns_change(qtbot, runner, cache):
    """A release that widens a cut column reaches those who had the table open before (every close saves it)."""

    def table(spec: TableSpec) -> DataTable:
        made = DataTable(SqlTableModel(WindowSource(cache.engine, spec), runner), "tests/remembered")
        qtbot.addWidget(made)
        return made

    first = table(view.SPEC)
    first.view.horizontalHeader().resizeSection(1, 300)
    first.save_state()
    assert table(view.SPEC).view.horizontalHeader().sectionSize(1) == 300
    number, sla, *rest = view.SPEC.columns
    wider = dataclasses.replace(sla, width=sla.width + 8)
    widened = dataclasses.replace(view.SPEC, columns=(number, wider, *rest))
    assert table(widened).view.horizontalHeader().sectionSize(1) == sla.width + 8
    wait_idle(qtbot, runner)  # the three tables' count and page queries, so none outlives the test
