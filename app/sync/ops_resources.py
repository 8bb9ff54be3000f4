"""The Ops API resources sync pulls, in the order that keeps foreign keys satisfied.

Each entry says which cache table a resource fills, which columns identify a
row (the upsert's conflict target) and how an API id maps onto them — most
resources key on ``id``, but costs key on (day, service, source, currency),
budgets on the service and usage on the day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table

from app.connectors.convert import parse_date, parse_datetime
from app.connectors.ops_rows import Converter, row_converter
from app.domain.sla import sync_hooks
from app.store.changes import Changes
from app.store.schema import (
    SLA_COLUMNS,
    AccessGrant,
    Activation,
    Base,
    Budget,
    CostRecord,
    CustomerUsage,
    FeatureFlag,
    HealthCheck,
    Incident,
    IncidentUpdate,
    License,
    MaintenanceWindow,
    ProcessingFailure,
    Service,
    SlaPolicy,
    Ticket,
    TicketEvent,
    TicketRating,
    UsageDaily,
)

COST_SOURCE = "opsapi"
HEALTH_SOURCE = "api"


@dataclass(frozen=True)
class OpsResource:
    """How one API resource lands in the cache."""

    name: str
    table: Table
    to_row: Converter
    key: tuple[str, ...] = ("id",)
    # API tombstone id → values of the ``tombstone_on`` columns (default: ``key``).
    tombstone_key: Callable[[str], tuple[Any, ...]] = lambda item_id: (item_id,)
    tombstone_on: tuple[str, ...] | None = None
    # False when no unique constraint backs ``key``: rows are then replaced
    # (delete by key, insert) instead of upserted.
    unique_key: bool = True
    # What else a stored page changes, in its transaction: (connection, the page's items) → the changes
    # (the SLA clocks of the tickets a page touched).
    after_write: Callable[[Connection, list[dict[str, Any]]], Changes] | None = None

    @property
    def state_key(self) -> str:
        return f"ops:{self.name}"

    @property
    def tombstone_columns(self) -> tuple[str, ...]:
        return self.tombstone_on or self.key

    @property
    def has_pending(self) -> bool:
        return "pending" in self.table.columns


def _int_id(item_id: Any) -> tuple[Any, ...]:
    return (int(item_id),)


def _health_check_key(item_id: str) -> tuple[Any, ...]:
    """``"<service_id>:<checked_at>"`` → the natural key of a synced check.

    The cache keys health checks by an integer shared with local probe rows,
    so synced checks are identified by (service, time, source) instead of the
    API's string id, which is composed of exactly those.
    """
    service_id, _, checked_at = item_id.partition(":")
    return (service_id, parse_datetime(checked_at), HEALTH_SOURCE)


def _cost_key(item_id: str) -> tuple[Any, ...]:
    day, _, service = item_id.partition(":")
    return (parse_date(day), service, COST_SOURCE)


def _table(model: type[Base]) -> Table:
    return model.__table__


# Cache JSON columns the API names plainly.
_JSON_FIELDS = {f"{name}_json": name for name in ("priorities", "categories", "plans", "tiers", "calendar")}


RESOURCES: tuple[OpsResource, ...] = (
    OpsResource("services", _table(Service), row_converter(_table(Service))),
    OpsResource("maintenance_windows", _table(MaintenanceWindow), row_converter(_table(MaintenanceWindow))),
    OpsResource(
        "incidents", _table(Incident),
        row_converter(_table(Incident), renames={"affected_services_json": "affected_services",
                                                 "postmortem_json": "postmortem"}),
    ),
    OpsResource("incident_updates", _table(IncidentUpdate), row_converter(_table(IncidentUpdate))),
    # The policies first: the tickets' clocks of this same sync follow them.
    OpsResource(
        "sla-policies", _table(SlaPolicy),
        sync_hooks.policy_converter(row_converter(_table(SlaPolicy), renames=_JSON_FIELDS)),
        after_write=sync_hooks.policies_changed,
    ),
    # The API's ticket ids are strings ("42"); the INTEGER column's check reads them as numbers.
    OpsResource(
        "tickets", _table(Ticket), row_converter(_table(Ticket), skip=SLA_COLUMNS), tombstone_key=_int_id,
        after_write=sync_hooks.tickets_changed,
    ),
    OpsResource(
        "ticket_events", _table(TicketEvent), row_converter(_table(TicketEvent), renames={"data_json": "data"}),
        after_write=sync_hooks.events_changed,
    ),
    OpsResource("ticket_ratings", _table(TicketRating), row_converter(_table(TicketRating))),
    OpsResource(
        "licenses", _table(License), row_converter(_table(License), renames={"features_json": "features"})
    ),
    OpsResource("activations", _table(Activation), row_converter(_table(Activation))),
    OpsResource(
        "health_checks",
        _table(HealthCheck),
        row_converter(_table(HealthCheck), fixed={"source": HEALTH_SOURCE}, skip=frozenset({"id"}), stamp=None),
        key=("service_id", "checked_at", "source"),
        tombstone_key=_health_check_key,
    ),
    OpsResource(
        "costs",
        _table(CostRecord),
        row_converter(
            _table(CostRecord), fixed={"source": COST_SOURCE}, skip=frozenset({"id"}), stamp="imported_at"
        ),
        key=("day", "service", "source", "currency"),
        tombstone_key=_cost_key,  # the API's cost id names no currency: all of them go
        tombstone_on=("day", "service", "source"),
    ),
    OpsResource(
        "budgets",
        _table(Budget),
        row_converter(_table(Budget), renames={"service": "id"}),
        key=("service",),
    ),
    OpsResource(
        "usage",
        _table(UsageDaily),
        row_converter(_table(UsageDaily), renames={"day": "id"}),
        key=("day",),
        tombstone_key=lambda item_id: (parse_date(item_id),),
    ),
    OpsResource(
        "feature_flags", _table(FeatureFlag), row_converter(_table(FeatureFlag), renames={"plans_json": "plans"})
    ),
    OpsResource("access_grants", _table(AccessGrant), row_converter(_table(AccessGrant))),
    OpsResource("customer_usage", _table(CustomerUsage), row_converter(_table(CustomerUsage))),
    OpsResource("processing_failures", _table(ProcessingFailure), row_converter(_table(ProcessingFailure))),
)


def _children(parent: OpsResource) -> tuple[OpsResource, ...]:
    return tuple(r for r in RESOURCES if any(fk.column.table is parent.table for fk in r.table.foreign_keys))


# Resources whose rows refer to another's by foreign key (a ticket's events, an incident's updates).
CHILDREN: dict[str, tuple[OpsResource, ...]] = {r.name: _children(r) for r in RESOURCES}
