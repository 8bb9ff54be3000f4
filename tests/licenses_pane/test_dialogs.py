"""The small licensing dialogs on their own: passphrase rules, revoke reason, expiry choices."""

from __future__ import annotations

import datetime as dt

from app.clock import utcnow
from ui.dialogs.license_actions import ExpiryPicker, RevokeDialog, end_of_local_day
from ui.dialogs.passphrase import MIN_NEW_LENGTH, PassphraseDialog

RECORD = {"id": "0b6a3c1e-5f7d", "customer_name": "Acme Corp", "customer_id": "cus_acme", "plan": "starter",
          "seats": 5, "expires_at": utcnow() + dt.timedelta(days=20)}


def test_a_new_passphrase_is_long_enough_and_typed_twice(qtbot):
    dialog = PassphraseDialog("New signing key", "…", new=True)
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("short")
    assert dialog.answer() is None and str(MIN_NEW_LENGTH) in dialog.problem.text()
    dialog.passphrase.setText("long enough passphrase")
    dialog.again.setText("long enough passphrase!")
    assert dialog.answer() is None and "differ" in dialog.problem.text()
    dialog.again.setText("long enough passphrase")
    dialog.keep.setValue(30)
    answer = dialog.answer()
    assert (answer.passphrase, answer.minutes) == ("long enough passphrase", 30)


def test_keep_unlocked_is_remembered(qtbot):
    first = PassphraseDialog("Unlock", "…")
    qtbot.addWidget(first)
    first.passphrase.setText("x")
    first.keep.setValue(45)
    first.accept()
    second = PassphraseDialog("Unlock", "…")
    qtbot.addWidget(second)
    assert second.keep.value() == 45


def test_revoking_needs_a_reason(qtbot):
    dialog = RevokeDialog(RECORD)
    qtbot.addWidget(dialog)
    assert dialog.value() is None and dialog.problem.text()
    dialog.reason.setCurrentText("  Refunded ")
    assert dialog.value() == "Refunded"


def test_expiry_presets_and_custom_date(qtbot):
    base = utcnow() + dt.timedelta(days=20)
    picker = ExpiryPicker(base=base)
    qtbot.addWidget(picker)
    assert picker.expires_at() - base == dt.timedelta(days=365)  # 1 year after the current expiry
    picker.preset.setCurrentIndex(picker.preset.findText("Custom date"))
    day = dt.date.today() + dt.timedelta(days=100)
    picker.date.setDate(day)
    assert picker.expires_at() == end_of_local_day(day)
    assert "in 100 days" in picker.summary.text()
