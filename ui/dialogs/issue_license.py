"""Issue license…: pick a customer from the cache, adjust the plan's defaults, sign, then save or copy.

It works offline: customers come from the local cache (a bounded FTS look-up,
``app.views.customers.find_customers``, on the read pool), signing happens on this workstation
(``passphrase.run_signed``), and the registry row and its outbox entry are written in one transaction by
``LicenseService.issue``.  The dialog is opened with ``open()`` (not a nested
``exec()``) so the Licenses and Customers panes can both start it and keep
working; ``issued`` tells the opener which license to select (the change bus
has refreshed the registry by then).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.clock import utcnow
from app.licensing.errors import LicensingError
from app.licensing.issuing import LicenseRequest, build_license
from app.licensing.plans import PLAN_DEFAULTS
from app.licensing.service import IssuedLicense, LicenseService
from app.store.database import Cache
from app.views.customers import customer_contact, find_customers
from app.views.licenses import SUBSCRIPTION_WORDS, customer_subscription
from ui.dialogs import passphrase
from ui.dialogs.license_actions import ExpiryPicker, copy_text, save_text
from ui.formatting import local_day
from ui.widgets.palette import RED
from ui.workers import LatestRequest, TaskRunner

SEARCH_DEBOUNCE_MS = 200
LICENSE_FILTER = "License files (*.lic);;All files (*)"
_ERROR_STYLE = f"color: {RED.name()};"


def customer_label(customer: dict[str, Any]) -> str:
    return f"{customer['name'] or '(no name)'} · {customer['email'] or 'no email'} · {customer['id']}"


def license_file_name(customer_name: str, license_id: str) -> str:
    """``mueller-sohne-gmbh-0b6a3c1e.lic``: who it is for, and which one."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in customer_name.lower()).split())[:40]
    return f"{slug or 'license'}-{license_id[:8]}.lic"


# --------------------------------------------------------------------------- the dialog


