"""(16) The monthly strategic review as a PDF, for the demo business and for a 100,000-customer cache.

There is no peer that writes this report, so each row's comparison is a
floor: the figure sets alone (revenue, support, health, costs, usage,
licenses for the same request) — what any report of these numbers must
compute.  The ratio is then what the report adds: the scorecard, formatting,
charts and the PDF layout.  The time and the page count are printed.

* demo business: what ``opsconsole --demo`` syncs (the default demo size),
  synced over loopback from the embedded backend;
* 100,000 customers: the billing cache of ``tests/support/revenue_cache.py``
  (sync's converters and history recorder, no HTTP) — the revenue replay
  dominates.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import tempfile
import time
from pathlib import Path

import pypdf

from app.config.settings import Settings
from app.connectors.config import SyncConfig
from app.demo.backend import DemoBackend
from app.kpis.scorecard import SOURCES
from app.metrics import MetricsRequest, figure_set
from app.reports.build import build_report
from app.reports.render import render
from app.store.database import make_engine, open_cache
from app.sync.engine import SyncEngine
from benchmarks.rows import Row
from tests.support.revenue_cache import make_revenue_cache

NOW = dt.datetime(2026, 11, 18, 14, 30)
CUSTOMERS = 100_000
REPEATS = 3


def _demo_cache(path: Path) -> Path:
    cache = open_cache(path)
    try:
        with DemoBackend(now=NOW) as backend:
            config = SyncConfig(ops_api_url=backend.ops_api_url, ops_api_token=backend.ops_api_token,
                                stripe_api_base=backend.stripe_api_base, stripe_api_key=backend.stripe_api_key,
                                timeout=30)
            assert SyncEngine(cache.engine, config).run_once().ok
    finally:
        cache.dispose()
    return path


def _measure(path: Path) -> tuple[float, float, int]:
    """Median seconds of the monthly PDF, of its figure sets alone, and the PDF's page count."""
    engine = make_engine(path)
    settings = Settings()
    request = MetricsRequest(NOW, NOW.date().replace(day=1))
    reports, floors, pages = [], [], 0
    try:
        for _ in range(REPEATS):
            with engine.connect() as conn:
                started = time.perf_counter()
                for name in SOURCES:
                    figure_set(name)(conn, settings, request)
                floors.append(time.perf_counter() - started)
            with engine.connect() as conn:
                started = time.perf_counter()
                pdf = render(build_report(conn, settings, "monthly", NOW.date(), "executive", NOW), "pdf")
                reports.append(time.perf_counter() - started)
            pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    finally:
        engine.dispose()
    return statistics.median(reports), statistics.median(floors), pages


def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, path in (("demo business", _demo_cache(Path(folder) / "demo.sqlite3")),
                            (f"{CUSTOMERS:,} customers",
                             make_revenue_cache(Path(folder) / "big.sqlite3", CUSTOMERS, NOW))):
            report, floor, pages = _measure(path)
            print(f"monthly report PDF, {label}: {report:.2f} s, {pages} pages (figure sets alone {floor:.2f} s)")
            rows.append(Row(f"monthly report PDF, {label} ({pages} pages)", report,
                            "floor: its figure sets alone", floor, "s"))
    return rows
