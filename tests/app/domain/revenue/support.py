"""What the revenue rule tests share: a ledger in a fresh cache, and the movements it makes, in words."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.config.settings import RevenueSettings, Settings
from app.domain.revenue import movements
from app.domain.revenue.movements import KINDS, from_ts
from app.domain.revenue.policy import Policy

NOW = dt.datetime(2026, 7, 15, 12, 0)


def settings(**revenue: object) -> Settings:
    """Default settings with some ``[revenue]`` policies changed."""
    return dataclasses.replace(Settings(), revenue=dataclasses.replace(RevenueSettings(), **revenue))


Move = tuple[dt.datetime, str, float, float]


def moves(engine, customer: str, now: dt.datetime = NOW, **revenue: object) -> list[Move]:
    """A customer's movements as (when, kind, MRR before, MRR after)."""
    policy = Policy.from_settings(settings(**revenue))
    with engine.connect() as conn:
        accounts = movements.accounts(conn, policy, now, [customer])
    return [(from_ts(at), KINDS[kind], round(before, 2), round(after, 2))
            for a in accounts for at, kind, before, after in movements.each_move(a[movements.MOVES])]
