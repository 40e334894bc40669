"""A mapping file per derivation: constants, date and number formats, value maps,
keywords, default probabilities, derived tables, and the other column options."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from kit.errors import InputError
from kit.importing.importer import run_import
from kit.importing.kitapi import load_portfolio

ACCOUNTS = "Customer No,Customer\n00123,Acme\n00456,Brightwater\n"
ACCOUNTS_MAPPING = """\
  accounts:
    source: {file: customers.csv}
    columns:
      account_id: Customer No
      account_name: Customer
"""


def run(tmp_path: Path, files: dict[str, str | bytes], mapping: str, **options):
    """Import ``files`` (name -> text) with ``mapping``; the sources must come out unchanged."""
    src = tmp_path / "exports"
    src.mkdir(exist_ok=True)
    for name, text in files.items():
        path = src / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()}
    (tmp_path / "mapping.yml").write_text(mapping, encoding="utf-8")
    try:
        return run_import([src], out=tmp_path / "out", mapping=tmp_path / "mapping.yml", **options)
    finally:
        assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()} == before


def table(res, name: str) -> pd.DataFrame:
    return pd.read_csv(res.out / f"{name}.csv", dtype=str, keep_default_na=False)


def test_a_constant(tmp_path):
    res = run(tmp_path, {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n"},
              "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    columns:
      account_id: Customer No
      period: Quarter
      amount: Net
      buying_center: {value: Group IT}
""")
    assert table(res, "revenue")[["period", "buying_center"]].values.tolist() == [["2025Q1", "Group IT"]]
    assert "buying_center <- the constant 'Group IT'" in res.summary
    load_portfolio(res.out)


def test_a_date_format_and_a_number_format_with_a_decimal_comma(tmp_path):
    invoices = "Kunde;Datum;Betrag\n00123;31.01.2025;1.234,56\n00456;01.02.2025;-500,00\n"
    res = run(tmp_path, {"customers.csv": ACCOUNTS, "invoices.csv": invoices}, "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    columns:
      account_id: Kunde
      period: {column: Datum, date: DD.MM.YYYY}
      amount: {column: Betrag, number: "1.234,56"}
""")
    assert table(res, "revenue")[["period", "amount"]].values.tolist() == [["2025-01-31", "1234.56"], ["2025-02-01", "-500"]]
    assert "cells separated by semicolons" in res.summary


def test_a_currency_number_format_and_a_percentage(tmp_path):
    customers = 'Customer No,Customer,Wallet,Growth\n00123,Acme,"$1,200.50",12%\n00456,Brightwater,"$900,000.00",-3 %\n'
    res = run(tmp_path, {"customers.csv": customers, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n"}, """\
tables:
  accounts:
    source: {file: customers.csv}
    columns:
      account_id: Customer No
      account_name: Customer
      wallet_estimate: {column: Wallet, number: "$1,200.50"}
      market_growth: {column: Growth, percent: true}
  revenue:
    columns: {account_id: Customer No, period: Quarter, amount: Net}
""")
    assert table(res, "accounts")[["wallet_estimate", "market_growth"]].values.tolist() == [["1200.5", "0.12"], ["900000", "-0.03"]]


def test_a_value_map_and_keywords(tmp_path):
    contacts = ("Customer No,Id,Title,Role\n00123,c1,Chief Executive Officer,Sponsor\n00123,c2,Head of IT,Tech\n"
                "00456,c3,Analyst,Sponsor\n00456,c4,,\n")
    res = run(tmp_path, {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n",
                         "people.csv": contacts}, "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Quarter, amount: Net}
  contacts:
    columns:
      account_id: Customer No
      contact_id: Id
      title: Title
      level: {column: Title, keywords: {executive: [chief, ceo], senior: [head]}, otherwise: staff}
      role: {column: Role, map: {Sponsor: decision_maker, Tech: influencer}}
""")
    con = table(res, "contacts")
    assert con[["level", "role"]].values.tolist() == [["executive", "decision_maker"], ["senior", "influencer"],
                                                     ["staff", "decision_maker"], ["", ""]]
    assert "mapped level: executive <- 'Chief Executive Officer'; senior <- 'Head of IT'; staff <- 'Analyst'" in res.summary
    assert "mapped role: decision_maker <- 'Sponsor' x2; influencer <- 'Tech'" in res.summary


