"""Typed application settings: a TOML file with defaults and per-key validation.

Each setting is a dataclass field whose ``metadata`` says how to validate it.
Loading never fails the app: a bad value is reported with its key
(``[sync] interval_minutes = 0: must be between 1 and 1440; using the default 5``)
and that one key falls back to its default.  Secrets are *not* settings: API
tokens live in the keyring (``app.secrets``), never in this file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config.fields import URL as _URL
from app.config.fields import meta as _meta
from app.config.support_settings import SlaSettings, TicketSettings
from app.config.target_settings import TargetSettings
from app.roles import EXECUTIVE, ROLES


@dataclass(frozen=True)
class BackendSettings:
    """``[backends]``: where the Ops API and Stripe answer, and how requests to them behave."""

    ops_api_url: str = field(
        default="", metadata=_meta(pattern=_URL, label="Ops API address",
                                   help="Ops API base URL, e.g. https://ops.example.com/api")
    )
    stripe_api_base: str = field(
        default="https://api.stripe.com",
        metadata=_meta(pattern=_URL, label="Stripe API address", help="Stripe API address (changed only for testing)"),
    )
    verify_tls: bool = field(default=True, metadata=_meta(label="Check TLS certificates",
                                                          help="Verify TLS certificates"))
    timeout_seconds: float = field(default=20.0, metadata=_meta(
        minimum=1, maximum=300, label="Give up on a request after", unit="s", help="Per-request timeout"))


@dataclass(frozen=True)
class SyncSettings:
    """``[sync]``: how often the cache is refreshed, and the role assumed while offline."""

    interval_minutes: int = field(
        default=5, metadata=_meta(minimum=1, maximum=1440, label="Sync every", unit="min",
                                  help="Minutes between background syncs")
    )
    offline_role: str = field(
        default=EXECUTIVE,
        metadata=_meta(choices=ROLES, label="Role while offline",
                       help="Role assumed when /me cannot be reached and none is cached"),
    )


@dataclass(frozen=True)
class ServiceBudget:
    """One cost service's monthly budget (one row of ``[[budgets.services]]``)."""

    service: str = field(default="", metadata=_meta(pattern=r"^\S", help="Cost service as the cost store names it"))
    monthly: float = field(default=0.0, metadata=_meta(minimum=0, help="Monthly budget, USD"))


_RATIO = _meta(minimum=0.01, maximum=5, help="Share of the budget, e.g. 0.8 for 80 %")


@dataclass(frozen=True)
class BudgetSettings:
    """Monthly cost budgets in dollars (used until the Ops API sends budgets) and their alert thresholds."""

    services: tuple[ServiceBudget, ...] = field(
        default=(ServiceBudget("firebase", 800.0), ServiceBudget("anthropic", 500.0)),
        metadata=_meta(item=ServiceBudget, label="Budget per service", help="Monthly budget per cost service, USD"),
    )
    total: float = field(default=2000.0, metadata=_meta(minimum=0, label="All services, per month", unit="USD",
                                                        help="Monthly budget for all services, USD"))
    warn_ratio: float = field(
        default=0.80, metadata=_meta(minimum=0.01, maximum=2, label="Warning at", unit="% of budget", percent=True,
                                     help="Share of budget that raises a warning")
    )
    critical_ratio: float = field(
        default=0.95, metadata=_meta(minimum=0.01, maximum=2, label="Critical at", unit="% of budget", percent=True,
                                     help="Share of budget that is critical")
    )
    actual_thresholds: tuple[float, ...] = field(
        default=(0.80, 0.95),
        metadata={**_RATIO, "help": "Notify when month-to-date spend crosses these shares of a budget"},
    )
    forecast_thresholds: tuple[float, ...] = field(
        default=(0.80, 0.95),
        metadata={**_RATIO, "help": "Notify when the month-end forecast crosses these shares of a budget"},
    )


