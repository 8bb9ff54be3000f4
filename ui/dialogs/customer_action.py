"""The form behind each desk action (Refund…, Change plan…, Grant access…), and the confirmation that follows.

One dialog with a face per action, as the ticket actions have: what it acts
on (an invoice, a subscription, a grant — preselected when there is only
one), the action's own fields, and always the reason, which is recorded.
The form only checks that it is complete; whether the action is allowed
(the amount, the role, the plan) is the core's to say, in words, before
anything is queued.  The confirmation then states the money in a sentence
("Refund $299.00 to Alder Analytics Ltd") with Stripe's preview when online.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QMessageBox, QSpinBox, QWidget

from app.domain.customer_desk import actions as a
from app.domain.customer_desk.diagnosis import Diagnosis
from app.domain.customer_desk.money import money, parse_money
from app.domain.customer_desk.online import Confirmation
from ui import formatting as fmt
from ui.dialogs.form_dialog import FormDialog

_LIVE = ("active", "past_due", "trialing", "unpaid")


def _invoice_choices(kind: str, d: Diagnosis) -> list[tuple[str, str]]:
    choices = []
    for facts in d.invoices:
        i = facts.invoice
        number, currency = i.get("number") or i["id"], i.get("currency") or "usd"
        if kind == a.REFUND and facts.refundable.paid:
            label = (f"{number} · paid {money(facts.refundable.paid, currency)} · "
                     f"{money(facts.refundable.left, currency)} refundable")
            choices.append((label, i["id"]))
        elif kind == a.RETRY_PAYMENT and i.get("status") == "open":
            due = int(i["amount_due_cents"]) - int(i["amount_paid_cents"])
            choices.append((f"{number} · {money(due, currency)} due · {len(facts.attempts)} attempt(s)", i["id"]))
    return choices


def _fits(kind: str, sub: dict[str, Any]) -> bool:
    """Whether a subscription can take the action (the core says why not, in words, when asked anyway)."""
    if kind == a.EXTEND_TRIAL:
        return bool(sub["status"] == "trialing")
    live = sub["status"] in _LIVE
    if kind == a.REMOVE_COUPON:
        return live and bool(sub.get("coupon_id"))
    if kind == a.RESUME_COLLECTION:
        return live and bool(sub.get("pause_collection"))
    if kind == a.PAUSE_COLLECTION:
        return live and not sub.get("pause_collection")
    if kind == a.CANCEL_AT_PERIOD_END:
        return live and not sub.get("cancel_at_period_end")
    return live


def _subscription_choices(kind: str, d: Diagnosis) -> list[tuple[str, str]]:
    return [(f"{s['plan']} · {fmt.status(s['status'])} · {fmt.cents(s['mrr_cents'])} a month", s["id"])
            for s in d.subscriptions if _fits(kind, s)]


def _grant_label(grant: dict[str, Any]) -> str:
    what = grant.get("feature") or f"{str(grant.get('plan')).capitalize()} plan"
    until = fmt.local_day(grant["expires_at"]) if grant.get("expires_at") else "revoked"
    return f"{what} · until {until} · {grant['reason']}"


def _grant_choices(d: Diagnosis) -> list[tuple[str, str]]:
    return [(_grant_label(g), g["id"])
            for g in d.grants if g["state"] == "running" and g["effect"] == "grant" and not g.get("pending")]


def choices(kind: str, d: Diagnosis) -> list[tuple[str, str]]:
    """What an action can act on for this customer, as (label, id); empty: the action does not apply now."""
    target = a.KINDS[kind].target
    if target == a.INVOICE:
        return _invoice_choices(kind, d)
    if target == a.SUBSCRIPTION:
        return _subscription_choices(kind, d)
    if target == a.GRANT:
        return _grant_choices(d)
    return [(d.name, d.customer["id"])]


class CustomerActionDialog(FormDialog[a.DeskRequest]):
    """``kind`` is one of ``app.domain.customer_desk.actions.KINDS``."""

    def __init__(self, kind: str, diagnosis: Diagnosis, parent: QWidget | None = None) -> None:
        info = a.KINDS[kind]
        super().__init__(f"{info.label.rstrip('…')} — {diagnosis.name}",
                         f"<b>{html.escape(diagnosis.name)}</b> · {html.escape(info.tip)}",
                         info.label.rstrip("…"), parent, min_width=560)
        self.kind, self.diagnosis = kind, diagnosis
        self.target = QComboBox()
        for label, key in choices(kind, diagnosis):
            self.target.addItem(label, key)
        self.amount = QLineEdit()
        self.coupon = QComboBox()
        self.price = QComboBox()
        self.quantity = QSpinBox()
        self.until = QDateEdit()
        self.what = QComboBox()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why — recorded with the action and shown in the customer's history")
        if info.target != a.CUSTOMER:
            self.form.addRow(info.target.capitalize(), self.target)
        self._fields(kind, diagnosis)
        self.form.addRow("Reason", self.reason)
        self.target.currentIndexChanged.connect(lambda _i: self._target_changed())
        self._target_changed()

    def _fields(self, kind: str, d: Diagnosis) -> None:
        if kind == a.REFUND:
            self.amount.setPlaceholderText("e.g. 299.00")
            self.form.addRow("Amount", self.amount)
        elif kind == a.APPLY_COUPON:
            self.coupon.setEditable(True)
            for c in d.coupons:
                self.coupon.addItem(c["id"], c["id"])
            self.form.addRow("Coupon", self.coupon)
        elif kind == a.CHANGE_PLAN:
            for p in d.prices:
                self.price.addItem(f"{p['nickname'] or p['id']} · {fmt.cents(p['unit_amount_cents'])} a "
                                   f"{p['interval']}", p["id"])
            self.quantity.setRange(1, 10_000)
            self.form.addRow("New plan", self.price)
            self.form.addRow("Quantity", self.quantity)
        elif kind in (a.EXTEND_TRIAL, a.GRANT_ACCESS):
            self.until.setCalendarPopup(True)
            self.until.setDisplayFormat("yyyy-MM-dd")
            self.form.addRow("Until (end of that day)", self.until)
        if kind == a.GRANT_ACCESS:
            for e in d.entitlements:
                if not e.included:
                    self.what.addItem(f"{e.name} — {e.source}", ("feature", e.feature))
            for tier in sorted({p["tier"] for p in d.prices if p.get("tier")} - {d.tier}):
                self.what.addItem(f"Every feature of the {tier.capitalize()} plan", ("plan", tier))
            self.form.insertRow(0, "Access to", self.what)
            self.until.setDate(QDate.currentDate().addDays(14))

    def _target_changed(self) -> None:
        """Prefill from what the action acts on: the refundable amount, the current plan, the trial's end."""
        key = self.target.currentData()
        facts = self.diagnosis.invoice(key)
        if self.kind == a.REFUND and facts is not None:
            self.amount.setText(f"{facts.refundable.left / 100:.2f}")
        sub = self.diagnosis.subscription(key)
        if sub is not None and sub["items"]:
            item = sub["items"][0]
            self.price.setCurrentIndex(max(0, self.price.findData(item["price_id"])))
            self.quantity.setValue(int(item["quantity"]))
            if sub.get("trial_end") is not None:
                self.until.setDate(_qdate(sub["trial_end"] + dt.timedelta(days=7)))

    def value(self) -> a.DeskRequest | None:
        """The request as entered, or None while the form is incomplete (the problem line says what is missing)."""
        if self.target.count() == 0:
            self.refuse(f"{a.KINDS[self.kind].label.rstrip('…')} does not apply to anything of {self.diagnosis.name} "
                        "now.")
            return None
        reason = self.reason.text().strip()
        if not reason:
            self.refuse("Say why: the reason is recorded with the action.")
            return None
        fields: dict[str, Any] = {}
        if self.kind == a.REFUND:
            try:
                fields["amount_cents"] = parse_money(self.amount.text())
            except ValueError as exc:
                self.refuse(f"Amount: {exc}.")
                return None
        elif self.kind == a.APPLY_COUPON:
            fields["coupon_id"] = self.coupon.currentText().strip()
        elif self.kind == a.CHANGE_PLAN:
            fields.update(price_id=self.price.currentData(), quantity=self.quantity.value())
        if self.kind in (a.EXTEND_TRIAL, a.GRANT_ACCESS):
            chosen = self.until.date()
            fields["until"] = fmt.end_of_local_day(dt.date(chosen.year(), chosen.month(), chosen.day()))
        if self.kind == a.GRANT_ACCESS:
            if self.what.currentData() is None:
                self.refuse("Everything is granted already: there is nothing more to give.")
                return None
            which, key = self.what.currentData()
            fields[which] = key
        target = None if a.KINDS[self.kind].target == a.CUSTOMER else self.target.currentData()
        return a.DeskRequest(self.kind, self.diagnosis.customer["id"], target, reason, **fields)


def _qdate(value: dt.datetime) -> QDate:
    local = fmt.to_local(value)
    return QDate(local.year, local.month, local.day)


def ask(kind: str, diagnosis: Diagnosis, parent: QWidget | None = None) -> a.DeskRequest | None:
    """Show the form modally; the request, or None when cancelled (tests patch this)."""
    return CustomerActionDialog(kind, diagnosis, parent).ask()


def confirm(confirmation: Confirmation, parent: QWidget | None = None) -> bool:
    """Ask "are you sure?" stating the money in words; True to queue it (tests patch this)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Confirm", confirmation.text,
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Ok).setText(a.KINDS[confirmation.planned.request.kind].label.rstrip("…"))
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    # Room for the sentence and Stripe's lines, unbroken (the label's name is Qt's own).
    box.setStyleSheet("QLabel#qt_msgbox_label { min-width: 520px; }")
    try:
        return box.exec() == QMessageBox.StandardButton.Ok
    finally:
        box.deleteLater()
