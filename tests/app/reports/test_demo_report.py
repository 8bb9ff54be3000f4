"""``opsconsole report`` on the synced demo business: the figures printed equal ``opsconsole metrics --json``.

Rule checked: docs/metrics.md § "Report figures" (every figure is a figure
set's, as of the report's moment) and § "Report periods" (the current month's
report is taken as of now, like the CLI and the panes).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pypdf
import pytest

from app import cli, clock
from tests.app.reports.support import NOW, expected_headline, sync_demo

pytestmark = pytest.mark.slow  # syncing the demo business takes 20–35 s on a busy machine


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    return sync_demo(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)


def _report(tmp_path, demo_dir, *args: str) -> int:
    return cli.main(["report", *args, "--data-dir", str(demo_dir)])


def _pdf_text(path) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages))


def test_the_monthly_pdf_carries_the_cli_figures_on_several_pages(tmp_path, demo_dir, capsys):
    out = tmp_path / "monthly.pdf"
    assert _report(tmp_path, demo_dir, "monthly", "--format", "pdf", "--out", str(out)) == 0
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) >= 3
    first = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    expected = expected_headline(capsys, demo_dir)
    for name, text in expected.items():
        assert text in first, (name, text)  # the headline, on page 1
    assert "Monthly strategic review" in first and "November 2026" in first and "executive" in first
    assert f"Page 1 of {len(reader.pages)}" in first
    assert "Stripe subscriptions last synced" in first and "Tickets last synced" in first  # freshness


def test_the_html_carries_the_same_figures_and_svg_charts(tmp_path, demo_dir, capsys):
    out = tmp_path / "monthly.html"
    assert _report(tmp_path, demo_dir, "monthly", "--format", "html", "--out", str(out)) == 0
    html = out.read_text("utf-8")
    for name, text in expected_headline(capsys, demo_dir).items():
        assert text in html, (name, text)
    assert html.count("<svg") >= 3 and "src=" not in html and "<link" not in html  # one self-contained file


def test_the_csv_zip_holds_the_headline_and_every_table(tmp_path, demo_dir, capsys):
    out = tmp_path / "monthly.zip"
    assert _report(tmp_path, demo_dir, "monthly", "--format", "csv", "--out", str(out)) == 0
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        headline = list(csv.reader(io.StringIO(archive.read("headline.csv").decode("utf-8-sig"))))
        movements = list(csv.reader(io.StringIO(archive.read("revenue-mrr_movements.csv").decode("utf-8-sig"))))
    assert {"revenue-cohorts.csv", "costs-cost_anomalies.csv", "health-services.csv"} <= set(names)
    values = {row[1] for row in headline if len(row) > 1}
    assert set(expected_headline(capsys, demo_dir).values()) <= values
    assert movements[0] == ["Movement", "Amount (USD)"] and float(movements[-1][1]) > 0  # numbers, not "$…"


def test_a_finance_report_shows_revenue_and_costs_only(tmp_path, demo_dir):
    out = tmp_path / "finance.pdf"
    assert _report(tmp_path, demo_dir, "monthly", "--role", "finance", "--format", "pdf", "--out", str(out)) == 0
    text = _pdf_text(out)
    assert "Revenue and conversion" in text and "Costs and margin" in text
    assert "Support performance" not in text and "System performance" not in text and "Acquisition" not in text
