"""The registry table's seat and subscription columns and lists, as SQL: what the Licenses tab sorts and filters.

The registry is ``tests/support/license_registry.py``; the table's "now" is
the console's clock, moved to the dataset's ``NOW``.
"""

from __future__ import annotations

import pytest

from app import clock
from app.store.windows import WindowQuery, WindowSource
from app.views import licenses
from tests.support.dataset import NOW
from tests.support.license_registry import fill_licenses, license_id


@pytest.fixture
def registry(business, monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    fill_licenses(business, NOW)
    return business


def _rows(engine, sort: str = "issued_at", descending: bool = False, filters: tuple[str, ...] = ()) -> list[dict]:
    source = WindowSource(engine, licenses.SPEC)
    keys = ["id", *(c.key for c in licenses.SPEC.columns)]
    return [dict(zip(keys, r, strict=True)) for r in source.page(WindowQuery(sort, descending, filters=filters),
                                                                 0, 100)]


def _ids(rows: list[dict]) -> list[str]:
    return [r["id"].removeprefix("lic-") for r in rows]


def test_sorting_by_use_puts_the_crowded_licenses_first(registry):
    """Seat level: near and over the cap — the Use column is in use ÷ seats, sortable in SQL."""
    rows = _rows(registry, "use", descending=True)
    assert _ids(rows)[:5] == ["expired", "bolt", "revoked", "acme", "fern"]  # 180 %, 120 %, 100 %, 90 %, 88 %
    bolt = next(r for r in rows if r["id"] == license_id("bolt"))
    assert (bolt["seats"], bolt["in_use"], bolt["use"], bolt["plan"]) == (5, 6, 1.2, "Starter")


@pytest.mark.parametrize(
    ("filter_name", "expected"),
    [
        ("seats_near", {"acme", "bolt"}),
        ("seats_over", {"bolt"}),
        ("subscription_lapsed", {"dune", "echo"}),
        ("renewal_due", {"acme"}),
        ("plan_changed", {"fern"}),
        ("expiring", {"acme", "cyan"}),
    ],
)
def test_each_list_holds_the_live_licenses_its_rule_names(registry, filter_name, expected):
    """Subscription lapsed, Renewal due, Plan changed, Seat level: live licenses only."""
    assert set(_ids(_rows(registry, filters=(filter_name,)))) == expected


def test_the_subscription_column_says_the_state_in_words(registry):
    words = {r["id"].removeprefix("lic-"): r["subscription"] for r in _rows(registry)}
    assert (words["acme"], words["dune"], words["echo"], words["cyan"]) == ("Active", "Past due", "Cancelled",
                                                                           "Trialing")
    assert words["direct"] == "" and words["ghost"] == licenses.NOT_SYNCED


def test_a_license_detail_carries_its_seats_subscription_and_latest_machines(registry):
    fern = licenses.load_license(registry, license_id("fern"))
    assert fern is not None
    assert (fern["in_use"], fern["seat_level"], fern["subscription_status"]) == (44, None, "active")
    assert fern["plan_changed"] and fern["subscription_plan"] == "enterprise" and fern["subscription_seats"] is None
    assert len(fern["machines"]) == 44 and fern["machines"][0]["fingerprint"] == "fern-000"  # seen last first
    acme = licenses.load_license(registry, license_id("acme"))
    assert acme is not None and len(acme["machines"]) == 45 and not acme["plan_changed"]


def test_the_list_command_rows(registry):
    with registry.connect() as conn:
        over = licenses.registry_rows(conn, over_cap=True)
        expiring = licenses.registry_rows(conn, expiring_days=30)
        everything = licenses.registry_rows(conn)
    assert [(r["id"], r["seats_in_use"], r["seat_level"]) for r in over] == [(license_id("bolt"), 6, "over")]
    assert {r["id"] for r in expiring} == {license_id("acme"), license_id("cyan")}
    assert len(everything) == 10
