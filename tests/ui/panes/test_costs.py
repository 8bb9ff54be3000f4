"""The Costs pane, offscreen: empty state, the month summary's numbers and colours, selection, lazy chart."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt

from app.config.settings import Settings
from tests.support.repo import ROOT
from tests.ui.helpers import wait_idle
from ui import settings_keys
from ui.panes.cost_summary import LEVEL_TINTS
from ui.panes.costs import CostsPane

NOV1 = dt.date(2026, 11, 1)


@pytest.fixture
def make_pane(qtbot, cache, runner):
    def make() -> CostsPane:
        pane = CostsPane(cache, runner, Settings())
        qtbot.addWidget(pane)
        return pane

    return make


@pytest.fixture
def show_pane(qtbot, runner, make_pane):
    def show() -> CostsPane:
        pane = make_pane()
        pane.resize(1200, 800)
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


def test_the_summary_shows_the_month_with_warning_and_critical_rows(show_pane, add_costs):
    add_costs("firebase", NOV1, 32, days=20)  # 640 of 800: warning
    add_costs("anthropic", dt.date(2026, 11, 20), 475)  # 475 of 500: critical
    add_costs("stripe", NOV1, 1, days=20)  # no budget
    pane = show_pane()

    assert pane.stack.currentIndex() == 1 and pane.summary.isVisible()
    assert pane.month.currentText() == "November 2026"
    assert "Figures up to 20 Nov 2026" in pane.caption.text() and "budgets from Settings" in pane.caption.text()
    assert cells(pane, 0) == ["firebase", "$640.00", "$800.00", "80.00 %", "$960.00", "120.00 %"]
    assert cells(pane, 1) == ["anthropic", "$475.00", "$500.00", "95.00 %", "$1,153.57", "230.71 %"]
    assert cells(pane, 2) == ["stripe", "$20.00", "—", "—", "$30.00", "—"]
    assert cells(pane, 3) == ["Total", "$1,135.00", "$2,000.00", "56.75 %", "$2,143.57", "107.18 %"]
    assert pane.summary.item(0, 1).background().color() == LEVEL_TINTS["warning"]
    assert pane.summary.item(0, 4).background().color() == LEVEL_TINTS["critical"]
    assert pane.summary.item(1, 0).background().color() == LEVEL_TINTS["critical"]
    assert pane.summary.item(2, 1).background().style() == Qt.BrushStyle.NoBrush
    assert pane.summary.item(0, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert "last 7 days" in pane.summary.horizontalHeaderItem(4).toolTip()
    assert pane.summary.width() >= pane.summary.horizontalHeader().length()  # no column cut off


def test_selecting_a_service_filters_the_records_and_draws_its_budget(qtbot, runner, show_pane, add_costs):
    add_costs("firebase", NOV1, 32, days=20)
    add_costs("stripe", NOV1, 1, days=5)
    pane = show_pane()
    assert pane.records.model.rowCount() == 25

    select(qtbot, runner, pane, 0)
    assert pane.selected == "firebase" and pane.records.model.rowCount() == 20
    names = [item.name() for item in pane.chart.getPlotItem().listDataItems()]
    assert "firebase daily budget" in names
    assert pane.scenarios.rowCount() == 3 and pane.scenarios.item(0, 1).text() == "$1,056.00 (132.00 %)"

    pane.refresh()  # after a sync: the selection and the filter stay
    wait_idle(qtbot, runner)
    assert pane.selected == "firebase" and pane.records.model.rowCount() == 20

    assert cells(pane, 2)[:3] == ["anthropic", "$0.00", "$500.00"]  # budgeted, nothing spent yet
    select(qtbot, runner, pane, 3)  # Total: every record again
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
    assert cells(pane, 0)[:2] == ["firebase", "$310.00"] and "month complete" in pane.caption.text()


def test_refresh_after_new_costs_leaves_the_empty_state(qtbot, runner, show_pane, add_costs):
    pane = show_pane()
    assert pane.stack.currentWidget() is pane.empty
    add_costs("cdn", NOV1, 3, source="simple_csv")
    pane.refresh()
    wait_idle(qtbot, runner)
    assert pane.stack.currentIndex() == 1 and cells(pane, 0)[:2] == ["cdn", "$3.00"]


def test_splitter_and_header_state_are_saved(show_pane):
    pane = show_pane()
    pane.save_state()
    keys = settings_keys.qsettings().allKeys()
    assert {"costs/top/splitter", "costs/main/splitter", "costs/records/header"} <= set(keys)


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


def test_the_chart_draws_the_biggest_services_and_sums_the_rest(qtbot, runner, show_pane, add_costs):
    for n in range(10):
        add_costs(f"svc{n}", NOV1, n + 1, days=3)
    pane = show_pane()
    names = [item.name() for item in pane.chart.getPlotItem().listDataItems() if item.name()]
    assert len(names) == 8 and "other" in names and "svc9" in names and "svc0" not in names

    select(qtbot, runner, pane, pane.summary.rowCount() - 1)  # Total
    names = [item.name() for item in pane.chart.getPlotItem().listDataItems() if item.name()]
    assert names == ["total", "total daily budget"]
