"""``opsconsole self-test`` checks the whole cache file and says what opening it found."""

from __future__ import annotations

import argparse

from tests.core.test_salvage import _damage, _fill_outbox, _outbox_leaf_pages
from ui.commands import self_test


def test_self_test_fails_on_a_damaged_cache_and_prints_its_notices(qapp, tmp_path, capsys):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    cache = data_dir / "cache.sqlite3"
    _fill_outbox(cache)
    _damage(cache, [_outbox_leaf_pages(cache)[2]])  # a page inside the file: the quick structural check passes
    args = argparse.Namespace(data_dir=str(data_dir), verbose=False)

    assert self_test(args) == 1
    out = capsys.readouterr().out
    assert "The local cache was damaged" in out and "change(s) not yet sent were recovered" in out
    assert "self-test FAILED" in out and "failed its integrity check" in out

    assert self_test(args) == 0  # rebuilt: the next run passes
    assert capsys.readouterr().out.startswith("self-test ok")
