"""The small steps around a license: revoke (with a reason), extend (a new expiry), save or copy a file.

Revoking and extending are confirmations with one field each; the ``ask_*``
functions show them modally and are what tests patch.  ``ExpiryPicker`` is
shared with the issue dialog so "30 days / 1 year / custom date" means the
same in both.  Files are written on a worker because the folder the user picks
may be a network share, which the GUI thread must never wait on.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from app.clock import utcnow
from ui import settings_keys
from ui.dialogs.form_dialog import FormDialog
from ui.formatting import local_day, relative_days
from ui.workers import TaskRunner

LAST_DIR_KEY = "licenses/save_dir"
REVOKE_REASONS = (
    "Customer cancelled", "Refunded", "Replaced by a new license", "Key leaked or shared", "Issued by mistake",
)


def end_of_local_day(day: dt.date) -> dt.datetime:
    """Naive UTC of 23:59:59 local time on ``day``: a license "until the 22nd" works all of the 22nd here."""
    local = dt.datetime.combine(day, dt.time(23, 59, 59)).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


class ExpiryPicker(QWidget):
    """30 days / 1 year / a custom date, counted from ``base`` (now, or a license's current expiry)."""

    PRESETS = (("30 days", 30), ("1 year", 365), ("Custom date", None))

    def __init__(self, base: dt.datetime | None = None, default: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = base
        self.preset = QComboBox()
        for label, days in self.PRESETS:
            self.preset.addItem(label, days)
        self.preset.setToolTip("How long the license runs" + (" after its current expiry" if base else ""))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMinimumDate(QDate.currentDate().addDays(1))
        self.date.setDate(QDate.currentDate().addYears(1))
        self.date.setToolTip("Valid until the end of this day, local time")
        self.summary = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preset)
        layout.addWidget(self.date)
        layout.addWidget(self.summary, 1)
        self.preset.currentIndexChanged.connect(self._update)
        self.date.dateChanged.connect(self._update)
        self.preset.setCurrentIndex(default)
        self._update()

    def expires_at(self) -> dt.datetime:
        """The chosen expiry, naive UTC."""
        days = self.preset.currentData()
        if days is None:
            day = self.date.date()
            return end_of_local_day(dt.date(day.year(), day.month(), day.day()))
        return max(self._base or utcnow(), utcnow()) + dt.timedelta(days=days)

    def _update(self) -> None:
        self.date.setVisible(self.preset.currentData() is None)
        expires = self.expires_at()
        self.summary.setText(f"until {local_day(expires)} ({relative_days(expires)})")


def _who(record: dict[str, Any]) -> str:
    return (f"<b>{html.escape(record['customer_name'] or record['customer_id'] or '')}</b> — "
            f"{html.escape(record['plan'])}, {record['seats']:,} seats, license {record['id'][:8]}")


class RevokeDialog(FormDialog[str]):
    def __init__(self, record: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(
            "Revoke license",
            f"Revoke the license of {_who(record)}?<br>The product refuses it once it loads a revocation list "
            "published after this (Publish revocation list…). This cannot be undone.",
            "Revoke", parent,
        )
        self.reason = QComboBox(editable=True)
        self.reason.addItems(REVOKE_REASONS)
        self.reason.setCurrentText("")
        line = self.reason.lineEdit()
        assert line is not None  # an editable combo box always has its line edit
        line.setPlaceholderText("Why? It goes to the registry")
        self.form.addRow("Reason", self.reason)

    def value(self) -> str | None:
        reason = self.reason.currentText().strip()
        if not reason:
            self.refuse("Say why the license is revoked.")
            return None
        return reason


class ExtendDialog(FormDialog[dt.datetime]):
    def __init__(self, record: dict[str, Any], parent: QWidget | None = None) -> None:
        expires: dt.datetime = record["expires_at"]
        super().__init__(
            "Extend license",
            f"Extend the license of {_who(record)}, now until {local_day(expires)}.<br>"
            "A new license with the same terms is signed and this one is revoked as superseded; "
            "send the customer the new file.",
            "Sign new license", parent,
        )
        self.expiry = ExpiryPicker(base=expires)
        self.form.addRow("Extend by", self.expiry)

    def value(self) -> dt.datetime:
        return self.expiry.expires_at()


def ask_revoke_reason(parent: QWidget | None, record: dict[str, Any]) -> str | None:
    """The reason to revoke ``record`` (a registry row), or None when cancelled."""
    return RevokeDialog(record, parent).ask()


def ask_new_expiry(parent: QWidget | None, record: dict[str, Any]) -> dt.datetime | None:
    """The new expiry (naive UTC) for ``record``, or None when cancelled."""
    return ExtendDialog(record, parent).ask()


def save_text(parent: QWidget | None, runner: TaskRunner, content: str, *, title: str, suggested: str,
              file_filter: str, on_done: Callable[[str], None]) -> None:
    """Ask where to save ``content``, write it on a worker, and tell ``on_done`` what happened."""
    store = settings_keys.qsettings()
    start = Path(str(store.value(LAST_DIR_KEY, "") or "")) / suggested
    name, _ = QFileDialog.getSaveFileName(parent, title, str(start), file_filter)
    if not name:
        return
    path = Path(name)
    store.setValue(LAST_DIR_KEY, str(path.parent))
    runner.run(path.write_text, content, encoding="utf-8", newline="\n",
               on_success=lambda _n: on_done(f"Saved {path.name}."),
               on_failure=lambda exc: on_done(f"Could not save {path.name}: {exc}"))


def copy_text(content: str) -> None:
    QGuiApplication.clipboard().setText(content)
