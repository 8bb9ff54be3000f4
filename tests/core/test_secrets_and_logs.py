"""Secrets go to the keyring or an encrypted file; logs redact anything token-shaped."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app import logs
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


@pytest.mark.parametrize(
    "secret",
    [
        "sk_live_51HxYzAbCdEfGhIjKlMn",
        "Bearer abcdefghijklmnop123456",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36",
    ],
)
def test_logs_redact_token_shaped_text(tmp_path, secret):
    log_file = tmp_path / "logs" / "opsconsole.log"
    logs.configure(log_file)
    try:
        logging.getLogger("test").warning("calling with %s failed", secret)
        try:
            raise RuntimeError(f"token={secret}")
        except RuntimeError:
            logging.getLogger("test").exception("boom")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
    text = log_file.read_text()
    assert "[REDACTED]" in text
    assert secret.split()[-1] not in text
    logs.configure(log_file)  # idempotent: no duplicate handlers
    assert sum(getattr(h, "_opsconsole", False) for h in logging.getLogger().handlers) == 1
    for handler in [h for h in logging.getLogger().handlers if getattr(h, "_opsconsole", False)]:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_every_command_logs_through_the_redactor_and_prints_no_token(tmp_path, monkeypatch, capsys):
    from app.cli import main

    secret = "sk_live_51HxYzAbCdEfGhIjKlMn"
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_API_URL", f"http://127.0.0.1:9/api?token={secret}")  # nothing listens
    monkeypatch.setenv("OPSCONSOLE_API_TOKEN", "tok-1234567890")
    assert main(["-v", "sync", "--json"], command_modules=["app.sync.cli"]) == 1
    out, err = capsys.readouterr()
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = (tmp_path / "data" / "logs" / "opsconsole.log").read_text()
    assert "sync ops:me failed" in err and "sync ops:me failed" in log_text  # -v: the warnings reach stderr
    assert "[REDACTED]" in out + err + log_text
    assert secret not in out + err + log_text


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
