"""Cost anomalies: weekday-aware median and MAD over 28 days, firing and not, marked as expected (no Qt)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.config.settings import CostSettings
from app.domain.costs import anomalies
from app.store.schema import CostAnomalyMark

M = 1_000_000
START = dt.date(2026, 10, 5)  # a Monday
DAY = START + dt.timedelta(days=28)  # Monday 2 November: the day judged


def _weekly(weekday: float, weekend: float, noise: list[float] | None = None) -> dict[dt.date, int]:
    """28 days of history (weekdays and weekends at their level, plus a repeating wobble)."""
    noise = noise or [0.0]
    values = {}
    for n in range(28):
        day = START + dt.timedelta(days=n)
        base = weekend if day.weekday() >= 5 else weekday
        values[day] = round((base + noise[n % len(noise)]) * M)
    return values


def test_a_day_far_above_its_baseline_is_an_anomaly_with_its_excess_in_dollars():
    """Rule "Costs ▸ Anomalies": excess ≥ 3.5 robust σ, ≥ 25 % and ≥ $10 above the weekday baseline."""
    values = _weekly(100, 40, [-2, 1, 0, 2, -1, 0, 1]) | {DAY: 180 * M}
    found = anomalies.judge("anthropic", values, DAY, CostSettings())
    assert found is not None and found.service == "anthropic"
    # by hand: Mondays cost 98 (the wobble repeats weekly); the median of all 28 days is 99, so the Monday
    # factor is 98/99; every adjusted day is 99 (MAD 0: no z-score); expected Monday = 99 × 98/99 = 98
    assert (found.expected_micros, found.excess_micros, found.z) == (98 * M, 82 * M, None)


def test_a_normal_monday_after_a_quiet_weekend_is_not_an_anomaly():
    """Rule "Costs ▸ Anomalies": weekday-aware: Monday is judged against Mondays, not against the weekend."""
    values = _weekly(100, 20, [-2, 1, 0, 2, -1, 0, 1]) | {DAY: 103 * M}
    assert anomalies.judge("x", values, DAY, CostSettings()) is None
    saturday = DAY + dt.timedelta(days=5)
    values |= {DAY + dt.timedelta(days=n): 100 * M for n in range(1, 5)} | {saturday: 60 * M}
    assert anomalies.judge("x", values, saturday, CostSettings()) is not None  # 3× a normal Saturday


def test_small_excesses_and_short_histories_are_not_anomalies():
    values = _weekly(2, 2, [0.1, -0.1]) | {DAY: 8 * M}  # 4× but only $6 more: under the $10 floor
    assert anomalies.judge("x", values, DAY, CostSettings()) is None
    assert anomalies.judge("x", values, DAY, CostSettings(anomaly_min_dollars=5)) is not None
    short = {DAY - dt.timedelta(days=n): M for n in range(1, 10)} | {DAY: 500 * M}  # 9 days of history
    assert anomalies.judge("x", short, DAY, CostSettings()) is None


def test_an_earlier_spike_does_not_hide_the_next_one():
    values = _weekly(100, 100, [-1, 1]) | {START + dt.timedelta(days=10): 900 * M, DAY: 200 * M}
    assert anomalies.judge("x", values, DAY, CostSettings()) is not None  # median and MAD ignore the spike


def test_marking_an_anomaly_as_expected_is_stored_and_reported_as_a_change(engine, add_costs):
    for n in range(28):
        day = START + dt.timedelta(days=n)
        add_costs("cdn", day, 100 + (n % 3))
    add_costs("cdn", DAY, 400)
    with engine.connect() as conn:
        (found,) = anomalies.anomalies(conn, DAY, DAY, CostSettings())
    assert not found.marked_expected and found.key == "cdn:2026-11-02"
    changes = anomalies.mark_expected(engine, "cdn", DAY)
    assert changes.touches_key("cost_anomaly_marks", "cdn:2026-11-02")
    with engine.connect() as conn:
        (again,) = anomalies.anomalies(conn, DAY, DAY, CostSettings())
        assert conn.execute(select(CostAnomalyMark.service_name)).scalars().all() == ["cdn"]
    assert again.marked_expected and anomalies.unmarked([again]) == []
    anomalies.mark_expected(engine, "cdn", DAY, expected=False)
    with engine.connect() as conn:
        assert not anomalies.anomalies(conn, DAY, DAY, CostSettings())[0].marked_expected


def test_the_one_pass_detection_agrees_with_judging_each_day():
    import random

    rng = random.Random(7)
    values = {}
    for n in range(120):
        day = START + dt.timedelta(days=n)
        if rng.random() < 0.9:  # some days without a figure
            values[day] = round(rng.uniform(50, 60) * (4 if rng.random() < 0.05 else 1) * M)
    last = START + dt.timedelta(days=119)
    found = anomalies.detect({"x": values}, START, last, CostSettings())
    one_by_one = [a for day in sorted(values) if (a := anomalies.judge("x", values, day, CostSettings()))]
    assert found == one_by_one and len(found) >= 2
