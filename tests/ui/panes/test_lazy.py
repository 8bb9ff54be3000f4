"""Tabs hold placeholders until the window is painted; panes are made in their tab's place with the window's state."""

from __future__ import annotations

import pytest

from app.store.app_state import ME_KEY, put_app_value
from tests.ui.helpers import settle
from ui.main_window import MainWindow
from ui.panes.lazy import PanePlaceholder, PaneSpec

TITLES = ["Overview", "Health", "Customers", "Tickets", "Licenses", "Costs"]
LICENSES = TITLES.index("Licenses")


def test_no_pane_is_made_before_the_window_paints_then_every_one_is(qtbot, context):
    win = MainWindow(context)
    qtbot.addWidget(win)
    assert win.made_panes() == []  # the tabs, menus and status bar need no pane
    assert [win.tabs.tabText(i) for i in range(win.tabs.count())] == TITLES
    assert all(isinstance(win.tabs.widget(i), PanePlaceholder) for i in range(win.tabs.count()))
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: len(win.made_panes()) == len(TITLES))
    panes = win.made_panes()
    assert [win.tabs.widget(i) for i in range(win.tabs.count())] == panes
    assert [p.title for p in panes] == TITLES
    assert win.current_pane() is panes[0] and panes[0].built  # the tab in view is filled
    assert not any(p.built for p in panes[1:])  # the others build when first shown
    settle(qtbot, context.runner)
    win.close()


def test_a_pane_asked_for_takes_its_tabs_place_hidden_or_read_only_as_the_role_says(qtbot, context):
    with context.cache.engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"role": "executive", "user": {"name": "Sam"}})  # sees every tab, reads only
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.tabs.setTabVisible(LICENSES, False)
    licenses = win.pane("licenses")  # made now, the window not even shown
    assert win.tabs.widget(LICENSES) is licenses and win.tabs.tabText(LICENSES) == "Licenses"
    assert not win.tabs.isTabVisible(LICENSES)  # the tab's state is kept
    assert licenses.read_only
    assert win.pane("licenses") is licenses  # made once
    assert win.made_panes() == [licenses]
    settle(qtbot, context.runner)
    win.close()


def test_a_spec_must_make_the_pane_it_names(qtbot, context):
    spec = PaneSpec("health", "Health", lambda ctx: _tickets_pane(ctx))
    win = MainWindow(context, panes=[spec])
    qtbot.addWidget(win)
    with pytest.raises(ValueError, match="made 'tickets'"):
        win.pane("health")
    settle(qtbot, context.runner)
    win.close()


def _tickets_pane(ctx):
    from ui.panes.tickets import TicketsPane

    return TicketsPane(ctx.cache, ctx.runner, ctx.settings)
