"""Ops API lists: change feeds with cursors that stay stable while the data changes."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from app.demo.business import OPS_RESOURCES
from app.demo.wire import iso


def test_a_full_pass_serves_every_item_once_in_key_order(ops):
    items, watermark = ops.full_pass("tickets", limit=97)
    assert len(items) == len({t["id"] for t in items}) == 600
    keys = [(t["updated_at"], t["id"]) for t in items]
    assert keys == sorted(keys)
    assert watermark == items[-1]["updated_at"]


@pytest.mark.parametrize("resource", OPS_RESOURCES)
def test_every_resource_pages_with_iso_z_times(ops, resource):
    page = ops.get(f"/v1/{resource}", limit=5).json()
    assert set(page) == {"data", "next_cursor", "watermark"}
    assert page["data"] and page["watermark"].endswith("Z")
    assert all(item["updated_at"].endswith("Z") for item in page["data"])


def test_changes_during_a_pass_are_served_later_never_skipped(backend, ops):
    first = ops.get("/v1/tickets", limit=100).json()
    seen = {t["id"]: t for t in first["data"]}
    touched = backend.business.touch_tickets(3)  # the oldest tickets, already served on page one
    backend.business.delete_ticket(touched[0])
    params = {"limit": 100, "cursor": first["next_cursor"]}
    while True:
        page = ops.get("/v1/tickets", **params).json()
        for item in page["data"]:
            seen[item["id"]] = item
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == 600
    assert seen[touched[0]]["deleted"] is True and set(seen[touched[0]]) == {"id", "deleted", "updated_at"}
    assert all(seen[t]["updated_at"] > first["watermark"] for t in touched[1:])


def test_updated_since_is_inclusive_and_serves_changes_and_tombstones(backend, ops):
    _, watermark = ops.full_pass("tickets", limit=1000)
    again = ops.get("/v1/tickets", updated_since=watermark).json()["data"]
    assert len(again) == 1 and again[0]["updated_at"] == watermark  # inclusive: the client dedupes by id
    backend.clock.advance(dt.timedelta(minutes=5))
    touched = backend.business.touch_tickets(2)
    backend.business.delete_ticket(10_500)
    changed, new_watermark = ops.full_pass("tickets", since=watermark)
    by_id = {t["id"]: t for t in changed}
    assert set(touched) | {10_500} <= set(by_id)
    assert by_id[10_500] == {"id": 10_500, "deleted": True, "updated_at": new_watermark}
    events, _ = ops.full_pass("ticket_events", since=watermark)
    assert {e["ticket_id"] for e in events if e["kind"] == "note"} == set(touched)


def test_an_empty_page_keeps_the_watermark(ops):
    since = "2031-01-01T00:00:00Z"
    page = ops.get("/v1/tickets", updated_since=since).json()
    assert page == {"data": [], "next_cursor": None, "watermark": since}


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": "ten"}, "limit"),
    ({"updated_since": "yesterday"}, "updated_since"), ({"cursor": "not-a-cursor"}, "cursor"),
])
def test_bad_list_parameters_are_400_naming_the_field(ops, params, field):
    response = ops.get("/v1/tickets", **params)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_cursor_from_another_resource_is_refused(ops):
    cursor = ops.get("/v1/services", limit=1).json()["next_cursor"]
    response = ops.get("/v1/tickets", cursor=cursor)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"


def test_health_history_grows_with_the_clock_and_probes_answer_locally(backend, ops):
    _, watermark = ops.full_pass("health_checks", limit=1000)
    backend.clock.advance(dt.timedelta(minutes=15))
    new, _ = ops.full_pass("health_checks", since=watermark)
    assert len([c for c in new if c["checked_at"] > watermark]) == 10 * 3
    services = ops.get("/v1/services").json()["data"]
    assert all(s["url"].startswith(backend.base_url + "/health/") for s in services)
    probe = requests.get(services[0]["url"], timeout=5)
    assert probe.status_code in (200, 500, 503) and probe.json()["service"] == services[0]["id"]


def test_a_new_day_of_costs_appears_the_next_morning(backend, ops):
    _, watermark = ops.full_pass("costs", limit=1000)
    backend.clock.advance(dt.timedelta(days=1))
    new, _ = ops.full_pass("costs", since=watermark)
    newest = (backend.clock.now() - dt.timedelta(hours=26)).date().isoformat()
    assert {c["charge_period_start"] for c in new if c["updated_at"] > watermark} == {newest}
    assert iso(backend.clock.now()) > watermark


def test_a_series_first_read_after_the_clock_moved_has_no_gap(backend, ops):
    ops.get("/v1/services")  # moves the series forward while health_checks is not built yet
    backend.clock.advance(dt.timedelta(minutes=30))
    ops.get("/v1/services")
    checks, _ = ops.full_pass("health_checks", limit=1000)
    assert len(checks) == 10 * (7 * 24 * 12 + 6)
