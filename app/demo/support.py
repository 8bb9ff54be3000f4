"""Support tickets and their event logs, generated lazily so a million tickets stay cheap.

Generation has two steps.  A fast sequential pass draws each ticket's timeline
(created, last activity, lifecycle state, number of events) into compact
arrays and sorts the tickets by last activity, which is all the change feeds
need to page.  The rest of a ticket — customer, category, subject and body,
priority, who held it, escalations — is its *story*, told from a generator
seeded by the ticket number only when a page asks for it.  So the same seed
always tells the same story, and memory holds arrays instead of dicts.

Generated events carry their ticket's last-activity time as ``updated_at``
(when the server last wrote them), which keeps each ticket's log together in
the ``ticket_events`` feed; events written through the API get fresh stamps.

Each ticket's ``sla_due_at`` is computed from its story with the SLA rules
the server publishes (``app.sla_rules``, shared with the console, which
computes the same clocks from the same events).  Timelines are drawn so the
open queue looks like a working team's: agents answer first within minutes to
a couple of hours, most open tickets are young, a third wait on the customer
(pending, on hold), and a few have slipped past their targets.  Solved tickets
get a satisfaction rating from about a third of their requesters.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import random
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from app.demo import vocabulary as words
from app.sla_rules import clocks
from app.sla_rules.calendars import Calendar
from app.sla_rules.policies import NEXT_REPLY, Facts, Rules

FIRST_ID = 10_001
HOUR = 3_600
DAY = 86_400
STATES = ("solved", "closed", "new", "open", "pending", "on_hold")
PRIORITIES = ("urgent", "high", "normal", "low")
EPOCH = dt.datetime(1970, 1, 1)
Row = dict[str, Any]
_CUSTOMER_REPLIES = ("Thanks, that helps — one more question about it.", "Still happening on our side, sorry.",
                     "Attached the screenshot you asked for.", "Any update on this?")
_AGENT_REPLIES = ("Could you send us a screenshot of the error?", "A fix is scheduled for the next release.",
                  "We changed the setting on our side; please try again.", "Following up: is this solved for you?")


def _at(seconds: int) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=seconds)


def role_of(author: str | None, contact: str) -> str:
    """Who wrote an event, as SLA clocks need it: the requester, the triage automation, or an agent."""
    return "customer" if author == contact else "system" if author == "Triage" else "agent"


def event_id(ticket_id: int, n: int) -> str:
    """Zero-padded so string order equals (ticket, n) order, as the feed's key needs."""
    return f"te_{ticket_id:08d}_{n:02d}"


