"""The assessment workshop: questionnaires, ingest of filled workbooks, the workshop views.

Workbooks are filled here with openpyxl as a rater would fill them (numbers in the
Answer column, text in Comment); every expected score is computed by hand in the test.
Tests work on copies in tmp_path, never on data/sample.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from openpyxl import Workbook, load_workbook

from kit import charts
from kit import workshop as ws
from kit.config import Settings
from kit.errors import InputError, UsageError
from kit.io import load_default_questions, load_portfolio
from kit.model import build_model
from kit.schema import ELEMENT_IDS

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-09-10"

#: a client's own bank: two weighted questions, two plain, one more element
BANK = [
    {"element": "client_understanding", "question_id": "cu1", "text": "We know their priorities.", "weight": "2"},
    {"element": "client_understanding", "question_id": "cu2", "text": "We know how they buy.", "weight": "1"},
    {"element": "relationships", "question_id": "r1", "text": "We have an executive sponsor.", "weight": ""},
    {"element": "relationships", "question_id": "r2", "text": "We are multi-threaded.", "weight": ""},
    {"element": "pipeline_health", "question_id": "p1", "text": "Pipeline covers the target.", "weight": ""},
]
RATERS = [("Ann Lee", "account_team"), ("Bob Stone", "delivery"), ("Cat Ng", "client")]
#: answers per rater: question id -> answer (None = blank), and comments
ANSWERS = {
    "Ann Lee": ({"cu1": 5, "cu2": 2, "r1": 5, "r2": 3, "p1": None}, {}),
    "Bob Stone": ({"cu1": 3, "cu2": 3, "r1": 2, "r2": None, "p1": 4}, {"p1": "Renewals only, =SUM(A1) as text"}),
    "Cat Ng": ({"cu1": 2, "cu2": 5, "r1": 1, "r2": 1, "p1": None}, {"p1": "No idea"}),
}


def _portfolio(portfolio_dir, *, bank=True, assessment=None, name="Acme <Holdings> & Co"):
    tables = {
        "accounts": [{"account_id": "00123", "account_name": name}, {"account_id": "ACC-2", "account_name": "Beta"}],
        "revenue": [{"account_id": "00123", "period": "2026Q3", "amount": "100"},
                    {"account_id": "ACC-2", "period": "2026Q3", "amount": "50"}],
    }
    if bank:
        tables["questions"] = BANK
    if assessment is not None:
        tables["assessment"] = assessment
    return portfolio_dir(tables)


def _raters_csv(folder: Path, raters=RATERS) -> Path:
    path = folder / "raters.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["rater", "role", "email"])
        for name, role in raters:
            w.writerow([name, role, f"{name.split()[0].lower()}@example.com"])
    return path


def fill(path: Path, answers: dict[str, object], comments: dict[str, str] | None = None, out: Path | None = None,
         edits: dict[str, object] | None = None) -> Path:
    """Fill a questionnaire as a rater would: answers and comments by question id
    (found in column B), then optional raw cell edits; saved to ``out`` (default: in place)."""
    wb = load_workbook(path)
    sheet = wb["Questions"]
    rows = {sheet[f"B{r}"].value: r for r in range(ws.FIRST_ROW, sheet.max_row + 1) if sheet[f"B{r}"].value}
    for qid, value in answers.items():
        sheet[f"D{rows[qid]}"] = value
    for qid, text in (comments or {}).items():
        cell = sheet[f"E{rows[qid]}"]
        cell.value = text
        cell.data_type = "s"  # typed text, as a spreadsheet stores it
    for ref, value in (edits or {}).items():
        sheet[ref] = value
    target = out or path
    wb.save(target)
    return target


@pytest.fixture
def workshop(portfolio_dir, tmp_path):
    """A small client portfolio with its own bank, the three raters' questionnaires filled."""
    data = _portfolio(portfolio_dir)
    paths = ws.make_questionnaires(data, "00123", _raters_csv(tmp_path), tmp_path / "out", assessed_on=DAY)
    by_rater = {}
    for p in paths:
        rater = load_workbook(p)["Questions"]["B4"].value
        answers, comments = ANSWERS[rater]
        by_rater[rater] = fill(p, answers, comments)
    return data, by_rater


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _messages(exc: pytest.ExceptionInfo) -> str:
    return "\n".join(map(str, exc.value.problems))


