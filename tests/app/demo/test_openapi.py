"""docs/ops-api.json documents exactly what the demo server implements, in the cache's field names."""

from __future__ import annotations

import json
import re

import pytest

from app.demo.ops_api import ROUTES
from app.store import schema
from tests.support.repo import ROOT

SPEC = json.loads((ROOT / "docs" / "ops-api.json").read_text(encoding="utf-8"))

# resource -> (cache model, columns the API leaves out, fields the API adds); JSON names the *_json columns plainly.
CACHE_MODELS = {
    "services": (schema.Service, set(), set()),
    "incidents": (schema.Incident, set(), set()),
    "incident_updates": (schema.IncidentUpdate, set(), {"updated_at"}),
    "sla-policies": (schema.SlaPolicy, set(), set()),
    "tickets": (schema.Ticket, set(schema.SLA_COLUMNS), set()),  # the console computes its own clocks
    "ticket_events": (schema.TicketEvent, set(), {"updated_at"}),
    "ticket_ratings": (schema.TicketRating, set(), {"updated_at"}),
    "licenses": (schema.License, set(), set()),
    "activations": (schema.Activation, set(), set()),
    "health_checks": (schema.HealthCheck, {"source"}, {"updated_at"}),
    "costs": (schema.CostRecord, {"imported_at"}, {"updated_at"}),
    "budgets": (schema.Budget, set(), {"id"}),
    "usage": (schema.UsageDaily, set(), {"id"}),
    "maintenance_windows": (schema.MaintenanceWindow, set(), set()),
    "feature_flags": (schema.FeatureFlag, set(), set()),
    "access_grants": (schema.AccessGrant, set(), set()),
    "customer_usage": (schema.CustomerUsage, set(), set()),
    "processing_failures": (schema.ProcessingFailure, set(), set()),
}
RENAMED = {"data_json": "data", "features_json": "features", "calendar_json": "calendar",
           "affected_services_json": "affected_services", "postmortem_json": "postmortem",
           **{f"{name}_json": name for name in ("priorities", "categories", "plans", "tiers")}}


def _item_schema(resource: str) -> dict:
    page_ref = SPEC["paths"][f"/v1/{resource}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = SPEC["components"]["schemas"][page_ref["$ref"].rsplit("/", 1)[1]]
    item_ref = page["properties"]["data"]["items"]["oneOf"][0]["$ref"]
    return SPEC["components"]["schemas"][item_ref.rsplit("/", 1)[1]]


def test_every_implemented_route_is_documented_and_vice_versa():
    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{id}", path.removeprefix("/v1")))
        for path, operations in SPEC["paths"].items() for method in operations
    }
    assert documented == {(route.method, route.template) for route in ROUTES}


@pytest.mark.parametrize("resource", sorted(CACHE_MODELS))
def test_item_fields_are_the_cache_columns(resource):
    model, left_out, added = CACHE_MODELS[resource]
    columns = {RENAMED.get(c.name, c.name) for c in model.__table__.columns} - {"synced_at", "pending"}
    assert set(_item_schema(resource)["properties"]) == (columns - left_out) | added


@pytest.mark.parametrize("resource", sorted(CACHE_MODELS))
def test_served_items_carry_exactly_the_documented_fields(ops, resource):
    item = ops.get(f"/v1/{resource}", limit=1).json()["data"][0]
    assert set(item) == set(_item_schema(resource)["properties"])


def test_every_write_documents_the_idempotency_key_and_the_error_shape():
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            refs = {p.get("$ref") for p in operation.get("parameters", [])}
            assert (method == "post") == ("#/components/parameters/IdempotencyKey" in refs), path
            assert operation["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}
            if method == "post":  # a reused key is 409 on every write
                assert operation["responses"]["409"] == {"$ref": "#/components/responses/Conflict"}, path
