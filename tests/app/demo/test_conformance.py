"""The demo backend conforms to docs/ops-api.json: a bounded schemathesis run finds nothing.

Every check schemathesis has (no 5xx, documented statuses, content types and
headers, response schemas, schema-valid data accepted, invalid data refused,
405 with ``Allow`` for undeclared methods, …) over every operation, with a
fixed seed and a capped number of examples per operation, so the run is the
same every time and takes about a minute.  The few things the schema cannot
say are taught in ``schemathesis_hooks``; ``schemathesis.toml`` adds the documented 413
to the statuses that refuse invalid data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.demo.backend import DemoBackend
from tests.support.repo import ROOT

SPEC = ROOT / "docs" / "ops-api.json"
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = 12  # per operation and phase: about 2,300 requests, a minute and a half


@pytest.mark.slow
def test_a_property_based_run_of_the_spec_finds_no_failure(tmp_path):
    business = {"customers": 40, "tickets": 80, "now": dt.datetime(2026, 3, 2, 12)}
    with DemoBackend(**business, ops_api_token="conformance") as backend:  # a fixed token: the same run every time
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SCHEMATHESIS_HOOKS": "tests.app.demo.schemathesis_hooks",
        }
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(CONFIG), "run", str(SPEC),
             "--url", backend.ops_api_url, "-H", f"Authorization: Bearer {backend.ops_api_token}",
             "--checks", "all", "--seed", "1", "--max-examples", str(EXAMPLES), "--workers", "1"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=420, check=False,
        )
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    # Generated bodies can be megabytes long: show every line, cut short.
    report = "\n".join(line[:300] for line in (run.stdout + run.stderr).splitlines())
    summary = run.stdout[run.stdout.rfind("SUMMARY"):]
    assert run.returncode == 0, report[-30_000:]
    operations = sum(
        method in {"get", "post", "put", "patch", "delete"}
        for path in json.loads(SPEC.read_text(encoding="utf-8"))["paths"].values()
        for method in path
    )
    assert f"Tested: {operations}" in summary and "Failures:" not in summary, summary
