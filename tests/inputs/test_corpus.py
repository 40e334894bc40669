"""The input corpus (``tests/corpus/``): every broken input users make is refused by
``kit validate``, ``kit tables`` and ``kit run`` with exit status 2, the exact problem
lines of the case's ``expected.txt`` and no traceback; every valid-but-unusual input
loads to the same values as the plain base portfolio.  The corpus files are never
modified (they are read in place)."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kit.cli import main
from kit.errors import InputError
from kit.inputs.portfolio import load_portfolio
from kit.schema import TABLES

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BASE = CORPUS / "base"
BROKEN = sorted(p for p in (CORPUS / "broken").iterdir() if p.is_dir())
VALID = sorted(p for p in (CORPUS / "valid").iterdir() if p.is_dir())


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def expected_lines(case: Path) -> list[str]:
    text = (case / "expected.txt").read_text(encoding="utf-8")
    return [line.replace("{data}", str(case)) for line in text.splitlines()]


def problem_lines(err: str) -> list[str]:
    """The problems of the message (after a --debug traceback, which repeats them)."""
    start = max(err.rfind("\nkit "), 0)
    return [line[4:] for line in err[start:].splitlines() if line.startswith("  - ")]


def heading(command: str, n: int) -> str:
    return f"kit {command}: {n} problem{'s' if n != 1 else ''} in the input:"


def test_corpus_is_complete():
    """Every broken case has its expected messages; the corpus covers the failures the
    kit promises to report (a guard against a case folder being lost)."""
    names = {p.name for p in BROKEN}
    for case in BROKEN:
        assert expected_lines(case), case.name
    assert {"missing_required_column", "misspelt_required_column", "text_in_numbers", "score_out_of_range",
            "unknown_element", "unknown_rater_role", "duplicate_account_id", "bad_periods", "bad_dates",
            "unknown_account_ids", "empty_required_file", "header_only_required", "formatted_numbers"} <= names
    assert {"utf8_bom_crlf", "windows_1252", "mac_roman_cr", "whitespace", "thousands_separators"} <= {p.name for p in VALID}


# --- broken: refused, every problem listed, nothing written ------------------------------
@pytest.mark.parametrize("case", BROKEN, ids=lambda p: p.name)
def test_validate_lists_every_problem(case, capsys):
    before = hashes(case)
    assert main(["validate", "--data", str(case)]) == 2
    out, err = capsys.readouterr()
    want = expected_lines(case)
    assert err.splitlines()[0] == heading("validate", len(want))
    assert problem_lines(err) == want
    assert "Traceback" not in err and out == ""
    assert hashes(case) == before  # input files are never modified


@pytest.mark.parametrize("case", BROKEN, ids=lambda p: p.name)
def test_tables_refuses_with_the_same_problems(case, tmp_path, capsys):
    out_dir = tmp_path / "run"
    assert main(["tables", "--data", str(case), "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == heading("tables", len(expected_lines(case)))
    assert problem_lines(err) == expected_lines(case)
    assert "Nothing was rendered" in err and "Traceback" not in err
    assert not out_dir.exists()


@pytest.mark.parametrize("name", ["formatted_numbers", "unknown_account_ids", "empty_required_file"])
def test_run_refuses_before_rendering(name, tmp_path, capsys):
    case = CORPUS / "broken" / name
    out_dir = tmp_path / "run"
    assert main(["run", "--data", str(case), "--out", str(out_dir), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert problem_lines(err) == expected_lines(case)
    assert "Traceback" not in err
    assert not out_dir.exists()


def _record(path: Path, row: int) -> list[str]:
    """Row ``row`` of a CSV file (header = 1) as a spreadsheet shows it."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text, newline="")))[row - 1]


@pytest.mark.parametrize("case", BROKEN, ids=lambda p: p.name)
def test_problem_rows_are_rows_of_the_file(case):
    """Every problem naming a row, a single column and a value points at a row of its
    file that holds that value in that column: rows are counted as in the file."""
    with pytest.raises(InputError) as info:
        load_portfolio(case)
    for p in info.value.problems:
        if p.row is None or not p.column or "," in p.column or p.value is None or not (case / p.file).is_file():
            continue
        header, record = _record(case / p.file, 1), _record(case / p.file, p.row)
        columns = [h.strip().lower() for h in header]
        cell = record[columns.index(p.column)].strip()
        # a rater's clashing roles are listed together, on the rater's first row
        assert cell == p.value or cell in p.value.split(", "), str(p)


