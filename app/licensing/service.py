"""The licensing operations the Licenses pane and the CLI call: one Qt-free facade.

The pane calls it from a worker thread (every method may touch files, the
cache or decrypt a key), so it holds no Qt and no UI state; the only state it
keeps is the in-memory unlocked key ("keep unlocked for N minutes").  Every
failed operation raises ``LicensingError`` with a message that names what is
wrong; only ``verify`` raises the verifier's ``LicenseError``, as the product would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, Engine

from app.config.paths import Paths
from app.domain.licenses import Renewal, current_subscription, due_renewals, renewal_expiry
from app.licensing import registry
from app.licensing.activation import ActivationRefused, LicenseTerms, answer, check, read_request
from app.licensing.errors import LicensingError
from app.licensing.issuing import LicenseRequest, build_license, sign_license
from app.licensing.keys import KeyInfo, KeyStore, UnlockedKeys
from app.licensing.plans import plan_defaults
from app.licensing.revocation import build_revocation_list, sign_revocation_list
from app.licensing.verifier import (
    Activation,
    ActivationRequest,
    License,
    LicenseError,
    load_public_keys,
    naive_utc,
    read_activation,
    read_license,
    read_revocation_list,
    verify,
    verify_activation,
)
from app.store.changes import NOTHING, Changes
from app.views.licenses import license_detail, registry_rows


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class IssuedLicense:
    """A freshly signed license: the parsed fields, the file text, its registry record and what was written."""

    license: License
    text: str
    record: dict[str, Any]
    changes: Changes = NOTHING


@dataclass(frozen=True)
class RenewedLicenses:
    """A renewal batch: the new licenses (each superseding one due), and what was written."""

    issued: tuple[IssuedLicense, ...]
    changes: Changes = NOTHING


@dataclass(frozen=True)
class ActivationReview:
    """An activation request as the console reads it: what it asks, the license's terms, and a refusal if any."""

    request: ActivationRequest
    terms: LicenseTerms
    refusal: ActivationRefused | None

    @property
    def repeat(self) -> bool:
        """The machine already holds a seat: answering again takes no other."""
        return self.terms.machine_known


@dataclass(frozen=True)
class AnsweredActivation:
    """A signed response, the license's terms it was checked against, and what recording it wrote."""

    activation: Activation
    text: str
    terms: LicenseTerms
    changes: Changes = NOTHING


@dataclass(frozen=True)
class Inspection:
    """What a license file says, in plain words, and whether it holds here and now."""

    fields: list[tuple[str, str]]
    verdict: str
    ok: bool


@dataclass(frozen=True)
class PublishedRevocations:
    """A signed revocation list; ``new`` is False when the latest one was still current."""

    version: int
    text: str
    new: bool


