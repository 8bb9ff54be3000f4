"""Tickets under a sync: rows inserted above and reordered around the selected ticket leave actions on it.

The sync writes pages through its real writer and reports them through the
task runner's ``changed`` callback, as ``SyncEngine.run_once`` does.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.clock import utcnow
from app.domain.tickets import Action
from app.store.schema import OutboxEntry
from app.sync.ops_pull import write_items
from app.sync.ops_resources import RESOURCES
from tests.ui.helpers import settle, show
from ui.dialogs import ticket_action
from ui.panes.tickets import TicketsPane

TICKETS = next(r for r in RESOURCES if r.name == "tickets")


def highlighted(pane) -> object:
    index = pane.table.view.currentIndex()
    return pane.model.key_at(index.row()) if index.isValid() else None


def api_ticket(ticket_id: int, created: dt.datetime, **fields) -> dict:
    """An urgent ticket: the Critical policy's 30-minute first reply runs around the clock, so its due instant
    is ``created`` + 30 min whatever the time of day."""
    iso = created.isoformat() + "Z"
    return {"id": ticket_id, "subject": f"Ticket {ticket_id}", "status": "open", "priority": "urgent", "tier": 1,
            "created_at": iso, "updated_at": iso, "sla_due_at": None, "escalated": False, **fields}


def sync_page(pane, items: list[dict]) -> None:
    """One synced page of tickets, written and reported on the sync's thread."""
    def page(changed) -> None:
        with pane.engine.begin() as conn:
            written = write_items(conn, TICKETS, items)
        changed(written)

    pane.runner.run(page, long_running=True)


def test_a_sync_reordering_tickets_keeps_the_selected_one_and_its_actions(
    qtbot, runner, filled, settings, monkeypatch
):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    keys = [pane.model.key_at(r) for r in range(pane.model.rowCount())]
    assert keys == [101, 103, 104, 102]
    pane.table.view.selectRow(keys.index(104))
    settle(qtbot, runner)
    assert pane.table.current_key() == 104 and pane.detail.current.ticket["id"] == 104

    now = utcnow()
    sync_page(pane, [
        api_ticket(201, now - dt.timedelta(hours=9)),  # two new tickets, breached longest: they go on top
        api_ticket(202, now - dt.timedelta(hours=8)),
        api_ticket(103, now - dt.timedelta(hours=7), subject="Sync stuck at 43 percent"),  # moves up past 101
    ])
    settle(qtbot, runner)
    keys = [pane.model.key_at(r) for r in range(pane.model.rowCount())]
    assert keys == [201, 202, 103, 101, 104, 102]
    assert pane.table.current_key() == 104 and highlighted(pane) == 104
    assert pane.detail.current.ticket["id"] == 104

    asked: list[int] = []
    monkeypatch.setattr(ticket_action, "ask",
                        lambda mode, detail, assignees, parent, **_: asked.append(detail.ticket["id"])
                        or [Action("reply", "On it.")])
    qtbot.mouseClick(pane.buttons["reply"], Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert asked == [104]
    with filled.engine.connect() as conn:
        assert conn.execute(select(OutboxEntry.path)).scalar_one() == "/v1/tickets/104/events"


def test_a_ticket_deleted_by_a_sync_leaves_nothing_selected(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    pane.table.view.selectRow(0)
    settle(qtbot, runner)
    assert pane.table.current_key() == 101
    sync_page(pane, [{"id": 101, "deleted": True}])
    settle(qtbot, runner)
    assert pane.table.current_key() is None and highlighted(pane) is None
    assert pane.detail.current is None and not pane.buttons["reply"].isEnabled()


def test_sorting_and_searching_keep_the_selection_on_the_ticket(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, TicketsPane(filled, runner, settings))
    keys = [pane.model.key_at(r) for r in range(pane.model.rowCount())]
    pane.table.view.selectRow(keys.index(103))
    settle(qtbot, runner)
    pane.table.view.sortByColumn(pane.model.spec.index_of("subject"), Qt.SortOrder.DescendingOrder)
    settle(qtbot, runner)
    assert pane.table.current_key() == 103 and highlighted(pane) == 103
    pane.table.search.setText("sync")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert pane.table.current_key() == 103 and highlighted(pane) == 103
