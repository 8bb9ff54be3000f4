"""The license registry table: its columns, filters and the status rule the table and the detail share.

The status column and the "expiring"/"expired" filters compare with *now*
through bound parameters evaluated when each query runs, so a tab left open
overnight does not keep calling yesterday's licenses active.  The UI colours a
row by the status *value* returned here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Engine, and_, bindparam, case, func, select

from app import clock
from app.store import windows as w
from app.store.schema import License
from app.store.windows import TableSpec

L = License.__table__
EXPIRING_WITHIN = dt.timedelta(days=30)
# "Now" is read each time a query runs (through ``clock``, so a test can move it).
_NOW = bindparam("license_now", callable_=lambda: clock.utcnow(), type_=DateTime)
_SOON = bindparam("license_soon", callable_=lambda: clock.utcnow() + EXPIRING_WITHIN, type_=DateTime)
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
SPEC = TableSpec(
    name="licenses",
    source=L,
    key=L.c.id,
    columns=(
        w.Column("license", "License", func.substr(L.c.id, 1, 8), width=78, sortable=False,
                 tooltip="The start of the license id (hover a cell for all of it)",
                 sort_note="license ids are random, so their order means nothing; sort by Issued instead"),
        w.Column("customer", "Customer", L.c.customer_name, width=210),
        w.Column("plan", "Plan", L.c.plan, width=96, words=True),
        w.Column("seats", "Seats", L.c.seats, w.INT, width=60),
        w.Column("issued_at", "Issued", L.c.issued_at, w.DATE, width=92),
        w.Column("expires_at", "Expires", L.c.expires_at, w.DATE, width=92,
                 tooltip="Last day the license is valid (local time); grace days come on top"),
        w.Column("status", "Status", STATUS, width=150, sortable=False, tooltip=STATUS_TIP,
                 sort_note="it depends on today's date, so it changes while the table is read; "
                 "use the filters above the table instead"),
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
    },
)


def load_license(engine: Engine, license_id: str) -> dict[str, Any] | None:
    """The registry row with its status, by the same rule the table uses."""
    with engine.connect() as conn:
        row = conn.execute(select(L, STATUS.label("status")).where(L.c.id == license_id)).mappings().first()
    return dict(row) if row else None
