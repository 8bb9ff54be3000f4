"""The command line: shared options before or after the sub-command, help written for users, clear failures."""

from __future__ import annotations

import argparse

from app.cli import CORE_COMMAND_MODULES, build_parser, main


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and every sub-command parser below it."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found.extend(_parsers(child))
    return found


def test_shared_options_work_before_or_after_the_sub_command(tmp_path):
    parser = build_parser()
    after = parser.parse_args(["sync", "--data-dir", "X", "-v"])
    before = parser.parse_args(["--data-dir", "Y", "--verbose", "sync", "--json"])
    nested = parser.parse_args(["license", "verify", str(tmp_path / "a.lic"), "--data-dir", "Z"])
    neither = parser.parse_args(["sync"])
    assert (after.data_dir, after.verbose) == ("X", True)
    assert (before.data_dir, before.verbose, before.json) == ("Y", True, True)
    assert nested.data_dir == "Z"
    assert (neither.data_dir, neither.verbose) == (None, False)


def test_help_is_written_for_users():
    parsers = _parsers(build_parser(CORE_COMMAND_MODULES))
    assert len(parsers) > 8  # the sub-commands and the license actions
    for parser in parsers:
        text = parser.format_help()
        assert "`" not in text, parser.prog
        assert "--data-dir" in text, parser.prog  # every command names the shared options
        for developer_words in ("handler", "stdlib", "module", "import of", "ui."):
            assert developer_words not in text.lower(), (parser.prog, developer_words)


def test_a_data_folder_that_is_a_file_is_one_sentence_and_exit_one(tmp_path, capsys):
    blocker = tmp_path / "data"
    blocker.write_text("")
    assert main(["sync", "--data-dir", str(blocker)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"opsconsole: The data folder {blocker} is a file")
    assert "Traceback" not in err
