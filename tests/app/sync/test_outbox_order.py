"""The outbox push per backend: its own entries only, in order across passes, back-off only for a failing entry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from app.clock import utcnow
from app.connectors.errors import Refused, Unavailable
from app.store import outbox
from app.store.schema import OutboxEntry
from app.sync.outbox_push import push
from app.tasks import CancelToken


class Sender:
    """Answers writes from a script of outcomes (an exception to raise, else an empty answer)."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[str] = []

    def send(self, method: str, path: str, payload: dict, idempotency_key: str) -> dict:
        self.sent.append(path)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return {}


def _queue(engine, *paths: str, backend: str = outbox.STRIPE) -> list[int]:
    with engine.begin() as conn:
        return [outbox.enqueue(conn, "stripe_refund", path, {}, backend=backend) for path in paths]


def _entries(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(OutboxEntry.path, OutboxEntry.state, OutboxEntry.next_attempt_at)
                            .order_by(OutboxEntry.id)).all()


def test_each_backend_pushes_only_its_own_entries(cache):
    _queue(cache.engine, "/v1/tickets/1/events", backend=outbox.OPS)
    _queue(cache.engine, "/v1/refunds")
    sender = Sender()
    assert push(cache.engine, sender, CancelToken(), backend=outbox.STRIPE).sent == 1
    assert sender.sent == ["/v1/refunds"]
    assert [e.state for e in _entries(cache.engine)] == [outbox.PENDING, outbox.SENT]


def test_an_entry_not_due_holds_back_the_ones_after_it(cache):
    first, _second = _queue(cache.engine, "/v1/subscriptions/sub_1 (pause)", "/v1/subscriptions/sub_1 (resume)")
    with cache.engine.begin() as conn:
        conn.execute(update(OutboxEntry).where(OutboxEntry.id == first)
                     .values(next_attempt_at=utcnow() + dt.timedelta(minutes=5)))
    sender = Sender()
    result = push(cache.engine, sender, CancelToken(), backend=outbox.STRIPE)
    assert sender.sent == [] and result.deferred == 1  # the resume never overtakes the pause


def test_an_unreachable_backend_sets_no_back_off_a_failing_entry_does(cache):
    _queue(cache.engine, "/v1/refunds")
    for failure, backs_off in ((Unavailable("no route to host", offline=True), False),
                               (Unavailable("HTTP 503 after retries"), True)):
        with pytest.raises(Unavailable):  # the step fails, so the sync knows the backend is out of reach
            push(cache.engine, Sender(failure), CancelToken(), backend=outbox.STRIPE)
        (entry,) = _entries(cache.engine)
        assert entry.state == outbox.PENDING and (entry.next_attempt_at is not None) == backs_off


def test_stripe_refusals_keep_stripes_own_words(cache):
    _queue(cache.engine, "/v1/invoices/in_1/pay")
    declined = Refused(402, "Stripe: Your card has expired.", code="expired_card")
    assert push(cache.engine, Sender(declined), CancelToken(), backend=outbox.STRIPE).refused == 1
    with cache.engine.connect() as conn:
        assert conn.execute(select(OutboxEntry.last_error)).scalar_one() == "Your card has expired."
