"""The license registry in the cache, and the outbox entries that carry it to the Ops API.

Every issue and revoke writes its ``licenses`` row (``pending=True`` until the
sync engine's push is accepted) *and* its outbox entry through the caller's
connection, so both land in one transaction or neither does.  Idempotency keys
are derived from the license id, so a retried push can never issue or revoke
twice on the server.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from app.domain.licenses import seats_in_use_sql
from app.licensing.activation import UNKNOWN_LICENSE, ActivationRefused, LicenseTerms
from app.licensing.errors import LicensingError
from app.licensing.verifier import Activation, License, naive_utc
from app.store import outbox
from app.store.changes import Changes
from app.store.schema import Activation as ActivationRow
from app.store.schema import License as LicenseRow
from app.store.schema import RevocationList as RevocationListRow
from app.store.schema import SigningPublicKey

_licenses = LicenseRow.__table__
_activations = ActivationRow.__table__
_keys = SigningPublicKey.__table__
_lists = RevocationListRow.__table__

#: Columns that stay on this workstation: sync bookkeeping, not facts about the license.
_LOCAL_COLUMNS = frozenset({"pending", "synced_at"})
#: Where the Ops API's field name differs from the cache column (the same renames sync pulls with).
_API_NAMES = {"features_json": "features"}


def iso_z(value: dt.datetime | None) -> str | None:
    """ISO-8601 UTC with a trailing ``Z``, as the Ops API expects."""
    return None if value is None else naive_utc(value).isoformat() + "Z"


def record_json(row: dict[str, Any]) -> dict[str, Any]:
    """The API form of a registry row: every column but the local ones, times as ISO ``Z``."""
    return {
        _API_NAMES.get(name, name): iso_z(value) if isinstance(value, dt.datetime) else value
        for name, value in row.items()
        if name not in _LOCAL_COLUMNS
    }


def record_issue(
    conn: Connection,
    lic: License,
    text: str,
    *,
    issued_by: str | None,
    supersedes: str | None = None,
    subscription_id: str | None = None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Add an issued license to the registry and the outbox; returns the registry record."""
    row: dict[str, Any] = {
        "id": lic.license_id,
        "key_id": lic.key_id,
        "product": lic.product,
        "customer_id": lic.customer_id,
        "customer_name": lic.customer_name,
        "customer_email": lic.customer_email,
        "plan": lic.plan,
        "seats": lic.seats,
        "features_json": list(lic.features),
        "issued_at": naive_utc(lic.issued_at),
        "not_before": naive_utc(lic.not_before),
        "expires_at": naive_utc(lic.expires_at),
        "grace_days": lic.grace_days,
        "fingerprint": lic.fingerprint,
        "max_version": lic.max_version,
        "issued_by": issued_by,
        "revoked_at": None,
        "revoke_reason": None,
        "supersedes": supersedes,
        "subscription_id": subscription_id,
        "license_text": text,
        "updated_at": naive_utc(now),
        "pending": True,
        "synced_at": None,
    }
    conn.execute(insert(_licenses).values(**row))
    record = record_json(row)
    outbox.enqueue(
        conn, "license_issue", "/v1/licenses", record,
        idempotency_key=f"license_issue:{lic.license_id}",
    )
    return record


def record_revoke(conn: Connection, license_id: str, reason: str, *, now: dt.datetime) -> None:
    """Mark a license revoked (it joins the next revocation list) and queue the push."""
    current = get(conn, license_id)
    if current["revoked_at"] is not None:
        raise LicensingError(f"License {license_id} was already revoked on {current['revoked_at']:%Y-%m-%d}.")
    if not reason.strip():
        raise LicensingError("Say why the license is revoked; the reason goes to the registry.")
    revoked_at = naive_utc(now)
    conn.execute(
        update(_licenses)
        .where(_licenses.c.id == license_id)
        .values(revoked_at=revoked_at, revoke_reason=reason.strip(), updated_at=revoked_at, pending=True)
    )
    outbox.enqueue(
        conn, "license_revoke", f"/v1/licenses/{license_id}/revoke",
        {"reason": reason.strip(), "revoked_at": iso_z(revoked_at)},
        idempotency_key=f"license_revoke:{license_id}",
    )


