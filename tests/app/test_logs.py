"""Logs redact anything token-shaped, in the log file and on the terminal, whatever command wrote them."""

from __future__ import annotations

import logging

import pytest

from app import logs


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
    assert main(["-v", "sync", "--json"], command_modules=["app.sync_command"]) == 1
    out, err = capsys.readouterr()
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = (tmp_path / "data" / "logs" / "opsconsole.log").read_text()
    assert "sync ops:me failed" in err and "sync ops:me failed" in log_text  # -v: the warnings reach stderr
    assert "[REDACTED]" in out + err + log_text
    assert secret not in out + err + log_text
