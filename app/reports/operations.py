"""Report sections of the support and health figure sets: ticket volume and SLA, uptime and incidents.

Values come from ``support`` (``app.domain.sla.kpis``) and ``health``
(``app.domain.availability.figures``) as of the report's moment.  Their windows
are rolling: a daily or weekly report reads the 7-day figures, a monthly one
the 30-day figures (availability: the last 24 hours for a daily report).
"""

from __future__ import annotations

from app.domain.availability.figures import HealthFigures
from app.domain.sla.kpis import SupportFigures
from app.reports import DAILY, fmt
from app.reports.inputs import Inputs, band
from app.reports.model import Cell, Chart, Figure, Section, Series, Table
from app.sla_rules.policies import FIRST_REPLY, RESOLUTION

SUPPORT, HEALTH = "support", "health"
SLA_WARNING_POINTS = 5.0  # an SLA within 5 points under its target reads amber
UPTIME_WARNING = 0.001  # availability within 0.1 point under the SLO reads amber


def _pct(value: float | None) -> Cell:
    return Cell(fmt.percent(value), None if value is None else round(value, 1))


def sla_figure(inputs: Inputs, f: SupportFigures) -> Figure:
    """Resolution clocks met in the window: the SLA figure the Tickets pane shows."""
    days = inputs.window_days
    met = f.achievement_of(RESOLUTION, days)
    targets = inputs.settings.targets
    return Figure(f"Resolution SLA met ({days} days)", fmt.percent(met.pct), f"≥ {fmt.percent(targets.sla_good)}",
                  band(met.pct, targets.sla_good, higher_is_better=True,
                       warning_margin=targets.sla_good - targets.sla_warning),
                  f"{met.met} of {met.met + met.missed} tickets")


def support_headline(inputs: Inputs) -> tuple[Figure, ...]:
    f: SupportFigures = inputs.figures("support")
    return (sla_figure(inputs, f),)


def support_section(inputs: Inputs) -> Section:
    f: SupportFigures = inputs.figures("support")
    days = inputs.window_days
    first = f.achievement_of(FIRST_REPLY, days)
    csat, fcr = f.satisfaction, f.first_contact_resolution
    figures = (
        Figure("Open tickets", fmt.count(f.queue.get("open", 0)),
               note=f"{f.queue.get('breached', 0)} breached, {f.queue.get('about_to_breach', 0)} about to"),
        Figure(f"First reply SLA met ({days} days)", fmt.percent(first.pct),
               note=f"{first.met} of {first.met + first.missed} tickets"),
        sla_figure(inputs, f),
        Figure("First contact resolution", fmt.percent(fcr.pct), f"≥ {fmt.percent(fcr.target_pct)}",
               band(fcr.pct, fcr.target_pct, higher_is_better=True, warning_margin=SLA_WARNING_POINTS)),
        Figure(f"Satisfaction ({csat.days} days)", "—" if csat.average is None else f"{csat.average:.2f} / 5",
               f"≥ {csat.target:.1f} / 5", band(csat.average, csat.target, higher_is_better=True,
                                                  warning_margin=0.3), f"{csat.count} ratings"),
    )
    achievement = Table("sla_achievement", "SLA achievement", ("Clock", "Window", "Met", "Missed", "Achieved"),
                        tuple((Cell(fmt.words(a.metric)), Cell(f"{a.days} days"), Cell(fmt.count(a.met), a.met),
                               Cell(fmt.count(a.missed), a.missed), _pct(a.pct))
                              for a in f.achievement if a.priority is None))
    medians = Table("median_times", "Median business times", ("Clock", "Window", "Median", "Tickets"),
                    tuple((Cell(fmt.words(m.metric)), Cell(f"{m.days} days"),
                           Cell(fmt.hours(m.seconds), None if m.seconds is None else round(m.seconds / 3600, 2)),
                           Cell(fmt.count(m.count), m.count)) for m in f.medians))
    backlog = f.backlog[-inputs.period.days - 6:] if inputs.period.kind == DAILY else f.backlog
    chart = Chart("Unsolved tickets at the end of each day", "line", tuple(f"{d:%d %b}" for d, _ in backlog),
                  (Series("Backlog", tuple(float(n) for _, n in backlog)),), "tickets")
    return Section(SUPPORT, "Support performance", SUPPORT, figures, (achievement, medians), (chart,))


# --------------------------------------------------------------------------- health


def _window(inputs: Inputs) -> str:
    return "24h" if inputs.period.kind == DAILY else f"{inputs.window_days}d"


def uptime_figure(inputs: Inputs, f: HealthFigures) -> Figure:
    """The least available service in the window, against its own SLO: uptime is as good as its worst service."""
    key = _window(inputs)
    known = [(a - s.slo_target, s.name, a, s) for s in f.services if (a := s.availability.get(key)) is not None]
    if not known:
        return Figure(f"Least available service ({key})", fmt.MISSING, band="unknown", note="no checks in the window")
    *_, value, worst = min(known, key=lambda k: (k[0], k[1]))
    return Figure(f"Least available service ({key})", fmt.share(value), f"≥ {fmt.share(worst.slo_target)}",
                  band(value, worst.slo_target, higher_is_better=True, warning_margin=UPTIME_WARNING), worst.name)


def health_headline(inputs: Inputs) -> tuple[Figure, ...]:
    return (uptime_figure(inputs, inputs.figures("health")),)


def health_section(inputs: Inputs) -> Section:
    f: HealthFigures = inputs.figures("health")
    key = _window(inputs)
    up = f.states.get("Up", 0)
    figures = (
        Figure("Services up now", f"{up} of {len(f.services)}",
               note=", ".join(f"{n} {state.lower()}" for state, n in f.states.items() if n and state != "Up")),
        uptime_figure(inputs, f),
        Figure("Open incidents", fmt.count(f.open_incidents)),
        Figure("Error budgets exhausted", fmt.count(sum(1 for s in f.services if s.budget.state == "Exhausted")),
               note=f"of {len(f.services)} services"),
    )
    services = Table("services", f"Services: availability over {key}",
                     ("Service", "State", f"Availability ({key})", "SLO", "Error budget", "p95 latency"),
                     tuple((Cell(s.name), Cell(s.state), Cell(fmt.share(s.availability.get(key)),
                                                               _rounded(s.availability.get(key))),
                            Cell(fmt.share(s.slo_target), round(s.slo_target * 100, 3)), Cell(s.budget.state),
                            Cell("—" if s.latency_p95_ms is None else f"{s.latency_p95_ms:,.0f} ms", s.latency_p95_ms))
                           for s in f.services))
    return Section(HEALTH, "System performance and reliability", HEALTH, figures, (services,))


def _rounded(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 3)
