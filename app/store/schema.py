"""The cache schema: one table per fact the panes show, as SQLAlchemy 2.0 models.

Conventions every writer and reader relies on:

* Times are naive UTC ``datetime`` values (``DateTime`` columns store them as
  ISO text, which sorts correctly).  Dates are ``Date``.
* Stripe amounts are integer minor units (``*_cents``), as Stripe sends them.
  Cost amounts are integer micro-units (``*_micros``: 1 USD = 1,000,000)
  because billing exports carry fractions of a cent; integers keep sums exact.
* Tables filled by sync carry ``synced_at`` (when the cache heard it) so a pane
  can show how stale a row is.  Ids are the source's ids.
* Every column a pane filters or sorts on has an index (declared here, created
  by the Alembic migrations).  An indexed column Stripe never changes once the
  object exists is marked ``SET_ONCE``: sync's upserts leave it alone.
  Full-text search uses the FTS5 tables created in the migrations
  (``tickets_fts``, ``customers_fts``), kept in step by triggers.

The ORM classes are for reading and for small writes; bulk sync writes use
SQLAlchemy Core upserts against ``Model.__table__``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# ``tickets.sla_rank`` of a ticket without a running clock, as the DateTime column stores it.
NO_CLOCK_RANK_SQL = "9999-12-31 00:00:00.000000"

#: ``info`` of an indexed column whose value a row keeps for life: set when the Stripe object is
#: created, and no Stripe update call takes it.  Sync's upserts do not update it
#: (``app.sync.writer.prepared_upsert``), because SQLite rewrites the index entry of every column
#: an upsert updates, even to the same value: for a replay that changes 2,000 subscriptions at
#: 100,000 customers, a quarter of what it writes.
SET_ONCE: dict[str, Any] = {"set_once": True}


def is_set_once(column: Column[Any]) -> bool:
    """Whether ``column`` is marked ``SET_ONCE``."""
    return bool(column.info.get("set_once"))


class Base(DeclarativeBase):
    """Declarative base of the cache; ``Base.metadata`` is what Alembic migrates."""

    # Every model maps one Table (no mapped joins or selects), so say so: bulk writers use
    # ``Model.__table__`` with insert()/update() and the upsert helper, which want a Table.
    __table__: ClassVar[Table]


# --------------------------------------------------------------------------- billing, from Stripe


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Price(Base):
    """A Stripe price (or a legacy plan, which Stripe models the same way)."""

    __tablename__ = "prices"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    product_id: Mapped[str | None] = mapped_column(String, index=True, info=SET_ONCE)
    nickname: Mapped[str | None] = mapped_column(String)
    unit_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    interval: Mapped[str | None] = mapped_column(String)  # month | year | None (one-off)
    interval_count: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_legacy_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str | None] = mapped_column(String, index=True)
    email: Mapped[str | None] = mapped_column(String, index=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime, index=True, info=SET_ONCE)
    currency: Mapped[str | None] = mapped_column(String(3))
    delinquent: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The default payment method (``invoice_settings.default_payment_method``, else the default
    # source), expanded when listed: what the customer desk checks first on a failed payment.
    payment_method_id: Mapped[str | None] = mapped_column(String)
    card_brand: Mapped[str | None] = mapped_column(String)
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_exp_month: Mapped[int | None] = mapped_column(Integer)
    card_exp_year: Mapped[int | None] = mapped_column(Integer)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String, ForeignKey("customers.id", ondelete="CASCADE"), index=True, info=SET_ONCE
    )
    status: Mapped[str] = mapped_column(String, index=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime, index=True, info=SET_ONCE)
    current_period_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    current_period_end: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    canceled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    trial_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    trial_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    coupon_id: Mapped[str | None] = mapped_column(String)
    percent_off: Mapped[float | None] = mapped_column(Float)
    amount_off_cents: Mapped[int | None] = mapped_column(BigInteger)
    cancel_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pause_collection: Mapped[str | None] = mapped_column(String)  # how it is paused; None: collecting
    pause_resumes_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SubscriptionItem(Base):
    __tablename__ = "subscription_items"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    subscription_id: Mapped[str] = mapped_column(
        String, ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True, info=SET_ONCE
    )
    price_id: Mapped[str | None] = mapped_column(String, index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String, ForeignKey("customers.id", ondelete="CASCADE"), index=True, info=SET_ONCE
    )
    subscription_id: Mapped[str | None] = mapped_column(String, index=True, info=SET_ONCE)
    number: Mapped[str | None] = mapped_column(String)
    status: Mapped[str | None] = mapped_column(String, index=True)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    amount_due_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created: Mapped[dt.datetime] = mapped_column(DateTime, index=True, info=SET_ONCE)
    due_date: Mapped[dt.datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The service period the invoice bills (from its subscription lines), why it was raised
    # (subscription_create | subscription_cycle | subscription_update | manual …), its total
    # after discounts, before tax, and the plan and quantity it billed: what a period of the
    # subscription was, for its history.
    period_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    period_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    billing_reason: Mapped[str | None] = mapped_column(String)
    total_cents: Mapped[int | None] = mapped_column(BigInteger)
    plan: Mapped[str | None] = mapped_column(String)  # price ids its subscription lines billed, comma-separated
    quantity: Mapped[int | None] = mapped_column(Integer)  # their total quantity
    payment_intent_id: Mapped[str | None] = mapped_column(String, index=True)
    charge_id: Mapped[str | None] = mapped_column(String)  # the latest charge (older API versions name it)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_payment_attempt: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Charge(Base):
    """One payment attempt (a Stripe charge): what was tried, on which card, and why it failed."""

    __tablename__ = "charges"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(
        String, ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    invoice_id: Mapped[str | None] = mapped_column(String, index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_refunded_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    status: Mapped[str] = mapped_column(String)  # succeeded | pending | failed
    refunded: Mapped[bool] = mapped_column(Boolean, default=False)
    failure_code: Mapped[str | None] = mapped_column(String)
    failure_message: Mapped[str | None] = mapped_column(String)
    card_brand: Mapped[str | None] = mapped_column(String)
    card_last4: Mapped[str | None] = mapped_column(String(4))
    created: Mapped[dt.datetime] = mapped_column(DateTime, index=True, info=SET_ONCE)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Refund(Base):
    """Money given back on a charge (by the console or anyone else with access to Stripe)."""

    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    charge_id: Mapped[str | None] = mapped_column(String, index=True, info=SET_ONCE)
    payment_intent_id: Mapped[str | None] = mapped_column(String, index=True, info=SET_ONCE)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    status: Mapped[str] = mapped_column(String)  # pending | succeeded | failed | canceled | requires_action
    reason: Mapped[str | None] = mapped_column(String)
    failure_reason: Mapped[str | None] = mapped_column(String)
    created: Mapped[dt.datetime] = mapped_column(DateTime)
    metadata_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Coupon(Base):
    """The account's coupons, so a coupon id can be checked before an action is queued, offline too."""

    __tablename__ = "coupons"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str | None] = mapped_column(String)
    percent_off: Mapped[float | None] = mapped_column(Float)
    amount_off_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    duration: Mapped[str | None] = mapped_column(String)  # once | repeating | forever
    duration_in_months: Mapped[int | None] = mapped_column(Integer)
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SubscriptionChange(Base):
    """The subscription history: each change of a subscription's billing state, at the instant it took effect.

    One row per change of status, plan (price ids), quantity, coupon or
    scheduled cancellation, with the state before and after, the MRR before and
    after (native currency, minor units; 0 while trialing or ended) and the
    plan's MRR after the change whatever the status (what it bills once
    paying).  Sync writes it (``app.sync.subscription_history``): from Stripe
    events (``source = event``), from a re-read object that differs from the
    cache (``snapshot``), and for a subscription first seen with a past, from
    its own dates (``backfill``) refined by its invoices (``invoice``).
    Revenue movements replay it; the customer desk shows it.
    """

    __tablename__ = "subscription_changes"
    __table_args__ = (
        Index("ix_subscription_changes_subscription_at", "subscription_id", "at"),
        # Have these events recorded changes already? Asked for every run of subscription events replayed (0020).
        Index("ix_subscription_changes_event_id", "event_id", sqlite_where=text("event_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(String, ForeignKey("subscriptions.id", ondelete="CASCADE"))
    # Not indexed: a customer's history is found through its subscriptions (0021).
    customer_id: Mapped[str] = mapped_column(String)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    kind: Mapped[str] = mapped_column(String)  # started|trial_started|converted|plan|quantity|coupon|status|...
    source: Mapped[str] = mapped_column(String)  # event | snapshot | backfill | invoice
    event_id: Mapped[str | None] = mapped_column(String)
    status_before: Mapped[str | None] = mapped_column(String)
    status_after: Mapped[str] = mapped_column(String)
    plan_before: Mapped[str | None] = mapped_column(String)  # price ids, comma-separated
    plan_after: Mapped[str | None] = mapped_column(String)
    quantity_before: Mapped[int | None] = mapped_column(Integer)
    quantity_after: Mapped[int | None] = mapped_column(Integer)
    coupon_before: Mapped[str | None] = mapped_column(String)
    coupon_after: Mapped[str | None] = mapped_column(String)
    currency: Mapped[str | None] = mapped_column(String(3))
    mrr_before_cents: Mapped[float] = mapped_column(Float, default=0.0)
    mrr_after_cents: Mapped[float] = mapped_column(Float, default=0.0)
    plan_mrr_cents: Mapped[float] = mapped_column(Float, default=0.0)  # after the change, whatever the status
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)  # after the change
    period_end: Mapped[dt.datetime | None] = mapped_column(DateTime)  # the paid period's end, after the change
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class FxRate(Base):
    """A day's exchange rate from the Ops API: one ``currency`` is worth ``rate`` units of ``base``."""

    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("day", "currency", name="uq_fx_rates_day_currency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    base: Mapped[str] = mapped_column(String(3))
    rate: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- support (Ops API)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    subject: Mapped[str] = mapped_column(String, index=True)
    body: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String, index=True)  # Stripe id; may be absent from cache
    requester_email: Mapped[str | None] = mapped_column(String, index=True)
    status: Mapped[str] = mapped_column(String, index=True)  # new|open|pending|on_hold|solved|closed
    priority: Mapped[str] = mapped_column(String, index=True)  # urgent|high|normal|low
    tier: Mapped[int] = mapped_column(Integer, default=1, index=True)  # support tier 1..3
    category: Mapped[str | None] = mapped_column(String, index=True)
    assignee: Mapped[str | None] = mapped_column(String, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)  # the backlog trend reads it
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)  # as the server computed it
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The console's own SLA clocks (``app.domain.sla``), never read from the API (``SLA_COLUMNS``):
    sla_policy: Mapped[str | None] = mapped_column(String)  # the policy covering the ticket now
    sla_metric: Mapped[str | None] = mapped_column(String)  # the metric the queue counts down
    # Queue order: the next breach instant (past: breached); a clock paused before its breach sorts
    # after every running one, by business time left; no clock (solved, never evaluated) sorts last, at
    # 9999-12-31, never NULL, which would lead the queue (``app.domain.sla.queue``).
    sla_rank: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True, server_default=NO_CLOCK_RANK_SQL)
    sla_warn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # the pre-breach window opens
    sla_agent_replies: Mapped[int | None] = mapped_column(Integer)  # replies by the team (first contact resolution)
    sla_rules: Mapped[str | None] = mapped_column(String(16))  # fingerprint of the rules the clocks followed


