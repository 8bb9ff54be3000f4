"""docs/metrics.md, "Licenses": seats in use, seat levels, the subscription a license follows, the lists, alerts.

The registry is ``tests/support/license_registry.py`` on the hand-worked
business; every expected number below is worked out there by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.alerts import ARMED_KEY, run_alerts
from app.config.settings import Settings
from app.domain import licenses as rules
from app.domain import seats as seat_rules
from app.metrics import MetricsRequest, figure_set
from app.notices import CRITICAL, WARNING
from app.notifications import latest
from app.store.app_state import put_app_value
from tests.support.dataset import NOW
from tests.support.license_registry import fill_licenses, license_id


@pytest.fixture
def registry(business):
    fill_licenses(business, NOW)
    return business


@pytest.mark.parametrize(
    ("in_use", "seats", "level"),
    [(0, 5, None), (4, 5, None), (5, 5, seat_rules.NEAR), (6, 5, seat_rules.OVER), (44, 50, None),
     (45, 50, seat_rules.NEAR), (899, 1000, None), (900, 1000, seat_rules.NEAR), (1001, 1000, seat_rules.OVER)],
)
def test_seat_level_rule(in_use, seats, level):
    """Seat level: near and over the cap — near from 100 × in use ≥ 90 × seats, a full license is near."""
    assert seat_rules.seat_level(in_use, seats) == level


def test_seats_in_use_of_a_license_and_of_a_customer(registry):
    """Seats in use: a license's machines whatever its state; a customer's summed over their live licenses."""
    with registry.connect() as conn:
        revoked = rules.seats_in_use(conn, license_id("revoked"))
        acme = rules.seats_in_use(conn, customer_id="cus_acme", now=NOW)
        bolt = rules.seats_in_use(conn, customer_id="cus_bolt", now=NOW)
        nobody = rules.seats_in_use(conn, customer_id="cus_nobody", now=NOW)
    assert (revoked.in_use, revoked.seats) == (5, 5)
    assert [lic.license_id for lic in acme.licenses] == [license_id("acme")]  # the revoked one is not live
    assert (acme.in_use, acme.seats, acme.ratio, acme.licenses[0].level) == (45, 50, 0.9, seat_rules.NEAR)
    assert (bolt.in_use, bolt.seats) == (6, 10)  # bolt (6 of 5) and ghost (0 of 5); the expired one is out
    assert nobody.ratio is None and nobody.licenses == ()
    with pytest.raises(ValueError, match="either"):
        rules.seats_in_use(conn, license_id("acme"), customer_id="cus_acme")


def test_the_licenses_figure_set(registry):
    """Licenses figure set: counts of live licenses by each rule, seats summed over them."""
    with registry.connect() as conn:
        figures = figure_set("licenses")(conn, Settings(), MetricsRequest(NOW))
    assert figures == rules.LicenseFigures(
        live=8, seats=2_120, seats_in_use=99, over_cap=1, near_cap=2, expiring_30d=2, renewal_due=1,
        subscription_lapsed=2, plan_changed=1,
    )
    assert figures.use_ratio == pytest.approx(99 / 2_120)


def test_renewal_due_and_renewal_expiry(registry):
    """Renewal due: live, expiring within 30 days, subscription active; Renewal expiry: the term again."""
    with registry.connect() as conn:
        due = rules.due_renewals(conn, NOW)
    assert [r.license_id for r in due] == [license_id("acme")]  # cyan expires too, but its subscription trials
    assert due[0].new_expires_at == due[0].expires_at + dt.timedelta(days=110)  # issued 100 days before NOW, +10
    assert rules.renewal_expiry(dt.datetime(2027, 3, 1), dt.datetime(2026, 3, 1)) == dt.datetime(2028, 2, 29)
    assert rules.renewal_expiry(dt.datetime(2026, 3, 1, 12), dt.datetime(2026, 3, 1, 11)) == dt.datetime(
        2026, 3, 2, 12)  # at least one day


def test_the_subscription_a_new_license_follows(business):
    """Subscription a license follows: the live one, active first; its plan from the product."""
    with business.connect() as conn:
        acme = rules.current_subscription(conn, "cus_acme")
        cyan = rules.current_subscription(conn, "cus_cyan")
        echo = rules.current_subscription(conn, "cus_echo")
    assert acme == {"id": "sub_acme", "status": "active", "plan": "professional"}
    assert cyan == {"id": "sub_cyan", "status": "trialing", "plan": "enterprise"}
    assert echo is None  # cancelled: a new license follows nothing


def test_seat_alerts_once_per_license_and_level(registry):
    """Seat alerts: near and over, one notice per license and level, dated by the latest machine."""
    with registry.connect() as conn:
        notices = {n.key: n for n in rules.seat_alerts(conn, NOW, Settings())}
    assert set(notices) == {f"{license_id('acme')}:near", f"{license_id('bolt')}:over"}
    over = notices[f"{license_id('bolt')}:over"]
    assert over.severity == CRITICAL and over.record == license_id("bolt") and over.pane == "licenses"
    assert over.body.startswith("6 of 5 seats in use (120%)") and over.occurred_at == NOW - dt.timedelta(hours=1)
    assert notices[f"{license_id('acme')}:near"].severity == WARNING

    with registry.begin() as conn:
        put_app_value(conn, ARMED_KEY, True)  # past the quiet first pass
    first = run_alerts(registry, Settings(), now=NOW, rule_set=(rules.seat_alerts,))
    again = run_alerts(registry, Settings(), now=NOW + dt.timedelta(minutes=5), rule_set=(rules.seat_alerts,))
    assert (first.recorded, len(first.announced), again.recorded) == (2, 2, 0)
    with registry.connect() as conn:
        assert {n.notice.kind for n in latest(conn)} == {"licenses.seats"}
