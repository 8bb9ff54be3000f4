"""The Licenses tab: issue signed license files offline, keep the registry, revoke, extend, inspect.

The table is a window over the cache's ``licenses`` registry (no FTS: a LIKE
search over customer, email and ids, which stays small).  Its status column
and the "expiring"/"expired" filters compare with *now* through bound
parameters evaluated when each query runs, so a tab left open overnight does
not keep calling yesterday's licenses active.  Everything that signs or
decrypts goes through ``LicenseService`` on the task runner -- the GUI thread
only ever asks "is the key unlocked?" -- and every change is written with its
outbox entry, so it works offline and shows as "waiting to send".
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget
from sqlalchemy import DateTime, Engine, and_, bindparam, case, func, select

from app.licensing.service import IssuedLicense, LicenseService, PublishedRevocations
from app.store import windows as w
from app.clock import utcnow
from app.store.schema import License
from app.store.windows import TableSpec, WindowSource
from ui import settings_keys
from ui.dialogs import issue_license, license_actions, passphrase, signing_keys
from ui.dialogs.license_actions import copy_text, save_text
from ui.formatting import format_value, to_local
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.detail_panel import DetailPanel, DetailView
from ui.widgets.license_inspector import LicenseInspector, expiry_words, inspect_file, local_day, relative_days
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREEN, GREY, RED, brush
from ui.workers import TaskRunner

L = License.__table__
EXPIRING_WITHIN = dt.timedelta(days=30)
# Evaluated each time a query runs, so "expired" means expired now, not when the tab opened.
_NOW = bindparam("license_now", callable_=utcnow, type_=DateTime)
_SOON = bindparam("license_soon", callable_=lambda: utcnow() + EXPIRING_WITHIN, type_=DateTime)
REVOKED = L.c.revoked_at.is_not(None)
NOT_REVOKED = L.c.revoked_at.is_(None)
ACTIVE, EXPIRING, EXPIRED = "Active", "Expiring", "Expired"
REVOKED_TEXT, WAITING, REVOKED_WAITING = "Revoked", "Waiting to send", "Revoked · waiting to send"
STATUS = case(
    (and_(REVOKED, L.c.pending.is_(True)), REVOKED_WAITING),
    (REVOKED, REVOKED_TEXT),
    (L.c.pending.is_(True), WAITING),
    (L.c.expires_at <= _NOW, EXPIRED),
    (L.c.expires_at <= _SOON, EXPIRING),
    else_=ACTIVE,
)
STATUS_COLORS = {
    ACTIVE: GREEN, EXPIRING: AMBER, EXPIRED: RED, WAITING: AMBER, REVOKED_TEXT: GREY, REVOKED_WAITING: GREY,
}
STATUS_TIP = (
    "Active; Expiring within 30 days; Expired (the product still runs during the grace days); Revoked; "
    "Waiting to send: signed here, it goes to the Ops API with the next sync"
)
SPEC = TableSpec(
    name="licenses",
    source=L,
    key=L.c.id,
    columns=(
        w.Column("license", "License", func.substr(L.c.id, 1, 8), width=78, sortable=False,
                 tooltip="The start of the license id (hover a cell for all of it)"),
        w.Column("customer", "Customer", L.c.customer_name, width=210),
        w.Column("plan", "Plan", L.c.plan, width=96),
        w.Column("seats", "Seats", L.c.seats, w.INT, width=60),
        w.Column("issued_at", "Issued", L.c.issued_at, w.DATE, width=92),
        w.Column("expires_at", "Expires", L.c.expires_at, w.DATE, width=92,
                 tooltip="Last day the license is valid (local time); grace days come on top"),
        w.Column("status", "Status", STATUS, width=150, sortable=False, tooltip=STATUS_TIP),
    ),
    default_sort="issued_at",
    default_descending=True,
    search_columns=(L.c.customer_name, L.c.customer_email, L.c.customer_id, L.c.id),
    filters={
        "active": and_(NOT_REVOKED, L.c.expires_at > _NOW),
        "expiring": and_(NOT_REVOKED, L.c.expires_at > _NOW, L.c.expires_at <= _SOON),
        "expired": and_(NOT_REVOKED, L.c.expires_at <= _NOW),
        "revoked": REVOKED,
        "pending": L.c.pending.is_(True),
    },
)
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


class LicenseTableModel(SqlTableModel):
    """Status in its colour; the full license id and the days left in tooltips."""

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column_key == "status":
            return brush(STATUS_COLORS.get(self.value(row, "status")))
        if role != Qt.ItemDataRole.ToolTipRole:
            return None
        if column_key == "license":
            return row[0]
        if column_key in ("expires_at", "status"):
            return expiry_words(self.value(row, "expires_at")).capitalize()
        return None


def load_license(engine: Engine, license_id: str) -> dict[str, Any] | None:
    """The registry row with its status, by the same rule the table uses."""
    with engine.connect() as conn:
        row = conn.execute(select(L, STATUS.label("status")).where(L.c.id == license_id)).mappings().first()
    return dict(row) if row else None


def render_license(r: dict[str, Any]) -> DetailView:
    revoked = r["revoked_at"] is not None
    fields = [
        ("Status", r["status"]),
        ("License id", r["id"]),
        ("Customer", f"{r['customer_id'] or ''} · {r['customer_email'] or 'no email'}"),
        ("Features", ", ".join(r["features_json"] or ()) or "none"),
        ("Issued", format_value(w.DATETIME, r["issued_at"]) + (f" by {r['issued_by']}" if r["issued_by"] else "")),
        ("Expires", f"{local_day(r['expires_at'])} ({relative_days(r['expires_at'])}), "
                    f"then {r['grace_days']} grace days"),
        ("Machine", r["fingerprint"] or "any machine"),
        ("Up to version", r["max_version"] or "any version"),
        ("Signed with key", r["key_id"]),
    ]
    if revoked:
        fields.append(("Revoked", f"{local_day(r['revoked_at'])}: {r['revoke_reason'] or 'no reason given'}"))
    if r["supersedes"]:
        fields.append(("Re-issues", r["supersedes"]))
    sent = f"sent {to_local(r['synced_at']):%Y-%m-%d %H:%M}" if r["synced_at"] else "from the Ops API"
    fields.append(("Sync", "waiting to send with the next sync" if r["pending"] else sent))
    return DetailView(
        title=f"{r['customer_name'] or r['customer_id']} · {r['plan'].capitalize()} · {r['seats']:,} seats",
        fields=fields,
        tooltips={"Expires": "Grace days: the product still runs after the expiry, reminding the customer to renew",
                  "Machine": "A node-locked license works only on the machine with this fingerprint"},
    )


def _button(label: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(label, toolTip=tip)
    button.clicked.connect(lambda _checked=False: slot())
    return button


class LicensesPane(Pane):
    """The license registry with issuing, revoking, extending and inspecting."""

    pane_id = "licenses"
    title = "Licenses"
    resources = ("ops:licenses",)

    def __init__(self, engine: Engine, runner: TaskRunner, service: LicenseService, parent: QWidget | None = None) -> None:
        super().__init__(engine, runner, parent)
        self.service = service  # shared, so a key unlocked here is unlocked wherever licenses are issued
        self.issue_dialog: issue_license.IssueLicenseDialog | None = None  # the last one opened
        self.keys_dialog: signing_keys.SigningKeysDialog | None = None
        self.setAcceptDrops(True)

    def build(self) -> None:
        self.issue_button = _button("Issue license…", "Sign a new license file, even offline (Ctrl+N)", self.issue)
        self.inspect_button = _button("Inspect a license file…", "Check a .lic file: who it is for and whether it "
                                      "holds (Ctrl+O) — or drop the file anywhere on this tab", self.inspect)
        self.publish_button = _button("Publish revocation list…", "Save the signed list of every revoked license, "
                                      "for the product to load", self.publish_revocations)
        self.keys_button = _button("Signing keys…", "List, generate, import, activate and export signing keys",
                                   self.open_keys)
        self.key_status = QLabel()
        self.key_status.setToolTip("Whether signing asks for the key's passphrase")
        self.lock_button = _button("Lock now", "Forget the decrypted key now; signing asks again", self.lock)
        toolbar = QHBoxLayout()
        for widget in (self.issue_button, self.inspect_button, self.publish_button, self.keys_button):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)
        toolbar.addWidget(self.key_status)
        toolbar.addWidget(self.lock_button)

        self.model = LicenseTableModel(WindowSource(self.engine, SPEC), self.runner, self)
        self.detail = DetailPanel(self.runner, lambda key: load_license(self.engine, key), render_license,
                                  placeholder="Select a license to see its terms and history")
        self.detail.loaded.connect(lambda _record: self.update_actions())
        self.revoke_button = _button("Revoke…", "Revoke the selected license, with a reason (Del)", self.revoke)
        self.extend_button = _button("Extend…", "Re-issue with a new expiry in one step; the old file is revoked "
                                     "as superseded", self.extend)
        self.save_button = _button("Save .lic…", "Save the selected license's file to send it again", self.save)
        self.copy_button = _button("Copy", "Copy the selected license's file text", self.copy)
        self.action_status = QLabel()
        self.action_status.setWordWrap(True)
        self.action_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inspector = LicenseInspector()
        actions = QHBoxLayout()
        actions.setContentsMargins(8, 0, 0, 0)
        for button in (self.revoke_button, self.extend_button, self.save_button, self.copy_button):
            actions.addWidget(button)
        actions.addStretch(1)
        stack = QSplitter(Qt.Orientation.Vertical)
        stack.addWidget(self.detail)
        stack.addWidget(self.inspector)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addLayout(actions)
        side_layout.addWidget(self.action_status)
        side_layout.addWidget(stack, 1)
        self.split = MasterDetail(
            self.model, self.detail, engine=self.engine, runner=self.runner, state_key="panes/licenses",
            noun="licenses", filters=FILTERS, search_placeholder="Search customer name, email or id, license id… "
            "(Ctrl+F)", side=side, empty="No licenses issued yet — Ctrl+N issues one, even offline",
            no_match="No licenses match this search and filter — try “All” or clear the search", sizes=(800, 460),
        )
        self.table = self.split.table
        self.table.current_changed.connect(lambda _key: self.action_status.clear())
        self.body.addLayout(toolbar)
        self.body.addWidget(self.split, 1)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.issue)
        QShortcut(QKeySequence("Ctrl+O"), self, activated=self.inspect)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table.view, activated=self.revoke,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.update_actions()

    # -- Pane hooks

    def refresh_models(self) -> None:
        self.split.refresh()
        self.update_actions()

    def save_state(self) -> None:
        self.split.save_state()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override: the key may have locked meanwhile
        super().showEvent(event)
        self.update_actions()

    # -- issuing and signing

    def issue(self, customer_id: str | None = None) -> None:
        """Open the issue dialog (Ctrl+N); the table refreshes when the license is in the registry."""
        if self.read_only:
            return
        dialog = issue_license.open_issue_dialog(self.engine, self.runner, self.service, customer_id, self)
        dialog.issued.connect(lambda issued: self._done(f"Issued {issued.license.license_id[:8]} — waiting to send."))
        dialog.finished.connect(lambda _r: self.update_actions())
        self.issue_dialog = dialog

    def extend(self) -> None:
        record = self._actionable()
        if record is None:
            return
        new_expiry = license_actions.ask_new_expiry(self, record)
        if new_expiry is None:
            return
        self._say("Signing the new license…")
        passphrase.run_signed(self, self.runner, self.service, lambda: self.service.reissue(record["id"], new_expiry),
                              on_success=self._reissued, on_failure=self._failed, on_cancel=self.action_status.clear)

    def _reissued(self, issued: IssuedLicense) -> None:
        lic = issued.license
        self.table.view.setCurrentIndex(QModelIndex())
        self.detail.show_key(lic.license_id)  # the new license, ready to Save or Copy
        self._done(f"Extended: new license {lic.license_id[:8]} until {local_day(lic.expires_at)} replaces the old "
                   "one (revoked as superseded). Save or copy it for the customer.")

    def publish_revocations(self) -> None:
        """Save the current signed revocation list, signing a new version only if revocations changed."""
        if self.read_only:
            return
        self._say("Checking the revocation list…")
        self.runner.run(self.service.current_revocations, on_success=self._have_revocations, on_failure=self._failed)

    def _have_revocations(self, current: PublishedRevocations | None) -> None:
        if current is not None:
            self._save_revocations(current)
            return
        self._say("Signing a new revocation list…")
        passphrase.run_signed(self, self.runner, self.service, self.service.publish_revocations,
                              on_success=self._save_revocations, on_failure=self._failed,
                              on_cancel=self.action_status.clear)

    def _save_revocations(self, published: PublishedRevocations) -> None:
        what = f"Revocation list version {published.version} {'signed' if published.new else 'is still current'}."
        self._say(what)
        save_text(self, self.runner, published.text, title="Save revocation list",
                  suggested=f"revocations-v{published.version}.txt", file_filter=REVOCATIONS_FILTER,
                  on_done=lambda saved: self._say(f"{what} {saved}"))

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
        self._say("Revoking…")
        self.runner.run(self.service.revoke, record["id"], reason, writes=True, on_failure=self._failed,
                        on_success=lambda _r: self._done(f"Revoked {record['id'][:8]} — waiting to send. Publish a "
                                                         "revocation list so the product refuses it."))

    def save(self) -> None:
        record = self.detail.current
        if record and record["license_text"]:
            name = issue_license.license_file_name(record["customer_name"] or "", record["id"])
            save_text(self, self.runner, record["license_text"], title="Save license file", suggested=name,
                      file_filter=issue_license.LICENSE_FILTER, on_done=self._say)

    def copy(self) -> None:
        record = self.detail.current
        if record and record["license_text"]:
            copy_text(record["license_text"])
            self._say("Copied the license file's text to the clipboard.")

    def _actionable(self) -> dict[str, Any] | None:
        record = self.detail.current
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

    def _done(self, message: str) -> None:
        self._say(message)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._say(f"<span style='color:{RED.name()};'>{html.escape(str(exc))}</span>")

    def _say(self, message: str) -> None:
        self.action_status.setText(message)

    def update_actions(self) -> None:
        """Enable what the role and the selected license allow; say whether signing will ask for the passphrase."""
        if not self.built:
            return
        writable = not self.read_only
        for button in (self.issue_button, self.publish_button):
            button.setEnabled(writable)
        record = self.detail.current
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
            until = to_local(utcnow() + dt.timedelta(seconds=seconds))
            self.key_status.setText(f"Key {key_id}: unlocked until {until:%H:%M}")
        else:
            self.key_status.setText(f"Key {key_id}: locked")
        self.lock_button.setVisible(bool(seconds))
        if self.read_only:
            self._say(READ_ONLY_NOTE)
        elif self.action_status.text() == READ_ONLY_NOTE:
            self.action_status.clear()
