"""A row of headline numbers (MRR, churn, LTV…), each with its explanation, its target band and its trend.

The strip only shows values it is given: panes compute them on a worker and
call ``set_values``; until then each tile says "…", never a misleading 0.
A tile judged against a target shows the target under its value and the
value in the band's colour; a tile with a ``trend`` draws it as a sparkline.
Tiles are buttons: ``activated`` says which one the user clicked (or pressed
Enter on), so the pane can show what makes the figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.widgets.sparkline import Sparkline

UNAVAILABLE = "unavailable"  # a tile's note when its figure could not be computed (the reason is its tooltip)


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    tooltip: str = ""
    color: QColor | None = None  # the value's colour when it needs attention (its band)
    note: str = ""  # small print under the value, e.g. the target it is judged against
    trend: Sequence[float | None] = ()  # recent values, oldest first, for the sparkline
    target: float | None = None  # drawn across the sparkline


class Tile(QFrame):
    clicked = Signal()

    def __init__(self, label: str, clickable: bool) -> None:
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
        self.sparkline = Sparkline()
        self.sparkline.hide()
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.sparkline)
        layout.addWidget(self.note)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class KpiStrip(QWidget):
    """Tiles keyed by label; ``set_values`` updates them in place."""

    activated = Signal(str)  # the label of the tile the user clicked

    def __init__(self, labels: Sequence[str], parent: QWidget | None = None, *, clickable: bool = False) -> None:
        super().__init__(parent)
        self.tiles = {label: Tile(label, clickable) for label in labels}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        for label, tile in self.tiles.items():
            layout.addWidget(tile, 1)
            if clickable:
                tile.clicked.connect(lambda label=label: self.activated.emit(label))

    def set_values(self, kpis: Sequence[Kpi]) -> None:
        for kpi in kpis:
            tile = self.tiles[kpi.label]
            tile.value.setText(kpi.value)
            tile.value.setStyleSheet(f"color: {kpi.color.name()};" if kpi.color is not None else "")
            tile.note.setText(kpi.note)
            tile.setToolTip(kpi.tooltip)
            tile.sparkline.setVisible(bool(kpi.trend))
            tile.sparkline.set_values(kpi.trend, kpi.target, kpi.color)

    def set_unavailable(self, reason: str) -> None:
        """No figures: each tile shows "—", says "unavailable" where its note goes, and ``reason`` on hover.

        The note, because a strip of dashes alone looks like a business with no
        activity; Tickets and Licenses have no other line that says why.
        """
        for tile in self.tiles.values():
            tile.value.setText("—")
            tile.value.setStyleSheet("")
            tile.note.setText(UNAVAILABLE)
            tile.sparkline.hide()
            tile.setToolTip(reason)