# Ticket columns the console computes; sync leaves them alone and the Ops API does not carry them.
SLA_COLUMNS = frozenset({"sla_policy", "sla_metric", "sla_rank", "sla_warn_at", "sla_agent_replies", "sla_rules"})


class TicketEvent(Base):
    """The ticket's event log: replies, status/assignee/priority changes, escalations."""

    __tablename__ = "ticket_events"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # server id, or local uuid until pushed
    ticket_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String)  # reply|note|status|assignee|priority|escalation
    author: Mapped[str | None] = mapped_column(String)
    author_role: Mapped[str | None] = mapped_column(String)  # agent|customer|system: who replied, for SLA clocks
    body: Mapped[str | None] = mapped_column(Text)
    data_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)  # local, not yet accepted by server
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class TicketSla(Base):
    """One SLA clock of a ticket (``app.sla_rules.clocks``), as the console last computed it.

    Kept for open tickets and for those solved within the KPI horizon: the
    support KPIs (achievement, median times) and the pre-breach alert read them.
    """

    __tablename__ = "ticket_slas"
    __table_args__ = (
        Index("ix_ticket_slas_metric_fulfilled", "metric", "fulfilled_at"),
        Index("ix_ticket_slas_metric_due", "metric", "due_at"),
    )

    ticket_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    metric: Mapped[str] = mapped_column(String, primary_key=True)  # first_reply | next_reply | resolution
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    policy: Mapped[str] = mapped_column(String)
    target_s: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # breach instant; None: paused or met early
    warn_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)  # pre-breach window opens
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    elapsed_s: Mapped[float | None] = mapped_column(Float)  # business seconds at fulfilment or pause
    paused: Mapped[bool] = mapped_column(Boolean, default=False)


