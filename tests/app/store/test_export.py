"""Export CSV: the table's rows as filtered and sorted, streamed from SQL in keyset pages, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.store import export
from app.store.export import export_csv
from app.store.windows import WindowQuery, WindowSource
from app.tasks import Cancelled, CancelToken, Progress
from app.views import customers, tickets
from tests.support.big_cache import make_ticket_cache


def _read(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_rows_of_the_query_in_its_order_with_units_and_words(business, tmp_path):
    source = WindowSource(business, tickets.SPEC)
    query = WindowQuery("id", descending=True, filters=("open",))
    path = tmp_path / "open-tickets.csv"
    reports: list[Progress] = []

    done = export_csv(source, query, path, ["id", "status", "priority", "subject"], progress=reports.append,
                      page_size=2)  # pages of two rows: the keyset walk is what is tested

    rows = _read(path)
    expected = source.page(query, 0, 1_000)
    assert rows[0] == ["#", "Status", "Priority", "Subject"]
    assert [int(r[0]) for r in rows[1:]] == [r[0] for r in expected] and done.rows == len(expected) > 2
    status, priority = 1 + tickets.SPEC.index_of("status"), 1 + tickets.SPEC.index_of("priority")
    assert rows[1][1] == tickets.SPEC.column("status").shown(expected[0][status])  # codes in words
    assert "_" not in "".join(r[1] + r[2] for r in rows[1:])
    assert {r[2] for r in rows[1:]} <= {"Urgent", "High", "Normal", "Low"} and expected[0][priority]
    assert reports[0] == Progress("Exporting tickets", 0, len(expected))
    assert reports[-1].done == reports[-1].total == len(expected)


def test_money_is_a_plain_number_with_its_unit_in_the_header(business, tmp_path):
    source = WindowSource(business, customers.SPEC)
    path = tmp_path / "customers.csv"
    export_csv(source, WindowQuery("name"), path, ["name", "mrr", "status", "delinquent"])
    rows = {r[0]: r for r in _read(path)[1:]}
    assert _read(path)[0] == ["Name", "MRR (USD)", "Status", "Delinquent"]
    assert rows["Bolt Labs"][1:] == ["287.00", "Active", "no"]
    assert rows["Dune Retail"][1:] == ["99.00", "Past due", "yes"]


def test_a_cancelled_export_leaves_no_file(business, tmp_path):
    source = WindowSource(business, tickets.SPEC)
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "tickets.csv"
    path.write_text("an older export\n")
    token = CancelToken()

    def cancel_after_first_page(report: Progress) -> None:
        if report.done:
            token.cancel()

    with pytest.raises(Cancelled):
        export_csv(source, WindowQuery("id"), path, ["id"], progress=cancel_after_first_page, cancel=token,
                   page_size=2)
    assert path.read_text() == "an older export\n"  # untouched: the rows went to a partial file, now gone
    assert list(folder.iterdir()) == [path]


def test_cells_read_as_a_spreadsheet_expects():
    column = customers.SPEC.column("created")
    assert export.cell(column, None) == ""
    assert export.header(customers.SPEC.column("mrr")) == "MRR (USD)"


@pytest.fixture(scope="module")
def million_tickets(tmp_path_factory):
    return make_ticket_cache(tmp_path_factory.mktemp("million") / "cache.sqlite3", 1_000_000, fts=False)


def _resident_bytes() -> int:
    """This process's resident memory (Linux), read without slowing the export down as tracemalloc would."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


@pytest.mark.slow  # a million-row cache, then a 120 MB file
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc")
def test_a_million_rows_export_in_flat_memory(million_tickets, tmp_path):
    from app.store.database import make_engine

    engine = make_engine(million_tickets)
    source = WindowSource(engine, tickets.SPEC)
    path = tmp_path / "all.csv"
    samples: list[int] = []
    try:
        done = export_csv(source, WindowQuery("sla"), path, [c.key for c in tickets.SPEC.columns],
                          progress=lambda _report: samples.append(_resident_bytes()))
    finally:
        engine.dispose()
    size = path.stat().st_size
    assert done.rows == 1_000_000 and len(samples) > 400  # a report per page of 2,000 rows
    with path.open(encoding="utf-8-sig") as handle:
        assert sum(1 for _ in handle) == 1_000_001
    # Flat: after the first pages, memory does not grow with the rows written.  A list of every row
    # would hold several times the file; one page at a time holds a few megabytes.
    settled = samples[10]
    grown = max(samples) - settled
    assert grown < size / 5, (grown, size)
