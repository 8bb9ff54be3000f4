"""The month's figures, hand-worked for April 2026: each test names the rule it checks (docs/metrics.md § Revenue).

The April story: ten customers pay at its start (eight on Starter at $100,
Bolt on Pro at $300, Euro on €200 at 1.10 $/€).  In April Ash churns; Birch
churns and comes back; Cedar upgrades to Pro; Bolt downgrades to Starter;
Newt joins and leaves within the month; Mint joins on Pro; a trial never pays.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.revenue import revenue_figures
from app.metrics import MetricsRequest
from tests.app.domain.revenue.support import NOW, settings
from tests.support.revenue import Ledger, day

APRIL = dt.date(2026, 4, 1)


@pytest.fixture
def april(cache) -> Ledger:
    ledger = Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000).price("eur_pro", 20_000,
                                                                                          currency="eur")
    ledger.rate("EUR", dt.date(2026, 1, 1), 1.10)
    for name in ("ash", "birch", "cedar", "dale", "elm", "fir", "gum", "hazel"):
        ledger.start(f"sub_{name}", name, "starter", day(1, 5))
    ledger.start("sub_bolt", "bolt", "pro", day(2, 10))
    ledger.start("sub_euro", "euro", "eur_pro", day(3, 1))
    ledger.end("sub_ash", day(4, 10))
    ledger.end("sub_birch", day(4, 12)).start("sub_birch2", "birch", "starter", day(4, 25))
    ledger.change("sub_cedar", day(4, 8), price_id="pro")
    ledger.change("sub_bolt", day(4, 15), price_id="starter")
    ledger.start("sub_newt", "newt", "starter", day(4, 3)).end("sub_newt", day(4, 20))
    ledger.start("sub_mint", "mint", "pro", day(4, 18))
    ledger.start("sub_trial", "tria", "pro", day(4, 2), trial_days=14).end("sub_trial", day(4, 16))
    return ledger


def figures(engine, month=APRIL, now=NOW, **revenue):
    with engine.connect() as conn:
        return revenue_figures(conn, settings(**revenue), MetricsRequest(now, month))


def test_rule_mrr_movements_of_a_month_and_mrr_at_its_end(april):
    m = figures(april.engine).current
    assert m.mrr_start == pytest.approx(132_000)  # 8 × $100 + $300 + €200 × 1.10
    assert (m.new_mrr, m.expansion_mrr, m.contraction_mrr, m.churn_mrr, m.reactivation_mrr) == pytest.approx(
        (40_000, 20_000, 20_000, 30_000, 10_000))
    assert m.net_new_mrr == pytest.approx(20_000)
    assert m.mrr == pytest.approx(152_000) and m.arr == pytest.approx(12 * 152_000)
    assert m.fx_impact == pytest.approx(0)


def test_rule_customer_churn_rate_b2b_excludes_same_month_joiners_returners_and_trials(april):
    m = figures(april.engine).current
    # Only Ash: Birch came back within April, Newt joined and left in it, the trial never paid.
    assert (m.churned_customers, m.customers_start, m.customers) == (1, 10, 10)
    assert m.customer_churn_pct == pytest.approx(10.0)
    assert (m.new_customers, m.reactivated_customers) == (2, 1)


def test_rule_gross_and_net_mrr_churn(april):
    m = figures(april.engine).current
    assert m.gross_mrr_churn_pct == pytest.approx(100 * 50_000 / 132_000)
    assert m.net_mrr_churn_pct == pytest.approx(100 * (50_000 - 30_000) / 132_000)


def test_rule_nrr_and_grr_of_the_opening_cohort(april):
    m = figures(april.engine).current
    # The ten at April's start end it at 0 (Ash) + 100 (Birch) + 300 (Cedar) + 5 × 100 + 100 (Bolt) + 220 (Euro);
    # Mint and Newt joined during April: not in the cohort.  GRR caps Cedar at its 100.
    assert m.nrr_pct == pytest.approx(100 * 122_000 / 132_000)
    assert m.grr_pct == pytest.approx(100 * 102_000 / 132_000)


def test_rule_quick_ratio_and_arpa(april):
    m = figures(april.engine).current
    assert m.quick_ratio == pytest.approx((40_000 + 20_000 + 10_000) / (30_000 + 20_000))
    assert m.arpa == pytest.approx(152_000 / 10)


def test_rule_growth_month_on_month(april):
    f = figures(april.engine)
    march, m = f.months[-2], f.current
    assert march.mrr == pytest.approx(132_000)
    assert m.mom_growth_pct == pytest.approx(100 * 20_000 / 132_000)
    assert m.yoy_growth_pct is None  # no MRR a year before


def test_rule_currency_converts_at_the_days_rate_and_shows_the_fx_impact(cache):
    ledger = Ledger(cache.engine).price("eur_pro", 20_000, currency="eur")
    ledger.rate("EUR", dt.date(2026, 3, 2), 1.10).rate("EUR", dt.date(2026, 4, 15), 1.20)
    ledger.start("sub_e", "euro", "eur_pro", day(3, 2)).change("sub_e", day(4, 20), quantity=2)
    m = figures(cache.engine).current
    assert m.mrr_start == pytest.approx(22_000)  # €200 at the rate of 31 March (1.10, served 2 March)
    assert m.expansion_mrr == pytest.approx(24_000)  # €200 more, at 1.20 on 20 April
    assert m.mrr == pytest.approx(48_000)  # €400 at the end of April
    assert m.fx_impact == pytest.approx(48_000 - 22_000 - 24_000)  # rates moved, no movement made of it


def test_rule_currency_without_a_rate_is_not_converted_and_fallbacks_apply(cache):
    ledger = Ledger(cache.engine).price("usd", 10_000).price("chf", 9_500, currency="chf").price(
        "gbp", 7_900, currency="gbp")
    ledger.start("sub_u", "usa", "usd", day(3, 2)).start("sub_c", "swiss", "chf", day(3, 2))
    ledger.start("sub_g", "brit", "gbp", day(3, 2))
    m = figures(cache.engine).current  # GBP has no served rate: the fallback 1.27 applies; CHF has neither
    assert m.mrr == pytest.approx(10_000 + 7_900 * 1.27)
    assert [(u.currency, u.mrr, u.customers) for u in m.not_converted] == [("CHF", 9_500, 1)]
    assert m.customers == 3 and m.arpa == pytest.approx((10_000 + 7_900 * 1.27) / 2)
    m = figures(cache.engine, fallback_rates=("GBP=1.25", "CHF=1.1")).current
    assert m.mrr == pytest.approx(10_000 + 7_900 * 1.25 + 9_500 * 1.1) and m.not_converted == []


def test_rule_ltv_is_arpa_over_the_trailing_six_months_churn(cache):
    ledger = Ledger(cache.engine).price("starter", 10_000)
    for i in range(20):
        ledger.start(f"sub_{i}", f"c{i:02d}", "starter", dt.datetime(2025, 9, 1, 12))
    ledger.end("sub_0", dt.datetime(2025, 11, 10, 12)).end("sub_1", dt.datetime(2026, 1, 10, 12))
    m = figures(cache.engine).current
    mean_churn = (0 + 100 / 20 + 0 + 100 / 19 + 0 + 0) / 6  # October … March
    assert m.arpa == pytest.approx(10_000)
    assert m.ltv == pytest.approx(10_000 / (mean_churn / 100))


def test_rule_ltv_with_zero_churn_is_none(cache):
    ledger = Ledger(cache.engine).price("starter", 10_000)
    for i in range(5):
        ledger.start(f"sub_{i}", f"c{i}", "starter", dt.datetime(2025, 9, 1, 12))
    m = figures(cache.engine).current
    assert m.customer_churn_pct == 0 and m.arpa == pytest.approx(10_000)
    assert m.ltv is None  # shown as "—": no churn, no lifetime to estimate


def test_rule_trial_conversion_within_n_days(cache):
    ledger = Ledger(cache.engine).price("pro", 30_000)
    ledger.start("sub_a", "quick", "pro", day(4, 2), trial_days=14).convert("sub_a", day(4, 16))
    ledger.start("sub_b", "slow", "pro", day(4, 5), trial_days=14).convert("sub_b", day(5, 20))  # day 45
    ledger.start("sub_c", "never", "pro", day(4, 9), trial_days=14).end("sub_c", day(4, 23))
    ledger.start("sub_d", "open", "pro", day(4, 28), trial_days=14)  # still trialing
    m = figures(cache.engine, now=day(5, 3)).current
    # As of 3 May: 4 trials started in April; quick paid within 30 days; open is still inside its window.
    assert (m.trials_started, m.trials_converted, m.trials_open) == (4, 1, 2)
    assert m.trial_conversion_pct == pytest.approx(100 * 1 / 2)
    later = figures(cache.engine, now=NOW).current  # every window closed; slow paid after 30 days
    assert (later.trials_started, later.trials_converted, later.trials_open) == (4, 1, 0)
    assert later.trial_conversion_pct == pytest.approx(25.0)
    wider = figures(cache.engine, now=NOW, trial_conversion_days=60).current
    assert wider.trials_converted == 2 and wider.trial_conversion_pct == pytest.approx(50.0)
