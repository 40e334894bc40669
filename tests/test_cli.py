"""The `kit` command: exit codes, messages without tracebacks, help text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kit.cli import build_parser, main


@pytest.fixture(scope="module")
def data(synth_portfolio) -> Path:
    return synth_portfolio(4, 5)


def test_help_explains_every_run_option():
    text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()
    for opt in ("--data", "--out", "--as-of", "--config", "--accounts", "--workers", "--audience"):
        assert opt in text


def test_validate_ok_and_bad(data, tmp_path, capsys):
    assert main(["validate", "--data", str(data)]) == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "accounts.csv").write_text("account_id,account_name\n00123,A\n00123,B\n", encoding="utf-8")
    (bad / "revenue.csv").write_text("account_id,period,amount\n00123,2025Q3,abc\n00999,2025Q3,5\n", encoding="utf-8")
    assert main(["validate", "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "accounts.csv, row 3, column account_id: value '00123'" in err
    assert "revenue.csv, row 2, column amount: value 'abc': expected a number" in err
    assert "4 problems" in err  # both duplicate rows, the bad amount, the unknown id


def test_missing_folder_exit_2_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kit.cli", "run", "--data", str(tmp_path / "nope")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "not found" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_account_and_bad_as_of_exit_2(data, tmp_path, capsys):
    assert main(["tables", "--data", str(data), "--out", str(tmp_path / "o"), "--accounts", "NOPE"]) == 2
    assert "unknown account id" in capsys.readouterr().err
    assert main(["tables", "--data", str(data), "--out", str(tmp_path / "o"), "--as-of", "someday"]) == 2
    assert "as_of" in capsys.readouterr().err


def test_as_of_changes_the_window(data, tmp_path):
    assert main(["tables", "--data", str(data), "--out", str(tmp_path / "a"), "--as-of", "2026Q1"]) == 0
    import json
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["as_of"] == "2026-03-31"


def test_synth_is_deterministic(tmp_path):
    assert main(["synth", "--accounts", "3", "--out", str(tmp_path / "x"), "--seed", "4"]) == 0
    assert main(["synth", "--accounts", "3", "--out", str(tmp_path / "y"), "--seed", "4"]) == 0
    for f in (tmp_path / "x").glob("*.csv"):
        assert f.read_bytes() == (tmp_path / "y" / f.name).read_bytes()
    assert main(["synth", "--accounts", "0", "--out", str(tmp_path / "z")]) == 2


def test_xlsx_input_gives_the_same_tables(data, tmp_path):
    book = tmp_path / "client.xlsx"
    with pd.ExcelWriter(book) as xw:
        for f in sorted(data.glob("*.csv")):
            pd.read_csv(f, dtype=str, keep_default_na=False).to_excel(xw, sheet_name=f.stem, index=False)
    assert main(["tables", "--data", str(data), "--out", str(tmp_path / "csv")]) == 0
    assert main(["tables", "--data", str(book), "--out", str(tmp_path / "xlsx")]) == 0
    for name in ("account_summary", "element_scores", "revenue_motions", "warnings"):
        a = (tmp_path / "csv" / "tables" / f"{name}.csv").read_bytes()
        b = (tmp_path / "xlsx" / "tables" / f"{name}.csv").read_bytes()
        assert a == b, name


def test_default_out_is_reports_name(data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["tables", "--data", str(data)]) == 0
    assert (tmp_path / "reports" / data.name / "tables" / "account_summary.csv").is_file()


def test_unwritable_out_is_a_clear_error(data, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["tables", "--data", str(data), "--out", str(blocker / "run")]) == 2
    err = capsys.readouterr().err
    assert "cannot read or write" in err and "Traceback" not in err