# ---------------------------------------------------------------------------------------
# the round trip
# ---------------------------------------------------------------------------------------
def test_round_trip_gives_the_hand_computed_scores(workshop):
    data, files = workshop
    res = ws.ingest(files.values(), data)
    assert res.rows_added == 4 + 4 + 5  # Cat's blank p1 carries a comment: kept as a row without score
    assert set(res.files["status"]) == {"added"}

    p = load_portfolio(data)  # the result passes the kit's own loader
    a = p.table("assessment")
    assert a["account_id"].unique().tolist() == ["00123"]  # text, leading zeros kept
    assert a["assessed_on"].dt.strftime("%Y-%m-%d").unique().tolist() == [DAY]
    got = {(r.rater, r.question_id): (None if pd.isna(r.score) else r.score) for r in a.itertuples()}
    want = {(rater, q): (None if v is None else float(v)) for rater, (ans, com) in ANSWERS.items()
            for q, v in ans.items() if v is not None or q in com}
    assert got == want
    roles = a.drop_duplicates("rater").set_index("rater")["rater_role"].to_dict()
    assert roles == dict(RATERS)
    assert a.set_index(["rater", "question_id"]).loc[("Bob Stone", "p1"), "comment"] == "Renewals only, =SUM(A1) as text"
    assert a.set_index(["rater", "question_id"]).loc[("Cat Ng", "p1"), "comment"] == "No idea"

    # by hand: client_understanding (weights 2, 1): Ann (2*5+2)/3 = 4, Bob 3, Cat (2*2+5)/3 = 3
    # relationships: Ann (5+3)/2 = 4, Bob 2, Cat 1; pipeline_health: Bob 4 only
    s = Settings()
    rows = ws.workshop_rows(p.table("assessment"), "00123")[1]
    el, health = ws.final_scores(ws.rater_means(rows, p.table("questions")), settings=s)
    el = el.set_index("element")
    assert el.loc["client_understanding", "score"] == pytest.approx((10 / 3 - 1) / 4 * 100)
    assert el.loc["client_understanding", "spread"] == pytest.approx(1.0)
    assert el.loc["client_understanding", "perception_gap"] == pytest.approx(3.5 - 3.0)
    assert el.loc["relationships", "score"] == pytest.approx((7 / 3 - 1) / 4 * 100)
    assert el.loc["relationships", "spread"] == pytest.approx(3.0)
    assert el.loc["relationships", "perception_gap"] == pytest.approx(3.0 - 1.0)
    assert el.loc["pipeline_health", "score"] == pytest.approx(75.0)
    assert el.loc["pipeline_health", "n_raters"] == 1 and np.isnan(el.loc["pipeline_health", "spread"])
    assert el["score"].notna().sum() == 3
    expected_index = ((10 / 3 - 1) / 4 * 100 + (7 / 3 - 1) / 4 * 100 + 75.0) / 3
    assert health["health_index"] == pytest.approx(expected_index)
    assert health["n_scored"] == 3 and health["health_complete"] is False

    # the account report scores the same workshop the same way
    model = build_model(p, s)
    m = model.assessment.elements.set_index(["account_id", "element"]).loc["00123"]
    for e in ("client_understanding", "relationships", "pipeline_health"):
        assert m.loc[e, "score"] == pytest.approx(el.loc[e, "score"])
    assert model.assessment.accounts.loc["00123", "health_index"] == pytest.approx(expected_index)


def test_disagreement_orders_by_spread_then_gap(workshop):
    data, files = workshop
    ws.ingest(files.values(), data)
    inputs = ws.load_inputs(data)
    _, rows = ws.workshop_rows(inputs.assessment, "00123")
    d = ws.disagreement(ws.rater_means(rows, inputs.questions), settings=Settings())
    assert d["element"].tolist()[:3] == ["relationships", "client_understanding", "pipeline_health"]
    assert d["element"].tolist()[3:] == [e for e in ELEMENT_IDS if e not in d["element"].tolist()[:3]]
    first = d.iloc[0]
    assert first["spread"] == pytest.approx(3.0) and first["raters_disagree"] and first["gap_flag"]
    assert "raters disagree: 1.0 to 4.0" in first["why"] and "internal raters higher by 2.0" in first["why"]
    assert d.iloc[3]["why"] == "not answered yet"


