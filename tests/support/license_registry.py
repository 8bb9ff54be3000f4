"""A license registry on top of the hand-worked business (``dataset``), with machines, every number by hand.

License (subscription, its state and plan) — seats, machines, expiry from ``now``:

* ``acme``    — sub_acme active, Professional   — professional 50, 45 machines (90 %: near), in 10 days
* ``bolt``    — sub_bolt active, Starter        — starter 5, 6 machines (120 %: over), in 200 days
* ``dune``    — sub_dune past due, Starter      — starter 5, 4 machines (80 %), in 100 days
* ``echo``    — sub_echo canceled, Starter      — starter 5, none, in 50 days
* ``fern``    — sub_fern active, Enterprise     — professional 50, 44 machines (88 %), in 300 days: plan changed
* ``cyan``    — sub_cyan trialing, Enterprise   — enterprise 1,000, none, in 20 days (expiring, not renewal due)
* ``direct``  — no subscription                 — enterprise 1,000, none, in 400 days
* ``revoked`` — Acme's older starter 5, revoked yesterday, 5 machines (not live)
* ``expired`` — Bolt's older starter 5, expired yesterday, 9 machines (not live)
* ``ghost``   — a subscription the cache has not synced — starter 5, none, in 60 days

Live: acme, bolt, dune, echo, fern, cyan, direct, ghost = 8; their seats 2,120, in use 99.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert

from app.licensing.activation import activation_id
from app.store.schema import Activation, License

DAY = dt.timedelta(days=1)
SEATS = {"starter": 5, "professional": 50, "enterprise": 1_000}
# name: (customer, subscription, plan, machines, days to expiry, revoked)
REGISTRY: dict[str, tuple[str, str | None, str, int, int, bool]] = {
    "acme": ("cus_acme", "sub_acme", "professional", 45, 10, False),
    "bolt": ("cus_bolt", "sub_bolt", "starter", 6, 200, False),
    "dune": ("cus_dune", "sub_dune", "starter", 4, 100, False),
    "echo": ("cus_echo", "sub_echo", "starter", 0, 50, False),
    "fern": ("cus_fern", "sub_fern", "professional", 44, 300, False),
    "cyan": ("cus_cyan", "sub_cyan", "enterprise", 0, 20, False),
    "direct": ("cus_fern", None, "enterprise", 0, 400, False),
    "revoked": ("cus_acme", "sub_acme", "starter", 5, 100, True),
    "expired": ("cus_bolt", "sub_bolt", "starter", 9, -1, False),
    "ghost": ("cus_bolt", "sub_not_synced", "starter", 0, 60, False),
}
LIVE = ("acme", "bolt", "dune", "echo", "fern", "cyan", "direct", "ghost")


def license_id(name: str) -> str:
    return f"lic-{name}"


def fill_licenses(engine: Engine, now: dt.datetime) -> None:
    """Insert ``REGISTRY`` (issued 100 days before ``now``) and its machines."""
    licenses: list[dict[str, Any]] = []
    machines: list[dict[str, Any]] = []
    for name, (customer, subscription, plan, count, days, revoked) in REGISTRY.items():
        issued = now - 100 * DAY
        licenses.append({
            "id": license_id(name), "key_id": "k1", "product": "opsconsole-desktop", "customer_id": customer,
            "customer_name": name.capitalize(), "customer_email": f"it@{name}.example", "plan": plan,
            "seats": SEATS[plan], "features_json": [], "issued_at": issued, "not_before": issued,
            "expires_at": now + days * DAY, "grace_days": 14, "revoked_at": now - DAY if revoked else None,
            "subscription_id": subscription, "pending": False,
        })
        for n in range(count):
            fingerprint = f"{name}-{n:03d}"
            seen = now - (n + 1) * dt.timedelta(hours=1)
            machines.append({
                "id": activation_id(license_id(name), fingerprint), "license_id": license_id(name),
                "fingerprint": fingerprint, "machine_name": fingerprint.upper(), "product_version": "4.2.1",
                "activated_via": "online", "first_seen_at": seen, "last_seen_at": seen, "pending": False,
            })
    with engine.begin() as conn:
        conn.execute(insert(License.__table__), licenses)
        conn.execute(insert(Activation.__table__), machines)
