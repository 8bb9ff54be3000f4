"""Reply templates (macros): the standard replies plus the team's own, with placeholders filled in.

A macro is a reply body with placeholders in braces (``{first_name}``,
``{plan}``, ``{ticket_id}`` … ``app.config.support_settings.PLACEHOLDERS``) and
optionally a status to set with it, so "reply and set pending" is one step.
Filling never fails: a value the cache does not know reads as a neutral word
("there", "current"), and settings refuse unknown placeholders beforehand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.config.support_settings import TicketSettings

_SIGN = "\n\nBest regards,\n{agent}"


@dataclass(frozen=True)
class Macro:
    name: str
    body: str
    set_status: str = ""  # empty: the status stays


STANDARD: tuple[Macro, ...] = (
    Macro("Acknowledge", "Hi {first_name},\n\nThanks for reaching out about “{subject}” (ticket #{ticket_id}). "
          "We are looking into it and will get back to you shortly." + _SIGN, "open"),
    Macro("Need more information", "Hi {first_name},\n\nCould you send us a screenshot of the error and the "
          "steps that lead to it? We will continue as soon as we hear from you." + _SIGN, "pending"),
    Macro("Fix scheduled", "Hi {first_name},\n\nWe found the cause; a fix is scheduled for the next release. "
          "We will let you know as soon as it is out." + _SIGN, "on_hold"),
    Macro("Solved — please confirm", "Hi {first_name},\n\nWe changed the setting on our side; please try again. "
          "If anything is still wrong, just reply and the ticket reopens." + _SIGN, "solved"),
    Macro("Plan question", "Hi {first_name},\n\nYour {plan} plan includes this. Your account administrator at "
          "{customer_name} can change it under Settings ▸ Billing." + _SIGN, ""),
)


def available(settings: TicketSettings) -> list[Macro]:
    """The standard macros, then the team's own from settings."""
    own = [Macro(m.name, m.body, m.set_status) for m in settings.macros]
    return [*STANDARD, *own]


def placeholders(ticket: dict[str, Any], customer_name: str | None, plan: str | None,
                 agent: str | None) -> dict[str, str]:
    """The values a macro's placeholders take for one ticket."""
    email = ticket.get("requester_email") or ""
    first = email.split("@")[0].split(".")[0].replace("_", " ").title() if email else ""
    return {
        "first_name": first or "there", "customer_name": customer_name or "your company",
        "plan": plan or "current", "ticket_id": str(ticket.get("id", "")), "subject": ticket.get("subject") or "",
        "agent": agent or "The support team",
    }


def fill(body: str, values: dict[str, str]) -> str:
    """``body`` with its placeholders replaced; an unknown one stays as written."""

    class _Keep(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    try:
        return body.format_map(_Keep(values))
    except (ValueError, IndexError):  # a stray brace: the text as it is beats no text
        return body
