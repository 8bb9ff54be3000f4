"""Signing keys on this workstation: Ed25519, one active for signing, old ones still verify.

Each key is two files in ``Paths.keys_dir``: ``<id>.key``, the private key as
encrypted PKCS#8 PEM, and ``<id>.json``, its public half, creation time and
the scrypt salt, so keys can be listed and licenses verified without the
passphrase.  Back up both: the PKCS#8 password is not the passphrase itself
but the passphrase stretched with scrypt, because the PKCS#8 encryption
``cryptography`` writes derives its key with PBKDF2 at only 2,048 iterations,
which is cheap to brute-force if the file is stolen.  The file ``active``
names the key new licenses are signed with.  The files are the truth; the
cache's ``signing_public_keys`` table mirrors the public halves for the
registry (see ``registry.record_public_key``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.config.paths import private_dir
from app.licensing.errors import LicensingError
from app.licensing.verifier import KEY_ID_PATTERN, utc_seconds

_ACTIVE_FILE = "active"
#: scrypt cost (OWASP's minimum for passwords: about 0.3 s and 128 MiB per unlock).
_SCRYPT_COST = {"n": 2**17, "r": 8, "p": 1}


@dataclass(frozen=True)
class KeyInfo:
    """What can be shown about a key without its passphrase."""

    key_id: str
    public_key_b64: str
    created_at: dt.datetime  # naive UTC
    active: bool
    has_private_key: bool

    @property
    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key_b64))

    @property
    def public_key_pem(self) -> str:
        """SubjectPublicKeyInfo PEM, for products that load keys with standard tools."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def _stretch(passphrase: str, kdf: dict[str, int | str]) -> bytes:
    """The PKCS#8 password of a key: its passphrase run through scrypt with the key's salt."""
    derived = Scrypt(
        salt=base64.b64decode(str(kdf["salt"])), length=32, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])
    ).derive(passphrase.encode())
    return base64.b64encode(derived)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only this user can read, atomically (never a half-written key)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    tmp.replace(path)


