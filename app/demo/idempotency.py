"""Exactly-once writes: the first response per ``Idempotency-Key`` is kept and replayed.

A key is bound to the request it first came with (method, path and the
body, compared by meaning, not bytes); the same key with another request is
refused (``KeyReused``: each API answers it in its own error shape).  Only
writes that ran are remembered, so a request refused for bad input can be
corrected and sent again under the same key.  ``applied`` counts how often
each key's write really ran: tests assert it is exactly one.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from app.demo.messages import Response


class KeyReused(Exception):
    """The key came before with a different request."""


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    """Remembered responses and apply counters; callers serialise access (the business lock)."""

    def __init__(self) -> None:
        self._responses: dict[str, tuple[str, Response]] = {}
        self.applied: Counter[str] = Counter()

    def replay(self, key: str, request_fingerprint: str) -> Response | None:
        """The stored response for ``key``, None if unseen; ``KeyReused`` if it came with another request."""
        stored = self._responses.get(key)
        if stored is None:
            return None
        if stored[0] != request_fingerprint:
            raise KeyReused(key)
        return stored[1]

    def remember(self, key: str, request_fingerprint: str, response: Response) -> None:
        self.applied[key] += 1
        self._responses[key] = (request_fingerprint, response)

    def applied_count(self, key: str) -> int:
        return self.applied[key]
