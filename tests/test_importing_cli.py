"""kit import and kit template from the command line: exit status, messages, no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.cli import build_parser, main

FIXTURES = Path(__file__).parent / "fixtures" / "importing"


def test_both_commands_are_listed_in_the_help():
    text = build_parser().format_help()
    assert "import" in text and "template" in text


def test_kit_import_prints_the_summary_and_writes_a_valid_folder(tmp_path, capsys):
    exports = tmp_path / "exports"
    shutil.copytree(FIXTURES / "salesforce", exports)
    assert main(["import", str(exports), "--out", str(tmp_path / "acme"), "--profile", "salesforce"]) == 0
    out = capsys.readouterr().out
    assert "opportunities: 9 row(s) read from opportunities_report.csv; 7 written" in out
    assert "inputs are valid" in out and f"Next: kit run --data {tmp_path / 'acme'}" in out
    assert main(["validate", "--data", str(tmp_path / "acme")]) == 0


def test_a_dry_run_writes_nothing(tmp_path, capsys):
    assert main(["import", str(FIXTURES / "hubspot"), "--out", str(tmp_path / "x"), "--dry-run"]) == 0
    assert "Dry run: nothing was written" in capsys.readouterr().out
    assert not (tmp_path / "x").exists()


def test_a_bad_mapping_exits_2_with_the_line_and_no_traceback(tmp_path, capsys):
    mapping = tmp_path / "m.yml"
    mapping.write_text("tables:\n  revenue:\n    colums: {}\n", encoding="utf-8")
    code = main(["import", str(FIXTURES / "finance"), "--out", str(tmp_path / "x"), "--mapping", str(mapping)])
    err = capsys.readouterr().err
    assert code == 2
    assert "m.yml, line 3, key tables.revenue.colums" in err and "did you mean columns?" in err
    assert "Traceback" not in err


def test_the_finance_mapping_of_the_readme_works(tmp_path, capsys):
    folder = FIXTURES / "finance"
    code = main(["import", str(folder / "customers.csv"), str(folder / "invoices.csv"), "--mapping",
                 str(folder / "finance-mapping.yml"), "--out", str(tmp_path / "acme")])
    assert code == 0, capsys.readouterr().err
    assert "revenue: 5 row(s) read from invoices.csv; 4 written" in capsys.readouterr().out


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["import", str(FIXTURES / "hubspot")]) == 2
    assert "--out DIR is required" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "nothing.csv"), "--out", str(tmp_path / "o")]) == 2
    assert "not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["import", "x", "--profile", "salesforce", "--mapping", "m.yml", "--out", "o"])
    assert exc.value.code == 2


def test_print_profile_shows_a_mapping_to_copy(capsys):
    assert main(["import", "--print-profile", "hubspot"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# kit import profile: HubSpot exports.") and "Deal Stage" in out
    assert main(["import", "--print-profile", "hubspt"]) == 2
    assert "did you mean hubspot" in capsys.readouterr().err


def test_kit_template(tmp_path, capsys):
    target = tmp_path / "request.xlsx"
    assert main(["template", "--out", str(target)]) == 0
    assert target.is_file() and "wrote" in capsys.readouterr().out
    assert main(["template", "--out", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["template", "--out", str(target), "--force"]) == 0
