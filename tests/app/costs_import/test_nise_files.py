"""Billing files made by an independent generator (koku-nise) import with the totals the files add up to.

nise writes AWS Cost and Usage Reports (in parts, with a manifest), Google
Cloud billing exports and Azure cost exports in the providers' own formats,
offline.  Each test sums the file's own cost column with the ``csv`` module
and compares it with what the cost store holds.
"""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.costs_import import import_cost_files
from app.store.schema import CostCharge

pytestmark = pytest.mark.slow  # the generator takes ~10 s to start and write

C = CostCharge.__table__.c
M = Decimal(1_000_000)


@pytest.fixture(scope="module")
def nise_files(tmp_path_factory) -> Path:
    """One day of AWS (parts of 1,000 lines + manifest), GCP and Azure data, generated side by side."""
    root = tmp_path_factory.mktemp("nise")
    runs = {
        "aws": ["aws", "--aws-s3-bucket-name", str(root / "aws"), "--aws-s3-report-name", "cur",
                "--file-row-limit", "1000"],
        "gcp": ["gcp"],
        "azure": ["azure"],
    }
    processes = []
    for name, args in runs.items():
        (root / name).mkdir()
        command = [sys.executable, "-m", "nise", "report", *args, "-s", "2026-10-01", "-e", "2026-10-02", "-w"]
        processes.append(subprocess.Popen(command, cwd=root / name, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE))
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return root


def _sum(rows: list[dict[str, str]], column: str, key: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row[key].lower()] += Decimal(row[column] or 0)
    return dict(totals)


def _store(engine, amount: str, by: str = "service_name") -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(C[by], func.sum(C[amount])).group_by(C[by])).all()
    return dict(rows)


def _micros(totals: dict[str, Decimal]) -> dict[str, int]:
    return {name: int((value * M).quantize(Decimal(1))) for name, value in totals.items()}


def _close(store: dict[str, int], files: dict[str, int], lines: int) -> None:
    """Equal per service up to micro-unit rounding of each stored charge (at most one per charge)."""
    assert store.keys() == files.keys()
    for name, value in files.items():
        assert abs(store[name] - value) <= lines, name


def test_an_aws_report_in_parts_imports_through_its_manifest(engine, nise_files):
    (manifest,) = (nise_files / "aws").glob("cur/*/cur-Manifest.json")
    parts = sorted((nise_files / "aws").glob("cur/*/*/*.csv.gz"))
    rows: list[dict[str, str]] = []
    for part in parts:
        with gzip.open(part, "rt", encoding="utf-8", newline="") as f:
            rows.extend(csv.DictReader(f))
    assert len(parts) > 1  # the report really is split

    result = import_cost_files(engine, [manifest])

    assert result.lines == len(rows) and len(result.files) == len(parts)
    by_code = _sum(rows, "lineItem/UnblendedCost", "lineItem/ProductCode")
    stored = _store(engine, "billed_cost_micros")
    # our service names map a few product codes (AmazonS3 → storage): compare the totals of the file
    assert sum(stored.values()) == pytest.approx(int(sum(by_code.values()) * M), abs=result.charges)
    assert len(stored) == len(by_code)
    accounts = {r["lineItem/UsageAccountId"] for r in rows}
    assert set(_store(engine, "billed_cost_micros", "sub_account_id")) == accounts


def test_a_google_cloud_export(engine, nise_files):
    (path,) = (nise_files / "gcp").glob("*.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    result = import_cost_files(engine, [path])
    assert result.lines == len(rows)
    files = _micros(_sum(rows, "cost", "service.description"))
    stored = _store(engine, "effective_cost_micros")
    files = {{"cloud storage": "storage", "cdn": "cdn"}.get(k, k): v for k, v in files.items()}
    _close(stored, files, result.charges)


def test_an_azure_export(engine, nise_files):
    (path,) = (nise_files / "azure").glob("*.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    result = import_cost_files(engine, [path])
    assert result.lines == len(rows) and result.reports[0].provider == "Microsoft"
    _close(_store(engine, "billed_cost_micros"), _micros(_sum(rows, "CostInBillingCurrency", "MeterCategory")),
           result.charges)
