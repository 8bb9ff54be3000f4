"""The license registry table: its columns, filters and the status rule the table and the detail share.

The status column and the "expiring"/"expired" filters compare with *now*
through bound parameters evaluated when each query runs, so a tab left open
overnight does not keep calling yesterday's licenses active.  The UI colours a
row by the status *value* returned here.  Seats in use and the subscription a
license follows are the rules of ``app.domain.licenses``, as SQL the table
sorts and filters on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, select

from app import clock
from app.domain import licenses as rules
from app.store import windows as w
from app.store.schema import Activation, License
from app.store.windows import TableSpec

L = License.__table__
A = Activation.__table__
EXPIRING_WITHIN = rules.RENEW_WITHIN
# "Now" is read each time a query runs (through ``clock``, so a test can move it).
_NOW = rules.now_param("license_now")
_SOON = rules.now_param("license_soon", EXPIRING_WITHIN)
REVOKED = L.c.revoked_at.is_not(None)
NOT_REVOKED = L.c.revoked_at.is_(None)

# The status values, most telling first (a revoked license that still waits to be sent says both).
ACTIVE, EXPIRING, EXPIRED = "Active", "Expiring", "Expired"
REVOKED_TEXT, WAITING, REVOKED_WAITING = "Revoked", "Waiting to send", "Revoked · waiting to send"
STATUS = case(
    (and_(REVOKED, L.c.pending.is_(True)), REVOKED_WAITING),
    (REVOKED, REVOKED_TEXT),
    (L.c.pending.is_(True), WAITING),
    (L.c.expires_at <= _NOW, EXPIRED),
    (L.c.expires_at <= _SOON, EXPIRING),
    else_=ACTIVE,
)
STATUS_TIP = (
    "Active; Expiring within 30 days; Expired (the product still runs during the grace days); Revoked; "
    "Waiting to send: signed here, it goes to the Ops API with the next sync"
)
#: "professional" → "Professional": codes are shown in words.
PLAN_WORD = func.upper(func.substr(L.c.plan, 1, 1)).op("||")(func.substr(L.c.plan, 2))
USE_TIP = "Seats in use as a share of the cap: near the cap from 90 %, over it past 100 %"
# The Stripe status of the subscription a license follows, in words ("" when it follows none).
SUBSCRIPTION_WORDS = {
    "active": "Active", "trialing": "Trialing", "past_due": "Past due", "unpaid": "Unpaid",
    "canceled": "Cancelled", "incomplete": "Incomplete", "incomplete_expired": "Never paid", "paused": "Paused",
}
NOT_SYNCED = "Not synced"
SUBSCRIPTION = case(
    (L.c.subscription_id.is_(None), ""),
    (rules.SUBSCRIPTION_STATUS.is_(None), NOT_SYNCED),
    else_=case(SUBSCRIPTION_WORDS, value=rules.SUBSCRIPTION_STATUS, else_=rules.SUBSCRIPTION_STATUS),
)
SUBSCRIPTION_TIP = (
    "The Stripe subscription the license follows: cancelled or past due ones are listed apart, and active ones "
    "are renewed as a batch"
)
SPEC = TableSpec(
    name="licenses",
    source=L,
    key=L.c.id,
    columns=(
        w.Column("license", "License", func.substr(L.c.id, 1, 8), width=72, sortable=False,
                 tooltip="The start of the license id (hover a cell for all of it)",
                 sort_note="license ids are random, so their order means nothing; sort by Issued instead"),
        w.Column("customer", "Customer", L.c.customer_name, width=142),
        w.Column("plan", "Plan", PLAN_WORD, width=86),
        w.Column("seats", "Seats", L.c.seats, w.INT, width=52, tooltip="The seat cap: machines the license covers"),
        w.Column("in_use", "In use", rules.IN_USE, w.INT, width=52,
                 tooltip="Machines holding a seat (activated online or answered offline)"),
        w.Column("use", "Use", rules.USE_RATIO, w.PERCENT, width=66, tooltip=USE_TIP),
        w.Column("issued_at", "Issued", L.c.issued_at, w.DATE, width=80),
        w.Column("expires_at", "Expires", L.c.expires_at, w.DATE, width=80,
                 tooltip="Last day the license is valid (local time); grace days come on top"),
        w.Column("status", "Status", STATUS, width=100, sortable=False, tooltip=STATUS_TIP,
                 sort_note="it depends on today's date, so it changes while the table is read; "
                 "use the filters above the table instead"),
        w.Column("subscription", "Subscription", SUBSCRIPTION, width=96, tooltip=SUBSCRIPTION_TIP),
    ),
    default_sort="issued_at",
    default_descending=True,
    search_columns=(L.c.customer_name, L.c.customer_email, L.c.customer_id, L.c.id),
    filters={
        "active": and_(NOT_REVOKED, L.c.expires_at > _NOW),
        "expiring": and_(NOT_REVOKED, L.c.expires_at > _NOW, L.c.expires_at <= _SOON),
        "expired": and_(NOT_REVOKED, L.c.expires_at <= _NOW),
        "revoked": REVOKED,
        "pending": L.c.pending.is_(True),
        "seats_near": rules.at_seat_level(_NOW),
        "seats_over": rules.at_seat_level(_NOW, over_only=True),
        "subscription_lapsed": rules.subscription_lapsed(_NOW),
        "renewal_due": rules.renewal_due(_NOW, _SOON),
        "plan_changed": rules.plan_changed(_NOW),
    },
)


#: Machines listed in a license's detail, the most recently seen first (an enterprise license has 1,000).
MACHINES_SHOWN = 50
#: What a license's detail reads besides its registry row.
DETAIL_TABLES = SPEC.tables | {A.name}


def _detail_columns() -> tuple[Any, ...]:
    return (
        STATUS.label("status"), rules.IN_USE.label("in_use"), rules.SEAT_LEVEL.label("seat_level"),
        rules.SUBSCRIPTION_STATUS.label("subscription_status"), SUBSCRIPTION.label("subscription_words"),
        rules.SUBSCRIPTION_TIER.label("subscription_plan"),
        rules.subscription_seats_sql(L.c.subscription_id).label("subscription_seats"),
        rules.plan_changed(_NOW).label("plan_changed"),
    )


def load_figures(engine: Engine) -> rules.LicenseFigures:
    """The Licenses tab's figures now: the ``licenses`` figure set's function."""
    with engine.connect() as conn:
        return rules.figures_at(conn, clock.utcnow())


def customer_subscription(engine: Engine, customer_id: str) -> dict[str, Any] | None:
    """The subscription a license issued to ``customer_id`` now would follow (``{"id", "status", "plan"}``)."""
    with engine.connect() as conn:
        return rules.current_subscription(conn, customer_id)


def license_detail(conn: Connection, license_id: str) -> dict[str, Any] | None:
    """The registry row with its status, seats in use, subscription and latest machines, by the table's rules."""
    row = conn.execute(select(L, *_detail_columns()).where(L.c.id == license_id)).mappings().first()
    if row is None:
        return None
    machines = conn.execute(
        select(A).where(A.c.license_id == license_id)
        .order_by(A.c.last_seen_at.desc(), A.c.id).limit(MACHINES_SHOWN)
    ).mappings()
    return {**row, "plan_changed": bool(row["plan_changed"]), "machines": [dict(m) for m in machines]}


