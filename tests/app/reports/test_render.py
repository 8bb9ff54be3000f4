"""Rendering and writing reports: every format from the hand-worked business; bad input writes nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pypdf
import pytest

from app import cli, clock
from app.config.settings import Settings
from app.reports.build import build_report
from app.reports.render import write_report
from app.store.app_state import ME_KEY, put_app_value
from tests.support.dataset import NOW


@pytest.fixture
def report(business):
    with business.connect() as conn:
        return build_report(conn, Settings(), "monthly", NOW.date(), "executive", NOW)


def test_the_pdf_numbers_its_pages_and_names_period_role_and_moment(report, tmp_path):
    path = write_report(report, "pdf", tmp_path / "r.pdf")
    pages = pypdf.PdfReader(path).pages
    assert len(pages) >= 2
    last = pages[-1].extract_text()
    assert f"Page {len(pages)} of {len(pages)}" in last
    assert "November 2026" in last and "for executive" in last and "2026-11-18 14:30 UTC" in last


def test_the_html_is_one_file_with_the_same_charts_as_svg(report, tmp_path):
    html = write_report(report, "html", tmp_path / "r.html").read_text("utf-8")
    charts = sum(len(s.charts) for s in report.sections)
    assert html.count("<svg") == charts and charts >= 3
    assert 'class="num"' in html  # numbers right-aligned
    assert "clipPath" not in html and ": None;" not in html  # no repeated ids; lines not filled (Qt's reader)


def test_the_csv_zip_has_one_file_per_table(report, tmp_path):
    with zipfile.ZipFile(write_report(report, "csv", tmp_path / "r.zip")) as archive:
        names = archive.namelist()
    assert names == ["headline.csv", *(f"{s.key}-{t.name}.csv" for s in report.sections for t in s.tables)]


def test_a_write_that_fails_keeps_the_old_file_and_leaves_no_part(report, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "r.pdf").write_bytes(b"old")

    def refuse(self, target):
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_report(report, "pdf", folder / "r.pdf")
    assert [p.name for p in folder.iterdir()] == ["r.pdf"] and (folder / "r.pdf").read_bytes() == b"old"


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2026-02-30"], "is not a date"),
    (["--date", "2027-01-01"], "in the future"),
    (["--role", "finance"], "may make reports for the support role only"),
])
def test_bad_input_ends_with_exit_code_2_and_writes_nothing(business, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    with business.begin() as conn:
        put_app_value(conn, ME_KEY, {"role": "support"})  # signed in last as support
    out = tmp_path / "out" / "r.pdf"
    out.parent.mkdir()
    assert cli.main(["report", "monthly", "--format", "pdf", "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert list(out.parent.iterdir()) == []


def test_a_missing_folder_and_an_unknown_format_are_refused(business, tmp_path, capsys):
    assert cli.main(["report", "daily", "--format", "pdf", "--out", str(tmp_path / "nope" / "r.pdf")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["report", "daily", "--format", "docx", "--out", str(tmp_path / "r.docx")])
    assert exit_info.value.code == 2 and list(tmp_path.glob("r.*")) == []
