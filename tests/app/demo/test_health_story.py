"""The demo's health story: flapping services, a real outage with its P0 and post-mortem, a partial outage,
a maintenance window, a certificate close to expiry, incidents at each stage, tickets about the outages."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

from app.demo.backend import DemoBackend
from app.demo.health import TITLES
from tests.app.demo.support import NOW, SMALL


def _rows(business, resource):
    return business.feed(resource).page(None, None, 100_000)[0]


def test_incidents_at_each_stage_with_severities_that_match_their_titles():
    business = DemoBackend(**SMALL).business
    incidents = _rows(business, "incidents")
    assert Counter(i["status"] for i in incidents if i["resolved_at"] is None) == {"identified": 1, "investigating": 1}
    assert any(i["acknowledged_at"] is None for i in incidents if i["resolved_at"] is None)
    for incident in incidents:
        service = next(s["name"] for s in _rows(business, "services") if s["id"] == incident["service_id"])
        known = {t.format(service=service) for t in TITLES[incident["severity"]]}
        assert incident["title"] in known or any(incident["title"].startswith(k) for k in known) or (
            incident["title"].startswith(service)), incident
    assert not any("Partial outage" in i["title"] for i in incidents if i["severity"] != "P2")
    outage = next(i for i in incidents if i["severity"] == "P0" and i["postmortem"])
    assert outage["service_id"] == "api" and outage["resolved_at"] - outage["started_at"] == dt.timedelta(minutes=47)
    assert len(outage["postmortem"]["follow_ups"]) == 3 and all(f["owner"] for f in outage["postmortem"]["follow_ups"])


def test_the_outage_shows_in_the_checks_and_support_is_down_now():
    business = DemoBackend(**SMALL).business
    checks = _rows(business, "health_checks")
    outage = next(i for i in _rows(business, "incidents") if i["severity"] == "P0" and i["postmortem"])
    during = [c for c in checks if c["service_id"] == "api" and outage["started_at"] <= c["checked_at"]
              < outage["resolved_at"]]
    assert during and not any(c["ok"] for c in during)
    latest = {c["service_id"]: c for c in checks}  # served in time order: the last one wins
    assert not latest["support"]["ok"] and latest["api"]["ok"]


def test_maintenance_windows_and_a_certificate_close_to_expiry():
    business = DemoBackend(**SMALL).business
    windows = _rows(business, "maintenance_windows")
    assert {w["service_id"] for w in windows} == {"backups", "database", "auth"}
    assert any(w["starts_at"] <= NOW < w["ends_at"] for w in windows)  # Backups, right now
    auth = [c for c in _rows(business, "health_checks") if c["service_id"] == "auth"][-1]
    assert 8 <= (auth["cert_expires_at"] - NOW).days <= 9


def test_tickets_about_the_outages_only_when_asked(ops):
    plain = DemoBackend(**SMALL).business
    assert len(plain.feed("tickets")) == SMALL["tickets"]
    story = DemoBackend(**SMALL, outage_tickets=True).business
    extra = [t for t in _rows(story, "tickets") if t["id"] > 10_000 + SMALL["tickets"]]  # ids start at 10,001
    assert len(extra) == 15 and all(t["category"] == "outage" for t in extra)


def test_incident_writes_open_acknowledge_and_postmortem(ops):
    body = {"id": "INC-NEW-1", "title": "Billing is down", "severity": "P1", "service_id": "billing",
            "affected_services": ["api"], "impact": "Nobody can pay.", "started_at": "2026-03-02T11:40:00Z",
            "author": "Sam Rivera"}
    opened = ops.post("/v1/incidents", body, key="o-1")
    assert opened.status_code == 201 and opened.json()["status"] == "investigating"
    assert ops.post("/v1/incidents", body, key="o-1").json() == opened.json()  # replayed, applied once
    assert ops.post("/v1/incidents", body, key="o-2").status_code == 409  # the id is taken
    assert ops.post("/v1/incidents", {**body, "id": "x", "service_id": "nope"}, key="o-3").status_code == 404
    assert ops.post("/v1/incidents", {**body, "id": "y", "severity": "P9"}, key="o-4").status_code == 422
    ack = ops.post("/v1/incidents/INC-NEW-1/acknowledge", {"acknowledged_at": "2026-03-02T11:45:00Z",
                                                           "author": "Nadia"}, key="a-1")
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "Nadia"
    again = ops.post("/v1/incidents/INC-NEW-1/acknowledge", {"acknowledged_at": "2026-03-02T11:50:00Z"}, key="a-2")
    assert again.json()["acknowledged_at"] == "2026-03-02T11:45:00Z"  # the first stands
    review = {"root_cause": "x", "went_well": "y", "went_badly": "z", "follow_ups": [{"action": "a", "owner": "b"}],
              "written_at": "2026-03-02T11:59:00Z"}
    assert ops.post("/v1/incidents/INC-NEW-1/postmortem", review, key="p-1").status_code == 409  # still open
    resolved = {"id": str(uuid.uuid4()), "status": "resolved", "body": "Fixed.", "created_at": "2026-03-02T11:55:00Z"}
    assert ops.post("/v1/incidents/INC-NEW-1/updates", resolved, key="u-1").status_code == 201
    written = ops.post("/v1/incidents/INC-NEW-1/postmortem", review, key="p-2")
    assert written.status_code == 200 and written.json()["postmortem"]["follow_ups"] == [{"action": "a", "owner": "b"}]
    bad = ops.post("/v1/incidents/INC-NEW-1/postmortem", {**review, "follow_ups": [{"action": " "}]}, key="p-3")
    assert bad.status_code == 422
