"""Sync failures in words: the reason a person can act on, the technical text kept apart."""

from __future__ import annotations

from app.connectors.explain import explain, in_words

OFFLINE = ("offline: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /api/v1/me "
           "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))")


def test_each_kind_of_failure_in_words():
    assert in_words(OFFLINE).startswith("could not be reached")
    assert "API token" in in_words("HTTP 401: invalid token")
    assert in_words("HTTP 503: Service Unavailable") == "had a server error (HTTP 503); the next sync tries again"
    assert in_words("HTTP 429: slow down").startswith("asked Ops Console to slow down")
    assert in_words("HTTP 422: seats must be positive") == "refused a request (HTTP 422: seats must be positive)"
    assert in_words("network error: ('Connection aborted.', RemoteDisconnected(...))").startswith("kept dropping")
    assert in_words("cache refused the data: UNIQUE constraint failed") == "sent data the local cache could not store"
    assert in_words("something else entirely") == "failed"


def test_one_sentence_per_backend_and_the_details_apart():
    explained = explain({"ops:me": OFFLINE, "stripe:events": "HTTP 401: Invalid API Key provided"})
    assert explained is not None and explained.offline
    assert explained.summary == (
        "The Ops API could not be reached (no network connection, or the server is down). "
        "Stripe refused the API token — check it in File ▸ Settings ▸ API tokens."
    )
    assert "HTTPConnectionPool" not in explained.summary
    assert "ops:me: offline: HTTPConnectionPool" in explained.details
    assert explain({}) is None
