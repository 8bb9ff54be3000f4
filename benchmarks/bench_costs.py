"""Costs: importing a large Cost and Usage Report, and the overview with anomalies over years of data.

* **Import**: a 1,000,000-line AWS CUR (legacy column names, 20 columns,
  gzip-free) imported into a fresh cache, against ``csv.reader`` merely reading
  the same file. Goal: at least half its speed (the import parses, sums and
  writes; reading is the floor).
* **Overview + anomalies**: 3 years × 50 services of daily costs; the Costs
  figures of the newest month (``month_data``: forecast, budgets, burn-down,
  unit economics, scenarios) plus the anomaly rule over all 3 years, against
  pandas doing the same from the same cache: ``read_sql`` of the rollup, the
  month's totals and forecasts, and the anomaly rule as a rolling window per
  service. Goal: at most the pandas time (pandas is in the ``bench`` extra).
* How the anomalies scale: the same comparison on the demo's cost history
  (13 services × 396 days) and on ten times as many services.

``OPSCONSOLE_BENCH_CUR_LINES`` makes the import smaller for a quick run.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from app.config.settings import CostSettings, Settings
from app.costs_import import import_cost_files
from app.domain.costs.anomalies import anomalies
from app.domain.costs.figures import month_data
from app.store.database import open_cache
from app.store.schema import CostCharge
from benchmarks.rows import Row

CUR_LINES = int(os.environ.get("OPSCONSOLE_BENCH_CUR_LINES", "1000000"))
YEARS_DAYS, SERVICES = 3 * 365 + 1, 50
DEMO_SERVICES, DEMO_DAYS = 13, 396  # the demo business's cost history (app/demo/finance.py)
LAST_DAY = dt.date(2026, 11, 20)

CUR_HEADER = [
    "identity/LineItemId", "identity/TimeInterval", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate", "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
    "lineItem/UsageEndDate", "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation",
    "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/UnblendedRate", "lineItem/UnblendedCost",
    "lineItem/CurrencyCode", "pricing/publicOnDemandCost", "product/ProductName", "product/region",
]
_PRODUCTS = [("AmazonEC2", "Amazon Elastic Compute Cloud"), ("AmazonS3", "Amazon Simple Storage Service"),
             ("AmazonRDS", "Amazon Relational Database Service"), ("AWSLambda", "AWS Lambda"),
             ("AmazonCloudFront", "Amazon CloudFront"), ("AmazonDynamoDB", "Amazon DynamoDB")]


def write_cur(path: Path, lines: int) -> None:
    """A month of hourly line items over 4 accounts, 6 products and a few hundred resources."""
    rng = random.Random(14)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(CUR_HEADER)
        for n in range(lines):
            hour = n % (30 * 24)
            start = dt.datetime(2026, 11, 1) + dt.timedelta(hours=hour)
            code, name = _PRODUCTS[n % len(_PRODUCTS)]
            amount = rng.random() * 10
            rate = rng.choice((0.0116, 0.023, 0.0464, 0.1, 0.2))
            kind = "Tax" if n % 997 == 0 else "Credit" if n % 991 == 0 else "Usage"
            out.writerow([
                f"li{n}", "", "111122223333", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
                f"44445555{n % 4:04d}", kind, f"{start:%Y-%m-%dT%H:%M:%SZ}",
                f"{start + dt.timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}", code, "USE1-BoxUsage", "RunInstances",
                f"i-{n % 400:08x}", f"{amount:.8f}", f"{rate}", f"{amount * rate:.10f}", "USD",
                f"{amount * rate * 1.3:.10f}", name, "us-east-1",
            ])


def _csv_reader_seconds(path: Path) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as f:
        for _row in csv.reader(f):
            pass
    return time.perf_counter() - start


def _import_seconds(path: Path, folder: Path, attempt: int) -> float:
    cache = open_cache(folder / f"import{attempt}.sqlite3")
    try:
        start = time.perf_counter()
        import_cost_files(cache.engine, [path])
        return time.perf_counter() - start
    finally:
        cache.dispose()


def _fill_history(folder: Path, services: int = SERVICES, days: int = YEARS_DAYS) -> Path:
    """``days`` × ``services`` of daily USD costs, weekly rhythm, growth and a few spikes, through the store."""
    path = folder / f"history-{services}x{days}.sqlite3"
    cache = open_cache(path)
    rng = random.Random(3)
    first = LAST_DAY - dt.timedelta(days=days - 1)
    rows = []
    for s in range(services):
        level = rng.uniform(2, 80)
        for n in range(days):
            day = first + dt.timedelta(days=n)
            value = level * (1 + n / days) * (0.7 if day.weekday() >= 5 else 1.0) * rng.uniform(0.85, 1.15)
            if rng.random() < 0.003:
                value *= 4
            micros = round(value * 1_000_000)
            month = day.replace(day=1)
            rows.append({
                "source": "opsapi", "provider_name": "Bench", "billing_account_id": "", "sub_account_id": "",
                "billing_period_start": month, "billing_period_end": month, "charge_period_start": day,
                "charge_period_end": day, "service_name": f"service{s:03d}", "service_category": "Other",
                "charge_category": "Usage", "billing_currency": "USD", "billed_cost_micros": micros,
                "effective_cost_micros": micros, "list_cost_micros": micros, "tags": "{}",
            })
    with cache.engine.begin() as conn:
        conn.execute(insert(CostCharge.__table__), rows)
    cache.dispose()
    return path


def _ours_seconds(path: Path, days: int = YEARS_DAYS) -> tuple[float, int]:
    cache = open_cache(path)
    first = LAST_DAY - dt.timedelta(days=days - 1)
    now = dt.datetime.combine(LAST_DAY, dt.time(12))
    try:
        start = time.perf_counter()
        with cache.engine.connect() as conn:
            month_data(conn, Settings(), None, now)
            found = anomalies(conn, first, LAST_DAY, CostSettings())
        return time.perf_counter() - start, len(found)
    finally:
        cache.dispose()


def _pandas_seconds(path: Path) -> tuple[float, int]:
    """The same figures with pandas: monthly totals, forecasts, and the anomaly rule per rolling window."""
    import numpy as np
    import pandas as pd

    settings = CostSettings()
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    frame = pd.read_sql("SELECT day, service_name, effective_cost_micros FROM cost_daily "
                        "WHERE billing_currency = 'USD'", conn, parse_dates=["day"])
    conn.close()
    table = frame.pivot_table(index="day", columns="service_name", values="effective_cost_micros",
                              aggfunc="sum").asfreq("D")
    month = table.loc[str(LAST_DAY)[:7]]
    mtd = month.sum()
    rate = table.iloc[-7:].fillna(0).mean()
    days_left = pd.Timestamp(LAST_DAY).days_in_month - LAST_DAY.day
    spread = table.iloc[-28:].fillna(0).std()
    _forecast = (mtd + rate * days_left, spread * 1.2816 * np.sqrt(days_left))
    _monthly = table.resample("MS").sum()
    weekdays = table.index.weekday.to_numpy()

    def rule(values: np.ndarray, days: np.ndarray) -> float:
        history, cost, today = values[:-1], values[-1], days[-1]
        overall = np.median(history)
        weights = np.ones(7)
        if overall > 0:
            for k in range(7):
                same = history[days[:-1] == k]
                typical = np.median(same) if len(same) else 0.0
                weights[k] = typical / overall if typical > 0 else 1.0
        adjusted = history / weights[days[:-1]]
        baseline = np.median(adjusted)
        sigma = 1.4826 * np.median(np.abs(adjusted - baseline))
        expected, scale = baseline * weights[today], sigma * weights[today]
        excess = cost - expected
        if excess <= 0 or excess < settings.anomaly_min_ratio * expected:
            return 0.0
        if excess < settings.anomaly_min_dollars * 1_000_000 or (scale > 0 and excess < settings.anomaly_z * scale):
            return 0.0
        return 1.0

    found = 0
    for service in table.columns:
        values = table[service].fillna(0).to_numpy()
        for end in range(15, len(values) + 1):  # 14 days of history at least, 28 at most
            found += int(rule(values[max(0, end - 29):end], weekdays[max(0, end - 29):end]))
    return time.perf_counter() - start, found


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-costs-") as tmp:
        folder = Path(tmp)
        cur = folder / "cur.csv"
        write_cur(cur, CUR_LINES)
        # best of two for both, alternating, so a busy neighbour on the machine weighs on both alike
        peer_runs, our_runs = [], []
        for attempt in range(2):
            peer_runs.append(_csv_reader_seconds(cur))
            our_runs.append(_import_seconds(cur, folder, attempt))
        peer, ours = min(peer_runs), min(our_runs)
        rows = [Row(
            name=f"costs: import a {CUR_LINES:,}-line CUR", figure=CUR_LINES / ours,
            peer_name="csv.reader merely reading it", peer_figure=CUR_LINES / peer, unit="lines/s",
            goal=0.5, lower_is_better=False,
        )]
        history = _fill_history(folder)
        ours_time, ours_found = _ours_seconds(history)
        pandas_time, pandas_found = _pandas_seconds(history)
        assert ours_found == pandas_found, (ours_found, pandas_found)  # the same rule, the same answer
        rows.append(Row(
            name=f"costs: overview + anomalies, 3 y × {SERVICES} services", figure=ours_time,
            peer_name=f"pandas, same figures ({pandas_found} anomalies)", peer_figure=pandas_time, unit="s",
            goal=1.0,
        ))
        rows += _scaling_rows(folder)
    return rows


def _scaling_rows(folder: Path) -> list[Row]:
    """The demo's costs (13 services × 396 days, app/demo/finance.py) and ten times as many services."""
    rows = []
    for scale in (1, 10):
        services = DEMO_SERVICES * scale
        history = _fill_history(folder, services, DEMO_DAYS)
        ours_time, ours_found = _ours_seconds(history, DEMO_DAYS)
        pandas_time, pandas_found = _pandas_seconds(history)
        assert ours_found == pandas_found, (ours_found, pandas_found)
        rows.append(Row(
            name=f"costs: anomalies + overview, {scale}× demo ({services} svc × {DEMO_DAYS} d)",
            figure=ours_time, peer_name=f"pandas, same figures ({pandas_found} anomalies)",
            peer_figure=pandas_time, unit="s", goal=1.0,
        ))
    return rows
