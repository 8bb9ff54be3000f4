"""The pre-breach alert (rule: "Support and SLA: Pre-breach alert"): mine or all, once per clock."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.alerts import rules, run_alerts
from app.config.settings import Settings
from app.domain.sla.alerts import pre_breach
from app.store.app_state import ME_KEY, put_app_value
from tests.support.dataset import NOW

ALL = dataclasses.replace(Settings(), sla=dataclasses.replace(Settings().sla, alert_scope="all"))


def _sign_in(engine, name: str) -> None:
    with engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"user": {"name": name}, "role": "support"})


def test_only_my_tickets_by_default_and_every_ticket_for_a_lead(business):
    # 103 (Priya Nair's) has 5 of its 30 minutes left: its pre-breach window opened 2.5 minutes ago.
    with business.connect() as conn:
        assert list(pre_breach(conn, NOW, Settings())) == []  # nobody signed in: nothing is "mine"
    _sign_in(business, "Maya Chen")
    with business.connect() as conn:
        assert list(pre_breach(conn, NOW, Settings())) == []  # not Maya's
        (notice,) = pre_breach(conn, NOW, ALL)
    assert (notice.kind, notice.pane, notice.record) == ("sla.pre_breach", "tickets", "103")
    assert notice.title == "Ticket #103 is about to breach its first reply target"
    assert notice.occurred_at == NOW - dt.timedelta(minutes=2, seconds=30)
    _sign_in(business, "Priya Nair")
    with business.connect() as conn:
        assert [n.record for n in pre_breach(conn, NOW, Settings())] == ["103"]


def test_announced_once_per_ticket_and_metric(business):
    _sign_in(business, "Priya Nair")
    with business.begin() as conn:  # the cache has synced once: alerts are armed after the first quiet pass
        conn.exec_driver_sql("insert into sync_state (resource, full_pass_done, rows_synced, last_success_at) "
                             "values ('ops:tickets', 1, 5, '2026-11-18 14:00:00')")
    run_alerts(business, Settings(), now=NOW - dt.timedelta(minutes=10))  # quiet first pass, nothing open yet
    first = run_alerts(business, Settings(), now=NOW)
    again = run_alerts(business, Settings(), now=NOW + dt.timedelta(minutes=1))
    mine = [[n.record for n in run.announced if n.kind == "sla.pre_breach"] for run in (first, again)]
    assert mine == [["103"], []]  # the dataset's services raise their own health notices beside it
    assert pre_breach in rules()
