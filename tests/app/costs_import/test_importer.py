"""Billing-export import, line accounting: exact sums, all-or-nothing refusal naming the physical line (no Qt)."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.costs_import import CostImportError
from app.costs_import.reader import FORMATS
from app.store.schema import CostCharge
from app.store.windows import WindowQuery, WindowSource
from app.tasks import Cancelled, CancelToken, Progress
from app.views import costs as view
from tests.app.costs_import.support import import_cost_file, records, write

NOV1 = dt.date(2026, 11, 1)


def test_simple_csv_sums_per_day_and_service_and_reimports_without_doubling(engine, tmp_path):
    path = write(tmp_path, "date,service,amount,currency\n"
                           "2026-11-01,Firebase,10.50,usd\n"
                           "2026-11-01,firebase,0.000001,USD\n"
                           "2026-11-02,Anthropic, 20 ,USD\n"
                           "\n"
                           "2026-11-02,anthropic,5,EUR\n")
    result = import_cost_file(engine, path)
    expected = {
        (NOV1, "firebase", "USD", "simple_csv"): 10_500_001,
        (dt.date(2026, 11, 2), "anthropic", "USD", "simple_csv"): 20_000_000,
        (dt.date(2026, 11, 2), "anthropic", "EUR", "simple_csv"): 5_000_000,
    }
    assert records(engine) == expected
    assert (result.lines, result.charges, result.days) == (4, 3, 2)
    assert result.services == ("anthropic", "firebase") and result.currencies == ("EUR", "USD")
    assert (result.first_day, result.last_day) == (NOV1, dt.date(2026, 11, 2))
    assert [(r.provider, r.billing_account, r.replaced) for r in result.reports] == [("CSV import", "costs", None)]

    again = import_cost_file(engine, path)
    assert records(engine) == expected
    assert [r.replaced.files for r in again.reports if r.replaced] == [("costs.csv",)]  # and it says so


def test_simple_csv_without_a_currency_column_is_in_dollars(engine, tmp_path):
    import_cost_file(engine, write(tmp_path, "Date,Service,Amount\n2026-11-01,cdn,-1.25\n"))
    assert records(engine) == {(NOV1, "cdn", "USD", "simple_csv"): -1_250_000}  # a credit


AWS_HEADER = ("identity/LineItemId,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,"
              "product/ProductName,lineItem/UnblendedCost,lineItem/CurrencyCode\n")


def test_aws_cost_and_usage_report(engine, tmp_path):
    s3 = "AmazonS3,Amazon Simple Storage Service"
    path = write(tmp_path, AWS_HEADER
                 + f"a1,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,{s3},0.0000000372,USD\n"
                 + f"a2,2026-11-01T13:00:00Z,2026-11-01T14:00:00Z,{s3},1.2499999628,USD\n"
                 + "a3,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,AmazonEC2,Amazon Elastic Compute Cloud,3.5,USD\n"
                 + "a4,2026-11-02T00:00:00Z,2026-11-03T00:00:00Z,AmazonCloudFront,Amazon CloudFront,2,USD\n")
    result = import_cost_file(engine, path)
    assert result.reports[0].format_title == "AWS Cost and Usage Report"
    assert records(engine) == {
        (NOV1, "storage", "USD", "aws_cur"): 1_250_000,  # summed exactly before rounding to micros
        (NOV1, "amazonec2", "USD", "aws_cur"): 3_500_000,
        (dt.date(2026, 11, 2), "cdn", "USD", "aws_cur"): 2_000_000,
    }


def test_aws_cur_2_column_names_gzipped(engine, tmp_path):
    path = tmp_path / "cur.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        f.write("line_item_usage_start_date,line_item_product_code,line_item_unblended_cost,line_item_currency_code\n"
                "2026-11-01T05:00:00Z,AmazonRDS,4.25,USD\n")
    assert import_cost_file(engine, path).reports[0].provider == "AWS"
    assert records(engine) == {(NOV1, "amazonrds", "USD", "aws_cur"): 4_250_000}


@pytest.mark.parametrize(
    "text",
    [
        (
            "billing_account_id,service.id,service.description,sku.description,"
            "usage_start_time,usage_end_time,cost,currency\n"
            'X-1,6F81,"Cloud Storage","Standard, multi-region",'
            "2026-11-01 00:00:00 UTC,2026-11-01 01:00:00 UTC,0.75,USD\n"
            "X-1,95FF,Firebase Hosting,Egress,2026-11-01T08:00:00-08:00,2026-11-01T09:00:00-08:00,1.5,USD\n"
        ),
        (
            "Project name,Service description,SKU description,Usage start date,Cost,Currency\n"
            "shop,Cloud Storage,Standard,2026-11-01,0.75,USD\n"
            "shop,Firebase Hosting,Egress,2026-11-01,1.5,USD\n"
        ),
    ],
    ids=["bigquery-export", "console-report"],
)
def test_google_cloud_billing_export(engine, tmp_path, text):
    assert import_cost_file(engine, write(tmp_path, text)).reports[0].format_title == "Google Cloud billing export"
    assert records(engine) == {
        (NOV1, "storage", "USD", "gcp_billing"): 750_000,
        (NOV1, "firebase", "USD", "gcp_billing"): 1_500_000,
    }


def test_a_bad_line_refuses_the_whole_file_and_names_it(engine, tmp_path, add_costs):
    add_costs("firebase", NOV1, 7)
    before = records(engine)
    lines = [f"2026-11-{day:02d},firebase,1.00,USD" for day in range(1, 21)]
    lines[15] = "2026-11-16,firebase,abc,USD"  # file line 17: the header is line 1
    with pytest.raises(CostImportError, match=r"^line 17: amount 'abc' is not a number$"):
        import_cost_file(engine, write(tmp_path, "date,service,amount,currency\n" + "\n".join(lines) + "\n"))
    assert records(engine) == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2026-13-01,firebase,1,USD", "line 3: date '2026-13-01' is not a date"),
        ("01/11/2026,firebase,1,USD", "line 3: date '01/11/2026' is not a date"),
        ("2026-11-01,  ,1,USD", "line 3: service is empty"),
        ("2026-11-01,firebase,,USD", "line 3: amount '' is not a number"),
        ("2026-11-01,firebase,NaN,USD", "line 3: amount 'NaN' is not a plausible amount"),
        ("2026-11-01,firebase,1,dollars", "line 3: currency 'dollars' is not a three-letter currency code"),
        ("2026-11-01,firebase,1", "line 3: has 3 fields, the header has 4"),
    ],
)
def test_each_kind_of_bad_field_is_named(engine, tmp_path, line, message):
    path = write(tmp_path, f"date,service,amount,currency\n2026-11-01,cdn,1,USD\n{line}\n")
    with pytest.raises(CostImportError) as caught:
        import_cost_file(engine, path)
    assert str(caught.value).startswith(message)
    assert records(engine) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "costs.csv: the file is empty"),
        ("date,service,amount,currency\n", "costs.csv: the file holds no cost lines"),
        ("day,what,value\n2026-11-01,x,1\n", "line 1: the header is not one of the known billing exports"),
    ],
)
def test_files_without_costs_are_refused(engine, tmp_path, text, message):
    with pytest.raises(CostImportError, match=f"^{message}"):
        import_cost_file(engine, write(tmp_path, text))


def test_a_file_that_is_not_text_is_refused(engine, tmp_path):
    path = tmp_path / "costs.csv"
    path.write_bytes(b"date,service,amount\n2026-11-01,x,\xff\xfe\n")
    with pytest.raises(CostImportError, match="is not UTF-8 text"):
        import_cost_file(engine, path)


def _lines(n: int) -> str:
    return "".join(f"2026-11-{1 + i % 28:02d},svc{i % 7},1.25,USD\n" for i in range(n))


@pytest.mark.parametrize("bad_line", [3, 81, 73_457])
def test_a_byte_that_is_not_utf8_is_reported_on_its_physical_line(engine, tmp_path, bad_line):
    head = "date,service,amount,currency\n" + _lines(bad_line - 2)  # the bad line is the next one
    tail = _lines(50)
    path = tmp_path / "costs.csv"
    path.write_bytes(head.encode() + b"2026-11-01,fire\xffbase,1,USD\n" + tail.encode())
    with pytest.raises(CostImportError, match=rf"^line {bad_line}: is not UTF-8 text \(byte 0xff at column 16\)$"):
        import_cost_file(engine, path)


def test_a_bad_byte_in_a_gzip_export_is_reported_on_its_line(engine, tmp_path):
    path = tmp_path / "costs.csv.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"date,service,amount,currency\n" + _lines(40).encode() + b"2026-11-01,x,1,\xe9UR\n")
    with pytest.raises(CostImportError, match=r"^line 42: is not UTF-8 text"):
        import_cost_file(engine, path)


def test_a_field_over_the_size_limit_is_reported_on_the_line_that_holds_it(engine, tmp_path):
    import csv

    huge = "x" * (csv.field_size_limit() + 10)
    path = write(tmp_path, "date,service,amount,currency\n" + _lines(5) + f"2026-11-01,{huge},1,USD\n" + _lines(5))
    with pytest.raises(CostImportError, match=r"^line 7: cannot be read \(field larger than field limit"):
        import_cost_file(engine, path)


def test_lines_are_counted_through_quoted_fields_that_span_lines(engine, tmp_path):
    text = ("date,service,amount,currency\n"
            '2026-11-01,"cloud\nstorage",1,USD\n'  # lines 2-3
            "2026-11-02,cdn,1,USD\n"  # line 4
            '2026-11-03,"multi\nline\nname",abc,USD\n'  # lines 5-7: a bad amount
            "2026-11-04,cdn,1,USD\n")
    with pytest.raises(CostImportError, match=r"^line 5 \(a record over lines 5–7\): amount 'abc' is not a number$"):
        import_cost_file(engine, write(tmp_path, text))
    text = text.replace("abc", "1").replace("2026-11-04,cdn,1,USD", "2026-11-04,cdn,oops,USD")
    with pytest.raises(CostImportError, match=r"^line 8: amount 'oops' is not a number$"):
        import_cost_file(engine, write(tmp_path, text))


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_a_service_name_are_refused(engine, tmp_path, control):
    path = write(tmp_path, f"date,service,amount,currency\n2026-11-01,cdn,1,USD\n2026-11-01,fire{control}base,1,USD\n")
    with pytest.raises(CostImportError, match=r"^line 3: service .* holds a control character$"):
        import_cost_file(engine, path)
    assert records(engine) == {}  # nothing written


def test_a_missing_file_is_refused(engine, tmp_path):
    with pytest.raises(CostImportError, match=r"nope\.csv: cannot be opened"):
        import_cost_file(engine, tmp_path / "nope.csv")


def big_file(tmp_path: Path, lines: int) -> Path:
    day = [f"2026-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}" for n in range(lines)]
    rows = "".join(f"{d},svc{n % 5},1.5,USD\n" for n, d in enumerate(day))
    return write(tmp_path, "date,service,amount,currency\n" + rows)


def test_progress_is_reported_in_bytes_up_to_the_file_size(engine, tmp_path):
    path = big_file(tmp_path, 12_000)
    reports: list[Progress] = []
    import_cost_file(engine, path, progress=reports.append)
    reading = [r for r in reports if r.label.startswith("Reading")]
    assert len(reading) >= 3 and reading[-1].done == reading[-1].total == path.stat().st_size
    assert all(a.done <= b.done for a, b in itertools.pairwise(reading))


def test_cancel_stops_the_import_and_writes_nothing(engine, tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        import_cost_file(engine, big_file(tmp_path, 6_000), cancel=token)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CostCharge.__table__)).scalar_one() == 0


def test_the_charges_table_names_each_source_in_words(engine, tmp_path):
    assert set(view.SOURCE_NAMES) == {f.source for f in FORMATS} | {view.SYNCED_SOURCE}  # every format named
    import_cost_file(engine, write(tmp_path, "date,service,amount\n2026-11-01,cdn,1\n"))
    column = view.CHARGES.column("source")
    rows = WindowSource(engine, view.CHARGES).page(WindowQuery("day"), 0, 10)
    assert [column.shown(row[1 + view.CHARGES.index_of("source")]) for row in rows] == ["Simple CSV file"]
