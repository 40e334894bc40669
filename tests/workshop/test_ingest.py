"""Ingest of filled workbooks into assessment.csv (kit.ingest): every problem named by
file, sheet and cell, nothing written when there is one, duplicates and replace, the
other rows kept byte for byte, the atomic write.

Workbooks are filled with ``workshop_helpers.fill`` as a rater would fill them.  Tests
work on copies in tmp_path, never on data/sample.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from workshop_helpers import BANK, DAY, client_portfolio, fill, messages

from kit.config import Settings
from kit.errors import InputError, UsageError
from kit.inputs.portfolio import load_portfolio
from kit.inputs.resources import load_default_questions
from kit.workshop.common import ASSESSMENT_COLUMNS, FIRST_ROW, bank_in_order
from kit.workshop.ingest import ingest
from kit.workshop.live import WorkshopReport, final_scores
from kit.workshop.questionnaire import make_questionnaire, read_questionnaire

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------
# broken workbooks: every problem named by file, sheet and cell; nothing written
# ---------------------------------------------------------------------------------------
def test_wrong_values_are_reported_by_cell_and_nothing_is_written(workshop):
    data, files = workshop
    target = data / "assessment.csv"
    bad = fill(files["Ann Lee"], {"cu1": 0, "cu2": 6, "r1": "abc", "r2": 3.5})
    with pytest.raises(InputError) as exc:
        ingest(files.values(), data)
    text = messages(exc)
    first = FIRST_ROW
    for row, value in ((first, "0"), (first + 1, "6"), (first + 2, "abc"), (first + 3, "3.5")):
        assert f"{bad}, cell Questions!D{row} (answer to " in text
        qid = BANK[row - first]["question_id"]
        assert f"D{row} (answer to {qid}): value '{value}': expected a whole number from 1 to 5" in text
    assert len(exc.value.problems) == 4  # the other two workbooks are fine
    assert not target.exists()  # nothing written, not even for the good workbooks
    assert not list(data.glob(".*.tmp")) and not list(data.glob(".*.kit-tmp"))


def test_answers_typed_as_text_are_read(workshop):
    data, files = workshop
    fill(files["Ann Lee"], {"cu1": " 4 ", "cu2": "5", "r1": "3.0", "r2": ""})
    res = ingest([files["Ann Lee"]], data)
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
        ingest([files["Ann Lee"], plain, broken, csv_file, tmp_path / "gone.xlsx"], data)
    text = messages(exc)
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
        ingest(files.values(), data)
    text = messages(exc)
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
        ingest([files["Ann Lee"]], other)
    text = messages(exc)
    assert "cell Questions!B2 (account id): value '00123': expected an account_id listed in accounts" in text
    assert "cell Questions!B9 (question id): value 'cu1': expected a question of element client_understanding" in text
    assert "cell Questions!B10 (question id): value 'cu2'" in text and "it is not in the bank" in text


def test_blank_questionnaire_skipped_and_same_rater_twice_refused(workshop, tmp_path):
    data, files = workshop
    blank = make_questionnaire(data, "00123", "Dan", "leadership", tmp_path / "blank.xlsx", assessed_on=DAY)
    copy = tmp_path / "copy.xlsx"
    shutil.copy(files["Ann Lee"], copy)
    with pytest.raises(InputError) as exc:
        ingest([blank, files["Ann Lee"], copy], data)
    (problem,) = exc.value.problems
    assert f"copy.xlsx: expected one questionnaire per rater and workshop: {files['Ann Lee']} has Ann Lee's answers" in str(problem)
    # a blank questionnaire (not returned yet) is skipped with a note, the others are added
    res = ingest([blank, files["Ann Lee"]], data)
    assert res.rows_added == 4 and res.files["rater"].tolist() == ["Ann Lee"]
    assert f"note: skipped {blank}: nothing answered yet" in res.summary()
    # a blank answer with a comment is kept: a row with the comment and no score
    fill(blank, {}, {"r1": "Cannot judge"})
    res = ingest([blank], data)
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
    res = ingest(files.values(), data)
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
        ingest([files["Ann Lee"]], data)
    assert ("it holds 1 different row(s) of Ann Lee for account '00123' on 2026-09-10 (pass --replace to replace them"
            in messages(exc))
    assert target.read_bytes() == EXISTING.encode("utf-8")

    res = ingest([files["Ann Lee"], files["Cat Ng"]], data, replace=True)
    assert res.files.set_index("rater").loc["Ann Lee", ["status", "rows_replaced", "rows_added"]].tolist() == ["replaced", 1, 4]
    assert res.files.set_index("rater").loc["Cat Ng", "status"] == "added"
    kept = EXISTING.replace("00123,2026-09-10 00:00:00,Ann Lee,relationships,1,r1,account_team,,old\r\n", "")
    after = target.read_bytes().decode("utf-8")
    assert after.startswith(kept)  # only Ann's row of that workshop left; her March row and ACC-2 row stay
    assert after.count("Ann Lee") == 2 + 4

    # the same workbooks again: unchanged, nothing added, the file not even rewritten
    stat = target.stat()
    res = ingest([files["Ann Lee"], files["Cat Ng"]], data)
    assert set(res.files["status"]) == {"unchanged"} and res.rows_added == 0
    assert target.stat().st_mtime_ns == stat.st_mtime_ns
    assert "already in assessment.csv, unchanged" in res.summary()

    # a corrected answer is refused again, and replaced on request
    fill(files["Ann Lee"], {"cu1": 1})
    with pytest.raises(InputError, match="replace"):
        ingest([files["Ann Lee"]], data)
    ingest([files["Ann Lee"]], data, replace=True)
    a = load_portfolio(data).table("assessment")
    ann = a[(a["rater"] == "Ann Lee") & (a["assessed_on"] == pd.Timestamp(DAY)) & (a["account_id"] == "00123")]
    assert ann.set_index("question_id")["score"].to_dict() == {"cu1": 1.0, "cu2": 2.0, "r1": 5.0, "r2": 3.0}


def test_missing_optional_columns_are_added_and_the_file_is_created(workshop):
    data, files = workshop
    target = data / "assessment.csv"
    ingest([files["Ann Lee"]], data)  # no assessment.csv yet: created with the contract's columns
    assert target.read_text(encoding="utf-8").splitlines()[0] == ",".join(ASSESSMENT_COLUMNS)
    target.write_text("account_id,assessed_on,rater,element,score\n00123,2026-03-01,Old,relationships,3\n", encoding="utf-8")
    ingest([files["Bob Stone"]], data)
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
        ingest([files["Ann Lee"]], data)
    assert "assessment.csv, row 2, column assessed_on" in messages(exc)
    assert target.read_bytes() == before
    book = tmp_path / "client.xlsx"
    Workbook().save(book)
    with pytest.raises(UsageError, match="must be a folder"):
        ingest([files["Ann Lee"]], book)


def test_dry_run_and_folders_of_workbooks(workshop, tmp_path):
    data, _files = workshop
    folder = tmp_path / "out"
    (folder / "~$Ann.xlsx").write_bytes(b"lock")
    res = ingest([folder], data, dry_run=True)
    assert res.dry_run and res.rows_added == 13 and not (data / "assessment.csv").exists()
    assert any("lock file" in n for n in res.notes)
    assert "would add 13 row(s)" in res.summary()
    with pytest.raises(UsageError, match="no .xlsx workbooks"):
        ingest([data], data)  # the data folder holds CSV files only


def test_a_file_changed_while_reading_is_not_overwritten(workshop, monkeypatch):
    data, files = workshop
    target = data / "assessment.csv"
    target.write_bytes(EXISTING.encode("utf-8"))
    real = read_questionnaire

    def meanwhile(path, **kw):  # another process appends a row while the workbooks are read
        with open(target, "ab") as fh:
            fh.write(b"ACC-2,2026-01-01,Else,relationships,3,r1,client,,x\r\n")
        return real(path, **kw)

    monkeypatch.setattr("kit.workshop.ingest.read_questionnaire", meanwhile)  # what ingest calls
    with pytest.raises(UsageError, match="changed while"):
        ingest([files["Cat Ng"]], data)
    assert target.read_bytes().endswith(b"Else,relationships,3,r1,client,,x\r\n")
    assert not list(data.glob(".*.tmp")) and not list(data.glob(".*.kit-tmp"))


def test_ingest_into_a_copy_of_the_sample(tmp_path):
    data = tmp_path / "sample"
    shutil.copytree(ROOT / "data" / "sample", data)
    before = (data / "assessment.csv").read_bytes()
    path = make_questionnaire(data, "00138", "New Rater", "client", tmp_path / "q.xlsx", assessed_on="2026-09-30")
    bank = bank_in_order(load_default_questions())
    fill(path, dict.fromkeys(bank["question_id"], 3))
    res = ingest([path], data)
    assert res.rows_added == len(bank)
    after = (data / "assessment.csv").read_bytes()
    assert after.startswith(before)
    assert after[len(before):].decode("utf-8").splitlines()[0] == \
        f"00138,2026-09-30,New Rater,{bank['element'][0]},3,{bank['question_id'][0]},client,"
    report = WorkshopReport.load(data, "00138")
    assert report.day == pd.Timestamp("2026-09-30")
    el, health = final_scores(report.means, settings=Settings())
    assert (el["score"] == 50.0).all() and health["health_index"] == pytest.approx(50.0)


# ---------------------------------------------------------------------------------------
# a workbook saved by a spreadsheet program
# ---------------------------------------------------------------------------------------
def _libreoffice_calc() -> bool:
    """soffice with its spreadsheet component (libreoffice-impress alone cannot open an .xlsx)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    program = Path(os.path.realpath(soffice)).parent
    return any(program.glob("scalc*")) or any(program.glob("libsclo.so"))