def test_default_probability_per_open_stage_and_revenue_from_won_opportunities(tmp_path):
    deals = ("Customer No,Deal,Phase,Value,Chance,Closing\n"
             "00123,D1,Signed,1000,,2025-02-10\n00123,D2,Pitch,500,,2025-12-01\n00456,D3,Pitch,800,25,2025-11-01\n"
             "00456,D4,Dead,300,,2025-03-01\n00456,D5,Signed,,,2025-04-01\n")
    res = run(tmp_path, {"customers.csv": ACCOUNTS, "deals.csv": deals}, "tables:\n" + ACCOUNTS_MAPPING + """\
  opportunities:
    columns:
      account_id: Customer No
      opportunity_id: Deal
      stage: Phase
      amount: Value
      probability: Chance
      close_date: Closing
    stages:
      won: [Signed]
      lost: [Dead]
      open: {Pitch: 0.3}
  revenue:
    derive: won_opportunities
""")
    opp = table(res, "opportunities")
    assert opp[["stage", "probability"]].values.tolist() == [["won", "1"], ["Pitch", "0.3"], ["Pitch", "0.25"],
                                                            ["lost", "0"], ["won", "1"]]
    rev = table(res, "revenue")
    assert rev[["account_id", "period", "amount", "derived_from"]].values.tolist() == \
        [["00123", "2025-02-10", "1000", "won opportunity D1"]]
    assert "dropped 1 row(s) won opportunities without an amount: row 6 of deals.csv" in res.summary
    assert "revenue: 1 row(s) derived" in res.summary
    load_portfolio(res.out)


def test_accounts_derived_from_the_tables_that_name_them(tmp_path):
    deals = "Client,Client Name,Deal,Phase,Value,Closing\nA1,Acme,D1,Won,100,2025-01-05\nB2,,D2,Won,50,2025-02-05\n"
    res = run(tmp_path, {"deals.csv": deals}, """\
tables:
  accounts:
    derive: accounts_of
    derive_from: [opportunities]
  opportunities:
    columns: {account_id: Client, opportunity_id: Deal, stage: Phase, amount: Value, close_date: Closing}
    account: {account_name: Client Name}
  revenue:
    derive: won_opportunities
""")
    assert table(res, "accounts")[["account_id", "account_name"]].values.tolist() == [["A1", "Acme"], ["B2", "B2"]]
    assert "1 account(s) have no name in the exports: their id is their name" in res.summary


def test_concat_first_of_fill_down_and_kept_columns(tmp_path):
    contacts = ("Company,First,Last,Ids,Email\n00123,Lee,Chen,c1;c9,lee@x.example\n,Ana,,c2,ana@x.example\n"
                "00456,Tom,Berg,c3,tom@x.example\n")
    res = run(tmp_path, {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n",
                         "people.csv": contacts}, "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Quarter, amount: Net}
  contacts:
    columns:
      account_id: {column: Company, fill_down: true}
      contact_id: {column: Ids, first_of: ";"}
      name: {concat: [First, Last]}
    keep:
      email: Email
""")
    assert table(res, "contacts").values.tolist() == [
        ["00123", "c1", "Lee Chen", "", "", "", "", "", "", "", "", "", "lee@x.example"],
        ["00123", "c2", "Ana", "", "", "", "", "", "", "", "", "", "ana@x.example"],
        ["00456", "c3", "Tom Berg", "", "", "", "", "", "", "", "", "", "tom@x.example"]]


def test_quarters_months_and_several_files_for_one_table(tmp_path):
    files = {"customers.csv": ACCOUNTS, "rev-2024.csv": "Customer No,Month,Net\n00123,Nov 2024,10\n00456,2024-12,5\n",
             "rev-2025.csv": "Customer No,Month,Net\n00123,Q1-2025,7\n"}
    res = run(tmp_path, files, "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: "rev-*.csv"}
    columns: {account_id: Customer No, period: Month, amount: Net}
""")
    assert table(res, "revenue")["period"].tolist() == ["2024-11-01", "2024-12-01", "2025Q1"]
    assert "3 row(s) read from rev-2024.csv, rev-2025.csv" in res.summary
    assert "2 month value(s) read as the month's first day" in res.summary


def test_values_that_cannot_be_read_are_errors_unless_left_blank_on_purpose(tmp_path):
    invoices = "Customer No,Date,Net,Margin\n00123,2025-01-05,10,abc\n00123,2025-01-06,oops,0.2\n00456,soon,5,0.1\n"
    mapping = "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Date, amount: Net, gross_margin: Margin}
"""
    with pytest.raises(InputError) as exc:
        run(tmp_path, {"customers.csv": ACCOUNTS, "invoices.csv": invoices}, mapping)
    shown = [str(p) for p in exc.value.problems]
    assert any(s.startswith("invoices.csv, row 2, column Margin: value 'abc': expected a number like 1,234.56") for s in shown)
    assert any(s.startswith("invoices.csv, row 3, column Net: value 'oops'") for s in shown)
    assert any(s.startswith("invoices.csv, row 4, column Date: value 'soon': expected a quarter like 2025Q3") for s in shown)
    assert len(shown) == 3
    assert not (tmp_path / "out").exists()
    lenient = mapping.replace("gross_margin: Margin}", "gross_margin: {column: Margin, invalid: blank}}").replace(
        "period: Date", "period: {column: Date, invalid: blank}").replace("amount: Net,", "amount: {column: Net, invalid: blank},")
    res = run(tmp_path, {"customers.csv": ACCOUNTS, "invoices.csv": invoices}, lenient)
    assert table(res, "revenue")["amount"].tolist() == ["10"]
    assert "'Margin': 1 value(s) that are not number like 1,234.56 left blank: 'abc'" in res.summary
    assert "dropped 1 row(s) without amount: row 3 of invoices.csv" in res.summary


def test_pinned_sources_unused_sources_and_other_encodings(tmp_path):
    files = {"customers.csv": "Customer No,Customer\n00123,Soci\xe9t\xe9 G\xe9n\xe9rale\n".encode("cp1252"),
             "a.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n",
             "b.csv": "Customer No,Quarter,Net\n00123,2025Q2,99\n",
             "notes.csv": "Topic,Text\nx,y\n"}
    src = tmp_path / "exports"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-16"))
    (tmp_path / "m.yml").write_text("tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    columns: {account_id: Customer No, period: Quarter, amount: Net}
""", encoding="utf-8")
    res = run_import([src / "customers.csv", f"revenue={src / 'b.csv'}", src / "notes.csv"], out=tmp_path / "out",
                     mapping=tmp_path / "m.yml")
    assert table(res, "revenue")["amount"].tolist() == ["99"]
    assert table(res, "accounts")["account_name"].tolist() == ["Soci\xe9t\xe9 G\xe9n\xe9rale"]
    assert "customers.csv -> accounts: 1 row(s) (read as Windows-1252)" in res.summary
    assert "notes.csv: not used (its header fits no table" in res.summary