class TicketRating(Base):
    """A customer's satisfaction rating of a solved ticket (CSAT, 1–5), from the Ops API."""

    __tablename__ = "ticket_ratings"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SlaPolicy(Base):
    """An SLA policy the Ops API serves (``/v1/sla-policies``); when any is cached, they are in force."""

    __tablename__ = "sla_policies"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # first match wins, lowest position first
    name: Mapped[str] = mapped_column(String)
    priorities_json: Mapped[list[Any] | None] = mapped_column(JSON)
    categories_json: Mapped[list[Any] | None] = mapped_column(JSON)
    plans_json: Mapped[list[Any] | None] = mapped_column(JSON)
    tiers_json: Mapped[list[Any] | None] = mapped_column(JSON)
    first_reply_minutes: Mapped[float] = mapped_column(Float)
    next_reply_minutes: Mapped[float] = mapped_column(Float)
    resolution_minutes: Mapped[float] = mapped_column(Float)
    calendar_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- health (Ops API + probes)


class Service(Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String, index=True)
    url: Mapped[str | None] = mapped_column(String)
    probe_interval_s: Mapped[int] = mapped_column(Integer, default=60)
    timeout_s: Mapped[float] = mapped_column(Float, default=5.0)
    expected_status: Mapped[int] = mapped_column(Integer, default=200)
    slo_target: Mapped[float] = mapped_column(Float, default=0.999)  # availability objective
    criticality: Mapped[str | None] = mapped_column(String)
    keyword: Mapped[str | None] = mapped_column(String)  # text a healthy answer's body contains
    json_path: Mapped[str | None] = mapped_column(String)  # dotted path of a JSON value to check ("status.db")
    json_value: Mapped[str | None] = mapped_column(String)  # what that value must read as ("ok", "true")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class HealthCheck(Base):
    """One check of a service: the backend's (``api``) or this workstation's probe (``workstation``).

    Unique per (service, instant, source): sync upserts the backend's checks on
    that key, and the availability rule reads one service's checks in time
    order through it.
    """

    __tablename__ = "health_checks"
    __table_args__ = (
        Index("uq_health_checks_service_time_source", "service_id", "checked_at", "source", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String, ForeignKey("services.id", ondelete="CASCADE"))
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(String)
    cert_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # the TLS certificate's end, when HTTPS
    source: Mapped[str] = mapped_column(String, default="workstation")  # workstation (local probe) | api (synced)


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(String, index=True)
    title: Mapped[str] = mapped_column(String)
    severity: Mapped[str] = mapped_column(String, index=True)  # P0..P4
    status: Mapped[str] = mapped_column(String, index=True)  # investigating|identified|monitoring|resolved
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    impact: Mapped[str | None] = mapped_column(Text)  # who is affected and how, in words
    affected_services_json: Mapped[list[Any] | None] = mapped_column(JSON)  # service ids besides service_id
    postmortem_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # root cause, went well/badly, follow-ups
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)  # changed here, not yet accepted by the server
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class MaintenanceWindow(Base):
    """Planned work: time inside a window counts neither as up nor as down (``service_id`` None: every service)."""

    __tablename__ = "maintenance_windows"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(String, index=True)
    title: Mapped[str] = mapped_column(String)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class DraftDismissal(Base):
    """A draft incident (a service went Down, no incident yet) that a person decided needs none; local only."""

    __tablename__ = "incident_draft_dismissals"

    key: Mapped[str] = mapped_column(String, primary_key=True)  # "<service id>:down:<since>"
    service_id: Mapped[str] = mapped_column(String)
    dismissed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class IncidentUpdate(Base):
    __tablename__ = "incident_updates"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    incident_id: Mapped[str] = mapped_column(
        String, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- licensing


class License(Base):
    """The registry of issued licenses (ours and, through sync, colleagues')."""

    __tablename__ = "licenses"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # license id (uuid)
    key_id: Mapped[str] = mapped_column(String, index=True)
    product: Mapped[str] = mapped_column(String)
    customer_id: Mapped[str | None] = mapped_column(String, index=True)
    customer_name: Mapped[str | None] = mapped_column(String, index=True)
    customer_email: Mapped[str | None] = mapped_column(String)
    plan: Mapped[str] = mapped_column(String, index=True)
    seats: Mapped[int] = mapped_column(Integer)
    features_json: Mapped[list[Any] | None] = mapped_column(JSON)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    not_before: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str | None] = mapped_column(String)
    max_version: Mapped[str | None] = mapped_column(String)
    issued_by: Mapped[str | None] = mapped_column(String)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    revoke_reason: Mapped[str | None] = mapped_column(String)
    supersedes: Mapped[str | None] = mapped_column(String)  # license id this one re-issues
    subscription_id: Mapped[str | None] = mapped_column(String, index=True)  # the Stripe subscription it follows
    license_text: Mapped[str | None] = mapped_column(Text)  # the signed file, for re-export
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Activation(Base):
    """A machine holding a seat of a license: activated online through the Ops API, or answered offline here.

    The id is derived from (license id, fingerprint) (``app.licensing.activation.activation_id``), so a
    workstation answering offline and the server name the same machine alike; the unique key's index
    starting with ``license_id`` is what seat counts use.
    """

    __tablename__ = "activations"
    __table_args__ = (UniqueConstraint("license_id", "fingerprint", name="uq_activations_license_machine"),)

    id: Mapped[str] = mapped_column(String, primary_key=True)
    license_id: Mapped[str] = mapped_column(String, ForeignKey("licenses.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String)
    machine_name: Mapped[str | None] = mapped_column(String)
    product_version: Mapped[str | None] = mapped_column(String)
    activated_via: Mapped[str] = mapped_column(String, default="online")  # online | offline
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SigningPublicKey(Base):
    """Public halves of signing keys (rotation: one active, old ones still verify).

    Private keys never enter the cache: they are passphrase-encrypted files.
    """

    __tablename__ = "signing_public_keys"

    key_id: Mapped[str] = mapped_column(String, primary_key=True)
    algorithm: Mapped[str] = mapped_column(String, default="Ed25519")
    public_key_b64: Mapped[str] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RevocationList(Base):
    """Each published, signed revocation list (versioned; the product loads the newest)."""

    __tablename__ = "revocation_lists"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_id: Mapped[str] = mapped_column(String)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- costs and usage


class CostReport(Base):
    """One imported bill: a provider's billing account for one billing period, from one or more files.

    Importing the same bill again (same provider, billing account and period)
    replaces it whole: its charges are deleted with the old row.  Two accounts
    are two reports and never overwrite each other.
    """

    __tablename__ = "cost_reports"
    __table_args__ = (
        UniqueConstraint(
            "provider_name", "billing_account_id", "billing_period_start", name="uq_cost_reports_identity"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_name: Mapped[str] = mapped_column(String)
    billing_account_id: Mapped[str] = mapped_column(String, default="")
    billing_period_start: Mapped[dt.date] = mapped_column(Date)
    billing_period_end: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String)  # the file format: aws_cur | gcp_billing | azure_export | focus | …
    files_json: Mapped[list[Any]] = mapped_column(JSON)  # the file names the report was read from
    lines: Mapped[int] = mapped_column(Integer)  # cost lines read for this report
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)


# What identifies a stored charge (its unique key): equal identities are one charge, summed.
COST_CHARGE_IDENTITY = (
    "source", "billing_account_id", "billing_period_start", "sub_account_id", "charge_period_start",
    "service_name", "charge_category", "billing_currency", "tags",
)


class CostCharge(Base):
    """The cost store: FOCUS 1.2 charge rows at daily granularity, from every source.

    Columns are FOCUS's, snake-cased like every cache column
    (``billed_cost_micros`` is FOCUS ``BilledCost``, ``charge_period_start`` is
    ``ChargePeriodStart``…; ``app.costs_import.focus.COLUMNS`` maps them).
    Money is integer micro-units of ``billing_currency`` (FOCUS's decimal
    × 1,000,000) so sums are exact.  One row sums the lines of a bill that share
    the identity below; ``cost_daily`` rolls the rows up per day and service
    (kept in step by triggers, see migration 0014).
    """

    __tablename__ = "cost_charges"
    __table_args__ = (
        UniqueConstraint(*COST_CHARGE_IDENTITY, name="uq_cost_charges_identity"),
        Index("ix_cost_charges_service_day", "service_name", "charge_period_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cost_reports.id", ondelete="CASCADE"), index=True
    )  # None: synced from the Ops API
    source: Mapped[str] = mapped_column(String)  # opsapi | aws_cur | gcp_billing | azure_export | focus | simple_csv
    provider_name: Mapped[str] = mapped_column(String)
    billing_account_id: Mapped[str] = mapped_column(String, default="")
    sub_account_id: Mapped[str] = mapped_column(String, default="")
    billing_period_start: Mapped[dt.date] = mapped_column(Date)
    billing_period_end: Mapped[dt.date] = mapped_column(Date)
    charge_period_start: Mapped[dt.date] = mapped_column(Date, index=True)  # the day
    charge_period_end: Mapped[dt.date] = mapped_column(Date)  # the next day
    service_name: Mapped[str] = mapped_column(String)
    service_category: Mapped[str] = mapped_column(String, default="Other")
    charge_category: Mapped[str] = mapped_column(String, default="Usage")  # Usage|Purchase|Tax|Credit|Adjustment
    billing_currency: Mapped[str] = mapped_column(String(3), default="USD")
    billed_cost_micros: Mapped[int] = mapped_column(BigInteger)
    effective_cost_micros: Mapped[int] = mapped_column(BigInteger)
    list_cost_micros: Mapped[int] = mapped_column(BigInteger)
    tags: Mapped[str] = mapped_column(String, default="{}")  # FOCUS Tags: canonical JSON text (sorted keys)
    imported_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class CostDaily(Base):
    """Daily rollup of ``cost_charges`` per service and currency: what the charts, forecast and anomalies read.

    Maintained by triggers on ``cost_charges`` (insert, update, delete), so
    every writer -- sync, import, migration -- keeps it exact without knowing
    about it.  ``charges`` counts the rows summed; a day whose last row goes
    is deleted.
    """

    __tablename__ = "cost_daily"
    __table_args__ = (Index("ix_cost_daily_service_day", "service_name", "day"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    service_name: Mapped[str] = mapped_column(String, primary_key=True)
    billing_currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    billed_cost_micros: Mapped[int] = mapped_column(BigInteger)
    effective_cost_micros: Mapped[int] = mapped_column(BigInteger)
    list_cost_micros: Mapped[int] = mapped_column(BigInteger)
    charges: Mapped[int] = mapped_column(Integer)


class CostAnomalyMark(Base):
    """A cost anomaly the user marked as expected (a local fact: never pushed)."""

    __tablename__ = "cost_anomaly_marks"

    service_name: Mapped[str] = mapped_column(String, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Budget(Base):
    """Monthly budget per cost service; service ``total`` is the whole business."""

    __tablename__ = "budgets"

    service: Mapped[str] = mapped_column(String, primary_key=True)
    monthly_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    warn_ratio: Mapped[float] = mapped_column(Float, default=0.80)
    critical_ratio: Mapped[float] = mapped_column(Float, default=0.95)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UsageDaily(Base):
    __tablename__ = "usage_daily"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    active_users: Mapped[int] = mapped_column(Integer, default=0)
    signups: Mapped[int] = mapped_column(Integer, default=0)
    trial_starts: Mapped[int] = mapped_column(Integer, default=0)
    conversions: Mapped[int] = mapped_column(Integer, default=0)
    processing_volume: Mapped[int] = mapped_column(BigInteger, default=0)
    processing_success_rate: Mapped[float] = mapped_column(Float, default=1.0)
    # Figures only the API can count (distinct users): None when the server does not provide them.
    monthly_active_users: Mapped[int | None] = mapped_column(Integer)  # distinct users in the 30 days to ``day``
    avg_session_minutes: Mapped[float | None] = mapped_column(Float)
    retention_cohort_users: Mapped[int | None] = mapped_column(Integer)  # sign-ups of ``day`` − 30 days
    retention_cohort_retained: Mapped[int | None] = mapped_column(Integer)  # … of them active on ``day``
    nps_promoters: Mapped[int | None] = mapped_column(Integer)  # survey answers of the day: 9–10
    nps_passives: Mapped[int | None] = mapped_column(Integer)  # 7–8
    nps_detractors: Mapped[int | None] = mapped_column(Integer)  # 0–6
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- access and per-customer usage (Ops API)


class FeatureFlag(Base):
    """A product feature: which plans grant it, and how far its rollout has gone.

    ``rollout_phase`` widens a feature beyond its plans in steps: a share of
    premium customers (5, 25, 50, 100 %), then everyone (see docs/metrics.md,
    "Entitlements").
    """

    __tablename__ = "feature_flags"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # the feature's key, e.g. "sso"
    name: Mapped[str] = mapped_column(String)
    description: Mapped[str | None] = mapped_column(Text)
    plans_json: Mapped[list[Any] | None] = mapped_column(JSON)  # plan tiers that grant it: starter, professional…
    rollout_phase: Mapped[str] = mapped_column(String, default="plans")
    users_with_access: Mapped[int | None] = mapped_column(Integer)  # users the plans and rollout reach now
    active_users_30d: Mapped[int | None] = mapped_column(Integer)  # … of them who used it in the last 30 days
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AccessGrant(Base):
    """A per-customer override of a feature or a plan: granted (or withheld) until ``expires_at``, for a reason."""

    __tablename__ = "access_grants"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # client uuid
    customer_id: Mapped[str] = mapped_column(String, index=True)
    feature: Mapped[str | None] = mapped_column(String)  # a feature flag's id, or
    plan: Mapped[str | None] = mapped_column(String)  # a plan tier (its features all granted)
    effect: Mapped[str] = mapped_column(String, default="grant")  # grant | deny
    reason: Mapped[str] = mapped_column(String)
    granted_by: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)  # None: until revoked
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String)
    revoke_reason: Mapped[str | None] = mapped_column(String)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class CustomerUsage(Base):
    """One customer's use of the product on one day (the Ops API keeps the last weeks)."""

    __tablename__ = "customer_usage"
    __table_args__ = (Index("ix_customer_usage_customer_day", "customer_id", "day"),)

    id: Mapped[str] = mapped_column(String, primary_key=True)  # "<customer id>:<day>"
    customer_id: Mapped[str] = mapped_column(String)
    day: Mapped[dt.date] = mapped_column(Date)
    active_users: Mapped[int] = mapped_column(Integer, default=0)
    api_calls: Mapped[int] = mapped_column(BigInteger, default=0)
    jobs: Mapped[int] = mapped_column(Integer, default=0)
    failed_jobs: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ProcessingFailure(Base):
    """A customer's job that failed on our side (import, export, sync): what support checks on "it broke"."""

    __tablename__ = "processing_failures"
    __table_args__ = (Index("ix_processing_failures_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    job: Mapped[str] = mapped_column(String)  # import | export | sync | report …
    error_code: Mapped[str] = mapped_column(String)
    message: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- sync bookkeeping


class SyncState(Base):
    """Where each resource's sync stands, so a killed sync resumes and panes show staleness."""

    __tablename__ = "sync_state"

    resource: Mapped[str] = mapped_column(String, primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String)  # page cursor of a pass in progress
    watermark: Mapped[str | None] = mapped_column(String)  # updated_since / event id of the last full pass
    full_pass_done: Mapped[bool] = mapped_column(Boolean, default=False)
    rows_synced: Mapped[int] = mapped_column(BigInteger, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncQuarantine(Base):
    """Rows a sync could not store (out-of-range number, impossible date, wrong type, oversize text).

    One per (resource, source id), with the reason, so one bad row never stops
    a sync and the user sees what is missing.  Storing the row later (the
    source fixed it) or its deletion clears the entry.
    """

    __tablename__ = "sync_quarantine"

    resource: Mapped[str] = mapped_column(String, primary_key=True)  # the sync_state key, e.g. ops:licenses
    item_id: Mapped[str] = mapped_column(String, primary_key=True)  # the source's id of the row
    reason: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)  # the last sync that met it


class OutboxEntry(Base):
    """A local change awaiting push, written in the same transaction as the change itself."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String)  # ticket_event|license_*|activation|incident_*|stripe_*|access_*
    backend: Mapped[str] = mapped_column(String, default="ops")  # ops (the Ops API) | stripe
    method: Mapped[str] = mapped_column(String, default="POST")
    path: Mapped[str] = mapped_column(String)  # relative to the backend's base, e.g. /v1/licenses
    payload_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String, unique=True)
    state: Mapped[str] = mapped_column(String, default="pending", index=True)  # pending|refused|sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class DeskAction(Base):
    """A billing or access action taken from the customer desk: who, why, what, and its outbox entry.

    The customer's history shows these; their state (waiting, refused by
    Stripe with its words, applied) is their outbox entry's, read by joining
    on ``outbox_id`` (a discarded entry leaves the action as "discarded").
    """

    __tablename__ = "desk_actions"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # uuid, also the write's idempotency key
    customer_id: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String)  # refund | retry_payment | extend_trial | … | grant_access
    target_id: Mapped[str | None] = mapped_column(String)  # the invoice, subscription or grant acted on
    summary: Mapped[str] = mapped_column(String)  # the action in words, as confirmed
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String)
    actor: Mapped[str | None] = mapped_column(String)  # the /me user
    role: Mapped[str] = mapped_column(String)
    params_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outbox_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class AppState(Base):
    """Small facts about this workstation's cache: the signed-in role from ``/me`` and the like."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String, primary_key=True)
    value_json: Mapped[dict[str, Any] | list[Any] | str | int | float | bool | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class FtsDeferred(Base):
    """Tables whose full-text index a bulk sync pass brings up to date at its end (``app.sync.fts_deferral``).

    While a table is named here its FTS triggers stand aside; the pass's last
    page rebuilds the index and removes the name in the same transaction.
    """

    __tablename__ = "fts_deferred"

    content_table: Mapped[str] = mapped_column(String, primary_key=True)


class DeferredIndex(Base):
    """Indexes a first sync pass set aside, with the SQL that builds them again (``app.store.deferred_indexes``).

    A row and the index's absence are written in one transaction, and so are
    the index's creation and the row's removal: a kill leaves one or the other.
    """

    __tablename__ = "deferred_indexes"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    table_name: Mapped[str] = mapped_column(String)
    sql: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- notifications


class Notification(Base):
    """Something the console told its user (or recorded quietly), once per ``(kind, dedupe_key)``.

    The unique key is what makes notifications fire on transitions only: an
    alert rule re-derives its alerts from the cache every time it runs, and
    only the ones never recorded before are delivered.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("kind", "dedupe_key", name="uq_notifications_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String)
    severity: Mapped[str] = mapped_column(String(16))  # info | warning | critical
    title: Mapped[str] = mapped_column(String)
    body: Mapped[str] = mapped_column(Text, default="")
    pane: Mapped[str | None] = mapped_column(String(32))  # the tab that shows the record
    record_key: Mapped[str | None] = mapped_column(String)  # the record's key in that tab's table
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)  # when the thing happened
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # when it was recorded
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)  # False: recorded quietly (history, muted)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
