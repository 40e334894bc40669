"""Mapping files: validated like config.yml, every problem with its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import InputError, UsageError
from kit.importing.importer import run_import
from kit.importing.mapping import MAX_MAPPING_BYTES, load_mapping, load_profile, profile_names, profile_text
from kit.schema import TABLES

GOOD = """\
name: invoices
tables:
  accounts:
    source: {file: "customers.csv"}
    columns:
      account_id: Customer No
      account_name: Customer
  revenue:
    source: {file: "invoices.csv"}
    columns:
      account_id: Customer No
      period: {column: Invoice Date, date: DD/MM/YYYY}
      amount: {column: Net Amount, number: "1,234.56"}
"""


def _mapping(tmp_path: Path, text: str, name: str = "mapping.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_mapping(path)
    return [str(p) for p in exc.value.problems]


def test_a_good_mapping_loads(tmp_path):
    m = load_mapping(_mapping(tmp_path, GOOD))
    assert set(m.spec.tables) == {"accounts", "revenue"}
    assert m.spec.tables["revenue"].columns["amount"].column == ("Net Amount",)
    assert m.line("tables", "revenue", "columns", "amount") == 13


def test_an_unknown_key_names_the_file_line_key_and_the_nearest_key(tmp_path):
    text = GOOD.replace("number: ", "numbr: ")
    (problem,) = _problems(_mapping(tmp_path, text))
    assert problem.startswith("mapping.yml, line 13, key tables.revenue.columns.amount.numbr")
    assert "did you mean number?" in problem


def test_every_problem_is_listed_at_once(tmp_path):
    text = GOOD.replace("account_name: Customer", "acount_name: Customer").replace("  revenue:", "  revenu:")
    problems = _problems(_mapping(tmp_path, text))
    joined = "\n".join(problems)
    assert "line 7, key tables.accounts.columns.acount_name" in joined and "did you mean account_name?" in joined
    assert "key tables.accounts.columns: expected the contract's required column(s) account_name" in joined
    assert "line 8, key tables.revenu" in joined and "did you mean revenue?" in joined
    assert len(problems) == 3


def test_required_columns_must_be_mapped(tmp_path):
    text = GOOD.replace("      period: {column: Invoice Date, date: DD/MM/YYYY}\n", "")
    (problem,) = _problems(_mapping(tmp_path, text))
    assert "line 10, key tables.revenue.columns" in problem and "required column(s) period" in problem


@pytest.mark.parametrize(("change", "expected"), [
    (("date: DD/MM/YYYY", "date: tomorrow"), "a date format such as DD/MM/YYYY"),
    (('number: "1,234.56"', "number: lots"), "an example such as 1,234.56"),
    (("account_name: Customer", "account_name: {column: Customer, date: DD/MM/YYYY}"), "date: only on a date or period column"),
    (("account_name: Customer", "account_name: {column: Customer, value: x}"), "one of column, concat or value"),
])
def test_options_must_fit_the_column(tmp_path, change, expected):
    problems = _problems(_mapping(tmp_path, GOOD.replace(*change)))
    assert any(expected in p for p in problems), problems


def test_a_value_map_must_give_allowed_values(tmp_path):
    text = GOOD + """\
  contacts:
    columns:
      account_id: Customer No
      contact_id: Contact
      level: {column: Title, map: {CEO: executive, Intern: junior}}
      role: {column: Role, keywords: {decision_maker: [buyer], boss: [chief]}}
"""
    problems = "\n".join(_problems(_mapping(tmp_path, text)))
    assert "line 18, key tables.contacts.columns.level.map.Intern: value 'junior': expected one of executive, senior, manager, staff" in problems
    assert "key tables.contacts.columns.role.keywords.boss" in problems


def test_yaml_anchors_and_bad_yaml_are_refused_with_their_line(tmp_path):
    (alias,) = _problems(_mapping(tmp_path, GOOD.replace("name: invoices", "name: &n invoices\nother: *n")))
    assert "line 1" in alias and "without YAML anchors and aliases" in alias
    (bad,) = _problems(_mapping(tmp_path, GOOD + "  targets: [unclosed\n"))
    assert "valid YAML" in bad and "line" in bad


def test_a_mapping_file_is_size_bounded_and_a_mapping(tmp_path):
    (big,) = _problems(_mapping(tmp_path, "# " + "x" * MAX_MAPPING_BYTES))
    assert "at most 256 KiB" in big
    (listed,) = _problems(_mapping(tmp_path, "- a\n- b\n"))
    assert "a mapping with the key tables:" in listed
    (missing,) = _problems(tmp_path / "nope.yml")
    assert "an existing mapping file" in missing


def test_a_column_the_export_lacks_names_the_line_the_real_columns_and_the_nearest(tmp_path):
    src = tmp_path / "exports"
    src.mkdir()
    (src / "customers.csv").write_text("Customer No,Customer\n1,Acme\n", encoding="utf-8")
    (src / "invoices.csv").write_text("Customer No,Invoice Date,Net Amt\n1,31/01/2025,100\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run_import([src], out=tmp_path / "out", mapping=_mapping(tmp_path, GOOD))
    (problem,) = [str(p) for p in exc.value.problems]
    assert problem.startswith("mapping.yml, line 13, key tables.revenue.columns.amount")
    assert "a column 'Net Amount' in invoices.csv (did you mean 'Net Amt'? its columns: Customer No, Invoice Date, Net Amt)" in problem
    assert not (tmp_path / "out").exists()


def test_the_shipped_profiles_are_valid_mappings_of_the_contract():
    assert {"salesforce", "hubspot"} <= set(profile_names())
    for name in profile_names():
        m = load_profile(name)
        assert set(m.spec.tables) <= set(TABLES)
        assert profile_text(name).startswith("# kit import profile")


def test_an_unknown_profile_is_a_usage_error_with_a_suggestion():
    with pytest.raises(UsageError, match="did you mean salesforce"):
        load_profile("salesforc")
