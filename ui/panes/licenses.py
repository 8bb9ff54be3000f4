"""The Licenses tab: issue signed license files offline, keep the registry, revoke, extend, inspect.

The table is a window over the cache's ``licenses`` registry
(``app.views.licenses``: columns, filters and the status rule, which compares
with *now* each time a query runs).  Everything that signs or decrypts goes
through ``LicenseService`` on the task runner -- the GUI thread only ever asks
"is the key unlocked?" -- and every change is written with its outbox entry,
so it works offline; the change bus shows it at once as "waiting to send".
Every action acts on the table's remembered current key, and a license just
issued or re-issued becomes the selected one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from app.clock import utcnow
from app.licensing.service import IssuedLicense, LicenseService, PublishedRevocations
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import licenses as view
from ui import formatting as fmt
from ui import settings_keys
from ui.dialogs import issue_license, license_actions, passphrase, signing_keys
from ui.dialogs.license_actions import copy_text, save_text
from ui.panes.base import Pane
from ui.panes.license_registry import LicenseTableModel, render_license
from ui.widgets.action_bar import ActionBar, button
from ui.widgets.detail_panel import DetailPanel
from ui.widgets.license_inspector import LicenseInspector, inspect_file
from ui.widgets.master_detail import MasterDetail
from ui.workers import TaskRunner

FILTERS = (
    ("Active", ("active",)),
    ("Expiring within 30 days", ("expiring",)),
    ("Expired", ("expired",)),
    ("Revoked", ("revoked",)),
    ("Waiting to send", ("pending",)),
    ("All", ()),
)
READ_ONLY_NOTE = "Read-only: your role can view licenses but not issue or revoke them."
REVOCATIONS_FILTER = "Revocation lists (*.txt);;All files (*)"
INSPECT_FILTER = "License files (*.lic);;All files (*)"
INSPECT_DIR_KEY = "licenses/inspect_dir"


class LicensesPane(Pane):
    """The license registry with issuing, revoking, extending and inspecting."""

    pane_id = "licenses"
    title = "Licenses"
    resources = ("ops:licenses",)
    tables = view.SPEC.tables

    def __init__(
        self, cache: Cache, runner: TaskRunner, service: LicenseService, parent: QWidget | None = None
    ) -> None:
        super().__init__(cache, runner, parent)
        self.service = service  # shared, so a key unlocked here is unlocked wherever licenses are issued
        self.issue_dialog: issue_license.IssueLicenseDialog | None = None  # the last one opened
        self.keys_dialog: signing_keys.SigningKeysDialog | None = None
        self.setAcceptDrops(True)

    def build(self) -> None:
        self.issue_button = button("Issue license…", "Sign a new license file, even offline (Ctrl+N)", self.issue)
        self.inspect_button = button("Inspect a license file…", "Check a .lic file: who it is for and whether it "
                                     "holds (Ctrl+O) — or drop the file anywhere on this tab", self.inspect)
        self.publish_button = button("Publish revocation list…", "Save the signed list of every revoked license, "
                                     "for the product to load", self.publish_revocations)
        self.keys_button = button("Signing keys…", "List, generate, import, activate and export signing keys",
                                  self.open_keys)
        self.key_status = QLabel()
        self.key_status.setToolTip("Whether signing asks for the key's passphrase")
        self.lock_button = button("Lock now", "Forget the decrypted key now; signing asks again", self.lock)
        toolbar = QHBoxLayout()
        for widget in (self.issue_button, self.inspect_button, self.publish_button, self.keys_button):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)
        toolbar.addWidget(self.key_status)
        toolbar.addWidget(self.lock_button)

        self.model = LicenseTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.detail = DetailPanel(self.runner, lambda key: view.load_license(self.engine, key), render_license,
                                  placeholder="Select a license to see its terms and history",
                                  key_table="licenses", tables=view.SPEC.tables)
        self.detail.loaded.connect(lambda _record: self.update_actions())
        self.action_bar = ActionBar(READ_ONLY_NOTE)
        self.revoke_button = self.action_bar.add("Revoke…", "Revoke the selected license, with a reason (Del)",
                                              self.revoke)
        self.extend_button = self.action_bar.add("Extend…", "Re-issue with a new expiry in one step; the old file is "
                                              "revoked as superseded", self.extend)
        self.save_button = self.action_bar.add("Save .lic…", "Save the selected license's file to send it again",
                                            self.save)
        self.copy_button = self.action_bar.add("Copy", "Copy the selected license's file text", self.copy)
        self.action_bar.finish()
        self.action_status = self.action_bar.status
        self.inspector = LicenseInspector()
        stack = QSplitter(Qt.Orientation.Vertical)
        stack.addWidget(self.detail)
        stack.addWidget(self.inspector)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.action_bar)
        side_layout.addWidget(stack, 1)
        self.split = MasterDetail(
            self.model, self.detail, runner=self.runner, state_key="panes/licenses",
            noun="licenses", filters=FILTERS, search_placeholder="Search customer name, email or id, license id… "
            "(Ctrl+F)", side=side, empty="No licenses issued yet — Ctrl+N issues one, even offline",
            no_match="No licenses match this search and filter — try “All” or clear the search", sizes=(800, 460),
        )
        self.table = self.split.table
        self.table.add_context_buttons(self.revoke_button, self.extend_button, self.save_button, self.copy_button)
        self.table.current_changed.connect(lambda _key: self.action_bar.clear())
        self.body.addLayout(toolbar)
        self.body.addWidget(self.split, 1)
        QShortcut(QKeySequence("Ctrl+N"), self).activated.connect(self.issue)
        QShortcut(QKeySequence("Ctrl+O"), self).activated.connect(self.inspect)
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table.view, context=Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.revoke)
        self.update_actions()

    # -- Pane hooks

    def changes_landed(self, changes: Changes) -> None:
        self.split.apply_changes(changes)

    def save_state(self) -> None:
        self.split.save_state()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override: the key may have locked meanwhile
        super().showEvent(event)
        self.update_actions()

    # -- issuing and signing

    def issue(self, customer_id: str | None = None) -> None:
        """Open the issue dialog (Ctrl+N); once the license is in the registry it becomes the selected one."""
        if self.read_only:
            return
        dialog = issue_license.open_issue_dialog(self.cache, self.runner, self.service, customer_id, self)
        dialog.issued.connect(self._issued)
        dialog.finished.connect(lambda _r: self.update_actions())
        self.issue_dialog = dialog

    def extend(self) -> None:
        record = self._actionable()
        if record is None:
            return
        new_expiry = license_actions.ask_new_expiry(self, record)
        if new_expiry is None:
            return
        self.action_bar.say("Signing the new license…")
        passphrase.run_signed(
            self, self.runner, self.service, lambda: self.service.reissue(record["id"], new_expiry),
            on_success=self._reissued, on_failure=self.action_bar.fail, on_cancel=self.action_bar.clear,
        )

    def _issued(self, issued: IssuedLicense) -> None:
        self.table.select_key(issued.license.license_id)
        self.action_bar.say(f"Issued {issued.license.license_id[:8]} — waiting to send.")

    def _reissued(self, issued: IssuedLicense) -> None:
        lic = issued.license
        self.table.select_key(lic.license_id)  # the new license, ready to Save or Copy
        self.action_bar.say(f"Extended: new license {lic.license_id[:8]} until {fmt.local_day(lic.expires_at)} "
                         "replaces the old one (revoked as superseded). Save or copy it for the customer.")

    def publish_revocations(self) -> None:
        """Save the current signed revocation list, signing a new version only if revocations changed."""
        if self.read_only:
            return
        self.action_bar.say("Checking the revocation list…")
        self.runner.run(self.service.current_revocations, on_success=self._have_revocations,
                        on_failure=self.action_bar.fail)

    def _have_revocations(self, current: PublishedRevocations | None) -> None:
        if current is not None:
            self._save_revocations(current)
            return
        self.action_bar.say("Signing a new revocation list…")
        passphrase.run_signed(self, self.runner, self.service, self.service.publish_revocations,
                              on_success=self._save_revocations, on_failure=self.action_bar.fail,
                              on_cancel=self.action_bar.clear)

    def _save_revocations(self, published: PublishedRevocations) -> None:
        what = f"Revocation list version {published.version} {'signed' if published.new else 'is still current'}."
        self.action_bar.say(what)
        save_text(self, self.runner, published.text, title="Save revocation list",
                  suggested=f"revocations-v{published.version}.txt", file_filter=REVOCATIONS_FILTER,
                  on_done=lambda saved: self.action_bar.say(f"{what} {saved}"))

    def open_keys(self) -> None:
        dialog = signing_keys.open_signing_keys(self.runner, self.service, read_only=self.read_only, parent=self)
        dialog.finished.connect(lambda _r: self.update_actions())
        self.keys_dialog = dialog

    def lock(self) -> None:
        self.service.lock()
        self.update_actions()

    # -- the selected license

    def revoke(self) -> None:
        record = self._actionable()
        if record is None:
            return
        reason = license_actions.ask_revoke_reason(self, record)
        if reason is None:
            return
        self.action_bar.say("Revoking…")
        self.runner.run(self.service.revoke, record["id"], reason, writes=True, on_failure=self.action_bar.fail,
                        on_success=lambda _changes: self.action_bar.say(
                            f"Revoked {record['id'][:8]} — waiting to send. Publish a revocation list so the "
                            "product refuses it."))

    def save(self) -> None:
        record = self._selected()
        if record and record["license_text"]:
            name = issue_license.license_file_name(record["customer_name"] or "", record["id"])
            save_text(self, self.runner, record["license_text"], title="Save license file", suggested=name,
                      file_filter=issue_license.LICENSE_FILTER, on_done=self.action_bar.say)

    def copy(self) -> None:
        record = self._selected()
        if record and record["license_text"]:
            copy_text(record["license_text"])
            self.action_bar.say("Copied the license file's text to the clipboard.")

    def _selected(self) -> dict[str, Any] | None:
        """The registry record of the table's current key (None until the detail has loaded that very key)."""
        record = self.detail.current
        key = self.table.current_key()
        return record if record is not None and key is not None and record["id"] == key else None

    def _actionable(self) -> dict[str, Any] | None:
        record = self._selected()
        return None if self.read_only or record is None or record["revoked_at"] is not None else record

    # -- inspecting

    def inspect(self, path: Path | None = None) -> None:
        """Verify a license file (asked for when ``path`` is None) and show what it says (Ctrl+O)."""
        if path is None:
            store = settings_keys.qsettings()
            name, _ = QFileDialog.getOpenFileName(self, "Inspect a license file",
                                                  str(store.value(INSPECT_DIR_KEY, "") or ""), INSPECT_FILTER)
            if not name:
                return
            path = Path(name)
            store.setValue(INSPECT_DIR_KEY, str(path.parent))
        self.inspector.show_loading(path.name)
        self.runner.run(inspect_file, self.service, path, on_success=self.inspector.show_result,
                        on_failure=lambda exc: self.inspector.show_error(path.name, exc))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.ensure_built()
            self.inspect(Path(files[0]))

    # -- status

    def update_actions(self) -> None:
        """Enable what the role and the selected license allow; say whether signing will ask for the passphrase."""
        if not self.built:
            return
        writable = not self.read_only
        for writer in (self.issue_button, self.publish_button):
            writer.setEnabled(writable)
        record = self._selected()
        live = record is not None and record["revoked_at"] is None
        self.revoke_button.setEnabled(writable and live)
        self.extend_button.setEnabled(writable and live)
        has_file = record is not None and bool(record["license_text"])
        self.save_button.setEnabled(has_file)
        self.copy_button.setEnabled(has_file)
        key_id = self.service.keys.active_id
        seconds = self.service.unlocked_seconds_left(key_id) if key_id else 0.0
        if key_id is None:
            self.key_status.setText("No signing key yet — issuing offers to generate one")
        elif seconds:
            until = fmt.to_local(utcnow() + dt.timedelta(seconds=seconds))
            self.key_status.setText(f"Key {key_id}: unlocked until {until:%H:%M}")
        else:
            self.key_status.setText(f"Key {key_id}: locked")
        self.lock_button.setVisible(bool(seconds))
        self.action_bar.set_read_only(self.read_only)
