"""The Tickets tab: SLA order, countdown and colours, views, KPIs, the detail, and actions written with their
outbox entry."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from sqlalchemy import select

from app.clock import utcnow
from app.domain.tickets import Action
from app.metrics import MetricsRequest, figure_set, to_jsonable
from app.store.app_state import ME_KEY, put_app_value
from app.store.schema import OutboxEntry, Ticket, TicketEvent
from tests.ui.helpers import settle, show
from ui.dialogs import ticket_action
from ui.panes import tickets_kpis
from ui.panes.tickets import TicketsPane
from ui.widgets.palette import AMBER, DARK, GREY, LIGHT, RED, chart_colors, use_scheme


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


def cell(pane, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return pane.model.data(pane.model.index(row, pane.model.spec.index_of(key)), role)


def test_the_queue_counts_down_to_the_next_target_with_one_colour_per_state(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    assert keys(pane) == [101, 103, 104, 102]  # breached, then by due instant, the paused one last
    assert cell(pane, 0, "sla").startswith("breached 2 h") and cell(pane, 0, "sla_state") == "Breached"
    assert cell(pane, 1, "sla").startswith("due in 4 m") and cell(pane, 1, "sla_metric") == "First reply"
    assert cell(pane, 3, "sla").startswith("paused · ") and cell(pane, 3, "status") == "Pending"
    colours = [cell(pane, r, "sla", Qt.ItemDataRole.ForegroundRole).color() for r in (0, 1, 3)]
    assert colours == [RED, AMBER, GREY]
    assert cell(pane, 1, "sla_state", Qt.ItemDataRole.ForegroundRole).color() == AMBER  # the filter's amber


def test_views(qtbot, runner, filled, settings):
    with filled.engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"user": {"name": "Priya Nair"}})
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    assert choose(pane, qtbot, runner, "About to breach") == [103]
    assert choose(pane, qtbot, runner, "Breached") == [101]
    assert choose(pane, qtbot, runner, "Paused (waiting on the customer)") == [102]
    assert choose(pane, qtbot, runner, "Mine (assigned to me)") == [103]
    assert choose(pane, qtbot, runner, "Tier 2") == [103]
    assert choose(pane, qtbot, runner, "Escalated") == [103]
    assert choose(pane, qtbot, runner, "Unassigned") == [104]
    assert sorted(choose(pane, qtbot, runner, "All")) == [101, 102, 103, 104, 105]
    pane.table.search.setText("vat")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert keys(pane) == [102]


def test_the_kpi_strip_shows_the_figures_the_cli_prints(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    shown = {label: tile.value.text() for label, tile in pane.kpis.strip.tiles.items()}
    with filled.engine.connect() as conn:
        figures = figure_set("support")(conn, settings, MetricsRequest(utcnow()))
    assert to_jsonable(figures)["queue"]["breached"] == 1
    assert shown == {k.label: k.value for k in tickets_kpis.tiles(figures)}
    assert shown[tickets_kpis.BREACHED] == "1" and shown[tickets_kpis.SOON] == "1"
    pane.kpis.toggle.click()  # the details: achievement per metric and priority, escalations, backlog
    assert pane.kpis.achievement.rowCount() >= 3 and pane.kpis.escalations.rowCount() == 2
    assert pane.kpis.chart.backgroundBrush().color() == chart_colors()[0]  # the backlog chart in the scheme's colours
    use_scheme(DARK)
    try:
        pane.kpis.changeEvent(QEvent(QEvent.Type.PaletteChange))  # what the window's theme switch sends
        assert pane.kpis.chart.backgroundBrush().color() == QColor(DARK.base)
    finally:
        use_scheme(LIGHT)


def test_reply_writes_event_and_outbox_and_shows_it_pending(qtbot, runner, filled, settings, monkeypatch):
    asked = []

    def fake_ask(mode, detail, assignees, parent, **_templates):
        asked.append((mode, detail.ticket["id"]))
        return [Action("reply", "We found the cause; a fix ships today.")]

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
    def fill_form(mode, detail, assignees, parent, **templates):
        dialog = ticket_action.TicketActionDialog(mode, detail, assignees, parent, **templates)
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
    monkeypatch.setattr(ticket_action, "ask", lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked")))
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


def test_a_macro_replies_and_sets_pending_in_one_step(qtbot, runner, filled, settings, monkeypatch):
    def use_macro(mode, detail, assignees, parent, **templates):
        dialog = ticket_action.TicketActionDialog(mode, detail, assignees, parent, **templates)
        qtbot.addWidget(dialog)
        dialog.macro.setCurrentIndex(dialog.macro.findText("Need more information"))
        assert dialog.text.toPlainText().startswith("Hi Ops,")  # {first_name} from ops@bolt-labs.example
        assert "#104" not in dialog.text.toPlainText() and dialog.then_status.currentData() == "pending"
        return dialog.value()

    monkeypatch.setattr(ticket_action, "ask", use_macro)
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    open_ticket(pane, qtbot, runner, 104)
    pane.buttons["reply"].click()
    settle(qtbot, runner)
    with filled.engine.connect() as conn:
        kinds = [r.kind for r in conn.execute(select(TicketEvent.kind, TicketEvent.created_at)
                                              .where(TicketEvent.pending.is_(True)).order_by(TicketEvent.created_at))]
        rank = conn.execute(select(Ticket.sla_rank).where(Ticket.id == 104)).scalar_one()
    assert kinds == ["reply", "status"]
    assert rank.year == 9000  # paused at once, before any sync: the clock follows the local events
    assert cell(pane, keys(pane).index(104), "sla").startswith("paused")


def test_changing_the_policy_in_settings_re_evaluates_the_open_tickets(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    before = cell(pane, keys(pane).index(101), "sla")
    slower = tuple(dataclasses.replace(p, resolution_minutes=p.resolution_minutes * 2) for p in settings.sla.policies)
    pane.apply_settings(dataclasses.replace(settings, sla=dataclasses.replace(settings.sla, policies=slower)))
    settle(qtbot, runner)
    assert before.startswith("breached") and cell(pane, keys(pane).index(101), "sla").startswith("due in 1 d 2")
    assert "follow the new rules" in pane.action_status.text()  # 96 h from creation 50 h ago: 46 h of wall time


def test_raising_the_priority_retargets_the_clock_at_once(qtbot, runner, filled, settings, monkeypatch):
    def make_urgent(mode, detail, assignees, parent, **templates):
        dialog = ticket_action.TicketActionDialog(mode, detail, assignees, parent, **templates)
        qtbot.addWidget(dialog)
        dialog.choice.setCurrentIndex(dialog.choice.findData("urgent"))
        return dialog.value()

    monkeypatch.setattr(ticket_action, "ask", make_urgent)
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    open_ticket(pane, qtbot, runner, 104)
    assert cell(pane, keys(pane).index(104), "sla").startswith("due in")
    pane.buttons["priority"].click()
    settle(qtbot, runner)
    with filled.engine.connect() as conn:
        payload = conn.execute(select(OutboxEntry.payload_json)).scalar_one()
    assert (payload["kind"], payload["data"]) == ("priority", {"priority": "urgent", "previous": "normal"})
    # Critical runs 24/7 and answers in 30 min: an hour-old unanswered ticket is 30 min past it, before any sync.
    assert cell(pane, keys(pane).index(104), "sla").startswith("breached 30 m")
