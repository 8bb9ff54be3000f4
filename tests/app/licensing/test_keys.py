"""Signing keys: encrypted at rest, clear messages, rotation, import, export, unlock expiry."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.licensing.errors import LicensingError
from app.licensing.keys import KeyStore, UnlockedKeys
from app.licensing.verifier import Revoked
from app.store.schema import SigningPublicKey
from tests.app.licensing.support import PASSPHRASE, request


def test_private_key_is_encrypted_pkcs8_readable_only_by_the_user(service):
    key_file = service.keys.keys_dir / "k1.key"
    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key_file.stat().st_mode & 0o077 == 0
    # The passphrase is stretched with scrypt first: it does not open the PKCS#8 file by itself.  Refused as a
    # bad password, or (one time in about 256, when the wrong key decrypts to valid padding) as unparsable.
    with pytest.raises(ValueError, match=r"(?i)password|deserialize"):
        serialization.load_pem_private_key(key_file.read_bytes(), PASSPHRASE.encode())
    assert isinstance(service.keys.load_private("k1", PASSPHRASE), Ed25519PrivateKey)


def test_private_key_never_reaches_the_cache(service):
    service.issue(request(), PASSPHRASE)
    key = service.keys.load_private("k1", PASSPHRASE)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    cache_bytes = b"".join(p.read_bytes() for p in service.keys.keys_dir.parent.glob("cache.sqlite3*"))
    assert raw not in cache_bytes


def test_wrong_passphrase_names_the_key(service):
    with pytest.raises(LicensingError, match=r"^The passphrase for key k1 is wrong\.$"):
        service.issue(request(), "not it")


def test_first_key_is_active_and_public_half_is_mirrored(service):
    (info,) = service.list_keys()
    assert info.active and info.has_private_key
    with service._engine.connect() as conn:
        rows = conn.execute(select(SigningPublicKey.key_id, SigningPublicKey.active)).all()
    assert rows == [("k1", True)]


def test_rotation_keeps_old_licenses_verifying(service):
    old = service.issue(request(), PASSPHRASE)
    service.generate_key(PASSPHRASE, "k2", activate=True)
    new = service.issue(request(), PASSPHRASE)
    assert (old.license.key_id, new.license.key_id) == ("k1", "k2")
    assert service.verify(old.text) == old.license
    assert service.verify(new.text) == new.license
    with service._engine.connect() as conn:
        rows = {r.key_id: r for r in conn.execute(select(SigningPublicKey.__table__))}
    assert rows["k2"].active and not rows["k1"].active and rows["k1"].retired_at is not None
    service.revoke(old.license.license_id, "rotated out")
    with pytest.raises(Revoked):
        service.verify(old.text)


def test_import_existing_keys(service, tmp_path):
    key = Ed25519PrivateKey.generate()
    plain = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    info = service.import_key(plain, PASSPHRASE, key_id="legacy", activate=True)
    assert info.active and info.public_key_b64 == service.public_key("legacy").public_key_b64
    issued = service.issue(request(), PASSPHRASE)
    assert issued.license.key_id == "legacy"

    encrypted = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"old pass"),
    )
    with pytest.raises(LicensingError, match="encrypted"):
        service.import_key(encrypted, PASSPHRASE)
    assert not service.import_key(encrypted, PASSPHRASE, source_passphrase="old pass").active

    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(LicensingError, match="Ed25519"):
        service.import_key(ec_key, PASSPHRASE)
    with pytest.raises(LicensingError, match="already exists"):
        service.import_key(plain, PASSPHRASE, key_id="legacy")


def test_key_ids_are_safe_file_names(tmp_path):
    store = KeyStore(tmp_path / "keys")
    with pytest.raises(LicensingError, match="Key id"):
        store.generate(PASSPHRASE, "../escape")
    with pytest.raises(LicensingError, match="needs a passphrase"):
        store.generate("", "k")
    with pytest.raises(LicensingError, match="no signing key"):
        store.info("../k1")


def test_exported_public_key_matches(service):
    info = service.public_key()
    loaded = serialization.load_pem_public_key(info.public_key_pem.encode())
    raw = loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert base64.b64encode(raw).decode() == info.public_key_b64


def test_unlock_signs_without_passphrase_until_locked(service):
    with pytest.raises(LicensingError, match="Key k1 is locked"):
        service.issue(request())
    with pytest.raises(LicensingError, match="passphrase for key k1 is wrong"):
        service.unlock("nope", minutes=5)
    service.unlock(PASSPHRASE, minutes=5)
    assert 299 < service.unlocked_seconds_left() <= 300
    service.issue(request())
    service.lock()
    assert service.unlocked_seconds_left() == 0
    with pytest.raises(LicensingError, match="locked"):
        service.issue(request())


def test_unlocked_keys_expire():
    now = [1000.0]
    unlocked = UnlockedKeys(clock=lambda: now[0])
    key = Ed25519PrivateKey.generate()
    unlocked.put("k", key, minutes=10)
    now[0] += 599
    assert unlocked.get("k") is key
    now[0] += 1
    assert unlocked.get("k") is None and unlocked.seconds_left("k") == 0


def test_damaged_key_files_are_named(service):
    meta = service.keys.keys_dir / "k1.json"
    meta.write_text("{not json")
    with pytest.raises(LicensingError, match=r"k1\.json .* is damaged"):
        service.list_keys()
    meta.write_text('{"public_key_b64": "x", "created_at": "2026-01-01T00:00:00"}')
    with pytest.raises(LicensingError, match="scrypt salt is unreadable"):
        service.unlock(PASSPHRASE, minutes=1)
