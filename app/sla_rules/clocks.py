"""Each SLA metric's clock, computed from a ticket's event log.

Three metrics, as Zendesk, Freshdesk and Zammad count them:

* **first reply** starts when the ticket is created and is fulfilled by the
  first reply of an agent (or by solving the ticket);
* **next reply** starts at each customer reply that finds no next-reply clock
  running, after the first reply, and is fulfilled by the next agent reply
  (or by solving); a ticket can run several in its life;
* **resolution** starts when the ticket is created and is fulfilled when it is
  solved or closed; reopening it resumes the same clock.

Every clock pauses while the ticket's status is one of the pausing statuses
(pending and on hold by default) and counts only its policy's business time.
The policy is the first that matches the ticket as it stood when the clock
stopped (fulfilled), or as it stands now (running): a priority change or an
escalation re-targets a running clock from its start, as the help desks do.

Nothing here depends on the present moment: a clock's breach instant
(``due_at``) and pre-breach instant (``warn_at``) are absolute, so stored
clocks stay right as time passes and only comparisons with *now* change.
A clock paused before its breach has no due instant, only business time left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.sla_rules.calendars import Calendar
from app.sla_rules.policies import FIRST_REPLY, NEXT_REPLY, RESOLUTION, SOLVED_STATUSES, Facts, Policy, Rules

CUSTOMER = "customer"  # an event's author role; anything else that replies is the support team


@dataclass(frozen=True)
class Event:
    """One entry of the ticket's log, as the clocks read it."""

    at: dt.datetime
    kind: str  # reply | note | status | assignee | priority | escalation
    author_role: str | None = None  # agent | customer | system (replies by None count as the team's)
    data: Mapping[str, Any] | None = None

    @property
    def agent_reply(self) -> bool:
        return self.kind == "reply" and self.author_role != CUSTOMER

    @property
    def customer_reply(self) -> bool:
        return self.kind == "reply" and self.author_role == CUSTOMER


@dataclass(frozen=True)
class Ticket:
    """A ticket as it stands now (the row the server last sent)."""

    created_at: dt.datetime
    updated_at: dt.datetime
    status: str
    priority: str
    tier: int
    category: str | None = None
    plans: frozenset[str] = frozenset()
    first_response_at: dt.datetime | None = None


@dataclass(frozen=True)
class Clock:
    """One metric's clock: when it started, its target, and where it stands."""

    metric: str
    seq: int  # 0 for first reply and resolution; 0, 1, … for successive next-reply clocks
    policy: str
    target_s: int
    started_at: dt.datetime
    due_at: dt.datetime | None  # the breach instant; None while paused before it, or met without reaching it
    warn_at: dt.datetime | None  # when the pre-breach window opens (None: never reached)
    fulfilled_at: dt.datetime | None
    elapsed_s: float | None  # business seconds counted at fulfilment, or when the pause began
    paused: bool = False

    @property
    def breached(self) -> bool:
        """Missed for good: fulfilled after its due instant (a running clock's breach depends on now)."""
        return self.due_at is not None and self.fulfilled_at is not None and self.fulfilled_at > self.due_at

    @property
    def left_s(self) -> float | None:
        """Business seconds left on a clock paused before its breach."""
        return None if not self.paused or self.elapsed_s is None else max(0.0, self.target_s - self.elapsed_s)


@dataclass(frozen=True)
class TicketClocks:
    """Every clock of one ticket, and the policy that covers it now."""

    policy: str | None
    clocks: tuple[Clock, ...]
    agent_replies: int

    @property
    def running(self) -> tuple[Clock, ...]:
        return tuple(c for c in self.clocks if c.fulfilled_at is None)

    @property
    def next(self) -> Clock | None:
        """The clock the queue counts down: the earliest breach among unfulfilled ones, else the paused one
        with the least time left."""
        timed = [c for c in self.running if c.due_at is not None]
        if timed:
            return min(timed, key=lambda c: (c.due_at, c.metric))
        paused = [c for c in self.running if c.paused]
        return min(paused, key=lambda c: (c.left_s, c.metric)) if paused else None

    @property
    def due_at(self) -> dt.datetime | None:
        """What the Ops API serves as ``sla_due_at``: the next breach instant, none while paused or met."""
        clock = self.next
        return None if clock is None else clock.due_at


# --------------------------------------------------------------------------- counting business time

Stop = tuple[dt.datetime, dt.datetime | None]  # [from, to) when the clock stands still; to=None: still now


@dataclass(frozen=True)
class Walk:
    """Where a clock's count reached each mark (None: not before it stopped) and how much it counted."""

    reached: tuple[dt.datetime | None, ...]
    elapsed_s: float
    stopped_open: bool  # the walk ended in a pause that lasts until now


