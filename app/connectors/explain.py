"""A sync failure in words: what the user can understand and do, with the technical text kept for "Details".

The connectors and sync steps record errors as one technical line
(``offline: HTTPConnectionPool(host=…): Max retries exceeded…``, ``HTTP 401:
invalid token``) in ``sync_state.last_error`` and the sync report.  People
need the reason, not the library's words: ``in_words`` turns such a line into
a sentence, ``explain`` a set of per-resource errors into one short notice
plus its details.  The prefixes read here are the ones ``app.connectors.http``
and ``app.sync.steps`` write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_BACKENDS = {"ops": "The Ops API", "stripe": "Stripe"}
_HTTP = re.compile(r"^HTTP (\d{3}): ?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Explained:
    """One sentence per backend that failed (``summary``) and the technical lines (``details``)."""

    summary: str
    details: str
    offline: bool


def backend_of(resource: str) -> str:
    """"ops:tickets" → "The Ops API"; "stripe:customers" → "Stripe"."""
    return _BACKENDS.get(resource.partition(":")[0], "A backend")


def resource_words(resource: str) -> str:
    """"ops:ticket_events" → "ticket events" (what a resource is called in a sentence)."""
    return resource.partition(":")[2].replace("_", " ") or resource


def in_words(message: str) -> str:
    """What a recorded error means, as the end of a sentence whose subject is the backend."""
    text = message.strip()
    if text.startswith("offline:"):
        return "could not be reached (no network connection, or the server is down)"
    if text.startswith("network error:"):
        return "kept dropping the connection; the next sync tries again"
    if text.startswith("cache refused the data"):
        return "sent data the local cache could not store"
    if text.startswith("unexpected data from the server"):
        return "sent data Ops Console does not understand"
    match = _HTTP.match(text)
    if match is None:
        return "failed"
    status, reason = int(match.group(1)), match.group(2).strip()
    if status in (401, 403):
        return "refused the API token — check it in File ▸ Settings ▸ API tokens"
    if status == 429:
        return "asked Ops Console to slow down; the next sync tries again"
    if status >= 500:
        return f"had a server error (HTTP {status}); the next sync tries again"
    return f"refused a request (HTTP {status}: {reason})" if reason else f"refused a request (HTTP {status})"


def explain(errors: Mapping[str, str]) -> Explained | None:
    """Per-resource errors (``report.errors``) → one sentence per backend and the technical details."""
    if not errors:
        return None
    sentences: dict[str, str] = {}
    for resource, message in sorted(errors.items()):
        backend = backend_of(resource)
        sentences.setdefault(backend, f"{backend} {in_words(message)}.")
    details = "\n".join(f"{resource}: {message}" for resource, message in sorted(errors.items()))
    offline = any(message.startswith("offline:") for message in errors.values())
    return Explained(" ".join(sentences.values()), details, offline)
