"""The Ops API's writes: validate the body whole, then apply it to the business.

Each function takes the business, the path id and the decoded JSON body and
returns ``(status, stored row)`` or raises ``OpsError`` — 422 naming the first
wrong field, 404 for an unknown target, 409 for an id already taken.
Idempotency is handled by the caller (``ops_api``); these run only once per key.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

from app.demo.access import FLAG_IDS, TIERS
from app.demo.business import Business
from app.demo.feed import Row
from app.demo.health import STEPS
from app.demo.licenses import ACTIVATION_NAMESPACE
from app.demo.messages import OpsError
from app.demo.support import PRIORITIES, STATES
from app.demo.wire import FIRST_YEAR, LAST_YEAR, dumps, parse_iso

EVENT_KINDS = ("reply", "note", "status", "assignee", "priority", "escalation")
LICENSE_FIELDS = (
    "id", "key_id", "product", "customer_id", "customer_name", "customer_email", "plan", "seats", "features",
    "issued_at", "not_before", "expires_at", "grace_days", "fingerprint", "max_version", "issued_by", "revoked_at",
    "revoke_reason", "supersedes", "subscription_id", "license_text",
)
_REQUIRED_LICENSE_FIELDS = ("id", "key_id", "product", "plan", "seats", "issued_at", "not_before", "expires_at")
_LICENSE_TIMES = ("issued_at", "not_before", "expires_at", "revoked_at")


# What the server stores, and so refuses beyond (docs/ops-api.json says the same, field by field).
ID_CHARS = 200  # ids, key ids, features
NAME_CHARS = 1_000  # names, authors, reasons, versions
TEXT_CHARS = 100_000  # bodies and signed license files
MAX_SEATS = 1_000_000
MAX_GRACE_DAYS = 3_650
MAX_FEATURES = 100
VERSION_CHARS = 50  # "4.2.17": digits and dots
ACTIVATION_CHANNELS = ("online", "offline")
_VERSION = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9}){0,3}")
_LIMITS = {"id": ID_CHARS, "key_id": ID_CHARS, "customer_id": ID_CHARS, "supersedes": ID_CHARS,
           "service_id": ID_CHARS, "affected_services": ID_CHARS, "body": TEXT_CHARS, "license_text": TEXT_CHARS,
           "impact": TEXT_CHARS, "root_cause": TEXT_CHARS, "went_well": TEXT_CHARS, "went_badly": TEXT_CHARS,
           "subscription_id": ID_CHARS, "license_id": ID_CHARS, "machine_name": ID_CHARS,
           "product_version": VERSION_CHARS}


# White space as the spec's ``pattern: "\\S"`` means it (ECMA-262, as JSON Schema patterns are):
# U+0085 or U+001C are not white space there, though Python's str.strip() removes them.
_BLANK = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*")


def _invalid(field: str, message: str) -> OpsError:
    return OpsError(422, "invalid_field", message, field)


def _text(body: dict[str, Any], field: str, *, required: bool = True) -> str | None:
    """A string with something besides white space, of at most its field's length (``_LIMITS``)."""
    value = body.get(field)
    if value is None and not required:
        return None
    limit = _LIMITS.get(field, NAME_CHARS)
    if not isinstance(value, str) or _BLANK.fullmatch(value) or len(value) > limit:
        raise _invalid(field, f"{field} must be a string of 1 to {limit:,} characters, not only spaces")
    return value


def _integer(body: dict[str, Any], field: str, low: int, high: int, default: int) -> int:
    """A whole number in ``low..high`` (JSON's ``3.0`` is the integer 3)."""
    value = body.get(field)
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _invalid(field, f"{field} must be a whole number from {low:,} to {high:,}")
    return value


def _time(body: dict[str, Any], field: str, *, required: bool = True) -> dt.datetime | None:
    value = body.get(field)
    if value is None and not required:
        return None
    try:
        if isinstance(value, str):
            return parse_iso(value)
    except ValueError as exc:
        raise _invalid(field, f"{field} must be an RFC 3339 timestamp of the years "
                              f"{FIRST_YEAR}–{LAST_YEAR} ({exc})") from None
    raise _invalid(field, f"{field} must be an RFC 3339 timestamp")


def _choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _invalid(field, f"{field} must be one of: {', '.join(choices)}")
    return str(value)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise OpsError(422, "invalid_body", "the request body must be a JSON object")
    return body