class TicketBook:
    """All generated tickets: timelines in arrays, stories on demand (cached per ticket)."""

    def __init__(
        self, seed: int, count: int, now: dt.datetime, requesters: Sequence[tuple[str, str]],
        plans: Callable[[str | None], frozenset[str]], rules: Rules,
    ) -> None:
        self._seed = seed
        self._requesters = requesters
        self._plans = plans
        self.rules = rules
        self.created = array("q")
        self.updated = array("q")
        self.state = array("b")
        self.event_count = array("b")
        rng = random.Random(f"tickets:{seed}")
        end = int((now - EPOCH).total_seconds()) - 60
        self._end = end
        start = end - 365 * DAY
        for i in range(count):
            created = start + int(365 * DAY * ((i + rng.random()) / count) ** 0.85)
            duration = 600 + int(rng.expovariate(1 / (36 * HOUR if rng.random() < 0.8 else 3 * DAY)))
            if created + duration < end:
                state = 1 if created + duration < end - 4 * DAY else 0
                updated, events = created + duration, rng.randint(3, 7)
            elif end - created < 2 * HOUR or rng.random() < 0.03:
                state, updated, events = 2, created, 0
            else:
                state = rng.choices((3, 4, 5), weights=(62, 28, 10))[0]
                updated, events = created + int((end - created) * rng.random()), rng.randint(3, 7)
            self.created.append(created)
            self.updated.append(updated)
            self.state.append(state)
            self.event_count.append(events)
        self.order = sorted(range(count), key=self.updated.__getitem__)
        self.position = array("l", bytes(8 * count))
        for p, i in enumerate(self.order):
            self.position[i] = p
        self.story = functools.lru_cache(maxsize=4_096)(self._tell)

    def __len__(self) -> int:
        return len(self.created)

    def _tell(self, i: int) -> tuple[Row, tuple[Row, ...]]:
        """Ticket ``i`` and its events, consistent with its timeline."""
        rng = random.Random(self._seed * 1_000_003 + i)
        ticket_id, created, updated = FIRST_ID + i, self.created[i], self.updated[i]
        state, n_events = STATES[self.state[i]], self.event_count[i]
        category = rng.choices(list(words.TICKET_CATEGORIES), [v[0] for v in words.TICKET_CATEGORIES.values()])[0]
        _, tier_weights, subjects, openings = words.TICKET_CATEGORIES[category]
        final_tier = rng.choices((1, 2, 3), weights=tier_weights)[0]
        if rng.random() < 0.9 and self._requesters:
            customer_id, email = rng.choice(self._requesters)
        else:
            customer_id, email = None, f"{rng.choice(words.FIRST_NAMES)}@prospect.example".lower()
        contact = email.split("@")[0].split(".")[0].title()
        fill = {
            "month": _at(created).strftime("%B"), "plan": rng.choice(("Starter", "Professional", "Enterprise")),
            "feature": rng.choice(words.FEATURES).capitalize(), "format": rng.choice(words.FORMATS),
            "object": rng.choice(words.OBJECTS), "percent": rng.randint(3, 97), "idp": rng.choice(words.IDPS),
            "time": _at(created).strftime("%H:%M UTC"), "seats": rng.choice((5, 50, 1000)),
            "name": f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}",
        }
        subject = rng.choice(subjects).format(**fill)
        body = f"Hi team,\n\n{rng.choice(openings)}\n\nThanks,\n{contact}"
        priority = rng.choices(PRIORITIES, weights=(40, 40, 15, 5) if category == "outage" else (4, 18, 58, 20))[0]
        policy = self.rules.policy_for(Facts(priority, category, 1, self._plans(customer_id)))
        times = self._times(rng, created, updated, n_events, priority, None if policy is None else policy.calendar)
        tier, assignee = 1, rng.choice(words.AGENTS[1])
        kinds = self._kinds(rng, n_events, final_tier, needs_status=state not in ("new", "open"))
        waiting_since = None
        if state == "open" and n_events >= 4 and rng.random() < 0.3:  # the requester wrote last: our move
            facts = Facts(priority, category, final_tier, self._plans(customer_id))
            waiting_since = self._awaiting_reply(rng, facts, times[1], updated)
        if waiting_since is not None:
            kinds[-2:] = ["reply", "note"]
            times = [min(t, waiting_since) for t in times[:-2]] + [waiting_since, updated]
        events: list[Row] = []
        first_response = None
        # An open ticket's last reply is ours unless the requester is waiting on purpose (above).
        replies = [n for n, kind in enumerate(kinds) if kind == "reply"]
        agent_last = replies[-1] if replies and waiting_since is None and state not in ("solved", "closed") else -1
        for n, (kind, at) in enumerate(zip(kinds, times, strict=True)):
            author, text = assignee, None
            data: dict[str, Any] | None = None
            if kind == "assignee":
                author, data = "Triage", {"assignee": assignee}
            elif kind == "reply":
                from_customer = n > 1 and (rng.random() < 0.4 or at == waiting_since) and n != agent_last
                author = contact if from_customer else assignee
                if from_customer:
                    text = rng.choice(_CUSTOMER_REPLIES)
                elif first_response is None:
                    text, first_response = f"Hi {contact}, thanks for reaching out. We are looking into it.", at
                else:
                    text = rng.choice(_AGENT_REPLIES)
            elif kind == "note":
                text = "Checked the logs; looks related to the last deploy. Keeping an eye on it."
            elif kind == "priority":
                previous, priority = priority, rng.choice([p for p in PRIORITIES if p != priority])
                data = {"priority": priority, "previous": previous}
            elif kind == "escalation":
                tier, assignee = tier + 1, rng.choice(words.AGENTS[tier + 1])
                data, text = {"tier": tier, "assignee": assignee}, f"Escalating to tier {tier}."
            elif kind == "status":
                data = {"status": state}
            events.append({
                "id": event_id(ticket_id, n), "ticket_id": ticket_id, "kind": kind, "author": author,
                "author_role": role_of(author, contact), "body": text, "data": data, "created_at": _at(at),
                "updated_at": _at(updated),
            })
        resolved = state in ("solved", "closed")
        ticket = {
            "id": ticket_id, "subject": subject, "body": body, "customer_id": customer_id,
            "requester_email": email, "status": state, "priority": priority, "tier": tier, "category": category,
            "assignee": assignee if n_events else None, "created_at": _at(created), "updated_at": _at(updated),
            "first_response_at": None if first_response is None else _at(first_response),
            "resolved_at": _at(updated) if resolved else None, "sla_due_at": None, "escalated": tier > 1,
        }
        ticket["sla_due_at"] = self.due_at(ticket, events)
        return ticket, tuple(events)

    @staticmethod
    def _times(
        rng: random.Random, created: int, updated: int, n_events: int, priority: str, hours: Calendar | None,
    ) -> list[int]:
        """When each event happened: assigned at once, a first reply within minutes to hours (now and then a
        day or two) of the team's working time (``hours``: nobody answers a ticket that came in at night before the
        morning), the rest in between, the last at the ticket's last activity."""
        if n_events == 0:
            return []
        fast = 40 * 60 if priority == "urgent" else 100 * 60
        delay = rng.randint(120, fast) if rng.random() < 0.9 else rng.randint(fast, 12 * HOUR)
        reply_at = None if hours is None else hours.add(_at(created), delay)
        first = created + delay if reply_at is None else int((reply_at - EPOCH).total_seconds())
        first = min(first, updated)
        rest = sorted(rng.randint(first, updated) for _ in range(n_events - 3))
        return [min(created + 60, first), first, *rest, updated][:n_events] if n_events > 1 else [updated]

    def _awaiting_reply(self, rng: random.Random, facts: Facts, first_reply: int, updated: int) -> int | None:
        """When the requester's last reply came, so that our next reply stands somewhere between three
        quarters of its target and a little past it now (None when the ticket's timeline cannot fit it)."""
        policy = self.rules.policy_for(facts)
        if policy is None:
            return None
        want = policy.target(NEXT_REPLY) * rng.uniform(0.74, 1.15)
        now = _at(self._end)
        lo, hi = first_reply, updated  # business time to now shrinks as the reply moves later
        if policy.calendar.business_seconds(_at(hi), now) > want:
            return None
        while hi - lo > 60:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if policy.calendar.business_seconds(_at(mid), now) > want else (lo, mid)
        return hi

    def due_at(self, ticket: Row, events: Iterable[Row]) -> dt.datetime | None:
        """The ticket's next SLA breach instant under the published rules (None: paused, met or none)."""
        state = clocks.Ticket(
            ticket["created_at"], ticket["updated_at"], ticket["status"], ticket["priority"], ticket["tier"],
            ticket["category"], self._plans(ticket["customer_id"]), ticket["first_response_at"],
        )
        log = [clocks.Event(e["created_at"], e["kind"], e.get("author_role"), e.get("data")) for e in events]
        return clocks.evaluate(state, log, self.rules).due_at

    @staticmethod
    def _kinds(rng: random.Random, n_events: int, final_tier: int, needs_status: bool) -> list[str]:
        """Event kinds in order: assigned, first reply, the middle, a closing status change."""
        if n_events == 0:
            return []
        middle = n_events - 2 - needs_status
        escalations = min(final_tier - 1, middle)
        rest = rng.choices(("reply", "reply", "note", "priority"), k=middle - escalations)
        return ["assignee", "reply", *(["escalation"] * escalations), *rest, *(["status"] * needs_status)]


