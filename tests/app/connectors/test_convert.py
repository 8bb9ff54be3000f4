"""Stripe's unix seconds become naive UTC datetimes: the same instants ``fromtimestamp`` gives, or a clear refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from app.connectors.convert import from_unix


@pytest.mark.parametrize("seconds", [0, 1, -1, 1.5, 951_782_400, 1_780_311_164, 1_780_311_164.25, 253_402_300_799])
def test_unix_seconds_are_the_instant_fromtimestamp_gives(seconds: float) -> None:
    assert from_unix(seconds) == dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def test_no_time_is_none() -> None:
    assert from_unix(None) is None


@pytest.mark.parametrize("seconds", [253_402_300_800, 10**12, -(10**12), float("inf")])
def test_a_time_past_the_calendar_is_refused_naming_it(seconds: float) -> None:
    with pytest.raises(ValueError, match=f"{seconds!r} seconds after 1970 is not a date the cache can hold"):
        from_unix(seconds)


def test_what_is_not_a_number_is_refused() -> None:
    with pytest.raises(TypeError):
        from_unix("1780311164")  # what a broken source could send
    with pytest.raises(ValueError, match="NaN"):
        from_unix(float("nan"))
