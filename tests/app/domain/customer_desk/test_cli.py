"""``opsconsole customer show|refund``: the desk's facts and its refund, headless, with the same roles and caps."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app import cli
from app.clock import utcnow
from app.store.schema import OutboxEntry
from tests.support import desk


@pytest.fixture
def desk_now(cache):
    """The desk's business dated now (the CLI reads the wall clock), in the data dir the CLI opens."""
    desk.fill(cache.engine, utcnow())
    return cache.engine


def _queued(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(OutboxEntry)).scalar_one()


def test_show_prints_the_diagnosis_as_json_and_as_text(desk_now, capsys):
    assert cli.main(["customer", "show", "cus_dune", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["name"] == "Dune Retail" and shown["stage"]["stage"] == "at risk"
    assert shown["payment_method"]["last_failure"] == "Your card has insufficient funds. (insufficient_funds)"
    assert shown["invoices"][0]["invoice"]["number"] == "DUNE-0003" and shown["permissions"]["role"] == "support"
    assert cli.main(["customer", "show", "cus_dune"]) == 0
    assert "Stage: at risk — a payment failed (past due)" in capsys.readouterr().out
    assert cli.main(["customer", "show", "cus_nobody"]) == 1
    assert "no customer cus_nobody" in capsys.readouterr().err


def test_refund_is_queued_within_the_cap_and_refused_above_it(desk_now, capsys):
    assert cli.main(["customer", "refund", "in_acme_1", "--amount", "500.01", "--reason", "Goodwill"]) == 1
    assert "support role can refund at most $500.00 at once" in capsys.readouterr().err
    assert _queued(desk_now) == 0  # refused before anything was queued
    assert cli.main(["customer", "refund", "in_acme_1", "--amount", "299", "--reason", "Goodwill", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"] == "Refund $299.00 to Acme Corp (invoice ACME-0001)" and out["state"] == "queued"
    assert "No Stripe key is set up" in out["checked"]
    assert _queued(desk_now) == 1


@pytest.mark.parametrize(("args", "code", "words"), [
    (["in_acme_1", "--amount", "-5"], 1, "must be more than $0.00"),
    (["in_acme_1", "--amount", "lots"], 2, "not an amount like 299.00"),
    (["in_nope", "--amount", "5"], 1, "no invoice in_nope in the cache"),
])
def test_bad_refunds_are_refused_in_words(desk_now, capsys, args, code, words):
    assert cli.main(["customer", "refund", *args, "--reason", "Goodwill"]) == code
    assert words in capsys.readouterr().err
    assert _queued(desk_now) == 0


def test_read_only_roles_are_refused(desk_now, capsys):
    desk.sign_in(desk_now, "executive")
    assert cli.main(["customer", "refund", "in_acme_1", "--amount", "5", "--reason", "Goodwill", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["refused"].startswith("Read-only: the executive role")
