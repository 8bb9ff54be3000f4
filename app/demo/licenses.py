"""The desktop-product licenses already issued when the demo starts, and the machines holding their seats.

Enough variety for the Licenses tab to show every state and list: most
licenses under their seat cap, one full, one over it; a few expiring within
30 days while their subscription is active (renewal due), some whose
subscription was cancelled or is past due, one whose subscription moved to
another plan, a revoked one and a re-issue that superseded an earlier file.

Each license carries its signed file, signed with a demo key derived from the
seed (the registry keeps the signed text, so it can be saved again).  The
format is that of ``docs/license-format.md``, written here with the standard
library, since the demo server uses none of the console's code.  Activation
ids follow the Ops API's rule (uuid5 of license id and fingerprint).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.demo import vocabulary as words

Row = dict[str, Any]
PRODUCT = "opsconsole-desktop"
MAX_VERSION = "3.99"
FEATURES = {"starter": ["offline"], "professional": ["offline", "sso"], "enterprise": ["audit-log", "offline", "sso"]}
SEATS = {"starter": 5, "professional": 50, "enterprise": 1_000}
LADDER = ("starter", "professional", "enterprise")
#: docs/ops-api.json: an activation's id is uuid5 of "<license id>\n<fingerprint>" in this namespace.
ACTIVATION_NAMESPACE = uuid.UUID("5b0f7c3e-2d1a-4f6b-9e8d-7a6c5b4d3e2f")
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Holder:
    """A customer who may hold a license, with the subscription it would follow (None: a direct deal)."""

    customer_id: str
    name: str
    email: str
    subscription_id: str | None = None
    status: str | None = None
    tier: str | None = None


def _time(value: dt.datetime) -> str:
    return value.isoformat() + "Z"


def signing_key(key_id: str, seed: int) -> Ed25519PrivateKey:
    """The demo key ``key_id`` of the business ``seed`` (the product would embed its public half)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"{key_id}:{seed}".encode()).digest())


def sign(row: Row, seed: int) -> str:
    """The signed license file of ``row``, by the demo key its ``key_id`` names."""
    payload = json.dumps({
        "customer_email": row["customer_email"], "customer_id": row["customer_id"],
        "customer_name": row["customer_name"], "expires_at": _time(row["expires_at"]),
        "features": sorted(row["features"]), "fingerprint": row["fingerprint"], "format": 1,
        "grace_days": row["grace_days"], "issued_at": _time(row["issued_at"]), "key_id": row["key_id"],
        "license_id": row["id"], "max_version": row["max_version"], "not_before": _time(row["not_before"]),
        "plan": row["plan"], "product": row["product"], "seats": row["seats"],
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    signature = base64.b64encode(signing_key(row["key_id"], seed).sign(payload.encode())).decode()
    return (f"-----BEGIN OPSCONSOLE LICENSE-----\n{payload}\n-----BEGIN SIGNATURE {row['key_id']}-----\n"
            f"{signature}\n-----END OPSCONSOLE LICENSE-----\n")


# Who holds a license, and what each one shows.  Roles name the part a license plays in the demo;
# ``_pick`` takes the holders for each from the customers whose latest subscription fits.
ROLES: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    # (role, subscription statuses, plan of the subscription — None: any licensed plan)
    ("renewal_due", ("active",), "starter"),
    ("renewal_due", ("active",), "professional"),
    ("renewal_due", ("active",), "enterprise"),
    ("over_cap", ("active",), "starter"),
    ("full", ("active",), "professional"),
    ("plan_changed", ("active",), "professional"),
    ("reissued", ("active",), "professional"),
    ("current", ("active",), "starter"),
    ("current", ("active",), "starter"),
    ("current", ("active",), "professional"),
    ("current", ("active",), "enterprise"),
    ("current", ("active",), "enterprise"),
    ("lapsed", ("past_due", "unpaid"), None),
    ("lapsed", ("past_due", "unpaid"), None),
    ("lapsed", ("canceled",), None),
    ("lapsed", ("canceled",), None),
    ("revoked", ("canceled",), None),
    ("current", ("trialing",), None),
    ("direct_deal", ("canceled",), None),
)


def _pick(rng: random.Random, holders: list[Holder]) -> list[tuple[str, Holder]]:
    """A holder per role (roles without a fitting customer are left out, as in a small test business)."""
    pool = rng.sample(holders, len(holders))
    picked: list[tuple[str, Holder]] = []
    taken: set[str] = set()
    for role, statuses, tier in ROLES:
        holder = next((h for h in pool if h.customer_id not in taken and h.status in statuses
                       and h.tier in SEATS and (tier is None or h.tier == tier)), None)
        if holder is not None:
            taken.add(holder.customer_id)
            picked.append((role, holder))
    return picked


def _license(rng: random.Random, role: str, holder: Holder, today: dt.datetime) -> Row:
    plan = holder.tier if holder.tier in SEATS else "starter"
    if role == "plan_changed":  # issued before the customer moved up a plan
        plan = LADDER[LADDER.index(plan) - 1]
    age = {"renewal_due": rng.randint(338, 358), "direct_deal": 372}.get(role, rng.randint(20, 300))
    issued = today - age * DAY
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "key_id": f"demo-{issued.year}",
        "product": PRODUCT, "customer_id": holder.customer_id, "customer_name": holder.name,
        "customer_email": holder.email, "plan": plan, "seats": SEATS[plan], "features": FEATURES[plan],
        "issued_at": issued, "not_before": issued, "expires_at": issued + 365 * DAY, "grace_days": 14,
        "fingerprint": None, "max_version": MAX_VERSION, "issued_by": rng.choice(words.OPS_PEOPLE),
        "revoked_at": None, "revoke_reason": None, "supersedes": None,
        "subscription_id": None if role == "direct_deal" else holder.subscription_id, "updated_at": issued,
    }


