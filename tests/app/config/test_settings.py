"""Typed settings: defaults, validation naming the key, per-key fallback, atomic save."""

from __future__ import annotations

from app.config import settings as cfg


def test_missing_file_gives_defaults(tmp_path):
    loaded = cfg.load(tmp_path / "settings.toml")
    assert loaded.problems == ()
    assert loaded.settings.sync.interval_minutes == 5
    assert loaded.settings.budgets.firebase == 800.0


def test_bad_value_names_the_key_and_keeps_the_default(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[sync]\ninterval_minutes = 0\noffline_role = "finance"\n[budgets]\nfirebase = "lots"\n')
    loaded = cfg.load(path)
    assert loaded.settings.sync.interval_minutes == 5  # the default, not 0
    assert loaded.settings.sync.offline_role == "finance"  # the good key in the same section is kept
    assert loaded.settings.budgets.firebase == 800.0
    assert any("[sync] interval_minutes = 0" in p and "between 1 and 1440" in p for p in loaded.problems)
    assert any("[budgets] firebase" in p and "must be a number" in p for p in loaded.problems)


def test_unknown_keys_choices_patterns_and_cross_rules(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(
        '[backends]\nops_api_url = "not a url"\ncolour = "blue"\n'
        '[sync]\noffline_role = "ceo"\n'
        '[sla]\npre_breach_share = 2\nalert_scope = "everyone"\n'
        '[budgets]\nwarn_ratio = 0.99\ncritical_ratio = 0.9\n'
    )
    loaded = cfg.load(path)
    text = "\n".join(loaded.problems)
    assert "[backends] colour: unknown setting" in text
    assert "[backends] ops_api_url = 'not a url'" in text
    assert "[sync] offline_role = 'ceo': must be one of" in text
    assert "[sla] pre_breach_share = 2.0: must be between 0.01 and 0.99" in text
    assert "[sla] alert_scope = 'everyone': must be one of mine, all" in text
    assert "[budgets] critical_ratio" in text
    s = loaded.settings
    assert (s.backends.ops_api_url, s.sync.offline_role) == ("", "executive")
    assert (s.sla.pre_breach_share, s.sla.alert_scope) == (0.25, "mine")
    assert (s.budgets.warn_ratio, s.budgets.critical_ratio) == (0.80, 0.95)


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[sync\ninterval_minutes = ")
    loaded = cfg.load(path)
    assert loaded.settings == cfg.Settings()
    assert "cannot be read" in loaded.problems[0]


def test_save_round_trips_and_refuses_bad_settings(tmp_path):
    import dataclasses

    import pytest

    path = tmp_path / "settings.toml"
    s = cfg.Settings()
    s = dataclasses.replace(s, sync=dataclasses.replace(s.sync, interval_minutes=15),
                            sla=dataclasses.replace(s.sla, pause_statuses=("on_hold",)))
    cfg.save(path, s)
    assert cfg.load(path) == cfg.LoadedSettings(s)
    bad = dataclasses.replace(s, sync=dataclasses.replace(s.sync, interval_minutes=-3))
    with pytest.raises(cfg.SettingsError, match="interval_minutes"):
        cfg.save(path, bad)
    assert cfg.load(path).settings.sync.interval_minutes == 15  # the file was not touched
    assert "token" not in path.read_text().split("\n", 2)[2]  # no secrets in the settings file


def test_non_finite_numbers_empty_lists_and_impossible_dates_are_refused(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(
        "[backends]\ntimeout_seconds = nan\n"
        "[sync]\ninterval_minutes = inf\n"
        "[budgets]\nfirebase = inf\ntotal = -inf\nwarn_ratio = nan\n"
        "[kpi]\nmonthly_churn_pct = nan\n"
        '[sla]\ncalendars = []\npause_statuses = ["pending", "2025-02-30"]\n'
    )
    loaded = cfg.load(path)
    s = loaded.settings
    assert s == cfg.Settings()  # every refused key keeps its default (the good holiday goes with its list)
    refused = {p.split(" = ")[0] for p in loaded.problems}
    assert refused == {
        "[backends] timeout_seconds", "[sync] interval_minutes", "[budgets] firebase", "[budgets] total",
        "[budgets] warn_ratio", "[kpi] monthly_churn_pct", "[sla] calendars",
        "[sla] pause_statuses[1]",
    }
    text = "\n".join(loaded.problems)
    assert "[backends] timeout_seconds = nan: must be a finite number; using the default 20" in text
    assert "[sla] calendars = []: must name at least 1; using the default [{Support hours}, {24/7}]" in text
    assert "[sla] pause_statuses[1] = '2025-02-30': must be one of new, open, pending, on_hold" in text


def test_health_settings_and_a_list_of_probe_tables(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(
        '[health]\nbudget_period = "calendar_month"\nlatency_threshold_ms = 1500\nescalation_p0 = ["Ana: page"]\n'
        '[[health.probes]]\nname = "Website"\nurl = "https://www.example.com/health"\nkeyword = "Welcome"\n'
        '[[health.probes]]\nname = "Status API"\nurl = "http://127.0.0.1:9/status"\njson_path = "status.db"\n'
        'json_value = "ok"\nexpected_status = 204\n'
    )
    loaded = cfg.load(path)
    assert loaded.problems == ()
    health = loaded.settings.health
    assert (health.budget_period, health.latency_threshold_ms) == ("calendar_month", 1500.0)
    assert health.escalation("P0") == ("Ana: page",) and health.escalation("P4") == ("Owning team: backlog",)
    assert health.probes == (
        cfg.ProbeTarget("Website", "https://www.example.com/health", keyword="Welcome"),
        cfg.ProbeTarget("Status API", "http://127.0.0.1:9/status", 204, json_path="status.db", json_value="ok"),
    )
    cfg.save(path, loaded.settings)
    assert cfg.load(path).settings == loaded.settings  # the list of tables round-trips


def test_a_bad_probe_table_names_its_entry_and_field(tmp_path):
    path = tmp_path / "settings.toml"
    for body, expected in (
        ('[[health.probes]]\nname = "x"\nurl = "ftp://nope"\n', "[health] probes[0].url = 'ftp://nope'"),
        ('[[health.probes]]\nurl = "https://a.example"\n', "[health] probes[0].name: is required"),
        ('[[health.probes]]\nname = "x"\nurl = "https://a.example"\ncolour = 1\n', "probes[0].colour: unknown"),
        ('[health]\nprobes = ["https://a.example"]\n', "probes[0] = 'https://a.example': must be a table"),
        ('[health]\nescalation_p1 = []\n', "[health] escalation_p1 = []: must name at least 1"),
        ('[health]\nbudget_period = "weekly"\n', "[health] budget_period = 'weekly': must be one of"),
    ):
        path.write_text(body)
        loaded = cfg.load(path)
        assert any(expected in p for p in loaded.problems), (expected, loaded.problems)
        assert loaded.settings.health == cfg.HealthSettings()
