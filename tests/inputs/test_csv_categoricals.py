"""Columns that repeat their values are parsed as categoricals (``kit.inputs.csvfile``):
the raw table is the one the plain text parse gives, cell for cell and category for
category (the order the cells first show them), whatever the cells hold."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.errors import Problem
from kit.inputs import csvfile
from kit.inputs.csvfile import read_csv_bytes


def _plain(monkeypatch, name: str, data: bytes) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The table as the plain (object) parse reads it."""
    with monkeypatch.context() as m:
        m.setattr(csvfile, "_repeating_columns", lambda data, sep: ([], 0))
        problems: list[Problem] = []
        df, _ = read_csv_bytes(name, data, problems)
    return df, problems


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    for c in a.columns:
        assert list(a[c].cat.categories) == list(b[c].cat.categories), c


def _rows(n: int) -> list[str]:
    """Repeating ids with leading zeros, spaces to strip, blanks, Unicode in two forms,
    a value that looks like a formula, and a column of distinct amounts."""
    cafe_nfd, cafe_nfc = "Cafe\u0301", "Caf\u00e9"
    rows = []
    for i in range(n):
        acc = ["007", "7", " 007", "A-1"][i % 4]
        bc = [cafe_nfd, cafe_nfc, "", "  ", "IT", "=cmd"][i % 6]
        rows.append(f'{acc},2026Q{1 + i % 4},{bc},{1000 + i * 0.37:.2f},"note, {i % 3}"')
    return rows


@pytest.mark.parametrize("n", [50, 400])
def test_categorical_parse_gives_the_plain_table(monkeypatch, n):
    data = ("account_id,period,buying_center,amount,note\n" + "\n".join(_rows(n)) + "\n").encode()
    repeating, _ = csvfile._repeating_columns(data, ",")
    assert repeating == ([] if n < 100 else [0, 1, 2, 4])  # amounts are distinct: plain text
    problems: list[Problem] = []
    df, encoding = read_csv_bytes("revenue.csv", data, problems)
    plain, plain_problems = _plain(monkeypatch, "revenue.csv", data)
    _same(df, plain)
    assert problems == plain_problems == [] and encoding == "utf-8"
    assert df["account_id"].tolist()[:4] == ["007", "7", "007", "A-1"]  # text stays text


def test_ragged_and_short_rows_as_in_the_plain_parse(monkeypatch):
    rows = _rows(300)
    rows[10] += ",extra"  # more cells than the header: set aside and reported
    rows[20] = "A-1,2026Q1"  # fewer: the missing cells are blank
    data = ("\ufeffaccount_id,period,buying_center,amount,note\r\n" + "\r\n".join(rows)).encode()
    problems: list[Problem] = []
    df, _ = read_csv_bytes("revenue.csv", data, problems)
    plain, plain_problems = _plain(monkeypatch, "revenue.csv", data)
    _same(df, plain)
    assert df.attrs == plain.attrs and [str(p) for p in problems] == [str(p) for p in plain_problems]
    assert len(problems) == 1


def test_legacy_encoding_read_the_same(monkeypatch):
    text = "account_id,buying_center,amount\n" + "\n".join(f"{i % 7:03d},Société {i % 3},{i}.5" for i in range(300)) + "\n"
    data = text.encode("cp1252")
    problems: list[Problem] = []
    df, encoding = read_csv_bytes("revenue.csv", data, problems)
    plain, _ = _plain(monkeypatch, "revenue.csv", data)
    _same(df, plain)
    assert encoding == "cp1252" and "Société 1" in set(df["buying_center"])
