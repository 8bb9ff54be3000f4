"""Latency figures: p50 and p95 of passing checks, and one service's chart series over a window.

Percentiles use the nearest-rank method (the value below which the given share
of the sorted latencies fall, with no interpolation): p95 of twenty checks is
the 19th fastest.  Failed checks are left out: a timeout measures the probe's
patience, not the service's speed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from app.domain.availability.coverage_sql import maintenance_spans, spans_for
from app.domain.availability.timeline import Check, Timeline, seconds
from app.store.schema import HealthCheck, Service

_H, _S = HealthCheck.__table__, Service.__table__


def percentile(sorted_values: Sequence[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_percentiles(
    conn: Connection, service_id: str, start: dt.datetime, end: dt.datetime
) -> tuple[float | None, float | None]:
    """p50 and p95 in ms of the service's passing checks in ``[start, end)``."""
    values = sorted(
        float(v) for (v,) in conn.execute(
            select(_H.c.latency_ms).where(
                _H.c.service_id == service_id, _H.c.checked_at >= start, _H.c.checked_at < end,
                _H.c.ok.is_(True), _H.c.latency_ms.is_not(None),
            )
        )
    )
    return percentile(values, 0.50), percentile(values, 0.95)


@dataclass(frozen=True)
class ChartSeries:
    """What one service's charts draw over one window: raw latencies and per-bucket figures (epoch seconds)."""

    service_id: str
    start: dt.datetime
    end: dt.datetime
    bucket_s: float
    times: tuple[float, ...]  # every passing check's instant
    latencies: tuple[float, ...]  # and its latency, ms
    bucket_starts: tuple[float, ...]
    p50: tuple[float | None, ...]
    p95: tuple[float | None, ...]
    availability: tuple[float | None, ...]
    slo_target: float


# Window → bucket: about a hundred points per chart whatever the window.
BUCKETS = {
    dt.timedelta(days=1): dt.timedelta(minutes=15),
    dt.timedelta(days=7): dt.timedelta(hours=2),
    dt.timedelta(days=30): dt.timedelta(hours=6),
    dt.timedelta(days=90): dt.timedelta(days=1),
}


def chart_series(conn: Connection, service_id: str, window: dt.timedelta, now: dt.datetime) -> ChartSeries | None:
    """Latency (raw, p50, p95) and availability per bucket of ``window`` ending ``now``; None for an unknown service."""
    service = conn.execute(select(_S.c.probe_interval_s, _S.c.slo_target).where(_S.c.id == service_id)).first()
    if service is None:
        return None
    interval = float(service.probe_interval_s or 60)
    bucket = BUCKETS.get(window, window / 96)
    start = now - window
    rows = conn.execute(
        select(_H.c.checked_at, _H.c.ok, _H.c.latency_ms)
        .where(_H.c.service_id == service_id, _H.c.checked_at >= start - dt.timedelta(seconds=2 * interval),
               _H.c.checked_at < now)
        .order_by(_H.c.checked_at)
    ).all()
    maintenance = spans_for(service_id, maintenance_spans(conn, start, now))
    line = Timeline((Check(at, bool(ok)) for at, ok, _ in rows), interval, now, maintenance)
    passing = [(seconds(at), float(lat)) for at, ok, lat in rows if ok and lat is not None and at >= start]
    starts, p50s, p95s, avails = [], [], [], []
    index = 0
    edge = start
    while edge < now:
        upper = min(edge + bucket, now)
        lo, hi = seconds(edge), seconds(upper)
        values = []
        while index < len(passing) and passing[index][0] < hi:
            if passing[index][0] >= lo:
                values.append(passing[index][1])
            index += 1
        values.sort()
        starts.append(lo)
        p50s.append(percentile(values, 0.50))
        p95s.append(percentile(values, 0.95))
        avails.append(line.coverage(edge, upper).availability)
        edge = upper
    return ChartSeries(
        service_id, start, now, bucket.total_seconds(),
        tuple(t for t, _ in passing), tuple(v for _, v in passing),
        tuple(starts), tuple(p50s), tuple(p95s), tuple(avails), float(service.slo_target),
    )
