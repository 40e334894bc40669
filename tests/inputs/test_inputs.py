"""kit.io.load_portfolio: every class of bad input is reported as a Problem naming the
file, the row as in the file (header = line 1, first data row = 2), the column, the
value and what was expected; good input is loaded without touching the files."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.config import Settings
from kit.errors import InputError, Problem
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio

ACCOUNTS = [
    {"account_id": "A1", "account_name": "Acme"},
    {"account_id": "00123", "account_name": "Zero Lead"},
]
REVENUE = [
    {"account_id": "A1", "period": "2025Q3", "amount": "100", "buying_center": "Finance", "offering": "Advisory"},
    {"account_id": "00123", "period": "2025Q3", "amount": "50", "buying_center": "IT", "offering": "Training"},
]
ASSESSED = "2025-09-15"


def _assessment_row(**kw) -> dict:
    row = {"account_id": "A1", "assessed_on": ASSESSED, "rater": "r1", "element": "client_understanding",
           "score": "3", "question_id": "client_understanding.q1", "rater_role": "account_team"}
    row.update(kw)
    return row


def problems_of(folder) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_portfolio(folder)
    return info.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- one class of bad input per test ------------------------------------------------------
def test_missing_required_column(portfolio_dir):
    rev = [{"account_id": "A1", "period": "2025Q3"}]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})))
    assert (p.file, p.row, p.column) == ("revenue.csv", None, "amount")
    assert "required" in p.expected


def test_text_in_amount(portfolio_dir):
    rev = [REVENUE[0], {"account_id": "A1", "period": "2025Q3", "amount": "twelve"}]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})))
    # header is line 1, REVENUE[0] line 2, the bad row line 3
    assert (p.file, p.row, p.column, p.value) == ("revenue.csv", 3, "amount", "twelve")
    assert "number" in p.expected


def test_probability_out_of_range(portfolio_dir):
    opps = [{"account_id": "A1", "opportunity_id": "o1", "amount": "10", "probability": "1.5"}]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "opportunities": opps})))
    assert (p.file, p.row, p.column, p.value) == ("opportunities.csv", 2, "probability", "1.5")
    assert "between 0 and 1" in p.expected


@pytest.mark.parametrize("score", ["0", "6"])
def test_assessment_score_out_of_range(portfolio_dir, score):
    rows = [_assessment_row(score=score)]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows})))
    assert (p.file, p.row, p.column, p.value) == ("assessment.csv", 2, "score", score)
    assert "between 1 and 5" in p.expected


def test_relationship_strength_out_of_range(portfolio_dir):
    contacts = [{"account_id": "A1", "contact_id": "c1", "relationship_strength": "7"}]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "contacts": contacts})))
    assert (p.file, p.row, p.column, p.value) == ("contacts.csv", 2, "relationship_strength", "7")
    assert "between 1 and 5" in p.expected


def test_unknown_element(portfolio_dir):
    rows = [_assessment_row(element="culture", question_id="")]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows})))
    assert (p.file, p.row, p.column, p.value) == ("assessment.csv", 2, "element", "culture")
    assert "client_understanding" in p.expected and "pipeline_health" in p.expected


def test_unknown_rater_role(portfolio_dir):
    rows = [_assessment_row(), _assessment_row(rater="r2", rater_role="boss")]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows})))
    assert (p.file, p.row, p.column, p.value) == ("assessment.csv", 3, "rater_role", "boss")
    assert "account_team" in p.expected and "client" in p.expected


def test_duplicate_account_id(portfolio_dir):
    accounts = ACCOUNTS + [{"account_id": "A1", "account_name": "Acme again"}]
    problems = problems_of(portfolio_dir({"accounts": accounts, "revenue": REVENUE}))
    # both rows of the duplicate are named: lines 2 and 4
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("accounts.csv", 2, "account_id", "A1"), ("accounts.csv", 4, "account_id", "A1")]
    assert all("duplicate" in p.expected for p in problems)


@pytest.mark.parametrize("second", ["2025Q3", "2025-08-01"])
def test_duplicate_target_same_quarter(portfolio_dir, second):
    # 2025-08-01 lies in 2025Q3, so both spellings name the same quarter
    targets = [{"account_id": "A1", "period": "2025Q3", "revenue_target": "100"},
               {"account_id": "A1", "period": second, "revenue_target": "200"}]
    problems = problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "targets": targets}))
    assert [(p.file, p.row) for p in problems] == [("targets.csv", 2), ("targets.csv", 3)]
    for p in problems:
        assert "duplicate" in p.expected
        # the columns are named as in the file, the quarter as a label (not an index)
        assert p.column == "account_id, period"
        assert p.value == "A1 / 2025Q3"


@pytest.mark.parametrize("period", ["2025Q5", "July", "2025-13-01"])
def test_bad_period(portfolio_dir, period):
    rev = [{"account_id": "A1", "period": period, "amount": "1"}]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})))
    assert (p.file, p.row, p.column, p.value) == ("revenue.csv", 2, "period", period)
    assert "2025Q3" in p.expected


def test_unknown_account_in_child_table(portfolio_dir):
    rev = REVENUE + [{"account_id": "GHOST", "period": "2025Q3", "amount": "5"}]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})))
    # REVENUE has two rows (lines 2, 3): the ghost row is line 4
    assert (p.file, p.row, p.column, p.value) == ("revenue.csv", 4, "account_id", "GHOST")
    assert "accounts" in p.expected


def test_latin1_file_is_read_as_windows_1252(portfolio_dir):
    # not UTF-8: read as Windows-1252 (a superset of Latin-1's letters), and said so
    data = "account_id,period,amount,offering\nA1,2025Q3,10,Caf\u00e9\n".encode("latin-1")
    p = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": data}))
    assert p.table("revenue")["offering"].tolist() == ["Caf\u00e9"]
    assert p.encodings == {"accounts.csv": "utf-8", "revenue.csv": "cp1252"}


def test_binary_file_is_reported_with_its_name(portfolio_dir):
    data = b"account_id,period,amount\nA1,2025Q3,1\x00\x00\n"
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": data})))
    assert (p.file, p.row, p.column) == ("revenue.csv", None, None)
    assert "binary" in p.expected


def test_missing_folder(tmp_path):
    p = only(problems_of(tmp_path / "no_such_folder"))
    assert "no_such_folder" in p.file
    assert "not found" in p.expected


def test_missing_revenue_file(portfolio_dir):
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS})))
    assert p.file == "revenue.csv"
    assert "required" in p.expected


def test_problem_message_names_everything():
    p = Problem("revenue.csv", 7, "amount", "twelve", "a number")
    text = str(p)
    for part in ("revenue.csv", "row 7", "column amount", "twelve", "expected a number"):
        assert part in text
    err = InputError([p, Problem("targets.csv", 2, "period", "July", "a quarter label")])
    assert "2 problems" in str(err) and "targets.csv" in str(err) and "July" in str(err)


# --- all problems at once -------------------------------------------------------------------
def test_all_problems_of_a_file_are_listed(portfolio_dir):
    rev = [
        REVENUE[0],                                                   # line 2: fine
        {"account_id": "A1", "period": "2025Q3", "amount": "abc"},    # line 3: text amount
        {"account_id": "A1", "period": "2025Q5", "amount": "1"},      # line 4: bad quarter
        {"account_id": "NOPE", "period": "2025Q3", "amount": "1"},    # line 5: unknown account
    ]
    problems = problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev}))
    got = sorted((p.row, p.column, p.value) for p in problems)
    assert got == [(3, "amount", "abc"), (4, "period", "2025Q5"), (5, "account_id", "NOPE")]


def test_problems_across_two_files_are_listed(portfolio_dir):
    rev = [{"account_id": "A1", "period": "2025Q3", "amount": "x"}]
    targets = [{"account_id": "A1", "period": "2025Q3", "revenue_target": "y"}]
    problems = problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev, "targets": targets}))
    assert sorted((p.file, p.row, p.column) for p in problems) == [
        ("revenue.csv", 2, "amount"), ("targets.csv", 2, "revenue_target")]


def test_unknown_account_reported_even_when_accounts_has_a_duplicate(portfolio_dir):
    accounts = ACCOUNTS + [{"account_id": "A1", "account_name": "again"}]
    rev = REVENUE + [{"account_id": "GHOST", "period": "2025Q3", "amount": "5"}]
    problems = problems_of(portfolio_dir({"accounts": accounts, "revenue": rev}))
    assert ("revenue.csv", 4, "account_id", "GHOST") in [(p.file, p.row, p.column, p.value) for p in problems]
    assert sum(p.file == "accounts.csv" for p in problems) == 2


# --- question bank --------------------------------------------------------------------------
def test_question_not_in_bank(portfolio_dir):
    rows = [_assessment_row(question_id="client_understanding.q99")]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows})))
    assert (p.file, p.row, p.column, p.value) == ("assessment.csv", 2, "question_id", "client_understanding.q99")


def test_question_of_another_element(portfolio_dir):
    rows = [_assessment_row(), _assessment_row(question_id="pipeline_health.q1")]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows})))
    assert (p.file, p.row, p.column, p.value) == ("assessment.csv", 3, "question_id", "pipeline_health.q1")
    assert "pipeline_health" in p.expected and "client_understanding" in p.expected


def test_bad_client_bank_does_not_cause_false_question_problems(portfolio_dir):
    # cu1 is in the client's questions.csv; only its weight is wrong, so the one problem
    # is the weight (the assessment must not be checked against the default bank)
    questions = [{"element": "client_understanding", "question_id": "cu1", "text": "Q", "weight": "-1"}]
    rows = [_assessment_row(question_id="cu1")]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE,
                                        "questions": questions, "assessment": rows})))
    assert (p.file, p.row, p.column, p.value) == ("questions.csv", 2, "weight", "-1")


def test_client_questions_replace_default_bank(portfolio_dir):
    questions = [
        {"element": "client_understanding", "question_id": "cu1", "text": "Priorities?", "weight": "3"},
        {"element": "client_understanding", "question_id": "cu2", "text": "CEO agenda?", "weight": "1"},
    ]
    rows = [_assessment_row(question_id="cu1", score="5"), _assessment_row(question_id="cu2", score="1")]
    folder = portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "questions": questions, "assessment": rows})
    portfolio = load_portfolio(folder)
    assert portfolio.questions_supplied
    assert portfolio.table("questions")["question_id"].tolist() == ["cu1", "cu2"]
    el = build_model(portfolio, Settings()).assessment.elements.set_index(["account_id", "element"])
    # weighted rater mean (5*3 + 1*1) / 4 = 4.0 -> (4 - 1) / 4 * 100 = 75 (unweighted would be 50)
    assert el.loc[("A1", "client_understanding"), "score"] == pytest.approx(75.0)
    # a default-bank id is unknown once the client supplies its own bank
    bad = [_assessment_row(question_id="client_understanding.q1")]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "questions": questions, "assessment": bad})))
    assert p.column == "question_id" and "questions.csv" in p.expected


# --- good input -----------------------------------------------------------------------------
def test_leading_zero_account_id_stays_text(portfolio_dir):
    targets = [{"account_id": "00123", "period": "2025Q3", "revenue_target": "40"}]
    portfolio = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "targets": targets}))
    assert portfolio.account_ids == ["A1", "00123"]
    assert portfolio.table("revenue")["account_id"].tolist() == ["A1", "00123"]
    assert portfolio.table("targets")["account_id"].tolist() == ["00123"]
    model = build_model(portfolio, Settings())
    assert model.figures.index.tolist() == ["A1", "00123"]
    # T4Q of 00123 = its one row of 50; attainment 50 / 40 = 1.25
    assert model.figures.loc["00123", "revenue_t4q"] == pytest.approx(50.0)
    assert model.figures.loc["00123", "revenue_attainment"] == pytest.approx(1.25)


def test_input_files_are_not_modified(portfolio_dir):
    folder = portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE,
                            "assessment": [_assessment_row(comment="ok")]})
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    portfolio = load_portfolio(folder)
    build_model(portfolio, Settings())
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before
    assert portfolio.hashes == before  # the manifest's hashes are of the bytes read


def test_extra_columns_are_kept_and_ignored(portfolio_dir):
    rev = [dict(REVENUE[0], invoice_no="INV-1"), dict(REVENUE[1], invoice_no="INV-2")]
    portfolio = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev}))
    assert portfolio.table("revenue")["invoice_no"].tolist() == ["INV-1", "INV-2"]
    assert build_model(portfolio, Settings()).figures.loc["A1", "revenue_t4q"] == pytest.approx(100.0)


def test_blank_buying_center_and_offering_become_unspecified(portfolio_dir):
    rev = [{"account_id": "A1", "period": "2025Q3", "amount": "10", "buying_center": "", "offering": " "}]
    revenue = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})).table("revenue")
    assert revenue["buying_center"].tolist() == ["Unspecified"]
    assert revenue["offering"].tolist() == ["Unspecified"]


def test_iso_date_period_maps_to_its_quarter(portfolio_dir):
    rev = [{"account_id": "A1", "period": "2025-08-01", "amount": "10"}]
    revenue = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})).table("revenue")
    assert revenue["period"].tolist() == ["2025Q3"]
    assert revenue["quarter"].tolist() == [2025 * 4 + 2]


# --- xlsx workbook --------------------------------------------------------------------------
def _write_workbook(path, tables: dict[str, list[dict]]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, rows in tables.items():
            pd.DataFrame(rows, dtype=str).to_excel(xl, sheet_name=name, index=False)


def test_xlsx_loads_the_same_figures_as_the_folder(portfolio_dir, tmp_path):
    tables = {
        "accounts": ACCOUNTS,
        "revenue": REVENUE + [{"account_id": "A1", "period": "2025-05-20", "amount": "-12.5",
                               "buying_center": "Finance", "offering": "Advisory"}],
        "targets": [{"account_id": "A1", "period": "2025Q3", "revenue_target": "80"}],
    }
    folder = portfolio_dir(tables)
    book = tmp_path / "client.xlsx"
    _write_workbook(book, tables)
    from_csv, from_xlsx = load_portfolio(folder), load_portfolio(book)
    assert set(from_xlsx.tables) == set(from_csv.tables)
    for name in ("accounts", "revenue", "targets"):
        pd.testing.assert_frame_equal(from_xlsx.table(name), from_csv.table(name))
    a = build_model(from_csv, Settings()).figures
    b = build_model(from_xlsx, Settings()).figures
    # T4Q of A1 = 100 - 12.5 = 87.5; only 2025Q3 has a target, so attainment compares
    # that quarter alone (like with like): 100 / 80 = 1.25
    assert b.loc["A1", "revenue_t4q"] == a.loc["A1", "revenue_t4q"] == pytest.approx(87.5)
    assert b.loc["A1", "revenue_attainment"] == a.loc["A1", "revenue_attainment"] == pytest.approx(1.25)
    assert b.index.tolist() == ["A1", "00123"]


def test_xlsx_errors_name_the_sheet(tmp_path):
    book = tmp_path / "client.xlsx"
    _write_workbook(book, {"accounts": ACCOUNTS,
                           "revenue": [{"account_id": "A1", "period": "2025Q3", "amount": "lots"}]})
    p = only(problems_of(book))
    assert "client.xlsx" in p.file and "sheet revenue" in p.file
    assert (p.row, p.column, p.value) == (2, "amount", "lots")


def test_xlsx_without_revenue_sheet(tmp_path):
    book = tmp_path / "client.xlsx"
    _write_workbook(book, {"accounts": ACCOUNTS})
    p = only(problems_of(book))
    assert p.file == "client.xlsx" and "revenue" in p.expected


def test_xlsx_native_number_and_date_cells(tmp_path):
    import datetime as dt

    book = tmp_path / "native.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        pd.DataFrame({"account_id": ["A1"], "account_name": ["Acme"], "wallet_estimate": [1000.5]}).to_excel(
            xl, sheet_name="accounts", index=False)
        pd.DataFrame({"account_id": ["A1", "A1"], "period": [dt.datetime(2025, 8, 1), "2025Q2"],
                      "amount": [100.25, 7]}).to_excel(xl, sheet_name="revenue", index=False)
        pd.DataFrame({"account_id": ["A1"], "assessed_on": [dt.datetime(2025, 9, 1)], "rater": ["r1"],
                      "element": ["relationships"], "score": [4]}).to_excel(xl, sheet_name="assessment", index=False)
    p = load_portfolio(book)
    # an Excel date cell in period maps to its quarter (2025-08-01 -> 2025Q3)
    assert p.table("revenue")["period"].tolist() == ["2025Q3", "2025Q2"]
    assert p.table("revenue")["amount"].tolist() == [100.25, 7.0]
    assert p.table("accounts")["wallet_estimate"].tolist() == [1000.5]
    assert p.table("assessment")["assessed_on"].tolist() == [pd.Timestamp("2025-09-01")]
    # as_of default: end of 2025Q3; T4Q 100.25 + 7 = 107.25; rated 4 -> 75
    f = build_model(p, Settings()).figures.loc["A1"]
    assert f["revenue_t4q"] == pytest.approx(107.25) and f["health_index"] == pytest.approx(75.0)


# --- tables not supplied, encodings, number forms ---------------------------------------------
def test_missing_optional_table_has_the_columns_of_a_supplied_one(portfolio_dir):
    """A table not supplied is empty but shaped like a supplied one, with the derived
    columns (opportunities: is_open, is_won), so every figure and report section can
    use it as it is."""
    opps = [{"account_id": "A1", "opportunity_id": "o1", "stage": "won"}]
    with_opps = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "opportunities": opps}))
    without = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE}))
    for name in ("opportunities", "contacts"):
        assert set(without.table(name).columns) == set(with_opps.table(name).columns)
    missing = without.table("opportunities")
    assert missing.empty and {"is_open", "is_won"} <= set(missing.columns)
    assert with_opps.table("opportunities")["is_won"].tolist() == [True]


@pytest.mark.parametrize("text, encoding, eol, expected", [
    # accented letters inside words decide
    ("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "cp1252", "\r\n", "cp1252"),
    ("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "mac_roman", "\r", "mac_roman"),
    ("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "mac_roman", "\n", "mac_roman"),
    ("M\u00fcller \u2013 Caf\u00e9", "mac_roman", "\n", "mac_roman"),
    ("SOCI\u00c9T\u00c9", "cp1252", "\n", "cp1252"),
    ("SOCI\u00c9T\u00c9", "mac_roman", "\n", "mac_roman"),
    # curly quotes and apostrophes (Word, Outlook) are not taken for Mac Roman letters
    ("don\u2019t \u201cAcme\u201d \u2013 O\u2019Brien", "cp1252", "\r\n", "cp1252"),
    # no accented letter inside a word: CR-only line ends mean a Mac, else Windows
    ("\u201cAcme\u201d \u2013 100\u20ac", "mac_roman", "\r", "mac_roman"),
    ("\u201cAcme\u201d \u2013 100\u20ac", "cp1252", "\r\n", "cp1252"),
    # a byte Windows-1252 does not define (0x8d: Mac Roman's \u00e7)
    ("Fran\u00e7ois", "mac_roman", "\n", "mac_roman"),
])
def test_legacy_encoding_rule(portfolio_dir, text, encoding, eol, expected):
    data = f"account_id,account_name{eol}A1,{text}{eol}00123,Zero Lead{eol}".encode(encoding)
    p = load_portfolio(portfolio_dir({"accounts": data, "revenue": REVENUE}))
    assert p.encodings["accounts.csv"] == expected
    assert p.table("accounts")["account_name"].tolist()[0] == text


@pytest.mark.parametrize("cell, value", [
    ("1,234", 1234.0), ("1,234,567.89", 1234567.89), ("-5,000", -5000.0), ("+12,000.5", 12000.5),
    (" 1,000 ", 1000.0), ("1e3", 1000.0), ("007", 7.0), ("-0.5", -0.5),
])
def test_numbers_with_thousands_separators(portfolio_dir, cell, value):
    rev = [{"account_id": "A1", "period": "2025Q3", "amount": cell}]
    assert load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})).table("revenue")["amount"].tolist() == [value]


@pytest.mark.parametrize("cell, hint", [
    ("1.234,56", "(with a decimal point, like 1234.56)"), ("12,5", "(with a decimal point, like 12.5)"),
    ("0,5", "(with a decimal point, like 0.5)"), ("1,23", "(with a decimal point, like 1.23)"), ("12,3456", "(plain digits, like 123456)"),
    ("$1,200", "(plain digits, like 1200)"), ("\u20ac 1.200,50", "(with a decimal point, like 1200.5)"),
    ("12 %", "(without %, like 12)"), ("(100)", "(plain digits, like -100)"), ("1'000", "(plain digits, like 1000)"),
    ("1\u00a0000", "(plain digits, like 1000)"), ("abc", ""), ("inf", ""),
])
def test_formatted_numbers_are_refused_with_what_to_write(portfolio_dir, cell, hint):
    rev = [{"account_id": "A1", "period": "2025Q3", "amount": cell}]
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": rev})))
    assert (p.file, p.row, p.column, p.value) == ("revenue.csv", 2, "amount", cell)
    assert p.expected == f"a number {hint}".rstrip()


def test_headers_match_whatever_their_case_and_spacing(portfolio_dir):
    data = " Account ID ,ACCOUNT_NAME,Market-Growth\nA1,Acme,0.1\n00123,Zero Lead,\n"
    p = load_portfolio(portfolio_dir({"accounts": data, "revenue": REVENUE}))
    assert p.account_ids == ["A1", "00123"]
    assert p.table("accounts")["market_growth"].tolist()[0] == 0.1


# --- file names from untrusted account ids -------------------------------------------

def test_report_stems_are_safe_for_hostile_ids():
    from kit.files.names import WINDOWS_RESERVED, report_stems

    ids = ["../evil", "a/b", "a_b", "CON", "lpt1", "x" * 300, "<b>id</b>", "00123", "Ünïcode id", "-rf", "..", "",
           "a\\b", "C:\\x", "ABC", "abc"]
    stems = report_stems(ids)
    assert stems["00123"] == "00123" and stems["a_b"] == "a_b"  # safe ids keep their name
    assert stems["a/b"] != stems["a_b"] and stems["a/b"].startswith("a_b-")
    assert stems["CON"].lower() not in WINDOWS_RESERVED and stems["CON"].startswith("CON-")
    assert stems["Ünïcode id"].startswith("Unicode_id-")
    assert stems["ABC"].lower() != stems["abc"].lower()  # one file each on a case-insensitive disk
    for stem in stems.values():
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", stem), stem


def test_report_stems_never_collide_even_for_ids_made_to_collide():
    from kit.files.names import report_stems

    made = report_stems(["a/b"])["a/b"]  # an id spelled exactly like another id's hashed stem
    stems = report_stems(["a/b", made, made.upper()])
    assert len({s.lower() for s in stems.values()}) == 3


@given(st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=30, unique=True), st.randoms())
@settings(max_examples=200, deadline=None)
def test_report_stems_property(ids, rnd):
    from kit.files.names import WINDOWS_RESERVED, report_stems

    stems = report_stems(ids)
    assert set(stems) == set(ids)
    assert len({s.lower() for s in stems.values()}) == len(ids)
    for s in stems.values():
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", s) and len(s) <= 64 and s.lower() not in WINDOWS_RESERVED
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert report_stems(shuffled) == stems  # the same ids give the same names, in any order


def test_writers_replace_a_file_whole_and_leave_no_temporary(tmp_path, monkeypatch):
    """A write that fails half-way leaves the earlier file as it was."""
    from kit.files import atomic, tables

    path = tmp_path / "out" / "t.csv"
    tables.write_csv(pd.DataFrame({"a": [1, 2]}), path)
    good = path.read_bytes()

    def broken(df, tmp, columns):
        tmp.write_text("a\n1\n")  # half a table, then the process is interrupted
        raise KeyboardInterrupt

    monkeypatch.setattr(tables, "_write_csv", broken)
    with pytest.raises(KeyboardInterrupt):
        tables.write_csv(pd.DataFrame({"a": [3]}), path)
    assert path.read_bytes() == good and sorted(p.name for p in path.parent.iterdir()) == ["t.csv"]
    atomic.write_json({"b": 1}, tmp_path / "m.json")
    atomic.write_text("<p>x</p>", tmp_path / "p.html")
    assert (tmp_path / "m.json").read_text() == '{\n  "b": 1\n}\n' and (tmp_path / "p.html").read_text() == "<p>x</p>"
    assert not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.rglob("*.kit-tmp"))


def test_workbooks_keep_input_text_as_text(tmp_path):
    """A contact named like a formula stays text in the plan workbook (no live formula)."""
    from openpyxl import load_workbook

    from kit.files.workbooks import write_workbook

    df = pd.DataFrame({"name": ['=HYPERLINK("http://evil.example","x")', "+1-2", "Ann"], "n": [1, 2, 3]})
    path = write_workbook({"Stakeholders": df}, tmp_path / "plan.xlsx", title="Plan")
    ws = load_workbook(path)["Stakeholders"]
    assert ws["A3"].value == '=HYPERLINK("http://evil.example","x")' and ws["A3"].data_type == "s"
    assert ws["A4"].data_type == "s" and ws["B5"].value == 3
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_csv_tables_never_hold_a_formula(tmp_path):
    """Input text a spreadsheet would run (CSV injection) gets a leading apostrophe;
    numbers and plain-number text stay as they are."""
    from kit.files.tables import write_csv

    df = pd.DataFrame({"name": ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(A1)", "\tx",
                                "-5", "Ann", None],
                       "n": [1.0, -2.5, 3.0, 4.0, 5.0, 6.0, 7.0]})
    write_csv(df, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert back["name"].tolist() == ['\'=HYPERLINK("http://evil.example","x")', "'+cmd|' /C calc'!A0", "'@SUM(A1)",
                                     "'\tx", "-5", "Ann", ""]
    assert back["n"].tolist() == ["1", "-2.5", "3", "4", "5", "6", "7"]


def test_workbook_text_a_workbook_cannot_hold_is_replaced_and_said(tmp_path):
    from openpyxl import load_workbook

    from kit.files.workbooks import write_workbook

    notes: list[str] = []
    df = pd.DataFrame({"name": ["Evil\x1b[31m\x07 Corp", "fine"]})
    path = write_workbook({"Goals": df}, tmp_path / "plan.xlsx", title="Plan of Evil\x1b Corp", notes=notes)
    ws = load_workbook(path)["Goals"]
    assert ws["A3"].value == "Evil\ufffd[31m\ufffd Corp" and ws["A1"].value == "Plan of Evil\ufffd Corp"
    assert notes == [("3 character(s) of the input text that a workbook cannot hold (control characters) were replaced "
                     "with U+FFFD in plan.xlsx")]
