"""Rule "Availability by duration" computed in SQLite equals the reference ``Timeline`` on random timelines."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck as Hypo
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from app.domain.availability.coverage_sql import service_coverage
from app.domain.availability.timeline import Check, Span, Timeline, days, merge_spans
from app.store.schema import HealthCheck, Service

NOW = dt.datetime(2026, 3, 4, 6, 30)
START = NOW - dt.timedelta(days=3)

minutes = st.integers(min_value=0, max_value=3 * 24 * 60)
timelines = st.lists(st.tuples(minutes, st.booleans(), st.sampled_from(["api", "workstation"])), max_size=60)
windows = st.lists(st.tuples(minutes, st.integers(min_value=1, max_value=600)), max_size=3)


def _at(minute: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minute, seconds=(minute * 7) % 60)


@settings(max_examples=60, deadline=None, suppress_health_check=[Hypo.function_scoped_fixture])
@given(raw=timelines, maint=windows, interval=st.sampled_from([60, 300, 3600]))
def test_sql_and_timeline_agree(engine, raw, maint, interval):
    rows = {(_at(m), source): ok for m, ok, source in raw}  # one check per instant and source
    with engine.begin() as conn:
        conn.execute(delete(HealthCheck.__table__))
        conn.execute(delete(Service.__table__))
        conn.execute(insert(Service.__table__).values(id="svc", name="Svc", probe_interval_s=interval))
        if rows:
            conn.execute(insert(HealthCheck.__table__), [
                {"service_id": "svc", "checked_at": at, "ok": ok, "source": source} for (at, source), ok in rows.items()
            ])
    spans = merge_spans([Span(_at(m), _at(m) + dt.timedelta(minutes=length)) for m, length in maint])
    named = {"1h": Span(NOW - dt.timedelta(hours=1), NOW), "1d": Span(NOW - dt.timedelta(days=1), NOW),
             "3d": Span(NOW - dt.timedelta(days=3), NOW)}
    first_day = (NOW - dt.timedelta(days=3)).date()
    with engine.connect() as conn:
        got = service_coverage(conn, "svc", interval, NOW, named, first_day, spans)
    line = Timeline([Check(at, ok) for (at, _), ok in rows.items()], interval, NOW, spans)
    for name, span in named.items():
        want = line.coverage(span.start, span.end)
        have = got.windows[name]
        for field in ("up_s", "down_s", "maintenance_s", "unknown_s"):
            assert abs(getattr(have, field) - getattr(want, field)) < 0.01, (name, field, have, want)
    want_days = days(line, first_day, 4)
    assert len(got.days) == 4
    for (_, want), have in zip(want_days, got.days, strict=True):
        assert abs(have.up_s - want.up_s) < 0.01 and abs(have.down_s - want.down_s) < 0.01, (have, want)
        assert abs(have.unknown_s - want.unknown_s) < 0.01
