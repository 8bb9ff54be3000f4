"""File ▸ Import costs…: the files run as one import on the runner, then the result or the wrong line is told."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import func, select

from app.store.changes import Changes
from app.store.schema import CostCharge
from tests.ui.helpers import wait_idle
from ui.dialogs.import_costs import import_costs


@pytest.fixture
def told(monkeypatch) -> list[tuple[str, str]]:
    """What the message boxes would have said (kind, text): modal dialogs must not block a test."""
    messages: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: messages.append(("information", text)))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: messages.append(("warning", text)))
    return messages


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(CostCharge.__table__)).scalar_one()


def csv_file(tmp_path: Path, *lines: str, name: str = "costs.csv") -> Path:
    path = tmp_path / name
    path.write_text("date,service,amount,currency\n" + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_a_good_file_is_imported_and_the_result_told(qtbot, cache, engine, runner, tmp_path, told):
    published: list[Changes] = []
    runner.bus.changed.connect(published.append)
    path = csv_file(tmp_path, "2026-11-01,firebase,1.5,USD", "2026-11-02,cdn,2,USD")
    assert import_costs(None, cache, runner, paths=[path]) is not None
    wait_idle(qtbot, runner)
    assert count(engine) == 2
    assert [c.touches(("cost_charges",)) for c in published] == [True]  # every view of costs hears of it
    [(kind, text)] = told
    assert kind == "information"
    assert "2 cost lines, imported as 2 daily charges" in text and "from 2026-11-01 to 2026-11-02" in text
    assert "Services (2): cdn, firebase" in text


def test_several_files_are_one_import_and_a_reimport_says_what_it_replaced(qtbot, cache, engine, runner, tmp_path,
                                                                            told, monkeypatch):
    first = csv_file(tmp_path, "2026-11-01,firebase,1.5,USD", name="a.csv")
    second = csv_file(tmp_path, "2026-11-01,cdn,2,USD", name="b.csv")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([str(first), str(second)], ""))
    import_costs(None, cache, runner)
    wait_idle(qtbot, runner)
    assert count(engine) == 2 and "2 file(s)" in told[-1][1]
    import_costs(None, cache, runner, paths=[first])
    wait_idle(qtbot, runner)
    assert count(engine) == 2 and "replaced the import of" in told[-1][1]


def test_a_bad_file_names_the_line_and_changes_nothing(qtbot, cache, engine, runner, tmp_path, told):
    published: list[Changes] = []
    runner.bus.changed.connect(published.append)
    path = csv_file(tmp_path, "2026-11-01,firebase,1.5,USD", "2026-11-02,cdn,two,USD")
    import_costs(None, cache, runner, paths=[path])
    wait_idle(qtbot, runner)
    assert published == [] and count(engine) == 0
    [(kind, text)] = told
    assert kind == "warning" and "nothing in the cache was changed" in text
    assert "line 3: amount 'two' is not a number" in text


def test_cancelling_writes_nothing_and_says_nothing(qtbot, cache, engine, runner, tmp_path, told):
    path = csv_file(tmp_path, *(f"2026-11-{1 + n % 28:02d},svc{n % 7},1,USD" for n in range(20_000)))
    handle = import_costs(None, cache, runner, paths=[path])
    assert handle is not None
    handle.cancel()
    wait_idle(qtbot, runner)
    assert told == [] and count(engine) == 0


def test_no_file_chosen_does_nothing(cache, runner, monkeypatch, told):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([], ""))
    assert import_costs(None, cache, runner) is None
    assert runner.active_count == 0 and told == []
