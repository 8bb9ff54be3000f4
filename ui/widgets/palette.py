"""The few status colours every pane uses, so red means the same thing on every tab.

Chosen dark enough to read as text on a light table and bright enough on a
dark theme; panes use them as foreground colours, never as backgrounds.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor

RED = QColor("#c62828")  # broken, breached, down, overdue
AMBER = QColor("#b26a00")  # needs attention soon
GREEN = QColor("#2e7d32")  # fine
GREY = QColor("#757575")  # unknown, inactive, finished

# Colours for series that sit side by side (chart bars, lines): Okabe and Ito's set, distinct for every
# kind of colour vision, readable on light and dark backgrounds alike.
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C8C00", "#7F7F7F")

BRUSHES = {color.name(): QBrush(color) for color in (RED, AMBER, GREEN, GREY)}


def brush(color: QColor | None) -> QBrush | None:
    """A shared brush for ``color`` (models return brushes for ForegroundRole)."""
    return None if color is None else BRUSHES.get(color.name(), QBrush(color))
