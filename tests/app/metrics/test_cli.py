"""``opsconsole metrics``: a figure set computed from the cache, printed as JSON or lines."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from app import cli, metrics


@dataclass(frozen=True)
class _Figures:
    month: dt.date | None
    at: dt.datetime
    ratio: float
    parts: tuple[int, ...]


def _fake_set(conn, settings, request):
    return _Figures(request.month, dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC), float("nan"), (1, 2))


@pytest.fixture
def fake_figures(monkeypatch):
    monkeypatch.setattr(metrics, "FIGURE_SETS", {"fake": f"{__name__}:_fake_set"})


def test_json_output_uses_the_registered_function(fake_figures, capsys):
    assert cli.main(["metrics", "fake", "--json", "--month", "2026-10"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "month": "2026-10-01", "at": "2026-11-30T12:00:00Z", "ratio": None, "parts": [1, 2],
    }


def test_plain_output_is_one_line_per_figure(fake_figures, capsys):
    assert cli.main(["metrics", "fake"]) == 0
    assert capsys.readouterr().out.splitlines() == ["month: null", 'at: "2026-11-30T12:00:00Z"', "ratio: null",
                                                    "parts: [1, 2]"]


def test_a_bad_month_is_refused_naming_the_format(fake_figures, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["metrics", "fake", "--month", "2026-13"])
    assert exit_info.value.code == 2
    assert "use YYYY-MM" in capsys.readouterr().err


def test_an_unknown_figure_set_names_the_known_ones(fake_figures):
    with pytest.raises(KeyError, match="known: fake"):
        metrics.figure_set("nope")
