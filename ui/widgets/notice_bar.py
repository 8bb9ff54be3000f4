"""A slim notice across the top of the window: what went wrong in words, "Details…" for the technical text.

For problems the user should know about but need not stop for -- a sync
that failed, a backend out of reach, a keyring that would not open -- so it
never blocks the window the way a dialog would.  "Details…" opens a
non-modal box holding the technical text (what support asks for); "Dismiss"
hides the notice until the next problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ui import theme

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

ERROR, WARNING = "error", "warning"


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Details…")
        self.details_button.setToolTip("The technical text, to look up or to send to support")
        self.details_button.clicked.connect(lambda _c=False: self.show_details())
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("Hide this notice (it comes back if the problem happens again)")
        self.dismiss_button.clicked.connect(lambda _c=False: self.hide())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.details_button)
        layout.addWidget(self.dismiss_button)
        self.details = ""
        self.details_box: QMessageBox | None = None
        self.hide()

    def show_notice(self, text: str, details: str = "", level: str = ERROR) -> None:
        self.message.setText(text)
        self.details = details
        self.details_button.setVisible(bool(details))
        self.setProperty("level", level)
        theme.restyle(self)
        self.show()

    def show_details(self) -> None:
        """The technical text in a box that does not block the window."""
        from PySide6.QtWidgets import QMessageBox  # loads when a box first opens, not with the window

        box = QMessageBox(QMessageBox.Icon.Information, "Details", self.message.text(),
                          QMessageBox.StandardButton.Close, self)
        box.setDetailedText(self.details)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.details_box = box
