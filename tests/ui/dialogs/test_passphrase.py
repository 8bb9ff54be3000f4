"""The signing key's passphrase dialog on its own: a new passphrase's rules, the remembered unlock time."""

from __future__ import annotations

from ui.dialogs.passphrase import MIN_NEW_LENGTH, PassphraseDialog


def test_a_new_passphrase_is_long_enough_and_typed_twice(qtbot):
    dialog = PassphraseDialog("New signing key", "…", new=True)
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("short")
    assert dialog.answer() is None and str(MIN_NEW_LENGTH) in dialog.problem.text()
    dialog.passphrase.setText("long enough passphrase")
    dialog.again.setText("long enough passphrase!")
    assert dialog.answer() is None and "differ" in dialog.problem.text()
    dialog.again.setText("long enough passphrase")
    dialog.keep.setValue(30)
    answer = dialog.answer()
    assert (answer.passphrase, answer.minutes) == ("long enough passphrase", 30)


def test_keep_unlocked_is_remembered(qtbot):
    first = PassphraseDialog("Unlock", "…")
    qtbot.addWidget(first)
    first.passphrase.setText("x")
    first.keep.setValue(45)
    first.accept()
    second = PassphraseDialog("Unlock", "…")
    qtbot.addWidget(second)
    assert second.keep.value() == 45