def test_the_output_folder_is_refused_when_it_holds_contract_files_or_is_a_source(tmp_path):
    from kit.errors import UsageError

    files = {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n"}
    mapping = "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Quarter, amount: Net}
"""
    first = run(tmp_path, files, mapping)
    with pytest.raises(UsageError, match="already holds accounts.csv, revenue.csv"):
        run(tmp_path, files, mapping)
    dry = run(tmp_path, files, mapping, dry_run=True)
    assert dry.written == () and "Dry run: nothing was written" in dry.summary and "add --force" in dry.summary
    again = run(tmp_path, files, mapping, force=True)
    assert {p.name for p in again.written} == {p.name for p in first.written}
    # --out the exports' own folder: accounts.csv there would be overwritten
    src = tmp_path / "src2"
    src.mkdir()
    (src / "accounts.csv").write_text("Customer No,Customer\n1,A\n", encoding="utf-8")
    (tmp_path / "m2.yml").write_text("tables:\n" + ACCOUNTS_MAPPING.replace("customers.csv", "accounts.csv"), encoding="utf-8")
    with pytest.raises(UsageError, match="would overwrite the export accounts.csv"):
        run_import([src], out=src, mapping=tmp_path / "m2.yml", force=True)


def test_a_dry_run_writes_nothing(tmp_path):
    files = {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n"}
    res = run(tmp_path, files, "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Quarter, amount: Net}
""", dry_run=True)
    assert not (tmp_path / "out").exists()
    assert "the tables pass kit validate (checked in a scratch folder: accounts 2, revenue 1 rows)" in res.summary


def test_what_the_kits_loader_refuses_is_reported_at_the_export_row(tmp_path):
    deals = "Customer No,Deal,Phase,Chance\n00123,D1,Pitch,0.5\n00456,D2,Pitch,1.5\n"
    with pytest.raises(InputError) as exc:
        run(tmp_path, {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n",
                       "deals.csv": deals}, "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Quarter, amount: Net}
  opportunities:
    columns: {account_id: Customer No, opportunity_id: Deal, stage: Phase, probability: {column: Chance, percent: false}}
""")
    (problem,) = [str(p) for p in exc.value.problems]
    assert problem.startswith("deals.csv, row 3, column probability: value '1.5': expected a number between 0 and 1")
    assert "(as opportunities.probability after the import)" in problem
    assert not (tmp_path / "out").exists()


def test_a_second_import_with_force_replaces_its_own_files_and_keeps_the_users(tmp_path):
    files = {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n",
             "people.csv": "Customer No,Id\n00123,c1\n"}
    mapping = "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Quarter, amount: Net}
  contacts:
    optional: true
    columns: {account_id: Customer No, contact_id: Id}
"""
    run(tmp_path, files, mapping)
    out = tmp_path / "out"
    (out / "targets.csv").write_text("account_id,period,revenue_target\n00123,2025Q1,50\n", encoding="utf-8")
    (tmp_path / "exports" / "people.csv").unlink()
    res = run(tmp_path, {k: v for k, v in files.items() if k != "people.csv"}, mapping, force=True)
    assert not (out / "contacts.csv").exists()
    assert (out / "targets.csv").exists()
    assert "removed contacts.csv, written by an earlier import and not by this one" in res.summary
    assert "kept targets.csv, which kit import did not write" in res.summary
    assert len(load_portfolio(out).tables["targets"]) == 1


def test_a_date_format_that_is_no_format_is_refused(tmp_path):
    files = {"customers.csv": ACCOUNTS, "invoices.csv": "Customer No,Quarter,Net\n00123,2025Q1,10\n"}
    with pytest.raises(InputError, match="--date-format: value 'soonish': expected a date format such as DD/MM/YYYY"):
        run(tmp_path, files, "tables:\n" + ACCOUNTS_MAPPING + """\
  revenue:
    source: {file: invoices.csv}
    columns: {account_id: Customer No, period: Quarter, amount: Net}
""", date_format="soonish")
