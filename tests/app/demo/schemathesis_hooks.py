"""What the conformance run knows beyond the schema: the two rules docs/ops-api.json states in prose.

Loaded by ``st run`` through ``SCHEMATHESIS_HOOKS``.  Only schema-valid
(positive) cases are touched, so every negative case still tests a refusal:

* a cursor is opaque — the only non-empty ones a client may send are those
  the server issued — so an invented one becomes the empty cursor (the
  first page), which the server must accept;
* a license must expire after it starts, and an access grant after it is
  created: an invented pair that does not is put in order.
"""

from __future__ import annotations

import datetime as dt

import schemathesis
from schemathesis import Case, GenerationMode, HookContext


def _positive(case: Case) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


def _time(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text).replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None


@schemathesis.hook
def map_case(context: HookContext, case: Case) -> Case:
    if not _positive(case):
        return case
    if isinstance(case.query, dict) and case.query.get("cursor"):
        case.query["cursor"] = ""
    body = case.body
    starts = {"/v1/licenses": "not_before", "/v1/access_grants": "created_at"}
    start_field = starts.get(case.operation.path)
    if case.operation.method.upper() == "POST" and start_field and isinstance(body, dict):
        start, end = _time(body.get(start_field)), _time(body.get("expires_at"))
        if start is not None and end is not None and end <= start:
            body[start_field], body["expires_at"] = "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"
    return case
