"""How every big table shows its rows, and lays their texts out between paints.

A paint of a window of rows is mostly the drawing of its cells' texts, and
laying a text out costs more than drawing it (``RowDelegate``).  The view
knows which rows are coming: the ones of a page that arrived for the rows in
view, and the screens above and below the rows shown.  It lays their texts
out in slices of at most ``LAY_OUT_SLICE_S`` between paints, so a paint
mostly draws texts laid out already.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.widgets.row_delegate import RowDelegate

# What the cells' laid-out texts, margins and colours follow.
_RESTYLED = frozenset((
    QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.PaletteChange, QEvent.Type.LayoutDirectionChange
))
LAY_OUT_SLICE_S = 0.004  # the longest a turn of laying out texts between paints holds the GUI thread
_Index = QModelIndex | QPersistentModelIndex


class RowsView(QTableView):
    """How every big table shows its rows: whole-row selection, one line per row of a fixed height, no row
    numbers, long text elided with the whole of it in a tooltip.

    One line per row (no word wrap) is also what keeps a paint of a full window
    within a frame: wrapping lays out every cell's text again on each paint.
    Cell texts are laid out between paints where the view can see them
    coming (``RowDelegate`` keeps them): rows in view that changed (a page
    arrived) are shown once their texts are laid out, and then the rows a
    screen above and below are laid out, so paging through them only draws.
    Each turn of that work takes at most ``LAY_OUT_SLICE_S``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.cells = RowDelegate(self)
        self.setItemDelegate(self.cells)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)  # what RowDelegate's texts are elided like
        vheader = self.verticalHeader()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(vheader.minimumSectionSize() + 6)
        vheader.hide()
        self._owed: list[tuple[int, int]] = []  # changed rows in view, repainted once laid out
        self._in_view: list[int] = []  # rows in view whose texts are to be laid out first
        self._around: list[int] = []  # then the rows a screen above and below
        self._around_of: int | None = None  # the top row ``_around`` was chosen for
        self._lay_out = QTimer(self, singleShot=True, interval=1, timerType=Qt.TimerType.PreciseTimer)
        self._lay_out.timeout.connect(self._lay_out_slice)

    @property
    def laying_out(self) -> bool:
        """Whether texts are still to be laid out (and changed rows shown) on the turns to come."""
        return self._lay_out.isActive()

    def setModel(self, model: QAbstractItemModel | None) -> None:  # Qt override
        super().setModel(model)
        self.cells.use(model)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        if event.type() in _RESTYLED:
            self.cells.restyle(self)
        super().changeEvent(event)

    def reset(self) -> None:  # Qt override: the model was reset, every row is new
        self._owed, self._in_view, self._around, self._around_of = [], [], [], None
        super().reset()

    def rowsInserted(self, parent: _Index, start: int, end: int) -> None:  # Qt override
        """Lay the rows out now rather than on Qt's next timer turn.

        A page or a count that arrives inserts rows; Qt paints the new rows,
        then lays them out a timer turn later and paints the window again
        for the new scroll range.  Laid out here, both land in one paint
        (measured at a million rows: two paints of 15–20 ms each in one
        event-loop turn became one).
        """
        super().rowsInserted(parent, start, end)
        self.executeDelayedItemsLayout()

    def dataChanged(  # Qt override
        self, top_left: _Index, bottom_right: _Index, roles: Sequence[int] = ()
    ) -> None:
        """Rows in view changed (a page arrived): repaint them once their texts are laid out.

        Laying out a window of new texts in the paint made it 7–10 ms
        longer; in slices before it, the paint only draws.
        """
        first, last = self._rows_in_view()
        if not self.cells.quick or bottom_right.row() < first or top_left.row() > last:
            super().dataChanged(top_left, bottom_right, list(roles))
            return
        self._owed.append((top_left.row(), bottom_right.row()))
        self._in_view = list(range(last, first - 1, -1))  # popped from the end: top row first
        self._around_of = None
        self._lay_out.start()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # Qt override
        super().scrollContentsBy(dx, dy)
        if dy:
            self._around_of = None  # other rows are around the view now: laid out after the paint
            self._lay_out.stop()  # not before it: the paint comes first

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        """Paint, then lay out what is still to be laid out once the paint has been shown."""
        super().paintEvent(event)
        if self.cells.quick and (self._in_view or self._around or self._around_of is None):
            self._lay_out.start()

    def _lay_out_slice(self) -> None:
        """Lay out texts for at most ``LAY_OUT_SLICE_S``: the rows in view, then those around them."""
        deadline = time.perf_counter() + LAY_OUT_SLICE_S
        columns = self._columns_in_view()
        while self._in_view and time.perf_counter() < deadline:
            self.cells.lay_out(self._in_view.pop(), columns)
        if self._in_view:
            self._lay_out.start()
            return
        self._show_owed()
        first, last = self._rows_in_view()
        if self._around_of != first:
            self._around_of = first
            screen = last - first + 1
            below = range(last + screen, last, -1)
            above = range(max(first - screen, 0), first)
            self._around = [*above, *below]  # popped from the end: the screen below first
        while self._around and time.perf_counter() < deadline:
            self.cells.lay_out(self._around.pop(), columns)
        if self._around:
            self._lay_out.start()

    def _show_owed(self) -> None:
        """Repaint the changed rows held back while their texts were laid out."""
        model, owed, self._owed = self.model(), self._owed, []
        rows, columns = model.rowCount(), model.columnCount()
        for first, last in owed:
            if first < rows:
                super().dataChanged(model.index(first, 0), model.index(min(last, rows - 1), columns - 1), [])

    def _rows_in_view(self) -> tuple[int, int]:
        """The first and last row in view (-1, -2 when none is)."""
        first = self.rowAt(0)
        if first < 0:
            return -1, -2
        last = self.rowAt(self.viewport().height() - 1)
        return first, self.model().rowCount() - 1 if last < 0 else last

    def _columns_in_view(self) -> list[tuple[int, int]]:
        """The columns in view with the width of their cells, as a paint draws them."""
        header = self.horizontalHeader()
        first = header.visualIndexAt(0)
        last = header.visualIndexAt(self.viewport().width() - 1)
        last = header.count() - 1 if last < 0 else last
        grid = 1 if self.showGrid() else 0
        shown = (header.logicalIndex(visual) for visual in range(max(first, 0), last + 1))
        return [(column, header.sectionSize(column) - grid) for column in shown if not header.isSectionHidden(column)]
