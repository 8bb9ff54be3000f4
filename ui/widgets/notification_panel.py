"""The list that drops from the notification bell: what happened, when, in its severity's colour.

Each entry says what happened and when, in its severity's colour, unread ones
in bold; opening one (Enter, double-click or "Open") tells the bell, which
marks it read and asks the window for its record.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.notices import CRITICAL, KINDS, WARNING, StoredNotice
from ui import formatting as fmt
from ui.widgets.palette import AMBER, RED

ID_ROLE = Qt.ItemDataRole.UserRole  # the notification's id
_SEVERITY_COLORS = {CRITICAL: RED, WARNING: AMBER}


class NotificationPanel(QFrame):
    """The list that drops from the bell: newest first, Open and Mark all read."""

    open_entry = Signal(object)  # the StoredNotice the user opened
    mark_all = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("notificationPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.entries: list[StoredNotice] = []
        self.title = QLabel("<b>Notifications</b>")
        self.mark_button = QPushButton("Mark all read")
        self.mark_button.setToolTip("Take every notification off the unread count")
        self.mark_button.clicked.connect(lambda _c=False: self.mark_all.emit())
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setSpacing(3)  # entries of three lines each: a gap tells where one ends
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(self._activated)
        self.empty = QLabel("No notifications yet. Alerts about services, tickets, costs, customers and "
                            "licenses appear here, and as desktop messages where the desktop has a tray.")
        self.empty.setWordWrap(True)
        self.empty.setProperty("muted", True)
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Show the selected notification's record in its tab (Enter)")
        self.open_button.clicked.connect(lambda _c=False: self._activated(self.list.currentItem()))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.mark_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)

    def set_entries(self, entries: list[StoredNotice]) -> None:
        current_id = self.list.currentItem().data(ID_ROLE) if self.list.currentRow() >= 0 else None
        self.entries = entries
        self.list.clear()
        for entry in entries:
            item = QListWidgetItem(_entry_text(entry))
            item.setData(ID_ROLE, entry.id)
            item.setToolTip(entry.notice.body or entry.notice.title)
            color = _SEVERITY_COLORS.get(entry.notice.severity)
            if color is not None:
                item.setForeground(QBrush(color))
            if entry.read_at is None:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
            if entry.id == current_id:
                self.list.setCurrentItem(item)
        self.empty.setVisible(not entries)
        self.list.setVisible(bool(entries))
        self.mark_button.setEnabled(any(e.read_at is None for e in entries))
        self.open_button.setEnabled(bool(entries))

    def entry(self, notification_id: int) -> StoredNotice | None:
        return next((e for e in self.entries if e.id == notification_id), None)

    def _activated(self, item: QListWidgetItem | None) -> None:
        entry = None if item is None else self.entry(item.data(ID_ROLE))
        if entry is not None:
            self.open_entry.emit(entry)


def _entry_text(entry: StoredNotice) -> str:
    notice = entry.notice
    about = KINDS.get(notice.kind, notice.kind)
    lines = [notice.title]
    if notice.body:
        lines.append(notice.body)
    lines.append(f"{fmt.when(notice.occurred_at or entry.created_at)} · {about}")
    return "\n".join(lines)
