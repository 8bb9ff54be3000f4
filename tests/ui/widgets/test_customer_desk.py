"""The customer desk in the Customers tab: a past-due customer diagnosed and fixed, refusals in words, roles."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select, update

from app.clock import utcnow
from app.domain.customer_desk import actions as a
from app.store import outbox
from app.store.changes import Changes
from app.store.schema import OutboxEntry
from tests.support import desk
from tests.ui.helpers import settle, show
from ui.dialogs import customer_action
from ui.panes.customers import CustomersPane
from ui.widgets.customer_desk_view import render_diagnosis

REASON = "Customer topped up their account"


@pytest.fixture
def desk_cache(cache):
    desk.fill(cache.engine, utcnow())
    return cache


def open_customer(pane, qtbot, runner, customer_id: str):
    keys = [pane.model.key_at(r) for r in range(pane.model.rowCount())]
    pane.table.view.selectRow(keys.index(customer_id))
    settle(qtbot, runner)
    found = pane.desk.current
    assert found is not None and found.customer["id"] == customer_id
    return found


def _queued(cache) -> list:
    with cache.engine.connect() as conn:
        return conn.execute(select(OutboxEntry.path, OutboxEntry.state)).all()


def _answer(monkeypatch, request: a.DeskRequest | None, confirmed: bool = True) -> list[str]:
    """Patch the form to return ``request`` and the confirmation to say ``confirmed``; records what was confirmed."""
    said: list[str] = []
    monkeypatch.setattr(customer_action, "ask", lambda kind, d, parent=None: request)

    def confirm(confirmation, parent=None):
        said.append(confirmation.text)
        return confirmed

    monkeypatch.setattr(customer_action, "confirm", confirm)
    return said


def test_a_past_due_customer_is_diagnosed_on_one_screen(qtbot, runner, desk_cache, settings):
    pane = show(qtbot, runner, CustomersPane(desk_cache, runner, settings))
    dune = open_customer(pane, qtbot, runner, "cus_dune")
    assert dune.stage.stage == "at risk"
    assert pane.desk.stage.isVisible() and "At risk" in pane.desk.stage.text()
    assert "a payment failed (past due)" in pane.desk.stage.text()
    fields = dict(render_diagnosis(dune).fields)
    assert fields["Card"].startswith("Visa •••• 4242") and "insufficient funds" in fields["Card"]
    assert pane.desk.buttons[a.RETRY_PAYMENT].isEnabled()  # an open invoice to charge again
    assert not pane.desk.buttons[a.REFUND].isEnabled()  # nothing was paid
    assert pane.detail.title.text() == "Dune Retail"


def test_fixing_it_queues_the_retry_and_shows_it_waiting(qtbot, runner, desk_cache, settings, monkeypatch):
    pane = show(qtbot, runner, CustomersPane(desk_cache, runner, settings))
    open_customer(pane, qtbot, runner, "cus_dune")
    said = _answer(monkeypatch, a.DeskRequest(a.RETRY_PAYMENT, "cus_dune", "in_dune_1", REASON))
    pane.desk.act(a.RETRY_PAYMENT)
    settle(qtbot, runner)
    assert said and said[0].startswith("Charge $99.00 to Dune Retail's Visa •••• 4242")
    assert "No Stripe key is set up" in said[0]
    assert _queued(desk_cache) == [("/v1/invoices/in_dune_1/pay", outbox.PENDING)]
    assert pane.desk.bar.status.text().startswith("Queued: Charge $99.00")
    assert pane.desk.pending.isVisible() and len(pane.desk.pending.rows) == 1
    label, retry, discard = next(iter(pane.desk.pending.rows.values()))
    assert "Waiting to send" in label.text() and not retry.isVisibleTo(pane) and discard.isEnabled()


def test_a_refund_over_the_cap_is_refused_in_words_and_nothing_is_queued(qtbot, runner, desk_cache, settings,
                                                                          monkeypatch):
    pane = show(qtbot, runner, CustomersPane(desk_cache, runner, settings))
    open_customer(pane, qtbot, runner, "cus_acme")
    said = _answer(monkeypatch, a.DeskRequest(a.REFUND, "cus_acme", "in_acme_1", REASON, amount_cents=60_000))
    pane.desk.act(a.REFUND)
    settle(qtbot, runner)
    assert said == []  # refused before the confirmation
    assert "can refund at most $500.00 at once" in pane.desk.bar.status.text()
    assert "Nothing was queued." in pane.desk.bar.status.text()
    assert _queued(desk_cache) == []


def test_declining_the_confirmation_queues_nothing(qtbot, runner, desk_cache, settings, monkeypatch):
    pane = show(qtbot, runner, CustomersPane(desk_cache, runner, settings))
    open_customer(pane, qtbot, runner, "cus_acme")
    said = _answer(monkeypatch, a.DeskRequest(a.REFUND, "cus_acme", "in_acme_1", REASON, amount_cents=29_900),
                   confirmed=False)
    pane.desk.act(a.REFUND)
    settle(qtbot, runner)
    assert said[0].startswith("Refund $299.00 to Acme Corp (invoice ACME-0001).")
    assert _queued(desk_cache) == [] and pane.desk.bar.status.text() == "Nothing was queued."


def test_a_refused_action_can_be_retried_or_discarded(qtbot, runner, desk_cache, settings, monkeypatch):
    pane = show(qtbot, runner, CustomersPane(desk_cache, runner, settings))
    open_customer(pane, qtbot, runner, "cus_dune")
    _answer(monkeypatch, a.DeskRequest(a.RETRY_PAYMENT, "cus_dune", "in_dune_1", REASON))
    pane.desk.act(a.RETRY_PAYMENT)
    settle(qtbot, runner)
    with desk_cache.engine.begin() as conn:  # what a sync writes when Stripe declines the card
        conn.execute(update(OutboxEntry).values(state=outbox.REFUSED, last_error="Your card has expired."))
    runner.bus.publish(Changes.of("outbox"))
    settle(qtbot, runner)
    label, retry, discard = next(iter(pane.desk.pending.rows.values()))
    assert "Refused: your card has expired." in label.text() and retry.isVisibleTo(pane)
    discard.click()
    settle(qtbot, runner)
    assert not pane.desk.pending.isVisible()
    with desk_cache.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OutboxEntry)).scalar_one() == 0
    assert "discarded" in pane.desk.detail.current.actions[0].words


def test_read_only_roles_see_the_desk_but_cannot_act(qtbot, runner, desk_cache, settings):
    desk.sign_in(desk_cache.engine, "product")
    pane = show(qtbot, runner, CustomersPane(desk_cache, runner, settings))
    open_customer(pane, qtbot, runner, "cus_dune")
    assert not any(b.isEnabled() for b in pane.desk.buttons.values())
    assert not any(m.isEnabled() for m in pane.desk.menus.values())
    assert pane.desk.bar.status.text().startswith("Read-only")
    assert pane.desk.copy_button.isEnabled()


def test_copy_summary_puts_the_escalation_facts_on_the_clipboard(qtbot, runner, desk_cache, settings):
    pane = show(qtbot, runner, CustomersPane(desk_cache, runner, settings))
    open_customer(pane, qtbot, runner, "cus_dune")
    pane.desk.copy_summary()
    text = QApplication.clipboard().text()
    assert "Customer: Dune Retail (cus_dune)" in text and "Stage: at risk" in text
