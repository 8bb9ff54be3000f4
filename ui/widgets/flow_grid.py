"""A grid that wraps: as many columns as fit the width, so tiles never get cut off or squeezed.

At 200 % on a 1280-wide screen a pane is 640 points wide: six tiles in a row
would each be too narrow to read, so the grid moves them to the next row.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget


class FlowGrid(QWidget):
    """Child widgets in rows of as many columns (at least ``min_width`` wide each) as the width allows."""

    def __init__(self, min_width: int = 150, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.min_width = min_width
        self.items: list[QWidget] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(6)
        self._columns = 0
        # Ignored: the grid takes the width it is given and wraps to it, rather than asking for one row's width
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)

    def set_items(self, items: Sequence[QWidget]) -> None:
        """Show ``items`` (the old ones are deleted)."""
        for old in self.items:
            self._grid.removeWidget(old)
            old.deleteLater()
        self.items = list(items)
        self._columns = 0
        self._place()

    def columns(self) -> int:
        spacing = self._grid.horizontalSpacing()
        return max(1, min(len(self.items) or 1, (self.width() + spacing) // (self.min_width + spacing)))

    def _place(self) -> None:
        columns = self.columns()
        if columns == self._columns:
            return
        self._columns = columns
        for item in self.items:
            self._grid.removeWidget(item)
        for i, item in enumerate(self.items):
            self._grid.addWidget(item, i // columns, i % columns)
        for c in range(self._grid.columnCount()):
            self._grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._place()
