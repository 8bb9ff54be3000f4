"""Feature flags, access grants, per-customer usage and processing failures in the Ops API."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.demo.wire import parse_iso
from tests.app.demo.support import NOW


def _customer(backend) -> str:
    return next(s.customer for s in backend.business.billing.subscriptions if s.status == "active")


def _grant(customer_id: str, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "customer_id": customer_id, "feature": "audit_log", "reason": "Pilot",
            "granted_by": "Sam Rivera", "created_at": "2026-03-02T11:00:00Z", "expires_at": "2026-03-16T11:00:00Z",
            **fields}


def test_a_grant_is_stored_once_listed_and_revoked_once(backend, ops):
    body = _grant(_customer(backend))
    created = ops.post("/v1/access_grants", body, key="g-1")
    assert created.status_code == 201
    stored = created.json()
    assert stored["effect"] == "grant" and stored["plan"] is None and stored["revoked_at"] is None
    assert ops.post("/v1/access_grants", body, key="g-2").status_code == 200  # the identical grant again
    assert ops.post("/v1/access_grants", {**body, "reason": "Other"}, key="g-3").status_code == 409
    listed = ops.get("/v1/access_grants", updated_since=stored["updated_at"]).json()["data"]
    assert [g["id"] for g in listed] == [body["id"]]
    revoke = {"reason": "No longer needed", "revoked_at": "2026-03-02T11:30:00Z", "revoked_by": "Sam Rivera"}
    revoked = ops.post(f"/v1/access_grants/{body['id']}/revoke", revoke, key="r-1").json()
    assert revoked["revoked_at"] == "2026-03-02T11:30:00Z" and revoked["revoke_reason"] == "No longer needed"
    again = ops.post(f"/v1/access_grants/{body['id']}/revoke", {**revoke, "reason": "Twice"}, key="r-2").json()
    assert again["revoke_reason"] == "No longer needed"  # the first revocation stands
    assert backend.applied_count("r-1") == 1


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"feature": None, "plan": None}, 422, "feature"),
    ({"plan": "enterprise"}, 422, "feature"),  # a feature and a plan
    ({"feature": "teleport"}, 422, "feature"),
    ({"expires_at": "2026-03-01T11:00:00Z"}, 422, "expires_at"),
    ({"effect": "maybe"}, 422, "effect"),
    ({"reason": "   "}, 422, "reason"),
    ({"colour": "red"}, 422, "colour"),
])
def test_bad_grants_are_refused_naming_the_field(backend, ops, change, status, field):
    response = ops.post("/v1/access_grants", _grant(_customer(backend), **change), key=str(uuid.uuid4()))
    assert response.status_code == status
    assert response.json()["error"]["field"] == field


def test_a_grant_for_an_unknown_customer_is_404(ops):
    assert ops.post("/v1/access_grants", _grant("cus_nobody"), key="g-x").status_code == 404


def test_the_seeded_grants_show_every_state(ops):
    grants, _ = ops.full_pass("access_grants")
    now = NOW
    states = set()
    for g in grants:
        expires = parse_iso(g["expires_at"]) if g["expires_at"] else None
        if g["revoked_at"]:
            states.add("revoked")
        elif g["effect"] == "deny":
            states.add("denied")
        elif expires is not None and expires <= now:
            states.add("expired")
        else:
            states.add("running")
    assert states == {"revoked", "denied", "expired", "running"}
    assert {g["plan"] for g in grants} - {None} == {"enterprise"}


def test_flags_usage_and_failures_are_served(backend, ops):
    flags, _ = ops.full_pass("feature_flags")
    assert {f["rollout_phase"] for f in flags} >= {"plans", "premium_5", "premium_25", "everyone"}
    usage, _ = ops.full_pass("customer_usage", limit=1000)
    live = {s.customer for s in backend.business.billing.subscriptions if s.status in ("active", "trialing",
                                                                                      "past_due")}
    assert {u["customer_id"] for u in usage} == live
    days = {u["day"] for u in usage}
    assert max(days) == (NOW.date() - dt.timedelta(days=1)).isoformat() and len(days) == 14
    failures, _ = ops.full_pass("processing_failures")
    assert failures and all(f["customer_id"] in live and f["message"] for f in failures)
    assert any(f["resolved_at"] for f in failures) and any(f["resolved_at"] is None for f in failures)
