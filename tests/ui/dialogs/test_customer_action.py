"""The desk's action form: prefilled from the customer, complete before OK, and the request it gives."""

from __future__ import annotations

import datetime as dt

import pytest

from app.clock import utcnow
from app.config.settings import Settings
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.diagnosis import load
from tests.support import desk
from ui.dialogs.customer_action import CustomerActionDialog, choices


@pytest.fixture
def diagnosis_of(cache):
    desk.fill(cache.engine, utcnow())
    return lambda customer_id: load(cache.engine, customer_id, Settings())


def test_a_refund_offers_paid_invoices_with_what_is_left(qtbot, diagnosis_of):
    acme = diagnosis_of("cus_acme")
    dialog = CustomerActionDialog(a.REFUND, acme)
    qtbot.addWidget(dialog)
    assert [label for label, _ in choices(a.REFUND, acme)] == [
        "ACME-0001 · paid $2,392.00 · $2,292.00 refundable", "ACME-0000 · paid $2,392.00 · $2,392.00 refundable"]
    assert dialog.amount.text() == "2292.00"
    assert dialog.value() is None and "Say why" in dialog.problem.text()
    dialog.reason.setText("Billed twice")
    dialog.amount.setText("12.x")
    assert dialog.value() is None and "not an amount like 299.00" in dialog.problem.text()
    dialog.amount.setText("$1,000")
    assert dialog.value() == a.DeskRequest(a.REFUND, "cus_acme", "in_acme_1", "Billed twice", amount_cents=100_000)


def test_a_plan_change_starts_from_the_current_plan(qtbot, diagnosis_of):
    dialog = CustomerActionDialog(a.CHANGE_PLAN, diagnosis_of("cus_bolt"))
    qtbot.addWidget(dialog)
    assert dialog.price.currentData() == "price_starter_m" and dialog.quantity.value() == 3
    dialog.price.setCurrentIndex(dialog.price.findData("price_ent_m"))
    dialog.reason.setText("Upgrade agreed")
    request = dialog.value()
    assert request is not None and (request.price_id, request.quantity, request.target_id) == (
        "price_ent_m", 3, "sub_bolt")


def test_a_grant_offers_what_the_customer_lacks_until_the_end_of_a_day(qtbot, diagnosis_of):
    dialog = CustomerActionDialog(a.GRANT_ACCESS, diagnosis_of("cus_bolt"))
    qtbot.addWidget(dialog)
    offered = [dialog.what.itemData(i) for i in range(dialog.what.count())]
    assert ("feature", "sso") in offered and ("plan", "enterprise") in offered
    assert ("feature", "offline") not in offered  # the Starter plan has it
    dialog.what.setCurrentIndex(offered.index(("feature", "audit_log")))
    dialog.reason.setText("Compliance pilot")
    request = dialog.value()
    assert request is not None and request.feature == "audit_log" and request.target_id is None
    assert request.until is not None and request.until - utcnow() > dt.timedelta(days=13)


def test_actions_that_do_not_apply_say_so(qtbot, diagnosis_of):
    dune = diagnosis_of("cus_dune")
    assert choices(a.REFUND, dune) == [] and choices(a.EXTEND_TRIAL, dune) == []
    dialog = CustomerActionDialog(a.REFUND, dune)
    qtbot.addWidget(dialog)
    dialog.reason.setText("Goodwill")
    assert dialog.value() is None and "does not apply" in dialog.problem.text()
