"""The row of action buttons above a detail, with one line that says how the last action went.

Tickets, licenses and customers act on the selected row the same way: buttons
that the role and the selection enable, "Saving…" then "Saved — waiting to
send", an error in red, and for read-only roles a note that says why nothing
can be changed.  One widget, so all panes word and place it alike.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.failures import could_not
from ui.widgets.palette import RED


def button(label: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    """A push button with its tooltip that calls ``slot()`` when clicked."""
    made = QPushButton(label)
    made.setToolTip(tip)
    made.clicked.connect(lambda _checked=False: slot())
    return made


class ActionBar(QWidget):
    """Buttons in a row, then the status line (``status``)."""

    def __init__(self, read_only_note: str = "", *, align_right: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read_only_note = read_only_note
        self._row = QHBoxLayout()
        self._row.setContentsMargins(8, 0, 0, 0)
        if align_right:
            self._row.addStretch(1)
        self._align_right = align_right
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._row)
        layout.addWidget(self.status)

    def add(self, label: str, tip: str, slot: Callable[[], object]) -> QPushButton:
        """A button that calls ``slot()`` when clicked, next in the row."""
        made = button(label, tip, slot)
        self._row.addWidget(made)
        return made

    def finish(self) -> None:
        """No more buttons: keep them together on the left (or right)."""
        if not self._align_right:
            self._row.addStretch(1)

    def say(self, message: str) -> None:
        """Tell how an action went (rich text allowed); empty hides the line."""
        self.status.setText(message)
        self.status.setVisible(bool(message))

    def fail(self, exc: BaseException | str) -> None:
        self.say(f"<span style='color:{RED.name()};'>{html.escape(str(exc))}</span>")

    def failed_to_save(self, exc: BaseException) -> None:
        """A write to the cache failed: one line in SQLite's words here, the whole error in the log."""
        self.fail(could_not("save to the local cache", exc))

    def clear(self) -> None:
        """The news was about another row, or is old: say nothing (but keep a read-only note)."""
        if self.status.text() != self._read_only_note:
            self.say("")

    def set_read_only(self, read_only: bool) -> None:
        """Show the read-only note while the role cannot act; take it away when it can."""
        if read_only:
            self.say(self._read_only_note)
        elif self.status.text() == self._read_only_note:
            self.say("")