@dataclass(frozen=True)
class CostSettings:
    """How a day's cost is judged an anomaly (docs/metrics.md § Costs, "Anomalies")."""

    anomaly_z: float = field(
        default=3.5, metadata=_meta(minimum=1, maximum=20, label="Robust z-score over",
                                    help="Robust z-score (MAD) a day must exceed")
    )
    anomaly_min_ratio: float = field(
        default=0.25, metadata=_meta(minimum=0, maximum=100, label="Above usual by at least",
                                     unit="%", percent=True, help="Share above the baseline a day must exceed")
    )
    anomaly_min_dollars: float = field(
        default=10.0, metadata=_meta(minimum=0, label="And by at least", unit="USD",
                                     help="Dollars above the baseline a day must exceed")
    )


@dataclass(frozen=True)
class GrowthScenario:
    """A planning scenario: monthly user growth, conversion of new users to paying, monthly churn."""

    name: str = field(default="", metadata=_meta(pattern=r"^\S", help="What the scenario is called"))
    user_growth: float = field(default=0.0, metadata=_meta(minimum=-1, maximum=10, help="Monthly user growth"))
    conversion: float = field(default=0.0, metadata=_meta(minimum=0, maximum=1, help="New users who pay"))
    churn: float = field(default=0.0, metadata=_meta(minimum=0, maximum=1, help="Paying customers lost a month"))


@dataclass(frozen=True)
class ScalingCost:
    """What one cost item runs to a month at today's capacity, doubled and tripled (USD)."""

    item: str = field(default="", metadata=_meta(pattern=r"^\S", help="Cost item"))
    current: float = field(default=0.0, metadata=_meta(minimum=0, help="Monthly cost now, USD"))
    doubled: float = field(default=0.0, metadata=_meta(minimum=0, help="Monthly cost at twice the capacity"))
    tripled: float = field(default=0.0, metadata=_meta(minimum=0, help="Monthly cost at three times the capacity"))


@dataclass(frozen=True)
class PlanningSettings:
    """The seed's planning tables: growth scenarios and the scaling cost table."""

    scenarios: tuple[GrowthScenario, ...] = field(
        default=(
            GrowthScenario("conservative", 0.15, 0.12, 0.05),
            GrowthScenario("optimistic", 0.25, 0.18, 0.03),
            GrowthScenario("aggressive", 0.40, 0.22, 0.02),
        ),
        metadata=_meta(item=GrowthScenario, min_items=1, help="Growth scenarios projected for the coming year"),
    )
    scaling: tuple[ScalingCost, ...] = field(
        default=(
            ScalingCost("firebase", 800.0, 1400.0, 1950.0),
            ScalingCost("anthropic", 500.0, 1000.0, 1500.0),
            ScalingCost("stripe", 400.0, 800.0, 1200.0),
            ScalingCost("storage", 150.0, 280.0, 400.0),
            ScalingCost("cdn", 200.0, 340.0, 470.0),
        ),
        metadata=_meta(item=ScalingCost, min_items=1, help="Monthly cost per item at 1×, 2× and 3× capacity"),
    )
    months: int = field(default=12, metadata=_meta(minimum=1, maximum=36, help="Months the scenarios project"))


@dataclass(frozen=True)
class KpiTargets:
    """``[kpi]``: the churn and lifetime-value targets the figures are held against."""

    monthly_churn_pct: float = field(
        default=5.0, metadata=_meta(minimum=0, maximum=100, label="Highest monthly churn", unit="%",
                                    help="Highest acceptable monthly customer churn, %")
    )
    ltv_min: float = field(
        default=200.0,
        metadata=_meta(minimum=0, help="Lowest acceptable customer lifetime value, in the reporting currency"),
    )


CHURN_AT_PERIOD_END, CHURN_WHEN_SCHEDULED = "end_of_paid_period", "when_scheduled"