def test_scores_so_far_and_progress(workshop, tmp_path):
    data, files = workshop
    ws.ingest([files["Ann Lee"], files["Cat Ng"]], data)  # Bob has not sent his yet
    inputs = ws.load_inputs(data)
    _, rows = ws.workshop_rows(inputs.assessment, "00123")
    wide = ws.scores_so_far(ws.rater_means(rows, inputs.questions))
    assert list(wide.index) == list(ELEMENT_IDS)
    assert wide.loc["client_understanding", "Ann Lee"] == pytest.approx(4.0)
    assert wide.loc["relationships", "Cat Ng"] == pytest.approx(1.0)
    assert wide.loc["relationships", "mean"] == pytest.approx(2.5)
    assert wide.loc["pipeline_health", "n_raters"] == 0 and np.isnan(wide.loc["pipeline_health", "mean"])

    expected = ws.expected_raters(_raters_csv(tmp_path))
    prog = ws.answer_progress(rows, inputs.questions, expected).set_index("rater")
    assert prog.loc["Ann Lee", "status"] == "answered" and prog.loc["Ann Lee", "answered"] == 4
    assert prog.loc["Bob Stone", "status"] == "waiting" and prog.loc["Bob Stone", "answered"] == 0
    assert prog.loc["Cat Ng", "comments"] == 1 and prog.loc["Cat Ng", "elements"] == 2
    assert (prog["questions"] == len(BANK)).all()

    # the folder of questionnaires gives the same expected raters (of that account and date)
    from_folder = ws.expected_raters(tmp_path / "out", account_id="00123", assessed_on=DAY)
    assert sorted(from_folder["rater"]) == sorted(r for r, _ in RATERS)
    assert ws.expected_raters(tmp_path / "out", account_id="ACC-2").empty

    report = ws.WorkshopReport.load(data, "00123", expected_raters=tmp_path / "raters.csv")
    assert "Provisional: waiting for Bob Stone" in report.element_scores().html
    assert "Waiting for: Bob Stone" in report.header().html


def test_report_sections_escape_input_and_handle_no_answers(workshop, tmp_path):
    data, files = workshop
    empty = ws.WorkshopReport.load(data, "00123")  # nothing ingested yet
    for section in (empty.progress(), empty.scores_so_far(), empty.disagreement(), empty.element_scores()):
        assert "No answers ingested yet" in section.html
    ws.ingest(files.values(), data)
    report = ws.WorkshopReport.load(data, 123)  # a number from papermill's -p matches 00123
    assert report.account_id == "00123"
    html = "".join(s.html for s in (report.header(), report.progress(), report.scores_so_far(),
                                    report.disagreement(), report.element_scores()))
    assert "Acme &lt;Holdings&gt; &amp; Co" in html and "<Holdings>" not in html
    assert "Discuss first: <strong>Robustness of Our Relationships</strong>" in html
    assert "Health index 56" in html
    with pytest.raises(UsageError, match="not in accounts"):
        ws.WorkshopReport.load(data, "NOPE")


def test_workshop_report_defaults_on_the_sample():
    report = ws.WorkshopReport.load(ROOT / "data" / "sample")  # the account with the latest assessment
    assert report.day is not None and len(report.rows)
    sample = ws.WorkshopReport.load(ROOT / "data" / "sample", "00138")
    el, _ = ws.final_scores(sample.means, settings=Settings())
    model = build_model(load_portfolio(ROOT / "data" / "sample"), Settings())
    m = model.assessment.elements.set_index(["account_id", "element"]).loc["00138", "score"]
    assert model.assessment.accounts.loc["00138", "assessed_on"] == sample.day
    assert np.allclose(el.set_index("element")["score"].reindex(m.index), m, equal_nan=True)


# ---------------------------------------------------------------------------------------
# the questionnaire
# ---------------------------------------------------------------------------------------
def test_questionnaire_is_protected_with_a_validated_answer_column(portfolio_dir, tmp_path):
    data = _portfolio(portfolio_dir)
    path = ws.make_questionnaire(data, "00123", "Ann Lee", "Account_Team", tmp_path / "q.xlsx", assessed_on=DAY)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Elements", "Questions", "kit"]
    assert wb["kit"].sheet_state == "veryHidden" and wb.security.lockStructure
    q = wb["Questions"]
    assert [q[ref].value for _, ref, _ in ws.HEADER_FIELDS] == ["00123", "Acme <Holdings> & Co", "Ann Lee", "account_team", DAY]
    assert all(wb[name].protection.sheet for name in ("Instructions", "Elements", "Questions", "kit"))
    assert all(q[ref].protection.locked for _, ref, _ in ws.HEADER_FIELDS)
    last = ws.FIRST_ROW + len(BANK) - 1
    for r in range(ws.FIRST_ROW, last + 1):
        assert not q[f"D{r}"].protection.locked and not q[f"E{r}"].protection.locked
        assert q[f"A{r}"].protection.locked and q[f"B{r}"].protection.locked and q[f"C{r}"].protection.locked
    assert [q[f"B{r}"].value for r in range(ws.FIRST_ROW, last + 1)] == [b["question_id"] for b in BANK]  # the client's bank
    assert q[f"B{last + 1}"].value is None
    (dv,) = q.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"1,2,3,4,5"' and dv.showErrorMessage and dv.errorStyle == "stop"
    assert dv.allow_blank and str(dv.sqref) == f"D{ws.FIRST_ROW}:D{last}"
    elements = wb["Elements"]
    assert [elements[f"A{i}"].value for i in range(2, 12)][0] == "Client Understanding"
    assert elements["C2"].value == 2 and elements["C5"].value == 2  # questions per element in this bank
    assert "leave the answer blank" in " ".join(str(c.value) for c in wb["Instructions"]["A"] if c.value).lower()


