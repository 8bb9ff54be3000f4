"""Logging to a rotating file in the data dir, with anything token-shaped redacted.

The filter rewrites the *formatted* message and its arguments, so a token that
slips into an exception text or a URL is masked before it reaches any handler.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_PATTERNS = [
    # Stripe keys and restricted keys, webhook secrets.
    re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}"),
    re.compile(r"\bwhsec_[A-Za-z0-9]{8,}"),
    # Authorization headers and bearer tokens.
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    # key=value / "key": "value" for secret-sounding names.
    re.compile(r"(?i)((?:token|api[_-]?key|secret|password|passphrase|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{4,}"),
    # JWTs.
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    # PEM private keys.
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
]

MASK = "[REDACTED]"


def redact(text: str) -> str:
    """Mask every token-shaped substring of ``text``."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text) if pattern.groups else pattern.sub(MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Replaces a record's message with its redacted form (and drops the args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg = redact(message)
        record.args = None
        return True


def remove_handlers() -> None:
    """Take down the handlers ``configure`` installed (a new configuration, or a test ending)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_opsconsole", False):
            root.removeHandler(handler)
            handler.close()


def configure(log_file: Path | None, *, verbose: bool = False, console: bool = False) -> None:
    """Send the app's logs to ``log_file`` (5 files × 2 MB), redacted; idempotent.

    ``console`` also writes them to stderr (redacted the same way): warnings
    and worse, everything with ``verbose``.  No ``log_file``: stderr only.
    """
    remove_handlers()
    root = logging.getLogger()
    handlers: list[logging.Handler] = []
    if log_file is not None:
        log_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        )
    if console or log_file is None:
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
        handlers.append(stream)
    for handler in handlers:
        handler._opsconsole = True  # type: ignore[attr-defined]  # our mark, so a second setup replaces ours only
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("urllib3", "stripe", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
