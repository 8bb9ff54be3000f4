"""The Licenses tab: issue signed license files offline, keep the registry, answer activation requests.

The table is a window over the cache's ``licenses`` registry
(``app.views.licenses``: columns, filters and the status, seat and
subscription rules, which compare with *now* each time a query runs); the
figures above it are the ``licenses`` figure set.  Everything that signs or
decrypts goes through ``LicenseService`` on the task runner -- the GUI thread
only ever asks "is the key unlocked?" -- and every change is written with its
outbox entry, so it works offline; the change bus shows it at once as
"waiting to send".  Every action acts on the table's remembered current key,
and a license just issued or re-issued becomes the selected one.  A file
opened (File ▸ Open…, the button, or dropped on the tab) is inspected when it
is a license or an activation response, and offered to be answered when it
is an activation request.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from app.clock import utcnow
from app.domain.licenses import LicenseFigures
from app.domain.licenses import Renewal as DueRenewal
from app.licensing.service import (
    AnsweredActivation,
    IssuedLicense,
    LicenseService,
    PublishedRevocations,
    RenewedLicenses,
)
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import licenses as view
from ui import formatting as fmt
from ui import settings_keys
from ui.dialogs import activation_request, issue_license, license_actions, passphrase, signing_keys
from ui.dialogs.license_actions import copy_text, save_text
from ui.failures import could_not
from ui.panes.base import Pane
from ui.panes.license_registry import LicenseTableModel, render_license
from ui.widgets.action_bar import ActionBar, button
from ui.widgets.detail_panel import DetailPanel
from ui.widgets.kpi_strip import Kpi, KpiStrip
from ui.widgets.license_inspector import InspectedFile, LicenseInspector, RequestFile, open_file
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, RED
from ui.workers import LatestRequest, TaskRunner

FILTERS = (
    ("Active", ("active",)),
    ("Expiring within 30 days", ("expiring",)),
    ("Renewal due: subscription active", ("renewal_due",)),
    ("Over or near the seat cap", ("seats_near",)),
    ("Over the seat cap", ("seats_over",)),
    ("Subscription cancelled or past due", ("subscription_lapsed",)),
    ("Subscription changed plan", ("plan_changed",)),
    ("Expired", ("expired",)),
    ("Revoked", ("revoked",)),
    ("Waiting to send", ("pending",)),
    ("All", ()),
)
READ_ONLY_NOTE = "Read-only: your role can view licenses but not issue or revoke them."
EMPTY_WRITABLE = "No licenses issued yet — Ctrl+N issues one, even offline"
EMPTY_READ_ONLY = "No licenses issued yet"
REVOCATIONS_FILTER = "Revocation lists (*.txt);;All files (*)"
OPEN_FILTER = ("License and activation files (*.lic *.req *.activation *.txt);;License files (*.lic);;"
               "Activation requests (*.req);;All files (*)")
INSPECT_DIR_KEY = "licenses/inspect_dir"
SAVE_TIP = "Save the selected license's signed file to send it again"
COPY_TIP = "Copy the selected license's signed file text"
NO_FILE_TIP = "This registry holds no signed file for this license: it was signed elsewhere without its text"
KPI_LABELS = ("Seats in use", "Over the cap", "Near the cap", "Renewal due", "Subscription lapsed", "Plan changed")


def kpi_tiles(f: LicenseFigures) -> list[Kpi]:
    """The figure set ``licenses`` as tiles: the same values ``opsconsole metrics licenses`` prints."""
    def count(label: str, value: int, tip: str, color: Any) -> Kpi:
        return Kpi(label, f"{value:,}", tip, color if value else None)

    share = fmt.share(f.use_ratio)
    return [
        Kpi("Seats in use", f"{f.seats_in_use:,}", "Machines holding a seat of a live license (not revoked, not "
            "expired)", note=f"of {f.seats:,} seats in {f.live:,} licenses ({share})"),
        count("Over the cap", f.over_cap, "Live licenses with more machines than seats", RED),
        count("Near the cap", f.near_cap, "Live licenses with machines on at least 90 % of their seats (over the "
              "cap included)", AMBER),
        count("Renewal due", f.renewal_due, "Live licenses expiring within 30 days whose subscription is active: "
              "renew them as a batch", AMBER),
        count("Subscription lapsed", f.subscription_lapsed, "Live licenses whose subscription was cancelled or "
              "is past due", AMBER),
        count("Plan changed", f.plan_changed, "Live licenses whose subscription now pays for another plan: "
              "re-issue them with its seat cap", AMBER),
    ]


class LicensesPane(Pane):
    """The license registry with issuing, revoking, extending and inspecting."""

    pane_id = "licenses"
    title = "Licenses"
    resources = ("ops:licenses", "ops:activations")
    tables = view.SPEC.tables

    def __init__(
        self, cache: Cache, runner: TaskRunner, service: LicenseService, parent: QWidget | None = None
    ) -> None:
        super().__init__(cache, runner, parent)
        self.service = service  # shared, so a key unlocked here is unlocked wherever licenses are issued
        self.issue_dialog: issue_license.IssueLicenseDialog | None = None  # the last one opened
        self.keys_dialog: signing_keys.SigningKeysDialog | None = None
        self.activation_dialog: activation_request.ActivationDialog | None = None
        self.setAcceptDrops(True)

    def build(self) -> None:
        self.issue_button = button("Issue license…", "Sign a new license file, even offline (Ctrl+N)", self.issue)
        self.inspect_button = button("Open a file…", "Answer an activation request, or check a license or "
                                     "activation file: who it is for and whether it holds (Ctrl+O) — or drop "
                                     "the file anywhere on this tab", lambda: self.open_file())
        self.renew_button = button("Renew due…", "Renew, as one batch, the licenses expiring within 30 days whose "
                                   "subscription is active", self.renew_due)
        self.publish_button = button("Publish revocation list…", "Save the signed list of every revoked license, "
                                     "for the product to load", self.publish_revocations)
        self.keys_button = button("Signing keys…", "List, generate, import, activate and export signing keys",
                                  self.open_keys)
        self.key_status = QLabel()
        self.key_status.setToolTip("Whether signing asks for the key's passphrase")
        self.lock_button = button("Lock now", "Forget the decrypted key now; signing asks again", self.lock)
        toolbar = QHBoxLayout()
        for widget in (self.issue_button, self.inspect_button, self.renew_button, self.publish_button,
                       self.keys_button):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)
        toolbar.addWidget(self.key_status)
        toolbar.addWidget(self.lock_button)

        self.kpis = KpiStrip(KPI_LABELS)
        self._figures = LatestRequest(self.runner)
        self.model = LicenseTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.detail = DetailPanel(self.runner, lambda key: view.load_license(self.engine, key), render_license,
                                  placeholder="Select a license to see its terms, seats and machines",
                                  key_table="licenses", tables=view.DETAIL_TABLES)
        self.detail.loaded.connect(lambda _record: self.update_actions())
        self.action_bar = ActionBar(READ_ONLY_NOTE)
        self.revoke_button = self.action_bar.add("Revoke…", "Revoke the selected license, with a reason (Del)",
                                              self.revoke)
        self.extend_button = self.action_bar.add("Extend…", "Re-issue with a new expiry in one step; the old file is "
                                              "revoked as superseded", self.extend)
        self.plan_button = self.action_bar.add("New plan…", "Re-issue on the plan the subscription now pays for, "
                                            "with that plan's seat cap (the old file is revoked as superseded)",
                                            self.reissue_for_plan)
        self.save_button = self.action_bar.add("Save .lic…", SAVE_TIP, self.save)
        self.copy_button = self.action_bar.add("Copy", COPY_TIP, self.copy)
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
            "(Ctrl+F)", side=side, empty=EMPTY_WRITABLE,
            no_match="No licenses match this search and filter — try “All” or clear the search", sizes=(880, 400),
        )
        self.table = self.split.table
        self.table.add_context_buttons(self.revoke_button, self.extend_button, self.save_button, self.copy_button)
        self.table.current_changed.connect(lambda _key: self.action_bar.clear())
        self.body.addLayout(toolbar)
        self.body.addWidget(self.kpis)
        self.body.addWidget(self.split, 1)
        QShortcut(QKeySequence("Ctrl+N"), self).activated.connect(self.issue)
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table.view, context=Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.revoke)
        self.update_actions()
        self.load_figures()

    # -- Pane hooks

    def changes_landed(self, changes: Changes) -> None:
        self.split.apply_changes(changes)
        if changes.touches(view.SPEC.tables):
            self.load_figures()

    def load_figures(self) -> None:
        self._figures.run(view.load_figures, self.engine, on_success=lambda f: self.kpis.set_values(kpi_tiles(f)),
                          on_failure=lambda exc: self.kpis.set_unavailable(could_not("count from the cache", exc)))

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

    def reissue_for_plan(self) -> None:
        record = self._actionable()
        if record is None or not record["plan_changed"] or not license_actions.ask_plan_reissue(self, record):
            return
        self.action_bar.say("Signing the new license…")
        passphrase.run_signed(
            self, self.runner, self.service, lambda: self.service.reissue_for_plan(record["id"]),
            on_success=self._reissued_for_plan, on_failure=self.action_bar.fail, on_cancel=self.action_bar.clear,
        )

    def _reissued_for_plan(self, issued: IssuedLicense) -> None:
        lic = issued.license
        self.table.select_key(lic.license_id)
        self.action_bar.say(f"Re-issued on {lic.plan.capitalize()} with {lic.seats:,} seats: new license "
                            f"{lic.license_id[:8]} replaces the old one. Save or copy it for the customer.")

    def renew_due(self) -> None:
        """Renew, as one batch, every license expiring within 30 days whose subscription is active."""
        if self.read_only:
            return
        self.action_bar.say("Looking for licenses due for renewal…")
        self.runner.run(self.service.renewals, on_success=self._ask_renewal, on_failure=self.action_bar.fail)

    def _ask_renewal(self, renewals: list[DueRenewal]) -> None:
        if not renewals:
            self.action_bar.say("No license is due: none expires within 30 days with an active subscription.")
            return
        ids = license_actions.ask_renewal(self, renewals)
        if not ids:
            self.action_bar.clear()
            return
        self.action_bar.say(f"Signing {len(ids):,} renewals…")
        passphrase.run_signed(
            self, self.runner, self.service, lambda: self.service.renew(ids),
            on_success=self._renewed, on_failure=self.action_bar.fail, on_cancel=self.action_bar.clear,
        )

    def _renewed(self, renewed: RenewedLicenses) -> None:
        if renewed.issued:
            self.table.select_key(renewed.issued[0].license.license_id)
        count = len(renewed.issued)
        self.action_bar.say(f"Renewed {count:,} license{'' if count == 1 else 's'} — waiting to send. Each new file "
                            "is in the registry: Save .lic… or Copy it for its customer.")

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

    # -- opening files: licenses and activation responses are inspected, requests answered

    def open_file(self, path: Path | None = None) -> None:
        """Open a license, activation request or response (asked for when ``path`` is None; Ctrl+O)."""
        if path is None:
            store = settings_keys.qsettings()
            name, _ = QFileDialog.getOpenFileName(self, "Open a license or activation file",
                                                  str(store.value(INSPECT_DIR_KEY, "") or ""), OPEN_FILTER)
            if not name:
                return
            path = Path(name)
            store.setValue(INSPECT_DIR_KEY, str(path.parent))
        self.inspector.show_loading(path.name)
        self.runner.run(open_file, self.service, path, on_success=self._opened,
                        on_failure=lambda exc: self.inspector.show_error(path.name, exc))

    def _opened(self, opened: InspectedFile | RequestFile) -> None:
        if isinstance(opened, InspectedFile):
            self.inspector.show_result(opened)
            return
        self.inspector.hide()
        self.activation_dialog = activation_request.open_activation_dialog(
            self.runner, self.service, opened.review, opened.data, opened.name, read_only=self.read_only, parent=self,
        )
        self.activation_dialog.answered.connect(self._answered)
        self.activation_dialog.finished.connect(lambda _r: self.update_actions())

    def _answered(self, answered: AnsweredActivation) -> None:
        self.table.select_key(answered.activation.license_id)
        self.action_bar.say(f"Answered the request of {answered.activation.machine_name or 'a machine'} — "
                            "waiting to send.")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.ensure_built()
            self.open_file(Path(files[0]))

    # -- status

    def update_actions(self) -> None:
        """Enable what the role and the selected license allow; say whether signing will ask for the passphrase."""
        if not self.built:
            return
        writable = not self.read_only
        for writer in (self.issue_button, self.publish_button, self.renew_button):
            writer.setEnabled(writable)
        record = self._selected()
        live = record is not None and record["revoked_at"] is None
        self.revoke_button.setEnabled(writable and live)
        self.extend_button.setEnabled(writable and live)
        self.plan_button.setEnabled(writable and live and record is not None and record["plan_changed"])
        has_file = record is not None and bool(record["license_text"])
        self.save_button.setEnabled(has_file)
        self.copy_button.setEnabled(has_file)
        missing = record is not None and not has_file
        self.save_button.setToolTip(NO_FILE_TIP if missing else SAVE_TIP)
        self.copy_button.setToolTip(NO_FILE_TIP if missing else COPY_TIP)
        key_id = self.service.keys.active_id
        seconds = self.service.unlocked_seconds_left(key_id) if key_id else 0.0
        self.split.empty_state.set_empty(EMPTY_WRITABLE if writable else EMPTY_READ_ONLY)
        if key_id is None:
            self.key_status.setText("No signing key yet — issuing offers to generate one" if writable
                                    else "No signing key yet")
        elif seconds:
            until = fmt.to_local(utcnow() + dt.timedelta(seconds=seconds))
            self.key_status.setText(f"Key {key_id}: unlocked until {until:%H:%M}")
        else:
            self.key_status.setText(f"Key {key_id}: locked")
        self.lock_button.setVisible(bool(seconds))
        self.action_bar.set_read_only(self.read_only)
