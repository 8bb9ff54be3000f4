"""The main window: the overview and five panes in order, tab shortcuts, menus, offline status, remembered state,
settings."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from app.store.schema import SyncState
from tests.support.network import free_port
from tests.ui.helpers import activate, settle
from ui.main_window import MainWindow
from ui.status_bar import OFFLINE


@pytest.fixture
def window(qtbot, context):
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot, context.runner)  # the tabs' panes are made (and the first one filled) once the window is painted
    yield win
    win.close()


def test_the_overview_then_five_panes_in_the_brief_order_each_builds(window, qtbot):
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Overview", "Health", "Customers", "Tickets", "Licenses", "Costs"]
    for pane in window.panes:
        window.show_pane(pane)
        assert pane.built
    qtbot.waitUntil(lambda: window.context.runner.active_count == 0, timeout=20_000)


def test_ctrl_number_switches_tabs(window, qtbot):
    activate(qtbot, window)  # offscreen, building a pane after the first show leaves no window active
    for i in (5, 1, 3, 6, 2, 4):
        QTest.keyClick(window, getattr(Qt.Key, f"Key_{i}"), Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == i - 1
    qtbot.waitUntil(lambda: window.context.runner.active_count == 0, timeout=20_000)


def test_menus_hold_the_commands(window):
    titles = {a.text().replace("&", ""): a for a in window.menuBar().actions()}
    assert list(titles) == ["File", "Edit", "View", "Help"]
    file_items = [a.text().replace("&", "") for a in titles["File"].menu().actions() if a.text()]
    assert file_items == ["Sync now", "Cancel sync", "Import costs…", "Open license or activation file…", "Reports…",
                          "Settings…", "Quit"]
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
    tickets = second.pane("tickets")  # made on asking, in its tab's place
    assert second.tabs.currentWidget() is tickets
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
            held = {a["license_id"] for a in business.feed("activations").page(None, None, 10_000)[0]}
            row = next(r for r in feed.page(None, None, 1_000)[0] if r["id"] not in held)  # no machine waits for it
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


def _signed_in(context, role: str) -> None:
    from app.store.app_state import ME_KEY, put_app_value

    with context.cache.engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"role": role, "user": {"name": "Sam"}})


@pytest.mark.parametrize(("role", "tabs", "import_enabled"), [
    ("support", ["Overview", "Customers", "Tickets", "Licenses"], None),
    ("operations", ["Overview", "Health", "Tickets", "Costs"], True),
    ("executive", ["Overview", "Health", "Customers", "Tickets", "Licenses", "Costs"], False),
])
def test_keyboard_follows_the_role(qtbot, context, monkeypatch, role, tabs, import_enabled):
    import ui.dialogs.import_costs as import_dialog

    imports: list[object] = []
    monkeypatch.setattr(import_dialog, "import_costs", lambda *args: imports.append(args))
    _signed_in(context, role)
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    activate(qtbot, win)  # shortcuts answer in the active window
    visible = [win.tabs.tabText(i) for i in range(win.tabs.count()) if win.tabs.isTabVisible(i)]
    assert visible == tabs
    view_items = [a for a in win.pane_actions if a.isVisible()]
    assert [a.text() for a in view_items] == tabs  # the View menu lists what the role sees, no more
    assert [a.shortcut().toString() for a in view_items] == [f"Ctrl+{n}" for n in range(1, len(tabs) + 1)]
    for number, title in reversed(list(enumerate(tabs, start=1))):
        QTest.keyClick(win, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert win.tabs.tabText(win.tabs.currentIndex()) == title
    QTest.keyClick(win, getattr(Qt.Key, f"Key_{len(tabs) + 1}"), Qt.KeyboardModifier.ControlModifier)
    assert win.tabs.tabText(win.tabs.currentIndex()) == tabs[0]  # a number past the last visible tab does nothing
    assert win.import_action.isVisible() == (import_enabled is not None)
    assert win.import_action.isEnabled() == bool(import_enabled)
    QTest.keyClick(win, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert len(imports) == (1 if import_enabled else 0)
    qtbot.waitUntil(lambda: win.context.runner.active_count == 0, timeout=20_000)
    win.close()


def test_the_window_fits_a_small_or_scaled_screen(qtbot, context):
    """At 200 % a 1920×1080 screen is 960×540 points: the window's minimum stays inside, every tab included."""
    from app.clock import utcnow
    from tests.support import dataset

    dataset.fill(context.cache.engine, utcnow())
    win = MainWindow(context)
    qtbot.addWidget(win)
    screen = win.screen().availableGeometry()
    assert win.width() <= screen.width() and win.height() <= screen.height()  # the default fits (800×600 offscreen)
    win.resize(900, 520)
    win.show()
    qtbot.waitExposed(win)
    for pane in win.panes:
        win.show_pane(pane)
        qtbot.waitUntil(lambda: win.context.runner.active_count == 0, timeout=20_000)
        hint = win.minimumSizeHint()
        assert hint.width() <= 960 and hint.height() <= 540, (pane.title, hint)
        assert (win.width(), win.height()) == (900, 520), pane.title  # no pane grew the window
    win.close()


