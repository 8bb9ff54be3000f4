"""The Overview tab: each role's tiles (and no other's), values equal to ``opsconsole metrics kpis``,
click-through to the pane behind a tile with its filter, and recomputing when a table it reads changes."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import update

from app.config.settings import Settings
from app.metrics import MetricsRequest, figure_set, to_jsonable
from app.roles import ROLES
from app.store.changes import Changes
from app.store.schema import UsageDaily
from tests.support import dataset, usage
from tests.ui.helpers import settle, show
from ui.main_window import MainWindow
from ui.panes import overview as overview_pane
from ui.panes import overview_tiles
from ui.panes.overview import OverviewPane
from ui.panes.overview_sections import ServiceGrid

NOW = dt.datetime(2026, 11, 18, 14, 30)  # the usage days of tests/support/usage.py are this month's
EXPECTED_TILES = {
    "executive": {"active_customers", "trial_users", "mrr", "churn_rate", "open_tickets", "nps", "user_growth",
                  "free_to_paid", "dau", "retention_30d", "uptime", "resolution_time", "csat", "gross_margin"},
    "product": {"dau", "mau", "retention_30d", "avg_session", "user_growth", "free_to_paid", "feature_adoption",
                "nps"},
    "operations": {"uptime", "response_time", "open_incidents", "cost_month", "gross_margin"},
    "finance": {"mrr", "churn_rate", "active_customers", "trial_users", "cost_month", "gross_margin"},
    "support": {"open_tickets", "sla_attainment", "resolution_time", "csat", "licenses_over_cap"},
}


@pytest.fixture
def at_now(monkeypatch):
    """The pane computes as of ``NOW``, the moment the hand-worked business is dated."""
    monkeypatch.setattr(overview_pane, "utcnow", lambda: NOW)


@pytest.fixture
def business(cache):
    dataset.fill(cache.engine, NOW)
    usage.fill(cache.engine)
    return cache


def _pane(qtbot, runner, cache, role: str) -> OverviewPane:
    pane = OverviewPane(cache, runner, Settings())
    pane.set_role(role)
    show(qtbot, runner, pane)
    qtbot.waitUntil(lambda: pane.data is not None, timeout=20_000)
    settle(qtbot, runner)
    return pane


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_tiles_and_no_others(qtbot, runner, business, at_now, role):
    pane = _pane(qtbot, runner, business, role)
    assert set(pane.tiles) == EXPECTED_TILES[role]
    sources = {r.source for r in pane.data.scorecard.readings}
    assert sources <= {"executive": {"revenue", "health", "support", "costs", "licenses", "usage"},
                       "product": {"usage"}, "operations": {"health", "costs"}, "finance": {"revenue", "costs"},
                       "support": {"support", "licenses"}}[role]
    assert all(t.value.text() not in ("…", "") for t in pane.tiles.values())
    assert (pane.services is not None) == (role in ("executive", "operations"))
    assert (pane.features is not None) == (role == "product")


def test_tiles_show_the_kpis_figure_set(qtbot, runner, business, at_now):
    """The CLI-vs-screen rule: every tile's text is the ``kpis`` figure set's value, formatted."""
    pane = _pane(qtbot, runner, business, "executive")
    with business.engine.connect() as conn:
        card = figure_set("kpis")(conn, Settings(), MetricsRequest(now=NOW))
    printed = {r["key"]: r["value"] for r in to_jsonable(card)["readings"]}
    for key, tile in pane.tiles.items():
        reading = card.reading(key)
        assert printed[key] == reading.value
        assert tile.value.text() == overview_tiles.value_text(reading), key
        assert tile.note.text() == overview_tiles.short_target(reading)
    assert pane.tiles["dau"].value.text() == "1,100"  # tests/support/usage.py: (900 + 1,100 + 1,300) / 3
    assert pane.tiles["dau"].note.text() == "target ≥ 1,000"
    assert "Target: ≥ 1,000 (amber ≥ 500, red below)" in pane.tiles["dau"].toolTip()


def test_product_shows_features_with_their_rollout_and_the_funnel(qtbot, runner, business, at_now):
    pane = _pane(qtbot, runner, business, "product")
    rows = [[pane.features.item(r, c).text() for c in range(5)] for r in range(pane.features.rowCount())]
    assert rows[0] == ["Audit log", "Its plans only", "200", "150", "75 %"]
    assert rows[2][:2] == ["Single sign-on", "25 % of premium"]
    funnel = [[pane.funnel.item(r, c).text() for c in range(3)] for r in range(pane.funnel.rowCount())]
    assert funnel == [["Signed up", "200", "100.0 %"], ["Started a trial", "40", "20.0 %"],
                      ["Became paying", "20", "10.0 %"]]


def test_a_change_to_a_table_it_reads_recomputes(qtbot, runner, business, at_now):
    pane = _pane(qtbot, runner, business, "product")
    with business.engine.begin() as conn:
        newest = UsageDaily.day == dt.date(2026, 11, 17)
        conn.execute(update(UsageDaily).where(newest).values(monthly_active_users=4000))
    runner.bus.publish(Changes.of("usage_daily"))
    qtbot.waitUntil(lambda: pane.tiles["mau"].value.text() == "4,000", timeout=20_000)
    settle(qtbot, runner)


def _window(qtbot, context, role: str) -> MainWindow:
    from app.store.app_state import ME_KEY, put_app_value

    dataset.fill(context.cache.engine, NOW)
    usage.fill(context.cache.engine)
    with context.cache.engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"role": role, "user": {"name": "Sam"}})
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.current_pane() is not None)  # the first tab's pane is made once the window paints
    return win


def test_click_through_opens_the_pane_behind_a_tile_with_its_filter(qtbot, context, at_now):
    win = _window(qtbot, context, "executive")
    win.tabs.setCurrentIndex(0)
    overview = win.pane("overview")
    assert win.current_pane() is overview  # the first tab
    qtbot.waitUntil(lambda: overview.data is not None, timeout=30_000)
    qtbot.mouseClick(overview.tiles["churn_rate"], Qt.MouseButton.LeftButton)
    customers = win.pane("customers")
    assert win.current_pane() is customers
    assert customers.views.currentIndex() == 3  # the customers list
    assert customers.table.filter.currentText() == "Churned"
    win.tabs.setCurrentIndex(0)
    qtbot.mouseClick(overview.tiles["open_tickets"], Qt.MouseButton.LeftButton)
    tickets = win.pane("tickets")
    assert win.current_pane() is tickets and tickets.table.filter.currentText() == "Open"
    win.tabs.setCurrentIndex(0)
    service = overview.services.items[0]
    qtbot.mouseClick(service, Qt.MouseButton.LeftButton)
    health = win.pane("health")
    assert win.current_pane() is health
    qtbot.waitUntil(lambda: health.services.selected_key() == service.service_id, timeout=20_000)
    qtbot.waitUntil(lambda: context.runner.active_count == 0, timeout=30_000)
    win.close()


def test_a_tab_the_role_may_not_see_is_not_opened(qtbot, context, at_now):
    win = _window(qtbot, context, "product")
    assert not win.show_filtered("tickets", "open")
    assert win.current_pane() is win.pane("overview")
    assert "not available to your role" in win.status.currentMessage()
    win.status.clearMessage()  # its 5 s timer
    # The other tabs' panes are made one per event-loop turn after the first paint: let them all arrive.
    qtbot.waitUntil(lambda: len(win.made_panes()) == win.tabs.count() and context.runner.active_count == 0,
                    timeout=30_000)
    win.close()


def test_an_empty_cache_shows_dashes_not_zeros(qtbot, runner, cache, at_now):
    pane = _pane(qtbot, runner, cache, "product")
    assert {t.value.text() for t in pane.tiles.values()} == {"—"}
    assert pane.features.rowCount() == 0
    assert "Product usage: never" in pane.footer.text()


def test_before_the_first_sync_nothing_is_green_and_the_services_say_why_they_are_empty(qtbot, runner, cache, at_now):
    pane = _pane(qtbot, runner, cache, "executive")
    assert pane.tiles["open_tickets"].value.text() == "0"
    assert pane.data.scorecard.reading("open_tickets").band == "unknown"
    assert pane.data.scorecard.reading("open_incidents").band == "unknown"
    assert [w.text() for w in pane.services.items] == [ServiceGrid.EMPTY]
