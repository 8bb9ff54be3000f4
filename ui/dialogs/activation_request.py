"""Answer an activation request: what the machine asks, whether it can be answered, then sign and save.

The request was read and checked against the registry on a worker
(``LicenseService.review_activation``) before this dialog opens, so it shows a
verdict at once: green when it can be answered (and whether the machine
already holds a seat), red with the reason when not -- revoked or expired
license, no seats left, a version above the license's maximum.  Signing goes
through ``passphrase.run_signed`` like issuing, and the service checks again
in the transaction that records the machine, so a seat taken meanwhile is
still refused.  Everything works offline; the machine reaches the Ops API with
the next sync.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.licensing.service import ActivationReview, AnsweredActivation, LicenseService
from ui.dialogs import passphrase
from ui.dialogs.license_actions import copy_text, save_text
from ui.formatting import local_day, relative_days, seat_words, when
from ui.widgets.palette import GREEN, RED
from ui.workers import TaskRunner

RESPONSE_FILTER = "Activation responses (*.activation);;All files (*)"


def response_file_name(machine: str, license_id: str) -> str:
    """``lab-pc-0b6a3c1e.activation``: which machine, which license."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in machine.lower()).split())[:40]
    return f"{slug or 'machine'}-{license_id[:8]}.activation"


def _verdict(review: ActivationReview) -> tuple[str, bool]:
    if review.refusal is not None:
        return f"Cannot be answered: {review.refusal}", False
    if review.repeat:
        return "Can be answered: this machine already holds a seat, so answering again takes no other.", True
    terms = review.terms
    return f"Can be answered: the machine takes seat {terms.in_use + 1:,} of {terms.seats:,}.", True


class ActivationDialog(QDialog):
    """One request: its fields, the verdict, Sign response… and, once signed, Save again / Copy."""

    answered = Signal(object)  # AnsweredActivation, once the machine is in the registry

    def __init__(self, runner: TaskRunner, service: LicenseService, review: ActivationReview, data: bytes,
                 file_name: str, *, read_only: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.service, self.review, self._data = runner, service, review, data
        self.result_activation: AnsweredActivation | None = None
        request, terms = review.request, review.terms
        self.setWindowTitle("Activation request")
        self.setMinimumWidth(560)
        heading = QLabel(f"<b>{html.escape(file_name)}</b> asks for a seat of a license for one machine.")
        heading.setWordWrap(True)
        form = QFormLayout()
        machine = request.machine_name or "(no name given)"
        for label, value in (
            ("Customer", terms.customer_name or "—"),
            ("License", request.license_id),
            ("Machine", f"{machine} · fingerprint {request.fingerprint}"),
            ("Product", f"{request.product} {request.product_version}"),
            ("Requested", when(request.requested_at)),
            ("Seats", seat_words(terms.in_use, terms.seats)),
            ("Expires", f"{local_day(terms.expires_at)} ({relative_days(terms.expires_at)})"),
            ("Up to version", terms.max_version or "any version"),
        ):
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", shown)
        text, ok = _verdict(review)
        self.verdict = QLabel(text)
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet(f"color: {(GREEN if ok else RED).name()}; font-weight: bold;")
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.sign_button = QPushButton("Sign response…")
        self.sign_button.setToolTip("Sign a response bound to this machine with this workstation's key, record the "
                                    "machine and save the file for the customer")
        self.sign_button.setEnabled(ok and not read_only)
        self.sign_button.setDefault(True)
        self.save_button = QPushButton("Save again…")
        self.copy_button = QPushButton("Copy")
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for extra in (self.save_button, self.copy_button):  # once there is a response
            extra.hide()
        buttons.rejected.connect(self.reject)
        self.sign_button.clicked.connect(self.sign)
        self.save_button.clicked.connect(self.save)
        self.copy_button.clicked.connect(self.copy)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        if read_only and ok:
            layout.addWidget(QLabel("Read-only: your role can read requests but not answer them."))
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def sign(self) -> None:
        self.sign_button.setEnabled(False)
        self.status.setText("Signing the response…")
        passphrase.run_signed(
            self, self.runner, self.service, lambda: self.service.answer_activation(self._data),
            on_success=self._answered, on_failure=self._failed, on_cancel=self._cancelled,
        )

    def _answered(self, answered: AnsweredActivation) -> None:
        self.result_activation = answered
        terms = answered.terms
        in_use = terms.in_use + (0 if terms.machine_known else 1)
        self.verdict.setText(f"Answered: {seat_words(in_use, terms.seats)} — the machine waits to be sent with "
                             "the next sync.")
        self.status.setText("")
        for extra in (self.save_button, self.copy_button):
            extra.setVisible(True)
        self.answered.emit(answered)
        self.save()

    def _failed(self, exc: BaseException) -> None:
        self.verdict.setText(f"Not answered: {exc}")
        self.verdict.setStyleSheet(f"color: {RED.name()}; font-weight: bold;")
        self.status.setText("")

    def _cancelled(self) -> None:
        self.sign_button.setEnabled(True)
        self.status.setText("")

    def save(self) -> None:
        answered = self.result_activation
        if answered is None:
            return
        a = answered.activation
        save_text(self, self.runner, answered.text, title="Save activation response",
                  suggested=response_file_name(a.machine_name or a.fingerprint, a.license_id),
                  file_filter=RESPONSE_FILTER, on_done=self.status.setText)

    def copy(self) -> None:
        if self.result_activation is not None:
            copy_text(self.result_activation.text)
            self.status.setText("Copied the response's text to the clipboard.")


def open_activation_dialog(runner: TaskRunner, service: LicenseService, review: ActivationReview, data: bytes,
                           file_name: str, *, read_only: bool, parent: QWidget | None) -> ActivationDialog:
    """Show the dialog without blocking (``open``), so the registry behind it keeps updating."""
    dialog = ActivationDialog(runner, service, review, data, file_name, read_only=read_only, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
