"""The status bar: backend state, last successful sync, offline notice, sync progress, outbox.

It shows; it decides nothing.  The sync controller tells it what happened.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from ui.formatting import when as when_local

ONLINE, OFFLINE, ERROR, NOT_CONFIGURED, SYNCING = "online", "offline", "error", "not_configured", "syncing"

_STATE_TEXT = {
    ONLINE: "● Online",
    OFFLINE: "● Offline",
    ERROR: "● Sync error",
    NOT_CONFIGURED: "○ No backend configured",
    SYNCING: "● Syncing…",
}


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = QLabel()
        self.state_label.setObjectName("backendState")
        self.sync_label = QLabel()
        self.sync_label.setToolTip("When the last sync with every backend succeeded")
        self.outbox_label = QLabel()
        self.outbox_label.setToolTip("Local changes waiting to be sent to the Ops API")
        self.not_stored_label = QLabel()
        self.not_stored_label.setObjectName("notStored")
        self.not_stored_label.setProperty("problem", True)
        self.not_stored_label.hide()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.addWidget(self.state_label)
        self.addWidget(self.sync_label, 1)
        self.addPermanentWidget(self.not_stored_label)
        self.addPermanentWidget(self.outbox_label)
        self.addPermanentWidget(self.progress)
        self.state = NOT_CONFIGURED
        self.show_state(NOT_CONFIGURED, None)

    def show_state(self, state: str, last_success: dt.datetime | None, detail: str = "") -> None:
        self.state = state
        self.state_label.setText(_STATE_TEXT[state])
        self.state_label.setProperty("state", state)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        when = when_local(last_success) if last_success else None
        if state == OFFLINE:
            text = (f"Offline — showing cache from {when}" if when
                    else "Offline — the cache is empty until the first sync")
        elif state == ERROR:
            text = f"Last sync failed: {detail}" + (f" — showing cache from {when}" if when else "")
        elif state == NOT_CONFIGURED:
            text = "Set the Ops API address and token in File ▸ Settings… to sync"
        else:
            text = f"Last sync {when}" if when else "Not synced yet"
        self.sync_label.setText(text)
        self.sync_label.setToolTip(detail or "When the last sync with every backend succeeded")

    def show_progress(self, label: str, done: int, total: int | None) -> None:
        self.progress.show()
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"{label} %p%")
        else:
            self.progress.setRange(0, 0)  # busy indicator when the total is unknown
            self.progress.setFormat(f"{label} {done:,}")
        self.progress.setToolTip(f"Syncing {label}: {done:,} rows" + (f" of {total:,}" if total else ""))

    def hide_progress(self) -> None:
        self.progress.hide()

    def show_outbox(self, pending: int, refused: int) -> None:
        parts = []
        if pending:
            parts.append(f"{pending} change(s) waiting to send")
        if refused:
            parts.append(f"{refused} refused by the server")
        self.outbox_label.setText(" · ".join(parts))
        self.outbox_label.setProperty("problem", bool(refused))
        self.outbox_label.setVisible(bool(parts))

    def show_not_stored(self, total: int, detail: str) -> None:
        """Rows the backends sent that the cache could not store (quarantined), with the list as tooltip."""
        self.not_stored_label.setText(f"⚠ {total:,} row{'' if total == 1 else 's'} could not be stored")
        self.not_stored_label.setToolTip(detail)
        self.not_stored_label.setVisible(total > 0)
