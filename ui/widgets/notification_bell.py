"""The bell in the status bar: how many notifications are unread, and the list that opens from it.

The in-app list works everywhere, tray or not: each entry says what happened
and when, in its severity's colour, unread ones in bold; opening an entry
(Enter, double-click or "Open") marks it read and asks the window to show
its record (its tab, its row).  The bell reads the notifications on a worker
and again whenever the change bus says the notifications table changed (an
alert pass recorded news, something was marked read).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFont, QIcon, QPainter, QPainterPath, QPaintEvent, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.notices import CRITICAL, KINDS, WARNING, StoredNotice
from app.store.changes import Changes
from app.store.database import Cache
from app.views import inbox
from ui import formatting as fmt
from ui.widgets.palette import AMBER, RED
from ui.workers import LatestRequest, TaskRunner

ID_ROLE = Qt.ItemDataRole.UserRole  # the notification's id
_SEVERITY_COLORS = {CRITICAL: RED, WARNING: AMBER}


def bell_icon(palette: QPalette, size: int = 16) -> QIcon:
    """A bell drawn in the palette's text colour (no emoji font needed, and it follows the theme)."""
    pixmap = QPixmap(size * 2, size * 2)  # drawn at twice the size: crisp at 200 %
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = palette.color(QPalette.ColorRole.ButtonText)
    painter.setPen(QPen(color, 1.2))
    painter.setBrush(QBrush(color))
    s = float(size)
    body = QPainterPath()
    body.moveTo(s * 0.2, s * 0.72)
    body.cubicTo(s * 0.28, s * 0.6, s * 0.24, s * 0.22, s * 0.5, s * 0.18)
    body.cubicTo(s * 0.76, s * 0.22, s * 0.72, s * 0.6, s * 0.8, s * 0.72)
    body.closeSubpath()
    painter.drawPath(body)
    painter.drawEllipse(QPointF(s * 0.5, s * 0.84), s * 0.09, s * 0.09)
    painter.drawRect(QRectF(s * 0.46, s * 0.1, s * 0.08, s * 0.08))
    painter.end()
    return QIcon(pixmap)


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


class NotificationBell(QToolButton):
    """The status bar's bell; ``record_requested(pane, key)`` when an entry is opened."""

    record_requested = Signal(str, str)

    def __init__(self, cache: Cache, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notificationBell")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIcon(bell_icon(self.palette()))
        self._cache = cache  # its engine is made at the first read, after the window's first paint
        self._runner = runner
        self._inbox = LatestRequest(runner)
        self.unread = 0
        self.panel = NotificationPanel(self)
        self.panel.open_entry.connect(self.open_entry)
        self.panel.mark_all.connect(self.mark_all_read)
        self.clicked.connect(lambda _c=False: self.show_panel())
        runner.bus.changed.connect(self._changes_landed)
        self._show_count(0)
        self._read_once = False

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        super().paintEvent(event)
        if not self._read_once:  # the first read waits until the bell is on screen: start-up runs no query
            self._read_once = True
            QTimer.singleShot(0, self, self.reload)

    def reload(self) -> None:
        self._inbox.run(inbox.load, self._cache.engine, on_success=self._loaded)

    def show_panel(self) -> None:
        """Open the list above the bell, fitted to the window."""
        window = self.window()
        width = min(440, max(280, window.width() // 2))
        height = min(420, max(200, window.height() - 80))
        self.panel.resize(width, height)
        corner = self.mapToGlobal(QPoint(self.width(), 0))
        self.panel.move(corner.x() - width, corner.y() - height)
        self.panel.show()
        self.panel.list.setFocus()
        if self.panel.list.count() and self.panel.list.currentRow() < 0:
            self.panel.list.setCurrentRow(0)

    def open_entry(self, entry: StoredNotice) -> None:
        """Mark ``entry`` read and ask for its record."""
        self.panel.hide()
        if entry.read_at is None:
            self._runner.run(inbox.mark_read, self._cache.engine, [entry.id], writes=True)
        if entry.notice.pane:
            self.record_requested.emit(entry.notice.pane, entry.notice.record or "")

    def mark_all_read(self) -> None:
        self._runner.run(inbox.mark_read, self._cache.engine, writes=True)

    def changeEvent(self, event: QEvent) -> None:  # Qt override: redraw the bell in the new theme's colour
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.setIcon(bell_icon(self.palette()))

    def _changes_landed(self, changes: Changes) -> None:
        if changes.touches(inbox.TABLES):
            self.reload()

    def _loaded(self, box: inbox.Inbox) -> None:
        self._show_count(box.unread)
        self.panel.set_entries(box.entries)

    def _show_count(self, unread: int) -> None:
        self.unread = unread
        self.setText(f"{unread:,} new" if unread else "")
        self.setToolTip(f"Notifications: {unread:,} unread — click to see them" if unread
                        else "Notifications: none unread — click to see the list")
        self.setProperty("unread", bool(unread))
        self.style().unpolish(self)
        self.style().polish(self)
