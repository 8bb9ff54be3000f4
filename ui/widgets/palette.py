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

BRUSHES = {color.name(): QBrush(color) for color in (RED, AMBER, GREEN, GREY)}


def brush(color: QColor | None) -> QBrush | None:
    """A shared brush for ``color`` (models return brushes for ForegroundRole)."""
    return None if color is None else BRUSHES.get(color.name(), QBrush(color))