class KeyStore:
    """The signing keys in one directory."""

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir

    # ------------------------------------------------------------------ reading

    @property
    def active_id(self) -> str | None:
        path = self.keys_dir / _ACTIVE_FILE
        if not path.exists():
            return None
        return path.read_text().strip() or None

    def list(self) -> list[KeyInfo]:
        """All known keys, newest first."""
        if not self.keys_dir.exists():
            return []
        ids = [p.stem for p in self.keys_dir.glob("*.json")]
        return sorted((self.info(k) for k in ids), key=lambda k: (k.created_at, k.key_id), reverse=True)

    def info(self, key_id: str) -> KeyInfo:
        meta = self._meta(key_id)
        try:
            return KeyInfo(
                key_id=key_id,
                public_key_b64=meta["public_key_b64"],
                created_at=dt.datetime.fromisoformat(meta["created_at"]),
                active=key_id == self.active_id,
                has_private_key=(self.keys_dir / f"{key_id}.key").exists(),
            )
        except (KeyError, TypeError, ValueError):
            raise LicensingError(f"The file {key_id}.json in {self.keys_dir} is damaged.") from None

    def _meta(self, key_id: str) -> dict[str, Any]:
        """The ``<id>.json`` of a key: public half, creation time, scrypt parameters."""
        path = self.keys_dir / f"{key_id}.json"
        if not KEY_ID_PATTERN.fullmatch(key_id) or not path.exists():
            raise LicensingError(f"There is no signing key {key_id!r} in {self.keys_dir}.")
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            meta = None
        if not isinstance(meta, dict):
            raise LicensingError(f"The file {path.name} in {self.keys_dir} is damaged.")
        return meta

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every known key id → public key: what verifies this workstation's licenses."""
        return {k.key_id: k.public_key for k in self.list()}

    def load_private(self, key_id: str, passphrase: str) -> Ed25519PrivateKey:
        """Decrypt a private key; a wrong passphrase says so, naming the key."""
        path = self.keys_dir / f"{key_id}.key"
        if not KEY_ID_PATTERN.fullmatch(key_id) or not path.exists():
            raise LicensingError(f"There is no private key for {key_id!r} on this workstation.")
        try:
            password = _stretch(passphrase, self._meta(key_id)["kdf"])
        except (KeyError, TypeError, ValueError):
            raise LicensingError(
                f"The file {key_id}.json in {self.keys_dir} is damaged (its scrypt salt is unreadable)."
            ) from None
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password)
        except (ValueError, TypeError):
            raise LicensingError(f"The passphrase for key {key_id} is wrong.") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise LicensingError(f"Key {key_id} is not an Ed25519 key.")
        return key

    # ------------------------------------------------------------------ writing

    def generate(self, passphrase: str, key_id: str | None = None) -> KeyInfo:
        """A new key pair; the first key of a store becomes the active one."""
        return self._add(Ed25519PrivateKey.generate(), passphrase, key_id)

    def import_private(
        self,
        pem: bytes,
        passphrase: str,
        *,
        source_passphrase: str | None = None,
        key_id: str | None = None,
    ) -> KeyInfo:
        """Adopt an existing Ed25519 private key (PEM, PKCS#8), re-encrypted with ``passphrase``."""
        try:
            key = serialization.load_pem_private_key(
                pem, source_passphrase.encode() if source_passphrase else None
            )
        except TypeError:
            raise LicensingError("The key file is encrypted: give its passphrase.") from None
        except ValueError as exc:
            raise LicensingError(f"The key file could not be read: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise LicensingError("The key file does not hold an Ed25519 private key.")
        return self._add(key, passphrase, key_id)

    def activate(self, key_id: str) -> None:
        """Sign new licenses with ``key_id`` from now on; the others keep verifying."""
        if not self.info(key_id).has_private_key:
            raise LicensingError(f"Key {key_id} has no private half here, so it cannot sign.")
        _write_private(self.keys_dir / _ACTIVE_FILE, key_id.encode())

    def _add(self, key: Ed25519PrivateKey, passphrase: str, key_id: str | None) -> KeyInfo:
        if not passphrase:
            raise LicensingError("A signing key needs a passphrase.")
        created = utc_seconds(dt.datetime.now(dt.UTC))
        key_id = key_id or f"k{created:%Y%m%d}-{secrets.token_hex(3)}"
        if not KEY_ID_PATTERN.fullmatch(key_id):
            raise LicensingError(
                f"Key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit."
            )
        if (self.keys_dir / f"{key_id}.json").exists():
            raise LicensingError(f"A key named {key_id} already exists.")
        private_dir(self.keys_dir)
        raw_public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        salt = base64.b64encode(secrets.token_bytes(16)).decode()
        kdf: dict[str, int | str] = {"name": "scrypt", "salt": salt, **_SCRYPT_COST}
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_stretch(passphrase, kdf)),
        )
        meta = {
            "public_key_b64": base64.b64encode(raw_public).decode(),
            "created_at": created.isoformat(),
            "kdf": kdf,
        }
        # The metadata first: a key file without its salt could never be opened.
        _write_private(self.keys_dir / f"{key_id}.json", json.dumps(meta, indent=2).encode())
        _write_private(self.keys_dir / f"{key_id}.key", pem)
        if self.active_id is None:
            self.activate(key_id)
        return self.info(key_id)


class UnlockedKeys:
    """Decrypted private keys kept in memory for a while ("keep unlocked for N minutes").

    Only in memory, never written; an expired entry is dropped on the next
    look-up.  Thread-safe, since the pane calls the service from a worker.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._keys: dict[str, tuple[Ed25519PrivateKey, float]] = {}
        self._lock = threading.Lock()

    def put(self, key_id: str, key: Ed25519PrivateKey, minutes: float) -> None:
        with self._lock:
            self._keys[key_id] = (key, self._clock() + minutes * 60)

    def get(self, key_id: str) -> Ed25519PrivateKey | None:
        with self._lock:
            entry = self._keys.get(key_id)
            if entry is None:
                return None
            if self._clock() >= entry[1]:
                del self._keys[key_id]
                return None
            return entry[0]

    def seconds_left(self, key_id: str) -> float:
        """How long ``key_id`` stays unlocked (0 when locked), for the pane's countdown."""
        with self._lock:
            entry = self._keys.get(key_id)
            return max(0.0, entry[1] - self._clock()) if entry else 0.0

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()
