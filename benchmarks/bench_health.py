"""(h) Service health at scale: a year of one-minute checks for ten services (about 5.3 million rows).

* Availability over 24 h, 7 d, 30 d and 90 d and the 30-day error budget of
  every service, as the Health tab computes them (``coverage_sql``: the
  availability rule inside SQLite), against pandas computing the same rule
  from the same cache (read the 90 days of checks, pair each with the next,
  cap at twice the interval, clip to each window).  The two must agree.
* The latency chart of one service's year of checks (525,600 points): the
  time to pan it with ``autoDownsample`` + ``clipToView`` against the same
  plot without them (the goal: at least 4× faster).
* How availability scales: the demo's history (10 services × 90 days, a
  check every 5 minutes) and ten times as many services, each against pandas.

pandas is needed only here: ``pip install .[bench]``.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.rows import Row
from tests.support.big_cache import make_health_cache

SERVICES, DAYS = 10, 365
DEMO_SERVICES, DEMO_DAYS = 10, 90  # what the desktop demo shows (app/demo/health.py, 5-minute slots)
END = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 11, 1)
WINDOWS = {"24h": dt.timedelta(days=1), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30),
           "90d": dt.timedelta(days=90)}
REPEAT = 3


def _ours(engine) -> dict[tuple[str, str], tuple[float, float]]:
    from sqlalchemy import select

    from app.domain.availability.coverage_sql import per_service, service_coverage
    from app.domain.availability.timeline import Span
    from app.store.schema import Service

    spans = {k: Span(NOW - w, NOW) for k, w in WINDOWS.items()} | {"budget": Span(NOW - dt.timedelta(days=30), NOW)}
    with engine.connect() as conn:
        services = [tuple(r) for r in conn.execute(select(Service.id, Service.probe_interval_s))]
    covers = per_service(engine, services, lambda conn, s: service_coverage(conn, s[0], s[1], NOW, spans, NOW.date()))
    return {(s[0], key): (c.up_s, c.down_s) for s, cover in zip(services, covers, strict=True)
            for key, c in cover.windows.items()}


def _pandas(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    import sqlite3

    import numpy as np
    import pandas as pd

    since = NOW - dt.timedelta(days=90, minutes=2)
    with sqlite3.connect(path) as conn:
        frame = pd.read_sql_query(
            "SELECT h.service_id, h.checked_at, h.ok, s.probe_interval_s FROM health_checks h "
            "JOIN services s ON s.id = h.service_id WHERE h.checked_at >= ? AND h.checked_at < ?",
            conn, params=(since.isoformat(" "), NOW.isoformat(" ")),
        )
    t = (pd.to_datetime(frame["checked_at"]) - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy()
    frame = frame.assign(t=t).sort_values(["service_id", "t", "ok"], ascending=[True, True, False])
    now_s = (NOW - dt.datetime(1970, 1, 1)).total_seconds()
    following = frame.groupby("service_id")["t"].shift(-1).fillna(now_s).to_numpy()
    start = frame["t"].to_numpy()
    end = np.minimum(np.minimum(following, start + 2 * frame["probe_interval_s"].to_numpy()), now_s)
    ok = frame["ok"].to_numpy().astype(bool)
    ids = frame["service_id"].to_numpy()
    result = {}
    for key, window in (*WINDOWS.items(), ("budget", dt.timedelta(days=30))):
        lo = now_s - window.total_seconds()
        part = np.clip(np.minimum(end, now_s) - np.maximum(start, lo), 0, None)
        sums = pd.DataFrame({"s": ids, "up": np.where(ok, part, 0.0), "down": np.where(ok, 0.0, part)}).groupby(
            "s").sum()
        for service_id, row in sums.iterrows():
            result[str(service_id), key] = (float(row["up"]), float(row["down"]))
    return result


def _availability_times(path: Path) -> tuple[float, float]:
    """Median seconds of ours and of pandas on the cache at ``path``, after checking they agree."""
    from app.store.database import make_engine

    engine = make_engine(path)
    ours, theirs = [], []
    for _ in range(REPEAT):
        started = time.perf_counter()
        mine = _ours(engine)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        peer = _pandas(path)
        theirs.append(time.perf_counter() - started)
    engine.dispose()
    worst = max(abs(a - b) for k in mine for a, b in zip(mine[k], peer[k], strict=True))
    if worst > 1.0:
        raise AssertionError(f"ours and pandas disagree by {worst:.3f} s")
    return statistics.median(ours), statistics.median(theirs)


def _availability_rows(path: Path) -> list[Row]:
    label = f"health: availability 4 windows + budget, {SERVICES} services × {DAYS} d of 1-min checks"
    ours, theirs = _availability_times(path)
    return [Row(label, ours, "pandas, same rule, same cache", theirs, "s", goal=1.0)]


def _scaling_rows(folder: Path) -> list[Row]:
    """The demo's health history (10 services × 90 d, a check every 5 minutes) and ten times as many services."""
    rows = []
    for scale in (1, 10):
        services = DEMO_SERVICES * scale
        path = make_health_cache(folder / f"demo{scale}.sqlite3", services, DEMO_DAYS, END, every_minutes=5)
        ours, theirs = _availability_times(path)
        rows.append(Row(f"health: availability, {scale}× demo ({services} svc × {DEMO_DAYS} d)",
                        ours, "pandas, same rule, same cache", theirs, "s", goal=1.0))
    return rows


def _pan_seconds(downsample: bool, points: int) -> float:
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    widget = pg.PlotWidget()
    widget.resize(1000, 400)
    plot = widget.getPlotItem()
    if downsample:
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
    x = np.arange(points, dtype=float) * 60.0
    y = 20 + (np.arange(points) * 40503 % 997) / 10.0
    plot.addItem(pg.PlotDataItem(x, y))
    widget.show()
    span = 90 * 86_400.0  # the chart's longest window in view, panned across the year
    plot.setXRange(0, span, padding=0)
    app.processEvents()
    widget.grab()
    started = time.perf_counter()
    steps = 20
    for k in range(steps):
        left = k * (x[-1] - span) / steps
        plot.setXRange(left, left + span, padding=0)
        widget.grab()  # what the screen would paint
    elapsed = (time.perf_counter() - started) / steps
    widget.close()
    widget.deleteLater()
    app.processEvents()
    return elapsed


def _pan_rows() -> list[Row]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    points = DAYS * 1440
    with_ds = statistics.median(_pan_seconds(True, points) for _ in range(REPEAT))
    without = statistics.median(_pan_seconds(False, points) for _ in range(REPEAT))
    return [Row(f"health: latency chart pan, {points:,} checks, downsampled", with_ds,
                "the same plot without downsampling", without, "s", goal=0.25)]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-health-") as tmp:
        started = time.perf_counter()
        path = make_health_cache(Path(tmp) / "cache.sqlite3", SERVICES, DAYS, END)
        print(f"  made {SERVICES} × {DAYS} d of checks in {time.perf_counter() - started:.1f} s", flush=True)
        rows = _availability_rows(path) + _scaling_rows(Path(tmp))
    return rows + _pan_rows()
