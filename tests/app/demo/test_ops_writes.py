"""Ops API writes: exactly-once under Idempotency-Key, validation, and their effect on the feeds."""

from __future__ import annotations

import pytest

from tests.app.demo.support import LICENSE, event


def test_replaying_a_key_returns_the_first_answer_and_applies_once(backend, ops):
    body = event("status", body=None, data={"status": "pending"})
    first = ops.post("/v1/tickets/10001/events", body, key="k-1")
    replay = ops.post("/v1/tickets/10001/events", body, key="k-1")
    assert first.status_code == replay.status_code == 201
    assert first.content == replay.content
    assert backend.applied_count("k-1") == 1
    stored = first.json()
    assert stored["ticket_id"] == 10001 and stored["id"] == body["id"] and stored["data"] == {"status": "pending"}
    tickets = ops.get("/v1/tickets", updated_since=stored["updated_at"]).json()["data"]
    assert [(t["id"], t["status"], t["updated_at"]) for t in tickets] == [(10001, "pending", stored["updated_at"])]


def test_the_same_key_with_another_body_is_409(backend, ops):
    assert ops.post("/v1/tickets/10001/events", event(), key="k-2").status_code == 201
    response = ops.post("/v1/tickets/10001/events", event(), key="k-2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert backend.applied_count("k-2") == 1


def test_a_write_without_key_is_refused_and_not_applied(ops):
    response = ops.post("/v1/tickets/10001/events", event(), key=None)
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "idempotency_key_required", "field": "Idempotency-Key",
                                        "message": "writes need an Idempotency-Key header"}


@pytest.mark.parametrize(("body", "field"), [
    (event(kind="shout"), "kind"),
    (event(created_at="last tuesday"), "created_at"),
    (event(kind="status", data={"status": "gone"}), "data.status"),
    (event(kind="priority", data={}), "data.priority"),
    (event(kind="note", body=""), "body"),
    (event(id=None), "id"),
])
def test_invalid_events_are_422_naming_the_field_and_the_key_stays_usable(backend, ops, body, field):
    response = ops.post("/v1/tickets/10001/events", body, key="k-3")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert backend.applied_count("k-3") == 0
    assert ops.post("/v1/tickets/10001/events", event(), key="k-3").status_code == 201


def test_escalation_and_assignment_change_the_ticket(ops):
    ops.post("/v1/tickets/10002/events", event("assignee", data={"assignee": "Tom Becker"}), key="a")
    response = ops.post("/v1/tickets/10002/events", event("escalation", data={"tier": 3}), key="b")
    ticket = next(t for t in ops.get("/v1/tickets", updated_since=response.json()["updated_at"]).json()["data"])
    assert (ticket["id"], ticket["tier"], ticket["escalated"], ticket["assignee"]) == (10002, 3, True, "Tom Becker")


def test_unknown_targets_are_404(ops):
    assert ops.post("/v1/tickets/999/events", event(), key="x").status_code == 404
    assert ops.post("/v1/tickets/abc/events", event(), key="y").status_code == 404
    assert ops.post("/v1/incidents/INC-9999/updates", {}, key="z").status_code == 404


def test_an_incident_update_moves_the_incident(ops):
    incident = next(i for i in ops.full_pass("incidents")[0] if i["resolved_at"] is None)
    body = {"id": "upd-1", "status": "resolved", "body": "All good.", "author": "Sam Rivera",
            "created_at": "2026-03-02T11:58:00Z"}
    stored = ops.post(f"/v1/incidents/{incident['id']}/updates", body, key="u-1")
    assert stored.status_code == 201 and stored.json()["incident_id"] == incident["id"]
    changed = ops.get("/v1/incidents", updated_since=stored.json()["updated_at"]).json()["data"]
    assert [(i["id"], i["status"], i["resolved_at"]) for i in changed] == [
        (incident["id"], "resolved", "2026-03-02T11:58:00Z")]
    assert ops.post(f"/v1/incidents/{incident['id']}/updates", body, key="u-2").status_code == 409


def test_licenses_register_once_and_revoke(ops):
    created = ops.post("/v1/licenses", LICENSE, key="l-1")
    assert created.status_code == 201 and created.json()["features"] == ["offline", "sso"]
    assert ops.post("/v1/licenses", LICENSE, key="l-2").status_code == 200  # identical: nothing to do
    clash = ops.post("/v1/licenses", {**LICENSE, "seats": 5}, key="l-3")
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "id"
    revoke = {"reason": "refund", "revoked_at": "2026-03-02T11:00:00Z"}
    revoked = ops.post(f"/v1/licenses/{LICENSE['id']}/revoke", revoke, key="l-4")
    assert revoked.status_code == 200
    assert (revoked.json()["revoked_at"], revoked.json()["revoke_reason"]) == ("2026-03-02T11:00:00Z", "refund")
    again = ops.post(f"/v1/licenses/{LICENSE['id']}/revoke", {**revoke, "reason": "twice"}, key="l-5")
    assert again.json()["revoke_reason"] == "refund"
    assert ops.post("/v1/licenses/nope/revoke", revoke, key="l-6").status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    ({"seats": 0}, "seats"), ({"features": "sso"}, "features"), ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
    ({"plan": None}, "plan"), ({"features_json": []}, "features_json"),
])
def test_invalid_licenses_are_422(ops, change, field):
    response = ops.post("/v1/licenses", {**LICENSE, **change}, key="bad")
    assert response.status_code == 422 and response.json()["error"]["field"] == field


def test_the_body_must_be_json(ops):
    response = ops.session.post(ops.base + "/v1/licenses", data=b"{oops", headers={"Idempotency-Key": "j"}, timeout=5)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
