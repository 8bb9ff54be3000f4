"""The Customers tab, a revenue screen: figures (the same as the CLI's), drill-downs, lists, the customers table."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from app import cli
from app.clock import utcnow
from app.store.changes import Changes
from tests.support.dataset import EXPECTED_MRR
from tests.support.revenue import Ledger
from tests.ui.helpers import settle, show
from ui import formatting as fmt
from ui.panes import customers_tiles as tiles
from ui.panes.customers import CUSTOMERS_TAB, MOVEMENTS_TAB, RISK_TAB, CustomersPane
from ui.widgets.palette import GREEN, RED


def choose(pane, qtbot, runner, label: str) -> list[str]:
    pane.table.filter.setCurrentIndex(pane.table.filter.findText(label))
    settle(qtbot, runner)
    return [pane.model.key_at(r) for r in range(pane.model.rowCount())]


def tile(pane, label: str) -> str:
    return pane.kpis.tiles[label].value.text()


def chart_notes(pane) -> list[str]:
    """The words written over the movements chart (pyqtgraph text items)."""
    import pyqtgraph as pg  # loaded with the chart

    return [item.toPlainText() for item in pane.chart.getPlotItem().items if isinstance(item, pg.TextItem)]


def test_builds_on_an_empty_cache(qtbot, runner, cache, settings):
    pane = show(qtbot, runner, CustomersPane(cache, runner, settings))
    assert tile(pane, tiles.MRR) == "$0.00"
    assert tile(pane, tiles.CHURN) == "—" and tile(pane, tiles.LTV) == "—"
    assert pane.risk_list.empty.text() == "No customer is at risk" and pane.risk_list.table.rowCount() == 0
    assert chart_notes(pane) == ["No MRR movements in these months"]
    pane.views.setCurrentIndex(CUSTOMERS_TAB)
    settle(qtbot, runner)
    assert "No customers in the cache yet" in pane.split.empty_state.text()


def test_rows_show_mrr_in_the_customers_currency_and_statuses_in_words(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    pane.views.setCurrentIndex(CUSTOMERS_TAB)
    settle(qtbot, runner)
    model = pane.model
    assert pane.table.count_label.text() == "6 customers"
    rows = {model.key_at(r): model.row_values(r) for r in range(model.rowCount())}
    assert {k: v["mrr"] for k, v in rows.items()} == pytest.approx(EXPECTED_MRR)
    assert rows["cus_acme"]["plan"] == "Professional annual" and rows["cus_acme"]["currency"] == "USD"
    dune = list(rows).index("cus_dune")
    assert model.data(model.index(dune, model.spec.index_of("mrr"))) == "$99.00"
    assert model.data(model.index(dune, model.spec.index_of("status"))) == "Past due"
    assert model.data(model.index(dune, model.spec.index_of("status")), Qt.ItemDataRole.ForegroundRole).color() == RED


@pytest.mark.parametrize(("column", "first"), [("mrr", "cus_fern"), ("plan", "cus_fern"), ("status", "cus_cyan"),
                                               ("currency", "cus_acme"), ("created", "cus_cyan")])
def test_every_column_sorts(qtbot, runner, filled, settings, column, first):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    pane.views.setCurrentIndex(CUSTOMERS_TAB)
    order = Qt.SortOrder.DescendingOrder if column in ("mrr", "created", "status") else Qt.SortOrder.AscendingOrder
    pane.table.view.sortByColumn(pane.model.spec.index_of(column), order)
    settle(qtbot, runner)
    keys = [pane.model.key_at(r) for r in range(pane.model.rowCount())]
    assert keys[0] == first and len(keys) == 6


def test_filters_and_search(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    pane.views.setCurrentIndex(CUSTOMERS_TAB)
    assert set(choose(pane, qtbot, runner, "Paying")) == {"cus_acme", "cus_bolt", "cus_dune", "cus_fern"}
    assert choose(pane, qtbot, runner, "Trialing") == ["cus_cyan"]
    assert choose(pane, qtbot, runner, "Past due") == ["cus_dune"]
    assert choose(pane, qtbot, runner, "Churned") == ["cus_echo"]
    choose(pane, qtbot, runner, "All")
    pane.table.search.setText("acme")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert [pane.model.key_at(r) for r in range(pane.model.rowCount())] == ["cus_acme"]


def test_screen_shows_what_the_cli_prints(qtbot, runner, filled, settings, capsys):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    assert cli.main(["metrics", "revenue", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    current, f = printed["current"], pane.figures
    assert f is not None
    # Echo canceled on the spot 10 days ago, paid for 20 days more: by default it counts until then.
    assert current["mrr"] == pytest.approx(f.current.mrr) == pytest.approx(sum(EXPECTED_MRR.values()) + 9_900)
    assert tile(pane, tiles.MRR) == fmt.money_headline(current["mrr"], printed["currency"])
    assert tile(pane, tiles.ARR) == fmt.money_headline(current["arr"], printed["currency"])
    assert tile(pane, tiles.CHURN) == fmt.percent(current["customer_churn_pct"])
    assert tile(pane, tiles.NET_CHURN) == fmt.percent(current["net_mrr_churn_pct"])
    assert tile(pane, tiles.NRR) == fmt.percent(current["nrr_pct"])
    assert tile(pane, tiles.ARPA) == fmt.money_headline(current["arpa"], printed["currency"])
    assert tile(pane, tiles.TRIALS) == fmt.percent(current["trial_conversion_pct"])
    assert tile(pane, tiles.AT_RISK) == str(len(printed["at_risk"]))
    assert [m["mrr"] for m in printed["months"]] == pytest.approx([m.mrr for m in f.months])
    assert pane.kpis.tiles[tiles.MRR].sparkline.values == pytest.approx([m["mrr"] for m in printed["months"]])
    assert [c["customer_id"] for c in printed["at_risk"]] == [a.customer_id for a in f.at_risk]
    assert "target" in pane.kpis.tiles[tiles.CHURN].note.text()


def test_at_risk_and_reconciliation(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    risky = {pane.risk_list.table.item(r, 0).text(): pane.risk_list.table.item(r, 2).text()
             for r in range(pane.risk_list.table.rowCount())}
    assert risky["Dune Retail"] == "Past due"
    assert pane.views.tabText(RISK_TAB) == f"At risk ({len(risky)})"
    reasons = [pane.reconciliation.table.item(r, 6).text() for r in range(pane.reconciliation.table.rowCount())]
    assert any("no paid invoice yet" in r for r in reasons)


def test_tiles_and_bars_list_the_customers_behind_them(qtbot, runner, cache, settings):
    ledger = Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000)
    month_start = utcnow().replace(day=1, hour=0, minute=0, second=1, microsecond=0)
    ledger.start("sub_a", "acme", "starter", month_start).start("sub_b", "bolt", "pro", month_start)
    ledger.start("sub_c", "cyan", "starter", month_start - dt.timedelta(days=40))
    ledger.end("sub_c", month_start)
    pane = show(qtbot, runner, CustomersPane(cache, runner, settings))
    pane.kpis.activated.emit(tiles.MRR)
    settle(qtbot, runner)
    assert pane.views.currentIndex() == MOVEMENTS_TAB
    movements = {pane.drill_list.table.item(r, 0).text(): pane.drill_list.table.item(r, 2).text()
                 for r in range(pane.drill_list.table.rowCount())}
    assert movements == {"Acme": "New", "Bolt": "New", "Cyan": "Churn"}
    assert chart_notes(pane) == []  # bars to show: no note over them
    pane.chart.bar_clicked.emit(len(pane.figures.months) - 1, "new")
    settle(qtbot, runner)
    assert pane.drill_list.caption.text().startswith("New business in")
    assert {pane.drill_list.table.item(r, 0).text() for r in range(pane.drill_list.table.rowCount())} == {
        "Acme", "Bolt"}
    pane.kpis.activated.emit(tiles.CHURN)
    settle(qtbot, runner)
    assert [pane.drill_list.table.item(r, 0).text() for r in range(pane.drill_list.table.rowCount())] == ["Cyan"]
    assert pane.drill_list.table.item(0, 3).text() == "$100.00" and pane.drill_list.table.item(0, 5).text() == (
        "−$100.00")
    pane.chart.bar_clicked.emit(len(pane.figures.months) - 1, "reactivation")  # none this month
    settle(qtbot, runner)
    assert pane.drill_list.table.rowCount() == 0
    assert pane.drill_list.empty.text() == f"No customers in {month_start:%b %Y}"  # the caption names the kind
    pane.kpis.activated.emit(tiles.AT_RISK)
    assert pane.views.currentIndex() == RISK_TAB


def test_a_chosen_customer_opens_in_the_customers_view(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    pane.risk_list.customer_chosen.emit("cus_dune")
    settle(qtbot, runner)
    assert pane.views.currentIndex() == CUSTOMERS_TAB
    assert pane.table.current_key() == "cus_dune"
    assert pane.detail.current.customer["id"] == "cus_dune"
    assert pane.detail.title.text() == "Dune Retail"


def test_billing_changes_redo_the_figures_for_the_customers_they_touch(qtbot, runner, cache, settings):
    ledger = Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000)
    start = utcnow().replace(microsecond=0) - dt.timedelta(days=40)
    for i in range(5):
        ledger.start(f"sub_{i}", f"c{i}", "starter", start)
    pane = show(qtbot, runner, CustomersPane(cache, runner, settings))
    assert pane.figures is not None and pane.figures.current.mrr == pytest.approx(50_000)
    ledger.change("sub_2", start + dt.timedelta(days=20), price_id="pro")
    runner.bus.publish(Changes.rows("subscriptions", ["sub_2"]))
    settle(qtbot, runner)
    assert pane.figures.current.mrr == pytest.approx(70_000)
    assert pane.movement_cache.replayed == 5 + 1  # everyone once, then the one whose subscription changed
    assert pane.kpis.tiles[tiles.GROWTH].value.styleSheet() == f"color: {GREEN.name()};"


def test_the_money_axis_keeps_cents_only_when_its_ticks_are_less_than_a_unit_apart(qtbot):
    """A month with no movement spans the axis over one dollar: rounded, every tick read "$0"."""
    from ui.panes.customers_chart import MoneyAxis  # pyqtgraph loads with the chart, not with this module

    axis = MoneyAxis("left")
    assert axis.tickStrings([0.0, 0.2, 0.4], 1.0, 0.2) == ["$0.00", "$0.20", "$0.40"]
    assert axis.tickStrings([-5000.0, 0.0, 5000.0], 1.0, 5000.0) == ["−$5k", "$0", "$5k"]


@pytest.mark.parametrize("width", [1280, 1100])
def test_the_chart_and_the_movements_list_show_whole_below_a_720_high_window(qtbot, runner, cache, settings, width):
    """The pane below the window's menu, tabs and status bar: no scrolling to reach the chart's month axis, and
    the list's last figure, the change, inside the list (the names give way)."""
    ledger = Ledger(cache.engine).price("enterprise", 23_456_789).price("professional", 12_345_678)
    month_start = utcnow().replace(day=1, hour=0, minute=0, second=1, microsecond=0)
    ledger.customer("zephyr", month_start - dt.timedelta(days=60), name="Zephyr Analytics SAS")
    ledger.start("sub_z", "zephyr", "enterprise", month_start - dt.timedelta(days=40))
    ledger.change("sub_z", month_start, price_id="professional")
    pane = CustomersPane(cache, runner, settings)
    qtbot.addWidget(pane)
    pane.resize(width, 630)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot, runner)
    pane.kpis.activated.emit(tiles.MRR)
    settle(qtbot, runner)
    table = pane.drill_list.table
    assert [table.item(0, c).text() for c in (0, 2, 5)] == ["Zephyr Analytics SAS", "Contraction", "−$111,111.11"]
    assert not pane.scroll_area.verticalScrollBar().isVisible()
    assert table.horizontalHeader().length() <= table.viewport().width()


@pytest.mark.parametrize(("started", "still_open", "converted", "note"), [
    (1, 1, 0, "0 of 0 · 1 open"),  # the rate is "—": nothing decided yet
    (5, 2, 1, "1 of 3 · 2 open"),
    (4, 0, 3, "3 of 4 decided"),
])
def test_the_trial_tile_counts_the_trials_its_rate_divides_by(started, still_open, converted, note):
    month = SimpleNamespace(trials_started=started, trials_open=still_open, trials_converted=converted)
    assert tiles.trial_note(month) == note
