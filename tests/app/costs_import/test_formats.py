"""Each export format mapped onto FOCUS, with hand-computed totals; reports, parts, re-imports and accounts (no Qt)."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from sqlalchemy import func, select

from app.costs_import import CostImportError, import_cost_files
from app.store.schema import CostDaily, CostReport
from tests.app.costs_import.support import charges, import_cost_file, records, write

NOV1, NOV2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)
M = 1_000_000

CUR_LEGACY = (
    "identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
    "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost,"
    "lineItem/CurrencyCode,pricing/publicOnDemandCost,savingsPlan/SavingsPlanEffectiveCost,"
    "resourceTags/user:team\n"
)


def _cur_lines(account: str = "111") -> str:
    period = "2026-11-01T00:00:00Z"
    return "".join(f"{i},{account},{period},{rest}\n" for i, rest in enumerate([
        f"{account},Usage,2026-11-01T00:00:00Z,AmazonEC2,1.25,USD,1.50,,web",
        f"{account},Usage,2026-11-01T05:00:00Z,AmazonEC2,0.75,USD,0.90,,web",
        "222,SavingsPlanCoveredUsage,2026-11-01T06:00:00Z,AmazonEC2,2.00,USD,2.00,1.20,",
        "222,SavingsPlanNegation,2026-11-01T06:00:00Z,AmazonEC2,-2.00,USD,,,",
        f"{account},Tax,2026-11-02T00:00:00Z,AmazonEC2,0.40,USD,,,",
        f"{account},Credit,2026-11-02T00:00:00Z,AmazonS3,-0.10,USD,,,",
    ]))


def test_aws_cur_maps_line_types_onto_focus_costs_categories_accounts_and_tags(engine, tmp_path):
    """Rule "Costs ▸ Import columns ▸ AWS CUR": effective cost by line type, list = public on-demand."""
    import_cost_file(engine, write(tmp_path, CUR_LEGACY + _cur_lines(), "cur.csv"))
    assert charges(engine, "charge_period_start", "sub_account_id", "service_name", "charge_category",
                   "billed_cost_micros", "effective_cost_micros", "list_cost_micros", "tags") == [
        (NOV1, "111", "amazonec2", "Usage", 2_000_000, 2_000_000, 2_400_000, '{"user:team":"web"}'),
        (NOV1, "222", "amazonec2", "Usage", 0, 1_200_000, 2_000_000 - 2_000_000, "{}"),
        (NOV2, "111", "amazonec2", "Tax", 400_000, 400_000, 400_000, "{}"),
        (NOV2, "111", "storage", "Credit", -100_000, -100_000, -100_000, "{}"),
    ]
    assert charges(engine, "provider_name", "billing_account_id", "billing_period_start")[0] == ("AWS", "111", NOV1)


def test_a_report_in_several_parts_is_one_import_and_the_parts_are_summed(engine, tmp_path):
    head, *lines = (CUR_LEGACY + _cur_lines()).splitlines(keepends=True)
    part1 = write(tmp_path, head + "".join(lines[:3]), "cur-1.csv")
    part2 = tmp_path / "cur-2.csv.gz"
    with gzip.open(part2, "wt", encoding="utf-8", newline="") as f:
        f.write(head + "".join(lines[3:]))
    result = import_cost_files(engine, [part1, part2])
    (report,) = result.reports
    assert report.files == ("cur-1.csv", "cur-2.csv.gz") and report.lines == 6 and report.replaced is None
    assert report.effective_micros == {"USD": 2_000_000 + 1_200_000 + 400_000 - 100_000}
    # part 2 alone later replaces the whole report, and says which files it replaced
    again = import_cost_files(engine, [part2])
    assert again.reports[0].replaced is not None and again.reports[0].replaced.files == ("cur-1.csv", "cur-2.csv.gz")


def test_a_manifest_imports_every_part_it_lists(engine, tmp_path):
    head, *lines = (CUR_LEGACY + _cur_lines()).splitlines(keepends=True)
    folder = tmp_path / "cur" / "20261101-20261201" / "assembly-1"
    folder.mkdir(parents=True)
    for n, chunk in enumerate((lines[:2], lines[2:]), 1):
        with gzip.open(folder / f"report-{n}.csv.gz", "wt", encoding="utf-8", newline="") as f:
            f.write(head + "".join(chunk))
    manifest = folder.parent / "report-Manifest.json"
    manifest.write_text(json.dumps({"reportKeys": [f"/cur/20261101-20261201/assembly-1/report-{n}.csv.gz"
                                                   for n in (1, 2)], "account": "111"}))
    result = import_cost_files(engine, [manifest])
    assert result.files == ("report-1.csv.gz", "report-2.csv.gz") and result.lines == 6
    assert result.reports[0].effective_micros == {"USD": 3_500_000}

    (folder / "report-2.csv.gz").unlink()
    with pytest.raises(CostImportError, match=r"report-Manifest\.json: part report-2\.csv\.gz is not beside"):
        import_cost_files(engine, [manifest])


def test_a_part_a_manifest_lists_may_hold_only_its_header_but_a_chosen_file_may_not(engine, tmp_path):
    """koku-nise writes a last part of only the header when the lines fill the parts before it exactly."""
    head, *lines = (CUR_LEGACY + _cur_lines()).splitlines(keepends=True)
    chunks = (lines[:3], lines[3:], [])
    for n, chunk in enumerate(chunks, 1):
        write(tmp_path, head + "".join(chunk), f"report-{n}.csv")
    manifest = tmp_path / "report-Manifest.json"
    manifest.write_text(json.dumps({"reportKeys": [f"cur/report-{n}.csv" for n in (1, 2, 3)]}))
    result = import_cost_files(engine, [manifest])
    assert result.files == ("report-1.csv", "report-2.csv", "report-3.csv") and result.lines == 6
    assert result.reports[0].files == ("report-1.csv", "report-2.csv")  # the empty part adds to no report

    chosen = [tmp_path / "report-1.csv", tmp_path / "report-3.csv"]
    with pytest.raises(CostImportError, match=r"^report-3\.csv: the file holds no cost lines, only a header$"):
        import_cost_files(engine, chosen)
    (tmp_path / "report-1.csv").write_text(head)
    (tmp_path / "report-2.csv").write_text(head)
    with pytest.raises(CostImportError, match=r"^the files hold no cost lines, only headers$"):
        import_cost_files(engine, [manifest])


def test_cur_2_data_export_manifest_lists_data_files(engine, tmp_path):
    path = tmp_path / "part-0.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        f.write("bill_payer_account_id,line_item_usage_start_date,line_item_product_code,"
                "line_item_unblended_cost,line_item_currency_code\n999,2026-11-01T05:00:00Z,AmazonRDS,4.25,USD\n")
    (tmp_path / "Manifest.json").write_text(json.dumps({"dataFiles": ["s3://bucket/data/x/part-0.csv.gz"]}))
    assert import_cost_files(engine, [tmp_path / "Manifest.json"]).reports[0].billing_account == "999"
    assert records(engine) == {(NOV1, "amazonrds", "USD", "aws_cur"): 4_250_000}


def test_reimporting_the_same_report_replaces_it_and_two_accounts_never_overwrite_each_other(engine, tmp_path):
    """Rule "Costs ▸ Reports": a report is (provider, billing account, billing period)."""
    first = import_cost_file(engine, write(tmp_path, CUR_LEGACY + _cur_lines("111"), "a.csv"))
    other = import_cost_file(engine, write(tmp_path, CUR_LEGACY + _cur_lines("333"), "b.csv"))
    assert first.reports[0].replaced is None and other.reports[0].replaced is None
    fixed = CUR_LEGACY + _cur_lines("111").replace(",1.25,USD,", ",2.25,USD,")
    again = import_cost_file(engine, write(tmp_path, fixed, "a-fixed.csv"))
    assert again.reports[0].replaced is not None and again.reports[0].replaced.files == ("a.csv",)
    with engine.connect() as conn:
        reports = conn.execute(select(CostReport.billing_account_id, CostReport.files_json)
                               .order_by(CostReport.billing_account_id)).all()
        rollup = conn.execute(select(func.sum(CostDaily.effective_cost_micros))).scalar_one()
    assert reports == [("111", ["a-fixed.csv"]), ("333", ["b.csv"])]
    assert rollup == 2 * 3_500_000 + 1_000_000  # the two accounts, the fixed line once


GCP_HEADER = ("billing_account_id,project.id,service.description,usage_start_time,cost,currency,credits,"
              "invoice.month,cost_type,labels\n")


def test_google_cloud_costs_are_stored_net_of_their_credits(engine, tmp_path):
    """Rule "Costs ▸ Import columns ▸ Google Cloud": credits become a Credit charge; effective is net."""
    credits = '"[{""name"": ""Free tier"", ""amount"": -0.25, ""type"": ""FREE_TIER""}]"'
    text = GCP_HEADER + (
        f"B-1,shop,Compute Engine,2026-11-01T00:00:00-08:00,1.00,USD,{credits},202611,regular,[]\n"
        f"B-1,shop,Compute Engine,2026-11-01T01:00:00-08:00,2.00,USD,{credits},202611,regular,[]\n"
        "B-1,shop,Compute Engine,2026-11-01T02:00:00-08:00,0.30,USD,[],202611,tax,[]\n"
        "B-1,shop,Cloud Storage,2026-10-31T23:00:00-08:00,0.10,USD,[],202611,regular,"
        '"[{""key"": ""env"", ""value"": ""prod""}]"\n'
    )
    import_cost_file(engine, write(tmp_path, text))
    assert charges(engine, "charge_period_start", "service_name", "charge_category", "billed_cost_micros",
                   "effective_cost_micros", "list_cost_micros", "billing_period_start", "tags") == [
        (dt.date(2026, 10, 31), "storage", "Usage", 100_000, 100_000, 100_000, NOV1, '{"env":"prod"}'),
        (NOV1, "compute engine", "Credit", -500_000, -500_000, 0, NOV1, "{}"),
        (NOV1, "compute engine", "Tax", 300_000, 300_000, 300_000, NOV1, "{}"),
        (NOV1, "compute engine", "Usage", 3_000_000, 3_000_000, 3_000_000, NOV1, "{}"),
    ]
    assert records(engine)[(NOV1, "compute engine", "USD", "gcp_billing")] == 2_800_000  # net of credits


AZURE_HEADER = ("BillingAccountId,SubscriptionId,Date,MeterCategory,ServiceFamily,CostInBillingCurrency,"
                "BillingCurrency,ChargeType,paygCostInBillingCurrency,BillingPeriodStartDate,Tags\n")


def test_azure_cost_export(engine, tmp_path):
    """Rule "Costs ▸ Import columns ▸ Azure": cost in billing currency, pay-as-you-go as list cost."""
    text = AZURE_HEADER + (
        '44,sub-a,11/01/2026,Virtual Machines,Compute,1.50,EUR,Usage,2.00,11/01/2026,"""env"": ""prod"""\n'
        "44,sub-a,2026-11-01,Virtual Machines,Compute,0.50,EUR,Usage,,2026-11-01,\n"
        "44,sub-b,2026-11-02,Storage,Storage,-0.20,EUR,Refund,,2026-11-01,\n"
    )
    result = import_cost_file(engine, write(tmp_path, text, "azure.csv"))
    assert result.reports[0].provider == "Microsoft" and result.currencies == ("EUR",)
    assert charges(engine, "charge_period_start", "sub_account_id", "service_name", "service_category",
                   "charge_category", "billed_cost_micros", "list_cost_micros", "tags") == [
        (NOV1, "sub-a", "virtual machines", "Compute", "Usage", 500_000, 500_000, "{}"),
        (NOV1, "sub-a", "virtual machines", "Compute", "Usage", 1_500_000, 2_000_000, '{"env":"prod"}'),
        (NOV2, "sub-b", "storage", "Storage", "Credit", -200_000, -200_000, "{}"),
    ]


FOCUS_HEADER = ("BillingAccountId,SubAccountId,ProviderName,BillingPeriodStart,BillingPeriodEnd,"
                "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,"
                "BilledCost,EffectiveCost,ListCost,BillingCurrency,Tags\n")


def test_a_focus_file_is_read_column_for_column(engine, tmp_path):
    text = FOCUS_HEADER + (
        "A1,S1,Anthropic,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,"
        'Usage,anthropic,AI and Machine Learning,10.00,9.00,12.00,USD,"{""team"": ""ml""}"\n'
        "A1,S1,Anthropic,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,"
        "credit,anthropic,AI and Machine Learning,-5.00,-5.00,0,USD,\n"
    )
    result = import_cost_file(engine, write(tmp_path, text, "focus.csv"))
    assert result.reports[0].provider == "Anthropic" and result.reports[0].format_title == "FOCUS CSV"
    assert charges(engine, "charge_category", "billed_cost_micros", "effective_cost_micros", "list_cost_micros",
                   "service_category", "tags") == [
        ("Credit", -5 * M, -5 * M, 0, "AI and Machine Learning", "{}"),
        ("Usage", 10 * M, 9 * M, 12 * M, "AI and Machine Learning", '{"team":"ml"}'),
    ]
    bad = text.replace("credit,", "Refund,")
    with pytest.raises(CostImportError, match=r"^line 3: ChargeCategory 'Refund' is not a FOCUS charge category"):
        import_cost_file(engine, write(tmp_path, bad, "focus.csv"))


def test_mixed_currencies_are_kept_apart(engine, tmp_path):
    import_cost_file(engine, write(tmp_path, "date,service,amount,currency\n2026-11-01,cdn,1,USD\n"
                                             "2026-11-01,cdn,2,EUR\n2026-11-01,cdn,3,usd\n"))
    assert records(engine) == {(NOV1, "cdn", "USD", "simple_csv"): 4 * M, (NOV1, "cdn", "EUR", "simple_csv"): 2 * M}


def test_a_file_of_another_provider_is_refused_when_a_format_is_required(engine, tmp_path):
    path = write(tmp_path, GCP_HEADER + "B,p,Compute Engine,2026-11-01T00:00:00Z,1,USD,[],202611,regular,[]\n")
    with pytest.raises(CostImportError, match=r"^line 1: the header is a Google Cloud billing export, not an? "
                                              r"AWS Cost and Usage Report"):
        import_cost_files(engine, [path], source="aws_cur")
    assert records(engine) == {}


def test_a_bad_part_refuses_the_whole_import_naming_the_file_and_line(engine, tmp_path):
    good = write(tmp_path, CUR_LEGACY + _cur_lines(), "part-1.csv")
    bad = write(tmp_path, CUR_LEGACY + _cur_lines().replace("0.75", "0,75", 1), "part-2.csv")
    with pytest.raises(CostImportError, match=r"^part-2\.csv: line 3: has 13 fields, the header has 12$"):
        import_cost_files(engine, [good, bad])
    assert records(engine) == {}


def test_a_truncated_gzip_is_refused_on_the_line_where_it_ends(engine, tmp_path):
    path = tmp_path / "costs.csv.gz"
    body = "date,service,amount,currency\n" + "".join(f"2026-11-{1 + n % 28:02d},cdn,1,USD\n" for n in range(5000))
    data = gzip.compress(body.encode())
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CostImportError, match=r"^line \d+: cannot be read \(the compressed file ends early"):
        import_cost_file(engine, path)
    assert records(engine) == {}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("date,service,currency\n", "line 1: the header is not one of the known billing exports"),  # no amount
        ("lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost\n",  # no currency
         "line 1: the header is not one of the known billing exports"),
    ],
)
def test_a_missing_column_is_refused(engine, tmp_path, header, message):
    with pytest.raises(CostImportError, match=f"^{message}"):
        import_cost_file(engine, write(tmp_path, header + "2026-11-01,cdn,1\n"))


def test_an_earlier_bad_field_is_named_before_a_later_bad_line(engine, tmp_path):
    text = "date,service,amount,currency\n2026-11-01,cdn,1,USD\n2026-11-40,cdn,1,USD\n2026-11-02,cdn,x,USD\n"
    with pytest.raises(CostImportError, match=r"^line 3: date '2026-11-40' is not a date"):
        import_cost_file(engine, write(tmp_path, text))


def test_lines_the_store_cannot_tell_apart_are_one_charge(engine, tmp_path):
    text = AZURE_HEADER + (
        "44,sub-a,2026-11-01,Storage,Storage,1.00,EUR,Usage,,2026-11-01,\n"
        "44,sub-a,2026-11-01,Storage,Networking,2.00,EUR,Usage,,2026-11-01,\n"  # another family, same charge
    )
    import_cost_file(engine, write(tmp_path, text, "azure.csv"))
    assert charges(engine, "service_name", "service_category", "billed_cost_micros") == [("storage", "Storage", 3 * M)]
