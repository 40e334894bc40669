"""Questionnaires (kit.questionnaire): the workbook per rater, its protection and
validation, safe file names, the raters file and the checks of the arguments.

The shared portfolio and question bank are in ``workshop_helpers.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from workshop_helpers import BANK, DAY, client_portfolio, messages

from kit.errors import InputError, UsageError
from kit.inputs.resources import load_default_questions
from kit.workshop.common import FIRST_ROW, HEADER_FIELDS, Rater, bank_in_order, read_raters
from kit.workshop.questionnaire import make_questionnaire, make_questionnaires


# ---------------------------------------------------------------------------------------
# the questionnaire
# ---------------------------------------------------------------------------------------
def test_questionnaire_is_protected_with_a_validated_answer_column(portfolio_dir, tmp_path):
    data = client_portfolio(portfolio_dir)
    path = make_questionnaire(data, "00123", "Ann Lee", "Account_Team", tmp_path / "q.xlsx", assessed_on=DAY)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Elements", "Questions", "kit"]
    assert wb["kit"].sheet_state == "veryHidden" and wb.security.lockStructure
    q = wb["Questions"]
    assert [q[ref].value for _, ref, _ in HEADER_FIELDS] == ["00123", "Acme <Holdings> & Co", "Ann Lee", "account_team", DAY]
    assert all(wb[name].protection.sheet for name in ("Instructions", "Elements", "Questions", "kit"))
    assert all(q[ref].protection.locked for _, ref, _ in HEADER_FIELDS)
    last = FIRST_ROW + len(BANK) - 1
    for r in range(FIRST_ROW, last + 1):
        assert not q[f"D{r}"].protection.locked and not q[f"E{r}"].protection.locked
        assert q[f"A{r}"].protection.locked and q[f"B{r}"].protection.locked and q[f"C{r}"].protection.locked
    assert [q[f"B{r}"].value for r in range(FIRST_ROW, last + 1)] == [b["question_id"] for b in BANK]  # the client's bank
    assert q[f"B{last + 1}"].value is None
    (dv,) = q.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"1,2,3,4,5"' and dv.showErrorMessage and dv.errorStyle == "stop"
    assert dv.allow_blank and str(dv.sqref) == f"D{FIRST_ROW}:D{last}"
    elements = wb["Elements"]
    assert next(elements[f"A{i}"].value for i in range(2, 12)) == "Client Understanding"
    assert elements["C2"].value == 2 and elements["C5"].value == 2  # questions per element in this bank
    assert "leave the answer blank" in " ".join(str(c.value) for c in wb["Instructions"]["A"] if c.value).lower()


def test_default_bank_without_client_questions_and_text_kept_as_text(portfolio_dir, tmp_path):
    data = client_portfolio(portfolio_dir, bank=False, name="=HYPERLINK(\"http://x\")")
    path = make_questionnaire(data, "00123", "=cmd|' /C calc'!A0", "client", tmp_path, assessed_on=DAY)
    assert path.parent == tmp_path and path.name.startswith("00123_2026-09-10_")
    q = load_workbook(path)["Questions"]
    default = load_default_questions()
    ids = [q[f"B{r}"].value for r in range(FIRST_ROW, FIRST_ROW + len(default))]
    assert ids == bank_in_order(default)["question_id"].tolist()
    # input text starting with '=' is stored as text, never as a formula
    assert q["B3"].data_type == "s" and q["B4"].data_type == "s"
    assert q["B3"].value == "=HYPERLINK(\"http://x\")"


def test_questionnaire_arguments_are_checked(portfolio_dir, tmp_path):
    data = client_portfolio(portfolio_dir)
    with pytest.raises(UsageError, match="not in accounts"):
        make_questionnaire(data, "99999", "Ann", "client", tmp_path / "a.xlsx")
    with pytest.raises(UsageError, match="role must be one of"):
        make_questionnaire(data, "00123", "Ann", "boss", tmp_path / "a.xlsx")
    with pytest.raises(UsageError, match="ISO date"):
        make_questionnaire(data, "00123", "Ann", "client", tmp_path / "a.xlsx", assessed_on="10/09/2026")
    with pytest.raises(UsageError, match="empty"):
        make_questionnaire(data, "00123", "  ", "client", tmp_path / "a.xlsx")
    make_questionnaire(data, "00123", "Ann", "client", tmp_path / "a.xlsx")
    before = (tmp_path / "a.xlsx").read_bytes()
    with pytest.raises(UsageError, match="exists already"):
        make_questionnaire(data, "00123", "Ann", "leadership", tmp_path / "a.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == before
    make_questionnaire(data, "00123", "Ann", "leadership", tmp_path / "a.xlsx", overwrite=True)
    assert load_workbook(tmp_path / "a.xlsx")["Questions"]["B5"].value == "leadership"
    assert not list(tmp_path.glob(".*.tmp"))


def test_batch_file_names_are_safe_and_unique(portfolio_dir, tmp_path):
    data = portfolio_dir({"accounts": [{"account_id": "../../etc/x", "account_name": "Evil"}],
                          "revenue": [{"account_id": "../../etc/x", "period": "2026Q3", "amount": "1"}]})
    raters = [Rater("../x", "client"), Rater("a/b", "delivery"), Rater("A/B", "leadership"),
              Rater("王伟", "account_team"), Rater("José Núñez", "account_team")]
    out = tmp_path / "q"
    paths = make_questionnaires(data, "../../etc/x", raters, out, assessed_on=DAY)
    assert len({p.name.lower() for p in paths}) == 5
    assert all(p.parent == out and p.is_file() for p in paths)
    assert sorted(p.name for p in tmp_path.rglob("*.xlsx")) == sorted(p.name for p in paths)
    assert all("/" not in p.name and ".." not in p.name for p in paths)
    assert any(p.name.endswith("_Jose-Nunez.xlsx") for p in paths)
    with pytest.raises(UsageError, match="exist already"):
        make_questionnaires(data, "../../etc/x", raters, out, assessed_on=DAY)


def test_raters_file_problems_are_listed(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("rater,role\nAnn,client\n,delivery\nBob,boss\nAnn,leadership\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_raters(path)
    text = messages(exc)
    assert "r.csv, row 3, column rater" in text and "row 4, column role: value 'boss'" in text
    assert "row 5, column rater: value 'Ann': expected each rater once only (also in row 2)" in text
    path.write_text("name,role\nAnn,client\n", encoding="utf-8")
    with pytest.raises(InputError, match="a column named 'rater'"):
        read_raters(path)


def test_questionnaire_from_a_data_workbook(portfolio_dir, tmp_path):
    data = client_portfolio(portfolio_dir)
    book = tmp_path / "client.xlsx"
    with pd.ExcelWriter(book) as xw:
        for f in sorted(data.glob("*.csv")):
            pd.read_csv(f, dtype=str, keep_default_na=False).to_excel(xw, sheet_name=f.stem, index=False)
    path = make_questionnaire(book, "00123", "Ann Lee", "client", tmp_path / "a.xlsx", assessed_on=DAY)
    q = load_workbook(path)["Questions"]
    assert q["B2"].value == "00123" and q["B9"].value == "cu1"
