"""What a license or activation file says and whether it holds: for support staff looking at a customer's file.

The file is read and verified on a worker (``open_file``), never on the
GUI thread: the file may sit on a network share, and verifying means reading
the registry's revocations and keys.  The verdict comes from
``LicenseService.inspect`` (the product's own check); the registry line adds
what only this registry knows -- who revoked it, when and why, or that it was
issued elsewhere.  An activation *request* is not inspected here: the worker
reviews it against the registry and the Licenses tab opens it to be answered.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.licensing.activation import ActivationRefused
from app.licensing.errors import LicensingError
from app.licensing.files import read_bounded
from app.licensing.service import ActivationReview, Inspection, LicenseService
from app.licensing.verifier import ACTIVATION_LABEL, REQUEST_LABEL
from ui.formatting import expiry_words, local_day
from ui.widgets.palette import GREEN, GREY, RED


@dataclass(frozen=True)
class InspectedFile:
    name: str
    inspection: Inspection
    registry: str  # what this workstation's registry says about the license, in words


def registry_words(record: dict[str, Any] | None) -> str:
    """One sentence on a license's registry row (None: not in this registry)."""
    if record is None:
        return "Not in this workstation's registry: issued elsewhere, or not synced here yet."
    if record["revoked_at"] is not None:
        return f"Revoked on {local_day(record['revoked_at'])}: {record['revoke_reason'] or 'no reason given'}."
    sync = " · waiting to send" if record["pending"] else ""
    return f"In the registry, not revoked — {expiry_words(record['expires_at'])}{sync}."


@dataclass(frozen=True)
class RequestFile:
    """An activation request read from a file, reviewed against the registry, ready to be answered."""

    name: str
    data: bytes
    review: ActivationReview


def _armoured_as(data: bytes, label: str) -> bool:
    return data.startswith(f"-----BEGIN {label}-----".encode())


def open_file(service: LicenseService, path: Path) -> InspectedFile | RequestFile:
    """Worker job: read ``path`` (bounded); review it if it is an activation request, else inspect it."""
    try:
        data = read_bounded(path)  # licenses and requests are five short lines: a big file is refused unread
    except LicensingError as exc:
        return InspectedFile(path.name, Inspection(fields=[], verdict=str(exc), ok=False), "")
    if _armoured_as(data, REQUEST_LABEL):
        try:
            return RequestFile(path.name, data, service.review_activation(data))
        except ActivationRefused as refused:  # unreadable, or for a license this registry does not hold
            return InspectedFile(path.name, Inspection(fields=[], verdict=str(refused), ok=False), "")
    inspection = service.inspect_activation(data) if _armoured_as(data, ACTIVATION_LABEL) else service.inspect(data)
    license_id = dict(inspection.fields).get("License")
    return InspectedFile(path.name, inspection, registry_words(_record(service, license_id)) if license_id else "")


def _record(service: LicenseService, license_id: str) -> dict[str, Any] | None:
    try:
        return service.record(license_id)
    except LicensingError:
        return None


class LicenseInspector(QWidget):
    """The fields of an inspected file and its verdict, green or red; hidden until there is one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        close = QToolButton(autoRaise=True)
        close.setText("✕")
        close.setToolTip("Close the inspection")
        close.clicked.connect(self.hide)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.registry = QLabel()
        self.registry.setWordWrap(True)
        self.registry.setToolTip("What this workstation's license registry says about the license id")
        self._fields = QWidget()
        self._form = QFormLayout(self._fields)
        self._form.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.verdict)
        layout.addWidget(self.registry)
        layout.addWidget(self._fields)
        layout.addStretch(1)
        self.hide()

    def show_loading(self, name: str) -> None:
        self._set(f"Inspecting {name}…", "", GREY, "", [])

    def show_result(self, result: InspectedFile) -> None:
        i = result.inspection
        self._set(f"Inspected file: {result.name}", i.verdict, GREEN if i.ok else RED, result.registry, i.fields)

    def show_error(self, name: str, exc: BaseException) -> None:
        self._set(f"Inspected file: {name}", f"Could not read the file: {exc}", RED, "", [])

    def _set(self, title: str, verdict: str, color: Any, registry: str, fields: list[tuple[str, str]]) -> None:
        self.title.setText(title)
        self.verdict.setText(f'<span style="color:{color.name()};"><b>{html.escape(verdict)}</b></span>')
        self.verdict.setVisible(bool(verdict))
        self.registry.setText(registry)
        self.registry.setVisible(bool(registry))
        while self._form.rowCount():
            self._form.removeRow(0)
        for label, value in fields:
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._form.addRow(f"{label}:", shown)
        self.show()
