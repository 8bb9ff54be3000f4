"""What the business sells: products, prices (monthly and annual, in four currencies), a legacy plan, coupons.

Fixed data rather than generated: these are the handbook's plans, and every
other generator (subscriptions, invoices, licenses) refers to them by id.
Annual prices are ten times the monthly one (two months free).  European and
British customers pay local list prices (rounded, not converted), Swiss ones
francs; the US dollar prices keep the ids they always had.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    tier: str
    seats: int


@dataclass(frozen=True)
class Price:
    id: str
    product_id: str
    nickname: str
    unit_amount: int  # minor units of ``currency``
    interval: str  # month | year
    legacy_plan: bool = False  # created through the old Plans API
    currency: str = "usd"


@dataclass(frozen=True)
class Coupon:
    id: str
    name: str
    percent_off: float | None
    amount_off: int | None  # cents
    duration: str
    currency: str | None = None  # an amount off is in one currency

    def discount(self, amount: int) -> int:
        """The minor units this coupon takes off an invoice of ``amount``."""
        if self.percent_off is not None:
            return round(amount * self.percent_off / 100)
        return min(amount, self.amount_off or 0)


PRODUCTS = (
    Product("prod_starter", "Starter", "starter", 5),
    Product("prod_professional", "Professional", "professional", 50),
    Product("prod_enterprise", "Enterprise", "enterprise", 1_000),
    Product("prod_team_legacy", "Team (legacy)", "team", 20),
)

# Monthly list prices per currency, in minor units: Starter, Professional, Enterprise.
LIST_PRICES = {
    "usd": (9_900, 29_900, 99_900),
    "eur": (8_900, 27_900, 92_900),
    "gbp": (7_900, 24_900, 79_900),
    "chf": (9_500, 28_900, 94_900),
}
CURRENCIES = tuple(LIST_PRICES)


def _recurring(product: Product, monthly: int, currency: str) -> tuple[Price, Price]:
    suffix = "" if currency == "usd" else f"_{currency}"
    label = "" if currency == "usd" else f" ({currency.upper()})"
    return (
        Price(f"price_{product.tier}_monthly{suffix}", product.id, f"{product.name} monthly{label}", monthly,
              "month", currency=currency),
        Price(f"price_{product.tier}_annual{suffix}", product.id, f"{product.name} annual{label}", monthly * 10,
              "year", currency=currency),
    )


PRICES = (
    *(price for currency, amounts in LIST_PRICES.items()
      for product, monthly in zip(PRODUCTS[:3], amounts, strict=True)
      for price in _recurring(product, monthly, currency)),
    Price("plan_team_legacy", "prod_team_legacy", "Team (legacy) monthly", 19_900, "month", legacy_plan=True),
)

COUPONS = (
    Coupon("LAUNCH20", "Launch offer", 20.0, None, "forever"),
    Coupon("ANNUAL10", "Annual commitment", 10.0, None, "forever"),
    Coupon("PARTNER50", "Partner referral", None, 5_000, "forever", currency="usd"),
    Coupon("NONPROFIT30", "Non-profit", 30.0, None, "forever"),
    Coupon("FOUNDER100", "Founding customer", 100.0, None, "forever"),  # pays nothing: not a paying customer
)

PRODUCT_BY_ID = {p.id: p for p in PRODUCTS}
PRICE_BY_ID = {p.id: p for p in PRICES}
COUPON_BY_ID = {c.id: c for c in COUPONS}


def ladder(interval: str, currency: str) -> tuple[str, ...]:
    """The plan ladder for upgrades and downgrades: price ids, cheapest first, of one interval and currency."""
    return tuple(p.id for p in PRICES if p.interval == interval and p.currency == currency and not p.legacy_plan)


def coupons_for(currency: str) -> tuple[Coupon, ...]:
    """Coupons a subscription in ``currency`` may carry (an amount off only in its own currency)."""
    return tuple(c for c in COUPONS if c.currency in (None, currency))
