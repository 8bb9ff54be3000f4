"""The status bar: backend state, last successful sync, sync progress with Cancel, outbox, the notification bell.

It shows; it decides nothing.  The sync controller tells it what happened,
in words: "Syncing customers: 1,200 of 1,500" while a pass runs, and why the
last one failed ("The Ops API could not be reached…") rather than what the
HTTP library said -- the technical text goes to the window's notice and its
"Details".
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from ui import theme
from ui.formatting import format_age, words
from ui.formatting import when as when_local

ONLINE, OFFLINE, ERROR, NOT_CONFIGURED, SYNCING = "online", "offline", "error", "not_configured", "syncing"

_STATE_TEXT = {
    ONLINE: "● Online",
    OFFLINE: "● Offline",
    ERROR: "● Sync problem",
    NOT_CONFIGURED: "○ No backend configured",
    SYNCING: "● Syncing…",
}
_SYNC_TIP = "When the last sync with every backend succeeded"


def progress_words(label: str, done: int, total: int | None) -> str:
    """"Customers: 1,200 of 1,500", or "Ticket events: 1,200 so far" while the total is unknown."""
    name = words(label)
    if total:
        return f"{name}: {min(done, total):,} of {total:,}"
    return f"{name}: {done:,} so far" if done else f"{name}: starting"


class StatusBar(QStatusBar):
    cancel_requested = Signal()  # the user pressed Cancel beside the sync progress

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = QLabel()
        self.state_label.setObjectName("backendState")
        self.sync_label = QLabel()
        self.sync_label.setToolTip(_SYNC_TIP)
        self.outbox_label = QLabel()
        self.outbox_label.setToolTip("Local changes waiting to be sent to the Ops API")
        self.not_stored_label = QLabel()
        self.not_stored_label.setObjectName("notStored")
        self.not_stored_label.setProperty("problem", True)
        self.not_stored_label.hide()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("syncProgress")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop this sync; what it fetched so far is kept, and the next sync "
                                      "continues where it stopped")
        self.cancel_button.clicked.connect(lambda _c=False: self.cancel_requested.emit())
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.hide()
        self.state = NOT_CONFIGURED
        self.show_state(NOT_CONFIGURED, None)  # before the bar lays the labels out: nothing to restyle yet
        self.addWidget(self.state_label)
        self.addWidget(self.sync_label, 1)
        self.addPermanentWidget(self.not_stored_label)
        self.addPermanentWidget(self.outbox_label)
        self.addPermanentWidget(self.progress_label)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.cancel_button)

    def add_bell(self, bell: QWidget) -> None:
        """The notification bell, last on the right."""
        self.addPermanentWidget(bell)

    def show_state(self, state: str, last_success: dt.datetime | None, detail: str = "") -> None:
        """``detail``: why, in words (a failed sync's reason, "sync cancelled")."""
        self.state = state
        self.state_label.setText(_STATE_TEXT[state])
        self.state_label.setProperty("state", state)
        theme.restyle(self.state_label)
        when = f"{when_local(last_success)} ({format_age(last_success)})" if last_success else None
        if state == OFFLINE:
            text = (f"Offline — showing the cache from {when}" if when
                    else "Offline — the cache is empty until the first sync")
        elif state == ERROR:
            text = "Last sync had a problem" + (f" — showing the cache from {when}" if when else "")
        elif state == NOT_CONFIGURED:
            text = "Set the Ops API address and token in File ▸ Settings… to sync"
        else:
            text = f"Last sync {when}" if when else "Not synced yet"
            if detail:
                text += f" · {detail}"
        self.sync_label.setText(text)
        self.sync_label.setToolTip(detail or _SYNC_TIP)

    def show_progress(self, label: str, done: int, total: int | None) -> None:
        words = progress_words(label, done, total)
        self.progress_label.setText(f"Syncing {words[0].lower()}{words[1:]}")
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)  # busy indicator while the total is unknown
        self.progress.setToolTip(words)
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.show()
        self.cancel_button.setEnabled(True)

    def show_cancelling(self) -> None:
        self.progress_label.setText("Cancelling the sync…")
        self.cancel_button.setEnabled(False)

    def hide_progress(self) -> None:
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.hide()

    def show_outbox(self, pending: int, refused: int) -> None:
        parts = []
        if pending:
            parts.append(f"{pending:,} change{'' if pending == 1 else 's'} waiting to send")
        if refused:
            parts.append(f"{refused:,} refused by the server")
        self.outbox_label.setText(" · ".join(parts))
        self.outbox_label.setProperty("problem", bool(refused))
        self.outbox_label.setVisible(bool(parts))

    def show_not_stored(self, total: int, detail: str) -> None:
        """Rows the backends sent that the cache could not store (quarantined), with the list as tooltip."""
        self.not_stored_label.setText(f"⚠ {total:,} row{'' if total == 1 else 's'} could not be stored")
        self.not_stored_label.setToolTip(detail)
        self.not_stored_label.setVisible(total > 0)