def _existing(business: Business, resource: str, row_id: Any, what: str) -> Row:
    row = business.feed(resource).get(row_id)
    if row is None or row.get("deleted"):
        raise OpsError(404, "not_found", f"no {what} {row_id}")
    return row


def _unused_id(business: Business, resource: str, row_id: Any) -> None:
    if business.feed(resource).get(row_id) is not None:
        raise OpsError(409, "already_exists", f"id {row_id} is already taken", "id")


def _event_data(kind: str, data: Any) -> dict[str, Any] | None:
    """The new value a change event carries, under the key named like the field it changes."""
    if data is not None and not isinstance(data, dict):
        raise _invalid("data", "data must be an object")
    data = data or {}
    if kind == "status":
        _choice(data.get("status"), "data.status", STATES)
    elif kind == "priority":
        _choice(data.get("priority"), "data.priority", PRIORITIES)
    elif kind == "assignee" and "assignee" not in data:
        raise _invalid("data.assignee", "data.assignee is required (null unassigns)")
    elif kind == "escalation" and "tier" in data and (type(data["tier"]) is not int or data["tier"] not in (1, 2, 3)):
        raise _invalid("data.tier", "data.tier must be 1, 2 or 3")
    if "assignee" in data:
        _text(data, "assignee", required=False)
    return data or None


def post_ticket_event(business: Business, ticket_id: str, body: Any) -> tuple[int, Row]:
    body = _object(body)
    try:
        ticket = _existing(business, "tickets", int(ticket_id), "ticket")
    except ValueError:
        raise OpsError(404, "not_found", f"no ticket {ticket_id}") from None
    kind = _choice(body.get("kind"), "kind", EVENT_KINDS)
    event = {
        "id": _text(body, "id"), "kind": kind, "author": _text(body, "author", required=False),
        "body": _text(body, "body", required=kind in ("reply", "note")),
        "data": _event_data(kind, body.get("data")), "created_at": _time(body, "created_at"),
    }
    _unused_id(business, "ticket_events", event["id"])
    return 201, business.apply_ticket_event(ticket, event)


def post_incident_update(business: Business, incident_id: str, body: Any) -> tuple[int, Row]:
    body = _object(body)
    incident = _existing(business, "incidents", incident_id, "incident")
    update = {
        "id": _text(body, "id"), "status": _choice(body.get("status"), "status", STEPS), "body": _text(body, "body"),
        "author": _text(body, "author", required=False), "created_at": _time(body, "created_at"),
    }
    _unused_id(business, "incident_updates", update["id"])
    return 201, business.apply_incident_update(incident, update)


SEVERITY_LEVELS = ("P0", "P1", "P2", "P3", "P4")
MAX_LIST_ITEMS = 100  # affected services, follow-up actions


def _service(business: Business, service_id: str | None, field: str) -> str | None:
    if service_id is not None and business.feed("services").get(service_id) is None:
        raise OpsError(404, "not_found", f"no service {service_id}", field)
    return service_id


def post_incident(business: Business, _: str, body: Any) -> tuple[int, Row]:
    """Open an incident from a console under the client's id (409 when the id is taken)."""
    body = _object(body)
    others = body.get("affected_services")
    if others is not None and not (isinstance(others, list) and len(others) <= MAX_LIST_ITEMS):
        raise _invalid("affected_services", f"affected_services must be a list of at most {MAX_LIST_ITEMS} ids")
    row: dict[str, Any] = {
        "id": _text(body, "id"), "title": _text(body, "title"),
        "severity": _choice(body.get("severity"), "severity", SEVERITY_LEVELS),
        "service_id": _text(body, "service_id", required=False),
        "affected_services": [_text({"affected_services": v}, "affected_services") for v in others or []] or None,
        "impact": _text(body, "impact", required=False), "started_at": _time(body, "started_at"),
        "author": _text(body, "author", required=False),
    }
    _service(business, row["service_id"], "service_id")
    for other in row["affected_services"] or []:
        _service(business, other, "affected_services")
    _unused_id(business, "incidents", row["id"])
    del row["author"]
    return 201, business.open_incident(row)


