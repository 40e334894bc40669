"""Cell values as exports write them: dates, numbers, ids, periods (kit.importing.values)."""

from __future__ import annotations

import datetime as dt

import pytest

from kit.importing.values import (
    NumberFormat,
    clean_cell,
    fitting_date_formats,
    header_key,
    infer_number_format,
    number_format_of,
    parse_bool,
    parse_date,
    parse_number,
    parse_period_text,
    salesforce_id18,
    strftime_of,
)

EN = NumberFormat(",", ".")
DE = NumberFormat(".", ",")


@pytest.mark.parametrize(("text", "fmt", "expected"), [
    ("$1,200.50", EN, 1200.5),
    ("USD 1,200.00", EN, 1200.0),
    ("(1,200)", EN, -1200.0),
    ("1,200.00-", EN, -1200.0),
    ("-5", EN, -5.0),
    ("1.234,56", DE, 1234.56),
    ("1.234,56 €", DE, 1234.56),
    ("1 234,56", NumberFormat(" ", ","), 1234.56),
    ("1'234.50", NumberFormat("'", "."), 1234.5),
    ("1200", DE, 1200.0),
])
def test_numbers_in_their_declared_format(text, fmt, expected):
    assert parse_number(text, fmt) == (expected, False)


@pytest.mark.parametrize(("text", "fmt"), [("1.234,56", EN), ("$1,200.50", DE), ("abc", EN), ("1,2345", EN), ("12 apples", EN)])
def test_a_number_in_another_format_is_not_read_as_a_wrong_number(text, fmt):
    assert parse_number(text, fmt)[0] is None


def test_percent_signs_are_reported():
    assert parse_number("40%", EN) == (40.0, True)


@pytest.mark.parametrize(("example", "expected"), [
    ("1,234.56", EN), ("$1,200.50", EN), ("1.234,56", DE), ("1 234,56", NumberFormat(" ", ",")),
    ("1234.56", NumberFormat(None, ".")), ("1234,56", NumberFormat(None, ",")), ("1,234", NumberFormat(",", None)),
])
def test_a_mapping_declares_a_number_format_by_example(example, expected):
    assert number_format_of(example) == expected


def test_a_columns_number_format_is_found_from_its_values():
    assert infer_number_format(["1.234,56", "12,5", "7"]) == (DE, False)
    assert infer_number_format(["1,234.5", "3"]) == (EN, False)
    assert infer_number_format(["1,200", "3,400"]) == (EN, True)  # no decimal mark seen: a guess, said so
    assert infer_number_format(["1,5", "2.5"])[0] is None  # two decimal marks: mixed


def test_dates_fit_the_formats_their_values_allow():
    assert fitting_date_formats(["31/03/2024", "3/4/2024"]) == ["%d/%m/%Y"]
    assert fitting_date_formats(["3/31/2024 10:15 AM"]) == ["%m/%d/%Y"]
    assert set(fitting_date_formats(["3/4/2024"])) >= {"%m/%d/%Y", "%d/%m/%Y"}  # ambiguous
    assert fitting_date_formats(["2024-03-31T10:15:00Z"]) == ["%Y-%m-%d"]
    assert parse_date("31.12.2025", strftime_of("DD.MM.YYYY")) == dt.date(2025, 12, 31)
    assert parse_date(dt.datetime(2025, 1, 2, 13, 0), "%d/%m/%Y") == dt.date(2025, 1, 2)  # a workbook date cell
    assert parse_date("31/12/9999", "%d/%m/%Y") is None  # outside the kit's years


def test_periods_quarters_months_and_dates():
    assert parse_period_text("Q3-2025", None) == ("2025Q3", "quarter")
    assert parse_period_text("2025 Q1", None) == ("2025Q1", "quarter")
    assert parse_period_text("Sep 2025", None) == ("2025-09-01", "month")
    assert parse_period_text("2025-09", None) == ("2025-09-01", "month")
    assert parse_period_text("15.01.2025", "%d.%m.%Y") == ("2025-01-15", "date")
    assert parse_period_text("soon", "%d.%m.%Y") == (None, "")


def test_salesforce_ids_15_characters_become_their_18_character_form():
    assert salesforce_id18("001A0000006Vm9r") == "001A0000006Vm9rIAC"  # Salesforce's documented example
    assert salesforce_id18("001A0000006Vm9rIAC") == "001A0000006Vm9rIAC"
    assert salesforce_id18("ACME-7") is None


def test_cells_headers_and_booleans():
    assert clean_cell("\u00a0 Acme \u200b") == "Acme"
    assert clean_cell("-") is None and clean_cell("#N/A") is None and clean_cell(float("nan")) is None
    assert clean_cell("a\r\nb") == "a\nb"
    assert header_key("\ufeffClose  Date \u2191") == "close date"
    assert [parse_bool(v) for v in ("Yes", "0", 1, "x", "maybe")] == [True, False, True, True, None]
