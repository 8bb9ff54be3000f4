"""The shape of every small action form: a heading, one form, a problem line, OK and Cancel.

It stays open until ``value()`` is complete, showing what is missing on the
problem line, so a half-filled form is never acted on.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ui.widgets.palette import RED

_V = TypeVar("_V")  # what the completed form gives: a reason, a date, a ticket action


class FormDialog(QDialog, Generic[_V]):
    """Subclasses add rows to ``self.form`` and implement ``value()`` (None until the form is complete)."""

    def __init__(
        self, title: str, heading: str, ok_label: str, parent: QWidget | None = None, *, min_width: int = 480
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(min_width)
        label = QLabel(heading)
        label.setWordWrap(True)
        self.form = QFormLayout()
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {RED.name()};")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_label)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def value(self) -> _V | None:
        raise NotImplementedError

    def refuse(self, message: str) -> None:
        """Say what is missing on the problem line; ``value()`` then returns None."""
        self.problem.setText(message)
        self.problem.show()

    def accept(self) -> None:  # Qt override: stay open until the form is complete
        if self.value() is not None:
            super().accept()

    def ask(self) -> _V | None:
        """Show modally; the completed value, or None when cancelled."""
        try:
            return self.value() if self.exec() == QDialog.DialogCode.Accepted else None
        finally:
            self.deleteLater()
