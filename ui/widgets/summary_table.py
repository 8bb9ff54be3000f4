"""A small read-only table of computed rows: service health, the cost summary, growth scenarios.

A handful of rows from one worker job (no SQL window needed): each cell has
its text, and optionally a colour, tooltip, tint, bold face, swatch and the
row's key.  The table sizes itself to its rows and columns, so no figure is
cut off or scrolled, and numbers are right-aligned.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ui.widgets.palette import TINTED_TEXT
from ui.widgets.table_copy import put_on_clipboard, tsv

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
KEY_ROLE = Qt.ItemDataRole.UserRole  # the row's key (``Cell.key``)


@dataclass(frozen=True)
class Cell:
    text: str
    color: QColor | None = None  # text colour (palette)
    tip: str = ""
    tint: QBrush | None = None  # background: a warning level; the text turns dark to stay readable
    bold: bool = False
    swatch: QColor | None = None  # a small colour square (the chart's colour for this row)



class SummaryTable(QTableWidget):
    """Columns declared once as (title, tooltip); ``numeric`` columns are right-aligned."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        numeric: frozenset[int],
        *,
        selectable: bool = False,
        fit: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(0, len(columns), parent)
        self._numeric = numeric
        self._fit = fit
        self.set_columns(columns)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        mode = QAbstractItemView.SelectionMode
        self.setSelectionMode(mode.SingleSelection if selectable else mode.NoSelection)
        self.setAlternatingRowColors(not fit)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        vheader = self.verticalHeader()
        vheader.hide()
        if not fit:  # a table that fills its space: compact fixed rows, like the big tables
            vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            vheader.setDefaultSectionSize(vheader.minimumSectionSize() + 6)

    def set_columns(self, columns: Sequence[tuple[str, str]]) -> None:
        self.setColumnCount(len(columns))
        for i, (title, tip) in enumerate(columns):
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            if i in self._numeric:
                item.setTextAlignment(_RIGHT)
            self.setHorizontalHeaderItem(i, item)

    def set_rows(self, rows: Sequence[Sequence[Cell]], keys: Sequence[Hashable] = ()) -> None:
        """Replace every row (signals blocked: a redraw is not the user choosing a row).

        ``keys``: what each row stands for (a service name), read back by ``selected_key``.
        """
        self.blockSignals(True)
        self.clearContents()
        self.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            key = keys[r] if r < len(keys) else None
            for c, cell in enumerate(cells):
                self.setItem(r, c, self._item(c, cell, key))
        self.blockSignals(False)
        if self._fit:
            frame = 2 * self.frameWidth()
            self.setFixedHeight(self.horizontalHeader().sizeHint().height() + self.verticalHeader().length() + frame)
            self.setMinimumWidth(self.horizontalHeader().length() + frame)

    def selected_key(self) -> Hashable:
        items = self.selectedItems()
        return items[0].data(KEY_ROLE) if items else None

    def select_key(self, key: Hashable) -> bool:
        """Select the row standing for ``key`` (a notification's record); False when no row does."""
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None and item.data(KEY_ROLE) == key:
                self.selectRow(row)
                self.scrollToItem(item)
                return True
        return False

    def copy_selection(self) -> None:
        """Ctrl+C: the selected rows (every row when none is selected) as tab-separated text with the header."""
        rows = sorted({i.row() for i in self.selectedIndexes()}) or list(range(self.rowCount()))
        columns = range(self.columnCount())
        header = [self.model().headerData(c, Qt.Orientation.Horizontal) or "" for c in columns]
        cells = [[str(self.model().index(r, c).data() or "") for c in columns] for r in rows]
        put_on_clipboard(tsv(header, cells))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override: copy rows, not the current cell
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        super().keyPressEvent(event)

    def _item(self, column: int, cell: Cell, key: Hashable) -> QTableWidgetItem:
        item = QTableWidgetItem(cell.text)
        item.setData(KEY_ROLE, key)
        if column in self._numeric:
            item.setTextAlignment(_RIGHT)
        if cell.tip:
            item.setToolTip(cell.tip)
        if cell.color is not None:
            item.setForeground(QBrush(cell.color))
        if cell.tint is not None:
            item.setBackground(cell.tint)
            item.setForeground(QBrush(TINTED_TEXT))  # readable on the tint in either scheme
        if cell.bold:
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)
        if cell.swatch is not None:
            pixmap = QPixmap(10, 10)
            pixmap.fill(cell.swatch)
            item.setIcon(QIcon(pixmap))
        return item
