"""The Costs pane, offscreen: empty state, the month's numbers and colours, selection, tabs, 40 services, lazy chart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt

from app.config.settings import Settings
from app.domain.costs.figures import month_data
from tests.support.repo import ROOT
from tests.ui.helpers import wait_idle
from ui import settings_keys
from ui.panes.cost_chart import CUMULATIVE, DAILY, MONTHLY
from ui.panes.cost_summary import LEVEL_TINTS
from ui.panes.costs import CostsPane

NOV1 = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 11, 21, 9)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    """The pane asks for "this month": make it November 2026 whatever the day the tests run."""
    monkeypatch.setattr("app.domain.costs.figures.utcnow", lambda: NOW)


@pytest.fixture
def make_pane(qtbot, cache, runner):
    def make() -> CostsPane:
        pane = CostsPane(cache, runner, Settings())
        qtbot.addWidget(pane)
        return pane

    return make


@pytest.fixture
def show_pane(qtbot, runner, make_pane):
    def show(width: int = 1280, height: int = 720) -> CostsPane:
        pane = make_pane()
        pane.resize(width, height)
        pane.show()
        wait_idle(qtbot, runner)
        return pane

    return show


def cells(pane: CostsPane, row: int) -> list[str]:
    return [pane.summary.item(row, c).text() for c in range(pane.summary.columnCount())]


def select(qtbot, runner, pane: CostsPane, row: int) -> None:
    pane.summary.selectRow(row)
    wait_idle(qtbot, runner)


def test_constructing_the_pane_builds_and_queries_nothing(make_pane, runner):
    pane = make_pane()
    assert not pane.built and runner.active_count == 0
    assert (pane.pane_id, pane.title) == ("costs", "Costs")


def test_an_empty_cache_tells_how_to_get_costs(show_pane):
    pane = show_pane()
    assert pane.stack.currentWidget() is pane.empty and pane.empty.isVisible()
    assert "File ▸ Import costs…" in pane.empty.text() and "File ▸ Sync now" in pane.empty.text()


def test_the_summary_shows_the_month_with_warning_and_critical_rows(show_pane, add_costs, engine):
    add_costs("firebase", NOV1, 32, days=20)  # 640 of 800: warning
    add_costs("anthropic", dt.date(2026, 11, 20), 475)  # 475 of 500: critical
    add_costs("stripe", NOV1, 1, days=20)  # no budget
    pane = show_pane()

    assert pane.stack.currentIndex() == 1 and pane.summary.isVisible()
    assert pane.month.currentText() == "November 2026"
    assert "Figures up to 20 Nov 2026" in pane.caption.text() and "budgets from Settings" in pane.caption.text()
    assert cells(pane, 0) == ["firebase", "$640.00", "$800.00", "80.00 %", "$960.00", "$960", "120.00 %",
                              "25 Nov", "20 Nov"]  # $640 + $32 a day reaches $800 on the 25th
    assert cells(pane, 1)[:7] == ["anthropic", "$475.00", "$500.00", "95.00 %", "$5,225.00", "$5,225",
                                  "1045.00 %"]
    assert cells(pane, 1)[7] == "21 Nov"  # $475 spent, $475 a day: the $500 go on the 21st
    assert cells(pane, 2) == ["stripe", "$20.00", "—", "—", "$30.00", "$30", "—", "—", "20 Nov"]
    assert cells(pane, 3)[:5] == ["Total", "$1,135.00", "$2,000.00", "56.75 %", "$6,215.00"]
    assert pane.summary.item(0, 1).background().color() == LEVEL_TINTS["warning"]
    assert pane.summary.item(0, 4).background().color() == LEVEL_TINTS["critical"]
    assert pane.summary.item(1, 1).background().color() == LEVEL_TINTS["critical"]
    assert pane.summary.item(2, 1).background().style() == Qt.BrushStyle.NoBrush
    assert pane.summary.item(0, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert "last 7 days" in pane.summary.horizontalHeaderItem(4).toolTip()
    # the screen shows what ``opsconsole metrics costs`` prints: one function behind both
    with engine.connect() as conn:
        figures = month_data(conn, Settings(), None, NOW).figures
    assert pane.overview is not None and pane.overview.figures == figures
    assert pane.kpis.tiles["Spend this month"].value.text() == "$1,135.00"
    assert pane.kpis.tiles["Forecast"].value.text() == "$6,215.00"


def test_selecting_a_service_follows_it_in_the_chart_and_filters_the_charges(qtbot, runner, show_pane, add_costs):
    add_costs("firebase", NOV1, 32, days=20)
    add_costs("stripe", NOV1, 1, days=5)
    pane = show_pane()
    assert pane.records.model.rowCount() == 25

    select(qtbot, runner, pane, 0)
    assert pane.selected == "firebase" and pane.records.model.rowCount() == 20
    assert pane.chart.current_view() == CUMULATIVE
    assert pane.chart.names() == ["80 % range", "Forecast", "Actual", "Budget"]
    assert "firebase" in pane.chart.note.text()

    pane.refresh()  # after a sync: the selection and the filter stay
    wait_idle(qtbot, runner)
    assert pane.selected == "firebase" and pane.records.model.rowCount() == 20

    select(qtbot, runner, pane, pane.summary.rowCount() - 1)  # Total: every charge again
    assert pane.selected == "total" and pane.records.model.rowCount() == 25


def test_choosing_another_month(qtbot, runner, show_pane, add_costs):
    add_costs("firebase", dt.date(2026, 10, 1), 10, days=31)
    add_costs("firebase", NOV1, 20, days=2)
    pane = show_pane()
    assert [pane.month.itemText(i) for i in range(pane.month.count())] == ["November 2026", "October 2026"]
    pane.month.setCurrentIndex(1)
    pane.month.activated.emit(1)
    wait_idle(qtbot, runner)
    assert pane.month.currentText() == "October 2026"
    assert cells(pane, 0)[:5] == ["firebase", "$310.00", "$800.00", "38.75 %", "$310.00"]


def test_refresh_after_new_costs_leaves_the_empty_state(qtbot, runner, show_pane, add_costs):
    pane = show_pane()
    assert pane.stack.currentWidget() is pane.empty
    add_costs("cdn", NOV1, 3, source="simple_csv")
    pane.refresh()
    wait_idle(qtbot, runner)
    assert pane.stack.currentIndex() == 1 and cells(pane, 0)[:2] == ["cdn", "$3.00"]


def test_forty_services_stay_inside_1280_by_720_and_distinguishable(qtbot, runner, show_pane, add_costs):
    for n in range(40):
        add_costs(f"svc{n:02d}", NOV1, n + 1, days=3)
    pane = show_pane()
    window = pane.window()
    assert window.minimumSizeHint().height() <= 720 and window.minimumSizeHint().width() <= 1280
    assert pane.height() == 720 and pane.summary.rowCount() == 43  # 40, the two budgeted ones, the total: it scrolls
    assert pane.summary.verticalScrollBar().maximum() > 0
    own, colors = pane.own_colors()
    assert own == [f"svc{n:02d}" for n in range(39, 32, -1)]  # the seven biggest keep a colour of their own
    assert len({colors[s].name() for s in own}) == 7 and colors["svc00"] == colors["other"]
    for view in (MONTHLY, DAILY):
        pane.chart.show_view(view)
        assert pane.chart.names()[:8] == [*own, "other"]


def test_below_a_720_high_window_the_pane_does_not_scroll(qtbot, runner, show_pane, add_costs):
    """The chart's date axis stays in sight: the month line's word wrap made the pane ask for its preferred height."""
    for n in range(14):
        add_costs(f"svc{n:02d}", NOV1, n + 1, days=3)
    pane = show_pane(1280, 700)
    pane.resize(1280, 630)  # the window made smaller: the layout works the heights out again
    wait_idle(qtbot, runner)
    assert pane.stack.currentWidget() is not pane.empty
    assert not pane.scroll_area.verticalScrollBar().isVisible()
    assert pane.chart.mapTo(pane, pane.chart.rect().bottomLeft()).y() < pane.scroll_area.viewport().height()
    pane.resize(1280, 400)  # below the content's minimum: it scrolls rather than squash the chart
    wait_idle(qtbot, runner)
    assert pane.scroll_area.verticalScrollBar().isVisible()


def test_anomalies_are_listed_and_can_be_marked_as_expected(qtbot, runner, show_pane, add_costs):
    for n in range(28):
        add_costs("cdn", dt.date(2026, 10, 20) + dt.timedelta(days=n), 100 + n % 3)
    add_costs("cdn", dt.date(2026, 11, 17), 400)
    pane = show_pane()
    assert pane.tabs.tabText(1) == "Anomalies (1)"
    assert [pane.anomaly_table.item(0, c).text() for c in (0, 1, 6)] == ["17 Nov 2026", "cdn", "Unexpected"]
    assert not pane.mark_button.isEnabled()
    pane.anomaly_table.selectRow(0)
    assert pane.mark_button.isEnabled() and not pane.unmark_button.isEnabled()
    pane.mark_button.click()
    wait_idle(qtbot, runner)  # the mark is a write: the change bus redraws the pane
    assert pane.anomaly_table.item(0, 6).text() == "Expected" and pane.tabs.tabText(1) == "Anomalies"
    assert "marked as expected" in pane.anomaly_actions.status.text()


def test_unit_economics_and_planning_tabs_are_filled(show_pane, add_costs):
    add_costs("firebase", NOV1, 10, days=10)
    pane = show_pane()
    assert pane.economics.rowCount() == 13 and pane.economics.item(0, 0).text() == "November 2026 (forecast)"
    assert pane.scenarios.rowCount() == 12 and pane.scenarios.item(0, 0).text().startswith("conservative (15%")
    last = pane.scenarios.columnCount() - 1
    assert pane.scenarios.horizontalHeaderItem(last).text() == "Nov 2027"
    assert pane.scenarios.item(1, last).textAlignment() & Qt.AlignmentFlag.AlignRight  # the MRR, a number
    assert not pane.scenarios.item(1, 1).textAlignment() & Qt.AlignmentFlag.AlignRight  # "MRR", a name
    assert pane.scaling.item(pane.scaling.rowCount() - 1, 0).text() == "Total"


def test_new_settings_redraw_with_their_planning_tables(qtbot, runner, show_pane, add_costs):
    add_costs("firebase", NOV1, 10, days=10)
    pane = show_pane()
    settings = Settings()
    one = dataclasses.replace(settings.planning, scenarios=settings.planning.scenarios[:1])
    pane.apply_settings(dataclasses.replace(settings, planning=one))
    pane.refresh()
    wait_idle(qtbot, runner)
    assert pane.scenarios.rowCount() == 4


def test_splitter_and_header_state_are_saved(show_pane):
    pane = show_pane()
    pane.save_state()
    keys = settings_keys.qsettings().allKeys()
    assert {"costs/budgets/splitter", "costs/charges/header"} <= set(keys)


def test_pyqtgraph_is_imported_when_the_pane_is_first_shown_not_before(tmp_path):
    # A fresh interpreter: other tests in this process may have imported pyqtgraph already.
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
        from app.config.settings import Settings
        from app.store.database import open_cache
        from ui.panes.costs import CostsPane
        from ui.workers import TaskRunner
        cache = open_cache(__import__("pathlib").Path(sys.argv[1]) / "cache.sqlite3")
        runner = TaskRunner()
        pane = CostsPane(cache, runner, Settings())
        before = "pyqtgraph" in sys.modules
        pane.show()
        after = "pyqtgraph" in sys.modules
        while runner.active_count:
            app.processEvents()
        runner.shutdown()
        print(before, after)
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OPSCONSOLE_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
