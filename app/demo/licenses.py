"""The handful of desktop-product licenses already issued when the demo starts.

Enough variety for the Licenses pane to show every state: current, expiring
soon, revoked, and a re-issue that supersedes an earlier file.  The signed
license text is absent (the registry may lack it; the signing key lives on the
workstation that issued the file).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from app.demo import vocabulary as words

Row = dict[str, Any]
PRODUCT = "opsconsole-desktop"
FEATURES = {"starter": ["offline"], "professional": ["offline", "sso"], "enterprise": ["offline", "sso", "audit-log"]}
SEATS = {"starter": 5, "professional": 50, "enterprise": 1_000}


def seed_licenses(seed: int, customers: list[tuple[str, str, str]], now: dt.datetime) -> list[Row]:
    """Licenses for a few of ``customers`` (id, name, email); deterministic for the seed."""
    rng = random.Random(f"licenses:{seed}")
    today = now.replace(hour=9, minute=0, second=0, microsecond=0)
    rows: list[Row] = []
    for n, (customer_id, name, email) in enumerate(rng.sample(customers, min(6, len(customers)))):
        plan = ("enterprise", "professional", "professional", "enterprise", "starter", "professional")[n]
        issued = today - dt.timedelta(days=rng.randint(20, 340))
        rows.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "key_id": f"demo-{issued.year}",
            "product": PRODUCT, "customer_id": customer_id, "customer_name": name, "customer_email": email,
            "plan": plan, "seats": SEATS[plan], "features": FEATURES[plan], "issued_at": issued,
            "not_before": issued, "expires_at": issued + dt.timedelta(days=365), "grace_days": 14,
            "fingerprint": None, "max_version": "3.99", "issued_by": rng.choice(words.OPS_PEOPLE),
            "revoked_at": None, "revoke_reason": None, "supersedes": None, "license_text": None,
            "updated_at": issued,
        })
    if len(rows) >= 3:
        revoked = rows[2]
        revoked["revoked_at"] = revoked["updated_at"] = revoked["issued_at"] + dt.timedelta(days=12)
        revoked["revoke_reason"] = "chargeback"
        reissued_at = rows[1]["issued_at"] + dt.timedelta(days=15)
        rows.append({
            **rows[1], "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "seats": rows[1]["seats"] * 2,
            "issued_at": reissued_at, "not_before": reissued_at, "expires_at": rows[1]["expires_at"],
            "supersedes": rows[1]["id"], "updated_at": reissued_at,
        })
    return rows
