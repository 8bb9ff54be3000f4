"""A pane whose figures cannot be read from the cache says so in one line, in SQLite's words.

SQLAlchemy's error text carries the statement and its parameters over several
lines; put in a header or a summary line, it pushed the pane's other widgets
out of a 1280-wide window.  The runner logs the whole error.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

import pytest
from sqlalchemy.exc import OperationalError

from app.config.settings import Settings
from tests.ui.helpers import pane_for, show
from ui.failures import could_not
from ui.panes.costs import CostsPane
from ui.panes.customers import CustomersPane
from ui.panes.health import HealthPane
from ui.panes.overview import OverviewPane
from ui.panes.tickets import TicketsPane
from ui.widgets.kpi_strip import UNAVAILABLE, Kpi, KpiStrip

WHY = "disk I/O error"


def _refused(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("SELECT count(*) FROM tickets WHERE status = ?", ("open",), sqlite3.OperationalError(WHY))


def _tooltips(strip) -> set[str]:
    """The tiles' tooltips, once every tile says it is unavailable where its note goes (else nothing)."""
    if {tile.note.text() for tile in strip.tiles.values()} != {UNAVAILABLE}:
        return set()
    return {tile.toolTip() for tile in strip.tiles.values()}


# (pane, the function its figures come from, what the pane shows, what it must say)
CASES: list[tuple[str, str, Callable[..., set[str]], str]] = [
    ("overview", "app.kpis.overview.overview", lambda pane: {pane.header.text()},
     "Could not compute the overview from the cache: disk I/O error"),
    ("health", "app.views.services.load_health", lambda pane: {pane.summary.text()},
     "Could not read service health from the cache: disk I/O error"),
    ("customers", "app.views.customers.load_figures", lambda pane: {pane.warning.text(), *_tooltips(pane.kpis)},
     "Could not compute the revenue figures from the cache: disk I/O error"),
    ("tickets", "app.views.tickets.load_support_figures", lambda pane: _tooltips(pane.kpis.strip),
     "Could not compute the support KPIs: disk I/O error"),
    ("licenses", "app.views.licenses.load_figures", lambda pane: _tooltips(pane.kpis),
     "Could not count from the cache: disk I/O error"),
    ("costs", "ui.panes.costs.cost_overview", lambda pane: {pane.empty.text()},
     "<p>Could not read costs from the local cache: disk I/O error</p>"),
]


def _pane(name: str, qtbot, runner, cache, paths):
    if name == "licenses":
        return pane_for(qtbot, runner, cache, paths)
    make = {"overview": OverviewPane, "health": HealthPane, "customers": CustomersPane, "tickets": TicketsPane,
            "costs": CostsPane}[name]
    return show(qtbot, runner, make(cache, runner, Settings()))


@pytest.mark.parametrize(("name", "target", "shown", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_failed_read_is_said_in_one_line(qtbot, runner, cache, paths, monkeypatch, name, target, shown, expected):
    monkeypatch.setattr(target, _refused)
    pane = _pane(name, qtbot, runner, cache, paths)
    qtbot.waitUntil(lambda: any("Could not" in text for text in shown(pane)), timeout=10_000)
    assert shown(pane) == {expected}


def test_the_whole_error_goes_to_the_log(caplog):
    """The task runner logs only jobs without an ``on_failure``: the one line shown is all a label keeps."""
    error = OperationalError("SELECT count(*) FROM tickets WHERE status = ?", ("open",), sqlite3.OperationalError(WHY))
    with caplog.at_level(logging.ERROR, logger="ui.failures"):
        assert could_not("count from the cache", error) == "Could not count from the cache: disk I/O error"
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert "[SQL: SELECT count(*) FROM tickets WHERE status = ?]" in caplog.records[0].getMessage()


def test_could_not_keeps_the_first_line_of_other_errors():
    assert could_not("build the report", ValueError("no such month: 2026-13\nsecond line")) == (
        "Could not build the report: no such month: 2026-13")
    assert could_not("copy", RuntimeError()) == "Could not copy: RuntimeError"


def test_figures_that_arrive_after_a_failure_replace_its_note(qtbot):
    strip = KpiStrip(["MRR"])
    qtbot.addWidget(strip)
    strip.set_unavailable("Could not compute the revenue figures from the cache: disk I/O error")
    strip.set_values([Kpi("MRR", "$1,200.00", tooltip="Monthly recurring revenue")])
    tile = strip.tiles["MRR"]
    assert (tile.value.text(), tile.note.text(), tile.toolTip()) == ("$1,200.00", "", "Monthly recurring revenue")


def test_overview_tiles_that_never_had_figures_are_hidden_not_blank(qtbot, runner, cache, monkeypatch):
    """Tiles are captioned by their figures: without any, they were empty boxes with a dash."""
    import app.kpis.overview as core

    computed = core.overview
    monkeypatch.setattr(core, "overview", _refused)
    pane = show(qtbot, runner, OverviewPane(cache, runner, Settings()))
    qtbot.waitUntil(lambda: pane.header.text().startswith("Could not"), timeout=10_000)
    assert not pane.content.isVisible()
    monkeypatch.setattr(core, "overview", computed)
    pane.load()
    qtbot.waitUntil(lambda: pane.data is not None, timeout=10_000)
    assert pane.content.isVisible()
    monkeypatch.setattr(core, "overview", _refused)
    pane.load()  # figures shown once: their tiles stay, captioned, with a dash
    qtbot.waitUntil(lambda: pane.header.text().startswith("Could not"), timeout=10_000)
    assert pane.content.isVisible()
    assert {t.value.text() for t in pane.tiles.values()} == {"—"} and all(t.caption.text() for t in pane.tiles.values())
