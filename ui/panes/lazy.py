"""A tab's stand-in until its pane exists, so the window paints before any pane's imports and queries.

Importing a pane's module pulls in its views, rules and libraries (the cache
schema, Stripe, holiday calendars…), and building it starts its queries.  None
of that is needed to paint the window's frame, tabs, menus and status bar, so
the window holds a ``PanePlaceholder`` per tab (named by a ``PaneSpec``, which
imports nothing) and makes the real pane one event-loop turn after its tab is
painted -- so after the window's first frame -- or as soon as
something asks for that pane by id.  Every tab is treated the same way, the
first one included: no tab is special at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.panes.base import Pane


@dataclass(frozen=True)
class PaneSpec:
    """What the window knows of a tab before its pane exists: its id and title, and how to make it.

    ``make`` imports the pane's module when called, never before; the window
    checks that the pane it makes carries the id and title given here.
    """

    pane_id: str
    title: str
    make: Callable[[AppContext], Pane]


class PanePlaceholder(QWidget):
    """Sits in a tab until its pane is made; asks for the pane one event-loop turn after it is painted."""

    wanted = Signal(object)  # this placeholder: make my pane now

    def __init__(self, spec: PaneSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.pane_id = spec.pane_id
        self.title = spec.title
        label = QLabel(f"Opening {spec.title}…")
        label.setProperty("muted", True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        super().paintEvent(event)
        QTimer.singleShot(0, self, self._ask)  # once this frame is out; dropped if the placeholder goes first

    def _ask(self) -> None:
        if self.isVisible():  # still the tab in view (fast tab switching passes over tabs)
            self.wanted.emit(self)
