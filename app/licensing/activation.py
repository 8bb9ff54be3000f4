"""Answering an offline activation request: check it against the license, sign a machine-bound response.

The product writes the request (``verifier.write_activation_request``); ops
staff open it here.  ``check`` decides from the request and what the registry
says of the license (``LicenseTerms``) -- nothing else, so the same rule
serves the review a dialog shows, the CLI and the benchmark, and every
refusal is a sentence naming its cause.  ``answer`` signs the response, bound
to the request's machine fingerprint; recording it (registry and outbox, in
the transaction that counted the seats) is ``registry.record_activation``.

A machine that already holds a seat of the license is answered again without
taking another seat: the activation id is derived from (license id,
fingerprint), so a reinstalled machine, or a request answered twice, stays one
machine here and on the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.licensing.errors import LicensingError
from app.licensing.signing import sign_armoured
from app.licensing.verifier import (
    ACTIVATION_LABEL,
    Activation,
    ActivationRequest,
    MalformedRequest,
    naive_utc,
    read_activation_request,
    utc_seconds,
    version_covered,
)

#: The namespace of activation ids (docs/ops-api.json documents it): uuid5 of "<license id>\n<fingerprint>".
ACTIVATION_NAMESPACE = uuid.UUID("5b0f7c3e-2d1a-4f6b-9e8d-7a6c5b4d3e2f")

# Why a request is refused (``ActivationRefused.reason``), for scripts; the message says it in words.
MALFORMED, UNKNOWN_LICENSE, WRONG_PRODUCT = "malformed", "unknown_license", "wrong_product"
REVOKED, EXPIRED, NO_SEATS, VERSION = "revoked", "expired", "no_seats", "version_not_covered"


_NAMESPACE_BYTES = ACTIVATION_NAMESPACE.bytes


def activation_id(license_id: str, fingerprint: str) -> str:
    """The id of the machine ``fingerprint`` on license ``license_id``, the same wherever it is computed.

    ``uuid.uuid5(ACTIVATION_NAMESPACE, "<license id>\\n<fingerprint>")``, spelled out: building a
    ``uuid.UUID`` costs as much as the rest of answering a request beside the signature.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{license_id}\n{fingerprint}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class ActivationRefused(LicensingError):
    """A request the console will not answer; ``reason`` is one of the module's reason codes."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class LicenseTerms:
    """What the registry says of the license a request names, as far as answering it goes."""

    license_id: str
    product: str
    customer_name: str
    expires_at: dt.datetime  # naive UTC
    grace_days: int
    max_version: str | None
    seats: int
    in_use: int  # machines holding a seat now
    machine_known: bool  # the request's machine already holds one of them
    revoked_at: dt.datetime | None = None
    revoke_reason: str | None = None

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.in_use)


def read_request(data: str | bytes) -> ActivationRequest:
    """The request in a file's content; ``ActivationRefused`` (reason ``malformed``) when any byte is off."""
    try:
        return read_activation_request(data)
    except MalformedRequest as exc:
        raise ActivationRefused(MALFORMED, f"This is not a readable activation request: {exc}") from exc


def check(request: ActivationRequest, terms: LicenseTerms, now: dt.datetime) -> None:
    """``ActivationRefused`` naming why ``request`` cannot be answered for ``terms`` at ``now``; else nothing."""
    lid = terms.license_id
    if request.product != terms.product:
        raise ActivationRefused(WRONG_PRODUCT, f"The request is for {request.product!r}, but license {lid} "
                                               f"is for {terms.product!r}.")
    if terms.revoked_at is not None:
        raise ActivationRefused(REVOKED, f"License {lid} was revoked on {terms.revoked_at:%Y-%m-%d} "
                                         f"({terms.revoke_reason or 'no reason given'}); nothing was answered.")
    if naive_utc(now) >= terms.expires_at:
        raise ActivationRefused(EXPIRED, f"License {lid} expired on {terms.expires_at:%Y-%m-%d}: renew it first, "
                                         "then answer a request for the new license.")
    try:
        covered = version_covered(terms.max_version, request.product_version)
    except ValueError:
        covered = False
    if not covered:
        raise ActivationRefused(VERSION, f"The machine runs version {request.product_version}, above the "
                                         f"license's maximum {terms.max_version}.")
    if not terms.machine_known and terms.in_use >= terms.seats:
        raise ActivationRefused(NO_SEATS, f"No seats left: all {terms.seats:,} seats of license {lid} are in use "
                                          f"({terms.in_use:,} machines). Free a seat or raise the cap first.")


def answer(
    request: ActivationRequest,
    terms: LicenseTerms,
    key_id: str,
    private_key: Ed25519PrivateKey,
    now: dt.datetime,
) -> tuple[Activation, str]:
    """Check ``request`` and sign its response: (the activation, the response file's text)."""
    check(request, terms, now)
    activation = Activation(
        activation_id=activation_id(request.license_id, request.fingerprint),
        license_id=request.license_id,
        key_id=key_id,
        product=request.product,
        fingerprint=request.fingerprint,
        machine_name=request.machine_name,
        product_version=request.product_version,
        nonce=request.nonce,
        activated_at=utc_seconds(now),
        expires_at=terms.expires_at,
        grace_days=terms.grace_days,
        max_version=terms.max_version,
    )
    return activation, sign_armoured(ACTIVATION_LABEL, key_id, activation.payload_text(), private_key)
