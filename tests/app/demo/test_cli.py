"""``opsconsole demo-server``: the flags reach the backend, and Ctrl+C stops it cleanly."""

from __future__ import annotations

import pytest

from app.cli import build_parser
from app.demo import cli


def test_the_sub_command_is_registered_with_its_flags():
    args = build_parser(("app.demo.cli",)).parse_args(
        ["demo-server", "--port", "0", "--customers", "40", "--tickets", "50", "--seed", "3",
         "--fault-rate", "0.2", "--fault-kinds", "rate_limit,slow", "--role", "support"])
    assert args.handler is cli.run
    assert (args.customers, args.tickets, args.seed, args.fault_rate, args.role) == (40, 50, 3, 0.2, "support")


def test_run_prints_the_addresses_and_stops_on_ctrl_c(monkeypatch, capsys):
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "wait_for_interrupt", interrupted)
    args = build_parser(("app.demo.cli",)).parse_args(
        ["demo-server", "--port", "0", "--customers", "20", "--tickets", "30", "--token", "tok",
         "--stripe-key", "sk_test_cli", "--now", "2026-03-02T12:00:00"])
    assert cli.run(args) == 0
    out = capsys.readouterr().out
    assert "Bearer tok" in out and "sk_test_cli" in out and "http://127.0.0.1:" in out


def test_bad_fault_kinds_are_refused():
    args = build_parser(("app.demo.cli",)).parse_args(["demo-server", "--fault-kinds", "meteor"])
    with pytest.raises(ValueError, match="meteor"):
        cli.run(args)
