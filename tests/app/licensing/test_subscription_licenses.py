"""Licenses that follow subscriptions: renewing the due ones as one batch, re-issuing for a new plan.

The business is the hand-worked one (``tests/support/dataset.py``): Acme pays
for Professional (active), Dune is past due, Fern pays for Enterprise.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.licensing.errors import LicensingError
from app.store.schema import License
from tests.app.licensing.support import PASSPHRASE, request
from tests.support import dataset

DAY = dt.timedelta(days=1)


@pytest.fixture
def followed(opened):
    """(service, cache) with the business filled at the wall clock and the key unlocked."""
    service, cache = opened
    dataset.fill(cache.engine, utcnow())
    service.unlock(PASSPHRASE, 5)
    return service, cache


def issue(service, customer: str, subscription: str | None, plan: str, days: int) -> str:
    return service.issue(request(customer_id=customer, plan=plan, days=days, subscription_id=subscription)
                         ).license.license_id


def live_count(cache) -> int:
    with cache.engine.connect() as conn:
        return conn.execute(select(func.count()).where(License.revoked_at.is_(None))).scalar_one()


def test_due_licenses_renew_as_one_batch(followed):
    """Renewal due and Renewal expiry (docs/metrics.md): each due license again for its term."""
    service, _ = followed
    acme = issue(service, "cus_acme", "sub_acme", "professional", 20)
    issue(service, "cus_dune", "sub_dune", "starter", 20)  # past due: not renewed blindly
    issue(service, "cus_fern", "sub_fern", "enterprise", 200)  # not due
    due = service.renewals()
    assert [r.license_id for r in due] == [acme]
    renewed = service.renew([r.license_id for r in due])
    (new,) = renewed.issued
    old = service.record(acme)
    assert new.license.expires_at == old["expires_at"] + 20 * DAY and new.record["subscription_id"] == "sub_acme"
    assert old["revoke_reason"] == f"renewed by {new.license.license_id}" and new.record["supersedes"] == acme
    assert renewed.changes.touches_key("licenses", acme) and service.renewals() == []


def test_a_batch_with_one_license_that_cannot_be_renewed_renews_none(followed):
    service, cache = followed
    due = issue(service, "cus_acme", "sub_acme", "professional", 20)
    gone = issue(service, "cus_bolt", "sub_bolt", "starter", 20)
    service.revoke(gone, "Refunded")
    before = live_count(cache)
    with pytest.raises(LicensingError, match="is revoked"):
        service.renew([due, gone])
    assert live_count(cache) == before and service.record(due)["revoked_at"] is None


def test_a_plan_change_reissues_with_the_new_plans_seat_cap(followed):
    """Plan changed: Fern pays for Enterprise, its license is Professional."""
    service, _ = followed
    fern = issue(service, "cus_fern", "sub_fern", "professional", 200)
    reissued = service.reissue_for_plan(fern)
    lic = reissued.license
    assert (lic.plan, lic.seats, lic.features) == ("enterprise", 1000, ("audit-log", "offline", "sso"))
    assert lic.expires_at == service.record(fern)["expires_at"]
    assert service.record(fern)["revoke_reason"].startswith("re-issued for its new plan as")
    acme = issue(service, "cus_acme", "sub_acme", "professional", 200)
    with pytest.raises(LicensingError, match="pays for the plan it has"):
        service.reissue_for_plan(acme)


def test_a_license_follows_the_customers_live_subscription_unless_told(followed):
    """Subscription a license follows: active first, then trialing, past due; none when all ended."""
    service, _ = followed
    assert service.record(issue(service, "cus_dune", None, "starter", 30))["subscription_id"] == "sub_dune"
    assert service.record(issue(service, "cus_echo", None, "starter", 30))["subscription_id"] is None  # cancelled
    assert service.record(issue(service, "cus_acme", "sub_other", "starter", 30))["subscription_id"] == "sub_other"
