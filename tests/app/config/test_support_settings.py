"""Structured settings: lists of tables checked field by field; SLA policies refused whole, naming the field."""

from __future__ import annotations

import tomllib

import tomli_w

from app.config import settings as cfg


def _with(change) -> cfg.LoadedSettings:
    data = tomllib.loads(tomli_w.dumps(cfg.to_dict(cfg.Settings())))
    change(data)
    return cfg.from_dict(data)


def test_defaults_are_the_handbook_policy_and_round_trip(tmp_path):
    s = cfg.Settings()
    assert [p.name for p in s.sla.policies][-1] == "General and billing"
    assert s.sla.rules().fingerprint
    path = tmp_path / "settings.toml"
    cfg.save(path, s)
    assert "[[sla.policies]]" in path.read_text()
    assert cfg.load(path) == cfg.LoadedSettings(s)


def test_a_zero_target_names_the_field_and_the_previous_policy_stays():
    loaded = _with(lambda d: d["sla"]["policies"][2].update(first_reply_minutes=0))
    assert loaded.problems[0].startswith("[sla] policies[2].first_reply_minutes = 0.0: must be between 1")
    assert loaded.settings.sla.policies == cfg.Settings().sla.policies


def test_unknown_zone_country_backwards_frame_and_unknown_field_are_refused():
    def bad_zone(d):
        d["sla"]["calendars"][0]["timezone"] = "Mars/Olympus"

    def bad_country(d):
        d["sla"]["calendars"][0]["holiday_country"] = "XX"

    def backwards(d):
        d["sla"]["calendars"][0]["monday"] = ["17:00-09:00"]

    def misspelt(d):
        d["sla"]["policies"][0]["first_reply_minute"] = 5

    for change, expected in [
        (bad_zone, "[sla] calendars[0].timezone: 'Mars/Olympus' is not a known IANA time zone"),
        (bad_country, "[sla] calendars[0].holiday_country: 'XX' is not a country the holidays package knows"),
        (backwards, "[sla] calendars[0].monday[0]: '17:00-09:00' ends before it starts"),
        (misspelt, "[sla] policies[0].first_reply_minute: unknown setting"),
    ]:
        loaded = _with(change)
        assert any(p.startswith(expected) for p in loaded.problems), loaded.problems
        assert loaded.settings.sla == cfg.Settings().sla  # the policy set in force stays whole


def test_macro_placeholders_are_checked():
    loaded = _with(lambda d: d.update(tickets={"macros": [{"name": "Hello", "body": "Hi {frist_name}"}]}))
    assert "[tickets] macros[0].body: unknown placeholder {frist_name}" in loaded.problems[0]
    good = _with(lambda d: d.update(tickets={"macros": [{"name": "Hello", "body": "Hi {first_name}",
                                                          "set_status": "pending"}]}))
    assert good.problems == () and good.settings.tickets.macros[0].set_status == "pending"
