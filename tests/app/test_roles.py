"""Which panes each role sees, who may write, and the offline fallback."""

from __future__ import annotations

import pytest

from app import roles


@pytest.mark.parametrize(
    ("role", "panes"),
    [
        ("executive", ("overview", "health", "customers", "tickets", "licenses", "costs")),
        ("operations", ("overview", "health", "tickets", "costs")),
        ("finance", ("overview", "customers", "costs")),
        ("support", ("overview", "customers", "tickets", "licenses")),
        ("product", ("overview", "health", "customers")),
    ],
)
def test_visible_panes(role: str, panes: tuple[str, ...]) -> None:
    """Every role's first tab is its overview."""
    assert roles.visible_panes(role) == panes


def test_only_executives_are_read_only() -> None:
    assert [r for r in roles.ROLES if not roles.can_write(r)] == ["executive"]


def test_effective_role_prefers_me_then_fallback() -> None:
    assert roles.effective_role({"role": "finance"}, fallback="support") == "finance"
    assert roles.effective_role(None, fallback="support") == "support"
    assert roles.effective_role({"role": "intern"}, fallback="product") == "product"


def test_unknown_roles_are_refused() -> None:
    with pytest.raises(roles.UnknownRole):
        roles.visible_panes("intern")
    with pytest.raises(roles.UnknownRole):
        roles.effective_role(None, fallback="intern")
