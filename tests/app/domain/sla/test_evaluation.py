"""Stored clocks: evaluated like sync does, re-evaluated when the rules change (rule: "Re-evaluation")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from sqlalchemy import event, literal, select

from app.config.settings import Settings
from app.domain.sla import evaluation, queue, rules, sync_hooks
from app.store.schema import SlaPolicy, Ticket
from app.tasks import Progress
from tests.support.dataset import NOW

T = Ticket.__table__


def _ranks(engine) -> dict[int, tuple]:
    with engine.connect() as conn:
        return {r.id: (r.sla_policy, r.sla_metric, r.sla_rank, r.sla_rules)
                for r in conn.execute(select(T.c.id, T.c.sla_policy, T.c.sla_metric, T.c.sla_rank, T.c.sla_rules))}


def test_the_dataset_clocks_as_sync_stores_them(business):
    ranks = _ranks(business)
    assert ranks[101][:3] == ("Critical", "resolution", NOW - dt.timedelta(hours=2))
    assert ranks[103][:3] == ("Critical", "first_reply", NOW + dt.timedelta(minutes=5))
    # Created Tuesday 03:30 EST, pending since Wednesday 08:30 EST: Tuesday's 8 business hours counted, 40 left.
    assert ranks[102][2] == queue.PAUSED_BASE + dt.timedelta(hours=40)
    assert ranks[105][1:3] == (None, queue.NO_CLOCK_RANK)  # solved: no clock, last in the queue


def _slower_general_policy(settings: Settings) -> Settings:
    policies = [dataclasses.replace(p, first_reply_minutes=p.first_reply_minutes * 2, resolution_minutes=60 * 96)
                for p in settings.sla.policies]
    return dataclasses.replace(settings, sla=dataclasses.replace(settings.sla, policies=tuple(policies)))


def test_a_policy_change_re_evaluates_every_open_ticket_once(business):
    before = _ranks(business)
    seen: list[Progress] = []
    changes = evaluation.adopt_settings(business, _slower_general_policy(Settings()).sla, seen.append)
    after = _ranks(business)
    assert after[101][2] == before[101][2] + dt.timedelta(hours=48)  # 24/7: 96 h instead of 48 h
    assert after[103][2] == before[103][2] + dt.timedelta(minutes=30)  # 60 min instead of 30
    assert after[102][2] == before[102][2] + dt.timedelta(hours=48)  # paused: more left
    assert after[105] == before[105]  # solved: history keeps the rules it was judged by
    assert {after[t][3] for t in (101, 102, 103, 104)} == {after[101][3]} != before[101][3]
    assert seen[0] == Progress("Re-evaluating SLA clocks", 0, 4) and seen[-1].done == 4
    assert changes.touches(["tickets", "ticket_slas", "app_state"])
    # The same settings again: nothing to do.
    assert not evaluation.adopt_settings(business, _slower_general_policy(Settings()).sla)


def _stored(engine) -> tuple[dict, dict]:
    """Every clock row by (ticket, metric, seq) with its rowid apart, and every ticket's SLA columns."""
    with engine.connect() as conn:
        clocks = {(r[1], r[2], r[3]): (r[0], tuple(r[1:])) for r in conn.exec_driver_sql(
            "SELECT rowid, ticket_id, metric, seq, policy, target_s, started_at, due_at, warn_at, fulfilled_at, "
            "elapsed_s, paused FROM ticket_slas")}
        tickets = {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql(
            "SELECT id, sla_policy, sla_metric, sla_rank, sla_warn_at, sla_agent_replies, sla_rules FROM tickets")}
    return clocks, tickets


