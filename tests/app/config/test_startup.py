"""A data folder or settings file that cannot be used stops the start with one sentence, never a traceback."""

from __future__ import annotations

import pytest

from app.config.startup import StartupError, open_data_dir, read_settings


def test_a_data_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(StartupError, match=r"^The data folder .*data is a file, not a folder: choose another"):
        open_data_dir(blocker)
    assert blocker.read_text() == "not a folder"


def test_a_data_folder_under_a_file(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StartupError, match=r"cannot use the data folder .*a file is in the way"):
        open_data_dir(tmp_path / "file" / "data")


def test_a_settings_file_that_cannot_be_read(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[sync\ninterval_minutes = 5\n")
    with pytest.raises(StartupError, match=r"^The settings file .* is not valid TOML \(.*line 1.*\): fix it"):
        read_settings(path)
    path.write_bytes(b"\xff\xfe[sync]")
    with pytest.raises(StartupError, match="is not UTF-8 text"):
        read_settings(path)


def test_a_bad_value_is_only_a_problem(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[sync]\ninterval_minutes = 0\n")
    loaded = read_settings(path)
    assert loaded.settings.sync.interval_minutes == 5 and "interval_minutes" in loaded.problems[0]
    assert read_settings(tmp_path / "missing.toml").problems == ()
