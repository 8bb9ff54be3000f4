"""Answering activation requests in the console: checked against the registry, recorded once, refused in words."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from app.licensing import verifier as v
from app.licensing.activation import (
    EXPIRED,
    MALFORMED,
    NO_SEATS,
    REVOKED,
    UNKNOWN_LICENSE,
    VERSION,
    WRONG_PRODUCT,
    ActivationRefused,
    activation_id,
)
from app.store.schema import Activation, License, OutboxEntry
from tests.app.licensing.support import PASSPHRASE, request

PRODUCT = "opsconsole-desktop"


@pytest.fixture
def issued(service):
    """A Starter license (5 seats, up to 4.2), the key unlocked."""
    service.unlock(PASSPHRASE, 5)
    return service.issue(request(plan="starter", max_version="4.2")).license


def ask(license_id: str, fingerprint: str, version: str = "4.2.3", product: str = PRODUCT) -> str:
    return v.make_activation_request(license_id, fingerprint, version, product=product,
                                     machine_name=f"PC {fingerprint}").text()


def counts(cache) -> tuple[int, int]:
    """(machines, outbox entries) in the cache."""
    with cache.engine.connect() as conn:
        machines = conn.execute(select(func.count()).select_from(Activation)).scalar_one()
        entries = conn.execute(select(func.count()).select_from(OutboxEntry)).scalar_one()
    return machines, entries


def test_an_answer_records_the_machine_and_queues_it(opened, issued):
    service, cache = opened
    before = counts(cache)
    answered = service.answer_activation(ask(issued.license_id, "fp-1"))
    a = answered.activation
    assert a.activation_id == activation_id(issued.license_id, "fp-1") and a.machine_name == "PC fp-1"
    assert answered.changes.touches_key("activations", a.activation_id)
    assert counts(cache) == (before[0] + 1, before[1] + 1)
    with cache.engine.connect() as conn:
        row = conn.execute(select(Activation)).one()
        entry = conn.execute(select(OutboxEntry).order_by(OutboxEntry.id.desc())).first()
    assert row.pending and row.activated_via == "offline" and row.product_version == "4.2.3"
    assert entry.path == "/v1/activations" and entry.payload_json["fingerprint"] == "fp-1"
    assert entry.idempotency_key == f"activation:{a.activation_id}:{a.nonce}"
    keys = service.trusted_keys()
    assert v.verify_activation(answered.text, keys, dt.datetime.now(dt.UTC), "fp-1") == a


def test_a_machine_asking_again_takes_no_other_seat(opened, issued):
    service, cache = opened
    first = service.answer_activation(ask(issued.license_id, "fp-1"))
    review = service.review_activation(ask(issued.license_id, "fp-1", "4.2.7"))
    assert review.refusal is None and review.repeat
    again = service.answer_activation(ask(issued.license_id, "fp-1", "4.2.7"))
    assert again.activation.activation_id == first.activation.activation_id
    assert again.terms.machine_known and again.terms.in_use == 1
    with cache.engine.connect() as conn:
        assert conn.execute(select(Activation.product_version)).scalars().all() == ["4.2.7"]
    assert counts(cache)[1] == 3  # the license, and one push per answer (each its own idempotency key)


def test_no_seat_left_is_refused_and_nothing_recorded(opened, issued):
    service, cache = opened
    for n in range(5):
        service.answer_activation(ask(issued.license_id, f"fp-{n}"))
    before = counts(cache)
    with pytest.raises(ActivationRefused, match="No seats left: all 5 seats") as refused:
        service.answer_activation(ask(issued.license_id, "fp-new"))
    assert refused.value.reason == NO_SEATS and counts(cache) == before
    assert service.review_activation(ask(issued.license_id, "fp-new")).refusal.reason == NO_SEATS
    assert service.answer_activation(ask(issued.license_id, "fp-0")).terms.machine_known  # a holder still can


def test_each_refusal_names_its_cause_and_records_nothing(opened, issued):
    service, cache = opened
    revoked = service.issue(request(plan="starter")).license.license_id
    service.revoke(revoked, "Refunded")
    expired = service.issue(request(plan="starter")).license.license_id
    with cache.engine.begin() as conn:
        conn.execute(update(License).where(License.id == expired)
                     .values(expires_at=dt.datetime(2025, 1, 1), not_before=dt.datetime(2024, 1, 1)))
    before = counts(cache)
    cases = {
        REVOKED: (ask(revoked, "fp-1"), "was revoked on"),
        EXPIRED: (ask(expired, "fp-1"), "expired on 2025-01-01"),
        VERSION: (ask(issued.license_id, "fp-1", "4.3"), "version 4.3, above the license's maximum 4.2"),
        WRONG_PRODUCT: (ask(issued.license_id, "fp-1", product="other-product"), "'other-product'"),
        UNKNOWN_LICENSE: (ask("5c1d9e2a-0000-4000-8000-000000000001", "fp-1"), "no license 5c1d9e2a"),
        MALFORMED: (ask(issued.license_id, "fp-1").replace("fp-1", "fp-2", 1), "checksum does not match"),
    }
    for reason, (text, words) in cases.items():
        with pytest.raises(ActivationRefused, match=words) as refused:
            service.answer_activation(text)
        assert refused.value.reason == reason
    assert counts(cache) == before


def test_a_locked_key_refuses_before_anything_is_recorded(opened, issued):
    service, cache = opened
    service.lock()
    before = counts(cache)
    with pytest.raises(Exception, match="locked"):
        service.answer_activation(ask(issued.license_id, "fp-1"))
    assert counts(cache) == before
    assert service.answer_activation(ask(issued.license_id, "fp-1"), PASSPHRASE).activation.fingerprint == "fp-1"
