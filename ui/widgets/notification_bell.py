"""The bell in the status bar: how many notifications are unread, and the list that opens from it.

The in-app list (``ui.widgets.notification_panel``) works everywhere, tray or
not; opening an entry marks it read and asks the window to show its record
(its tab, its row).  The bell reads the notifications on a worker and again
whenever the change bus says the notifications table changed (an alert pass
recorded news, something was marked read).  The list and its module are made
when first opened: the window's start shows only the bell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QToolButton, QWidget

from app.notices import StoredNotice
from app.store.changes import Changes
from app.store.database import Cache
from app.views import inbox
from resources import filled
from ui import theme
from ui.workers import LatestRequest, TaskRunner

if TYPE_CHECKING:
    from ui.widgets.notification_panel import NotificationPanel


def bell_icon(palette: QPalette) -> QIcon:
    """``resources/icons/bell.svg`` in the palette's (opaque) text colour: no emoji font needed, it follows the theme.

    Qt's SVG image plugin renders it at 32 px, shown at 16: crisp at 200 %.
    """
    svg = filled("icons/bell.svg", {"color": palette.color(QPalette.ColorRole.ButtonText).name()})
    pixmap = QPixmap()
    pixmap.loadFromData(svg.encode(), "SVG")
    pixmap.setDevicePixelRatio(2.0)
    return QIcon(pixmap)


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
        self._entries: list[StoredNotice] = []
        self._panel: NotificationPanel | None = None
        self.clicked.connect(lambda _c=False: self.show_panel())
        runner.bus.changed.connect(self._changes_landed)
        self._show_count(0)
        self._read_once = False

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        super().paintEvent(event)
        if not self._read_once:  # the first read waits until the bell is on screen: start-up runs no query
            self._read_once = True
            QTimer.singleShot(0, self, self.reload)

    @property
    def panel(self) -> NotificationPanel:
        """The list, made when first wanted: the window's start does not build what it does not show."""
        if self._panel is None:
            from ui.widgets.notification_panel import NotificationPanel

            self._panel = NotificationPanel(self)
            self._panel.open_entry.connect(self.open_entry)
            self._panel.mark_all.connect(self.mark_all_read)
            self._panel.set_entries(self._entries)
        return self._panel

    def reload(self) -> None:
        self._inbox.run(inbox.load, self._cache.engine, on_success=self._loaded)

    def show_panel(self) -> None:
        """Open the list above the bell, fitted to the window."""
        window = self.window()
        width = min(440, max(280, window.width() // 2))
        height = min(420, max(200, window.height() - 80))
        panel = self.panel
        panel.resize(width, height)
        corner = self.mapToGlobal(QPoint(self.width(), 0))
        panel.move(corner.x() - width, corner.y() - height)
        panel.show()
        panel.list.setFocus()
        if panel.list.count() and panel.list.currentRow() < 0:
            panel.list.setCurrentRow(0)

    def open_entry(self, entry: StoredNotice) -> None:
        """Mark ``entry`` read and ask for its record."""
        if self._panel is not None:
            self._panel.hide()
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
        self._entries = box.entries
        if self._panel is not None:
            self._panel.set_entries(box.entries)

    def _show_count(self, unread: int) -> None:
        self.unread = unread
        self.setText(f"{unread:,} new" if unread else "")
        self.setToolTip(f"Notifications: {unread:,} unread — click to see them" if unread
                        else "Notifications: none unread — click to see the list")
        self.setProperty("unread", bool(unread))
        theme.restyle(self)
