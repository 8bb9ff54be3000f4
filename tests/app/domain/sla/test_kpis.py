"""The support figure set on a hand-built week (rules: "Support and SLA: SLA achievement", "Median
times", "First contact resolution", "Satisfaction", "Backlog", "Escalations")."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert

from app.config.settings import Settings
from app.domain.sla.kpis import support_figures
from app.metrics import MetricsRequest, figure_set, to_jsonable
from app.store.schema import Ticket, TicketEvent, TicketRating, TicketSla
from tests.support.dataset import NOW

DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


def ago(delta: dt.timedelta) -> dt.datetime:
    return NOW - delta


@pytest.fixture
def week(cache):
    def ticket(tid, status, priority, created, resolved=None, replies=1, rank=None, warn=None, assignee="Maya"):
        return {"id": tid, "subject": f"T{tid}", "status": status, "priority": priority, "tier": 1,
                "created_at": created, "updated_at": resolved or created, "resolved_at": resolved,
                "escalated": False, "assignee": assignee, "sla_agent_replies": replies, "sla_rank": rank,
                "sla_warn_at": warn}

    def clock(tid, metric, fulfilled=None, due=None, elapsed=None):
        return {"ticket_id": tid, "metric": metric, "seq": 0, "policy": "P", "target_s": 3600,
                "started_at": ago(30 * DAY), "due_at": due, "warn_at": None, "fulfilled_at": fulfilled,
                "elapsed_s": elapsed, "paused": False}

    with cache.engine.begin() as conn:
        conn.execute(insert(Ticket), [
            ticket(1, "solved", "normal", ago(2 * DAY), resolved=ago(DAY)),
            ticket(2, "solved", "normal", ago(3 * DAY), resolved=ago(2 * DAY), replies=2),
            ticket(3, "closed", "urgent", ago(10 * DAY), resolved=ago(9 * DAY), replies=0),
            ticket(4, "open", "normal", ago(DAY), rank=ago(3 * HOUR)),
            ticket(5, "open", "high", ago(2 * HOUR), rank=NOW + HOUR, warn=NOW + HOUR / 2, assignee=None),
            ticket(6, "closed", "normal", ago(21 * DAY), resolved=ago(20 * DAY), replies=3),
        ])
        conn.execute(insert(TicketSla), [
            clock(1, "first_reply", fulfilled=ago(DAY), elapsed=1800),  # met, 7 and 30 days
            clock(2, "first_reply", fulfilled=ago(2 * DAY), due=ago(2 * DAY + HOUR), elapsed=9000),  # late
            clock(3, "first_reply", fulfilled=ago(10 * DAY), due=ago(10 * DAY) + HOUR, elapsed=600),  # met, 30 d
            clock(4, "first_reply", due=ago(3 * HOUR)),  # breached 3 h ago, still running: missed
            clock(5, "first_reply", due=NOW + HOUR),  # running, on time: not counted yet
            clock(6, "first_reply", fulfilled=ago(40 * DAY), elapsed=60),  # outside both windows
            clock(1, "resolution", fulfilled=ago(DAY), elapsed=7200),
            clock(6, "resolution", fulfilled=ago(20 * DAY), elapsed=36000),
        ])
        conn.execute(insert(TicketRating), [
            {"id": "r1", "ticket_id": 1, "score": 5, "created_at": ago(DAY)},
            {"id": "r6", "ticket_id": 6, "score": 3, "created_at": ago(20 * DAY)},
            {"id": "r3", "ticket_id": 3, "score": 1, "created_at": ago(40 * DAY)},
        ])
        conn.execute(insert(TicketEvent), [
            {"id": f"e{n}", "ticket_id": 4, "kind": "escalation", "data_json": {"tier": tier}, "created_at": at,
             "pending": False}
            for n, (tier, at) in enumerate([(2, ago(DAY)), (3, ago(5 * DAY)), (2, ago(20 * DAY))])
        ])
    with cache.engine.connect() as conn:
        yield support_figures(conn, Settings(), MetricsRequest(NOW))


def test_sla_achievement_per_metric_and_priority(week):
    seven, thirty = week.achievement_of("first_reply", 7), week.achievement_of("first_reply", 30)
    assert (seven.met, seven.missed, thirty.met, thirty.missed) == (1, 2, 2, 2)
    assert seven.pct == pytest.approx(100 / 3) and thirty.pct == 50
    normal = week.achievement_of("first_reply", 30, "normal")
    assert (normal.met, normal.missed, week.achievement_of("first_reply", 30, "urgent").met) == (1, 2, 1)
    assert week.achievement_of("next_reply", 7).pct is None  # nothing ended: "—", not 0 %


def test_median_business_times(week):
    medians = {(m.metric, m.days): (m.seconds, m.count) for m in week.medians}
    assert medians[("first_reply", 30)] == (1800, 3)  # 600, 1800, 9000
    assert medians[("first_reply", 7)] == (5400, 2)  # the mean of the middle two of 1800, 9000
    assert medians[("resolution", 30)] == (21600, 2) and medians[("resolution", 7)] == (7200, 1)


def test_first_contact_resolution_csat_escalations_and_the_queue(week):
    fcr = week.first_contact_resolution
    assert (fcr.part, fcr.whole, fcr.pct, fcr.target_pct) == (1, 3, pytest.approx(100 / 3), 70.0)  # 1, 2, 6
    assert (week.satisfaction.average, week.satisfaction.count, week.satisfaction.target) == (4.0, 2, 4.5)
    assert week.escalations == {7: {2: 1, 3: 1}, 30: {2: 2, 3: 1}}
    assert week.queue["open"] == 2 and week.queue["breached"] == 1 and week.queue["on_track"] == 1
    assert week.queue["unassigned"] == 1


def test_backlog_at_the_end_of_each_day(week):
    assert len(week.backlog) == 30
    assert week.backlog[-1] == (dt.date(2026, 11, 18), 2)  # today so far: tickets 4 and 5
    # At the end of Nov 17 (New York): 4 was open, 5 not yet created, 1 solved that morning.
    assert week.backlog[-2] == (dt.date(2026, 11, 17), 1)
    assert week.backlog[-3] == (dt.date(2026, 11, 16), 1)  # 1 was open, 2 solved that day


def test_the_cli_serves_the_same_function(week):
    assert figure_set("support") is support_figures
    assert to_jsonable(week)["achievement"][0] == {"metric": "first_reply", "priority": None, "days": 7,
                                                    "met": 1, "missed": 2}


def test_opsconsole_metrics_support_prints_the_figure_set(business, capsys, monkeypatch):
    """The CLI runs ``support_figures`` on the same cache: its queue counts are the dataset's states."""
    from app import cli

    monkeypatch.setattr("app.clock.utcnow", lambda: NOW)
    assert cli.main(["metrics", "support", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    with business.connect() as conn:
        assert printed == to_jsonable(support_figures(conn, Settings(), MetricsRequest(NOW)))
    assert {k: printed["queue"][k] for k in ("breached", "about_to_breach", "paused", "on_track")} == {
        "breached": 1, "about_to_breach": 1, "paused": 1, "on_track": 1}
