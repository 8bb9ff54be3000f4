"""The Health tab: every service on screen with state, budget and burn rate apart; drafts; incident actions."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.clock import utcnow
from app.domain.availability import incidents as domain
from app.store.schema import Incident, OutboxEntry
from tests.support import dataset
from tests.ui.helpers import settle, show
from ui.dialogs import incident_forms
from ui.panes import health_services as hs
from ui.panes.health import HealthPane
from ui.widgets.palette import RED


def choose(pane, qtbot, runner, label: str) -> None:
    pane.table.filter.setCurrentIndex(pane.table.filter.findText(label))
    settle(qtbot, runner)


def column(title: str) -> int:
    return [c[0] for c in hs.COLUMNS].index(title)


def test_builds_on_an_empty_cache(qtbot, runner, cache, settings):
    pane = show(qtbot, runner, HealthPane(cache, runner, settings))
    assert pane.services.rowCount() == 0
    assert "No services in the cache yet" in pane.summary.text()
    assert not pane.draft_bar.isVisible()
    assert pane.incidents.empty_state.isVisible()
    assert "Not synced yet" in pane.staleness.text()


@pytest.fixture
def filled_at_noon(cache, monkeypatch):
    """The hand-worked business dated at the last noon (UTC) past, the pane's clock stopped there.

    CDN's hour down ends at "now": near midnight it straddles two calendar
    days and neither holds the hour an outage needs, so the day bar's last
    day depends on when the test runs unless "now" is a fixed time of day.
    """
    noon = (utcnow() - dt.timedelta(hours=12)).replace(hour=12, minute=0, second=0, microsecond=0)
    for reader in ("app.views.services.utcnow", "ui.panes.health.utcnow"):
        monkeypatch.setattr(reader, lambda: noon)
    dataset.fill(cache.engine, noon)
    return cache


def test_services_problems_first_with_separate_state_and_budget_columns(qtbot, runner, filled_at_noon, settings):
    pane = show(qtbot, runner, HealthPane(filled_at_noon, runner, settings))
    names = [pane.services.item(r, 0).text() for r in range(pane.services.rowCount())]
    assert names == ["Auth", "CDN", "Backups", "API Server"]  # Down, Down, Degraded, Up
    cdn = names.index("CDN")
    state = pane.services.item(cdn, column("State"))
    assert (state.text(), state.foreground().color()) == ("Down", RED)
    assert "HTTP 503" in state.toolTip()
    assert pane.services.item(cdn, column("24 h")).text() == "95.68 %"
    assert pane.services.item(cdn, column("Budget")).text() == "Healthy"
    assert "allows" in pane.services.item(cdn, column("Budget left")).toolTip()
    assert pane.services.item(names.index("Auth"), column("Burn rate")).text() == "Page"
    days = pane.services.item(cdn, hs.BAR_COLUMN).data(hs.DAYS_ROLE)
    assert len(days) == 90 and days[-1].level == "Outage"
    assert "2 down" in pane.summary.text() and "1 open incident" in pane.summary.text()


def test_every_service_fits_without_scrolling(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    pane.resize(1260, 640)
    settle(qtbot, runner)
    assert not pane.services.verticalScrollBar().isVisible()
    assert not pane.services.horizontalScrollBar().isVisible()
    last = pane.services.rowCount() - 1
    assert pane.services.visualRect(pane.services.model().index(last, 0)).bottom() < pane.services.height()


def test_draft_incident_is_proposed_and_opens_through_the_form(qtbot, runner, filled, settings, monkeypatch):
    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    assert pane.draft_bar.isVisible() and "Auth" in pane.draft_label.text() and "P1" in pane.draft_label.text()
    seen = []

    def fake_open(services, health, now, draft=None, parent=None):
        seen.append(draft)
        return domain.NewIncident(draft.title, draft.severity, (draft.service_id,), draft.impact, draft.message,
                                  draft.since)

    monkeypatch.setattr(incident_forms, "ask_open", fake_open)
    pane.open_draft()
    settle(qtbot, runner)
    assert seen[0].service_id == "auth"
    assert not pane.draft_bar.isVisible()  # the open incident covers it now
    with filled.engine.connect() as conn:
        opened = conn.execute(select(Incident.title, Incident.pending).where(Incident.service_id == "auth")).one()
        kinds = conn.execute(select(OutboxEntry.kind)).scalars().all()
    assert opened == ("Auth is down", True) and kinds == ["incident_open", "incident_update"]


def test_incident_actions_follow_the_selection(qtbot, runner, filled, settings, monkeypatch):
    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    assert pane.model.rowCount() == 1  # "Open" is the first filter
    pane.table.view.selectRow(0)
    settle(qtbot, runner)
    assert pane.detail.title.text() == "INC-1 · CDN returning 503 in eu-west"
    assert pane.buttons["acknowledge"].isEnabled() and not pane.buttons["postmortem"].isEnabled()
    monkeypatch.setattr(incident_forms, "ask_update", lambda detail, resolve=False, parent=None: (
        "resolved", "Rolled back the edge config."))
    pane.act("acknowledge")
    settle(qtbot, runner)
    assert "waiting to send" in pane.action_bar.status.text()
    assert not pane.buttons["acknowledge"].isEnabled()
    pane.act("resolve")
    settle(qtbot, runner)
    assert pane.model.rowCount() == 0  # resolved: no longer among the open ones
    choose(pane, qtbot, runner, "All")
    with filled.engine.connect() as conn:
        row = conn.execute(select(Incident.status, Incident.acknowledged_at).where(Incident.id == "INC-1")).one()
    assert row.status == "resolved" and row.acknowledged_at is not None
    assert pane.model.data(pane.model.index(0, 0), Qt.ItemDataRole.ForegroundRole).color() == RED


def test_read_only_role_cannot_act(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    pane.set_read_only(True)
    assert not pane.buttons["open"].isEnabled() and not pane.draft_open.isEnabled()


def test_charts_tab_draws_the_selected_service(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, HealthPane(filled, runner, settings))
    pane.services.selectRow(1)
    pane.below.setCurrentWidget(pane.chart_tab)
    settle(qtbot, runner)
    assert pane.charts is not None
    assert "CDN" in pane.chart_title.text() and "passing checks" in pane.chart_title.text()
    pane.save_state()
