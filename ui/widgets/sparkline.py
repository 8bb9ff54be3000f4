"""A word-sized line chart: a figure's recent months under its tile, drawn with QPainter (no chart library).

Gaps (a month the figure could not be computed) break the line; a target,
when given, is a dashed line so the eye sees which side of it the figure has
been; the last point is a dot.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class Sparkline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[float | None] = []
        self._target: float | None = None
        self._color: QColor | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(18)

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(80, 18)

    def set_values(self, values: Sequence[float | None], target: float | None = None,
                   color: QColor | None = None) -> None:
        self._values, self._target, self._color = list(values), target, color
        self.update()

    @property
    def values(self) -> list[float | None]:
        return list(self._values)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        known = [v for v in self._values if v is not None]
        if len(known) < 2:
            return
        low, high = min(known), max(known)
        if self._target is not None:
            low, high = min(low, self._target), max(high, self._target)
        span = (high - low) or 1.0
        w, h, pad = self.width(), self.height(), 2.0
        step = (w - 2 * pad) / max(1, len(self._values) - 1)

        def point(i: int, v: float) -> QPointF:
            return QPointF(pad + i * step, h - pad - (v - low) / span * (h - 2 * pad))

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.Text)
        if self._target is not None:
            faint = QColor(text)
            faint.setAlpha(110)
            painter.setPen(QPen(faint, 1, Qt.PenStyle.DashLine))
            y = point(0, self._target).y()
            painter.drawLine(QPointF(pad, y), QPointF(w - pad, y))
        line = QColor(self._color or text)
        painter.setPen(QPen(line, 1.4))
        path = QPainterPath()
        drawing = False
        last = None
        for i, v in enumerate(self._values):
            if v is None:
                drawing = False
                continue
            p = point(i, v)
            if drawing:
                path.lineTo(p)
            else:
                path.moveTo(p)
                drawing = True
            last = p
        painter.drawPath(path)
        if last is not None:
            painter.setBrush(line)
            painter.drawEllipse(last, 2.0, 2.0)
        painter.end()