def post_incident_acknowledge(business: Business, incident_id: str, body: Any) -> tuple[int, Row]:
    """Someone is on it; the first acknowledgement stands (acknowledging again changes nothing)."""
    body = _object(body)
    at, author = _time(body, "acknowledged_at"), _text(body, "author", required=False)
    incident = _existing(business, "incidents", incident_id, "incident")
    if incident.get("acknowledged_at") is not None:
        return 200, incident
    return 200, business.change_incident(incident, {"acknowledged_at": at, "acknowledged_by": author})


def post_postmortem(business: Business, incident_id: str, body: Any) -> tuple[int, Row]:
    """Write the post-mortem of a resolved incident (409 while it is open)."""
    body = _object(body)
    follow_ups = body.get("follow_ups")
    if not isinstance(follow_ups, list) or len(follow_ups) > MAX_LIST_ITEMS:
        raise _invalid("follow_ups", f"follow_ups must be a list of at most {MAX_LIST_ITEMS} actions")
    review = {
        "root_cause": _text(body, "root_cause"), "went_well": _text(body, "went_well"),
        "went_badly": _text(body, "went_badly"),
        "follow_ups": [{"action": _text(_object(f), "action"), "owner": _text(_object(f), "owner")}
                       for f in follow_ups],
        "author": _text(body, "author", required=False), "written_at": _time(body, "written_at"),
    }
    incident = _existing(business, "incidents", incident_id, "incident")
    if incident.get("status") != STEPS[-1]:
        raise OpsError(409, "not_resolved", f"incident {incident_id} is not resolved yet")
    return 200, business.change_incident(incident, {"postmortem": review})


def _license(body: dict[str, Any]) -> Row:
    unknown = sorted(set(body) - set(LICENSE_FIELDS) - {"updated_at"})
    if unknown:
        raise _invalid(unknown[0], f"unknown field {unknown[0]}")
    for name in _REQUIRED_LICENSE_FIELDS:
        if body.get(name) is None:
            raise _invalid(name, f"{name} is required")
    _time(body, "updated_at", required=False)  # ignored, but like every time it must be one
    row: Row = {name: body.get(name) for name in LICENSE_FIELDS}
    for name in LICENSE_FIELDS:
        if name in _LICENSE_TIMES:
            row[name] = _time(body, name, required=False)
        elif name not in ("seats", "grace_days", "features"):
            row[name] = _text(body, name, required=False)
    row["seats"] = _integer(body, "seats", 1, MAX_SEATS, 0)
    row["grace_days"] = _integer(body, "grace_days", 0, MAX_GRACE_DAYS, 0)
    features = row["features"]
    if features is not None and not (
        isinstance(features, list) and len(features) <= MAX_FEATURES
        and all(isinstance(f, str) and len(f) <= ID_CHARS and not _BLANK.fullmatch(f) for f in features)
    ):
        raise _invalid("features", f"features must be a list of at most {MAX_FEATURES} names of 1 to {ID_CHARS} "
                                   "characters")
    if row["expires_at"] <= row["not_before"]:
        raise _invalid("expires_at", "expires_at must be after not_before")
    return row


def _same_license(a: Row, b: Row) -> bool:
    return dumps({k: a.get(k) for k in LICENSE_FIELDS}) == dumps({k: b.get(k) for k in LICENSE_FIELDS})


def post_license(business: Business, _: str, body: Any) -> tuple[int, Row]:
    """Register a license issued on a workstation; re-sending the identical license is a no-op (200)."""
    row = _license(_object(body))
    existing = business.feed("licenses").get(row["id"])
    if existing is not None:
        if existing.get("deleted") or not _same_license(existing, row):
            raise OpsError(409, "already_exists", f"license {row['id']} exists with different content", "id")
        return 200, existing
    return 201, business.store_license(row)


def post_license_revoke(business: Business, license_id: str, body: Any) -> tuple[int, Row]:
    """Revoke a license; revoking a revoked license changes nothing (the first revocation stands)."""
    body = _object(body)
    reason, revoked_at = _text(body, "reason"), _time(body, "revoked_at")
    license_row = _existing(business, "licenses", license_id, "license")
    if license_row.get("revoked_at") is not None:
        return 200, license_row
    return 200, business.store_license({**license_row, "revoked_at": revoked_at, "revoke_reason": reason})


