"""Turning an issue request into a signed license file.

Plans (``plans.py``) carry default seats and features so staff only type what differs.
``sign_license`` is the hot path the benchmark measures: one canonical JSON
text (``License.payload_text``), one Ed25519 signature, one string format.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.licensing.errors import LicensingError
from app.licensing.plans import DEFAULT_PRODUCT, plan_defaults
from app.licensing.signing import sign_armoured
from app.licensing.verifier import LICENSE_LABEL, License, utc_seconds, version_tuple


@dataclass(frozen=True)
class LicenseRequest:
    """What staff ask for; the fields staff leave out come from the plan.

    ``seats``/``features`` None mean the plan's defaults; ``expires_at`` wins
    over ``days``; times may be naive UTC or aware.  ``subscription_id`` (the
    Stripe subscription the license follows) goes to the registry, not into
    the signed file.
    """

    customer_id: str
    customer_name: str
    customer_email: str
    plan: str
    seats: int | None = None
    features: tuple[str, ...] | None = None
    days: int = 365
    expires_at: dt.datetime | None = None
    not_before: dt.datetime | None = None
    grace_days: int = 14
    fingerprint: str | None = None
    max_version: str | None = None
    product: str = DEFAULT_PRODUCT
    subscription_id: str | None = None


def build_license(
    request: LicenseRequest, key_id: str, now: dt.datetime, license_id: str | None = None
) -> License:
    """The license ``request`` describes, issued at ``now``; refuses an inconsistent request whole."""
    default_seats, default_features = plan_defaults(request.plan)
    seats = default_seats if request.seats is None else request.seats
    features = default_features if request.features is None else request.features
    issued_at = utc_seconds(now)
    not_before = utc_seconds(request.not_before) if request.not_before else issued_at
    try:
        expires_at = (
            utc_seconds(request.expires_at)
            if request.expires_at
            else issued_at + dt.timedelta(days=request.days)
        )
        expires_at + dt.timedelta(days=request.grace_days)
    except OverflowError:
        raise LicensingError("Cannot issue this license: it would run past the year 9999.") from None
    problems = [
        msg
        for bad, msg in (
            (not request.customer_id.strip(), "the customer id is empty"),
            (not request.customer_name.strip(), "the customer name is empty"),
            ("@" not in request.customer_email, "the customer email has no '@'"),
            (not request.product.strip(), "the product is empty"),
            (seats < 1, "seats must be at least 1"),
            (request.grace_days < 0, "grace days cannot be negative"),
            (expires_at <= not_before, "the expiry is not after the start"),
            (any(not f.strip() for f in features), "a feature name is empty"),
            (request.fingerprint is not None and not request.fingerprint.strip(), "the fingerprint is empty"),
        )
        if bad
    ]
    if request.max_version is not None:
        try:
            version_tuple(request.max_version)
        except ValueError as exc:
            problems.append(str(exc))
    texts = (request.customer_id, request.customer_name, request.customer_email, request.product,
             request.fingerprint or "", *features)
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:  # e.g. undecodable bytes from a command line
        problems.append("a field holds characters that are not valid text")
    if problems:
        raise LicensingError("Cannot issue this license: " + "; ".join(problems) + ".")
    return License(
        license_id=license_id or str(uuid.uuid4()),
        key_id=key_id,
        product=request.product.strip(),
        customer_id=request.customer_id.strip(),
        customer_name=request.customer_name.strip(),
        customer_email=request.customer_email.strip(),
        plan=request.plan,
        seats=seats,
        features=tuple(sorted({f.strip() for f in features})),
        issued_at=issued_at,
        not_before=not_before,
        expires_at=expires_at,
        grace_days=request.grace_days,
        fingerprint=request.fingerprint.strip() if request.fingerprint else None,
        max_version=request.max_version,
    )


def sign_license(lic: License, private_key: Ed25519PrivateKey) -> str:
    """The license file text of ``lic`` signed with ``private_key`` (whose id is ``lic.key_id``)."""
    return sign_armoured(LICENSE_LABEL, lic.key_id, lic.payload_text(), private_key)

