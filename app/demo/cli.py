"""``opsconsole demo-server``: run the demo backend in the foreground until Ctrl+C.

Prints the addresses and credentials to point the app (or ``curl``, or the
stripe package) at.  The backend's modules are imported inside the handler so
building the command-line parser stays cheap.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from app.demo.options import FAULT_KINDS, ROLES


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-server",
        help="serve the generated demo business (Ops API + Stripe subset) on a loopback port",
        description="Serve the deterministic demo business on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: pick a free one)")
    parser.add_argument("--customers", type=int, default=1_500, help="number of Stripe customers")
    parser.add_argument("--tickets", type=int, default=20_000, help="number of support tickets")
    parser.add_argument("--seed", type=int, default=1, help="generator seed: same seed, same business")
    parser.add_argument("--health-days", type=int, default=90, help="days of health-check history (1-400)")
    parser.add_argument("--now", type=dt.datetime.fromisoformat, metavar="ISO",
                        help="freeze the clock at this UTC time (default: follow the real time)")
    parser.add_argument("--role", default="executive",
                        choices=ROLES,
                        help="role that /api/v1/me reports")
    parser.add_argument("--token", help="Ops API bearer token (default: a random one)")
    parser.add_argument("--stripe-key", help="Stripe API key to accept (default: a random sk_test_ key)")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of API requests that meet a fault")
    parser.add_argument("--fault-kinds", default=",".join(FAULT_KINDS),
                        help=f"comma-separated subset of: {', '.join(FAULT_KINDS)}")
    parser.add_argument("--fault-seed", type=int, default=0, help="seed of the fault sequence")
    parser.add_argument("--slow-seconds", type=float, default=0.5, help="delay of a 'slow' fault")
    parser.set_defaults(handler=run)


def wait_for_interrupt() -> None:
    """Block until Ctrl+C (raised here as ``KeyboardInterrupt``)."""
    import threading

    threading.Event().wait()


def run(args: argparse.Namespace) -> int:
    from app.demo.backend import DemoBackend
    from app.demo.options import DemoOptions, FaultOptions

    faults = FaultOptions(rate=args.fault_rate, kinds=tuple(k for k in args.fault_kinds.split(",") if k),
                          seed=args.fault_seed, slow_seconds=args.slow_seconds)
    options = DemoOptions(port=args.port, seed=args.seed, customers=args.customers, tickets=args.tickets,
                          now=args.now, role=args.role, ops_api_token=args.token, stripe_api_key=args.stripe_key,
                          faults=faults, health_days=args.health_days, outage_tickets=True)
    backend = DemoBackend(options)
    seconds = backend.generate()
    with backend:
        print(f"demo business generated in {seconds:.2f} s "
              f"({options.customers:,} customers, {options.tickets:,} tickets, seed {options.seed})")
        print(f"Ops API:      {backend.ops_api_url}   (Authorization: Bearer {backend.ops_api_token})")
        print(f"Stripe API:   {backend.stripe_api_base}   (key {backend.stripe_api_key})")
        print("Press Ctrl+C to stop.", flush=True)
        try:
            wait_for_interrupt()
        except KeyboardInterrupt:
            print("stopping")
    return 0
