"""Secrets go to the keyring or an encrypted file, in directories no other user may open."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.secrets import OPS_API_TOKEN, KeyringUnavailable, SecretsError, SecretStore


def test_tokens_live_in_the_keyring(tmp_path):
    store = SecretStore(tmp_path / "secrets.enc")
    store.set(OPS_API_TOKEN, "tok_live_1234567890")
    assert SecretStore(tmp_path / "secrets.enc").get(OPS_API_TOKEN) == "tok_live_1234567890"
    assert not (tmp_path / "secrets.enc").exists()


def test_without_a_keyring_the_user_is_told_and_may_use_an_encrypted_file(tmp_path, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    store = SecretStore(tmp_path / "secrets.enc")
    with pytest.raises(KeyringUnavailable, match="no keyring service"):
        store.set(OPS_API_TOKEN, "tok_1234567890abcdef")
    store.file.unlock("correct horse battery staple")
    store.set(OPS_API_TOKEN, "tok_1234567890abcdef")
    raw = (tmp_path / "secrets.enc").read_bytes()
    assert b"tok_1234567890abcdef" not in raw
    # A new run: locked until the passphrase is given (here through the environment, as scripts do).
    assert SecretStore(tmp_path / "secrets.enc").get(OPS_API_TOKEN) is None
    monkeypatch.setenv("OPSCONSOLE_SECRETS_PASSPHRASE", "correct horse battery staple")
    assert SecretStore(tmp_path / "secrets.enc").get(OPS_API_TOKEN) == "tok_1234567890abcdef"
    other = SecretStore.__new__(SecretStore)
    other.file = type(store.file)(tmp_path / "secrets.enc")
    with pytest.raises(SecretsError, match=r"passphrase .* is wrong"):
        other.file.unlock("wrong")


def test_directories_holding_secrets_are_never_open_to_others(tmp_path, monkeypatch):
    import os
    import stat

    from app.config.paths import Paths
    from app.licensing.keys import KeyStore

    seen: list[tuple[str, int]] = []
    real_mkdir = os.mkdir

    def watched(path, mode=0o777, *args, **kwargs):
        real_mkdir(path, mode, *args, **kwargs)
        seen.append((os.fspath(path), stat.S_IMODE(Path(path).stat().st_mode)))  # the mode from its first instant

    monkeypatch.setattr(os, "mkdir", watched)
    old_umask = os.umask(0o022)
    try:
        paths = Paths(tmp_path / "deep" / "data").ensure()
        KeyStore(tmp_path / "elsewhere" / "keys").generate("pass phrase", "k1")
    finally:
        os.umask(old_umask)
    assert seen and all(mode == 0o700 for _, mode in seen), seen
    for d in (paths.data_dir, paths.keys_dir, paths.log_dir, tmp_path / "elsewhere" / "keys"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700
    (paths.data_dir).chmod(0o755)  # made by hand, or by an older version: tightened at the next start
    Paths(paths.data_dir).ensure()
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
