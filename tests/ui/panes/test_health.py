"""The Health tab: services with state and error budget, incidents with filters and updates."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.helpers import settle, show
from ui.panes.health import HealthPane
from ui.widgets.palette import RED


def choose(pane, qtbot, runner, label: str) -> None:
    pane.table.filter.setCurrentIndex(pane.table.filter.findText(label))
    settle(qtbot, runner)


def test_builds_on_an_empty_cache(qtbot, runner, cache, settings):
    pane = show(qtbot, runner, HealthPane(cache, runner, settings))
    assert pane.services.rowCount() == 0
    assert "No services in the cache yet" in pane.services_status.text()
    assert pane.split.isVisible()
    assert pane.incidents.empty_state.isVisible()
    assert "File ▸ Sync now" in pane.incidents.empty_state.text()
    assert "Not synced yet" in pane.staleness.text()


def test_services_problems_first_with_colours_and_budget(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    names = [pane.services.item(r, 0).text() for r in range(pane.services.rowCount())]
    assert names == ["CDN", "Backups", "API Server"]  # Down, Degraded, Up
    state = pane.services.item(0, 1)
    assert state.text() == "Down"
    assert state.foreground().color() == RED
    assert "HTTP 503" in state.toolTip()
    assert pane.services.item(0, 4).text() == "95.83 %"
    assert "allows" in pane.services.item(0, 6).toolTip()
    assert pane.services.item(2, 2).text() == "50 ms"


def test_incident_filters_and_updates(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    model = pane.model
    assert model.rowCount() == 1  # "Open" is the first filter
    assert model.row_values(0)["service"] == "CDN"
    choose(pane, qtbot, runner, "All")
    assert model.rowCount() == 2
    choose(pane, qtbot, runner, "P0–P1")
    assert [model.key_at(r) for r in range(model.rowCount())] == ["INC-1"]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole).color() == RED
    pane.table.view.selectRow(0)
    settle(qtbot, runner)
    assert pane.detail.title.text() == "INC-1 · CDN returning 503 in eu-west"
    assert [u["id"] for u in pane.detail.current.updates] == ["INC-1-2", "INC-1-1"]


def test_refresh_and_save_state(qtbot, runner, filled, settings):
    from ui import settings_keys

    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    pane.refresh()
    settle(qtbot, runner)
    assert pane.services.rowCount() == 3
    pane.save_state()
    stored = settings_keys.qsettings()
    assert stored.contains("panes/health/splitter")
    assert stored.contains("panes/health/incidents/table/header")