class TicketSource:
    """The tickets feed's generated base, in (updated_at, id) order."""

    def __init__(self, book: TicketBook) -> None:
        self._book = book

    def __len__(self) -> int:
        return len(self._book)

    def key(self, index: int) -> tuple[int, int]:
        i = self._book.order[index]
        return self._book.updated[i] * 1_000_000, FIRST_ID + i

    def row(self, index: int) -> Row:
        return dict(self._book.story(self._book.order[index])[0])

    def index_of(self, row_id: Any) -> int | None:
        i = row_id - FIRST_ID if isinstance(row_id, int) else -1
        return self._book.position[i] if 0 <= i < len(self._book) else None


class TicketEventSource:
    """The ticket_events feed's generated base: each ticket's log, tickets in feed order."""

    def __init__(self, book: TicketBook) -> None:
        self._book = book
        self._starts = array("q", [0])
        for i in book.order:
            self._starts.append(self._starts[-1] + book.event_count[i])

    def __len__(self) -> int:
        return self._starts[-1]

    def _locate(self, index: int) -> tuple[int, int]:
        position = bisect.bisect_right(self._starts, index) - 1
        return self._book.order[position], index - self._starts[position]

    def key(self, index: int) -> tuple[int, str]:
        i, n = self._locate(index)
        return self._book.updated[i] * 1_000_000, event_id(FIRST_ID + i, n)

    def row(self, index: int) -> Row:
        i, n = self._locate(index)
        return dict(self._book.story(i)[1][n])

    def index_of(self, row_id: Any) -> int | None:
        try:
            _, ticket, number = str(row_id).split("_")
            i, n = int(ticket) - FIRST_ID, int(number)
        except ValueError:
            return None
        if not (0 <= i < len(self._book) and 0 <= n < self._book.event_count[i]):
            return None
        return self._starts[self._book.position[i]] + n