def test_default_bank_without_client_questions_and_text_kept_as_text(portfolio_dir, tmp_path):
    data = _portfolio(portfolio_dir, bank=False, name="=HYPERLINK(\"http://x\")")
    path = ws.make_questionnaire(data, "00123", "=cmd|' /C calc'!A0", "client", tmp_path, assessed_on=DAY)
    assert path.parent == tmp_path and path.name.startswith("00123_2026-09-10_")
    q = load_workbook(path)["Questions"]
    default = load_default_questions()
    ids = [q[f"B{r}"].value for r in range(ws.FIRST_ROW, ws.FIRST_ROW + len(default))]
    assert ids == ws._bank_in_order(default)["question_id"].tolist()
    # input text starting with '=' is stored as text, never as a formula
    assert q["B3"].data_type == "s" and q["B4"].data_type == "s"
    assert q["B3"].value == "=HYPERLINK(\"http://x\")"


def test_questionnaire_arguments_are_checked(portfolio_dir, tmp_path):
    data = _portfolio(portfolio_dir)
    with pytest.raises(UsageError, match="not in accounts"):
        ws.make_questionnaire(data, "99999", "Ann", "client", tmp_path / "a.xlsx")
    with pytest.raises(UsageError, match="role must be one of"):
        ws.make_questionnaire(data, "00123", "Ann", "boss", tmp_path / "a.xlsx")
    with pytest.raises(UsageError, match="ISO date"):
        ws.make_questionnaire(data, "00123", "Ann", "client", tmp_path / "a.xlsx", assessed_on="10/09/2026")
    with pytest.raises(UsageError, match="empty"):
        ws.make_questionnaire(data, "00123", "  ", "client", tmp_path / "a.xlsx")
    ws.make_questionnaire(data, "00123", "Ann", "client", tmp_path / "a.xlsx")
    before = (tmp_path / "a.xlsx").read_bytes()
    with pytest.raises(UsageError, match="exists already"):
        ws.make_questionnaire(data, "00123", "Ann", "leadership", tmp_path / "a.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == before
    ws.make_questionnaire(data, "00123", "Ann", "leadership", tmp_path / "a.xlsx", overwrite=True)
    assert load_workbook(tmp_path / "a.xlsx")["Questions"]["B5"].value == "leadership"
    assert not list(tmp_path.glob(".*.tmp"))


def test_batch_file_names_are_safe_and_unique(portfolio_dir, tmp_path):
    data = portfolio_dir({"accounts": [{"account_id": "../../etc/x", "account_name": "Evil"}],
                          "revenue": [{"account_id": "../../etc/x", "period": "2026Q3", "amount": "1"}]})
    raters = [ws.Rater("../x", "client"), ws.Rater("a/b", "delivery"), ws.Rater("A/B", "leadership"),
              ws.Rater("王伟", "account_team"), ws.Rater("José Núñez", "account_team")]
    out = tmp_path / "q"
    paths = ws.make_questionnaires(data, "../../etc/x", raters, out, assessed_on=DAY)
    assert len({p.name.lower() for p in paths}) == 5
    assert all(p.parent == out and p.is_file() for p in paths)
    assert sorted(p.name for p in tmp_path.rglob("*.xlsx")) == sorted(p.name for p in paths)
    assert all("/" not in p.name and ".." not in p.name for p in paths)
    assert any(p.name.endswith("_Jose-Nunez.xlsx") for p in paths)
    with pytest.raises(UsageError, match="exist already"):
        ws.make_questionnaires(data, "../../etc/x", raters, out, assessed_on=DAY)


def test_raters_file_problems_are_listed(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("rater,role\nAnn,client\n,delivery\nBob,boss\nAnn,leadership\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ws.read_raters(path)
    text = _messages(exc)
    assert "r.csv, row 3, column rater" in text and "row 4, column role: value 'boss'" in text
    assert "row 5, column rater: value 'Ann': expected each rater once only (also in row 2)" in text
    path.write_text("name,role\nAnn,client\n", encoding="utf-8")
    with pytest.raises(InputError, match="a column named 'rater'"):
        ws.read_raters(path)


# ---------------------------------------------------------------------------------------
# broken workbooks: every problem named by file, sheet and cell; nothing written
# ---------------------------------------------------------------------------------------
def test_wrong_values_are_reported_by_cell_and_nothing_is_written(workshop):
    data, files = workshop
    target = data / "assessment.csv"
    bad = fill(files["Ann Lee"], {"cu1": 0, "cu2": 6, "r1": "abc", "r2": 3.5})
    with pytest.raises(InputError) as exc:
        ws.ingest(files.values(), data)
    text = _messages(exc)
    first = ws.FIRST_ROW
    for row, value in ((first, "0"), (first + 1, "6"), (first + 2, "abc"), (first + 3, "3.5")):
        assert f"{bad}, cell Questions!D{row} (answer to " in text
        qid = BANK[row - first]["question_id"]
        assert f"D{row} (answer to {qid}): value '{value}': expected a whole number from 1 to 5" in text
    assert len(exc.value.problems) == 4  # the other two workbooks are fine
    assert not target.exists()  # nothing written, not even for the good workbooks
    assert not list(data.glob(".*.tmp"))


def test_answers_typed_as_text_are_read(workshop):
    data, files = workshop
    fill(files["Ann Lee"], {"cu1": " 4 ", "cu2": "5", "r1": "3.0", "r2": ""})
    res = ws.ingest([files["Ann Lee"]], data)
    a = load_portfolio(data).table("assessment").set_index("question_id")["score"]
    assert a.to_dict() == {"cu1": 4.0, "cu2": 5.0, "r1": 3.0}
    assert res.rows_added == 3


def test_missing_sheet_not_a_kit_workbook_and_unreadable_files(workshop, tmp_path):
    data, files = workshop
    wb = load_workbook(files["Ann Lee"])
    del wb["Questions"]
    wb.save(files["Ann Lee"])
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ws.ingest([files["Ann Lee"], plain, broken, csv_file, tmp_path / "gone.xlsx"], data)
    text = _messages(exc)
    assert f"{files['Ann Lee']}: expected a sheet named 'Questions' (sheets: Instructions, Elements, kit)" in text
    assert f"{plain}: expected a questionnaire made by 'kit questionnaire'" in text
    assert f"{broken}: expected a readable .xlsx workbook" in text
    assert f"{csv_file}: expected an Excel workbook (.xlsx)" in text
    assert "gone.xlsx: expected an existing .xlsx file (not found)" in text
    assert not (data / "assessment.csv").exists()


def test_edited_header_cells_and_hidden_sheet_are_refused(workshop):
    data, files = workshop
    fill(files["Ann Lee"], {}, edits={"B2": "ACC-2", "B5": "leadership"})
    wb = load_workbook(files["Bob Stone"])
    wb["kit"]["B5"] = "ACC-2"  # the hidden record changed by hand
    wb.save(files["Bob Stone"])
    fill(files["Cat Ng"], {}, edits={"B10": "cu9", "C11": "Another question"})
    with pytest.raises(InputError) as exc:
        ws.ingest(files.values(), data)
    text = _messages(exc)
    assert (f"{files['Ann Lee']}, cell Questions!B2 (account id): value 'ACC-2': "
            "expected '00123' as the questionnaire was made") in text
    assert f"{files['Ann Lee']}, cell Questions!B5 (role): value 'leadership': expected 'account_team'" in text
    assert f"{files['Bob Stone']}, sheet kit: expected a questionnaire made by 'kit questionnaire'" in text
    assert f"{files['Cat Ng']}, cell Questions!B10 (question id): value 'cu9': expected 'cu2'" in text
    assert f"{files['Cat Ng']}, cell Questions!C11 (question text): value 'Another question'" in text
    assert not (data / "assessment.csv").exists()


def test_workbook_of_another_client_or_changed_bank(workshop, portfolio_dir):
    _, files = workshop
    other = portfolio_dir({"accounts": [{"account_id": "X", "account_name": "X"}],
                           "revenue": [{"account_id": "X", "period": "2026Q3", "amount": "1"}],
                           "questions": [{"element": "relationships", "question_id": "cu1", "text": "moved"}]})
    with pytest.raises(InputError) as exc:
        ws.ingest([files["Ann Lee"]], other)
    text = _messages(exc)
    assert "cell Questions!B2 (account id): value '00123': expected an account_id listed in accounts" in text
    assert "cell Questions!B9 (question id): value 'cu1': expected a question of element client_understanding" in text
    assert "cell Questions!B10 (question id): value 'cu2'" in text and "it is not in the bank" in text


def test_blank_questionnaire_skipped_and_same_rater_twice_refused(workshop, tmp_path):
    data, files = workshop
    blank = ws.make_questionnaire(data, "00123", "Dan", "leadership", tmp_path / "blank.xlsx", assessed_on=DAY)
    copy = tmp_path / "copy.xlsx"
    shutil.copy(files["Ann Lee"], copy)
    with pytest.raises(InputError) as exc:
        ws.ingest([blank, files["Ann Lee"], copy], data)
    (problem,) = exc.value.problems
    assert f"copy.xlsx: expected one questionnaire per rater and workshop: {files['Ann Lee']} has Ann Lee's answers" in str(problem)
    # a blank questionnaire (not returned yet) is skipped with a note, the others are added
    res = ws.ingest([blank, files["Ann Lee"]], data)
    assert res.rows_added == 4 and res.files["rater"].tolist() == ["Ann Lee"]
    assert f"note: skipped {blank}: nothing answered yet" in res.summary()
    # a blank answer with a comment is kept: a row with the comment and no score
    fill(blank, {}, {"r1": "Cannot judge"})
    res = ws.ingest([blank], data)
    assert res.rows_added == 1
    a = load_portfolio(data).table("assessment")
    dan = a[a["rater"] == "Dan"].iloc[0]
    assert pd.isna(dan["score"]) and dan["comment"] == "Cannot judge" and dan["rater_role"] == "leadership"


# ---------------------------------------------------------------------------------------
# assessment.csv: duplicates, replace, other rows byte for byte, atomic
# ---------------------------------------------------------------------------------------
EXISTING = ("\ufeffaccount_id,assessed_on,rater,element,score,question_id,rater_role,comment,source\r\n"
            "00123,2026-03-01,Ann Lee,relationships,2,r1,account_team,\"two\r\nlines, quoted\",crm\r\n"
            "00123,2026-09-10 00:00:00,Ann Lee,relationships,1,r1,account_team,,old\r\n"
            "ACC-2,2026-09-10,Ann Lee,pipeline_health,4,p1,account_team,=1+1,old\r\n"
            "\r\n"
            "00123,2026-09-10,Zed,pipeline_health,5,p1,leadership,\"say \"\"hi\"\"\",old\r\n")


def test_existing_rows_keep_their_bytes(workshop):
    data, files = workshop
    target = data / "assessment.csv"
    target.write_bytes(EXISTING.replace("00123,2026-09-10 00:00:00,Ann Lee,relationships,1,r1,account_team,,old\r\n", "")
                       .encode("utf-8"))
    before = target.read_bytes()
    res = ws.ingest(files.values(), data)
    after = target.read_bytes()
    assert after.startswith(before)  # every byte of the file as it was, BOM and CRLF included
    added = after[len(before):].decode("utf-8")
    assert added.count("\r\n") == res.rows_added == 13
    assert "00123,2026-09-10,Bob Stone,pipeline_health,4,p1,delivery,\"Renewals only, =SUM(A1) as text\",\r\n" in added
    a = load_portfolio(data).table("assessment")
    assert len(a) == 3 + 13 and a["account_id"].tolist().count("ACC-2") == 1
    assert a["source"].tolist()[:3] == ["crm", "old", "old"] and a["source"].iloc[3:].isna().all()
    assert a["comment"].iloc[0] == "two\r\nlines, quoted" or a["comment"].iloc[0] == "two\nlines, quoted"


def test_duplicate_refused_replace_removes_only_that_raters_rows(workshop):
    data, files = workshop
    target = data / "assessment.csv"
    target.write_bytes(EXISTING.encode("utf-8"))
    with pytest.raises(InputError) as exc:
        ws.ingest([files["Ann Lee"]], data)
    assert ("it holds 1 different row(s) of Ann Lee for account '00123' on 2026-09-10 (pass --replace to replace them"
            in _messages(exc))
    assert target.read_bytes() == EXISTING.encode("utf-8")

    res = ws.ingest([files["Ann Lee"], files["Cat Ng"]], data, replace=True)
    assert res.files.set_index("rater").loc["Ann Lee", ["status", "rows_replaced", "rows_added"]].tolist() == ["replaced", 1, 4]
    assert res.files.set_index("rater").loc["Cat Ng", "status"] == "added"
    kept = EXISTING.replace("00123,2026-09-10 00:00:00,Ann Lee,relationships,1,r1,account_team,,old\r\n", "")
    after = target.read_bytes().decode("utf-8")
    assert after.startswith(kept)  # only Ann's row of that workshop left; her March row and ACC-2 row stay
    assert after.count("Ann Lee") == 2 + 4

    # the same workbooks again: unchanged, nothing added, the file not even rewritten
    stat = target.stat()
    res = ws.ingest([files["Ann Lee"], files["Cat Ng"]], data)
    assert set(res.files["status"]) == {"unchanged"} and res.rows_added == 0
    assert target.stat().st_mtime_ns == stat.st_mtime_ns
    assert "already in assessment.csv, unchanged" in res.summary()

    # a corrected answer is refused again, and replaced on request
    fill(files["Ann Lee"], {"cu1": 1})
    with pytest.raises(InputError, match="replace"):
        ws.ingest([files["Ann Lee"]], data)
    ws.ingest([files["Ann Lee"]], data, replace=True)
    a = load_portfolio(data).table("assessment")
    ann = a[(a["rater"] == "Ann Lee") & (a["assessed_on"] == pd.Timestamp(DAY)) & (a["account_id"] == "00123")]
    assert ann.set_index("question_id")["score"].to_dict() == {"cu1": 1.0, "cu2": 2.0, "r1": 5.0, "r2": 3.0}


def test_missing_optional_columns_are_added_and_the_file_is_created(workshop):
    data, files = workshop
    target = data / "assessment.csv"
    ws.ingest([files["Ann Lee"]], data)  # no assessment.csv yet: created with the contract's columns
    assert target.read_text(encoding="utf-8").splitlines()[0] == ",".join(ws.ASSESSMENT_COLUMNS)
    target.write_text("account_id,assessed_on,rater,element,score\n00123,2026-03-01,Old,relationships,3\n", encoding="utf-8")
    ws.ingest([files["Bob Stone"]], data)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "account_id,assessed_on,rater,element,score,question_id,rater_role,comment"
    assert lines[1] == "00123,2026-03-01,Old,relationships,3,,,"
    assert len(load_portfolio(data).table("assessment")) == 5


def test_a_bad_existing_file_or_a_workbook_data_source_stops_ingest(workshop, tmp_path):
    data, files = workshop
    target = data / "assessment.csv"
    target.write_text("account_id,assessed_on,rater,element,score\n00123,someday,Old,relationships,9\n", encoding="utf-8")
    before = target.read_bytes()
    with pytest.raises(InputError) as exc:
        ws.ingest([files["Ann Lee"]], data)
    assert "assessment.csv, row 2, column assessed_on" in _messages(exc)
    assert target.read_bytes() == before
    book = tmp_path / "client.xlsx"
    Workbook().save(book)
    with pytest.raises(UsageError, match="must be a folder"):
        ws.ingest([files["Ann Lee"]], book)


def test_dry_run_and_folders_of_workbooks(workshop, tmp_path):
    data, files = workshop
    folder = tmp_path / "out"
    (folder / "~$Ann.xlsx").write_bytes(b"lock")
    res = ws.ingest([folder], data, dry_run=True)
    assert res.dry_run and res.rows_added == 13 and not (data / "assessment.csv").exists()
    assert any("lock file" in n for n in res.notes)
    assert "would add 13 row(s)" in res.summary()
    with pytest.raises(UsageError, match="no .xlsx workbooks"):
        ws.ingest([data], data)  # the data folder holds CSV files only


def test_a_file_changed_while_reading_is_not_overwritten(workshop, monkeypatch):
    data, files = workshop
    target = data / "assessment.csv"
    target.write_bytes(EXISTING.encode("utf-8"))
    real = ws.read_questionnaire

    def meanwhile(path, **kw):  # another process appends a row while the workbooks are read
        with open(target, "ab") as fh:
            fh.write(b"ACC-2,2026-01-01,Else,relationships,3,r1,client,,x\r\n")
        return real(path, **kw)

    monkeypatch.setattr(ws, "read_questionnaire", meanwhile)
    with pytest.raises(UsageError, match="changed while"):
        ws.ingest([files["Cat Ng"]], data)
    assert target.read_bytes().endswith(b"Else,relationships,3,r1,client,,x\r\n")
    assert not list(data.glob(".*.tmp"))


def test_ingest_into_a_copy_of_the_sample(tmp_path):
    data = tmp_path / "sample"
    shutil.copytree(ROOT / "data" / "sample", data)
    before = (data / "assessment.csv").read_bytes()
    path = ws.make_questionnaire(data, "00138", "New Rater", "client", tmp_path / "q.xlsx", assessed_on="2026-09-30")
    bank = ws._bank_in_order(load_default_questions())
    fill(path, dict.fromkeys(bank["question_id"], 3))
    res = ws.ingest([path], data)
    assert res.rows_added == len(bank)
    after = (data / "assessment.csv").read_bytes()
    assert after.startswith(before)
    assert after[len(before):].decode("utf-8").splitlines()[0] == \
        f"00138,2026-09-30,New Rater,{bank['element'][0]},3,{bank['question_id'][0]},client,"
    report = ws.WorkshopReport.load(data, "00138")
    assert report.day == pd.Timestamp("2026-09-30")
    el, health = ws.final_scores(report.means, settings=Settings())
    assert (el["score"] == 50.0).all() and health["health_index"] == pytest.approx(50.0)


# ---------------------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------------------
def test_workshop_charts_draw_what_the_data_says(workshop):
    data, files = workshop
    ws.ingest(files.values(), data)
    inputs = ws.load_inputs(data)
    means = ws.rater_means(ws.workshop_rows(inputs.assessment, "00123")[1], inputs.questions)
    fig = charts.plot_rater_scores(means)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    markers = [line for line in ax.lines if line.get_marker() in ("o", "s")]
    assert len(markers) == len(means) == 7  # Ann 2 elements, Bob 3, Cat 2
    assert sum(line.get_marker() == "s" for line in markers) == 2  # Cat, the client, in two elements
    assert sum("spread" in t.get_text() for t in ax.texts) == 2  # elements with two raters or more

    d = ws.disagreement(means, settings=Settings())
    fig = charts.plot_perception_gap(d, flag=1.0)
    ax = fig.axes[0]
    assert len(ax.patches) == 2  # client_understanding and relationships have a gap
    assert sum(bool(p.get_hatch()) for p in ax.patches) == 1  # relationships: 2 points, over the flag
    assert sum("no gap" in t.get_text() for t in ax.texts) == len(ELEMENT_IDS) - 2
    empty = charts.plot_perception_gap(d.assign(perception_gap=np.nan))
    assert "needs internal and client raters" in empty.axes[0].texts[0].get_text()


# ---------------------------------------------------------------------------------------
# a workbook saved by a spreadsheet program
# ---------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_a_workbook_saved_by_libreoffice_is_ingested(workshop, tmp_path):
    data, files = workshop
    src = files["Cat Ng"]
    out = tmp_path / "lo"
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                           "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=180)
    saved = out / src.name
    assert saved.is_file(), proc.stderr
    assert saved.read_bytes() != src.read_bytes()
    res = ws.ingest([saved], data)
    assert res.rows_added == 5
    a = load_portfolio(data).table("assessment").set_index("question_id")
    assert a["score"].fillna(-1).to_dict() == {"cu1": 2.0, "cu2": 5.0, "r1": 1.0, "r2": 1.0, "p1": -1}
    assert a.loc["p1", "comment"] == "No idea"


def test_problems_in_other_tables_do_not_stop_a_workshop(portfolio_dir, tmp_path):
    data = _portfolio(portfolio_dir)
    (data / "revenue.csv").write_text("account_id,period,amount\n00123,2026Q3,abc\n", encoding="utf-8")
    (data / "contacts.csv").write_bytes(b"\xff\xfe not text")
    path = ws.make_questionnaire(data, "00123", "Ann Lee", "client", tmp_path / "a.xlsx", assessed_on=DAY)
    fill(path, {"cu1": 3})
    assert ws.ingest([path], data).rows_added == 1
    (data / "accounts.csv").write_text("account_id,account_name\n00123,\n", encoding="utf-8")
    with pytest.raises(InputError, match="accounts.csv, row 2, column account_name"):
        ws.ingest([path], data)


def test_questionnaire_from_a_data_workbook(portfolio_dir, tmp_path):
    data = _portfolio(portfolio_dir)
    book = tmp_path / "client.xlsx"
    with pd.ExcelWriter(book) as xw:
        for f in sorted(data.glob("*.csv")):
            pd.read_csv(f, dtype=str, keep_default_na=False).to_excel(xw, sheet_name=f.stem, index=False)
    path = ws.make_questionnaire(book, "00123", "Ann Lee", "client", tmp_path / "a.xlsx", assessed_on=DAY)
    q = load_workbook(path)["Questions"]
    assert q["B2"].value == "00123" and q["B9"].value == "cu1"