@pytest.mark.skipif(not _libreoffice_calc(), reason="LibreOffice Calc (soffice with libreoffice-calc) not installed")
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
    res = ingest([saved], data)
    assert res.rows_added == 5
    a = load_portfolio(data).table("assessment").set_index("question_id")
    assert a["score"].fillna(-1).to_dict() == {"cu1": 2.0, "cu2": 5.0, "r1": 1.0, "r2": 1.0, "p1": -1}
    assert a.loc["p1", "comment"] == "No idea"


def test_problems_in_other_tables_do_not_stop_a_workshop(portfolio_dir, tmp_path):
    data = client_portfolio(portfolio_dir)
    (data / "revenue.csv").write_text("account_id,period,amount\n00123,2026Q3,abc\n", encoding="utf-8")
    (data / "contacts.csv").write_bytes(b"\xff\xfe not text")
    path = make_questionnaire(data, "00123", "Ann Lee", "client", tmp_path / "a.xlsx", assessed_on=DAY)
    fill(path, {"cu1": 3})
    assert ingest([path], data).rows_added == 1
    (data / "accounts.csv").write_text("account_id,account_name\n00123,\n", encoding="utf-8")
    with pytest.raises(InputError, match="accounts.csv, row 2, column account_name"):
        ingest([path], data)
