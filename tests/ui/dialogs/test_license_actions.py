"""The license action dialogs on their own: the revoke reason, the expiry choices."""

from __future__ import annotations

import datetime as dt

from app.clock import utcnow
from ui.dialogs.license_actions import ExpiryPicker, RevokeDialog, end_of_local_day

RECORD = {"id": "0b6a3c1e-5f7d", "customer_name": "Acme Corp", "customer_id": "cus_acme", "plan": "starter",
          "seats": 5, "expires_at": utcnow() + dt.timedelta(days=20)}


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
