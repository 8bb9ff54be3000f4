"""The small steps around a license: revoke, extend, renew the due ones, re-issue for a new plan, save or copy.

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
    QMessageBox,
    QWidget,
)

from app.clock import utcnow
from app.domain.licenses import Renewal
from ui import settings_keys
from ui.dialogs.form_dialog import FormDialog
from ui.formatting import local_day, relative_days
from ui.widgets.summary_table import Cell, SummaryTable
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


class RenewDialog(FormDialog[list[str]]):
    """The licenses due for renewal, each with its new expiry: renew them all in one signing."""

    def __init__(self, renewals: list[Renewal], parent: QWidget | None = None) -> None:
        count = len(renewals)
        super().__init__(
            "Renew licenses",
            f"{count:,} license{'' if count == 1 else 's'} expire{'s' if count == 1 else ''} within 30 days while "
            "the subscription is active. Each is re-issued for its term again, from its current expiry; the old "
            "files are revoked as renewed. Send each customer the new file (Save .lic… or Copy).",
            f"Sign {count:,} renewal{'' if count == 1 else 's'}", parent, min_width=640,
        )
        self._ids = [r.license_id for r in renewals]
        table = SummaryTable((("Customer", ""), ("Plan", ""), ("Seats", "The seat cap, unchanged"),
                              ("Expires", "The current expiry"), ("Renewed until", "The new license's expiry")),
                             numeric=frozenset({2}))
        table.set_rows([
            [Cell(r.customer_name or r.license_id[:8]), Cell(r.plan.capitalize()), Cell(f"{r.seats:,}"),
             Cell(f"{local_day(r.expires_at)} ({relative_days(r.expires_at)})"), Cell(local_day(r.new_expires_at))]
            for r in renewals
        ])
        self.form.addRow(table)

    def value(self) -> list[str]:
        return self._ids


def ask_renewal(parent: QWidget | None, renewals: list[Renewal]) -> list[str] | None:
    """The ids of ``renewals`` to renew (all of them), or None when cancelled."""
    return RenewDialog(renewals, parent).ask()


def ask_plan_reissue(parent: QWidget | None, record: dict[str, Any]) -> bool:
    """Whether to re-issue ``record`` (a license detail) on the plan its subscription now pays for."""
    plan = str(record["subscription_plan"]).capitalize()
    seats = record["subscription_seats"]
    box = QMessageBox(QMessageBox.Icon.Question, "Re-issue for the new plan",
                      f"The subscription of {_who(record)} now pays for <b>{html.escape(plan)}</b>.<br>"
                      f"Sign a new license on {html.escape(plan)}"
                      f"{f' with {seats:,} seats' if seats else ' with its default seats'} and features, "
                      f"until {local_day(record['expires_at'])}? The old file is revoked as superseded.",
                      QMessageBox.StandardButton.Cancel, parent)
    sign = box.addButton("Sign new license", QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    return box.clickedButton() is sign


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
