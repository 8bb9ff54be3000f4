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
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import random
from array import array
from collections.abc import Sequence
from typing import Any

from app.demo import vocabulary as words

FIRST_ID = 10_001
HOUR = 3_600
DAY = 86_400
STATES = ("solved", "closed", "new", "open", "pending", "on_hold")
PRIORITIES = ("urgent", "high", "normal", "low")
RESOLUTION_TARGET_S = {"urgent": 4 * HOUR, "high": DAY, "normal": 3 * DAY, "low": 5 * DAY}
EPOCH = dt.datetime(1970, 1, 1)
Row = dict[str, Any]
_CUSTOMER_REPLIES = ("Thanks, that helps — one more question about it.", "Still happening on our side, sorry.",
                     "Attached the screenshot you asked for.", "Any update on this?")
_AGENT_REPLIES = ("Could you send us a screenshot of the error?", "A fix is scheduled for the next release.",
                  "We changed the setting on our side; please try again.", "Following up: is this solved for you?")


def _at(seconds: int) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=seconds)


def event_id(ticket_id: int, n: int) -> str:
    """Zero-padded so string order equals (ticket, n) order, as the feed's key needs."""
    return f"te_{ticket_id:08d}_{n:02d}"


class TicketBook:
    """All generated tickets: timelines in arrays, stories on demand (cached per ticket)."""

    def __init__(self, seed: int, count: int, now: dt.datetime, requesters: Sequence[tuple[str, str]]) -> None:
        self._seed = seed
        self._requesters = requesters
        self.created = array("q")
        self.updated = array("q")
        self.state = array("b")
        self.event_count = array("b")
        rng = random.Random(f"tickets:{seed}")
        end = int((now - EPOCH).total_seconds()) - 60
        start = end - 365 * DAY
        for i in range(count):
            created = start + int(365 * DAY * ((i + rng.random()) / count) ** 0.85)
            duration = 600 + int(rng.expovariate(1 / (36 * HOUR)))
            if created + duration < end:
                state = 1 if created + duration < end - 4 * DAY else 0
                updated, events = created + duration, rng.randint(3, 7)
            elif end - created < 2 * HOUR or rng.random() < 0.08:
                state, updated, events = 2, created, 0
            else:
                state = rng.choices((3, 4, 5), weights=(55, 33, 12))[0]
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
        times = sorted(rng.randint(created, updated) for _ in range(n_events - 1))
        times += [updated] if n_events else []
        tier, assignee = 1, rng.choice(words.AGENTS[1])
        kinds = self._kinds(rng, n_events, final_tier, needs_status=state not in ("new", "open"))
        events: list[Row] = []
        first_response = None
        for n, (kind, at) in enumerate(zip(kinds, times, strict=True)):
            author, text = assignee, None
            data: dict[str, Any] | None = None
            if kind == "assignee":
                author, data = "Triage", {"assignee": assignee}
            elif kind == "reply":
                from_customer = n > 1 and rng.random() < 0.4
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
                priority = rng.choice([p for p in PRIORITIES if p != priority])
                data = {"priority": priority}
            elif kind == "escalation":
                tier, assignee = tier + 1, rng.choice(words.AGENTS[tier + 1])
                data, text = {"tier": tier, "assignee": assignee}, f"Escalating to tier {tier}."
            elif kind == "status":
                data = {"status": state}
            events.append({
                "id": event_id(ticket_id, n), "ticket_id": ticket_id, "kind": kind, "author": author,
                "body": text, "data": data, "created_at": _at(at), "updated_at": _at(updated),
            })
        resolved = state in ("solved", "closed")
        ticket = {
            "id": ticket_id, "subject": subject, "body": body, "customer_id": customer_id,
            "requester_email": email, "status": state, "priority": priority, "tier": tier, "category": category,
            "assignee": assignee if n_events else None, "created_at": _at(created), "updated_at": _at(updated),
            "first_response_at": None if first_response is None else _at(first_response),
            "resolved_at": _at(updated) if resolved else None,
            "sla_due_at": _at(created + RESOLUTION_TARGET_S[priority]), "escalated": tier > 1,
        }
        return ticket, tuple(events)

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