@dataclass(frozen=True)
class RevenueSettings:
    """How revenue figures are counted: each is a policy with a published default (docs/metrics.md § Revenue)."""

    reporting_currency: str = field(
        default="USD", metadata=_meta(pattern=r"^[A-Z]{3}$", help="Currency every revenue figure is reported in")
    )
    fallback_rates: tuple[str, ...] = field(
        default=("EUR=1.08", "GBP=1.27"),
        metadata=_meta(pattern=r"^[A-Z]{3}=(?!0*\.?0*$)[0-9]{1,6}(\.[0-9]{1,8})?$",
                       help="Rates used when the Ops API serves none: CUR=units of the reporting currency"),
    )
    churn_recognition: str = field(
        default=CHURN_AT_PERIOD_END,
        metadata=_meta(choices=(CHURN_AT_PERIOD_END, CHURN_WHEN_SCHEDULED),
                       help="When a cancellation counts as churn: at the end of the paid period, or once scheduled"),
    )
    past_due_churn_days: int = field(
        default=0, metadata=_meta(minimum=0, maximum=365, help="Days past due after which MRR churns (0: never)")
    )
    free_plans_are_customers: bool = field(
        default=False, metadata=_meta(help="Count customers on a free plan or a 100 % coupon as customers")
    )
    trial_conversion_days: int = field(
        default=30, metadata=_meta(minimum=1, maximum=365, help="Days after a trial starts in which paying counts")
    )
    risk_urgent_tickets: int = field(
        default=2, metadata=_meta(minimum=1, maximum=100, help="Open urgent tickets that put a customer at risk")
    )
    risk_ticket_spike: int = field(
        default=3, metadata=_meta(minimum=2, maximum=1000, help="Tickets in 7 days that are a spike (and 3× usual)")
    )
    risk_downgrade_days: int = field(
        default=30, metadata=_meta(minimum=1, maximum=365, help="A downgrade this recent puts a customer at risk")
    )
    risk_usage_drop_percent: int = field(
        default=50, metadata=_meta(minimum=10, maximum=100,
                                   help="Fall in a customer's active users, week over week, that puts it at risk")
    )


@dataclass(frozen=True)
class DeskSettings:
    """Limits of the customer desk's actions (docs/metrics.md, "Customer desk")."""

    support_refund_cap_usd: float = field(
        default=500.0,
        metadata=_meta(minimum=0, maximum=1_000_000, label="Largest refund support may give", unit="USD",
                       help="Largest refund the support role may give at once, USD"),
    )
    max_trial_extension_days: int = field(
        default=30, metadata=_meta(minimum=1, maximum=365, label="Longest trial extension", unit="days",
                                    help="Longest trial extension at once, days")
    )
    at_risk_downgrade_days: int = field(
        default=30,
        metadata=_meta(minimum=1, maximum=365, label="At risk after a downgrade within", unit="days",
                       help="A downgrade this recent marks a customer at risk, days"),
    )


@dataclass(frozen=True)
class NotificationSettings:
    """``[notifications]``: the kinds of notification recorded but not announced."""

    muted: tuple[str, ...] = field(
        default=(),
        metadata=_meta(pattern=r"^[a-z_]+\.[a-z_]+$", label="Muted",
                       help="Kinds of notification recorded but not announced"),
    )


@dataclass(frozen=True)
class ProbeTarget:
    """One URL the workstation probes besides the services the Ops API names (``[[health.probes]]``)."""

    name: str = field(default="", metadata=_meta(pattern=r"\S", help="What the service is called on screen"))
    url: str = field(default="", metadata=_meta(pattern=r"^https?://[^\s/$.?#][^\s]*$", help="The URL to probe"))
    expected_status: int = field(default=200, metadata=_meta(minimum=100, maximum=599, help="HTTP status of health"))
    keyword: str = field(default="", metadata=_meta(help="Text the body must contain (empty: not checked)"))
    json_path: str = field(default="", metadata=_meta(help="Dotted path of a JSON value to check, e.g. status.db"))
    json_value: str = field(default="", metadata=_meta(help="What that JSON value must read as, e.g. ok"))


def _escalation(severity: str, *steps: str) -> Any:
    return field(default=steps, metadata=_meta(min_items=1, label=f"Who is called for {severity}",
                                               help="Who is called, in order, and how soon (separated by commas)"))


