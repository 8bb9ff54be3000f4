"""How the big tables draw their cells: each text laid out once, drawn many times.

Drawing a cell's text is most of what a table paint costs, and laying the
text out (shaping it into glyphs, eliding it) most of that: Qt's item
delegate does both on every paint of every cell.  ``RowDelegate`` keeps each
text laid out, elided to its column's width, in a ``QStaticText``
(``CellTexts``), so a repaint only draws glyphs.  Measured on the 1M-row
Tickets view at 1280×720 (13 columns, 29 rows): a repaint took 7.4–7.8 ms
against 16.7–18.1 ms through the style's delegate.  ``RowsView`` lays out the
texts of rows about to show between paints, so a paint seldom has to.

Only plain cells take this way: not selected, not under the focus or the
mouse, of a model that hands out its painted roles (``painted_cell``), with
nothing but text, alignment and a text colour.  Every other cell is drawn by
``QStyledItemDelegate`` as before, so the look is the style's; a test holds
the two ways to the same pixels.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple, Protocol, cast

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QHelpEvent, QPainter, QPalette, QStaticText, QTransform
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QToolTip, QWidget

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_PLAIN_ROLES = frozenset((_DISPLAY, _ALIGNMENT, _FOREGROUND))  # what the quick way can draw
_RIGHT = Qt.AlignmentFlag.AlignRight.value
# A plain cell's state (as a number: flag arithmetic on Qt's enums costs a microsecond a cell): enabled, and
# none of the states the style draws something of its own for (a highlight, a focus frame, a hover).
_PLAIN_MASK = (
    QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus
    | QStyle.StateFlag.State_MouseOver
).value
_PLAIN = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
LAID_OUT_TEXTS = 4096  # several screens of cells at any window size


class PaintedCells(Protocol):
    """A model that hands out a cell's painted roles in one call (``SqlTableModel``)."""

    def painted_cell(self, row: int, column: int, *, fetch: bool = True) -> dict[int, Any] | None:
        """The cell's roles by role number; None when it has none to paint (or, with ``fetch`` False,
        when its row is not at hand)."""
        ...


class LaidOut(NamedTuple):
    """A text laid out, with its size as the style places it: its natural width, its height in pixels."""

    text: QStaticText
    width: float
    height: int


class CellTexts:
    """Texts laid out in the view's font, elided to a width, the most recently used kept."""

    def __init__(self, font: QFont, capacity: int = LAID_OUT_TEXTS) -> None:
        self._capacity = capacity
        self._texts: OrderedDict[tuple[str, int], LaidOut] = OrderedDict()
        self.set_font(font)

    def set_font(self, font: QFont) -> None:
        """Texts are laid out in ``font`` from now on (the ones kept were laid out in the old one)."""
        self.font = QFont(font)
        self._metrics = QFontMetrics(self.font)
        self._texts.clear()

    def __len__(self) -> int:
        return len(self._texts)

    def has(self, text: str, width: int) -> bool:
        return (text, width) in self._texts

    def laid_out(self, text: str, width: int) -> LaidOut:
        """``text`` laid out, elided on the right if it is wider than ``width`` pixels."""
        key = (text, width)
        found = self._texts.get(key)
        if found is not None:
            self._texts.move_to_end(key)
            return found
        found = self._lay_out(text)
        if found.width > width:  # one layout for the texts that fit: most of them
            found = self._lay_out(self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
        self._texts[key] = found
        if len(self._texts) > self._capacity:
            self._texts.popitem(last=False)
        return found

    def _lay_out(self, text: str) -> LaidOut:
        laid_out = QStaticText(text)
        laid_out.setTextFormat(Qt.TextFormat.PlainText)
        laid_out.prepare(QTransform(), self.font)
        size = laid_out.size()
        return LaidOut(laid_out, size.width(), round(size.height()))


class RowDelegate(QStyledItemDelegate):
    """Draws plain cells from laid-out texts and the rest as the style does; a cell whose text does not
    fit shows all of it in a tooltip (unless it has its own)."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.texts = CellTexts(view.font())
        self._cells: PaintedCells | None = None
        self.restyle(view)

    def use(self, model: Any) -> None:
        """The view shows ``model``: its cells take the quick way if it hands out their painted roles."""
        self._cells = model if callable(getattr(model, "painted_cell", None)) else None

    @property
    def quick(self) -> bool:
        """Whether the view's model hands out painted roles, so its plain cells take the quick way."""
        return self._cells is not None

    def restyle(self, view: QWidget) -> None:
        """The view's font, style, colours or direction changed: texts are laid out again with the
        style's margins, and drawn in the palette's text colours (inactive, active)."""
        if view.font() != self.texts.font:
            self.texts.set_font(view.font())
        self._margin = text_margin(view)
        palette = view.palette()
        self._text_colors = tuple(
            palette.color(group, QPalette.ColorRole.Text)
            for group in (QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Active)
        )
        self._left_to_right = view.layoutDirection() == Qt.LayoutDirection.LeftToRight

    def text_width(self, cell_width: int) -> int:
        """The width a cell's text may take: the cell less the style's text margins."""
        return cell_width - 2 * self._margin

    def plain_cell(self, row: int, column: int, fetch: bool = True) -> dict[int, Any] | None:
        """The painted roles of a cell the quick way can draw; None for one the style must draw."""
        if self._cells is None:
            return None
        cell = self._cells.painted_cell(row, column, fetch=fetch)
        return cell if cell is not None and cell.keys() <= _PLAIN_ROLES else None

    def lay_out(self, row: int, columns: list[tuple[int, int]]) -> None:
        """Lay out the texts of ``row``'s plain cells in ``columns`` (column, cell width) ahead of a paint; a
        row not at hand is skipped, not fetched."""
        for column, cell_width in columns:
            cell = self.plain_cell(row, column, fetch=False)
            if cell is not None and cell[_DISPLAY]:
                self.texts.laid_out(cell[_DISPLAY], self.text_width(cell_width))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:  # Qt override
        state = option.state.value
        cell = None
        if state & _PLAIN_MASK == _PLAIN and self._left_to_right:
            cell = self.plain_cell(index.row(), index.column())
        if cell is None:
            super().paint(painter, option, index)
            return
        text = cell[_DISPLAY]
        if not text:
            return
        x, y, cell_width, cell_height = cast(tuple[int, int, int, int], option.rect.getRect())  # no stub
        width = self.text_width(cell_width)
        laid_out = self.texts.laid_out(text, width)
        foreground = cell.get(_FOREGROUND)
        painter.setPen(foreground.color() if foreground is not None else self._text_colors[bool(state & _ACTIVE)])
        # Where the style puts a text: centred in whole pixels, against the right margin to a fraction of one.
        left = x + self._margin + (width - laid_out.width if cell[_ALIGNMENT] & _RIGHT else 0.0)
        painter.drawStaticText(QPointF(left, y + (cell_height - laid_out.height) // 2), laid_out.text)

    def helpEvent(  # Qt override
        self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index: _Index
    ) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid() and not index.data(Qt.ItemDataRole.ToolTipRole):
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            if text and elided(view, option, text):
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)


def text_margin(view: QWidget) -> int:
    """The space the style leaves on each side of a cell's text."""
    return view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1


def elided(view: QAbstractItemView, option: QStyleOptionViewItem, text: str) -> bool:
    """Whether ``text`` is wider than the cell (less the cell's margins) it is drawn in."""
    return option.fontMetrics.horizontalAdvance(text) > option.rect.width() - 2 * text_margin(view)
