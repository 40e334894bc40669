"""kit template: the data-request workbook, and its round trip (filled with openpyxl,
then read by the kit's loader as a --data workbook)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kit.errors import InputError, UsageError
from kit.importing.kitapi import load_portfolio
from kit.importing.template import DESCRIPTIONS, EXAMPLES, REQUESTED_TABLES, TABLE_PURPOSE, write_template
from kit.schema import TABLES


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_template(tmp_path / "request.xlsx")


def test_descriptions_and_examples_cover_the_contract_and_nothing_else():
    assert set(REQUESTED_TABLES) == {t for t, rule in TABLES.items() if rule.has_account_id}
    assert "questions" not in REQUESTED_TABLES  # an empty questions sheet would replace the kit's question bank
    for name in REQUESTED_TABLES:
        columns = [c.name for c in TABLES[name].columns]
        assert list(DESCRIPTIONS[name]) == columns, name
        assert set(EXAMPLES[name]) <= set(columns) and set(TABLES[name].required) <= set(EXAMPLES[name]), name
        assert TABLE_PURPOSE[name]


def test_one_sheet_per_table_with_the_header_on_row_1_notes_and_drop_downs(template):
    wb = load_workbook(template)
    assert wb.sheetnames == ["Instructions", *REQUESTED_TABLES]
    for name in REQUESTED_TABLES:
        ws = wb[name]
        rule = TABLES[name]
        assert [c.value for c in ws[1]] == [c.name for c in rule.columns]
        assert ws.max_row == 1  # no example or description row among the data
        assert all(c.comment is not None and c.comment.text for c in ws[1])
        lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1 for dv in ws.data_validations.dataValidation}
        for i, col in enumerate(rule.columns):
            letter = ws.cell(row=1, column=i + 1).column_letter
            if col.kind == "enum":
                assert lists[letter] == '"' + ",".join(col.values) + '"'
            elif col.kind == "bool":
                assert lists[letter] == '"true,false"'
            else:
                assert letter not in lists
            if col.kind == "id":
                assert ws.column_dimensions[letter].number_format == "@"  # 00123 keeps its zeros
    guide = [str(c.value) for row in wb["Instructions"].iter_rows() for c in row if c.value is not None]
    assert any("Do not add example rows" in g for g in guide)
    assert "client_understanding.q1" in guide  # the examples are on the instructions sheet


def _fill(path: Path, rows: dict[str, list[dict[str, object]]]) -> Path:
    wb = load_workbook(path)
    for name, records in rows.items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        for rec in records:
            ws.append([rec.get(h) for h in header])
    out = path.with_name("filled.xlsx")
    wb.save(out)
    return out


def _typed(name: str, rec: dict[str, object]) -> dict[str, object]:
    """An example as a client types it in Excel: dates as date cells."""
    kinds = {c.name: c.kind for c in TABLES[name].columns}
    return {k: (dt.datetime.fromisoformat(v) if kinds[k] == "date" and isinstance(v, str) else v) for k, v in rec.items()}


def test_filled_in_it_is_a_valid_data_workbook_as_it_is(template):
    filled = _fill(template, {name: [_typed(name, EXAMPLES[name])] for name in REQUESTED_TABLES})
    p = load_portfolio(filled)
    for name in REQUESTED_TABLES:
        assert len(p.tables[name]) == 1, name
    assert p.account_ids == ["00123"]
    assert p.tables["contacts"]["first_met"].iloc[0] == dt.datetime(2023, 2, 14)
    assert not p.questions_supplied and len(p.tables["questions"])  # the kit's own bank


def test_the_required_sheets_alone_are_enough_and_empty_sheets_are_no_data(template):
    filled = _fill(template, {"accounts": [{"account_id": "00123", "account_name": "Acme"}],
                              "revenue": [{"account_id": "00123", "period": "2025Q3", "amount": 1000}]})
    p = load_portfolio(filled)
    assert len(p.tables["accounts"]) == 1 and len(p.tables["contacts"]) == 0


def test_an_unfilled_template_is_reported_as_such(template):
    with pytest.raises(InputError, match="at least one row below the header"):
        load_portfolio(template)


def test_the_template_is_not_overwritten_without_force(template):
    with pytest.raises(UsageError, match="already exists"):
        write_template(template)
    assert write_template(template, force=True) == template
    with pytest.raises(UsageError, match=".xlsx"):
        write_template(template.with_suffix(".csv"))