def test_a_remembered_size_larger_than_the_screen_shrinks_to_it(qtbot, context):
    from ui import settings_keys

    first = MainWindow(context)
    qtbot.addWidget(first)
    first.setMinimumSize(0, 0)
    first.resize(3000, 2000)  # as a bigger monitor left it
    settings_keys.save_geometry("main_window", first)
    first.close()
    second = MainWindow(context)
    qtbot.addWidget(second)
    screen = second.screen().availableGeometry()
    assert second.width() <= screen.width() and second.height() <= screen.height()
    second.close()


def test_edit_copy_takes_the_rows_of_the_table_in_use(qtbot, context):
    from PySide6.QtGui import QGuiApplication

    from app.clock import utcnow
    from tests.support import dataset

    dataset.fill(context.cache.engine, utcnow())
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    tickets = win.pane("tickets")
    win.show_pane(tickets)
    qtbot.waitUntil(lambda: tickets.model.rowCount() > 0, timeout=10_000)
    activate(qtbot, win)
    tickets.table.view.selectRow(0)
    tickets.table.view.setFocus()
    qtbot.waitUntil(tickets.table.view.hasFocus)
    win.copy_action.trigger()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("#\tSLA\t"), timeout=5_000)
    assert QGuiApplication.clipboard().text().splitlines()[1].startswith(str(tickets.table.current_key()))
    health = win.pane("health")
    win.show_pane(health)
    qtbot.waitUntil(lambda: health.services.rowCount() > 0, timeout=10_000)
    activate(qtbot, win)  # the Health tab was built just now, after the window was first shown
    health.services.selectRow(0)
    health.services.setFocus()
    qtbot.waitUntil(health.services.hasFocus)
    win.copy_action.trigger()
    assert QGuiApplication.clipboard().text().startswith("Service\tState\t")
    qtbot.waitUntil(lambda: win.context.runner.active_count == 0, timeout=20_000)
    win.close()


def test_a_window_started_when_painted_starts_after_its_first_frame(qtbot, context, monkeypatch):
    """``opsconsole`` starts syncing and checking the cache only once the first tab's pane is made."""
    checked: list[bool] = []
    monkeypatch.setattr(MainWindow, "check_cache_integrity", lambda self: checked.append(True))
    win = MainWindow(context)
    qtbot.addWidget(win)
    clock = win.findChild(QTimer, "freshnessClock")
    win.start_when_painted()
    assert not clock.isActive() and not checked  # nothing runs before the frame
    win.show()
    qtbot.waitUntil(lambda: clock.isActive(), timeout=10_000)
    assert checked == [True]
    assert win.made_panes()  # the tab in view was made first
    settle(qtbot, context.runner)
    win.close()
