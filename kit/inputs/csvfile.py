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


def _parse_csv(data: bytes, sep: str) -> tuple[pd.DataFrame, list[tuple[int, int, int]]]:
    """Every row of the file as text (the header too), and the rows set aside for
    having more cells than the header: (row in the file, cells expected, cells found)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        # object, not str (faster) and not "category" (that turns "007" and "7" into 7);
        # no header: the header is checked here, not renamed by the parser ("amount.1")
        df = pd.read_csv(io.BytesIO(data), sep=sep, header=None, encoding="utf-8-sig", dtype=object,
                         keep_default_na=False, na_filter=False, skip_blank_lines=False, on_bad_lines="warn")
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
