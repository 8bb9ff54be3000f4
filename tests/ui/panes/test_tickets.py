"""The Tickets tab: SLA order and colours, filters, the detail, and actions written with their outbox entry."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.store.schema import OutboxEntry, TicketEvent
from tests.ui.helpers import settle, show
from ui.dialogs import ticket_action
from ui.dialogs.ticket_action import TicketAction
from ui.panes.tickets import TicketsPane
from ui.widgets.palette import RED


def keys(pane) -> list[int]:
    return [pane.model.key_at(r) for r in range(pane.model.rowCount())]


def choose(pane, qtbot, runner, label: str) -> list[int]:
    pane.table.filter.setCurrentIndex(pane.table.filter.findText(label))
    settle(qtbot, runner)
    return keys(pane)


def open_ticket(pane, qtbot, runner, ticket_id: int) -> None:
    pane.table.view.selectRow(keys(pane).index(ticket_id))
    settle(qtbot, runner)
    assert pane.detail.current.ticket["id"] == ticket_id


def test_builds_on_an_empty_cache(qtbot, runner, cache, settings):
    pane = show(qtbot, runner, TicketsPane(cache, runner, settings))
    assert pane.model.rowCount() == 0
    assert pane.split.empty_state.text() == "No tickets in the cache yet — File ▸ Sync now"
    assert not pane.buttons["reply"].isEnabled()


def test_open_tickets_by_sla_due_with_colours(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    assert keys(pane) == [101, 102, 104, 103]  # "Open" first, earliest SLA due first
    sla_column = pane.model.spec.index_of("sla_due_at")
    breached = pane.model.data(pane.model.index(0, sla_column), Qt.ItemDataRole.ForegroundRole)
    assert breached.color() == RED
    assert "breached" in pane.model.data(pane.model.index(0, sla_column), Qt.ItemDataRole.ToolTipRole)


def test_filters(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    assert choose(pane, qtbot, runner, "About to breach (due within 4 h)") == [102]
    assert choose(pane, qtbot, runner, "Breached") == [101]
    assert choose(pane, qtbot, runner, "Escalated, unsolved") == [103]
    assert choose(pane, qtbot, runner, "Unassigned, unsolved") == [104]
    assert sorted(choose(pane, qtbot, runner, "All")) == [101, 102, 103, 104, 105]
    pane.table.search.setText("vat")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert keys(pane) == [102]


def test_reply_writes_event_and_outbox_and_shows_it_pending(qtbot, runner, filled, settings, monkeypatch):
    asked = []

    def fake_ask(mode, detail, assignees, parent):
        asked.append((mode, detail.ticket["id"]))
        return TicketAction("reply", "We found the cause; a fix ships today.")

    monkeypatch.setattr(ticket_action, "ask", fake_ask)
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    open_ticket(pane, qtbot, runner, 101)
    assert pane.buttons["reply"].isEnabled()
    qtbot.keyClick(pane.table.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, runner)
    assert asked == [("reply", 101)]
    with filled.engine.connect() as conn:
        event = conn.execute(select(TicketEvent.__table__).where(TicketEvent.pending.is_(True))).mappings().one()
        entry = conn.execute(select(OutboxEntry.__table__)).mappings().one()
    assert (event["ticket_id"], event["kind"]) == (101, "reply")
    assert entry["path"] == "/v1/tickets/101/events"
    assert entry["payload_json"]["id"] == event["id"]
    assert entry["payload_json"]["created_at"].endswith("Z")
    newest = pane.detail.current.events[0]
    assert (newest["id"], newest["pending"]) == (event["id"], True)
    assert "waiting to send" in pane.action_status.text()


def test_escalation_carries_plan_and_mrr(qtbot, runner, filled, settings, monkeypatch):
    def fill_form(mode, detail, assignees, parent):
        dialog = ticket_action.TicketActionDialog(mode, detail, assignees, parent)
        qtbot.addWidget(dialog)
        dialog.text.setPlainText("Sync stalls for large workspaces")
        dialog.steps.setPlainText("Re-indexed; restarted the worker")
        dialog.impact.setText("All 40 seats")
        return dialog.value()

    monkeypatch.setattr(ticket_action, "ask", fill_form)
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    open_ticket(pane, qtbot, runner, 103)
    pane.buttons["escalate"].click()
    settle(qtbot, runner)
    with filled.engine.connect() as conn:
        payload = conn.execute(select(OutboxEntry.payload_json)).scalar_one()
    assert payload["kind"] == "escalation"
    assert payload["data"]["tier"] == 3
    assert payload["data"]["customer_plan"] == "Professional annual"
    assert "MRR $199.33" in payload["body"]


def test_read_only_disables_actions(qtbot, runner, filled, settings, monkeypatch):
    monkeypatch.setattr(ticket_action, "ask", lambda *a: (_ for _ in ()).throw(AssertionError("asked")))
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    pane.set_read_only(True)
    open_ticket(pane, qtbot, runner, 101)
    assert not any(b.isEnabled() for b in pane.buttons.values())
    pane.act("reply")
    assert "Read-only" in pane.action_status.text()
    pane.set_read_only(False)
    assert pane.buttons["reply"].isEnabled()


def test_enter_opens_the_detail(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    pane.activateWindow()
    qtbot.waitActive(pane)
    open_ticket(pane, qtbot, runner, 101)
    pane.split.setSizes([1280, 0])  # the user had dragged the detail shut
    pane.table.view.setFocus()
    qtbot.keyClick(pane.table.view, Qt.Key.Key_Return)
    settle(qtbot, runner)
    assert pane.split.sizes()[1] > 0
    assert pane.detail.focusProxy().hasFocus()