class LicenseService:
    """Keys, issuing, revoking and inspecting licenses on this workstation."""

    def __init__(
        self,
        paths: Paths,
        engine: Engine,
        *,
        issued_by: str | None = None,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.keys = KeyStore(paths.keys_dir)
        self._engine = engine
        self._issued_by = issued_by
        self._clock = clock
        self._unlocked = UnlockedKeys()

    # ------------------------------------------------------------------ keys

    def list_keys(self) -> list[KeyInfo]:
        """The signing keys of this workstation, newest first (the active one flagged)."""
        return self.keys.list()

    def generate_key(self, passphrase: str, key_id: str | None = None, *, activate: bool = False) -> KeyInfo:
        """A new signing key; it becomes active if asked, or if it is the first one."""
        info = self.keys.generate(passphrase, key_id)
        return self._after_key_change(info.key_id, activate)

    def import_key(
        self,
        pem: bytes,
        passphrase: str,
        *,
        source_passphrase: str | None = None,
        key_id: str | None = None,
        activate: bool = False,
    ) -> KeyInfo:
        """Adopt an existing Ed25519 private key (PKCS#8 PEM), stored under ``passphrase``."""
        info = self.keys.import_private(pem, passphrase, source_passphrase=source_passphrase, key_id=key_id)
        return self._after_key_change(info.key_id, activate)

    def activate_key(self, key_id: str) -> KeyInfo:
        """Sign with ``key_id`` from now on; the previous key is retired but still verifies."""
        return self._after_key_change(key_id, True)

    def public_key(self, key_id: str | None = None) -> KeyInfo:
        """A key's public half (``public_key_pem``, ``public_key_b64``) for the product.

        Default: the active key.
        """
        return self.keys.info(key_id or self._active_id())

    def _after_key_change(self, key_id: str, activate: bool) -> KeyInfo:
        if activate:
            self.keys.activate(key_id)
        now = self._clock()
        with self._engine.begin() as conn:
            for info in self.keys.list():
                registry.record_public_key(
                    conn, info.key_id, info.public_key_b64, info.created_at, info.active, now=now
                )
        return self.keys.info(key_id)

    def _active_id(self) -> str:
        key_id = self.keys.active_id
        if key_id is None:
            raise LicensingError("There is no signing key yet: generate or import one first.")
        return key_id

    # ------------------------------------------------------------------ unlocking

    def unlock(self, passphrase: str, minutes: float, key_id: str | None = None) -> None:
        """Keep the (active) key decrypted in memory for ``minutes``; a wrong passphrase is refused."""
        key_id = key_id or self._active_id()
        self._unlocked.put(key_id, self.keys.load_private(key_id, passphrase), minutes)

    def lock(self) -> None:
        """Forget every decrypted key now."""
        self._unlocked.clear()

    def unlocked_seconds_left(self, key_id: str | None = None) -> float:
        """Seconds the (active) key stays unlocked; 0 when locked."""
        key_id = key_id or self.keys.active_id
        return self._unlocked.seconds_left(key_id) if key_id else 0.0

    def _private_key(self, key_id: str, passphrase: str | None) -> Ed25519PrivateKey:
        """Decrypt with ``passphrase``, or take the unlocked key; else say it is locked."""
        if passphrase is not None:
            return self.keys.load_private(key_id, passphrase)
        key = self._unlocked.get(key_id)
        if key is None:
            raise LicensingError(f"Key {key_id} is locked: enter its passphrase.")
        return key

    # ------------------------------------------------------------------ licenses

    @staticmethod
    def plan_defaults(plan: str) -> tuple[int, tuple[str, ...]]:
        """Default (seats, features) of a plan, to prefill the issue form."""
        return plan_defaults(plan)

    def issue(self, request: LicenseRequest, passphrase: str | None = None) -> IssuedLicense:
        """Sign a license and record it in the registry and the outbox in one transaction.

        Without ``passphrase`` the key must be unlocked (see ``unlock``).  A
        request naming no subscription follows the customer's live one, if
        the cache holds one (docs/metrics.md, "Subscription a license follows").
        """
        return self._issue(request, passphrase, supersedes=None)

    def record(self, license_id: str) -> dict[str, Any]:
        """The registry row of a license (``license_text`` re-exports the file)."""
        with self._engine.connect() as conn:
            return registry.get(conn, license_id)

    def list_licenses(self, *, over_cap: bool = False, expiring_days: int | None = None) -> list[dict[str, Any]]:
        """The registry with seats in use and subscription state (``opsconsole license list``)."""
        with self._engine.connect() as conn:
            return registry_rows(conn, over_cap=over_cap, expiring_days=expiring_days)

    def revoke(self, license_id: str, reason: str) -> Changes:
        """Revoke a license: registry and outbox now, the product sees it in the next revocation list."""
        with self._engine.begin() as conn:
            registry.record_revoke(conn, license_id, reason, now=self._clock())
        return registry.changed(license_id)

    def reissue(
        self, license_id: str, new_expiry: dt.datetime, passphrase: str | None = None
    ) -> IssuedLicense:
        """Extend a license in one step: a new one until ``new_expiry`` supersedes it.

        The old one is revoked in the same transaction, so there is never a
        moment with both or neither valid in the registry.
        """
        return self._reissue([(license_id, {"expires_at": new_expiry})], passphrase, "superseded by")[0]

    def renewals(self) -> list[Renewal]:
        """Licenses expiring within 30 days whose subscription is active, each with its renewed expiry."""
        with self._engine.connect() as conn:
            return due_renewals(conn, naive_utc(self._clock()))

    def renew(self, license_ids: Sequence[str], passphrase: str | None = None) -> RenewedLicenses:
        """Renew licenses as one batch: each is re-issued for its term again (``renewal_expiry``).

        One transaction: every new license is recorded and every old one revoked
        as renewed, or, when one cannot be, none is.
        """
        renewals = []
        with self._engine.connect() as conn:
            for license_id in license_ids:
                old = registry.get(conn, license_id)
                renewals.append((license_id, {"expires_at": renewal_expiry(old["expires_at"], old["not_before"])}))
        issued = self._reissue(renewals, passphrase, "renewed by")
        changes = NOTHING
        for one in issued:
            changes |= one.changes
        return RenewedLicenses(issued=tuple(issued), changes=changes)

    def reissue_for_plan(self, license_id: str, passphrase: str | None = None) -> IssuedLicense:
        """Re-issue a license on the plan its subscription now pays for, with that plan's seat cap and features.

        The seat cap is the subscription product's ``seats`` (else the plan's
        default); the expiry and everything else stay.
        """
        with self._engine.connect() as conn:
            detail = license_detail(conn, license_id)
        if detail is None:
            raise LicensingError(f"There is no license {license_id} in the registry.")
        plan = detail["subscription_plan"]
        if not detail["plan_changed"] or plan is None:
            raise LicensingError(f"The subscription of license {license_id} pays for the plan it has.")
        seats, features = plan_defaults(plan)
        changes = {"plan": plan, "seats": detail["subscription_seats"] or seats, "features": features}
        return self._reissue([(license_id, changes)], passphrase, "re-issued for its new plan as")[0]

    def _reissue(
        self, successors: Sequence[tuple[str, dict[str, Any]]], passphrase: str | None, why: str
    ) -> list[IssuedLicense]:
        """Issue a successor of each (license id, changed fields) and revoke the old ones, all in one transaction."""
        key_id = self._active_id()
        now = self._clock()
        with self._engine.connect() as conn:
            olds = [registry.get(conn, license_id) for license_id, _ in successors]
        requests = [successor_request(old, **changes) for old, (_, changes) in zip(olds, successors, strict=True)]
        for old in olds:
            if old["revoked_at"] is not None:
                raise LicensingError(f"License {old['id']} is revoked; issue a new one instead.")
        licenses = [build_license(request, key_id, now) for request in requests]  # refused before the slow unlock
        key = self._private_key(key_id, passphrase)
        issued = []
        with self._engine.begin() as conn:
            for old, request, lic in zip(olds, requests, licenses, strict=True):
                issued.append(self._record_issue(conn, lic, sign_license(lic, key), request, old["id"], now))
                registry.record_revoke(conn, old["id"], f"{why} {lic.license_id}", now=now)
        return issued

    def _issue(
        self, request: LicenseRequest, passphrase: str | None, *, supersedes: str | None
    ) -> IssuedLicense:
        key_id = self._active_id()
        now = self._clock()
        lic = build_license(request, key_id, now)  # a bad request is refused before the slow unlock
        text = sign_license(lic, self._private_key(key_id, passphrase))
        with self._engine.begin() as conn:
            return self._record_issue(conn, lic, text, request, supersedes, now)

    def _record_issue(
        self, conn: Connection, lic: License, text: str, request: LicenseRequest, supersedes: str | None,
        now: dt.datetime,
    ) -> IssuedLicense:
        follows = request.subscription_id or (current_subscription(conn, lic.customer_id) or {}).get("id")
        record = registry.record_issue(
            conn, lic, text, issued_by=self._issued_by, supersedes=supersedes, subscription_id=follows, now=now,
        )
        changed = registry.changed(lic.license_id, *([supersedes] if supersedes else []))
        return IssuedLicense(license=lic, text=text, record=record, changes=changed)

    # ------------------------------------------------------------------ offline activation

    def review_activation(self, data: str | bytes) -> ActivationReview:
        """What a request file asks and whether it would be answered, read from the registry; signs nothing."""
        request = read_request(data)
        with self._engine.connect() as conn:
            terms = registry.license_terms(conn, request.license_id, request.fingerprint)
        try:
            check(request, terms, self._clock())
        except ActivationRefused as refused:
            return ActivationReview(request, terms, refused)
        return ActivationReview(request, terms, None)

    def answer_activation(self, data: str | bytes, passphrase: str | None = None) -> AnsweredActivation:
        """Check a request against the registry, sign its machine-bound response, record the machine.

        The seats are counted, the response signed and the machine recorded
        (registry and outbox) in one transaction; a refused request
        (``ActivationRefused``) records nothing.
        """
        request = read_request(data)
        key_id = self._active_id()
        key = self._private_key(key_id, passphrase)
        now = self._clock()
        with self._engine.begin() as conn:
            terms = registry.license_terms(conn, request.license_id, request.fingerprint)
            activation, text = answer(request, terms, key_id, key, now)
            registry.record_activation(conn, activation, now=now)
        return AnsweredActivation(activation, text, terms, registry.activation_changed(activation.activation_id))

    # ------------------------------------------------------------------ checking

    def trusted_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every public key known here: this workstation's files and the registry's mirror."""
        with self._engine.connect() as conn:
            from_registry = registry.public_keys_b64(conn)
        return {**load_public_keys(from_registry), **self.keys.public_keys()}

    def verify(
        self, text: str | bytes, *, fingerprint: str | None = None, product: str | None = None
    ) -> License:
        """Verify as the product would, against this registry's revocations; raises ``LicenseError``."""
        with self._engine.connect() as conn:
            revoked = registry.revoked(conn)
        return verify(
            text, self.trusted_keys(), self._clock(), fingerprint,
            product=product, revocations=revoked,
        )

    def inspect(self, text: str | bytes, fingerprint: str | None = None) -> Inspection:
        """The fields of a license file and a one-sentence verdict, for support staff.

        Without ``fingerprint`` the machine is not checked (support staff are
        not on the customer's machine); the verdict says where it is locked.
        """
        try:
            lic = read_license(text)
        except LicenseError as exc:
            return Inspection(fields=[], verdict=f"This is not a readable license file: {exc}", ok=False)
        fields = describe(lic)
        try:
            self.verify(text, fingerprint=fingerprint or lic.fingerprint)
        except LicenseError as exc:
            return Inspection(fields=fields, verdict=f"Not valid: {exc}", ok=False)
        if lic.in_grace(self._clock()):
            verdict = (
                f"Valid, in its grace period: it expired on {lic.expires_at:%Y-%m-%d} "
                f"and stops working on {lic.grace_ends_at:%Y-%m-%d}."
            )
        else:
            verdict = f"Valid until {lic.expires_at:%Y-%m-%d}, plus {lic.grace_days} grace days."
        if lic.fingerprint and not fingerprint:
            verdict += f" Only on the machine with fingerprint {lic.fingerprint}."
        return Inspection(fields=fields, verdict=verdict, ok=True)

    def inspect_activation(self, text: str | bytes) -> Inspection:
        """The fields of an activation response and whether it holds on the machine it names, for support staff."""
        try:
            activation = read_activation(text)
        except LicenseError as exc:
            return Inspection(fields=[], verdict=f"This is not a readable activation response: {exc}", ok=False)
        fields = describe_activation(activation)
        with self._engine.connect() as conn:
            revoked = registry.revoked(conn)
        try:
            verify_activation(text, self.trusted_keys(), self._clock(), activation.fingerprint, revocations=revoked)
        except LicenseError as exc:
            return Inspection(fields=fields, verdict=f"Not valid: {exc}", ok=False)
        verdict = (f"Valid on the machine with fingerprint {activation.fingerprint} until "
                   f"{activation.expires_at:%Y-%m-%d}, plus {activation.grace_days} grace days; on any other "
                   "machine the product refuses it.")
        return Inspection(fields=fields, verdict=verdict, ok=True)

    # ------------------------------------------------------------------ revocation lists

    def current_revocations(self) -> PublishedRevocations | None:
        """The latest published list if it still covers every revocation, else None (sign a new one)."""
        with self._engine.connect() as conn:
            revoked = registry.revoked(conn)
            latest = registry.latest_revocation_list(conn)
        if latest is None or set(read_revocation_list(latest["text"]).revoked) != set(revoked):
            return None
        return PublishedRevocations(version=latest["version"], text=latest["text"], new=False)

    def publish_revocations(self, passphrase: str | None = None) -> PublishedRevocations:
        """The current signed revocation list; signs a new version only if revocations changed."""
        current = self.current_revocations()
        if current is not None:
            return current
        key_id = self._active_id()
        key = self._private_key(key_id, passphrase)
        now = self._clock()
        with self._engine.begin() as conn:
            revoked = registry.revoked(conn)
            version = registry.next_revocation_version(conn)
            text = sign_revocation_list(build_revocation_list(version, key_id, now, revoked), key)
            registry.record_revocation_list(conn, version, key_id, now, text)
        return PublishedRevocations(version=version, text=text, new=True)


def successor_request(old: dict[str, Any], **changes: Any) -> LicenseRequest:
    """The request that re-issues the registry row ``old`` with ``changes`` (expiry, plan, seats…)."""
    request = LicenseRequest(
        customer_id=old["customer_id"] or "",
        customer_name=old["customer_name"] or "",
        customer_email=old["customer_email"] or "",
        plan=old["plan"],
        seats=old["seats"],
        features=tuple(old["features_json"] or ()),
        expires_at=old["expires_at"],
        not_before=None,
        grace_days=old["grace_days"],
        fingerprint=old["fingerprint"],
        max_version=old["max_version"],
        product=old["product"],
        subscription_id=old["subscription_id"],
    )
    return replace(request, **changes)


def describe_activation(activation: Activation) -> list[tuple[str, str]]:
    """(label, value) pairs of an activation response in plain words."""
    return [
        ("Activation", activation.activation_id),
        ("License", activation.license_id),
        ("Product", f"{activation.product} {activation.product_version}"),
        ("Machine", f"{activation.machine_name or '(no name)'} · fingerprint {activation.fingerprint}"),
        ("Answered", f"{activation.activated_at:%Y-%m-%d %H:%M} UTC"),
        ("Expires", f"{activation.expires_at:%Y-%m-%d %H:%M} UTC"),
        ("Grace", f"{activation.grace_days} days"),
        ("Up to version", activation.max_version or "any version"),
        ("Signed with key", activation.key_id),
    ]


def describe(lic: License) -> list[tuple[str, str]]:
    """(label, value) pairs of a license in plain words, in the order support reads them."""
    return [
        ("License", lic.license_id),
        ("Product", lic.product),
        ("Customer", f"{lic.customer_name} ({lic.customer_id})"),
        ("Email", lic.customer_email),
        ("Plan", lic.plan),
        ("Seats", str(lic.seats)),
        ("Features", ", ".join(lic.features) or "none"),
        ("Issued", f"{lic.issued_at:%Y-%m-%d %H:%M} UTC"),
        ("Valid from", f"{lic.not_before:%Y-%m-%d %H:%M} UTC"),
        ("Expires", f"{lic.expires_at:%Y-%m-%d %H:%M} UTC"),
        ("Grace", f"{lic.grace_days} days"),
        ("Machine", lic.fingerprint or "any machine"),
        ("Up to version", lic.max_version or "any version"),
        ("Signed with key", lic.key_id),
    ]