@dataclass(frozen=True)
class HealthSettings:
    """Service health: the state and budget rules' thresholds, the workstation's probes, the escalation matrix."""

    latency_threshold_ms: float = field(
        default=2000.0, metadata=_meta(minimum=1, maximum=600_000, label="Degraded when slower than", unit="ms",
                                       help="Slower than this is Degraded, ms")
    )
    error_rate_threshold_pct: float = field(
        default=5.0, metadata=_meta(minimum=0.01, maximum=100, label="Degraded when failing more than",
                                    unit="% of the last hour", help="Down more than this share of the last hour "
                                                                    "is Degraded, %")
    )
    down_after_failures: int = field(
        default=2, metadata=_meta(minimum=1, maximum=10, label="Down after", unit="failed checks in a row",
                                   help="Failed checks in a row before a service is Down (fewer: pending)")
    )
    budget_period: str = field(
        default="rolling_30d", metadata=_meta(choices=("rolling_30d", "calendar_month"), label="Error budget period",
                                              options={"rolling_30d": "Rolling 30 days",
                                                       "calendar_month": "Calendar month (UTC)"},
                                              help="Error budgets over a rolling 30 days or the calendar month (UTC)")
    )
    budget_at_risk_pct: float = field(
        default=25.0, metadata=_meta(minimum=0, maximum=100, label="Budget at risk below", unit="% left",
                                     help="Less budget left than this is at risk, %")
    )
    certificate_warn_days: int = field(
        default=14, metadata=_meta(minimum=1, maximum=365, label="Certificate warning", unit="days before it expires",
                                     help="Warn when a TLS certificate expires within, days")
    )
    probes_enabled: bool = field(default=True, metadata=_meta(label="Probe from this workstation",
                                                              help="Probe the health URLs from this workstation"))
    probe_interval_s: int = field(
        default=60, metadata=_meta(minimum=10, maximum=86_400, label="Probe every", unit="s",
                                     help="Seconds between probes of a service")
    )
    probe_retry_interval_s: int = field(
        default=20, metadata=_meta(minimum=5, maximum=3_600, label="Retry a failed probe after", unit="s",
                                     help="Seconds before a failed probe is retried")
    )
    probe_timeout_s: float = field(
        default=10.0, metadata=_meta(minimum=1, maximum=120, label="Probe timeout", unit="s",
                                     help="A probe gives up after, seconds")
    )
    probe_max_body_kb: int = field(
        default=1024, metadata=_meta(minimum=1, maximum=102_400, label="Read at most", unit="KB of a reply",
                                     help="A probe reads at most this much body, KB")
    )
    probes: tuple[ProbeTarget, ...] = field(
        default=(), metadata=_meta(item=ProbeTarget, label="Other URLs to probe",
                                  help="More URLs to probe ([[health.probes]] in the file)")
    )
    escalation_p0: tuple[str, ...] = _escalation(
        "P0", "On-call SRE: page at once", "Engineering lead: within 15 min", "CTO and support lead: within 30 min",
    )
    escalation_p1: tuple[str, ...] = _escalation(
        "P1", "On-call SRE: page at once", "Engineering lead: within 30 min", "Support lead: within 1 h",
    )
    escalation_p2: tuple[str, ...] = _escalation("P2", "On-call SRE: within 1 h", "Owning team lead: same day")
    escalation_p3: tuple[str, ...] = _escalation("P3", "Owning team: next business day")
    escalation_p4: tuple[str, ...] = _escalation("P4", "Owning team: backlog")

    def escalation(self, severity: str) -> tuple[str, ...]:
        """Who is called for ``severity`` ("P0" … "P4"), in order."""
        steps: tuple[str, ...] = getattr(self, f"escalation_{severity.lower()}", ())
        return steps


