"""PySide's ``__feature__`` import hook is taken out; its lazy-class import wrapper stays."""

from __future__ import annotations

import builtins

from ui import feature_hook


def test_the_feature_hook_is_out_and_star_imports_still_see_every_class():
    assert builtins.__import__ is builtins.__orig_import__
    names: dict[str, object] = {}
    exec("from PySide6.QtWidgets import *", names)  # what a plain import would miss
    assert "QLCDNumber" in names  # a class no test makes: the wrapper made it for the star import


def test_an_import_hook_of_someone_else_is_left_alone(monkeypatch):
    def other(*args, **kwargs):
        return builtins.__orig_import__(*args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", other)
    feature_hook.remove()
    assert builtins.__import__ is other
