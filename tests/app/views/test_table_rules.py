"""The tables' rules as SQL, without Qt: license status, ticket SLA filters, incident duration, finding a row.

Each status rule compares with *now* when the query runs, so these tests move
the console's clock (``app.clock.utcnow``) between two queries of the same spec.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from app import clock
from app.domain.availability import incidents as av
from app.store.app_state import ME_KEY, put_app_value
from app.store.schema import License
from app.store.windows import WindowQuery, WindowSource
from app.views import incidents, licenses, status, tickets
from tests.support.dataset import NOW

DAY = dt.timedelta(days=1)


@pytest.fixture
def at(monkeypatch):
    """``at(moment)``: the console's clock reads ``moment`` from now on."""
    def move(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "utcnow", lambda: moment)

    move(NOW)
    return move


def _license(license_id: str, expires_at: dt.datetime, **changes) -> dict:
    row = {"id": license_id, "key_id": "k1", "product": "opsconsole-desktop", "customer_id": "cus_acme",
           "customer_name": "Acme Corp", "plan": "professional", "seats": 50, "issued_at": NOW - 10 * DAY,
           "not_before": NOW - 10 * DAY, "expires_at": expires_at, "grace_days": 14, "pending": False,
           "revoked_at": None}
    row.update(changes)
    return row


def _statuses(engine, filters: tuple[str, ...] = ()) -> dict[str, str]:
    source = WindowSource(engine, licenses.SPEC)
    status = 1 + licenses.SPEC.index_of("status")
    return {r[0]: r[status] for r in source.page(WindowQuery("issued_at", filters=filters), 0, 100)}


def test_license_status_rule(business, at):
    """Revoked first (and waiting to send while its push is due), then waiting, expired, expiring within 30 days."""
    with business.begin() as conn:
        conn.execute(insert(License.__table__), [
            _license("lic-active", NOW + 31 * DAY),
            _license("lic-expiring", NOW + 29 * DAY),
            _license("lic-expired", NOW - DAY),
            _license("lic-waiting", NOW + 365 * DAY, pending=True),
            _license("lic-revoked", NOW + 365 * DAY, revoked_at=NOW - DAY),
            _license("lic-revoked-waiting", NOW - DAY, revoked_at=NOW, pending=True),
        ])
    assert _statuses(business) == {
        "lic-active": licenses.ACTIVE, "lic-expiring": licenses.EXPIRING, "lic-expired": licenses.EXPIRED,
        "lic-waiting": licenses.WAITING, "lic-revoked": licenses.REVOKED_TEXT,
        "lic-revoked-waiting": licenses.REVOKED_WAITING,
    }
    assert set(_statuses(business, ("expiring",))) == {"lic-expiring"}
    assert set(_statuses(business, ("expired",))) == {"lic-expired"}
    at(NOW + 2 * DAY)  # the same spec, two days later: "now" is read again by the query
    assert _statuses(business)["lic-active"] == licenses.EXPIRING
    assert set(_statuses(business, ("expiring",))) == {"lic-active", "lic-expiring"}


def test_ticket_sla_views_follow_the_clock(business, at):
    """Rule "Support and SLA: Queue states": the filters and the state column agree, and move with now."""
    source = WindowSource(business, tickets.SPEC)
    state = 1 + tickets.SPEC.index_of("sla_state")

    def ids(name: str) -> list[int]:
        return [r[0] for r in source.page(WindowQuery("sla", filters=(name,)), 0, 100)]

    assert ids("open") == [101, 103, 104, 102]  # breached first, then by due instant, paused last
    assert (ids("breached"), ids("about_to_breach"), ids("paused")) == ([101], [103], [102])
    states = {r[0]: r[state] for r in source.page(WindowQuery("sla"), 0, 100)}
    assert states == {101: "breached", 102: "paused", 103: "about_to_breach", 104: "on_track", 105: "none"}
    at(NOW + dt.timedelta(minutes=6))  # 103's 30 minutes are up
    assert ids("breached") == [101, 103] and ids("about_to_breach") == []


def test_incident_duration_runs_to_now_while_open():
    started = dt.datetime(2026, 11, 18, 8, 0)
    assert av.incident_hours(started, dt.datetime(2026, 11, 18, 9, 30), NOW) == 1.5
    assert av.incident_hours(started, None, NOW) == 6.5


def test_incident_duration_column_uses_the_same_now(business, at):
    source = WindowSource(business, incidents.SPEC)
    column = 1 + incidents.SPEC.index_of("duration_h")
    rows = source.page(WindowQuery("started_at", filters=("open",)), 0, 10)
    assert rows
    before = {r[0]: r[column] for r in rows}
    at(NOW + dt.timedelta(hours=2))
    after = {r[0]: r[column] for r in source.page(WindowQuery("started_at", filters=("open",)), 0, 10)}
    assert all(after[k] == pytest.approx(before[k] + 2) for k in before)


@pytest.mark.parametrize("descending", [False, True])
def test_position_of_counts_the_rows_before_a_key(business, descending):
    """The row number ``page`` would put a key at, NULL sort values included; None outside the window."""
    source = WindowSource(business, tickets.SPEC)
    for sort in ("sla", "subject", "id"):
        query = WindowQuery(sort, descending)
        keys = [r[0] for r in source.page(query, 0, 100)]
        assert [source.position_of(query, k) for k in keys] == list(range(len(keys)))
    assert source.position_of(WindowQuery("id", filters=("open",)), 105) is None  # solved: not in "Open"
    assert source.position_of(WindowQuery("id"), 999) is None


def test_has_rows_tells_an_empty_cache_from_no_match(cache, business):
    assert WindowSource(business, tickets.SPEC).has_rows()
    assert not WindowSource(cache.engine, licenses.SPEC).has_rows()


def test_who_is_signed_in_and_as_what(cache):
    engine = cache.engine
    assert status.current_role(cache.path, "finance") == "finance"  # never synced: the settings' offline role
    assert status.signed_in_user(cache.path) is None
    with engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"role": "support", "user": {"name": "Maya Chen", "email": "maya@example.com"}})
    assert status.current_role(cache.path, "finance") == "support"
    assert status.signed_in_user(cache.path) == "maya@example.com"
    assert status.outbox_counts(engine) == (0, 0)