RATING_DELAY = 2 * HOUR  # requesters rate a while after the ticket is solved
_RATING_COMMENTS = {5: "Quick and friendly, thank you!", 4: "Solved, took a little while.", 3: "Okay in the end.",
                    2: "Took too long to get an answer.", 1: "The problem is still not really fixed."}


class RatingSource:
    """The ticket_ratings feed's generated base: about a third of solved tickets rated, in feed order.

    A rating's time is its ticket's solve time plus ``RATING_DELAY``, so ratings
    follow their tickets' order and need no sort of their own.
    """

    def __init__(self, book: TicketBook, now: dt.datetime, seed: int) -> None:
        self._book = book
        self._seed = seed
        end = int((now - EPOCH).total_seconds())
        self._rated = array("l", (
            i for i in book.order
            if book.state[i] in (0, 1) and (i * 2654435761 + seed) % 100 < 35 and book.updated[i] + RATING_DELAY <= end
        ))
        self._position = {i: p for p, i in enumerate(self._rated)}

    def __len__(self) -> int:
        return len(self._rated)

    def key(self, index: int) -> tuple[int, str]:
        i = self._rated[index]
        return (self._book.updated[i] + RATING_DELAY) * 1_000_000, f"rt_{FIRST_ID + i:08d}"

    def row(self, index: int) -> Row:
        i = self._rated[index]
        rng = random.Random(f"rating:{self._seed}:{i}")
        score = rng.choices((5, 4, 3, 2, 1), weights=(70, 18, 6, 3, 3))[0]
        at = _at(self._book.updated[i] + RATING_DELAY)
        return {"id": f"rt_{FIRST_ID + i:08d}", "ticket_id": FIRST_ID + i, "score": score,
                "comment": _RATING_COMMENTS[score] if rng.random() < 0.4 else None, "created_at": at, "updated_at": at}

    def index_of(self, row_id: Any) -> int | None:
        text = str(row_id)
        if not text.startswith("rt_") or not text[3:].isdigit():
            return None
        return self._position.get(int(text[3:]) - FIRST_ID)


def policy_rows(calendars: Sequence[Mapping[str, Any]], policies: Sequence[Mapping[str, Any]],
                stamp: dt.datetime) -> list[Row]:
    """The published SLA policies (``/v1/sla-policies``): each in order, with its calendar spelt out."""
    by_name = {c["name"]: c for c in calendars}
    return [
        {**{k: v for k, v in p.items() if k != "calendar"}, "id": f"slap_{n + 1:02d}", "position": n + 1,
         "calendar": dict(by_name[p["calendar"]]), "updated_at": stamp}
        for n, p in enumerate(policies)
    ]