def seed_licenses(seed: int, holders: list[Holder], now: dt.datetime) -> list[tuple[str, Row]]:
    """(role, license) for some of ``holders``, one per role (``ROLES``); deterministic for the seed."""
    rng = random.Random(f"licenses:{seed}")
    today = now.replace(hour=9, minute=0, second=0, microsecond=0)
    licenses = [(role, _license(rng, role, holder, today)) for role, holder in _pick(rng, holders)]
    for role, row in list(licenses):
        if role == "revoked":
            row["revoked_at"] = row["updated_at"] = row["issued_at"] + 12 * DAY
            row["revoke_reason"] = "chargeback"
        elif role == "reissued":  # more seats agreed two weeks after the first file
            new_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            reissued_at = row["issued_at"] + 15 * DAY
            licenses.append(("current", {
                **row, "id": new_id, "seats": row["seats"] * 2, "issued_at": reissued_at,
                "not_before": reissued_at, "supersedes": row["id"], "updated_at": reissued_at,
            }))
            row.update(revoked_at=reissued_at, updated_at=reissued_at, revoke_reason=f"superseded by {new_id}")
    for _, row in licenses:
        row["license_text"] = sign(row, seed)
    return licenses


def _machines(rng: random.Random, lic: Row, count: int, now: dt.datetime) -> list[Row]:
    prefix = "".join(ch for ch in (lic["customer_name"] or "WS").upper() if ch.isalpha())[:4] or "WS"
    span = (min(now, lic["revoked_at"] or now) - lic["issued_at"]).total_seconds()
    rows = []
    for k in range(count):
        fingerprint = hashlib.sha256(f"{lic['id']}:{k}".encode()).hexdigest()[:24]
        first = lic["issued_at"] + dt.timedelta(seconds=int(rng.random() * span))
        last = first + dt.timedelta(seconds=int(rng.random() * (now - first).total_seconds()))
        rows.append({
            "id": str(uuid.uuid5(ACTIVATION_NAMESPACE, f"{lic['id']}\n{fingerprint}")), "license_id": lic["id"],
            "fingerprint": fingerprint, "machine_name": f"{prefix}-{rng.choice(('LT', 'WS', 'PC'))}{k + 1:03d}",
            "product_version": f"3.{rng.randint(4, 12)}.{rng.randint(0, 9)}",
            "activated_via": "offline" if rng.random() < 0.1 else "online",
            "first_seen_at": first, "last_seen_at": last, "updated_at": last,
        })
    return rows


def seed_activations(seed: int, licenses: list[tuple[str, Row]], now: dt.datetime) -> list[Row]:
    """Machines per license: most well under the cap, one over it, one full (see ``ROLES``)."""
    rng = random.Random(f"activations:{seed}")
    rows: list[Row] = []
    for role, lic in licenses:
        seats = lic["seats"]
        if role == "over_cap":
            count = seats + 2
        elif role == "full":
            count = seats
        else:  # big licenses fill slowly: an enterprise rolls out department by department
            count = int(seats * rng.uniform(0.05, 0.3 if seats >= 1_000 else 0.8))
        rows.extend(_machines(rng, lic, count, now))
    return rows
