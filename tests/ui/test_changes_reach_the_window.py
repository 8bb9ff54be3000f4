"""One change bus: a ticket reply shows in the table row, the detail and the status bar at once, with no sync."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.clock import utcnow
from app.domain.tickets import Action
from app.store.app_state import ME_KEY, put_app_value
from tests.support import dataset
from tests.ui.helpers import wait_idle
from ui.dialogs import ticket_action
from ui.main_window import MainWindow


def settle(qtbot, runner) -> None:
    for _ in range(3):
        wait_idle(qtbot, runner)
        qtbot.wait(20)
    wait_idle(qtbot, runner)


def test_a_reply_updates_the_row_the_detail_and_the_outbox_count_without_a_sync(qtbot, context, monkeypatch):
    dataset.fill(context.cache.engine, utcnow())
    with context.cache.engine.begin() as conn:  # signed in as support (offline, executives only read)
        put_app_value(conn, ME_KEY, {"role": "support", "user": {"name": "Maya Chen"}})
    monkeypatch.setattr(ticket_action, "ask", lambda *args, **_: [Action("reply", "A fix ships today.")])
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    runner = context.runner
    tickets = window.pane("tickets")
    window.show_pane(tickets)
    settle(qtbot, runner)
    keys = [tickets.model.key_at(r) for r in range(tickets.model.rowCount())]
    row = keys.index(101)
    tickets.table.view.selectRow(row)
    settle(qtbot, runner)
    before = tickets.model.row_values(row)["updated_at"]
    assert window.status.outbox_label.text() == ""
    assert window.sync._running is None  # no sync pass runs in this test

    qtbot.mouseClick(tickets.buttons["reply"], Qt.MouseButton.LeftButton)
    settle(qtbot, runner)

    newest = tickets.detail.current.events[0]
    assert (newest["body"], newest["pending"]) == ("A fix ships today.", True)  # the detail
    row = [tickets.model.key_at(r) for r in range(tickets.model.rowCount())].index(101)
    assert tickets.model.row_values(row)["updated_at"] == newest["created_at"] != before  # the table row
    assert window.status.outbox_label.text() == "1 change waiting to send"  # the status bar
    assert window.status.outbox_label.isVisible()
    assert tickets.table.current_key() == 101
    window.close()
