"""The demo's support side: published SLA policies, ratings of solved tickets, due instants that follow writes."""

from __future__ import annotations

import uuid

from app.sla_rules.policies import SEED_POLICIES, rules_from_mappings
from tests.app.demo.support import event


def test_the_published_policies_are_the_handbook_in_order(ops):
    policies, _ = ops.full_pass("sla-policies")
    assert [p["name"] for p in sorted(policies, key=lambda p: p["position"])] == [p["name"] for p in SEED_POLICIES]
    assert all(isinstance(p["calendar"], dict) for p in policies)
    rules_from_mappings([], sorted(policies, key=lambda p: p["position"]))  # what a client can parse


def test_ratings_belong_to_solved_tickets(ops, backend):
    ratings, _ = ops.full_pass("ticket_ratings")
    assert ratings and all(1 <= r["score"] <= 5 for r in ratings)
    solved = {t["id"] for t in backend.business.feed("tickets").page(None, None, 10_000)[0]
              if t["status"] in ("solved", "closed")}
    assert {r["ticket_id"] for r in ratings} <= solved


def test_a_status_change_moves_the_due_instant_the_server_serves(ops, backend):
    tickets = backend.business.feed("tickets").page(None, None, 10_000)[0]
    running = next(t for t in tickets if t["status"] == "open" and t["sla_due_at"] is not None)
    path = f"/v1/tickets/{running['id']}/events"
    pending = event("status", body=None, data={"status": "pending"})
    assert ops.post(path, pending, key=str(uuid.uuid4())).status_code == 201
    assert backend.business.feed("tickets").get(running["id"])["sla_due_at"] is None  # paused: no due instant
    reopened = event("status", body=None, data={"status": "open"}, created_at="2026-03-02T11:59:30Z")
    assert ops.post(path, reopened, key=str(uuid.uuid4())).status_code == 201
    assert backend.business.feed("tickets").get(running["id"])["sla_due_at"] is not None
