"""The Customers tab: MRR per customer, filters and search, KPIs, one customer's detail."""

from __future__ import annotations

import pytest

from tests.support.dataset import EXPECTED_MRR
from tests.ui.helpers import settle, show
from ui.panes.customers import CustomersPane
from ui.widgets.palette import RED


def choose(pane, qtbot, runner, label: str) -> list[str]:
    pane.table.filter.setCurrentIndex(pane.table.filter.findText(label))
    settle(qtbot, runner)
    return [pane.model.key_at(r) for r in range(pane.model.rowCount())]


def test_builds_on_an_empty_cache(qtbot, runner, cache, settings):
    pane = show(qtbot, runner, CustomersPane(cache, runner, settings))
    assert pane.model.rowCount() == 0
    assert "No customers in the cache yet" in pane.split.empty_state.text()
    assert pane.kpis.tiles["MRR"].value.text() == "$0.00"
    assert pane.kpis.tiles["Churn, last 30 days"].value.text() == "—"


def test_rows_mrr_and_status(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    model = pane.model
    assert pane.table.count_label.text() == "6 customers"
    rows = {model.key_at(r): model.row_values(r) for r in range(model.rowCount())}
    assert list(rows) == sorted(rows, key=lambda k: rows[k]["name"])  # by name
    assert {k: v["mrr"] for k, v in rows.items()} == pytest.approx(EXPECTED_MRR)
    assert rows["cus_dune"]["status"] == "past_due"
    assert rows["cus_acme"]["plan"] == "Professional annual"
    dune = list(rows).index("cus_dune")
    assert model.data(model.index(dune, model.spec.index_of("mrr"))) == "$99.00"
    assert model.data(model.index(dune, model.spec.index_of("status")), 9).color() == RED  # ForegroundRole


def test_filters_and_search(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    assert set(choose(pane, qtbot, runner, "Paying")) == {"cus_acme", "cus_bolt", "cus_dune", "cus_fern"}
    assert choose(pane, qtbot, runner, "Trialing") == ["cus_cyan"]
    assert choose(pane, qtbot, runner, "Past due") == ["cus_dune"]
    assert choose(pane, qtbot, runner, "Churned") == ["cus_echo"]
    choose(pane, qtbot, runner, "All")
    pane.table.search.setText("acme")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert [pane.model.key_at(r) for r in range(pane.model.rowCount())] == ["cus_acme"]
    pane.table.search.setText("nobody-like-this")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert pane.split.empty_state.isVisible()
    assert "match" in pane.split.empty_state.text()


def test_kpis_and_detail(qtbot, runner, filled, settings):
    pane = show(qtbot, runner, CustomersPane(filled, runner, settings))
    paying = sum(EXPECTED_MRR.values())
    assert pane.kpis.tiles["MRR"].value.text() == f"${round(paying) / 100:,.2f}"
    assert pane.kpis.tiles["Paying customers"].value.text() == "4"
    assert pane.kpis.tiles["Churn, last 30 days"].value.text() == "20.0 %"
    assert "target" in pane.kpis.tiles["Churn, last 30 days"].note.text()
    pane.table.view.selectRow(0)  # Acme Corp
    settle(qtbot, runner)
    detail = pane.detail.current
    assert detail.customer["id"] == "cus_acme"
    assert [s["plan"] for s in detail.subscriptions] == ["Professional annual"]
    assert len(detail.invoices) == 2
    assert detail.tickets_total == 1
    assert pane.detail.title.text() == "Acme Corp"
