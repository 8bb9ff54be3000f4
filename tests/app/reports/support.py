"""The reports tests' demo business: one synced demo cache per test session, and the figures it holds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from app import cli
from app.demo.backend import DemoBackend
from app.reports import fmt
from app.store.database import open_cache
from app.sync.engine import SyncEngine
from tests.app.sync.support import config_for

NOW = dt.datetime(2026, 11, 18, 14, 30)  # the demo business's "now": a Wednesday
SIZE = {"customers": 80, "tickets": 400, "health_days": 35, "now": NOW}  # 35 days: the 30-day window


def sync_demo(data_dir: Path) -> Path:
    """A data folder whose cache holds a fault-free sync of the demo business of ``SIZE``."""
    cache = open_cache(data_dir / "cache.sqlite3")
    try:
        with DemoBackend(**SIZE) as backend:
            assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
    finally:
        cache.dispose()
    return data_dir


def metrics_json(capsys: Any, data_dir: Path, name: str) -> Any:
    """What ``opsconsole metrics NAME --json`` prints for the cache."""
    assert cli.main(["metrics", name, "--json", "--data-dir", str(data_dir)]) == 0
    return json.loads(capsys.readouterr().out)


def expected_headline(capsys: Any, data_dir: Path, window: int = 30) -> dict[str, str]:
    """MRR, churn, uptime, SLA and cost as the CLI's figures say, written by the reports' formatter."""
    capsys.readouterr()  # what the test printed before
    revenue = metrics_json(capsys, data_dir, "revenue")
    support = metrics_json(capsys, data_dir, "support")
    health = metrics_json(capsys, data_dir, "health")
    costs = metrics_json(capsys, data_dir, "costs")
    resolution = next(a for a in support["achievement"]
                      if (a["metric"], a["days"], a["priority"]) == ("resolution", window, None))
    known = [s["availability"][f"{window}d"] for s in health["services"] if s["availability"][f"{window}d"] is not None]
    return {
        "mrr": fmt.money(revenue["current"]["mrr"], revenue["currency"]),
        "churn": fmt.percent(revenue["current"]["customer_churn_pct"], 2),
        "uptime": fmt.percent(100 * sum(known) / len(known), 2),  # the scorecard's: the services' mean
        "sla": fmt.percent(100 * resolution["met"] / (resolution["met"] + resolution["missed"]), 2),
        "cost": fmt.micros(costs["total"]["mtd_micros"]),
    }
