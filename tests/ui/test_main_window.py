"""The main window: five panes in order, tab shortcuts, menus, offline status, remembered state, settings."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.store.schema import SyncState
from tests.support.network import free_port
from ui.main_window import MainWindow
from ui.status_bar import OFFLINE


@pytest.fixture
def window(qtbot, context):
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def test_five_panes_in_the_brief_order_each_builds(window, qtbot):
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Health", "Customers", "Tickets", "Licenses", "Costs"]
    for pane in window.panes:
        window.show_pane(pane)
        assert pane.built
    qtbot.waitUntil(lambda: window.context.runner.active_count == 0, timeout=20_000)


def test_ctrl_number_switches_tabs(window, qtbot):
    for i in (5, 1, 3, 2, 4):
        QTest.keyClick(window, getattr(Qt.Key, f"Key_{i}"), Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == i - 1
    qtbot.waitUntil(lambda: window.context.runner.active_count == 0, timeout=20_000)


def test_menus_hold_the_commands(window):
    titles = {a.text().replace("&", ""): a for a in window.menuBar().actions()}
    assert list(titles) == ["File", "Edit", "View", "Help"]
    file_items = [a.text().replace("&", "") for a in titles["File"].menu().actions() if a.text()]
    assert file_items == ["Sync now", "Cancel sync", "Import costs…", "Settings…", "Quit"]
    edit_items = [a.text().replace("&", "") for a in titles["Edit"].menu().actions() if a.text()]
    assert edit_items == ["Copy", "Export CSV…"]


def test_status_bar_says_offline_when_the_backend_is_unreachable(qtbot, context, monkeypatch):
    monkeypatch.setenv("OPSCONSOLE_API_URL", f"http://127.0.0.1:{free_port()}/api")
    monkeypatch.setenv("OPSCONSOLE_API_TOKEN", "token-for-a-dead-server")
    last = dt.datetime(2026, 11, 20, 9, 30)
    with context.cache.engine.begin() as conn:
        conn.execute(SyncState.__table__.insert().values(resource="ops:tickets", last_success_at=last))
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.sync.sync_now()
    qtbot.waitUntil(lambda: win.status.state == OFFLINE, timeout=60_000)
    assert win.status.sync_label.text().startswith("Offline — showing the cache from 2026-11-")
    tip = win.status.sync_label.toolTip()
    assert tip.startswith("The Ops API could not be reached") and "HTTPConnectionPool" not in tip
    assert win.notice.isVisibleTo(win) and "could not be reached" in win.notice.message.text()
    assert "HTTPConnectionPool" in win.notice.details  # the technical text is kept for "Details…"
    win.close()


def test_window_geometry_and_tab_are_remembered(qtbot, context):
    first = MainWindow(context)
    qtbot.addWidget(first)
    first.resize(700, 500)  # within the offscreen screen (800×600), so the size is kept as asked
    first.show()
    first.show_pane(first.pane("tickets"))
    first.close()
    second = MainWindow(context)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (700, 500)
    assert second.tabs.currentWidget() is second.pane("tickets")
    second.close()


def test_issue_license_from_the_customers_pane_opens_the_licenses_dialog(qtbot, context):
    with context.cache.engine.begin() as conn:
        conn.exec_driver_sql("insert into customers (id, name, email, created, delinquent, balance_cents) "
                             "values ('cus_acme', 'Acme Corp', 'it@acme.example', '2026-01-01', 0, 0)")
        conn.exec_driver_sql("insert into app_state (key, value_json) values ('me', '{\"role\": \"support\"}')")
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    customers, licenses = win.pane("customers"), win.pane("licenses")
    win.show_pane(customers)
    assert not customers.issue_button.isEnabled()  # nothing selected yet
    qtbot.waitUntil(lambda: customers.table.model.key_at(0) == "cus_acme", timeout=10_000)
    customers.table.view.selectRow(0)
    assert customers.issue_button.isEnabled()
    customers.issue_button.click()
    assert win.tabs.currentWidget() is licenses
    dialog = licenses.issue_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.close()
    qtbot.waitUntil(lambda: context.runner.active_count == 0, timeout=10_000)
    win.close()


def test_status_bar_says_how_many_rows_could_not_be_stored(qtbot, context, monkeypatch):
    from app.demo.backend import DemoBackend
    from ui.status_bar import ONLINE

    with DemoBackend(customers=20, tickets=40, now=dt.datetime(2026, 6, 1, 12)) as backend:
        business = backend.business
        with business.lock:
            feed = business.feed("licenses")
            row = feed.page(None, None, 1)[0][0]
            feed.put({**row, "seats": 2**70, "updated_at": business.clock.stamp()})
        monkeypatch.setenv("OPSCONSOLE_API_URL", backend.ops_api_url)
        monkeypatch.setenv("OPSCONSOLE_API_TOKEN", backend.ops_api_token)
        win = MainWindow(context)
        qtbot.addWidget(win)
        win.show()
        assert win.status.not_stored_label.isHidden()
        win.sync.sync_now()
        qtbot.waitUntil(lambda: win.status.not_stored_label.isVisible(), timeout=60_000)
        win.sync.stop()
        qtbot.waitUntil(lambda: win.context.runner.active_count == 0, timeout=20_000)
    assert win.status.state == ONLINE  # the sync itself succeeded
    assert win.status.not_stored_label.text() == "⚠ 1 row could not be stored"
    assert "ops:licenses: 1" in win.status.not_stored_label.toolTip()
    win.close()
