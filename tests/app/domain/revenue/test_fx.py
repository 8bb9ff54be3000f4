"""Currencies: the rule "Currency" of docs/metrics.md § Revenue, rate by rate."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.revenue.fx import Rates, load_rates, money, parse_fallback
from tests.support.revenue import Ledger

MON, FRI, SAT = dt.date(2026, 3, 2), dt.date(2026, 3, 6), dt.date(2026, 3, 7)


@pytest.fixture
def rates(cache) -> Rates:
    Ledger(cache.engine).rate("EUR", MON, 1.10).rate("EUR", FRI, 1.12).rate("GBP", FRI, 1.30)
    with cache.engine.connect() as conn:
        return load_rates(conn, "USD", {"CHF": 1.05})


def test_rule_currency_uses_the_latest_rate_on_or_before_the_day(rates):
    assert rates.rate("eur", MON) == 1.10
    assert rates.rate("EUR", FRI - dt.timedelta(days=1)) == 1.10
    assert rates.rate("EUR", SAT) == 1.12  # no rate on weekends: Friday's
    assert rates.convert(10_000, "eur", SAT) == pytest.approx(11_200)
    assert rates.rate("USD", MON) == 1.0


def test_rule_currency_falls_back_to_settings_then_is_not_converted(rates):
    assert rates.rate("GBP", MON) is None  # before its first served rate, and no fallback
    assert rates.rate("CHF", MON) == 1.05 and rates.source("CHF", MON) == "fallback setting"
    assert rates.convert(5_000, "JPY", SAT) is None
    assert rates.source("EUR", SAT) == "Ops API" and rates.source("USD", SAT) == "same currency"


def test_rule_currency_converts_through_a_common_base(rates):
    euro = Rates("EUR", rates.series, {})
    assert euro.rate("GBP", SAT) == pytest.approx(1.30 / 1.12)
    assert euro.rate("USD", SAT) == pytest.approx(1 / 1.12)


def test_rule_currency_minor_units_follow_iso_4217():
    yen = Rates("JPY", {("USD", "JPY"): ([MON.toordinal()], [150.0])}, {})
    assert yen.convert(100, "usd", MON) == pytest.approx(150)  # $1.00 is ¥150, which has no minor unit
    assert money(150, "jpy") == "¥150" and money(-12_345, "usd") == "−$123.45" and money(9_500, "chf") == "CHF 95.00"


def test_fallback_rates_parse():
    assert parse_fallback(("eur=1.08", "GBP=1.27")) == {"EUR": 1.08, "GBP": 1.27}
