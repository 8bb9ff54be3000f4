"""SLA clocks through sync: the console and the demo backend compute the same due instants, policies come
from the Ops API, and a policy the clocks cannot use is refused while the one in force stays."""

from __future__ import annotations

from sqlalchemy import select

from app.demo.backend import DemoBackend
from app.domain.sla import queue
from app.domain.sla.rules import rules_in_force
from app.store.schema import SyncQuarantine, Ticket
from app.sync.engine import SyncEngine
from tests.app.sync.support import NOW, config_for

T = Ticket.__table__


def test_the_console_computes_the_due_instants_the_demo_serves(cache):
    with DemoBackend(customers=200, tickets=6000, now=NOW) as backend:
        report = SyncEngine(cache.engine, config_for(backend)).run_once()
        assert report.ok, report.errors
    with cache.engine.connect() as conn:
        assert rules_in_force(conn).source == "ops_api"
        rows = conn.execute(select(T.c.id, T.c.status, T.c.sla_due_at, T.c.sla_rank, T.c.sla_policy)
                            .where(T.c.status.not_in(("solved", "closed")))).all()
    assert len(rows) > 20
    ours = {r.id: (None if r.sla_rank is None or r.sla_rank >= queue.PAUSED_BASE else r.sla_rank) for r in rows}
    theirs = {r.id: r.sla_due_at for r in rows}
    assert ours == theirs
    assert {r.sla_policy for r in rows} >= {"Premium customers", "General and billing"}  # plans reached the clocks


def test_a_policy_the_clocks_cannot_use_is_quarantined_and_the_old_one_stays(cache):
    with DemoBackend(customers=50, tickets=300, now=NOW) as backend:
        engine = SyncEngine(cache.engine, config_for(backend, stripe_api_key=""))
        engine.run_once()
        feed = backend.business.feed("sla-policies")
        broken = {**feed.get("slap_06"), "first_reply_minutes": 0, "updated_at": backend.clock.stamp()}
        feed.put(broken)
        engine.run_once()
    with cache.engine.connect() as conn:
        reason = conn.execute(select(SyncQuarantine.reason).where(SyncQuarantine.item_id == "slap_06")).scalar_one()
        general = next(p for p in rules_in_force(conn).rules.policies if p.name == "General and billing")
    assert reason.startswith("first_reply_minutes") and general.target("first_reply") == 2 * 3600