@dataclass(frozen=True)
class Settings:
    """The whole settings file, one field per section.

    Every dataclass here has a docstring: one without makes ``dataclass`` build
    ``__doc__`` from ``inspect.signature``, which costs start-up time.
    """

    backends: BackendSettings = field(default_factory=BackendSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    sla: SlaSettings = field(default_factory=SlaSettings)
    tickets: TicketSettings = field(default_factory=TicketSettings)
    budgets: BudgetSettings = field(default_factory=BudgetSettings)
    costs: CostSettings = field(default_factory=CostSettings)
    planning: PlanningSettings = field(default_factory=PlanningSettings)
    kpi: KpiTargets = field(default_factory=KpiTargets)
    revenue: RevenueSettings = field(default_factory=RevenueSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    desk: DeskSettings = field(default_factory=DeskSettings)
    targets: TargetSettings = field(default_factory=TargetSettings)


@dataclass(frozen=True)
class LoadedSettings:
    """Settings as loaded, with every problem found (each names its key)."""

    settings: Settings
    problems: tuple[str, ...] = ()


class SettingsError(ValueError):
    """A value that cannot be accepted; the message names the key."""


def _check_scalar(key: str, value: Any, default: Any, meta: dict[str, Any]) -> Any:
    expected = type(default)
    if expected is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"{key} = {value!r}: must be true or false")
    elif expected in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(f"{key} = {value!r}: must be a number")
        if not math.isfinite(value):  # TOML has nan and inf; every use of these numbers needs a finite one
            raise SettingsError(f"{key} = {value!r}: must be a finite number")
        if expected is int and not float(value).is_integer():
            raise SettingsError(f"{key} = {value!r}: must be a whole number")
        value = expected(value)
        lo, hi = meta["min"], meta["max"]
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
            raise SettingsError(f"{key} = {value!r}: must be {bounds}")
    elif expected is str:
        if not isinstance(value, str):
            raise SettingsError(f"{key} = {value!r}: must be text")
        if meta["choices"] and value not in meta["choices"]:
            raise SettingsError(f"{key} = {value!r}: must be one of {', '.join(meta['choices'])}")
        if meta["pattern"] and not re.match(meta["pattern"], value):
            raise SettingsError(f"{key} = {value!r}: is not a valid value ({meta['help']})")
        if meta["date"]:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise SettingsError(f"{key} = {value!r}: is not a date in the calendar") from None
    return value


def _check(key: str, value: Any, f: dataclasses.Field[Any], default: Any) -> Any:
    meta = {**_meta(), **dict(f.metadata)}
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise SettingsError(f"{key} = {value!r}: must be a list")
        if len(value) < meta["min_items"]:
            raise SettingsError(f"{key} = {value!r}: must name at least {meta['min_items']}")
        item = meta["item"]
        if isinstance(item, type) and dataclasses.is_dataclass(item):
            return tuple(_check_table(f"{key}[{i}]", v, item) for i, v in enumerate(value))
        item_default = default[0] if default else (item() if item is not None else "" if meta["pattern"] else 0)
        return tuple(_check_scalar(f"{key}[{i}]", v, item_default, meta) for i, v in enumerate(value))
    return _check_scalar(key, value, default, meta)


def _check_table(key: str, value: Any, kind: type[Any]) -> Any:
    """One table of a list of tables (``[[sla.policies]]``), field by field against the dataclass ``kind``.

    Fields left out take ``kind``'s defaults; an unknown field is refused, since in
    a list of tables a misspelt key would silently change what the item means.
    """
    if not isinstance(value, dict):
        raise SettingsError(f"{key} = {value!r}: must be a table")
    blank = kind()
    fields = {f.name: f for f in dataclasses.fields(kind)}
    for name in value:
        if name not in fields:
            raise SettingsError(f"{key}.{name}: unknown setting (known: {', '.join(fields)})")
    for name, f in fields.items():  # a field whose default its own pattern refuses must be given
        pattern = f.metadata.get("pattern")
        if name not in value and pattern and not re.match(pattern, getattr(blank, name)):
            raise SettingsError(f"{key}.{name}: is required ({f.metadata.get('help', '')})")
    checked = {name: _check(f"{key}.{name}", value[name], fields[name], getattr(blank, name))
               for name in fields if name in value}
    return dataclasses.replace(blank, **checked)


def _validate_cross(settings: Settings) -> list[str]:
    """Rules between keys; the offending key is reset by the caller."""
    problems = []
    b = settings.budgets
    if b.warn_ratio >= b.critical_ratio:
        problems.append(f"[budgets] critical_ratio = {b.critical_ratio!r}: must be above warn_ratio ({b.warn_ratio})")
    return problems


def _section_checks(settings: Settings, problems: list[str]) -> Settings:
    """Sections that check their own fields together (``cross_check``): report, and reset the keys named."""
    for sec in dataclasses.fields(settings):
        section = getattr(settings, sec.name)
        check = getattr(section, "cross_check", None)
        if check is None:
            continue
        for keys, message in check():
            defaults = type(section)()
            problems.append(f"[{sec.name}] {message}; using the defaults of {', '.join(keys)}")
            section = dataclasses.replace(section, **{k: getattr(defaults, k) for k in keys})
        settings = dataclasses.replace(settings, **{sec.name: section})
    return settings


def from_dict(data: dict[str, Any]) -> LoadedSettings:
    """Build settings from parsed TOML, keeping the default for each key that is wrong."""
    problems: list[str] = []
    sections: dict[str, Any] = {}
    defaults = Settings()
    known_sections = [f.name for f in dataclasses.fields(Settings)]
    problems.extend(f"[{name}]: unknown section (ignored)" for name in data if name not in known_sections)
    for sec_name in known_sections:
        sec_default = getattr(defaults, sec_name)
        raw = data.get(sec_name, {})
        if not isinstance(raw, dict):
            problems.append(f"[{sec_name}]: must be a table (ignored)")
            raw = {}
        values: dict[str, Any] = {}
        fields = {f.name: f for f in dataclasses.fields(sec_default)}
        problems.extend(f"[{sec_name}] {key}: unknown setting (ignored)" for key in raw if key not in fields)
        for key, f in fields.items():
            if key not in raw:
                continue
            default = getattr(sec_default, key)
            try:
                values[key] = _check(f"[{sec_name}] {key}", raw[key], f, default)
            except SettingsError as exc:
                problems.append(f"{exc}; using the default {_show(default)}")
        sections[sec_name] = dataclasses.replace(sec_default, **values)
    settings = Settings(**sections)
    cross = _validate_cross(settings)
    if cross:
        problems.extend(f"{p}; using the defaults for that section" for p in cross)
        if any(p.startswith("[budgets]") for p in cross):
            budgets = dataclasses.replace(settings.budgets, warn_ratio=0.80, critical_ratio=0.95)
            settings = dataclasses.replace(settings, budgets=budgets)
    settings = _section_checks(settings, problems)
    return LoadedSettings(settings, tuple(problems))


def _show(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "{" + str(getattr(value, dataclasses.fields(value)[0].name)) + "}"  # what the entry is called
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def load(path: Path) -> LoadedSettings:
    """Read ``path``; a missing file is the defaults, an unreadable one is a problem plus the defaults."""
    if not path.exists():
        return LoadedSettings(Settings())
    import tomllib  # only a file there needs the parser

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        return LoadedSettings(Settings(), (f"{path.name}: cannot be read ({exc}); using all defaults",))
    return from_dict(data)


def to_dict(settings: Settings) -> dict[str, Any]:
    """The TOML shape of ``settings``: one table per section, tuples as arrays."""
    return {
        sec.name: _toml_value(dataclasses.asdict(getattr(settings, sec.name))) for sec in dataclasses.fields(settings)
    }


def _toml_value(value: Any) -> Any:
    """Tuples (also inside lists of tables) as TOML arrays."""
    if isinstance(value, dict):
        return {k: _toml_value(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_toml_value(v) for v in value]
    return value


def save(path: Path, settings: Settings) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a settings file."""
    import tomli_w

    checked = from_dict(to_dict(settings))
    if checked.problems:
        raise SettingsError("; ".join(checked.problems))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(
        f"# Ops Console settings, written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.\n"
        "# API tokens are not kept here: they live in the OS keyring.\n\n" + tomli_w.dumps(to_dict(settings)),
        encoding="utf-8",
    )
    tmp.replace(path)
