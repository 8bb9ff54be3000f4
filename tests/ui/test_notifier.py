"""Notifications: rules run after each sync and every minute, the bell lists them, each entry opens its record.

Offscreen there is no system tray, which is the case the in-app list must
cover on its own; a second test stands in a tray to see the desktop message.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from app import alerts
from app.clock import utcnow
from app.notices import Notice
from app.store.schema import SyncState
from tests.support import dataset
from tests.ui.helpers import settle
from ui.main_window import MainWindow
from ui.notifier import tray_text


@pytest.fixture
def breaching(monkeypatch):
    """An alert rule that finds ticket 102 about to breach again at every pass (a new transition each time)."""
    passes = iter(range(1_000))

    def rule(conn, now, settings):
        yield Notice("sla.pre_breach", f"102:pre_breach:{next(passes)}", "Ticket #102 is about to breach",
                     "Due in 40 min · VAT invoice question", pane="tickets", record="102")

    monkeypatch.setattr(alerts, "rules", lambda: (rule,))


@pytest.fixture
def window(qtbot, context, breaching):
    dataset.fill(context.cache.engine, utcnow())
    with context.cache.engine.begin() as conn:  # synced once: the first pass records history quietly
        conn.execute(SyncState.__table__.insert().values(resource="ops:tickets", last_success_at=utcnow()))
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def _pass(qtbot, win) -> list:
    """One alert pass, as after a sync or on the minute; what it announced."""
    announced: list = []
    win.notifier.announced.connect(announced.extend)
    win.notifier.run()
    settle(qtbot, win.context.runner)
    win.notifier.announced.disconnect(announced.extend)
    return announced


def test_without_a_tray_the_bell_lists_news_and_opens_the_record(qtbot, window):
    assert window.notifier.tray is None  # offscreen: no system tray
    assert _pass(qtbot, window) == [] and window.bell.unread == 0  # history, recorded quietly
    news = _pass(qtbot, window)
    assert [n.title for n in news] == ["Ticket #102 is about to breach"]
    assert window.bell.unread == 1 and window.bell.text() == "1 new"

    window.bell.show_panel()
    panel = window.bell.panel
    assert panel.isVisible() and panel.list.count() == 2
    newest = panel.list.item(0)
    assert newest.text().startswith("Ticket #102 is about to breach\nDue in 40 min")
    assert newest.font().bold() and not panel.list.item(1).font().bold()  # the quiet one was recorded read

    panel.list.setCurrentRow(0)
    panel.open_button.click()
    settle(qtbot, window.context.runner)
    tickets = window.pane("tickets")
    assert window.tabs.currentWidget() is tickets and not panel.isVisible()
    qtbot.waitUntil(lambda: tickets.table.current_key() == 102, timeout=10_000)  # the text key, as a ticket number
    assert window.bell.unread == 0
    settle(qtbot, window.context.runner)


def test_a_muted_kind_is_kept_but_not_announced(qtbot, window):
    import dataclasses

    settings = window.context.loaded_settings
    muted = dataclasses.replace(settings.settings.notifications, muted=("sla.pre_breach",))
    window.context.loaded_settings = dataclasses.replace(
        settings, settings=dataclasses.replace(settings.settings, notifications=muted))
    _pass(qtbot, window)
    assert _pass(qtbot, window) == [] and window.bell.unread == 0
    window.bell.show_panel()
    assert window.bell.panel.list.count() == 2
    window.bell.panel.hide()


def test_mark_all_read(qtbot, window):
    _pass(qtbot, window)
    _pass(qtbot, window)
    _pass(qtbot, window)
    assert window.bell.unread == 2
    window.bell.panel.mark_button.click()
    settle(qtbot, window.context.runner)
    assert window.bell.unread == 0 and not window.bell.panel.mark_button.isEnabled()


def test_with_a_tray_news_becomes_a_desktop_message(qtbot, context, breaching, monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, title, body, *rest: shown.append((title, body)))
    with context.cache.engine.begin() as conn:
        conn.execute(SyncState.__table__.insert().values(resource="ops:tickets", last_success_at=utcnow()))
    win = MainWindow(context)
    qtbot.addWidget(win)
    assert win.notifier.tray is not None
    _pass(qtbot, win)
    _pass(qtbot, win)
    assert shown == [("Ticket #102 is about to breach", "Due in 40 min · VAT invoice question")]
    win.close()


def test_several_notices_share_one_message():
    notices = [Notice("health.state", f"s{i}:down", f"Service {i} is down", occurred_at=dt.datetime(2026, 1, 1))
               for i in range(5)]
    assert tray_text(notices) == ("5 new notifications",
                                  "Service 0 is down\nService 1 is down\nService 2 is down\n… and 2 more")
