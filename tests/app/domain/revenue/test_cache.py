"""Movements kept between requests: only customers whose subscriptions changed are replayed again."""

from __future__ import annotations

import gc

from sqlalchemy import delete

from app.domain.revenue import movements
from app.domain.revenue.cache import MovementCache
from app.domain.revenue.policy import Policy
from app.store.schema import Subscription
from tests.app.domain.revenue.support import NOW, settings
from tests.support.revenue import Ledger, day


def _sorted(accounts):
    return sorted(accounts)  # whole accounts: movements, trials, cohort and until when each holds


def test_only_changed_customers_are_replayed_and_the_result_is_the_same(cache):
    ledger = Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000)
    for i in range(10):
        ledger.start(f"sub_{i}", f"c{i}", "starter", day(1, 10))
    memo, policy = MovementCache(), Policy.from_settings(settings())
    with cache.engine.connect() as conn:
        memo.accounts(conn, policy, NOW)
    assert memo.replayed == 10
    ledger.change("sub_3", day(2, 1), price_id="pro")
    with cache.engine.connect() as conn:
        kept = memo.accounts(conn, policy, NOW)
        fresh = movements.accounts(conn, policy, NOW)
    assert memo.replayed == 10 + 1 and _sorted(kept) == _sorted(fresh)
    with cache.engine.connect() as conn:
        memo.accounts(conn, policy, NOW)
    assert memo.replayed == 11  # nothing changed: nobody replayed


def test_deletions_and_new_policies_replay_everyone(cache):
    ledger = Ledger(cache.engine).price("starter", 10_000)
    for i in range(4):
        ledger.start(f"sub_{i}", f"c{i}", "starter", day(1, 10))
    memo, policy = MovementCache(), Policy.from_settings(settings())
    with cache.engine.connect() as conn:
        memo.accounts(conn, policy, NOW)
    with cache.engine.begin() as conn:
        conn.execute(delete(Subscription).where(Subscription.id == "sub_0"))  # its history goes with it
    with cache.engine.connect() as conn:
        remaining = memo.accounts(conn, policy, NOW)
        paying = {a[movements.CUSTOMER] for a in remaining if a[movements.MOVES]}
        assert memo.replayed == 4 + 3 and paying == {"c1", "c2", "c3"}
        memo.accounts(conn, Policy.from_settings(settings(churn_recognition="when_scheduled")), NOW)
    assert memo.replayed == 7 + 3


def test_time_alone_replays_what_it_changes(cache):
    ledger = Ledger(cache.engine).price("starter", 10_000)
    ledger.start("sub_x", "x", "starter", day(3, 1)).end("sub_x", day(3, 10), paid_until=day(4, 1))
    ledger.start("sub_y", "y", "starter", day(3, 1))
    memo, policy = MovementCache(), Policy.from_settings(settings())
    with cache.engine.connect() as conn:
        before = memo.accounts(conn, policy, day(3, 20))
        after = memo.accounts(conn, policy, day(4, 2))
    assert [_last_kind(a) for a in before if a[movements.CUSTOMER] == "x"] == [movements.NEW]
    assert memo.replayed == 2 + 1  # x's paid period ran out: churn recognised now
    assert [_last_kind(a) for a in after if a[movements.CUSTOMER] == "x"] == [movements.CHURN]


def _last_kind(account):
    return list(movements.each_move(account[movements.MOVES]))[-1][1]


def test_kept_movements_leave_nothing_for_the_collector_to_walk(cache):
    """An account is one tuple, untracked once collected: later collections skip every kept movement.

    The window runs every collection on its GUI thread; at 100,000 customers
    walking tracked movements took 150 ms each time.
    """
    ledger = Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000).price("euro", 9_000, currency="eur")
    ledger.start("sub_a", "a", "starter", day(1, 10)).change("sub_a", day(2, 1), price_id="pro")
    ledger.start("sub_b", "b", "starter", day(1, 10), trial_days=14).convert("sub_b", day(1, 24))
    ledger.start("sub_c1", "c", "starter", day(1, 10)).start("sub_c2", "c", "euro", day(2, 10))
    ledger.start("sub_d", "d", "pro", day(1, 10)).end("sub_d", day(3, 1))
    memo = MovementCache()
    with cache.engine.connect() as conn:
        kept = memo.accounts(conn, Policy.from_settings(settings()), NOW)
    assert len(kept) == 5 and all(gc.is_tracked(a) for a in kept)
    assert [list(movements.each_trial(a[movements.TRIALS])) for a in kept if a[movements.CUSTOMER] == "b"] == [
        [(movements.to_ts(day(1, 10)), movements.to_ts(day(1, 24)), movements.NEVER)]]
    gc.collect()
    assert [a for a in kept if gc.is_tracked(a)] == []
