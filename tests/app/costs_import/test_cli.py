"""``opsconsole import-costs`` and ``opsconsole metrics costs``: headless, offline, same figures as the pane."""

from __future__ import annotations

import json

from app import cli
from app.config.paths import Paths
from app.costs_import import SOURCES
from app.costs_import.cli import SOURCES as CLI_SOURCES
from app.store.database import open_cache
from tests.app.costs_import.support import records, write


def test_import_costs_imports_reports_and_says_what_it_replaced(isolated_data_dir, tmp_path, capsys):
    path = write(tmp_path, "date,service,amount,currency\n2026-11-01,cdn,1.50,USD\n2026-11-02,cdn,2,USD\n")
    assert cli.main(["import-costs", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 cost lines, imported as 2 daily charges in 1 report(s)" in out
    assert "• CSV import costs November 2026: USD 3.50" in out
    assert cli.main(["import-costs", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reports"][0]["replaced"]["files"] == ["costs.csv"] and data["lines"] == 2

    cache = open_cache(Paths.resolve(None).cache)
    try:
        assert sum(records(cache.engine).values()) == 3_500_000
    finally:
        cache.dispose()


def test_a_refused_file_exits_1_naming_the_line(isolated_data_dir, tmp_path, capsys):
    path = write(tmp_path, "date,service,amount,currency\n2026-11-01,cdn,oops,USD\n")
    assert cli.main(["import-costs", str(path)]) == 1
    assert "nothing in the cache was changed: line 2: amount 'oops' is not a number" in capsys.readouterr().err


def test_the_command_line_knows_every_format():
    assert set(CLI_SOURCES) == set(SOURCES)


def test_metrics_costs_prints_the_figures_of_the_month(isolated_data_dir, tmp_path, capsys):
    path = write(tmp_path, "date,service,amount,currency\n2026-10-01,firebase,10,USD\n2026-10-02,firebase,30,USD\n")
    assert cli.main(["import-costs", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["metrics", "costs", "--json", "--month", "2026-10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == "2026-10-01" and data["total"]["mtd_micros"] == 40_000_000
    assert data["lines"][0]["service"] == "firebase" and data["lines"][0]["budget"]["monthly_micros"] == 800_000_000
    assert [s["scenario"]["name"] for s in data["scenarios"]] == ["conservative", "optimistic", "aggressive"]
