"""The signing key's passphrase: asking for it, choosing a new one, and signing with the key unlocked.

Everything that signs (issuing, extending, publishing a revocation list) goes
through ``run_signed``, so the rules live in one place: no key yet → offer to
generate one; key unlocked → sign without asking; else ask (with "keep
unlocked for N minutes"), unlock on a worker -- scrypt takes a noticeable
fraction of a second and 128 MiB -- and ask again, saying why, when the
passphrase is wrong.  The two ``ask`` functions are what tests patch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.licensing.service import LicenseService
from ui import settings_keys
from ui.widgets.palette import RED
from ui.workers import TaskRunner

KEEP_MINUTES_KEY = "licenses/keep_unlocked_minutes"
DEFAULT_KEEP_MINUTES = 15
MIN_NEW_LENGTH = 10
#: "Just this once" still unlocks (so a wrong passphrase is told apart from a failed job), this briefly.
ONCE_MINUTES = 1.0


@dataclass(frozen=True)
class Unlock:
    """What the user typed: the passphrase and how long to keep the key unlocked (0: just this once)."""

    passphrase: str
    minutes: int


class PassphraseDialog(QDialog):
    """Asks for a key's passphrase; with ``new=True``, for a new one typed twice."""

    def __init__(self, title: str, message: str, *, new: bool = False, keep: bool = True, error: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self._new, self._keep = new, keep
        text = QLabel(message)
        text.setWordWrap(True)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.keep = QSpinBox(minimum=0, maximum=480, suffix=" min", singleStep=5)
        self.keep.setMaximumWidth(160)
        self.keep.setSpecialValueText("just this once")
        self.keep.setValue(settings_keys.int_value(KEEP_MINUTES_KEY, DEFAULT_KEEP_MINUTES))
        self.keep.setToolTip("Sign without asking again for this long (the key stays decrypted in memory only)")
        self.problem = QLabel(error)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {RED.name()};")
        self.problem.setVisible(bool(error))
        form = QFormLayout()
        form.addRow("Passphrase", self.passphrase)
        if new:
            self.passphrase.setToolTip(f"At least {MIN_NEW_LENGTH} characters; there is no way to recover it")
            form.addRow("Again", self.again)
        if keep:  # only where the key is unlocked for signing right after
            form.addRow("Keep unlocked for", self.keep)
        else:
            self.keep.setValue(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save key" if new else "Unlock" if keep else "OK")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def answer(self) -> Unlock | None:
        """The entry, or None while it is incomplete (``problem`` says why)."""
        passphrase = self.passphrase.text()
        problem = ""
        if not passphrase:
            problem = "Type the passphrase."
        elif self._new and len(passphrase) < MIN_NEW_LENGTH:
            problem = f"Use at least {MIN_NEW_LENGTH} characters: the passphrase is all that protects the key."
        elif self._new and passphrase != self.again.text():
            problem = "The two passphrases differ."
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            return None
        return Unlock(passphrase, self.keep.value())

    def accept(self) -> None:  # Qt override: stay open until the entry is complete
        if self.answer() is not None:
            if self._keep:
                settings_keys.qsettings().setValue(KEEP_MINUTES_KEY, self.keep.value())
            super().accept()


def _ask(dialog: PassphraseDialog) -> Unlock | None:
    try:
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


def ask(parent: QWidget | None, key_id: str, error: str = "") -> Unlock | None:
    """The passphrase of signing key ``key_id``, or None when cancelled."""
    return _ask(PassphraseDialog(
        "Unlock the signing key", f"Enter the passphrase of signing key <b>{key_id}</b>.", error=error, parent=parent
    ))


def ask_new(parent: QWidget | None, message: str, *, keep: bool = True) -> Unlock | None:
    """A passphrase for a new signing key (typed twice), or None when cancelled.

    ``keep=False`` hides "keep unlocked" where nothing is signed right after (the keys dialog).
    """
    return _ask(PassphraseDialog("New signing key", message, new=True, keep=keep, parent=parent))


def ask_file(parent: QWidget | None, file_name: str) -> Unlock | None:
    """The passphrase an imported key file was exported with, or None when cancelled."""
    return _ask(PassphraseDialog("Encrypted key file", f"<b>{file_name}</b> is encrypted: enter its passphrase.",
                                 keep=False, parent=parent))


NO_KEY_MESSAGE = (
    "There is no signing key on this workstation yet. Choose a passphrase to generate one now: "
    "it encrypts the key file, and nobody can recover it if it is lost. Back up the data folder's "
    "<i>keys</i> folder afterwards."
)


def generate_and_unlock(service: LicenseService, unlock: Unlock) -> str:
    """Worker job: a new key, unlocked at once (the user has just typed its passphrase); returns its id."""
    info = service.generate_key(unlock.passphrase)
    service.unlock(unlock.passphrase, unlock.minutes or ONCE_MINUTES, info.key_id)
    return info.key_id


def run_signed(
    parent: QWidget | None,
    runner: TaskRunner,
    service: LicenseService,
    job: Callable[[], Any],
    *,
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    on_cancel: Callable[[], None] = lambda: None,
    error: str = "",
) -> None:
    """Run ``job`` (which signs with the unlocked active key) on the writer, unlocking the key first if needed."""
    key_id = service.keys.active_id
    if key_id is None:
        first = ask_new(parent, NO_KEY_MESSAGE)
        if first is None:
            on_cancel()
            return
        runner.run(
            generate_and_unlock, service, first, writes=True, on_failure=on_failure,
            on_success=lambda _key: _sign(runner, service, job, first, on_success, on_failure),
        )
        return
    if service.unlocked_seconds_left(key_id) > 0:
        runner.run(job, writes=True, on_success=on_success, on_failure=on_failure)
        return
    unlock = ask(parent, key_id, error)
    if unlock is None:
        on_cancel()
        return

    def unlocked(_: Any) -> None:
        _sign(runner, service, job, unlock, on_success, on_failure)

    def refused(exc: BaseException) -> None:  # a wrong passphrase: ask again, saying so
        run_signed(parent, runner, service, job, on_success=on_success, on_failure=on_failure,
                   on_cancel=on_cancel, error=str(exc))

    runner.run(service.unlock, unlock.passphrase, unlock.minutes or ONCE_MINUTES, key_id,
               on_success=unlocked, on_failure=refused)


def _sign(runner: TaskRunner, service: LicenseService, job: Callable[[], Any], unlock: Unlock,
          on_success: Callable[[Any], None], on_failure: Callable[[BaseException], None]) -> None:
    def once() -> Any:
        try:
            return job()
        finally:
            if not unlock.minutes:
                service.lock()

    runner.run(once, writes=True, on_success=on_success, on_failure=on_failure)
