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
    assert "--as-of" in capsys.readouterr().err


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


# --- the assessment workshop: kit questionnaire, kit ingest ------------------------------
def _workshop_data(tmp_path: Path) -> Path:
    data = tmp_path / "client"
    data.mkdir()
    (data / "accounts.csv").write_text("account_id,account_name\n00123,Acme\nB-2,Beta\n", encoding="utf-8")
    (data / "revenue.csv").write_text("account_id,period,amount\n00123,2026Q3,100\nB-2,2026Q3,5\n", encoding="utf-8")
    return data


def _answer_all(path: Path, value: object) -> None:
    from openpyxl import load_workbook

    from kit.workshop.common import FIRST_ROW

    wb = load_workbook(path)
    ws = wb["Questions"]
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws[f"B{r}"].value:
            ws[f"D{r}"] = value
    wb.save(path)


def test_questionnaire_and_ingest_round_trip(tmp_path, capsys):
    data = _workshop_data(tmp_path)
    raters = tmp_path / "raters.csv"
    raters.write_text("rater,role\nAnn Lee,account_team\nCat Ng,client\n", encoding="utf-8")
    out = tmp_path / "workshop"
    # an id given as a number matches the account 00123 (ids are text)
    assert main(["questionnaire", "--data", str(data), "--account", "123", "--raters", str(raters),
                 "--date", "2026-09-10", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    files = sorted(out.glob("*.xlsx"))
    assert [f.name for f in files] == ["00123_2026-09-10_Ann-Lee.xlsx", "00123_2026-09-10_Cat-Ng.xlsx"]
    assert "wrote 2 questionnaire(s)" in printed and "kit ingest" in printed
    single = tmp_path / "dan.xlsx"
    assert main(["questionnaire", "--data", str(data), "--account", "00123", "--rater", "Dan", "--role", "delivery",
                 "--date", "2026-09-10", "--out", str(single)]) == 0
    capsys.readouterr()

    _answer_all(files[0], 4)
    _answer_all(files[1], 2)
    assert main(["ingest", str(out), "--data", str(data), "--dry-run"]) == 0
    assert "would add 110 row(s)" in capsys.readouterr().out and not (data / "assessment.csv").exists()
    assert main(["ingest", *map(str, files), "--data", str(data)]) == 0
    printed = capsys.readouterr().out
    assert f"added 110 row(s) to {data / 'assessment.csv'}" in printed
    assert "Ann Lee (account team), account 00123 on 2026-09-10: 55 of 55 questions answered" in printed
    lines = (data / "assessment.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "account_id,assessed_on,rater,element,score,question_id,rater_role,comment"
    assert lines[1].startswith("00123,2026-09-10,Ann Lee,client_understanding,4,client_understanding.q1,account_team,")
    assert main(["validate", "--data", str(data)]) == 0

    # again: unchanged; a changed answer: refused (exit 2) until --replace
    assert main(["ingest", str(files[0]), "--data", str(data)]) == 0
    assert "unchanged" in capsys.readouterr().out
    _answer_all(files[0], 5)
    before = (data / "assessment.csv").read_bytes()
    assert main(["ingest", str(files[0]), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "--replace" in err and "Nothing was added" in err and "Traceback" not in err
    assert (data / "assessment.csv").read_bytes() == before
    assert main(["ingest", str(files[0]), "--data", str(data), "--replace"]) == 0
    assert "replacing 55 earlier row(s)" in capsys.readouterr().out


def test_ingest_problems_name_file_sheet_and_cell(tmp_path, capsys):
    from openpyxl import load_workbook

    data = _workshop_data(tmp_path)
    path = tmp_path / "ann.xlsx"
    assert main(["questionnaire", "--data", str(data), "--account", "00123", "--rater", "Ann", "--role", "client",
                 "--out", str(path)]) == 0
    wb = load_workbook(path)
    wb["Questions"]["D9"], wb["Questions"]["D10"], wb["Questions"]["B4"] = 7, "abc", "Someone else"
    wb.save(path)
    assert main(["ingest", str(path), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "kit ingest: 3 problems in the input:" in err
    assert f"{path}, cell Questions!D9 (answer to client_understanding.q1): value '7': expected a whole number from 1 to 5" in err
    assert f"{path}, cell Questions!D10 (answer to client_understanding.q2): value 'abc'" in err
    assert f"{path}, cell Questions!B4 (rater): value 'Someone else': expected 'Ann'" in err
    assert "Traceback" not in err and not (data / "assessment.csv").exists()


def test_questionnaire_argument_errors_exit_2(tmp_path, capsys):
    data = _workshop_data(tmp_path)
    base = ["questionnaire", "--data", str(data), "--account", "00123"]
    assert main([*base, "--rater", "Ann", "--out", str(tmp_path / "a.xlsx")]) == 2
    assert "--rater needs --role" in capsys.readouterr().err
    assert main([*base, "--rater", "Ann", "--role", "boss", "--out", str(tmp_path / "a.xlsx")]) == 2
    assert "role must be one of account_team, leadership, delivery, client" in capsys.readouterr().err
    assert main(["questionnaire", "--data", str(data), "--account", "NOPE", "--rater", "Ann", "--role", "client",
                 "--out", str(tmp_path / "a.xlsx")]) == 2
    assert "'NOPE' is not in accounts" in capsys.readouterr().err
    assert main([*base, "--rater", "Ann", "--role", "client", "--out", str(tmp_path / "a.csv")]) == 2
    assert "must be an .xlsx file" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "none.xlsx"), "--data", str(tmp_path / "missing")]) == 2
    assert "folder not found" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.xlsx"))


def test_help_explains_the_workshop_commands():
    choices = build_parser()._subparsers._group_actions[0].choices
    text = choices["questionnaire"].format_help()
    for opt in ("--data", "--account", "--rater", "--raters", "--role", "--date", "--out", "--force"):
        assert opt in text
    text = choices["ingest"].format_help()
    for opt in ("--data", "--replace", "--dry-run", "FILE"):
        assert opt in text
    assert "kit questionnaire" in build_parser().format_help() and "kit ingest" in build_parser().format_help()


# --- installed anywhere: no Jupyter for the figures, notebooks copied out ----------------
JUPYTER_MODULES = ("jupyter_client", "nbclient", "papermill", "nbconvert", "zmq")


@pytest.mark.parametrize("command", ["tables", "validate"])
def test_tables_and_validate_import_no_jupyter_machinery(command, data, tmp_path):
    """A fresh interpreter (this one has imported everything already)."""
    argv = [command, "--data", str(data)] + (["--out", str(tmp_path / "out")] if command == "tables" else [])
    code = (f"import sys; from kit.cli import main; rc = main({argv!r}); "
            f"print('loaded:', sorted(m for m in {JUPYTER_MODULES!r} if m in sys.modules)); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "loaded: []" in proc.stdout, proc.stdout


def test_the_engine_names_stay_importable_from_kit_run():
    import kit.run.batch
    import kit.run.engine

    for name in ("IPCKernelManager", "KERNEL_NAME", "CELL_TIMEOUT", "START_TIMEOUT"):
        assert name in kit.run.batch.__all__ and getattr(kit.run.batch, name) is getattr(kit.run.engine, name)
    with pytest.raises(AttributeError):
        kit.run.batch.no_such_name  # noqa: B018


def test_notebooks_copies_them_out_and_never_overwrites_unasked(tmp_path, capsys):
    from kit.run.batch import notebooks_dir

    dest = tmp_path / "mine"
    assert main(["notebooks", str(dest)]) == 0
    printed = capsys.readouterr().out
    names = ["account_health.ipynb", "portfolio_health.ipynb", "workshop.ipynb"]
    assert sorted(p.name for p in dest.iterdir()) == names
    for name in names:
        assert (dest / name).read_bytes() == (notebooks_dir() / name).read_bytes()
        assert str(dest / name) in printed
    assert f"kit run --data FOLDER --notebooks {dest}" in printed

    (dest / "account_health.ipynb").write_text("my changes", encoding="utf-8")
    assert main(["notebooks", str(dest)]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and "nothing was written" in err and "Traceback" not in err
    assert (dest / "account_health.ipynb").read_text(encoding="utf-8") == "my changes"
    assert main(["notebooks", str(dest), "--force"]) == 0
    assert (dest / "account_health.ipynb").read_bytes() == (notebooks_dir() / "account_health.ipynb").read_bytes()


def test_run_notebooks_option_reaches_the_run(data, tmp_path, monkeypatch, capsys):
    import kit.run

    dest = tmp_path / "mine"
    assert main(["notebooks", str(dest)]) == 0
    seen = {}

    def fake_run(data, **kwargs):
        seen.update(kwargs)
        return kit.run.RunResult(out=tmp_path / "out", model=None)

    monkeypatch.setattr(kit.run.batch, "run", fake_run)
    assert main(["run", "--data", str(data), "--notebooks", str(dest)]) == 0
    assert seen["notebooks"] == dest
    # a folder without the notebooks is refused before any figure is computed
    with pytest.raises(SystemExit) as exc:
        main(["run", "--data", str(data), "--notebooks", str(tmp_path)])
    assert exc.value.code == 2
    assert "no account_health.ipynb or portfolio_health.ipynb there" in capsys.readouterr().err


def test_synth_never_replaces_files_without_force(tmp_path, capsys):
    """``kit synth --out`` a client's data folder would replace its accounts.csv (issue 13)."""
    client = tmp_path / "client"
    client.mkdir()
    (client / "accounts.csv").write_text("account_id,account_name\nA1,Real client\n")
    assert main(["synth", "--accounts", "3", "--out", str(client)]) == 2
    assert "already holds accounts.csv" in capsys.readouterr().err
    assert (client / "accounts.csv").read_text() == "account_id,account_name\nA1,Real client\n"
    assert main(["synth", "--accounts", "3", "--out", str(client), "--force"]) == 0


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "9999Q4", "1899Q4", "2025-02-30", "soon"])
def test_an_as_of_out_of_range_or_not_a_date_names_the_flag(as_of, tmp_path, capsys):
    """No internal error at the edges of the calendar (issue 13): the message names --as-of."""
    from kit.synth import make_portfolio, write_portfolio

    data = write_portfolio(make_portfolio(3, seed=1), tmp_path / "d")[0].parent
    assert main(["tables", "--data", str(data), "--out", str(tmp_path / "o"), "--as-of", as_of]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kit tables: error: --as-of: ") and "internal error" not in err
    assert not (tmp_path / "o").exists()


def test_library_errors_name_the_parameter_and_the_cli_the_flag():
    from kit.errors import UsageError
    from kit.run.options import RunOptions

    with pytest.raises(UsageError) as exc:
        RunOptions(workers=0)
    assert str(exc.value) == "workers: must be 1 or more, got 0" and exc.value.for_cli().startswith("--workers: ")
    with pytest.raises(UsageError, match="timeout"):
        RunOptions(timeout=float("nan"))
    import pickle

    again = pickle.loads(pickle.dumps(exc.value))  # errors cross worker processes
    assert again.param == "workers" and str(again) == str(exc.value)


def test_run_console_summary_says_when_the_categories_do_not_fit(tmp_path, monkeypatch, capsys, tables_writer):
    """The run's console summary carries the category-scale check with the config.yml lines."""
    import kit.run
    from kit.config import Settings
    from kit.figures.model import build_model
    from kit.inputs.portfolio import load_portfolio
    from kit.periods import parse_period, quarter_label

    q = parse_period("2025Q4")
    rows = [{"account_id": f"A{i}", "period": quarter_label(q - k), "amount": str(1000 * (i + 1)),
             "buying_center": bc, "offering": "Advisory"} for i in range(10) for k in range(8) for bc in ("X", "Y")]
    folder = tables_writer(tmp_path / "small", {
        "accounts": [{"account_id": f"A{i}", "account_name": f"A{i}"} for i in range(10)], "revenue": rows})
    model = build_model(load_portfolio(folder), Settings())

    def fake_run(data, **kwargs):
        return kit.run.RunResult(out=tmp_path / "out", model=model)

    monkeypatch.setattr(kit.run.batch, "run", fake_run)
    assert main(["run", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "note: the category rules do not fit this client's scale: 10 of the 10 accounts with revenue (100%) are Core" in out
    # the 90th percentile of T4Q revenue (8,000 .. 80,000), and the buying centers the accounts have (2)
    assert "add these lines to config.yml" in out and "    strategic_min_revenue: 73000" in out
    assert "    strategic_min_buying_centers: 2" in out


# --- validate checks the branding files as kit run does (issue 16) -----------------------------
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
                        "6060f80f0000010401005d0b2a4a0000000049454e44ae426082")


@pytest.mark.parametrize(("setting", "content", "said"), [
    ("logo: no-such-logo.png", None, "setting logo: "),
    ("logo: logo.png", b"not an image", "setting logo: "),
    ("deck_template: firm.pptx", b"not a zip", "setting deck_template: "),
    ("deck_template: no-such.pptx", None, "setting deck_template: "),
])
def test_validate_reports_a_missing_or_unreadable_branding_file(data, tmp_path, capsys, setting, content, said):
    if content is not None:
        (tmp_path / setting.split(": ")[1]).write_bytes(content)
    cfg = tmp_path / "config.yml"
    cfg.write_text(setting + "\n", encoding="utf-8")
    assert main(["validate", "--data", str(data), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert "kit validate: error: " in err and said in err and str(tmp_path) in err  # the setting and the path


def test_validate_says_readable_branding_files_and_lists_them_beside_input_problems(data, tmp_path, capsys):
    (tmp_path / "logo.png").write_bytes(PNG_1PX)
    good = tmp_path / "good.yml"
    good.write_text("logo: logo.png\nfirm_name: Acme\n", encoding="utf-8")
    assert main(["validate", "--data", str(data), "--config", str(good)]) == 0
    assert "branding files are readable (logo " in capsys.readouterr().out
    # a broken logo and broken data: both said in one validate
    bad_cfg = tmp_path / "bad.yml"
    bad_cfg.write_text("logo: missing.png\n", encoding="utf-8")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "accounts.csv").write_text("account_id,account_name\n1,A\n1,B\n", encoding="utf-8")
    (bad / "revenue.csv").write_text("account_id,period,amount\n1,2025Q3,5\n", encoding="utf-8")
    assert main(["validate", "--data", str(bad), "--config", str(bad_cfg)]) == 2
    err = capsys.readouterr().err
    assert "setting logo: " in err and "accounts.csv, row 3, column account_id" in err and "Traceback" not in err