def load_license(engine: Engine, license_id: str) -> dict[str, Any] | None:
    """``license_detail`` on a connection of its own (the detail panel's loader)."""
    with engine.connect() as conn:
        return license_detail(conn, license_id)


def registry_rows(
    conn: Connection, *, over_cap: bool = False, expiring_days: int | None = None
) -> list[dict[str, Any]]:
    """Registry rows for ``opsconsole license list``: newest first, with seats in use and the subscription.

    ``over_cap`` keeps live licenses with more machines than seats;
    ``expiring_days`` keeps live licenses expiring within that many days.
    """
    stmt = select(
        L.c.id, L.c.customer_id, L.c.customer_name, L.c.plan, L.c.seats, rules.IN_USE.label("seats_in_use"),
        rules.SEAT_LEVEL.label("seat_level"), L.c.issued_at, L.c.expires_at, L.c.revoked_at,
        STATUS.label("status"), L.c.subscription_id, rules.SUBSCRIPTION_STATUS.label("subscription_status"),
        L.c.pending,
    ).order_by(L.c.issued_at.desc(), L.c.id)
    if over_cap:
        stmt = stmt.where(rules.at_seat_level(_NOW, over_only=True))
    if expiring_days is not None:
        until = rules.now_param("license_until", dt.timedelta(days=expiring_days))
        stmt = stmt.where(rules.live(_NOW), L.c.expires_at <= until)
    return [dict(row) for row in conn.execute(stmt).mappings()]