class IssueLicenseDialog(QDialog):
    """The issue form, then the issued license with Save / Copy."""

    issued = Signal(object)  # IssuedLicense, once it is in the registry

    def __init__(self, cache: Cache, runner: TaskRunner, service: LicenseService,
                 customer_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine, self.runner, self.service = cache.engine, runner, service
        self.result_license: IssuedLicense | None = None
        self._signing = False
        self.matches: list[dict[str, Any]] = []
        self._search = LatestRequest(runner)
        self._follow = LatestRequest(runner)
        self.subscription: dict[str, Any] | None = None  # the Stripe subscription the new license follows
        self.setWindowTitle("Issue license")
        self.setMinimumWidth(620)

        self.customer_search = QLineEdit(placeholderText="Type a name, email or customer id…", clearButtonEnabled=True)
        self.customer_search.setToolTip("Searches the customers in the local cache, so it works offline")
        self._found = QStringListModel(self)
        completer = QCompleter(self._found, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(12)
        # activated has a QModelIndex overload too; PySide6's stubs give SignalInstance no [] to pick one.
        completer.activated[str].connect(self._picked)  # type: ignore[index]  # a stub gap, see above
        self.customer_search.setCompleter(completer)
        self.customer_id = QLineEdit()
        self.customer_name = QLineEdit()
        self.customer_email = QLineEdit()
        for field in (self.customer_id, self.customer_name, self.customer_email):
            field.setPlaceholderText("filled when you pick a customer above")
            field.setToolTip("Filled from the customer you pick; edit it if the cache is out of date")
        self.follows = QLabel("— pick a customer")
        self.follows.setWordWrap(True)
        self.follows.setToolTip("The customer's live Stripe subscription: the license follows it (its state shows "
                                "in the registry, and renewals and plan changes are offered from it); linked when "
                                "the license is signed")
        self.plan = QComboBox()
        for plan in PLAN_DEFAULTS:
            self.plan.addItem(plan.capitalize(), plan)
        self.seats = QSpinBox(minimum=1, maximum=1_000_000)
        self.seats.setGroupSeparatorShown(True)
        self.seats.setMaximumWidth(120)
        self.features: dict[str, QCheckBox] = {}
        features_row = QHBoxLayout()
        for name in sorted({f for _seats, feats in PLAN_DEFAULTS.values() for f in feats}):
            self.features[name] = QCheckBox(name)
            features_row.addWidget(self.features[name])
        features_row.addStretch(1)
        self.expiry = ExpiryPicker()
        self.grace = QSpinBox(minimum=0, maximum=365, value=14, suffix=" days")
        self.grace.setMaximumWidth(120)
        self.grace.setToolTip("Days after the expiry the product still runs, reminding the customer to renew")
        self.fingerprint = QLineEdit(placeholderText="optional — any machine when empty")
        self.fingerprint.setToolTip("Lock the license to one machine: the fingerprint the product shows on it")
        self.max_version = QLineEdit(placeholderText="optional, e.g. 4.2 — every version when empty")
        self.max_version.setToolTip("Highest product version covered; 4.2 covers every 4.2.x")

        self.form = QFormLayout()
        self.form.addRow("Find customer", self.customer_search)
        self.form.addRow("Customer id", self.customer_id)
        self.form.addRow("Name", self.customer_name)
        self.form.addRow("Email", self.customer_email)
        self.form.addRow("Subscription", self.follows)
        self.form.addRow("Plan", self.plan)
        self.form.addRow("Seats", self.seats)
        self.form.addRow("Features", features_row)
        self.form.addRow("Expires", self.expiry)
        self.form.addRow("Grace period", self.grace)
        self.form.addRow("Machine fingerprint", self.fingerprint)
        self.form.addRow("Max version", self.max_version)
        self.form_widget = QWidget()
        self.form_widget.setLayout(self.form)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = QPushButton("Sign license")
        self.sign_button.setDefault(True)
        self.sign_button.setToolTip("Sign with this workstation's key; asks for its passphrase if it is locked")
        self.save_button = QPushButton("Save .lic…")
        self.copy_button = QPushButton("Copy to clipboard")
        self.buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.hide()
        self.copy_button.hide()
        self.sign_button.clicked.connect(self.sign)
        self.save_button.clicked.connect(self.save)
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_widget)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search)
        self.customer_search.textEdited.connect(lambda _t: self._debounce.start())
        self.plan.setCurrentIndex(self.plan.findData("professional"))
        self.plan.currentIndexChanged.connect(self._plan_changed)
        self._plan_chosen = False  # the plan box still shows the default, not a plan someone picked
        self._apply_plan_defaults()
        # A look-up answered after the dialog closed (and was deleted) is dropped, not applied to dead widgets.
        self.finished.connect(lambda _result: self._follow.invalidate())
        if customer_id:
            self._follow.run(customer_contact, self.engine, customer_id, on_success=self._preselected)

    # -- customer

    def search(self) -> None:
        """Look the typed words up in the cache's customers (on the read pool)."""
        self._debounce.stop()
        self._search.run(find_customers, self.engine, self.customer_search.text(), on_success=self._found_customers)

    def _found_customers(self, rows: list[dict[str, Any]]) -> None:
        self.matches = rows
        self._found.setStringList([customer_label(r) for r in rows])
        if rows and self.customer_search.hasFocus():
            self.customer_search.completer().complete()
        elif not rows and self.customer_search.text().strip():
            self._say("No customer in the local cache matches; check the spelling, or sync first.")

    def _picked(self, label: str) -> None:
        chosen = next((r for r in self.matches if customer_label(r) == label), None)
        if chosen is not None:
            self.set_customer(chosen)

    def _preselected(self, customer: dict[str, Any] | None) -> None:
        if customer is not None:
            self.set_customer(customer)

    def set_customer(self, customer: dict[str, Any]) -> None:
        """Fill the customer fields from a cache row (id, name, email)."""
        self.customer_id.setText(customer["id"])
        self.customer_name.setText(customer["name"] or "")
        self.customer_email.setText(customer["email"] or "")
        self.customer_search.setText(customer["name"] or customer["id"])
        self._say("")
        self.subscription = None
        self.follows.setText("Looking it up…")
        self._follow.run(customer_subscription, self.engine, customer["id"], on_success=self._following)

    def _following(self, subscription: dict[str, Any] | None) -> None:
        """Link the license to the customer's subscription and say which plan it pays for.

        Until someone picks a plan, the plan box takes the one the subscription
        pays for: the default (Professional) signed for a Starter customer made
        a license the registry lists as "plan changed" at once.  A plan picked
        is left as it is (a license may differ from its subscription on
        purpose); the registry lists the ones that differ.
        """
        self.subscription = subscription
        if subscription is None:
            self.follows.setText("None: the customer has no live subscription in the cache")
            return
        status = SUBSCRIPTION_WORDS.get(subscription["status"], subscription["status"])
        plan = subscription["plan"]
        self.follows.setText(f"{status}{f', pays for {plan.capitalize()}' if plan else ''} ({subscription['id']})")
        paid_for = self.plan.findData(plan)
        if not self._plan_chosen and paid_for >= 0:
            self.plan.blockSignals(True)  # the subscription's plan, not a choice: a later customer's may replace it
            self.plan.setCurrentIndex(paid_for)
            self.plan.blockSignals(False)
            self._apply_plan_defaults()

    # -- form

    def _plan_changed(self) -> None:
        self._plan_chosen = True
        self._apply_plan_defaults()

    def _apply_plan_defaults(self) -> None:
        seats, features = self.service.plan_defaults(self.plan.currentData())
        self.seats.setValue(seats)
        for name, box in self.features.items():
            box.setChecked(name in features)

    def request(self) -> LicenseRequest:
        """The form as a request; raises ``LicensingError`` naming every field that is wrong."""
        request = LicenseRequest(
            customer_id=self.customer_id.text().strip(),
            customer_name=self.customer_name.text().strip(),
            customer_email=self.customer_email.text().strip(),
            plan=self.plan.currentData(),
            seats=self.seats.value(),
            features=tuple(name for name, box in self.features.items() if box.isChecked()),
            expires_at=self.expiry.expires_at(),
            grace_days=self.grace.value(),
            fingerprint=self.fingerprint.text().strip() or None,
            max_version=self.max_version.text().strip() or None,
        )
        build_license(request, "check", utcnow())  # pure and instant: refuse a bad form before the passphrase
        return request

    # -- signing and delivery

    def sign(self) -> None:
        try:
            request = self.request()
        except LicensingError as exc:
            self._say(str(exc), error=True)
            return
        self._busy(True, "Signing…")
        passphrase.run_signed(
            self, self.runner, self.service, lambda: self.service.issue(request),
            on_success=self._issued, on_failure=self._failed, on_cancel=lambda: self._busy(False, ""),
        )

    def _issued(self, issued: IssuedLicense) -> None:
        self._busy(False, "")
        self.result_license = issued
        lic = issued.license
        self.form_widget.setEnabled(False)
        self.sign_button.hide()
        self.save_button.show()
        self.copy_button.show()
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        self._say(
            f"<b>License {lic.license_id[:8]} issued</b> for {html.escape(lic.customer_name)}: "
            f"{lic.plan}, {lic.seats:,} seats, "
            f"until {local_day(lic.expires_at)}. It is in the registry, waiting to send with the next sync.<br>"
            "Save it as a .lic file or copy it to send to the customer."
        )
        self.issued.emit(issued)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False, "")
        self._say(f"Not issued: {exc}", error=True)

    def save(self) -> None:
        issued = self.result_license
        if issued is not None:
            name = license_file_name(issued.license.customer_name, issued.license.license_id)
            save_text(self, self.runner, issued.text, title="Save license file", suggested=name,
                      file_filter=LICENSE_FILTER, on_done=self._say)

    def copy(self) -> None:
        if self.result_license is not None:
            copy_text(self.result_license.text)
            self._say("Copied the license file's text to the clipboard.")

    def _busy(self, busy: bool, message: str) -> None:
        self._signing = busy
        self.form_widget.setEnabled(not busy)
        self.sign_button.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not busy)
        self._say(message)

    def reject(self) -> None:  # Qt override: not while signing, or the opener would miss the issued license
        if not self._signing:
            super().reject()

    def _say(self, message: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(_ERROR_STYLE if error else "")
        self.status.setText(message)


def open_issue_dialog(cache: Cache, runner: TaskRunner, service: LicenseService,
                      customer_id: str | None = None, parent: QWidget | None = None) -> IssueLicenseDialog:
    """Open the dialog window-modally without blocking; connect to ``issued`` to hear of the result."""
    dialog = IssueLicenseDialog(cache, runner, service, customer_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
