"""Clocks from a ticket's log (rules: "Support and SLA: Clocks" and "Policies"), hand-computed.

The calendar is the handbook's "Support hours" (09:00-17:00 New York, US
holidays); the general policy answers in 2 h and resolves in 48 h of it.
November 2026: EST, UTC-5, so 09:00 EST is 14:00 UTC.
"""

from __future__ import annotations

import datetime as dt

from app.sla_rules.clocks import Event, Ticket, evaluate, walk
from app.sla_rules.policies import FIRST_REPLY, NEXT_REPLY, RESOLUTION, seed_rules

RULES = seed_rules()
H = 3600
MON = dt.datetime(2026, 11, 16, 14)  # Monday 09:00 EST


def at(hours: float) -> dt.datetime:
    return MON + dt.timedelta(hours=hours)


def ticket(status: str = "open", *, updated: dt.datetime | None = None, priority: str = "normal",
           category: str = "billing", tier: int = 1, plans: frozenset[str] = frozenset()) -> Ticket:
    return Ticket(MON, updated or MON, status, priority, tier, category, plans)


def status(hours: float, value: str) -> Event:
    return Event(at(hours), "status", "agent", {"status": value})


def reply(hours: float, role: str = "agent") -> Event:
    return Event(at(hours), "reply", role)


def clock(result, metric, seq=0):
    return next(c for c in result.clocks if (c.metric, c.seq) == (metric, seq))


def test_first_reply_met_and_the_resolution_running():
    result = evaluate(ticket(), [reply(1.5)], RULES)
    first = clock(result, FIRST_REPLY)
    assert (first.policy, first.target_s, first.fulfilled_at, first.elapsed_s) == ("General and billing", 2 * H,
                                                                                  at(1.5), 1.5 * H)
    assert first.due_at is None and not first.breached  # met before the target was reached
    resolution = clock(result, RESOLUTION)
    # 48 business hours = 6 working days of 8 h: Monday to Friday, then the next Monday to its close,
    # 17:00 EST = 22:00 UTC (Thanksgiving falls on the Thursday after).
    assert resolution.due_at == dt.datetime(2026, 11, 23, 22)
    assert result.next is resolution and result.due_at == resolution.due_at


def test_a_late_first_reply_is_a_breach_at_its_due_instant():
    result = evaluate(ticket(), [reply(3)], RULES)
    first = clock(result, FIRST_REPLY)
    assert first.due_at == at(2) and first.breached and first.elapsed_s == 3 * H
    assert first.warn_at == at(1.5)  # a quarter of 2 h left


def test_pending_pauses_every_clock_and_open_resumes_it():
    # 30 min, then pending 09:30-13:30 EST, then the clock runs again: due at 13:30 + 90 min = 15:00 EST.
    result = evaluate(ticket(updated=at(4.5)), [status(0.5, "pending"), status(4.5, "open")], RULES)
    assert clock(result, FIRST_REPLY).due_at == at(6)
    assert clock(result, FIRST_REPLY).warn_at == at(5.5)


def test_a_ticket_pending_now_has_no_due_instant_only_time_left():
    result = evaluate(ticket("pending", updated=at(0.5)), [reply(0.25), status(0.5, "pending")], RULES)
    resolution = clock(result, RESOLUTION)
    assert resolution.paused and resolution.due_at is None
    assert resolution.left_s == 48 * H - 0.5 * H
    assert result.next is resolution and result.due_at is None  # what the server's sla_due_at says too


def test_on_hold_is_a_pause_by_default_and_new_is_not():
    result = evaluate(ticket("on_hold", updated=at(1)), [reply(0.5), status(1, "on_hold")], RULES)
    assert clock(result, RESOLUTION).paused
    assert not evaluate(ticket("new"), [], RULES).next.paused


def test_a_customer_reply_starts_a_next_reply_clock_and_an_agent_reply_ends_it():
    log = [reply(0.5), reply(2, "customer"), reply(3.5), reply(5, "customer")]
    result = evaluate(ticket(), log, RULES)
    first_next = clock(result, NEXT_REPLY, 0)
    assert (first_next.started_at, first_next.fulfilled_at, first_next.elapsed_s) == (at(2), at(3.5), 1.5 * H)
    second = clock(result, NEXT_REPLY, 1)
    # Started 14:00 EST with 2 h: 3 h of the day are left, so due 16:00 EST; it is the next clock.
    assert second.fulfilled_at is None and second.due_at == at(7)
    assert result.next is second and result.agent_replies == 2


