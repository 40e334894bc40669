"""kit.periods: quarter index arithmetic, labels and parsing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kit.periods import (
    parse_as_of,
    parse_period,
    parse_period_series,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
)

Q3_2025 = 2025 * 4 + 2  # year * 4 + (quarter - 1) = 8102


def test_quarter_index_and_label():
    assert quarter_of(dt.date(2025, 8, 15)) == Q3_2025
    assert quarter_of(pd.Timestamp("2025-07-01")) == Q3_2025
    assert quarter_of(dt.date(2025, 9, 30)) == Q3_2025
    assert quarter_of(dt.date(2025, 10, 1)) == Q3_2025 + 1
    assert quarter_label(Q3_2025) == "2025Q3"
    # four quarters back from 2025Q3 is 2024Q3; one after 2025Q4 is 2026Q1
    assert quarter_label(Q3_2025 - 4) == "2024Q3"
    assert quarter_label(Q3_2025 + 2) == "2026Q1"


def test_quarter_bounds():
    assert quarter_start(Q3_2025) == dt.date(2025, 7, 1)
    assert quarter_end(Q3_2025) == dt.date(2025, 9, 30)
    assert quarter_end(Q3_2025 + 1) == dt.date(2025, 12, 31)
    assert quarter_end(Q3_2025 - 2) == dt.date(2025, 3, 31)


@pytest.mark.parametrize("text", ["2025Q3", "2025q3", " 2025-Q3 ", "2025-08-01", "2025-09-30", "2025-07-01T00:00:00",
                                  "2025-08-01 00:00:00"])
def test_parse_period_accepts_labels_and_iso_dates(text):
    assert parse_period(text) == Q3_2025


@pytest.mark.parametrize("text", ["2025Q5", "2025Q0", "July", "2025-13-01", "2025-02-30", "25Q3", "", "2025-08-01x"])
def test_parse_period_rejects(text):
    assert parse_period(text) is None


def test_parse_period_series_keeps_missing():
    out = parse_period_series(pd.Series(["2025Q3", None, "bad", "2025-10-02"]))
    assert out.dtype == "Int64"
    assert out.tolist()[0] == Q3_2025 and out.tolist()[3] == Q3_2025 + 1
    assert out.isna().tolist() == [False, True, True, False]


def test_parse_as_of():
    assert parse_as_of(None) is None and parse_as_of("") is None
    assert parse_as_of("2025Q3") == dt.date(2025, 9, 30)  # a quarter means its last day
    assert parse_as_of("2025-08-15") == dt.date(2025, 8, 15)
    assert parse_as_of(dt.datetime(2025, 8, 15, 13, 0)) == dt.date(2025, 8, 15)
    assert parse_as_of(dt.date(2024, 1, 2)) == dt.date(2024, 1, 2)
    with pytest.raises(ValueError, match="2025Q3"):
        parse_as_of("last quarter")