def license_terms(conn: Connection, license_id: str, fingerprint: str) -> LicenseTerms:
    """What the registry says of ``license_id`` for answering a request from the machine ``fingerprint``."""
    known = (
        select(_activations.c.id)
        .where(_activations.c.license_id == _licenses.c.id, _activations.c.fingerprint == fingerprint)
        .exists()
    )
    c = _licenses.c
    row = conn.execute(
        select(c.id, c.product, c.customer_name, c.expires_at, c.grace_days, c.max_version, c.seats,
               seats_in_use_sql(c.id).label("in_use"), known.label("machine_known"), c.revoked_at, c.revoke_reason)
        .where(c.id == license_id)
    ).mappings().first()
    if row is None:
        raise ActivationRefused(UNKNOWN_LICENSE, f"There is no license {license_id} in this registry: it was "
                                                 "issued elsewhere and not synced here yet, or never issued.")
    return LicenseTerms(
        license_id=row["id"], product=row["product"], customer_name=row["customer_name"] or "",
        expires_at=row["expires_at"], grace_days=row["grace_days"], max_version=row["max_version"],
        seats=row["seats"], in_use=row["in_use"], machine_known=bool(row["machine_known"]),
        revoked_at=row["revoked_at"], revoke_reason=row["revoke_reason"],
    )


def record_activation(conn: Connection, activation: Activation, *, now: dt.datetime) -> dict[str, Any]:
    """Record a machine answered offline (new, or seen again) in the registry and the outbox; its row."""
    seen = naive_utc(now)
    current = conn.execute(
        select(_activations.c.first_seen_at).where(_activations.c.id == activation.activation_id)
    ).first()
    row: dict[str, Any] = {
        "id": activation.activation_id,
        "license_id": activation.license_id,
        "fingerprint": activation.fingerprint,
        "machine_name": activation.machine_name,
        "product_version": activation.product_version,
        "activated_via": "offline",
        "first_seen_at": seen if current is None else current.first_seen_at,
        "last_seen_at": seen,
        "updated_at": seen,
        "pending": True,
    }
    if current is None:
        conn.execute(insert(_activations).values(**row))
    else:
        conn.execute(update(_activations).where(_activations.c.id == activation.activation_id).values(**row))
    outbox.enqueue(
        conn, "activation", "/v1/activations",
        {"license_id": activation.license_id, "fingerprint": activation.fingerprint,
         "machine_name": activation.machine_name, "product_version": activation.product_version,
         "activated_via": "offline", "seen_at": iso_z(seen)},
        idempotency_key=f"activation:{activation.activation_id}:{activation.nonce}",
    )
    return row


def activation_changed(activation_id: str) -> Changes:
    """What answering a request writes: the machine's row and the outbox."""
    return Changes.rows(ActivationRow.__tablename__, [activation_id]) | Changes.of(outbox.TABLE)


def changed(*license_ids: str) -> Changes:
    """What issuing or revoking ``license_ids`` writes: their registry rows and the outbox."""
    return Changes.rows(LicenseRow.__tablename__, license_ids) | Changes.of(outbox.TABLE)


def get(conn: Connection, license_id: str) -> dict[str, Any]:
    """The registry row of ``license_id``, or a ``LicensingError`` naming it."""
    row = conn.execute(select(_licenses).where(_licenses.c.id == license_id)).mappings().first()
    if row is None:
        raise LicensingError(f"There is no license {license_id} in the registry.")
    return dict(row)


def revoked(conn: Connection) -> dict[str, dt.datetime]:
    """license id → revoked at, for every revoked license: the content of the next list."""
    rows = conn.execute(
        select(_licenses.c.id, _licenses.c.revoked_at).where(_licenses.c.revoked_at.is_not(None))
    )
    return dict(rows.tuples().all())


def latest_revocation_list(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(select(_lists).order_by(_lists.c.version.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def next_revocation_version(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(_lists.c.version), 0))).scalar_one()) + 1


def record_revocation_list(
    conn: Connection, version: int, key_id: str, issued_at: dt.datetime, text: str
) -> None:
    conn.execute(
        insert(_lists).values(version=version, key_id=key_id, issued_at=naive_utc(issued_at), text=text)
    )


def record_public_key(
    conn: Connection,
    key_id: str,
    public_key_b64: str,
    created_at: dt.datetime,
    active: bool,
    *,
    now: dt.datetime,
) -> None:
    """Mirror a key's public half and state into the cache; a key that stops being active is retired."""
    current = conn.execute(select(_keys.c.active).where(_keys.c.key_id == key_id)).first()
    if current is None:
        conn.execute(
            insert(_keys).values(
                key_id=key_id, algorithm="Ed25519", public_key_b64=public_key_b64,
                created_at=naive_utc(created_at), active=active,
            )
        )
    elif current.active != active:
        conn.execute(
            update(_keys)
            .where(_keys.c.key_id == key_id)
            .values(active=active, retired_at=None if active else naive_utc(now))
        )


def public_keys_b64(conn: Connection) -> dict[str, str]:
    """Every public key the cache knows (including colleagues' keys that came through sync)."""
    return dict(conn.execute(select(_keys.c.key_id, _keys.c.public_key_b64)).tuples().all())