def test_solving_fulfils_the_resolution_and_reopening_resumes_it():
    solved = evaluate(ticket("solved", updated=at(3)), [reply(1), status(3, "solved")], RULES)
    assert clock(solved, RESOLUTION).fulfilled_at == at(3) and clock(solved, RESOLUTION).elapsed_s == 3 * H
    assert solved.next is None and solved.due_at is None
    # Reopened the next morning: the 3 h counted stand, the solved night does not count, 45 h remain.
    reopened = evaluate(ticket("open", updated=at(24)),
                        [reply(1), status(3, "solved"), status(24, "open")], RULES)
    resolution = clock(reopened, RESOLUTION)
    assert resolution.fulfilled_at is None
    assert resolution.due_at == NY_due(at(24), 45 * H)


def NY_due(start: dt.datetime, seconds: float) -> dt.datetime:  # noqa: N802 - reads as the calendar's name
    calendar = RULES.policies[-1].calendar
    due = calendar.add(start, seconds)
    assert due is not None
    return due


def test_policy_follows_priority_tier_and_plan():
    assert evaluate(ticket(priority="urgent"), [], RULES).policy == "Critical"
    assert evaluate(ticket(priority="urgent", tier=3), [], RULES).policy == "Tier 3 critical"
    assert evaluate(ticket(tier=3), [], RULES).policy == "Tier 3 standard"
    assert evaluate(ticket(plans=frozenset({"Enterprise"})), [], RULES).policy == "Premium customers"
    assert evaluate(ticket(category="bug"), [], RULES).policy == "Technical issues"
    # Critical runs around the clock: created Saturday 03:00 UTC, 30 minutes later it is due.
    sat = Ticket(dt.datetime(2026, 11, 21, 3), dt.datetime(2026, 11, 21, 3), "new", "urgent", 1, "outage")
    assert clock(evaluate(sat, [], RULES), FIRST_REPLY).due_at == dt.datetime(2026, 11, 21, 3, 30)


def test_a_priority_change_retargets_the_running_clock_from_its_start():
    # Normal (2 h business) until 10:00 EST, then urgent: the Critical policy's 30 min from creation, 24/7.
    log = [Event(at(1), "priority", "agent", {"priority": "urgent", "previous": "normal"})]
    result = evaluate(ticket(priority="urgent", updated=at(1)), log, RULES)
    assert clock(result, FIRST_REPLY).due_at == at(0.5)
    # The first reply met at 09:45 was judged by the priority then: normal, 2 h, met.
    met = evaluate(ticket(priority="urgent", updated=at(1)), [reply(0.75), *log], RULES)
    assert clock(met, FIRST_REPLY).policy == "General and billing" and not clock(met, FIRST_REPLY).breached


def test_an_escalation_to_tier_3_takes_the_tier_3_policy_for_the_clocks_after_it():
    log = [reply(0.5), Event(at(1), "escalation", "agent", {"tier": 3}), reply(2, "customer")]
    result = evaluate(ticket(tier=3, updated=at(2)), log, RULES)
    assert clock(result, FIRST_REPLY).policy == "General and billing"  # answered at tier 1
    assert clock(result, NEXT_REPLY).policy == "Tier 3 standard" and clock(result, NEXT_REPLY).target_s == 8 * H


def test_the_row_status_wins_over_an_incomplete_log_but_not_over_a_newer_local_change():
    # The server says pending (changed at 11:00 without an event in the cache): paused since 11:00.
    assert evaluate(ticket("pending", updated=at(2)), [reply(1)], RULES).next.paused
    # A status written here a moment after the row's last update (not yet applied by the server) stands.
    local = evaluate(ticket("open", updated=at(2)), [reply(1), status(2.0001, "pending")], RULES)
    assert local.next.paused



def test_a_local_priority_change_or_escalation_retargets_before_the_server_applies_it():
    # The row still says normal, tier 1 (as the server last described it); the change was written here at 10:00.
    urgent = [Event(at(1), "priority", "agent", {"priority": "urgent", "previous": "normal"})]
    assert clock(evaluate(ticket(updated=at(1)), urgent, RULES), FIRST_REPLY).due_at == at(0.5)
    escalated = [reply(0.5), reply(0.75, "customer"), Event(at(1), "escalation", "agent", {"tier": 3})]
    assert clock(evaluate(ticket(updated=at(1)), escalated, RULES), NEXT_REPLY).policy == "Tier 3 standard"
    # A log older than the row is history: the row's priority holds (the server reverted it at 11:00).
    assert clock(evaluate(ticket(updated=at(2)), urgent, RULES), FIRST_REPLY).policy == "General and billing"


def test_walk_counts_around_pauses_and_stops_at_an_open_one():
    calendar = RULES.policies[-1].calendar
    stops = [(at(1), at(2)), (at(5), None)]
    counted = walk(calendar, MON, stops, [H, 3 * H])
    assert counted.reached == (at(1), at(4)) and not counted.stopped_open
    paused = walk(calendar, MON, stops, [5 * H])
    assert paused.reached == (None,) and paused.stopped_open and paused.elapsed_s == 4 * H
