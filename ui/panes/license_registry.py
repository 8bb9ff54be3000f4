"""The license registry as the Licenses tab draws it: status colours, tooltips, and one license's detail.

The rows, the status rule and the detail's record come from
``app.views.licenses``; this module only turns them into colours and words.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.views import licenses as view
from ui import formatting as fmt
from ui.models.sql_table import SqlTableModel
from ui.widgets.detail_panel import DetailView
from ui.widgets.palette import AMBER, GREEN, GREY, RED, brush

STATUS_COLORS = {
    view.ACTIVE: GREEN, view.EXPIRING: AMBER, view.EXPIRED: RED, view.WAITING: AMBER,
    view.REVOKED_TEXT: GREY, view.REVOKED_WAITING: GREY,
}


class LicenseTableModel(SqlTableModel):
    """Status in its colour; the full license id and the days left in tooltips."""

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column_key == "status":
            return brush(STATUS_COLORS.get(self.value(row, "status")))
        if role != Qt.ItemDataRole.ToolTipRole:
            return None
        if column_key == "license":
            return row[0]
        if column_key in ("expires_at", "status"):
            return fmt.expiry_words(self.value(row, "expires_at")).capitalize()
        return None


def render_license(r: dict[str, Any]) -> DetailView:
    fields = [
        ("Status", r["status"]),
        ("License id", r["id"]),
        ("Customer", f"{r['customer_id'] or ''} · {r['customer_email'] or 'no email'}"),
        ("Features", ", ".join(r["features_json"] or ()) or "none"),
        ("Issued", fmt.when(r["issued_at"]) + (f" by {r['issued_by']}" if r["issued_by"] else "")),
        ("Expires", (
            f"{fmt.local_day(r['expires_at'])} ({fmt.relative_days(r['expires_at'])}), "
            f"then {r['grace_days']} grace days"
        )),
        ("Machine", r["fingerprint"] or "any machine"),
        ("Up to version", r["max_version"] or "any version"),
        ("Signed with key", r["key_id"]),
    ]
    if r["revoked_at"] is not None:
        fields.append(("Revoked", f"{fmt.local_day(r['revoked_at'])}: {r['revoke_reason'] or 'no reason given'}"))
    if r["supersedes"]:
        fields.append(("Re-issues", r["supersedes"]))
    sent = f"sent {fmt.when(r['synced_at'])}" if r["synced_at"] else "from the Ops API"
    fields.append(("Sync", "waiting to send with the next sync" if r["pending"] else sent))
    return DetailView(
        title=f"{r['customer_name'] or r['customer_id']} · {r['plan'].capitalize()} · {r['seats']:,} seats",
        fields=fields,
        tooltips={"Expires": "Grace days: the product still runs after the expiry, reminding the customer to renew",
                  "Machine": "A node-locked license works only on the machine with this fingerprint"},
    )
