"""The generated business as one object: every resource, built on first use, plus test levers.

Each part (billing, tickets, health, finance, licenses) is generated the first
time something asks for it, so starting a backend is instant and a benchmark
that only syncs tickets never pays for invoices.  All state is guarded by one
re-entrant lock: the HTTP server holds it while answering, tests hold nothing
(the mutation helpers take it themselves).

The Ops API's resources are ``Feed``s; time-driven series (health checks,
costs, usage) grow as the clock moves, through ``refresh``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from app import collector
from app.demo import access, stripe_objects
from app.demo.billing import Billing
from app.demo.catalog import PRICE_BY_ID, PRODUCT_BY_ID
from app.demo.clock import Clock
from app.demo.feed import Feed, ListSource, Row
from app.demo.finance import Finance, budget_rows
from app.demo.fx import FxRates
from app.demo.health import Health
from app.demo.licenses import Holder, seed_activations, seed_licenses
from app.demo.payments import Payments
from app.demo.support import FIRST_ID, RatingSource, TicketBook, TicketEventSource, TicketSource, policy_rows
from app.demo.wire import unix
from app.sla_rules.policies import SEED_CALENDARS, SEED_POLICIES, seed_rules

OPS_RESOURCES = (
    "services", "incidents", "incident_updates", "sla-policies", "tickets", "ticket_events", "ticket_ratings",
    "licenses", "activations", "health_checks", "costs", "budgets", "usage", "maintenance_windows",
    "feature_flags", "access_grants", "customer_usage", "processing_failures", "fx-rates",
)
PLAN_STATUSES = ("active", "past_due", "trialing")  # what a customer is served as on its plan
SERIES = ("health_checks", "costs", "usage", "fx-rates")  # rows appear as the clock moves


_Part = TypeVar("_Part")


class Business:
    """Deterministic for (seed, sizes, anchor time); changed only through its methods."""

    def __init__(
        self, seed: int, customers: int, tickets: int, clock: Clock, *, health_days: int = 7,
        outage_tickets: bool = False,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.anchor = clock.now().replace(microsecond=0)
        self.lock = threading.RLock()
        self._sizes = {"customers": customers, "tickets": tickets, "health_days": health_days}
        self._outage_tickets = outage_tickets
        self._parts: dict[str, Any] = {}
        self._feeds: dict[str, Feed] = {}
        self._notes = 0
        self._series_until = self.anchor
        self._posted: dict[int, list[Row]] = {}  # events written through the API, per ticket

    # ------------------------------------------------------------------ parts, generated on first use

    def _part(self, name: str, make: Callable[[], _Part]) -> _Part:
        with self.lock:
            if name not in self._parts:
                with collector.paused():
                    self._parts[name] = make()
            part: _Part = self._parts[name]
            return part

    @property
    def billing(self) -> Billing:
        return self._part(
            "billing", lambda: Billing(self.seed, self._sizes["customers"], self.anchor, stripe_objects.render)
        )

    @property
    def payments(self) -> Payments:
        """Cards, charges and refunds: derived from billing the first time a client asks for them."""
        return self._part("payments", lambda: Payments(self.billing.invoices, unix(self.anchor)))

    @property
    def health(self) -> Health:
        return self._part("health", lambda: Health(self.seed, self.anchor, self._sizes["health_days"]))

    @property
    def finance(self) -> Finance:
        return self._part("finance", lambda: Finance(self.seed, self.anchor, self.billing.daily))

    @property
    def tickets(self) -> TicketBook:
        def make() -> TicketBook:
            requesters = [(c.id, c.email) for c in self.billing.customers]
            return TicketBook(self.seed, self._sizes["tickets"], self.anchor, requesters, self._plans, seed_rules())

        return self._part("tickets", make)

    @property
    def customer_plans(self) -> dict[str, frozenset[str]]:
        """Product names of each customer's live subscriptions (what SLA policies' plan conditions name)."""
        def make() -> dict[str, frozenset[str]]:
            plans: dict[str, set[str]] = {}
            for sub in self.billing.subscriptions:
                if sub.status in PLAN_STATUSES:
                    product = PRODUCT_BY_ID[PRICE_BY_ID[sub.price_id].product_id].name
                    plans.setdefault(sub.customer, set()).add(product)
            return {c: frozenset(names) for c, names in plans.items()}

        return self._part("customer_plans", make)

    def _plans(self, customer_id: str | None) -> frozenset[str]:
        return self.customer_plans.get(customer_id or "", frozenset())

    def feed(self, resource: str) -> Feed:
        """The change feed of an Ops API resource (``KeyError`` for an unknown one)."""
        with self.lock:
            if resource not in self._feeds:
                feed = Feed(self._builders[resource]())
                if resource == "tickets" and self._outage_tickets:
                    requesters = [(c.id, c.email) for c in self.billing.customers]
                    for row in self.health.outage_tickets(requesters, FIRST_ID + len(self.tickets)):
                        feed.put(row)
                if resource in SERIES:  # catch up with the clock moves it missed while not built
                    for row in self._series_rows(resource, self.anchor, self._series_until):
                        feed.put(row)
                self._feeds[resource] = feed
            return self._feeds[resource]

    @property
    def _builders(self) -> dict[str, Callable[[], Any]]:
        return {
            "services": lambda: ListSource(self.health.services),
            "incidents": lambda: ListSource(self.health.incidents),
            "incident_updates": lambda: ListSource(self.health.updates),
            "sla-policies": lambda: ListSource(policy_rows(SEED_CALENDARS, SEED_POLICIES, self.anchor)),
            "tickets": lambda: TicketSource(self.tickets),
            "ticket_events": lambda: TicketEventSource(self.tickets),
            "ticket_ratings": lambda: RatingSource(self.tickets, self.anchor, self.seed),
            "licenses": lambda: ListSource([row for _, row in self._seeded_licenses]),
            "activations": lambda: ListSource(seed_activations(self.seed, self._seeded_licenses, self.anchor)),
            "health_checks": lambda: ListSource(self._series_rows("health_checks", None, self.anchor)),
            "costs": lambda: ListSource(self._series_rows("costs", None, self.anchor)),
            "budgets": lambda: ListSource(budget_rows(self.anchor)),
            "usage": lambda: ListSource(self._series_rows("usage", None, self.anchor)),
            "fx-rates": lambda: ListSource(self._series_rows("fx-rates", None, self.anchor)),
            "maintenance_windows": lambda: ListSource(self.health.maintenance),
            "feature_flags": lambda: ListSource(access.flag_rows(self._mau(), self._day_start())),
            "access_grants": lambda: ListSource(access.grant_rows(self.seed, self.billing, self.anchor)),
            "customer_usage": lambda: ListSource(access.usage_rows(self.seed, self.billing, self.anchor)),
            "processing_failures": lambda: ListSource(access.failure_rows(self.seed, self.billing, self.anchor)),
        }

    def _day_start(self) -> dt.datetime:
        return self.anchor.replace(hour=0, minute=0, second=0)

    def _mau(self) -> int | None:
        """Monthly active users of the newest published usage day (what the feature counts are shares of)."""
        days = self.finance.published_days(None, self.anchor)
        return self.finance.usage(days[-1])["monthly_active_users"] if days else None

    def _series_rows(self, resource: str, after: dt.datetime | None, until: dt.datetime) -> list[Row]:
        """Rows of a time-driven series that appeared after ``after`` (None: its whole history) until ``until``."""
        if resource == "health_checks":
            return self.health.checks(after, until)
        if resource == "fx-rates":
            return FxRates(self.seed, self.anchor).rows(after, until)
        days = self.finance.published_days(after, until)
        if resource == "costs":
            return [row for day in days for row in self.finance.costs(day)]
        return [self.finance.usage(day) for day in days]

    @property
    def _seeded_licenses(self) -> list[tuple[str, Row]]:
        """(role, license) of the licenses issued before the demo starts (``app.demo.licenses.ROLES``)."""
        return self._part("licenses", lambda: seed_licenses(self.seed, self._license_holders(), self.anchor))

    def _license_holders(self) -> list[Holder]:
        """Every customer, with the subscription a license of theirs would follow (their latest)."""
        latest = {sub.customer: sub for sub in self.billing.subscriptions}  # listed oldest first
        holders = []
        for c in self.billing.customers:
            sub = latest.get(c.id)
            if sub is None:
                holders.append(Holder(c.id, c.name, c.email))
                continue
            tier = PRODUCT_BY_ID[PRICE_BY_ID[sub.price_id].product_id].tier
            holders.append(Holder(c.id, c.name, c.email, sub.id, sub.status, tier))
        return holders

    def refresh(self) -> None:
        """Extend the time-driven series up to the clock: new health checks, a new day's costs."""
        with self.lock:
            now = self.clock.now()
            if now <= self._series_until:
                return
            before, self._series_until = self._series_until, now
            for resource in SERIES:
                if resource in self._feeds:
                    for row in self._series_rows(resource, before, now):
                        self._feeds[resource].put(row)

    # ------------------------------------------------------------------ writes the Ops API applies

    def apply_ticket_event(self, ticket: Row, event: Row) -> Row:
        """Store ``event`` and let status/assignee/priority/escalation events change the ticket."""
        with self.lock:
            stamp = self.clock.stamp()
            data = event.get("data") or {}
            kind = event["kind"]
            if kind == "status":
                ticket["status"] = data["status"]
                resolved = data["status"] in ("solved", "closed")
                ticket["resolved_at"] = (ticket.get("resolved_at") or event["created_at"]) if resolved else None
            elif kind in ("assignee", "priority"):
                ticket[kind] = data[kind]
            elif kind == "escalation":
                ticket["tier"] = data.get("tier") or min(3, ticket["tier"] + 1)
                ticket["escalated"] = True
                ticket["assignee"] = data.get("assignee", ticket["assignee"])
            elif kind == "reply" and ticket.get("first_response_at") is None:
                ticket["first_response_at"] = event["created_at"]
            ticket["updated_at"] = stamp
            stored = {**event, "ticket_id": ticket["id"], "author_role": "agent", "updated_at": stamp}
            self._posted.setdefault(ticket["id"], []).append(stored)
            ticket["sla_due_at"] = self.tickets.due_at(ticket, self._log(ticket["id"]))
            self.feed("tickets").put(ticket)
            self.feed("ticket_events").put(stored)
            return stored

    def _log(self, ticket_id: int) -> list[Row]:
        """A ticket's whole log: its generated story and what was written through the API since."""
        i = ticket_id - FIRST_ID
        generated = list(self.tickets.story(i)[1]) if 0 <= i < len(self.tickets) else []
        return generated + self._posted.get(ticket_id, [])

    def open_incident(self, incident: Row) -> Row:
        with self.lock:
            stored = {**incident, "status": "investigating", "acknowledged_at": None, "acknowledged_by": None,
                      "resolved_at": None, "postmortem": None, "updated_at": self.clock.stamp()}
            self.feed("incidents").put(stored)
            return stored

    def change_incident(self, incident: Row, changes: Row) -> Row:
        """Store ``changes`` to an incident (an acknowledgement, a post-mortem) as a new version."""
        with self.lock:
            stored = {**incident, **changes, "updated_at": self.clock.stamp()}
            self.feed("incidents").put(stored)
            return stored

    def apply_incident_update(self, incident: Row, update: Row) -> Row:
        with self.lock:
            stamp = self.clock.stamp()
            incident["status"] = update["status"]
            if incident.get("acknowledged_at") is None:
                incident["acknowledged_at"] = update["created_at"]
            incident["resolved_at"] = update["created_at"] if update["status"] == "resolved" else None
            incident["updated_at"] = stamp
            self.feed("incidents").put(incident)
            stored = {**update, "incident_id": incident["id"], "updated_at": stamp}
            self.feed("incident_updates").put(stored)
            return stored

    def store_license(self, license_row: Row) -> Row:
        return self.store("licenses", license_row)

    def has_customer(self, customer_id: str) -> bool:
        """Whether Stripe knows the customer (and has not deleted them)."""
        with self.lock:
            customer = self.billing.by_id.get(customer_id)
            return customer is not None and customer.id.startswith("cus_") and not customer.deleted

    def store(self, resource: str, row: Row) -> Row:
        """Write a new version of a row (a license, an access grant) with a fresh change stamp."""
        with self.lock:
            stored = {**row, "updated_at": self.clock.stamp()}
            self.feed(resource).put(stored)
            return stored

    def store_activation(self, activation: Row) -> Row:
        with self.lock:
            stored = {**activation, "updated_at": self.clock.stamp()}
            self.feed("activations").put(stored)
            return stored

    # ------------------------------------------------------------------ levers for tests

    def touch_customers(self, count: int) -> list[str]:
        """Change ``count`` customers in Stripe (each gets a ``customer.updated`` event)."""
        with self.lock:
            return self.billing.touch_customers(count, self.clock.stamp())

    def create_customer(self, name: str, email: str) -> str:
        with self.lock:
            return self.billing.create_customer(name, email, self.clock.stamp())

    def delete_customer(self, customer_id: str) -> None:
        with self.lock:
            self.billing.delete_customer(customer_id, self.clock.stamp())

    def expire_card(self, customer_id: str, expired: bool = True) -> None:
        """Make the customer's card on file an expired one (the next payment attempt is declined), or renew it."""
        with self.lock:
            self.payments.expire_card(customer_id, expired)

    def cancel_subscription(self, subscription_id: str) -> None:
        with self.lock:
            self.billing.cancel_subscription(subscription_id, self.clock.stamp())

    def change_subscription(self, subscription_id: str, *, price_id: str | None = None,
                            quantity: int | None = None) -> None:
        """An upgrade, downgrade or seat change in Stripe, effective now (with its event)."""
        with self.lock:
            self.billing.change_subscription(subscription_id, self.clock.stamp(), price_id=price_id,
                                             quantity=quantity)

    def touch_tickets(self, count: int) -> list[int]:
        """Add an internal note to the ``count`` lowest-numbered live tickets, moving them to the feed's end."""
        with self.lock:
            feed = self.feed("tickets")
            touched: list[int] = []
            for ticket_id in range(FIRST_ID, FIRST_ID + len(self.tickets)):
                ticket = feed.get(ticket_id)
                if len(touched) == count:
                    break
                if ticket is None or ticket.get("deleted"):
                    continue
                self._notes += 1
                note = {"id": f"automation-note-{self._notes}", "kind": "note", "author": "Automation",
                        "body": "Reminder: this ticket is close to its SLA.", "data": None,
                        "created_at": self.clock.now()}
                self.apply_ticket_event(ticket, note)
                touched.append(ticket_id)
            return touched

    def delete_ticket(self, ticket_id: int) -> None:
        """Delete a ticket (spam, say): the feed serves a tombstone from now on."""
        with self.lock:
            self.feed("tickets").delete(ticket_id, self.clock.stamp())
