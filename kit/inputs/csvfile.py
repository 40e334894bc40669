"""One CSV file's bytes as a raw table of text, rows numbered as in the file."""

from __future__ import annotations

import codecs
import io
import re
import warnings

import numpy as np
import pandas as pd

from kit.errors import Problem
from kit.inputs.cells import clean_table
from kit.inputs.charsets import as_utf8, legacy_encoding, mixed_encoding, separator_of
from kit.schema import (
    TableRule,
)

_SKIPPED_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


#: rows of a file read first to see which columns repeat their values (see :func:`_repeating_columns`)
_SAMPLE_ROWS = 5000
#: a column whose sample holds at most this share of distinct values is read as a categorical
_REPEATING = 0.2


def _read(data: bytes, sep: str, dtype: object, nrows: int | None = None) -> pd.DataFrame:
    # no header: the header is checked here, not renamed by the parser ("amount.1");
    # every cell as text, never converted (so "007" stays "007")
    return pd.read_csv(io.BytesIO(data), sep=sep, header=None, encoding="utf-8-sig", dtype=dtype, nrows=nrows,
                       keep_default_na=False, na_filter=False, skip_blank_lines=False, on_bad_lines="warn")


def _repeating_columns(data: bytes, sep: str) -> tuple[list[int], int]:
    """The columns (by position) whose first rows repeat their values: account ids,
    dates, periods, buying centers, elements, raters.  The parser reads those as
    categoricals, hashing each cell's bytes in C and making one string per distinct value
    instead of one per cell (the cell rules then run once per distinct value anyway: see
    :func:`kit.inputs.cells.clean_table`).  Columns of (nearly) unique values (amounts,
    row ids, names, notes) stay plain text: sorting millions of distinct categories
    would cost more than it saves.  Returns those positions and the sample's number of
    columns.  Any trouble reading the sample: none (the whole read then reports it, as
    before)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sample = _read(data, sep, object, nrows=_SAMPLE_ROWS + 1).iloc[1:]
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return [], 0
    if len(sample) < 100:  # a small file: nothing to gain
        return [], 0
    return ([i for i in range(sample.shape[1]) if sample.iloc[:, i].nunique(dropna=False) <= _REPEATING * len(sample)],
            sample.shape[1])


def _parse_csv(data: bytes, sep: str) -> tuple[pd.DataFrame, list[tuple[int, int, int]]]:
    """Every row of the file as text (the header too), and the rows set aside for
    having more cells than the header: (row in the file, cells expected, cells found).
    Columns that repeat their values come as categoricals of the same text
    (:func:`_repeating_columns`), the others as objects (str, not the "str" dtype: faster)."""
    repeating, n_columns = _repeating_columns(data, sep)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        # every column typed: a column left out of the dict would be converted to numbers
        df = _read(data, sep, {i: "category" if i in repeating else object for i in range(n_columns)}
                   if repeating else object)
        if repeating:
            for i in range(df.shape[1]):
                dtype = df.dtypes.iloc[i]
                plain = isinstance(dtype, np.dtype) and dtype == object
                if i >= n_columns or (i not in repeating and not plain) or (i in repeating and (
                        not isinstance(dtype, pd.CategoricalDtype) or (df.iloc[:, i].cat.codes < 0).any())):
                    # not read as text categories (a missing cell): the file as plain text, as always
                    caught.clear()
                    df = _read(data, sep, object)
                    break
    ragged = []
    for w in caught:
        if issubclass(w.category, pd.errors.ParserWarning):
            ragged += [tuple(int(x) for x in m) for m in _SKIPPED_LINE.findall(str(w.message))]
        else:  # not ours to swallow
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return df, sorted(ragged)


def _required_text(rule: TableRule | None) -> str:
    return f"the columns {', '.join(rule.required)}" if rule is not None else "the table's columns"


def header_and_body(name: str, df: pd.DataFrame, rule: TableRule | None, problems: list[Problem],
                     rows: np.ndarray | None = None, what: str = "file") -> pd.DataFrame | None:
    """A table read without a header (row 1 first) as a cleaned table with row 1 as its
    column names; None and a problem when row 1 is blank."""
    if not df.shape[1] or not len(df):
        problems.append(Problem(name, None, None, None, f"a header row with {_required_text(rule)} (the {what} is empty)"))
        return None
    header = ["" if v is None or (isinstance(v, float) and v != v) else str(v).replace("\ufeff", "").strip()
              for v in df.iloc[0].tolist()]
    if not any(header):
        problems.append(Problem(name, 1, None, None, f"a header row with {_required_text(rule)} on row 1 "
                                                     "(row 1 is blank: delete the blank rows above the header)"))
        return None
    body = df.iloc[1:]
    body.columns = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
    return clean_table(body, rows)


def read_csv_bytes(name: str, data: bytes, problems: list[Problem],
              rule: TableRule | None = None) -> tuple[pd.DataFrame | None, str | None]:
    """One CSV file's bytes as a raw table (header as in the file) and the encoding it
    was read in; None for a table that cannot be read, and its problems.

    UTF-8 (with or without a byte order mark) and UTF-16 with one are read as such;
    bytes that are not UTF-8 are read as Windows-1252 or Mac Roman (see
    :func:`legacy_encoding`).  The parser decodes every cell strictly, so UTF-8 files
    are not decoded a second time: the legacy code pages are tried only when that fails.
    """
    text, encoding = as_utf8(name, data, problems)
    if text is None:
        return None, None
    sep = separator_of(name, text, problems)
    if sep is None:
        return None, encoding
    try:
        try:
            df, ragged = _parse_csv(text, sep)
        except UnicodeDecodeError:
            mixed = mixed_encoding(name, data)
            if mixed is not None:
                problems.append(mixed)
                return None, None
            encoding = legacy_encoding(data)
            df, ragged = _parse_csv(data.decode(encoding).encode("utf-8"), sep)
    except pd.errors.EmptyDataError:
        content = data.removeprefix(codecs.BOM_UTF8)
        if content.strip():  # text below a blank first line
            problems.append(Problem(name, 1, None, None, f"a header row with {_required_text(rule)} on row 1 "
                                                         "(row 1 is blank: delete the blank rows above the header)"))
        else:
            empty = "the file is empty, 0 bytes" if not content else "the file holds only blank lines"
            problems.append(Problem(name, None, None, None, f"a header row with {_required_text(rule)} ({empty})"))
        return None, encoding
    except pd.errors.ParserError as exc:
        m = _OPEN_QUOTE.search(str(exc))
        if m:
            problems.append(Problem(name, int(m.group(1)) + 1, None, None,
                                    'a closing quote (the quote " opened on this row is never closed)'))
        else:
            problems.append(Problem(name, None, None, None, f"well-formed CSV ({exc})".replace("\n", " ")))
        return None, encoding
    rows = None
    if ragged:
        # the parser numbers rows as in the file (header = 1) and leaves the set-aside ones out
        for row, want, got in ragged:
            problems.append(Problem(name, row, None, None, f"{want} cells like the header row (found {got}: "
                                                           "put quotes around a value that holds a comma)"))
        bad = {row for row, _, _ in ragged}
        kept = np.array([r for r in range(1, len(df) + len(bad) + 1) if r not in bad])
        rows = kept[1:]
    out = header_and_body(name, df, rule, problems, rows)
    if out is not None and ragged:
        out.attrs["set_aside"] = sorted(bad)  # rows not in the table (reported)
    return out, encoding
