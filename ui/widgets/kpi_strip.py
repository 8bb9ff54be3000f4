"""A row of headline numbers above a table (MRR, ARR, churn…), each with its explanation.

The strip only shows values it is given: panes compute them on a worker and
call ``set_values``; until then each tile says "…", never a misleading 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    tooltip: str = ""
    color: QColor | None = None  # the value's colour when it needs attention
    note: str = ""  # small print under the value, e.g. the target it is judged against


class _Tile(QFrame):
    def __init__(self, label: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel(label)
        self.caption.setProperty("muted", True)  # the theme's secondary text colour
        self.value = QLabel("…")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.value.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        self.note = QLabel()
        self.note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.note.setProperty("muted", True)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)


class KpiStrip(QWidget):
    """Tiles keyed by label; ``set_values`` updates them in place."""

    def __init__(self, labels: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = {label: _Tile(label) for label in labels}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        for tile in self.tiles.values():
            layout.addWidget(tile, 1)

    def set_values(self, kpis: Sequence[Kpi]) -> None:
        for kpi in kpis:
            tile = self.tiles[kpi.label]
            tile.value.setText(kpi.value)
            tile.value.setStyleSheet(f"color: {kpi.color.name()};" if kpi.color is not None else "")
            tile.note.setText(kpi.note)
            tile.setToolTip(kpi.tooltip)

    def set_unavailable(self, reason: str) -> None:
        for tile in self.tiles.values():
            tile.value.setText("—")
            tile.value.setStyleSheet("")
            tile.setToolTip(reason)