def walk(
    calendar: Calendar,
    start: dt.datetime,
    stops: Sequence[Stop],
    marks: Sequence[float],
    until: dt.datetime | None = None,
) -> Walk:
    """Count ``calendar``'s business seconds from ``start``, skipping ``stops``, until ``until`` or an open stop.

    ``marks`` are counts (seconds) whose instants are wanted: the target and the
    pre-breach point.  Without ``until`` or an open-ended stop the walk ends at
    the last mark, so a running clock costs only the days up to its breach.
    """
    reached: list[dt.datetime | None] = [None] * len(marks)
    order = sorted(range(len(marks)), key=lambda i: marks[i])
    pending = 0  # index into ``order`` of the next mark to reach
    elapsed = 0.0
    stop_i = 0
    for opens, closes in calendar.open_intervals(start):
        if until is not None:
            if opens >= until:
                break
            closes = min(closes, until)
        cursor = opens
        while cursor < closes:
            while stop_i < len(stops) and (ends := stops[stop_i][1]) is not None and ends <= cursor:
                stop_i += 1
            stop = stops[stop_i] if stop_i < len(stops) else None
            if stop is not None and stop[0] <= cursor:  # inside a pause: jump to its end
                if stop[1] is None:
                    return Walk(tuple(reached), elapsed, True)
                cursor = stop[1]
                continue
            piece_end = closes if stop is None else min(closes, stop[0])
            length = (piece_end - cursor).total_seconds()
            while pending < len(order) and elapsed + length >= marks[order[pending]]:
                reached[order[pending]] = cursor + dt.timedelta(seconds=marks[order[pending]] - elapsed)
                pending += 1
            elapsed += length
            cursor = piece_end
            if until is None and pending == len(order):
                return Walk(tuple(reached), elapsed, False)
    return Walk(tuple(reached), elapsed, False)


# --------------------------------------------------------------------------- the ticket's story


@dataclass(frozen=True)
class _Story:
    """The log read once: status periods, replies, and how priority and tier changed."""

    statuses: tuple[tuple[dt.datetime, str], ...]  # (from, status), in order; the last one holds now
    events: tuple[Event, ...]
    priorities: tuple[tuple[dt.datetime, str], ...]
    tiers: tuple[tuple[dt.datetime, int], ...]
    priority_now: str
    tier_now: int


def _story(ticket: Ticket, events: Iterable[Event]) -> _Story:
    ordered = tuple(sorted(events, key=lambda e: e.at))
    statuses: list[tuple[dt.datetime, str]] = [(ticket.created_at, "new")]
    priorities: list[tuple[dt.datetime, str]] = []
    tiers: list[tuple[dt.datetime, int]] = []
    for e in ordered:
        data = e.data or {}
        if e.kind == "status" and isinstance(data.get("status"), str):
            statuses.append((max(e.at, statuses[-1][0]), data["status"]))
        elif e.kind == "priority" and isinstance(data.get("priority"), str):
            if not priorities and isinstance(data.get("previous"), str):
                priorities.append((ticket.created_at, data["previous"]))
            priorities.append((e.at, data["priority"]))
        elif e.kind == "escalation":
            tier = data.get("tier")
            previous = tiers[-1][1] if tiers else None
            if type(tier) is not int:
                tier = min(3, (previous or 1) + 1)
            if not tiers:
                tiers.append((ticket.created_at, max(1, tier - 1)))
            tiers.append((e.at, tier))
    # The row's status wins over an incomplete log -- unless the log is newer than the row: a status
    # change written here and not yet applied by the server.
    if statuses[-1][1] != ticket.status and ticket.updated_at > statuses[-1][0]:
        statuses.append((ticket.updated_at, ticket.status))
    # Likewise the row's priority and tier, unless the log changed them since the row was written.
    priority_now = priorities[-1][1] if priorities and priorities[-1][0] >= ticket.updated_at else ticket.priority
    tier_now = tiers[-1][1] if tiers and tiers[-1][0] >= ticket.updated_at else ticket.tier
    return _Story(tuple(statuses), ordered, tuple(priorities), tuple(tiers), priority_now, tier_now)


def _value_at(changes: Sequence[tuple[dt.datetime, Any]], when: dt.datetime | None, now_value: Any) -> Any:
    """The value a changing field had at ``when`` (None: now); before any change, the first value known."""
    if when is None or not changes:
        return now_value
    value = changes[0][1]
    for at, changed_to in changes:
        if at > when:
            break
        value = changed_to
    return value


