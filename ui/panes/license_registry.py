"""The license registry as the Licenses tab draws it: status colours, tooltips, and one license's detail.

The rows, the status and seat rules and the detail's record come from
``app.views.licenses`` (and ``app.domain.licenses``); this module only turns
them into colours and words.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.domain import seats
from app.views import licenses as view
from ui import formatting as fmt
from ui.models.sql_table import SqlTableModel
from ui.widgets.detail_panel import DetailView, TableSection
from ui.widgets.palette import AMBER, GREEN, GREY, RED, brush

STATUS_COLORS = {
    view.ACTIVE: GREEN, view.EXPIRING: AMBER, view.EXPIRED: RED, view.WAITING: AMBER,
    view.REVOKED_TEXT: GREY, view.REVOKED_WAITING: GREY,
}
SEAT_COLORS = {seats.OVER: RED, seats.NEAR: AMBER}
SUBSCRIPTION_COLORS = {
    "Past due": RED, "Unpaid": RED, "Cancelled": GREY, "Never paid": GREY, "Trialing": AMBER,
    view.NOT_SYNCED: GREY,
}


class LicenseTableModel(SqlTableModel):
    """Status, seats and subscription in their colours; the full license id and the days left in tooltips."""

    cell_roles = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole)

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            return brush(self._color(column_key, row))
        if role != Qt.ItemDataRole.ToolTipRole:
            return None
        if column_key == "license":
            return row[0]
        if column_key in ("expires_at", "status"):
            return fmt.expiry_words(self.value(row, "expires_at")).capitalize()
        if column_key in ("in_use", "use", "seats"):
            return fmt.seat_words(self.value(row, "in_use"), self.value(row, "seats")).capitalize()
        return None

    def _color(self, column_key: str, row: tuple[Any, ...]) -> QColor | None:
        if column_key == "status":
            return STATUS_COLORS.get(self.value(row, "status"))
        if column_key in ("in_use", "use"):
            return SEAT_COLORS.get(seats.seat_level(self.value(row, "in_use"), self.value(row, "seats")) or "")
        if column_key == "subscription":
            return SUBSCRIPTION_COLORS.get(self.value(row, "subscription"))
        return None


def _subscription_words(r: dict[str, Any]) -> str:
    if r["subscription_id"] is None:
        return "none: sold outside a subscription"
    words = f"{r['subscription_words']} ({r['subscription_id']})"
    if r["plan_changed"]:
        words += f"; it now pays for {r['subscription_plan'].capitalize()}: re-issue the license for that plan"
    return words


def _machines(r: dict[str, Any]) -> TableSection:
    machines = r["machines"]
    shown = f", the {len(machines)} seen last" if r["in_use"] > len(machines) else ""
    return TableSection(
        title=f"Machines ({r['in_use']:,}{shown})",
        headers=("Machine", "Version", "Via", "First seen", "Last seen"),
        rows=[
            (m["machine_name"] or m["fingerprint"], m["product_version"] or "", m["activated_via"],
             fmt.local_day(m["first_seen_at"]), fmt.local_day(m["last_seen_at"]) + (" · waiting to send"
                                                                                      if m["pending"] else ""))
            for m in machines
        ],
        empty="No machine holds a seat yet",
    )


def render_license(r: dict[str, Any]) -> DetailView:
    fields = [
        ("Status", r["status"]),
        ("Seats", fmt.seat_words(r["in_use"], r["seats"])),
        ("Subscription", _subscription_words(r)),
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
        ("File", "kept: Save .lic… or Copy sends it again" if r["license_text"]
         else "not in this registry (signed elsewhere without its text)"),
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
                  "Machine": "A node-locked license works only on the machine with this fingerprint",
                  "Seats": "Machines holding a seat, activated online or answered offline, against the cap",
                  "Subscription": "The Stripe subscription the license follows, and its state"},
        sections=(_machines(r),),
    )
