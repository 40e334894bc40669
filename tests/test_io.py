"""kit.io.load_portfolio: every class of bad input is reported as a Problem naming the
file, the row as in the file (header = line 1, first data row = 2), the column, the
value and what was expected; good input is loaded without touching the files."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from kit.config import Settings
from kit.errors import InputError, Problem
from kit.io import load_portfolio
from kit.model import build_model

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


def test_latin1_file_is_reported_with_its_name(portfolio_dir):
    data = "account_id,period,amount,offering\nA1,2025Q3,10,Caf\u00e9\n".encode("latin-1")
    p = only(problems_of(portfolio_dir({"accounts": ACCOUNTS, "revenue": data})))
    assert p.file == "revenue.csv"
    assert p.row == 2  # the bad byte is on line 2
    assert "UTF-8" in p.expected
    assert p.value == "byte 0xe9"


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
