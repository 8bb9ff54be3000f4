"""API tokens: in the OS keyring, or where there is none, in a passphrase-encrypted file.

Tokens never go to the cache, the settings file or the logs.  The keyring is
the normal home.  Headless Linux often has no keyring backend (``keyring``
raises ``NoKeyringError``); then the user is told so and may keep the tokens in
``secrets.enc`` in the data dir, encrypted with a key derived from a
passphrase (scrypt + Fernet from ``cryptography``).  That file is unlocked once
per run, from a prompt or ``OPSCONSOLE_SECRETS_PASSPHRASE`` for scripts.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

SERVICE = "OpsConsole"
OPS_API_TOKEN = "ops_api_token"
STRIPE_API_KEY = "stripe_api_key"
KNOWN_SECRETS = (OPS_API_TOKEN, STRIPE_API_KEY)
ENV_PASSPHRASE = "OPSCONSOLE_SECRETS_PASSPHRASE"

NO_KEYRING_MESSAGE = (
    "This system has no keyring service (on Linux: install and unlock GNOME Keyring or "
    "KWallet, or another Secret Service provider). Until then Ops Console can keep API tokens "
    "in a file in its data dir encrypted with a passphrase you choose; you will be asked for "
    "it once per run (scripts: set OPSCONSOLE_SECRETS_PASSPHRASE)."
)

_SCRYPT_N = 2**15


class SecretsError(Exception):
    """A secret could not be stored or read; the message says why and what to do."""


class KeyringUnavailable(SecretsError):
    """No OS keyring; the caller may offer the encrypted-file fallback."""

    def __init__(self) -> None:
        super().__init__(NO_KEYRING_MESSAGE)


class SecretsLocked(SecretsError):
    """The tokens are stored but cannot be read now: the keyring or the encrypted file is locked."""


def _derive(passphrase: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=8, p=1)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8")))


@dataclass
class EncryptedFile:
    """A small JSON map of secrets sealed with a passphrase."""

    path: Path
    _unlocked: dict[str, str] | None = field(default=None, repr=False)
    _key: bytes | None = field(default=None, repr=False)
    _salt: bytes | None = field(default=None, repr=False)

    def exists(self) -> bool:
        return self.path.exists()

    @property
    def unlocked(self) -> bool:
        return self._unlocked is not None

    def unlock(self, passphrase: str) -> None:
        """Open the file (or start a new one) with ``passphrase``; wrong passphrase → SecretsError."""
        from cryptography.fernet import Fernet, InvalidToken

        if not passphrase:
            raise SecretsError("The passphrase must not be empty.")
        if not self.path.exists():
            self._salt = os.urandom(16)
            self._key = _derive(passphrase, self._salt)
            self._unlocked = {}
            return
        try:
            envelope = json.loads(self.path.read_text(encoding="utf-8"))
            salt = base64.b64decode(envelope["salt"])
            token = envelope["token"].encode("ascii")
        except (OSError, ValueError, KeyError) as exc:
            raise SecretsError(f"The encrypted secrets file {self.path.name} is damaged: {exc}") from exc
        key = _derive(passphrase, salt)
        try:
            plain = Fernet(key).decrypt(token)
        except InvalidToken:
            raise SecretsError("The passphrase for the encrypted secrets file is wrong.") from None
        self._salt, self._key, self._unlocked = salt, key, json.loads(plain)

    def get(self, name: str) -> str | None:
        return None if self._unlocked is None else self._unlocked.get(name)

    def set(self, name: str, value: str | None) -> None:
        from cryptography.fernet import Fernet

        if self._unlocked is None or self._key is None or self._salt is None:
            raise SecretsError("Unlock the encrypted secrets file with its passphrase first.")
        if value:
            self._unlocked[name] = value
        else:
            self._unlocked.pop(name, None)
        token = Fernet(self._key).encrypt(json.dumps(self._unlocked).encode("utf-8"))
        envelope = {
            "format": "opsconsole-secrets/1",
            "kdf": "scrypt",
            "n": _SCRYPT_N,
            "salt": base64.b64encode(self._salt).decode(),
            "token": token.decode("ascii"),
        }
        # The data dir (``Paths.ensure`` made it private); 0700 from its first instant should it be missing.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(envelope, fh)
        tmp.replace(self.path)


class SecretStore:
    """Reads and writes API tokens: keyring first, the encrypted file where there is no keyring."""

    def __init__(self, secrets_file: Path) -> None:
        self.file = EncryptedFile(secrets_file)
        passphrase = os.environ.get(ENV_PASSPHRASE)
        if passphrase and self.file.exists():
            self.file.unlock(passphrase)

    @staticmethod
    def keyring_available() -> bool:
        import keyring
        from keyring.backends import fail

        return not isinstance(keyring.get_keyring(), fail.Keyring)

    def get(self, name: str, *, strict: bool = False) -> str | None:
        """The secret, or None when it is not stored (or the encrypted file is still locked).

        ``strict``: a locked or failing keyring, or an encrypted file that holds
        tokens but is still locked, raises ``SecretsLocked`` with what to do,
        instead of reading as "not stored" (``opsconsole sync`` and the window's
        sync say so rather than syncing nothing).
        """
        import keyring
        from keyring.errors import KeyringError, KeyringLocked

        if self.keyring_available():
            try:
                value = keyring.get_password(SERVICE, name)
            except KeyringLocked:
                if strict:
                    raise SecretsLocked(
                        "The keyring is locked: unlock it (GNOME Keyring, KWallet or the system's keychain) "
                        "or set the token in an environment variable, then try again."
                    ) from None
                value = None
            except KeyringError as exc:
                if strict:
                    raise SecretsLocked(f"The keyring could not be read ({exc}).") from None
                value = None
            if value:
                return value
        if strict and self.file.exists() and not self.file.unlocked:
            raise SecretsLocked(
                f"The API tokens are in the encrypted file {self.file.path.name}, which is locked: "
                f"set {ENV_PASSPHRASE} to its passphrase (or enter it when asked), then try again."
            )
        return self.file.get(name)

    def set(self, name: str, value: str | None) -> None:
        """Store in the keyring; raises KeyringUnavailable where there is none (unless the file is unlocked)."""
        import keyring
        from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

        if not self.keyring_available():
            if self.file.unlocked:
                self.file.set(name, value)
                return
            raise KeyringUnavailable
        try:
            if value:
                keyring.set_password(SERVICE, name, value)
            else:
                with contextlib.suppress(PasswordDeleteError):  # nothing stored: already as asked
                    keyring.delete_password(SERVICE, name)
        except NoKeyringError:
            raise KeyringUnavailable from None
        except KeyringError as exc:
            raise SecretsError(f"The keyring refused to store {name}: {exc}") from exc
