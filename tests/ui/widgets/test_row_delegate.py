"""Cells drawn from laid-out texts: the same pixels as the style's delegate, the texts laid out between paints."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage
from PySide6.QtWidgets import QStyledItemDelegate

from app.store.windows import WindowSource
from app.views import tickets as view
from tests.ui.helpers import settle
from ui.panes.tickets import TicketTableModel
from ui.widgets import palette
from ui.widgets.row_delegate import CellTexts
from ui.widgets.rows_view import RowsView

SUBJECT = view.SPEC.index_of("subject")


def _shown(qtbot, runner, cache, height: int = 220) -> RowsView:
    """The hand-worked tickets in a view, coloured by SLA state, with a subject column too narrow for most."""
    rows = RowsView()
    qtbot.addWidget(rows)
    rows.resize(1100, height)
    rows.setModel(TicketTableModel(WindowSource(cache.engine, view.SPEC), runner))
    rows.setColumnWidth(SUBJECT, 70)
    rows.show()
    qtbot.waitExposed(rows)
    settle(qtbot, runner)
    return rows


def _pixels(rows: RowsView) -> QImage:
    return rows.viewport().grab().toImage()


def test_cells_look_exactly_as_the_styles_delegate_draws_them(qtbot, runner, filled):
    """Every pixel of the view -- colours, right-aligned figures, elided text, a selected row, both schemes --
    is the one ``QStyledItemDelegate`` paints (the quick way places texts as the style does, to the pixel)."""
    rows = _shown(qtbot, runner, filled)
    rows.selectRow(1)
    model = rows.model()
    subjects = [str(model.index(row, SUBJECT).data()) for row in range(model.rowCount())]
    assert any(QFontMetrics(rows.font()).horizontalAdvance(s) > 60 for s in subjects)  # some are elided
    coloured = [model.index(r, c).data(Qt.ItemDataRole.ForegroundRole) for r in range(5) for c in range(12)]
    assert any(brush is not None for brush in coloured)  # and some are in a state's colour
    style = QStyledItemDelegate(rows)
    try:
        for scheme in (palette.LIGHT, palette.DARK):
            palette.use_scheme(scheme)
            rows.setPalette(rows.palette())  # what a theme switch sends the view: a palette change
            rows.setItemDelegate(rows.cells)
            quick = _pixels(rows)
            assert len(rows.cells.texts) > 0  # the quick way drew them
            rows.setItemDelegate(style)
            assert _pixels(rows) == quick
    finally:
        palette.use_scheme(palette.LIGHT)


class _Paints(QObject):
    """Notes, at each paint of the viewport, whether ``text`` was laid out already."""

    def __init__(self, rows: RowsView, text: str, width: int) -> None:
        super().__init__()
        self.seen: list[bool] = []
        self._rows, self._text, self._width = rows, text, width

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.seen.append(self._rows.cells.texts.has(self._text, self._width))
        return False


def test_a_page_that_arrives_is_painted_with_its_texts_laid_out_already(qtbot, runner, filled):
    """Fresh rows in view are laid out between paints, then painted: the paint only draws."""
    rows = _shown(qtbot, runner, filled)
    with filled.engine.begin() as conn:
        conn.exec_driver_sql(
            "update tickets set subject = 'Printer fixed at last' where id = (select min(id) from tickets)"
        )
    width = rows.cells.text_width(rows.columnWidth(SUBJECT) - 1)  # a cell is its column less the grid line
    paints = _Paints(rows, "Printer fixed at last", width)
    rows.viewport().installEventFilter(paints)
    rows.model().refresh()
    qtbot.waitUntil(lambda: rows.cells.texts.has("Printer fixed at last", width), timeout=10_000)
    qtbot.waitUntil(lambda: True in paints.seen, timeout=5_000)
    assert False not in paints.seen[paints.seen.index(True):]
    assert paints.seen.count(False) <= 1  # at most the paint of the refresh itself, with the old rows
    rows.viewport().removeEventFilter(paints)


def test_the_rows_a_screen_below_are_laid_out_before_they_are_scrolled_to(qtbot, runner, filled):
    rows = _shown(qtbot, runner, filled, height=60)  # a screen of two rows: the hand-worked five reach below
    below = rows.rowAt(rows.viewport().height() - 1) + 1
    text = str(rows.model().index(below, SUBJECT).data())
    assert text not in {str(rows.model().index(row, SUBJECT).data()) for row in range(below)}
    width = rows.cells.text_width(rows.columnWidth(SUBJECT) - 1)
    qtbot.waitUntil(lambda: rows.cells.texts.has(text, width), timeout=5_000)
    laid_out = len(rows.cells.texts)
    bar = rows.verticalScrollBar()
    bar.setValue(bar.value() + bar.pageStep())  # a page down
    assert rows.rowAt(0) <= below <= rows.rowAt(rows.viewport().height() - 1)
    rows.viewport().repaint()
    assert len(rows.cells.texts) == laid_out  # the paint of the screen below laid nothing out


def test_a_font_change_lays_the_texts_out_again_in_the_new_font(qtbot, runner, filled):
    rows = _shown(qtbot, runner, filled)
    bigger = QFont(rows.font())
    bigger.setPointSizeF(rows.font().pointSizeF() * 2)
    rows.setFont(bigger)
    assert rows.cells.texts.font == bigger and len(rows.cells.texts) == 0
    rows.viewport().repaint()
    assert len(rows.cells.texts) > 0


def test_texts_too_wide_are_elided_as_the_font_metrics_elide_and_the_least_recent_go_first(qapp):
    font = QFont()
    texts = CellTexts(font, capacity=2)
    metrics = QFontMetrics(font)
    long = "A printer on fire in the third floor's west wing"
    elided = metrics.elidedText(long, Qt.TextElideMode.ElideRight, 80)
    assert elided != long and texts.laid_out(long, 80).text.text() == elided
    assert texts.laid_out("Short", 80).text.text() == "Short"
    texts.laid_out(long, 80)  # used again: the most recent now
    texts.laid_out("Third", 80)
    assert texts.has(long, 80) and texts.has("Third", 80) and not texts.has("Short", 80)
    assert len(texts) == 2
