"""``opsconsole customer …``: one customer's diagnosis, and a refund, from a shell.

``customer show ID`` prints the facts the desk shows (``--json`` for scripts).
``customer refund INVOICE --amount N --reason TEXT`` checks the refund with
the same rules as the window — the signed-in role, what was paid and
already refunded, the support cap — asks Stripe first when it can be
reached, and queues it; the next ``opsconsole sync`` sends it.  Exit codes:
0 done, 1 refused or not found (the reason on stderr), 2 bad usage.
Only the standard library is imported at the top: start-up stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from typing import Any

DESCRIPTION = """\
One customer's diagnosis, and a refund, from a shell.

  opsconsole customer show ID        what the customer desk shows (--json for scripts)
  opsconsole customer refund INVOICE --amount N --reason TEXT
                                     checks the refund with the same rules as the window (your role, what
                                     was paid and already refunded, the support cap), asks Stripe first
                                     when it can be reached, and queues it: the next sync sends it

Exit status: 0 done, 1 refused or not found (the reason is printed), 2 bad usage.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "customer", help="one customer's diagnosis, or a refund, from the local cache",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="customer_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print what the customer desk shows about a customer")
    show.add_argument("customer_id", metavar="ID", help="the Stripe customer id (cus_…)")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=_show)
    refund = sub.add_parser("refund", help="refund all or part of a paid invoice (queued; sent by the next sync)")
    refund.add_argument("invoice_id", metavar="INVOICE", help="the Stripe invoice id (in_…)")
    refund.add_argument("--amount", required=True, help="how much, e.g. 299.00 (in the invoice's currency)")
    refund.add_argument("--reason", required=True, help="why; recorded with the refund")
    refund.add_argument("--json", action="store_true", help="print one JSON object")
    refund.set_defaults(handler=_refund)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _show(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.domain.customer_desk.diagnosis import diagnose
    from app.domain.customer_desk.summary import escalation_summary
    from app.store.for_commands import opened

    with opened(args.data_dir) as o, o.cache.engine.connect() as conn:
        diagnosis = diagnose(conn, args.customer_id, utcnow(), o.settings)
    if diagnosis is None:
        print(f"no customer {args.customer_id} in the cache (deleted in Stripe, or not synced yet)", file=sys.stderr)
        return 1
    if args.json:
        data = dataclasses.asdict(diagnosis)
        data["name"], data["mrr_cents"] = diagnosis.name, diagnosis.mrr_cents
        print(json.dumps(data, default=_json_default, indent=2, ensure_ascii=False))
    else:
        print(escalation_summary(diagnosis))
    return 0


def _refund(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.connectors.config import SyncConfig
    from app.domain.customer_desk import actions as a
    from app.domain.customer_desk.money import parse_money
    from app.domain.customer_desk.online import prepare
    from app.domain.customer_desk.queue import submit
    from app.store.for_commands import opened
    from app.store.schema import Invoice

    try:
        amount = parse_money(args.amount)
    except ValueError as exc:
        print(f"--amount: {exc}", file=sys.stderr)
        return 2
    with opened(args.data_dir) as o:
        with o.cache.engine.connect() as conn:
            customer_id = conn.execute(select(Invoice.customer_id).where(Invoice.id == args.invoice_id)).scalar()
        if customer_id is None:
            return _refused(args, f"no invoice {args.invoice_id} in the cache (not synced yet, or its customer was "
                                  "deleted in Stripe)")
        request = a.DeskRequest(a.REFUND, customer_id, args.invoice_id, args.reason, amount_cents=amount)
        try:
            confirmation = prepare(o.cache.engine, SyncConfig.from_env(), request, o.settings)
            queued = submit(o.cache.engine, request, o.settings)
        except a.Refusal as refusal:
            return _refused(args, str(refusal))
    if args.json:
        print(json.dumps({"action_id": queued.action_id, "summary": queued.summary, "state": "queued",
                          "checked": confirmation.checked}))
    else:
        print(f"Queued: {queued.summary}.\n{confirmation.checked} (`opsconsole sync` sends it now.)")
    return 0


def _refused(args: argparse.Namespace, reason: str) -> int:
    if args.json:
        print(json.dumps({"refused": reason}))
    print(f"refused: {reason}", file=sys.stderr)
    return 1