def test_no_traceback_in_a_real_process():
    """The console command itself (not only main()): exit 2, the message, no traceback."""
    case = CORPUS / "broken" / "misspelt_required_column"
    proc = subprocess.run([sys.executable, "-m", "kit.cli", "validate", "--data", str(case)],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 2
    assert problem_lines(proc.stderr) == expected_lines(case)
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [["--debug", "validate"], ["validate", "--debug"]])
def test_debug_shows_the_traceback(argv):
    """--debug (before or after the command) adds the traceback; the message and the
    exit status stay."""
    case = CORPUS / "broken" / "bad_periods"
    proc = subprocess.run([sys.executable, "-m", "kit.cli", *argv, "--data", str(case)],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr and "InputError" in proc.stderr
    assert problem_lines(proc.stderr) == expected_lines(case)


def test_internal_error_is_one_line_without_debug(monkeypatch, capsys):
    """A bug in the kit (not bad input): exit 1, one line that says so and how to get the
    traceback; with --debug the traceback."""
    import kit.inputs.portfolio

    def broken(source):
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(kit.inputs.portfolio, "load_portfolio", broken)
    assert main(["validate", "--data", str(BASE)]) == 1
    err = capsys.readouterr().err
    assert "kit validate: internal error: RuntimeError: something inside broke" in err
    assert "--debug" in err and "Traceback" not in err
    assert main(["--debug", "validate", "--data", str(BASE)]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "something inside broke" in err


def test_many_bad_cells_are_counted_not_all_printed(tmp_path, capsys):
    """A column of many bad cells shows the first 20 and counts the rest with their
    rows; every problem is still in InputError.problems, and --debug prints them all."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "accounts.csv").write_bytes((BASE / "accounts.csv").read_bytes())
    rows = "".join(f"A1,2025Q3,${k},,,\n" for k in range(30))
    (folder / "revenue.csv").write_text("account_id,period,amount,buying_center,offering,gross_margin\n" + rows,
                                        encoding="utf-8")
    assert main(["validate", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    lines = problem_lines(err)
    assert err.splitlines()[0] == heading("validate", 30)
    assert len(lines) == 21
    assert lines[0] == "revenue.csv, row 2, column amount: value '$0': expected a number (plain digits, like 0)"
    assert lines[-1] == "... and 10 more in revenue.csv, column amount (rows 22 to 31)"
    with pytest.raises(InputError) as info:
        load_portfolio(folder)
    assert len(info.value.problems) == 30
    assert main(["--debug", "validate", "--data", str(folder)]) == 2
    assert len(problem_lines(capsys.readouterr().err)) == 30


# --- paths that are not a portfolio --------------------------------------------------------
def test_paths_that_are_not_a_portfolio(tmp_path, capsys):
    old = tmp_path / "client.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))
    cases = {
        tmp_path / "nope": "expected an existing folder of CSV files or .xlsx workbook (not found)",
        BASE / "accounts.csv": "expected a folder of CSV files or an .xlsx workbook (got a single CSV file: "
                               "give the folder that holds accounts.csv and revenue.csv)",
        old: "expected a folder of CSV files or an .xlsx workbook (got an old Excel .xls workbook: save it as .xlsx)",
    }
    for path, message in cases.items():
        assert main(["validate", "--data", str(path)]) == 2
        assert problem_lines(capsys.readouterr().err) == [f"{path}: {message}"]


# --- workbooks ------------------------------------------------------------------------------
def base_tables(*names: str) -> dict[str, pd.DataFrame]:
    return {n: pd.read_csv(BASE / f"{n}.csv", dtype=str, keep_default_na=False) for n in names}


def openpyxl_book(*names: str):
    """An openpyxl workbook of base/'s tables, one sheet each, every cell as text (to edit
    cells, formulas or sheet states before saving)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in base_tables(*names).items():
        ws = wb.create_sheet(name)
        for row in [list(df.columns)] + df.values.tolist():
            ws.append(row)
    return wb


def write_book(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in sheets.items():
            df.to_excel(xl, sheet_name=name, index=False)
    return path


def _books(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """Broken workbooks built from base/, each with its expected problem lines."""
    t = base_tables("accounts", "revenue", "assessment")
    listed = "'accounts', 'Sheet1'"
    bad = t["revenue"].copy()
    bad.loc[1, "amount"] = "lots"
    bad.loc[2, "period"] = "Q3 2025"
    ok = write_book(folder / "ok.xlsx", {"accounts": t["accounts"], "revenue": t["revenue"]})
    truncated = folder / "truncated.xlsx"
    truncated.write_bytes(ok.read_bytes()[:300])
    renamed = folder / "renamed.xlsx"
    renamed.write_bytes((BASE / "accounts.csv").read_bytes())
    empty = folder / "empty.xlsx"
    empty.write_bytes(b"")
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "accounts"
    for row in [list(t["accounts"].columns)] + t["accounts"].values.tolist():
        wb.active.append(row)
    wb.create_sheet("revenue")
    wb.save(folder / "empty_sheet.xlsx")
    # written by a script, never opened in Excel: formulas without saved values, and errors
    wb = openpyxl_book("accounts", "revenue")
    rev = wb["revenue"]
    rev["F2"] = "=0.3*1"  # gross_margin
    rev["F3"] = "=F2"
    rev["C4"] = "#DIV/0!"  # amount
    rev["F5"] = "#N/A"
    wb.save(folder / "formulas.xlsx")
    return {
        "formulas_and_errors": (folder / "formulas.xlsx", [
            ("formulas.xlsx [sheet revenue], row 2, column gross_margin: expected a value, not a formula with no saved "
            "value in cell F2 (open and save the workbook in Excel, or paste values)"),
            ("formulas.xlsx [sheet revenue], row 3, column gross_margin: expected a value, not a formula with no saved "
            "value in cell F3 (open and save the workbook in Excel, or paste values)"),
            ("formulas.xlsx [sheet revenue], row 4, column amount: value '#DIV/0!': expected a value, not the Excel error "
            "#DIV/0! in cell C4 (fix the formula, or type the value)"),
            ("formulas.xlsx [sheet revenue], row 5, column gross_margin: value '#N/A': expected a value, not the Excel "
            "error #N/A in cell F5 (fix the formula, or type the value)")]),
        "missing_sheet": (write_book(folder / "missing.xlsx", {"accounts": t["accounts"], "Sheet1": t["revenue"]}),
                          [f"missing.xlsx: expected a sheet named 'revenue' (required; the workbook has sheets {listed})"]),
        "misnamed_sheets": (
            write_book(folder / "near.xlsx", {"accounts": t["accounts"], "Revenue 2025": t["revenue"],
                                              "assesment": t["assessment"]}),
            [("near.xlsx: expected a sheet named 'revenue' (is sheet 'Revenue 2025' meant? the workbook has sheets "
             "'accounts', 'Revenue 2025', 'assesment'; a sheet of another name is not read)"),
             ("near.xlsx: expected a sheet named 'assessment' (is sheet 'assesment' meant? the workbook has sheets "
             "'accounts', 'Revenue 2025', 'assesment'; a sheet of another name is not read)")]),
        "bad_cells": (write_book(folder / "cells.xlsx", {"accounts": t["accounts"], "revenue": bad}),
                      ["cells.xlsx [sheet revenue], row 3, column amount: value 'lots': expected a number",
                       ("cells.xlsx [sheet revenue], row 4, column period: value 'Q3 2025': expected a quarter label "
                       "like 2025Q3 or an ISO date like 2025-08-15 (write 2025Q3)")]),
        "header_only_sheet": (
            write_book(folder / "header_only.xlsx", {"accounts": t["accounts"], "revenue": t["revenue"].iloc[:0]}),
            [("header_only.xlsx [sheet revenue]: expected at least one row below the header (the sheet has a header but "
             "no rows)")]),
        "empty_sheet": (folder / "empty_sheet.xlsx",
                        [("empty_sheet.xlsx [sheet revenue]: expected a header row with the columns account_id, period, "
                         "amount (the sheet is empty)")]),
        "csv_renamed_xlsx": (renamed, [("renamed.xlsx: expected an .xlsx workbook (the file is not a workbook: a CSV file "
                                       "renamed .xlsx? give a folder of CSV files to --data)")]),
        "damaged": (truncated, [("truncated.xlsx: expected a readable .xlsx workbook (the file is damaged or not a "
                                "workbook: File is not a zip file)")]),
        "empty_file": (empty, ["empty.xlsx: expected an .xlsx workbook (the file is empty)"]),
    }


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    return _books(tmp_path_factory.mktemp("books"))


@pytest.mark.parametrize("name", ["missing_sheet", "misnamed_sheets", "bad_cells", "header_only_sheet", "empty_sheet",
                                  "csv_renamed_xlsx", "damaged", "empty_file", "formulas_and_errors"])
def test_broken_workbooks(books, name, tmp_path, capsys):
    book, want = books[name]
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    assert main(["validate", "--data", str(book)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == heading("validate", len(want))
    assert problem_lines(err) == want and "Traceback" not in err
    assert main(["tables", "--data", str(book), "--out", str(tmp_path / "run")]) == 2
    assert problem_lines(capsys.readouterr().err) == want
    assert not (tmp_path / "run").exists()
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before


def test_workbook_sheet_names_ignore_case_and_spaces(tmp_path):
    """Sheets 'Accounts ' and 'REVENUE' are the accounts and revenue tables."""
    t = base_tables("accounts", "revenue")
    book = write_book(tmp_path / "client.xlsx", {"Accounts ": t["accounts"], "REVENUE": t["revenue"]})
    p, base = load_portfolio(book), load_portfolio(BASE)
    for name in ("accounts", "revenue"):
        pd.testing.assert_frame_equal(p.table(name), base.table(name))


# --- valid: loaded to the same values as base/ ---------------------------------------------
ENCODINGS = {
    "utf8_bom_crlf": {"accounts.csv": "utf-8-sig", "revenue.csv": "utf-8-sig", "surveys.csv": "utf-8-sig"},
    "mac_roman_cr": {"accounts.csv": "mac_roman", "revenue.csv": "utf-8", "contacts.csv": "mac_roman"},
    "utf16_unicode_text": {"accounts.csv": "utf-16", "revenue.csv": "utf-16", "assessment.csv": "utf-16"},
    "tab_separated_windows_1252": {"accounts.csv": "cp1252", "revenue.csv": "utf-8"},
    # files without a byte above 127 are the same in every encoding: UTF-8
    "windows_1252": {"accounts.csv": "cp1252", "revenue.csv": "utf-8", "targets.csv": "utf-8",
                     "assessment.csv": "cp1252", "contacts.csv": "cp1252", "opportunities.csv": "utf-8",
                     "activities.csv": "utf-8", "surveys.csv": "cp1252"},
}


@pytest.fixture(scope="module")
def base_portfolio():
    return load_portfolio(BASE)


def contract_columns(name: str, df: pd.DataFrame) -> list[str]:
    cols = [c.name for c in TABLES[name].columns]
    if name in ("revenue", "targets"):
        cols.append("quarter")
    return cols


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_case_loads_like_the_base(case, base_portfolio, capsys):
    before = hashes(case)
    p = load_portfolio(case)
    assert hashes(case) == before
    supplied = [n for n in p.tables if n not in ("questions", "objectives")]
    assert {"accounts", "revenue"} <= set(supplied)
    for name in supplied:
        got, want = p.table(name), base_portfolio.table(name)
        cols = contract_columns(name, want)
        if case.name == "header_only_optional" and name in ("contacts", "activities"):
            assert got.empty and set(cols) <= set(got.columns)
            continue
        pd.testing.assert_frame_equal(got[cols].reset_index(drop=True), want[cols].reset_index(drop=True),
                                      obj=f"{case.name}/{name}")
    assert p.account_ids == ["A1", "00123", "M-7"]
    assert p.table("accounts")["account_name"].tolist() == ["Acme Corp", "Société Générale", "Müller – Café"]
    if case.name in ENCODINGS:
        assert p.encodings == ENCODINGS[case.name]
    assert main(["validate", "--data", str(case)]) == 0
    assert "inputs are valid" in capsys.readouterr().out


def test_extra_columns_are_kept_under_their_names():
    rev = load_portfolio(CORPUS / "valid" / "extra_columns").table("revenue")
    assert rev["invoice_no"].tolist()[:2] == ["INV-0", "INV-1"]
    assert "notes" in rev.columns and "notes.1" in rev.columns


def test_blank_lines_keep_row_numbers(tmp_path):
    """With blank lines and ',,,' rows in between, a bad cell is named by its row in the file."""
    folder = tmp_path / "data"
    folder.mkdir()
    for f in (CORPUS / "valid" / "blank_lines_and_empty_rows").iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    text = (folder / "revenue.csv").read_text(encoding="utf-8").replace("-5000", "oops")
    (folder / "revenue.csv").write_text(text, encoding="utf-8")
    line = next(i for i, line in enumerate(text.splitlines(), start=1) if "oops" in line)
    with pytest.raises(InputError) as info:
        load_portfolio(folder)
    assert [(p.file, p.row, p.column, p.value) for p in info.value.problems] == [("revenue.csv", line, "amount", "oops")]
    assert line == 10  # 2 data rows and their filler lines before it


@pytest.mark.parametrize("name", ["windows_1252", "value_variants"])
def test_valid_case_gives_the_same_tables(name, tmp_path):
    """Every table: `kit tables` on the re-encoded (or re-spelt) portfolio writes the same
    files as on the base portfolio (value_variants lacks targets: compared with base
    without targets)."""
    case = CORPUS / "valid" / name
    base = BASE
    if name == "value_variants":
        base = tmp_path / "base"
        base.mkdir()
        for f in BASE.iterdir():
            if f.name != "targets.csv":
                (base / f.name).write_bytes(f.read_bytes())
    assert main(["tables", "--data", str(base), "--out", str(tmp_path / "a")]) == 0
    assert main(["tables", "--data", str(case), "--out", str(tmp_path / "b")]) == 0
    names = sorted(f.name for f in (tmp_path / "a" / "tables").iterdir())
    assert names == sorted(f.name for f in (tmp_path / "b" / "tables").iterdir())
    for f in names:
        assert (tmp_path / "a" / "tables" / f).read_bytes() == (tmp_path / "b" / "tables" / f).read_bytes(), f


def test_the_encoding_assumed_is_said_and_recorded(tmp_path, capsys):
    """A file that is not UTF-8 loads, and the user is told how it was read."""
    import json

    case = CORPUS / "valid" / "windows_1252"
    assert main(["validate", "--data", str(case)]) == 0
    err = capsys.readouterr().err
    assert "accounts.csv was read as Windows-1252" in err and "CSV UTF-8" in err
    assert "revenue.csv was read" not in err  # plain ASCII files are UTF-8: nothing to say
    assert main(["tables", "--data", str(case), "--out", str(tmp_path / "out")]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input_encodings"]["accounts.csv"] == "cp1252"
    assert manifest["input_encodings"]["revenue.csv"] == "utf-8"


# --- built here: what git cannot hold, or holds badly (issue 13) ---------------------------
def _copy_base(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for p in BASE.iterdir():
        (dest / p.name).write_bytes(p.read_bytes())
    return dest


def test_links_and_pipes_are_refused_without_reading_them(tmp_path, capsys):
    """A link out of the data folder (to /etc/passwd, to another client's file) and a named
    pipe are refused by name; nothing of what they point at is read or shown."""
    import os

    other = _copy_base(tmp_path / "other_client")
    data = _copy_base(tmp_path / "client")
    secret = tmp_path / "secret.csv"
    secret.write_text("account_id,period,amount\nTOP-SECRET,2025Q1,1\n")
    (data / "revenue.csv").unlink()
    (data / "revenue.csv").symlink_to(secret)
    (data / "contacts.csv").unlink()
    (data / "contacts.csv").symlink_to(other / "contacts.csv")
    (data / "surveys.csv").unlink()
    os.mkfifo(data / "surveys.csv")  # opening it for reading would block the run forever
    assert main(["validate", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    kinds = {"contacts.csv": "a symbolic link", "revenue.csv": "a symbolic link", "surveys.csv": "a named pipe"}
    assert problem_lines(err) == [f"{name}: expected a regular file (this is {kind}, which the kit does not follow or read: "
                                  "copy the file itself into the data folder)" for name, kind in kinds.items()]
    assert "TOP-SECRET" not in err and "account_id,period" not in err


def test_a_nul_byte_deep_in_a_file_is_found(tmp_path, capsys):
    data = _copy_base(tmp_path / "client")
    body = (BASE / "activities.csv").read_text(encoding="utf-8")
    filler = "".join(f"A1,2025-09-01,meeting,,,note {i}\n" for i in range(3000))  # past 64 KiB
    (data / "activities.csv").write_bytes((body + filler).encode() + b"A1,2025-09-02,meeting,,,a\x00b\n")
    assert len((data / "activities.csv").read_bytes()) > 65536
    assert main(["validate", "--data", str(data)]) == 2
    lines = problem_lines(capsys.readouterr().err)
    assert lines == [("activities.csv: expected comma-separated text (the file holds binary data, NUL bytes "
                     f"(the first on row {body.count(chr(10)) + 3001}): save it as 'CSV UTF-8')")]


def _with_saved_values(book: Path, out: Path) -> Path:
    """``book`` as Excel saves it: each formula cell of the revenue sheet with its value."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb"<f>([^<]*)</f><v\s*/>|<f>([^<]*)</f><v></v>|<f>([^<]*)</f>",
                              lambda m: b"<f>" + (m.group(1) or m.group(2) or m.group(3)) + b"</f><v>0.3</v>", data)
            zout.writestr(item, data)
    return out


def test_formulas_with_saved_values_are_read(tmp_path):
    wb = openpyxl_book("accounts", "revenue")
    rev = wb["revenue"]
    rev["F2"] = "=0.1+0.2"
    wb.save(tmp_path / "plain.xlsx")
    book = _with_saved_values(tmp_path / "plain.xlsx", tmp_path / "saved.xlsx")
    p = load_portfolio(book)
    assert p.table("revenue")["gross_margin"].iloc[0] == pytest.approx(0.3)


def test_a_hidden_sheet_read_as_a_table_is_said(tmp_path, capsys):
    wb = openpyxl_book("accounts", "revenue")
    rev = wb["revenue"]
    rev.sheet_state = "hidden"
    wb.save(tmp_path / "hidden.xlsx")
    assert main(["validate", "--data", str(tmp_path / "hidden.xlsx")]) == 0
    assert "note: sheet 'revenue' of hidden.xlsx is hidden in Excel; it was read as the revenue table" in capsys.readouterr().err
    assert load_portfolio(tmp_path / "hidden.xlsx").notes


def test_ids_that_differ_only_in_unicode_normalization_are_one_id(tmp_path):
    """'Café' typed on a Mac (e + combining accent) and on Windows (é) are one account:
    every text cell is read as Unicode NFC (README, 'Files as clients' tools write them')."""
    import unicodedata

    data = tmp_path / "client"
    data.mkdir()
    composed, decomposed = unicodedata.normalize("NFC", "Café-1"), unicodedata.normalize("NFD", "Café-1")
    assert composed != decomposed
    (data / "accounts.csv").write_text(f"account_id,account_name\n{composed},Café\n", encoding="utf-8")
    (data / "revenue.csv").write_text(f"account_id,period,amount\n{decomposed},2025Q1,100\n", encoding="utf-8")
    p = load_portfolio(data)
    assert p.account_ids == [composed] and p.table("revenue")["account_id"].tolist() == [composed]


def test_a_workbook_that_unpacks_too_large_is_refused_unparsed(tmp_path, capsys, monkeypatch):
    import kit.inputs.workbook

    t = base_tables("accounts", "revenue")
    book = write_book(tmp_path / "book.xlsx", {"accounts": t["accounts"], "revenue": t["revenue"]})
    monkeypatch.setattr(kit.inputs.workbook, "MAX_WORKBOOK_UNPACKED", 1000)  # a real bomb would take minutes to build
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: pytest.fail("parsed"))
    assert main(["validate", "--data", str(book)]) == 2
    assert "expected a workbook that unpacks to at most" in capsys.readouterr().err
