"""What every tab shares: the freshness line tells the real age of the data and whether the window is offline."""

from __future__ import annotations

import datetime as dt

from app.clock import utcnow
from app.store.schema import SyncState
from tests.ui.helpers import settle, show
from ui.panes.tickets import TicketsPane

HOUR = dt.timedelta(hours=1)


def test_the_freshness_line_ages_and_says_offline(qtbot, runner, cache, settings):
    synced = utcnow() - 2 * HOUR
    with cache.engine.begin() as conn:
        conn.execute(SyncState.__table__.insert(), [
            {"resource": "ops:tickets", "last_success_at": synced, "last_error": None},
            {"resource": "ops:sla-policies", "last_success_at": synced, "last_error": None},
            {"resource": "ops:ticket_events", "last_success_at": synced,
             "last_error": "offline: HTTPConnectionPool(host='ops.example.com', port=443): Max retries exceeded"},
        ])
    pane = show(qtbot, runner, TicketsPane(cache, runner, settings))
    line = pane.staleness
    assert line.text().startswith("Synced 2 h ago · last sync: The Ops API could not be reached")
    assert "HTTPConnectionPool" not in line.text() + line.toolTip()
    pane.set_offline(True)
    assert line.text().startswith("Cached 2 h ago — offline")
    pane.render_staleness(utcnow() + 3 * HOUR)  # the window re-renders it every minute: no "just now" for ever
    assert line.text().startswith("Cached 5 h ago — offline")
    pane.set_offline(False)
    assert line.text().startswith("Synced 2 h ago")
    settle(qtbot, runner)


def test_a_pane_scrolls_rather_than_grow_the_window(qtbot, runner, cache, settings):
    pane = show(qtbot, runner, TicketsPane(cache, runner, settings))
    needs = pane.scroll_area.widget().minimumSizeHint()
    assert pane.minimumSizeHint().height() < needs.height() and pane.minimumSizeHint().width() < needs.width()
    pane.resize(needs.width() // 2, needs.height() // 2)
    settle(qtbot, runner)
    assert pane.width() < needs.width() and pane.height() < needs.height()  # the pane took a smaller size…
    assert pane.scroll_area.verticalScrollBar().maximum() > 0  # …and what does not fit scrolls
    assert pane.scroll_area.horizontalScrollBar().maximum() > 0