def test_a_re_evaluation_writes_only_the_clocks_that_changed_and_ends_as_a_full_one(business):
    """Rule "Re-evaluation": a slower first reply moves first-reply clocks only; the rest are not written again."""
    settings = Settings()
    slower_first_reply = dataclasses.replace(settings.sla, policies=tuple(
        dataclasses.replace(p, first_reply_minutes=p.first_reply_minutes * 3) for p in settings.sla.policies))
    before, _ = _stored(business)
    updates: dict[str, int] = {}

    def count_updates(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE tickets SET sla_"):
            updates[statement.split()[3]] = updates.get(statement.split()[3], 0) + len(parameters)

    event.listen(business, "before_cursor_execute", count_updates)
    try:
        evaluation.adopt_settings(business, slower_first_reply)
    finally:
        event.remove(business, "before_cursor_execute", count_updates)
    after, tickets = _stored(business)
    # 103 waits for its first reply: its rank moves.  101 counts down its resolution: only the fingerprint.
    assert updates["sla_policy"] >= 1 and updates["sla_rules"] >= 1
    moved = {key for key in after if key[1] == "first_reply" and after[key][1] != before.get(key, (0, None))[1]}
    kept = {key for key in after if key[1] != "first_reply"}
    assert moved and kept and {after[key][1] for key in kept} == {before[key][1] for key in kept}
    assert all(after[key][0] == before[key][0] for key in kept)  # the same rows, not deleted and inserted again
    assert all(after[key][0] != before[key][0] for key in moved)
    # Every clock and queue field written afresh gives the same cache.
    with business.begin() as conn:
        conn.exec_driver_sql("DELETE FROM ticket_slas")
        conn.exec_driver_sql("UPDATE tickets SET sla_policy = NULL, sla_metric = NULL, sla_rank = NULL, "
                             "sla_warn_at = NULL, sla_agent_replies = NULL, sla_rules = NULL WHERE sla_rules "
                             "IS NOT NULL")
    evaluation.reevaluate_open(business)
    with business.begin() as conn:  # solved tickets keep what they were judged by; only open ones count here
        open_ids = {r[0] for r in conn.exec_driver_sql("SELECT id FROM tickets WHERE status NOT IN ('solved', "
                                                        "'closed')")}
    afresh, afresh_tickets = _stored(business)
    assert {k: v[1] for k, v in afresh.items() if k[0] in open_ids} == {
        k: v[1] for k, v in after.items() if k[0] in open_ids}
    assert {t: afresh_tickets[t] for t in open_ids} == {t: tickets[t] for t in open_ids}


def test_the_ops_api_policies_override_the_settings(business):
    with business.begin() as conn:
        conn.execute(SlaPolicy.__table__.insert().values(
            id="p1", position=1, name="Everything in a day", priorities_json=[], categories_json=[], plans_json=[],
            tiers_json=[], first_reply_minutes=60, next_reply_minutes=60, resolution_minutes=1440,
            calendar_json={"name": "24/7", "timezone": "UTC", "always_open": True},
        ))
        in_force = rules.rules_in_force(conn)
    assert (in_force.source, [p.name for p in in_force.rules.policies]) == ("ops_api", ["Everything in a day"])
    evaluation.reevaluate_open(business)
    assert _ranks(business)[101][:3] == ("Everything in a day", "resolution", NOW - dt.timedelta(hours=26))


@pytest.mark.parametrize(
    ("status", "rank_offset", "warn_offset"),
    list(itertools.product(("open", "solved"), (None, -1, 1, "paused", "none"), (None, -1, 1))),
)
def test_the_state_rule_in_python_and_in_sql_agree(business, status, rank_offset, warn_offset):
    """Rule "Queue states": one rule, two spellings (the cell's live colour and the filters)."""
    hour = dt.timedelta(hours=1)
    special = {None: None, "paused": queue.PAUSED_BASE + hour, "none": queue.NO_CLOCK_RANK}
    rank = special[rank_offset] if rank_offset in special else NOW + rank_offset * hour
    warn = None if warn_offset is None else NOW + warn_offset * hour
    with business.connect() as conn:
        in_sql = conn.execute(select(queue.state_sql(literal(status), literal(rank), literal(warn), literal(NOW))))
        assert in_sql.scalar_one() == queue.state(status, rank, warn, NOW)


def test_a_changed_subscription_re_evaluates_the_open_tickets_of_its_customer_only(business):
    """A plan decides the premium policy: sync hands the subscriptions it changed to ``plans_changed``."""
    with business.begin() as conn:
        conn.execute(T.update().values(sla_rules=None))
    with business.begin() as conn:
        acme = sync_hooks.plans_changed(conn, frozenset({"sub_acme"}))
    assert acme.tables["tickets"] == {103}
    assert {t for t, rank in _ranks(business).items() if rank[3] is not None} == {103}
    with business.begin() as conn:  # cus_bolt's open tickets; 105 is solved, cus_echo has no ticket
        assert sync_hooks.plans_changed(conn, frozenset({"sub_bolt", "sub_echo"})).tables["tickets"] == {101, 102, 104}
        assert not sync_hooks.plans_changed(conn, frozenset({"sub_dune"}))
        assert sync_hooks.plans_changed(conn, None).tables["tickets"] == {101, 102, 103, 104}
