"""A refused desk action raises one notice per refusal, pointing at the customer."""

from __future__ import annotations

from sqlalchemy import update

from app.config.settings import Settings
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.alerts import refused_actions
from app.domain.customer_desk.queue import retry_action, submit
from app.store import outbox
from app.store.schema import OutboxEntry
from tests.support.dataset import NOW


def _refuse(engine, words: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(OutboxEntry).values(state=outbox.REFUSED, last_error=words,
                                                attempts=OutboxEntry.attempts + 1))


def _notices(engine) -> list:
    with engine.connect() as conn:
        return list(refused_actions(conn, NOW, Settings()))


def test_each_refusal_is_one_notice_and_a_retry_refused_again_is_another(desk_cache):
    queued = submit(desk_cache, a.DeskRequest(a.RETRY_PAYMENT, "cus_dune", "in_dune_1", "Customer topped up"),
                    Settings(), NOW)
    assert _notices(desk_cache) == []  # waiting is not refused
    _refuse(desk_cache, "Your card has expired.")
    (first,) = _notices(desk_cache)
    assert first.title == f"Stripe refused: {queued.summary}"
    assert first.body == "Your card has expired. Retry or discard it on the customer's desk."
    assert (first.pane, first.record, first.kind) == ("customers", "cus_dune", "desk.refused")
    assert _notices(desk_cache) == [first]  # the same refusal, the same key
    retry_action(desk_cache, queued.action_id)
    _refuse(desk_cache, "Your card has expired.")
    (second,) = _notices(desk_cache)
    assert second.key != first.key