def post_activation(business: Business, _: str, body: Any) -> tuple[int, Row]:
    """Record a machine seen holding a seat: new (201), or seen again (200: last seen and version move on).

    The id is derived from the license and the fingerprint, so a machine
    answered offline on a workstation and reported online is one machine.
    """
    body = _object(body)
    unknown = sorted(set(body) - {"license_id", "fingerprint", "machine_name", "product_version", "activated_via",
                                  "seen_at"})
    if unknown:
        raise _invalid(unknown[0], f"unknown field {unknown[0]}")
    license_id, fingerprint = _text(body, "license_id"), _text(body, "fingerprint")
    machine_name, version = _text(body, "machine_name", required=False), _text(body, "product_version", required=False)
    if version is not None and not _VERSION.fullmatch(version):
        raise _invalid("product_version", "product_version must be a version like 4.2.1")
    via = _choice(body.get("activated_via", "online"), "activated_via", ACTIVATION_CHANNELS)
    seen_at = _time(body, "seen_at")
    _existing(business, "licenses", license_id, "license")
    activation_id = str(uuid.uuid5(ACTIVATION_NAMESPACE, f"{license_id}\n{fingerprint}"))
    current = business.feed("activations").get(activation_id)
    if current is None or current.get("deleted"):
        return 201, business.store_activation({
            "id": activation_id, "license_id": license_id, "fingerprint": fingerprint, "machine_name": machine_name,
            "product_version": version, "activated_via": via, "first_seen_at": seen_at, "last_seen_at": seen_at,
        })
    if seen_at is not None and seen_at >= current["last_seen_at"]:
        current.update(last_seen_at=seen_at, product_version=version or current["product_version"],
                       machine_name=machine_name or current["machine_name"])
    return 200, business.store_activation(current)


GRANT_FIELDS = ("id", "customer_id", "feature", "plan", "effect", "reason", "granted_by", "created_at",
                "expires_at")


def _grant(body: dict[str, Any]) -> Row:
    unknown = sorted(set(body) - set(GRANT_FIELDS))
    if unknown:
        raise _invalid(unknown[0], f"unknown field {unknown[0]}")
    row: Row = {
        "id": _text(body, "id"), "customer_id": _text(body, "customer_id"),
        "feature": None, "plan": None, "effect": _choice(body.get("effect", "grant"), "effect", ("grant", "deny")),
        "reason": _text(body, "reason"), "granted_by": _text(body, "granted_by", required=False),
        "created_at": _time(body, "created_at"), "expires_at": _time(body, "expires_at", required=False),
        "revoked_at": None, "revoked_by": None, "revoke_reason": None,
    }
    if (body.get("feature") is None) == (body.get("plan") is None):
        raise _invalid("feature", "name either a feature or a plan")
    if body.get("feature") is not None:
        row["feature"] = _choice(body["feature"], "feature", FLAG_IDS)
    else:
        row["plan"] = _choice(body["plan"], "plan", TIERS)
    if row["expires_at"] is not None and row["expires_at"] <= row["created_at"]:
        raise _invalid("expires_at", "expires_at must be after created_at")
    return row


def post_access_grant(business: Business, _: str, body: Any) -> tuple[int, Row]:
    """Grant (or withhold) a feature or a plan to one customer; re-sending the identical grant is a no-op (200)."""
    row = _grant(_object(body))
    if not business.has_customer(row["customer_id"]):
        raise OpsError(404, "not_found", f"no customer {row['customer_id']}")
    existing = business.feed("access_grants").get(row["id"])
    if existing is not None:
        if existing.get("deleted") or any(existing.get(k) != row[k] for k in GRANT_FIELDS):
            raise OpsError(409, "already_exists", f"access grant {row['id']} exists with different content", "id")
        return 200, existing
    return 201, business.store("access_grants", row)


def post_access_revoke(business: Business, grant_id: str, body: Any) -> tuple[int, Row]:
    """End a grant before it expires; revoking a revoked grant changes nothing (the first revocation stands)."""
    body = _object(body)
    reason, revoked_at = _text(body, "reason"), _time(body, "revoked_at")
    revoked_by = _text(body, "revoked_by", required=False)
    grant = _existing(business, "access_grants", grant_id, "access grant")
    if grant.get("revoked_at") is not None:
        return 200, grant
    return 200, business.store("access_grants", {**grant, "revoked_at": revoked_at, "revoked_by": revoked_by,
                                                 "revoke_reason": reason})


Write = Callable[[Business, str, Any], tuple[int, Row]]
