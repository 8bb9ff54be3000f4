"""What the business sells: products, prices (monthly and annual), one legacy plan, coupons.

Fixed data rather than generated: these are the handbook's plans, and every
other generator (subscriptions, invoices, licenses) refers to them by id.
Annual prices are ten times the monthly one (two months free).
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
    unit_amount: int  # cents
    interval: str  # month | year
    legacy_plan: bool = False  # created through the old Plans API


@dataclass(frozen=True)
class Coupon:
    id: str
    name: str
    percent_off: float | None
    amount_off: int | None  # cents
    duration: str

    def discount(self, amount: int) -> int:
        """The cents this coupon takes off an invoice of ``amount`` cents."""
        if self.percent_off is not None:
            return round(amount * self.percent_off / 100)
        return min(amount, self.amount_off or 0)


PRODUCTS = (
    Product("prod_starter", "Starter", "starter", 5),
    Product("prod_professional", "Professional", "professional", 50),
    Product("prod_enterprise", "Enterprise", "enterprise", 1_000),
    Product("prod_team_legacy", "Team (legacy)", "team", 20),
)


def _recurring(product: Product, monthly_cents: int) -> tuple[Price, Price]:
    return (
        Price(f"price_{product.tier}_monthly", product.id, f"{product.name} monthly", monthly_cents, "month"),
        Price(f"price_{product.tier}_annual", product.id, f"{product.name} annual", monthly_cents * 10, "year"),
    )


PRICES = (
    *_recurring(PRODUCTS[0], 9_900),
    *_recurring(PRODUCTS[1], 29_900),
    *_recurring(PRODUCTS[2], 99_900),
    Price("plan_team_legacy", "prod_team_legacy", "Team (legacy) monthly", 19_900, "month", legacy_plan=True),
)

COUPONS = (
    Coupon("LAUNCH20", "Launch offer", 20.0, None, "forever"),
    Coupon("ANNUAL10", "Annual commitment", 10.0, None, "forever"),
    Coupon("PARTNER50", "Partner referral", None, 5_000, "forever"),
    Coupon("NONPROFIT30", "Non-profit", 30.0, None, "forever"),
)

PRODUCT_BY_ID = {p.id: p for p in PRODUCTS}
PRICE_BY_ID = {p.id: p for p in PRICES}
COUPON_BY_ID = {c.id: c for c in COUPONS}

# Plan ladders for upgrades and downgrades, per billing interval.
LADDER = {
    "month": ("price_starter_monthly", "price_professional_monthly", "price_enterprise_monthly"),
    "year": ("price_starter_annual", "price_professional_annual", "price_enterprise_annual"),
}