def _periods(story: _Story, statuses: frozenset[str]) -> list[Stop]:
    """The periods the ticket spent in one of ``statuses`` (the last may still be open)."""
    periods: list[Stop] = []
    marks = story.statuses
    for i, (at, status) in enumerate(marks):
        if status not in statuses:
            continue
        end = marks[i + 1][0] if i + 1 < len(marks) else None
        if periods and periods[-1][1] == at:  # adjoining periods merge
            periods[-1] = (periods[-1][0], end)
        elif end is None or end > at:
            periods.append((at, end))
    return periods


def _first_solved(story: _Story, after: dt.datetime) -> dt.datetime | None:
    return next((at for at, s in story.statuses if s in SOLVED_STATUSES and at >= after), None)


def _final_solve(story: _Story) -> dt.datetime | None:
    """When the ticket was last solved, if it is solved now."""
    if story.statuses[-1][1] not in SOLVED_STATUSES:
        return None
    at = story.statuses[-1][0]
    for previous_at, status in reversed(story.statuses[:-1]):
        if status not in SOLVED_STATUSES:
            break
        at = previous_at
    return at


def _earliest(*instants: dt.datetime | None) -> dt.datetime | None:
    present = [i for i in instants if i is not None]
    return min(present) if present else None


# --------------------------------------------------------------------------- evaluation


def _clock(
    metric: str, seq: int, start: dt.datetime, fulfilled: dt.datetime | None, stops: Sequence[Stop],
    policy: Policy, rules: Rules,
) -> Clock:
    target = policy.target(metric)
    marks = (target, target * (1.0 - rules.pre_breach_share))
    counted = walk(policy.calendar, start, stops, marks, until=fulfilled)
    due, warn = counted.reached
    paused = fulfilled is None and due is None and counted.stopped_open
    elapsed = counted.elapsed_s if fulfilled is not None or paused else None
    return Clock(metric, seq, policy.name, target, start, due, warn, fulfilled, elapsed, paused)


def evaluate(ticket: Ticket, events: Iterable[Event], rules: Rules) -> TicketClocks:
    """Every clock of ``ticket`` from its log under ``rules`` (no policy covering it: no clocks)."""
    story = _story(ticket, events)
    matched: dict[tuple[str, int], Policy | None] = {}

    def policy_at(when: dt.datetime | None) -> Policy | None:
        key = (_value_at(story.priorities, when, story.priority_now), _value_at(story.tiers, when, story.tier_now))
        if key not in matched:
            matched[key] = rules.policy_for(Facts(key[0], ticket.category, key[1], ticket.plans))
        return matched[key]

    pauses = _periods(story, rules.pause_statuses)
    solved = _periods(story, frozenset(SOLVED_STATUSES))
    agent_replies = [e.at for e in story.events if e.agent_reply]
    clocks: list[Clock] = []

    first_done = _earliest(
        agent_replies[0] if agent_replies else None, ticket.first_response_at,
        _first_solved(story, ticket.created_at),
    )
    if (policy := policy_at(first_done)) is not None:
        clocks.append(_clock(FIRST_REPLY, 0, ticket.created_at, first_done, pauses, policy, rules))

    if first_done is not None:
        seq, started = 0, None
        for e in story.events:
            if e.at < first_done:
                continue
            if started is None and e.customer_reply and not _solved_at(story, e.at):
                started = e.at
            elif started is not None and e.agent_reply:
                clocks.extend(_next_reply(seq, started, e.at, pauses, policy_at(e.at), rules))
                seq, started = seq + 1, None
        if started is not None:
            done = _first_solved(story, started)
            clocks.extend(_next_reply(seq, started, done, pauses, policy_at(done), rules))

    resolved = _final_solve(story)
    if (policy := policy_at(resolved)) is not None:
        stops = sorted(pauses + [s for s in solved if s[1] is not None], key=lambda s: s[0])
        clocks.append(_clock(RESOLUTION, 0, ticket.created_at, resolved, stops, policy, rules))
    now_policy = policy_at(None)
    return TicketClocks(None if now_policy is None else now_policy.name, tuple(clocks), len(agent_replies))


def _next_reply(
    seq: int, start: dt.datetime, done: dt.datetime | None, pauses: Sequence[Stop], policy: Policy | None,
    rules: Rules,
) -> list[Clock]:
    return [] if policy is None else [_clock(NEXT_REPLY, seq, start, done, pauses, policy, rules)]


def _solved_at(story: _Story, when: dt.datetime) -> bool:
    status = story.statuses[0][1]
    for at, s in story.statuses:
        if at > when:
            break
        status = s
    return status in SOLVED_STATUSES
