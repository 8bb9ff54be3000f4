"""Signing keys…: the keys of this workstation, and generating, importing, activating and exporting them.

Key files are the truth (``app.licensing.keys``); every operation here runs
on a worker because generating or importing stretches a passphrase with
scrypt.  Exporting gives the product team the *public* half (PEM, or the raw
base64 the verifier's ``load_public_keys`` takes); private keys never leave
the key folder through this dialog.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.licensing.files import read_bounded
from app.licensing.keys import KeyInfo
from app.licensing.service import LicenseService
from ui.dialogs import passphrase
from ui.dialogs.license_actions import copy_text
from ui.widgets.palette import RED
from ui.workers import TaskRunner

PEM_FILTER = "PEM public key (*.pem)"
MAX_KEY_FILE_BYTES = 64 * 1024
B64_FILTER = "Raw key, base64 (*.txt)"


class SigningKeysDialog(QDialog):
    """Lists keys (newest first, the active one marked) with the actions on them."""

    def __init__(self, runner: TaskRunner, service: LicenseService, *, read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.service = runner, service
        self.keys: list[KeyInfo] = []
        self.setWindowTitle("Signing keys")
        self.setMinimumSize(640, 360)
        intro = QLabel(
            "New licenses are signed with the <b>active</b> key. Older keys keep verifying the licenses they "
            "signed, so the product must embed every public key still in use. Back up the data folder's "
            "<i>keys</i> folder: a lost key file or passphrase cannot be recovered."
        )
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Key id", "Created (UTC)", "State", "Private key here"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Each column as wide as its title and values: at fixed widths, the last title read "Private key he".
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, label, tip, slot in (
            ("generate", "Generate…", "A new key pair, protected by a passphrase", self.generate),
            ("import", "Import…", "Adopt an existing Ed25519 private key (PKCS#8 PEM)", self.import_key),
            ("activate", "Activate", "Sign new licenses with the selected key from now on", self.activate),
            ("export", "Export public key…", "Save the selected key's public half as PEM or base64", self.export),
            ("copy", "Copy base64", "Copy the selected key's public half (raw base64) for the product", self.copy),
        ):
            button = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            self.buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self._read_only = read_only
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    # -- listing

    def reload(self) -> None:
        self.runner.run(self.service.list_keys, on_success=self._listed, on_failure=self._failed)

    def _listed(self, keys: list[KeyInfo]) -> None:
        self.keys = keys
        self.tree.clear()
        items = [
            QTreeWidgetItem([
                key.key_id, f"{key.created_at:%Y-%m-%d %H:%M}", "active — signs new licenses" if key.active else
                "retired — still verifies", "yes" if key.has_private_key else "no (public half only)",
            ])
            for key in keys
        ]
        self.tree.addTopLevelItems(items)
        if items:
            self.tree.setCurrentItem(items[0])
        else:
            self.status.setText("No signing key yet: Generate… one, or Import… the one your team uses.")
        self._update_buttons()

    def selected(self) -> KeyInfo | None:
        current = self.tree.currentItem()
        row = self.tree.indexOfTopLevelItem(current) if current is not None else -1
        return self.keys[row] if 0 <= row < len(self.keys) else None

    def _update_buttons(self) -> None:
        key = self.selected()
        self.buttons["generate"].setEnabled(not self._read_only)
        self.buttons["import"].setEnabled(not self._read_only)
        self.buttons["activate"].setEnabled(
            not self._read_only and key is not None and not key.active and key.has_private_key)
        self.buttons["export"].setEnabled(key is not None)
        self.buttons["copy"].setEnabled(key is not None)

    # -- actions

    def generate(self) -> None:
        unlock = passphrase.ask_new(self, "Choose a passphrase for the new key. It becomes active only when "
                                          "it is the first key, or when you Activate it.", keep=False)
        if unlock is not None:
            self._run("Generating…", self.service.generate_key, unlock.passphrase)

    def import_key(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a private key", "", "PEM keys (*.pem *.key);;All files (*)")
        if not name:
            return
        path = Path(name)
        self.runner.run(_read_head, path, on_success=lambda pem: self._import_pem(path.name, pem),
                        on_failure=self._failed)

    def _import_pem(self, file_name: str, pem: bytes) -> None:
        source = None
        if b"ENCRYPTED" in pem:  # PKCS#8 "BEGIN ENCRYPTED PRIVATE KEY": ask for the file's own passphrase
            answer = passphrase.ask_file(self, file_name)
            if answer is None:
                return
            source = answer.passphrase
        unlock = passphrase.ask_new(self, "Choose the passphrase the key is stored under on this workstation.",
                                    keep=False)
        if unlock is not None:
            self._run("Importing…", self.service.import_key, pem, unlock.passphrase, source_passphrase=source)

    def activate(self) -> None:
        key = self.selected()
        if key is not None:
            self._run("Activating…", self.service.activate_key, key.key_id)

    def export(self) -> None:
        key = self.selected()
        if key is None:
            return
        name, chosen = QFileDialog.getSaveFileName(self, "Export public key", f"{key.key_id}.pem",
                                                   f"{PEM_FILTER};;{B64_FILTER}")
        if name:
            content = key.public_key_pem if chosen != B64_FILTER else key.public_key_b64 + "\n"
            path = Path(name)
            self.runner.run(path.write_text, content, encoding="utf-8",
                            on_success=lambda _n: self.status.setText(f"Saved {path.name}."),
                            on_failure=self._failed)

    def copy(self) -> None:
        key = self.selected()
        if key is not None:
            copy_text(key.public_key_b64)
            self.status.setText(f"Copied the public key of {key.key_id} (base64).")

    def _run(self, doing: str, fn: Callable[..., KeyInfo], *args: Any, **kwargs: Any) -> None:
        self.status.setText(doing)
        self.runner.run(fn, *args, writes=True, on_success=self._done, on_failure=self._failed,
                        **kwargs)

    def _done(self, info: KeyInfo) -> None:
        self.status.setText(f"Key {info.key_id} is {'active' if info.active else 'ready (not active)'}.")
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"<span style='color:{RED.name()};'>{html.escape(str(exc))}</span>")


def _read_head(path: Path) -> bytes:
    """A key file's bytes, bounded (worker job: the file may sit on a share); a huge file is refused unread."""
    return read_bounded(path, MAX_KEY_FILE_BYTES)


def open_signing_keys(runner: TaskRunner, service: LicenseService, *, read_only: bool,
                      parent: QWidget | None = None) -> SigningKeysDialog:
    """Open the dialog without blocking (window-modal)."""
    dialog = SigningKeysDialog(runner, service, read_only=read_only, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
