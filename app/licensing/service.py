"""The licensing operations the Licenses pane and the CLI call: one Qt-free facade.

The pane calls it from a worker thread (every method may touch files, the
cache or decrypt a key), so it holds no Qt and no UI state; the only state it
keeps is the in-memory unlocked key ("keep unlocked for N minutes").  Every
failed operation raises ``LicensingError`` with a message that names what is
wrong; only ``verify`` raises the verifier's ``LicenseError``, as the product would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Engine

from app.config.paths import Paths
from app.licensing import registry
from app.licensing.errors import LicensingError
from app.licensing.issuing import LicenseRequest, build_license, sign_license
from app.licensing.keys import KeyInfo, KeyStore, UnlockedKeys
from app.licensing.plans import plan_defaults
from app.licensing.revocation import build_revocation_list, sign_revocation_list
from app.licensing.verifier import (
    License,
    LicenseError,
    load_public_keys,
    read_license,
    read_revocation_list,
    verify,
)
from app.store.changes import NOTHING, Changes


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

        Without ``passphrase`` the key must be unlocked (see ``unlock``).
        """
        return self._issue(request, passphrase, supersedes=None)

    def record(self, license_id: str) -> dict[str, Any]:
        """The registry row of a license (``license_text`` re-exports the file)."""
        with self._engine.connect() as conn:
            return registry.get(conn, license_id)

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
        old = self.record(license_id)
        if old["revoked_at"] is not None:
            raise LicensingError(f"License {license_id} is revoked; issue a new one instead.")
        request = LicenseRequest(
            customer_id=old["customer_id"] or "",
            customer_name=old["customer_name"] or "",
            customer_email=old["customer_email"] or "",
            plan=old["plan"],
            seats=old["seats"],
            features=tuple(old["features_json"] or ()),
            expires_at=new_expiry,
            grace_days=old["grace_days"],
            fingerprint=old["fingerprint"],
            max_version=old["max_version"],
            product=old["product"],
        )
        return self._issue(request, passphrase, supersedes=license_id)

    def _issue(
        self, request: LicenseRequest, passphrase: str | None, *, supersedes: str | None
    ) -> IssuedLicense:
        key_id = self._active_id()
        now = self._clock()
        lic = build_license(request, key_id, now)  # a bad request is refused before the slow unlock
        text = sign_license(lic, self._private_key(key_id, passphrase))
        with self._engine.begin() as conn:
            record = registry.record_issue(
                conn, lic, text, issued_by=self._issued_by, supersedes=supersedes, now=now
            )
            if supersedes is not None:
                registry.record_revoke(conn, supersedes, f"superseded by {lic.license_id}", now=now)
        changed = registry.changed(lic.license_id, *([supersedes] if supersedes else []))
        return IssuedLicense(license=lic, text=text, record=record, changes=changed)

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
