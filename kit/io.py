"""Reading the inputs and writing the outputs: the only module that touches files.

Inputs are a folder of CSV files or one ``.xlsx`` workbook with a sheet per table.
Every cell is read as text first (so account id ``00123`` stays ``00123``), the table
rules of :mod:`kit.schema` are checked with pandera (all problems at once, each naming
file, row as in the file, column, value and what was expected), and only then are the
columns converted to numbers, quarters, dates and booleans.  Input files are opened
read-only and never written.

Files come as clients' tools write them: UTF-8 with or without a byte order mark,
UTF-16, Windows-1252 or Mac Roman (see :func:`_legacy_encoding`; the encoding assumed
is ``Portfolio.encodings``), comma- or tab-separated, any line endings, headers in any
case and spacing (:func:`_column_key`), numbers with comma thousands separators
(:data:`GROUPED_NUMBER_RE`).  What cannot be read unambiguously is a problem with a hint
of what to write instead; ``tests/corpus/`` holds one case of each.

Portfolios run to millions of rows, so nothing here works cell by cell in Python: text
columns are held as categoricals while they are checked (each distinct value is
stripped, parsed and checked once), rows are compared on integer codes, and tables are
written column by column.  The figures and messages are those of the cell-by-cell rules.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import functools
import hashlib
import io
import json
import operator
import os
import re
import stat
import unicodedata
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from kit.errors import InputError, Problem, printable
from kit.periods import ISO_DATE_RE, date_hint, in_supported_range, parse_period_series, period_hint, quarter_label
from kit.schema import (
    MAX_NUMBER, CATEGORIES, CLOSED_STAGES, ELEMENT_IDS, RATER_ROLES, REQUIRED_TABLES, TABLES, UNSPECIFIED, ColumnRule, TableRule,
)

__all__ = [
    "Portfolio", "load_portfolio", "load_default_questions", "load_default_objectives", "merge_objectives",
    "write_workbook", "read_raw_tables", "ENCODINGS", "GROUPED_NUMBER_RE",
    "validate_table", "write_csv", "write_json", "write_text", "replacing", "report_stems", "match_account_id",
    "WINDOWS_RESERVED", "sha256_of", "read_input_file", "folder_entries", "put_text",
    "workbook_text",
]

TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
#: The first data row of a CSV or sheet is line 2 (line 1 is the header).
FIRST_ROW = 2


@dataclass(frozen=True)
class Portfolio:
    """One client's validated input tables, typed.

    Attributes
    ----------
    source : Path
        The folder or workbook read.
    tables : dict
        Table name -> typed DataFrame; tables not supplied are absent.
    hashes : dict
        File name -> sha256 of the bytes read (for the manifest).
    questions_supplied : bool
        Whether the client supplied its own question bank.
    encodings : dict
        CSV file name -> the encoding it was read in (a key of :data:`ENCODINGS`).
    notes : tuple of str
        What the user should know of the reading (a hidden sheet read as a table).
    """

    source: Path
    tables: dict[str, pd.DataFrame]
    hashes: dict[str, str] = field(default_factory=dict)
    questions_supplied: bool = False
    encodings: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def has(self, name: str) -> bool:
        """Whether the client supplied this table."""
        return name in self.tables

    def table(self, name: str) -> pd.DataFrame:
        """The table, or an empty one with the contract's columns (and those derived
        from them, as for a supplied table) when not supplied."""
        if name in self.tables:
            return self.tables[name]
        empty = pd.DataFrame({c.name: pd.Series(dtype="str") for c in TABLES[name].columns})
        return _completed(name, _typed(TABLES[name], empty))

    @property
    def account_ids(self) -> list[str]:
        """Account ids in the order of accounts.csv."""
        return self.tables["accounts"]["account_id"].tolist()


# ---------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _codes(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """A column as codes (-1 = missing) into its distinct values.

    Raw columns are categorical (see :func:`_clean`), so this is free for them; any
    other column is factorized.  Every per-cell rule then runs once per distinct value:
    columns of millions of cells hold few distinct values.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes, uniques = pd.factorize(s)
    return codes, pd.Series(uniques)


def _distinct_map(s: pd.Series, fn: Callable[[object], object], na: object = None) -> np.ndarray:
    """``fn`` of every cell as an object array (``fn`` runs once per distinct value);
    ``na`` for missing cells."""
    codes, uniques = _codes(s)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [fn(u) for u in uniques]
    table[-1] = na  # code -1 (missing) takes the last entry
    return table.take(codes)


def _spread(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Values of the distinct cells spread back to every cell (missing where code -1)."""
    return pd.Series(values.array.take(codes, allow_fill=True), index=index)


def _clean_categories(values: np.ndarray) -> list[str | None]:
    """The cell rule (strip; blank -> missing; Unicode NFC) for distinct values.

    NFC: ``Café`` typed on a Mac (e + combining accent) and on Windows (é) look the same
    and are the same id; ``normalize`` returns the very same string when it is NFC already.
    """
    nfc = functools.partial(unicodedata.normalize, "NFC")
    if infer_dtype(values, skipna=False) == "string":
        return [nfc(v.strip()) or None for v in values]
    # sheet cells may be None, NaN or numbers
    return [None if v is None else (nfc(str(v).strip()) or None) for v in values]


def _clean_cells(s: pd.Series) -> pd.Categorical:
    """One column's cells stripped, blank -> missing, as a categorical of text."""
    values = s.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    has_missing = bool((codes < 0).any())
    if has_missing:
        # a sheet's None and NaN cells differ under the cell rule (None -> missing,
        # NaN -> "nan"): keep them apart (slower: a missing-value pass over the column)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    cleaned = _clean_categories(uniques)
    if not has_missing and all(map(operator.is_, cleaned, uniques)):
        # nothing to strip and no blank (str.strip returns the very same string then):
        # the distinct values are the categories as they are
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))
    table = np.empty(len(uniques), dtype=object)
    table[:] = cleaned
    # two raw values may clean to the same text (" a" and "a"): one category each
    new_codes, categories = pd.factorize(table)
    return pd.Categorical.from_codes(new_codes.take(codes), categories=pd.Index(categories, dtype="str"))


def _clean(df: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Strip headers and cells; blank cells become missing; rows numbered as in the file.

    Columns are categoricals of text: one string per distinct value, and every later
    per-cell rule runs once per distinct value (see :func:`_codes`).  ``rows``: the row
    number in the file of each row of ``df`` (default: consecutive from
    :data:`FIRST_ROW`; rows the CSV parser set aside leave gaps).
    """
    index = pd.RangeIndex(FIRST_ROW, FIRST_ROW + len(df)) if rows is None else pd.Index(rows, dtype="int64")
    columns = [str(c).strip() for c in df.columns]
    if not len(df):  # a header without rows: text columns, nothing to factorize
        return df.astype(object).set_axis(columns, axis=1).set_axis(index)
    # columns by position: two headers may be equal once stripped
    out = pd.DataFrame({i: _clean_cells(df.iloc[:, i]) for i in range(df.shape[1])}, index=index)
    out.columns = columns
    # a blank line or a row of empty cells (Excel's trailing ",,,,") is not data; rows
    # keep their numbers as in the file
    if not len(out.columns):
        return out
    filled = out.notna().any(axis=1)
    if filled.all():
        return out
    # no row left: the cells were all blank, plain (object) columns as for a header only
    return out[filled] if filled.any() else out[filled].astype(object)


# ---------------------------------------------------------------------------------------
# encodings, separators and headers
# ---------------------------------------------------------------------------------------
#: encodings a CSV file is read in (``Portfolio.encodings``), as the README names them
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte order mark (Excel 'CSV UTF-8')",
    "utf-16": "UTF-16 (Excel 'Unicode Text')",
    "cp1252": "Windows-1252 (Excel for Windows 'CSV (Comma delimited)')",
    "mac_roman": "Mac Roman (Excel for Mac 'CSV (Macintosh)')",
}


def _ascii_letters(b: np.ndarray, low: str, high: str) -> np.ndarray:
    return (b >= ord(low)) & (b <= ord(high))


def _reading_classes(encoding: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every byte: whether ``encoding`` reads it as a lower-case letter, an
    upper-case letter, or as undefined (the apostrophe counts as a letter of both
    cases: it sits inside words, as in O'Brien)."""
    lower, upper, undefined = (np.zeros(256, dtype=bool) for _ in range(3))
    for byte in range(256):
        try:
            ch = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            undefined[byte] = True
            continue
        lower[byte] = ch.islower() or ch == "\u2019"
        upper[byte] = ch.isupper() or ch == "\u2019"
    return lower, upper, undefined


def _legacy_encoding(data: bytes) -> str:
    """Windows-1252 or Mac Roman, for bytes that are not UTF-8.

    1. Mac Roman when Windows-1252 leaves a byte of the file undefined.
    2. Else the evidence of the bytes inside words: a byte above 127 between two ASCII
       letters must read as a letter, lower-case when the next letter is ("Soci?t?" and
       "M?ller" are "Société" and "Müller" in the reading that gives "é" and "ü", not
       "SociÈtÈ" or "SociŽtŽ"), upper-case between upper-case ones.  Each counts +1
       for a reading that gives a letter of the right case (or an apostrophe), -1
       otherwise; the higher total wins.
    3. On a tie (no accented letters inside words, only dashes, quotes, symbols):
       Mac Roman when the lines end in CR only (as Excel for Mac's 'CSV (Macintosh)'
       writes them), else Windows-1252.
    Deterministic, and one vectorised pass over the bytes.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    cp_lower, cp_upper, cp_undefined = _reading_classes("cp1252")
    if cp_undefined[arr].any():
        return "mac_roman"
    mac_lower, mac_upper, _ = _reading_classes("mac_roman")
    pos = np.flatnonzero(arr[1:-1] >= 128) + 1
    before, byte, after = arr[pos - 1], arr[pos], arr[pos + 1]
    lower_before, upper_before = _ascii_letters(before, "a", "z"), _ascii_letters(before, "A", "Z")
    lower_after, upper_after = _ascii_letters(after, "a", "z"), _ascii_letters(after, "A", "Z")
    in_word = (lower_before | upper_before) & (lower_after | upper_after)
    in_lower_word = in_word & lower_after  # "Soci?t?", also "M?ller"
    in_upper_word = upper_before & upper_after  # "SOCI?T?"

    def score(lower: np.ndarray, upper: np.ndarray) -> int:
        fits = np.where(in_lower_word, lower[byte], np.where(in_upper_word, upper[byte], lower[byte] | upper[byte]))
        return int(np.where(fits, 1, -1)[in_word].sum())

    cp1252, mac_roman = score(cp_lower, cp_upper), score(mac_lower, mac_upper)
    if cp1252 != mac_roman:
        return "cp1252" if cp1252 > mac_roman else "mac_roman"
    counts = np.bincount(arr, minlength=256)
    return "mac_roman" if counts[ord("\r")] and not counts[ord("\n")] else "cp1252"


def _mixed_encoding(name: str, data: bytes) -> Problem | None:
    """A problem when bytes that are not UTF-8 are mostly UTF-8 all the same (more
    non-ASCII characters decode as UTF-8 than fail): text in two encodings, such as
    Windows-1252 rows pasted into a UTF-8 file.  Reading it as either would garble one
    part, so it is refused, naming the line of the first byte that is not UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(re.findall("[^\x00-\x7f\ufffd]", text))
    if good <= bad:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(name, line, None, f"byte 0x{data[exc.start]:02x}",
                       "UTF-8 text throughout (this row is in another encoding than the rest of the file: "
                       "fix it, or save the file as 'CSV UTF-8')")
    return None


def _as_utf8(name: str, data: bytes, problems: list[Problem]) -> tuple[bytes | None, str | None]:
    """The bytes to parse and the encoding assumed so far: UTF-16 (with its byte order
    mark) is transcoded here; UTF-8 is left as it is (the parser decodes it strictly and
    the legacy code pages are tried only when that fails, see :func:`_read_csv`).
    Files that are not text at all are problems."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, None, None, f"byte {exc.start}",
                                    "UTF-16 text (the file starts like UTF-16 but is damaged; save it as 'CSV UTF-8')"))
            return None, None
    not_text = None
    if data.startswith(b"PK\x03\x04"):
        not_text = "this is a zip file, probably an Excel workbook renamed .csv: save it as 'CSV UTF-8', " \
                   "or give the .xlsx workbook itself to --data"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        not_text = "this is an old Excel .xls workbook renamed .csv: save it as 'CSV UTF-8'"
    elif b"\x00" in data:  # anywhere: a NUL deep in the file would end a cell silently
        at = data.index(b"\x00")
        line = data[:at].count(b"\n") + 1
        row = f" (the first on row {line})" if at >= 65536 else ""
        not_text = f"the file holds binary data, NUL bytes{row}: save it as 'CSV UTF-8'"
    if not_text:
        problems.append(Problem(name, None, None, None, f"comma-separated text ({not_text})"))
        return None, None
    return data, ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")


def _separator(name: str, data: bytes, problems: list[Problem]) -> str | None:
    """The separator of the file's cells: a comma, or a tab when the header row holds
    tabs and no comma (Excel's 'Unicode Text' and 'Text (Tab delimited)').  Semicolons
    (Excel's 'CSV' where the decimal mark is a comma) are a problem: the numbers of such
    a file have decimal commas too."""
    first = re.split(rb"\r\n?|\n", data[:65536], maxsplit=1)[0]
    if b"," in first or (b"\t" not in first and b";" not in first):
        return ","
    if b"\t" in first:
        return "\t"
    problems.append(Problem(name, 1, None, None,
                            "comma-separated values (this file is separated by ';', as Excel writes CSV where the "
                            "decimal mark is a comma: save it as 'CSV UTF-8 (Comma delimited)' with '.' as the "
                            "decimal mark)"))
    return None


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


def _header_and_body(name: str, df: pd.DataFrame, rule: TableRule | None, problems: list[Problem],
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
    return _clean(body, rows)


def _read_csv(name: str, data: bytes, problems: list[Problem],
              rule: TableRule | None = None) -> tuple[pd.DataFrame | None, str | None]:
    """One CSV file's bytes as a raw table (header as in the file) and the encoding it
    was read in; None for a table that cannot be read, and its problems.

    UTF-8 (with or without a byte order mark) and UTF-16 with one are read as such;
    bytes that are not UTF-8 are read as Windows-1252 or Mac Roman (see
    :func:`_legacy_encoding`).  The parser decodes every cell strictly, so UTF-8 files
    are not decoded a second time: the legacy code pages are tried only when that fails.
    """
    text, encoding = _as_utf8(name, data, problems)
    if text is None:
        return None, None
    sep = _separator(name, text, problems)
    if sep is None:
        return None, encoding
    try:
        try:
            df, ragged = _parse_csv(text, sep)
        except UnicodeDecodeError:
            mixed = _mixed_encoding(name, data)
            if mixed is not None:
                problems.append(mixed)
                return None, None
            encoding = _legacy_encoding(data)
            df, ragged = _parse_csv(data.decode(encoding).encode("utf-8"), sep)
    except pd.errors.EmptyDataError:
        content = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
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
    out = _header_and_body(name, df, rule, problems, rows)
    if out is not None and ragged:
        out.attrs["set_aside"] = sorted(bad)  # rows not in the table (reported)
    return out, encoding


def _column_key(text: object) -> str:
    """A header as compared with the contract's column names: case, surrounding spaces
    and spaces or hyphens for underscores do not matter ("Account ID" is account_id)."""
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())


def _column_letter(i: int) -> str:
    """A spreadsheet's name of the i-th column (0 -> A, 26 -> AA)."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


def _match_columns(table: TableRule, df: pd.DataFrame, fname: str, problems: list[Problem]) -> pd.DataFrame | None:
    """The table's columns under the contract's names (see :func:`_column_key`); other
    columns keep their header (a repeated one gets ``.1``, ``.2`` as pandas names them).
    A contract column given twice is a problem (None: the table is unusable)."""
    known = {c.name for c in table.columns}
    named: list[str] = []
    first: dict[str, int] = {}
    usable = True
    for i, header in enumerate(df.columns):
        key = _column_key(header)
        name = key if key in known else header
        if name in first:
            if name in known:
                usable = False
                problems.append(Problem(fname, 1, None, header, f"the column {name} once only (columns "
                                        f"{_column_letter(first[name])} and {_column_letter(i)} are both {name})"))
                continue
            k = 1
            while f"{name}.{k}" in first:
                k += 1
            name = f"{name}.{k}"
        first.setdefault(name, i)
        named.append(name)
    if not usable:
        return None
    out = df.copy(deep=False)
    out.columns = named
    return out


def _header_problems(table: TableRule, raw: pd.DataFrame, fname: str) -> tuple[list[Problem], bool]:
    """Required columns missing (with what the header has instead) and optional
    columns whose name looks misspelt; the flag says whether a required column is
    missing (the table cannot be checked further)."""
    known = {c.name for c in table.columns}
    columns = [str(c) for c in raw.columns]
    extras = [c for c in columns if c not in known and not c.startswith("Unnamed: ")]
    missing = [c for c in table.required if c not in columns]
    problems = []
    if missing and not any(c in known for c in columns):
        # no contract column at all: a title above the header?  look for the header below
        for row, rec in raw.head(10).iterrows():
            keys = {_column_key(v) for v in rec.tolist() if isinstance(v, str)}
            if set(table.required) <= keys:
                return [Problem(fname, 1, None, None, f"the header row ({', '.join(table.required)}, ...) on row 1 "
                                                      f"(it seems to be on row {row}: delete the rows above it)")], True
    taken: set[str] = set()

    def close(name: str, cutoff: float) -> str | None:
        keys = {_column_key(c): c for c in extras if c not in taken}
        match = difflib.get_close_matches(name, list(keys), n=1, cutoff=cutoff)
        return keys[match[0]] if match else None

    for name in missing:
        near = close(name, 0.6)
        if near is not None:
            taken.add(near)
            hint = f"the header has {near!r}: misspelt?"
        else:
            shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
            hint = f"the header has: {shown}"
        problems.append(Problem(fname, None, name, None, f"a column named '{name}' (required; {hint})"))
    for rule in table.columns:
        if rule.required or rule.name in columns:
            continue
        near = close(rule.name, 0.85)
        if near is not None:
            taken.add(near)
            problems.append(Problem(fname, None, near, None, f"the column name {rule.name} (is {near!r} misspelt? "
                                                             "a column of another name is ignored)"))
    return problems, bool(missing)


def _near_names(wanted: str, found: Iterable[str], cutoff: float = 0.6) -> list[str]:
    """Names in ``found`` that look like ``wanted`` (a misspelt or misnamed table)."""
    found = list(found)
    stem = wanted.lower().rsplit(".", 1)[0]
    close = difflib.get_close_matches(wanted.lower(), [f.lower() for f in found], n=3, cutoff=cutoff)
    return [f for f in found if f.lower() in close or f.lower().startswith(stem + ".") or f.lower().startswith(stem + " ")]


def _entry_kind(path: Path) -> str | None:
    """None for a regular file; else what the entry is, in words (never followed or opened)."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "a file that cannot be read"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a named pipe" if stat.S_ISFIFO(mode) else "a special file (a socket or a device)"


def read_input_file(path: Path) -> bytes:
    """The bytes of one regular input file, opened without following a symbolic link and
    without blocking on a named pipe (either raises :class:`OSError`)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        return fh.read()


def folder_entries(source: Path) -> list[Path]:
    """The entries at the top of a data folder that may be input files (no hidden files,
    no Excel lock files, no folders), sorted; links and pipes included, to be refused."""
    return sorted(p for p in source.iterdir() if not p.name.startswith((".", "~$")) and _entry_kind(p) != "a folder")


def _read_folder(source: Path, tables, names, hashes, problems, encodings) -> None:
    files = folder_entries(source)
    by_lower: dict[str, list[Path]] = {}
    for p in files:
        by_lower.setdefault(p.name.lower(), []).append(p)
    for name, rule in TABLES.items():
        wanted = f"{name}.csv"
        found = by_lower.get(wanted, [])
        if len(found) > 1:  # a case-sensitive file system: Revenue.csv and revenue.csv
            problems.append(Problem(wanted, None, None, None, f"one file {wanted} (found {', '.join(p.name for p in found)})"))
            continue
        if not found:
            near = [n for n in _near_names(wanted, [p.name for p in files], 0.8 if name not in REQUIRED_TABLES else 0.6)
                    if n.lower() not in {f"{t}.csv" for t in TABLES}]
            if near and near[0].lower().endswith(".csv"):
                problems.append(Problem(near[0], None, None, None, f"the file name {wanted} (is this file {wanted} "
                                                                   "misnamed? a file of another name is not read)"))
            elif near:
                problems.append(Problem(near[0], None, None, None, f"a CSV file {wanted} (only .csv files are read: "
                                                                   f"save this one as 'CSV UTF-8' named {wanted})"))
            elif name in REQUIRED_TABLES:
                problems.append(Problem(wanted, None, None, None, f"a file {wanted} in {source} (required)"))
            continue
        path = found[0]
        kind = _entry_kind(path)
        if kind is not None:
            # nothing outside the data folder is read, and nothing of it shown
            problems.append(Problem(path.name, None, None, None, f"a regular file (this is {kind}, which the kit does not "
                                    "follow or read: copy the file itself into the data folder)"))
            continue
        names[name] = path.name
        try:
            data = read_input_file(path)  # read once: hashed and parsed
        except OSError as exc:
            problems.append(Problem(path.name, None, None, None, f"a readable regular file ({printable(exc.strerror or exc)})"))
            continue
        hashes[path.name] = hashlib.sha256(data).hexdigest()
        df, encoding = _read_csv(path.name, data, problems, rule)
        if encoding is not None:
            encodings[path.name] = encoding
        if df is not None:
            df = _match_columns(rule, df, path.name, problems)
        if df is not None:
            tables[name] = df


_FORMULA_OR_ERROR = re.compile(rb'<f[ >/]|\bt="e"')


def _holds_formula_or_error(zf, name: str) -> bool:
    """Whether a sheet's XML holds a formula or an error cell (read in chunks, not whole)."""
    tail = b""
    with zf.open(name) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            if _FORMULA_OR_ERROR.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


#: a workbook whose parts unpack to more than this is refused before it is parsed (a
#: zip bomb of a few KiB can unpack to many GB; a sheet of a million rows is ~0.5 GB)
MAX_WORKBOOK_UNPACKED = 4 << 30


def _unpacked_size(source: Path) -> int | None:
    import zipfile

    try:
        with zipfile.ZipFile(source) as zf:
            return sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return None  # the reader below says what is wrong


def _hidden_sheets(source: Path) -> set[str]:
    """Names of the workbook's hidden sheets (read from its sheet list only)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, read_only=True)
    except Exception:  # read by pandas already; a sheet list openpyxl cannot read hides nothing
        return set()
    try:
        return {ws.title for ws in wb.worksheets if ws.sheet_state != "visible"}
    finally:
        wb.close()


def _cell_problems(source: Path, sheet: str, df: pd.DataFrame, fname: str) -> list[Problem]:
    """Formula cells without a saved value and Excel error values (``#DIV/0!``, ``#N/A``)
    in one sheet: pandas reads the first as a blank and the second as 'nan', so a margin
    column of formulas written by a script would vanish without a word.

    Only a sheet whose XML holds a formula or an error cell is read a second time.
    """
    import zipfile

    from openpyxl import load_workbook

    with zipfile.ZipFile(source) as zf:
        if not any(_holds_formula_or_error(zf, n) for n in zf.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            return []
    header = ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in df.iloc[0].tolist()] \
        if len(df) else []
    found: dict[tuple[int, int], Problem] = {}

    def where(row: int, col: int) -> tuple[str | None, str]:
        name = header[col - 1] if col - 1 < len(header) and header[col - 1] else None
        return name, f"{_column_letter(col - 1)}{row}"

    values = load_workbook(source, read_only=True, data_only=True)
    formulas = load_workbook(source, read_only=True, data_only=False)
    try:
        blank: set[tuple[int, int]] = set()
        # read-only rows start at column A (empty cells included), so positions count from 1
        for r, row in enumerate(values[sheet].iter_rows(), start=1):
            for c, cell in enumerate(row, start=1):
                if cell.value is None:
                    blank.add((r, c))
                elif getattr(cell, "data_type", None) == "e" and r > 1:
                    col, ref = where(r, c)
                    found[(r, c)] = Problem(fname, r, col, str(cell.value), f"a value, not the Excel error {cell.value} "
                                            f"in cell {ref} (fix the formula, or type the value)")
        for r, row in enumerate(formulas[sheet].iter_rows(min_row=2), start=2):
            for c, cell in enumerate(row, start=1):
                if getattr(cell, "data_type", None) == "f" and (r, c) in blank:
                    col, ref = where(r, c)
                    found[(r, c)] = Problem(fname, r, col, None, f"a value, not a formula with no saved value in cell {ref} "
                                            "(open and save the workbook in Excel, or paste values)")
    finally:
        values.close()
        formulas.close()
    return [found[k] for k in sorted(found)]


def _read_workbook(source: Path, tables, names, hashes, problems, notes) -> None:
    hashes[source.name] = sha256_of(source)
    with open(source, "rb") as fh:
        head = fh.read(8)
    if not head.startswith(b"PK\x03\x04"):
        kind = ("an old Excel .xls workbook renamed .xlsx: open it in Excel and save it as .xlsx"
                if head.startswith(b"\xd0\xcf\x11\xe0") else
                "the file is empty" if not head else
                "the file is not a workbook: a CSV file renamed .xlsx? give a folder of CSV files to --data")
        raise InputError([Problem(source.name, None, None, None, f"an .xlsx workbook ({kind})")])
    unpacked = _unpacked_size(source)
    if unpacked is not None and unpacked > MAX_WORKBOOK_UNPACKED:
        raise InputError([Problem(source.name, None, None, None, f"a workbook that unpacks to at most "
                                  f"{MAX_WORKBOOK_UNPACKED >> 30} GB (this one unpacks to {unpacked / 2**30:,.1f} GB: "
                                  "save the tables as CSV files in a folder instead)")])
    try:
        sheets = pd.read_excel(source, sheet_name=None, header=None, dtype=str, keep_default_na=False, na_filter=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        text = str(exc).replace("\n", " ")
        raise InputError([Problem(source.name, None, None, None,
                                  f"a readable .xlsx workbook (the file is damaged or not a workbook: {text})")]) from None
    hidden = _hidden_sheets(source)
    by_key: dict[str, list[str]] = {}
    for sheet in sheets:
        by_key.setdefault(_column_key(sheet), []).append(str(sheet))
    for name, rule in TABLES.items():
        found = by_key.get(name, [])
        if len(found) > 1:
            problems.append(Problem(source.name, None, None, None,
                                    f"one sheet named '{name}' (found {', '.join(repr(s) for s in found)})"))
            continue
        if not found:
            taken = {s for t in TABLES for s in by_key.get(t, [])}
            near = [s for s in _near_names(name, [str(s) for s in sheets if str(s) not in taken],
                                           0.8 if name not in REQUIRED_TABLES else 0.6)]
            listed = ", ".join(repr(str(s)) for s in sheets)
            if near:
                problems.append(Problem(source.name, None, None, None, f"a sheet named '{name}' (is sheet {near[0]!r} "
                                        f"meant? the workbook has sheets {listed}; a sheet of another name is not read)"))
            elif name in REQUIRED_TABLES:
                problems.append(Problem(source.name, None, None, None,
                                        f"a sheet named '{name}' (required; the workbook has sheets {listed})"))
            continue
        fname = f"{source.name} [sheet {found[0]}]"
        names[name] = fname
        if found[0] in hidden:
            notes.append(f"sheet {found[0]!r} of {source.name} is hidden in Excel; it was read as the {name} table")
        problems += _cell_problems(source, found[0], sheets[found[0]], fname)
        df = _header_and_body(fname, sheets[found[0]], rule, problems, what="sheet")
        if df is not None:
            df = _match_columns(rule, df, fname, problems)
        if df is not None:
            tables[name] = df


def read_raw_tables(source: Path, encodings: dict[str, str] | None = None, notes: list[str] | None = None
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, str], list[Problem]]:
    """Every known table of a folder or workbook, as text (categorical columns of the
    cleaned cells, see :func:`_clean`; columns under the contract's names).

    ``encodings``: when given, filled with file name -> the encoding each CSV file was
    read in (a key of :data:`ENCODINGS`).  ``notes``: when given, filled with what the
    user should know of the reading (a hidden sheet read as a table).

    Returns
    -------
    tables, display names (table -> name used in messages), hashes, problems
    """
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    names: dict[str, str] = {}
    hashes: dict[str, str] = {}
    encodings = {} if encodings is None else encodings
    notes = [] if notes is None else notes
    suffix = source.suffix.lower()
    if source.is_dir():
        _read_folder(source, tables, names, hashes, problems, encodings)
    elif source.is_file() and suffix in {".xlsx", ".xlsm"}:
        _read_workbook(source, tables, names, hashes, problems, notes)
    elif source.is_file():
        hint = {".csv": "a single CSV file: give the folder that holds accounts.csv and revenue.csv",
                ".xls": "an old Excel .xls workbook: save it as .xlsx"}.get(suffix, f"a {suffix or 'plain'} file")
        problems.append(Problem(str(source), None, None, None, f"a folder of CSV files or an .xlsx workbook (got {hint})"))
    elif source.exists():
        problems.append(Problem(str(source), None, None, None, "a folder of CSV files or an .xlsx workbook"))
    else:
        problems.append(Problem(str(source), None, None, None, "an existing folder of CSV files or .xlsx workbook (not found)"))
    for name in REQUIRED_TABLES:
        if name in tables and not len(tables[name]):
            where = "sheet" if "[sheet" in names[name] else "file"
            problems.append(Problem(names[name], None, None, None,
                                    f"at least one row below the header (the {where} has a header but no rows)"))
    return tables, names, hashes, problems


# ---------------------------------------------------------------------------------------
# validation (pandera) and typing
# ---------------------------------------------------------------------------------------
def _range_text(rule: ColumnRule) -> str:
    if rule.low is not None and rule.high is not None:
        return f" between {rule.low:g} and {rule.high:g}"
    if rule.low is not None:
        return f" >= {rule.low:g}"
    if rule.high is not None:
        return f" <= {rule.high:g}"
    return ""


def _expected(rule: ColumnRule) -> str:
    """What a valid cell of this column looks like, in words."""
    kinds = {
        "number": "a number" + _range_text(rule),
        "int": "a whole number" + _range_text(rule),
        "period": "a quarter label like 2025Q3 or an ISO date like 2025-08-15",
        "date": "an ISO date like 2025-09-30",
        "bool": "true or false",
        "enum": "one of " + ", ".join(rule.values),
    }
    return kinds.get(rule.kind, "a value")


#: a number with unambiguous thousands separators: comma groups of three digits after a
#: first group of one to three digits not starting with 0 ("1,234,567.89"; not "0,5" or "12,5")
GROUPED_NUMBER_RE = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")


def _to_number(s: pd.Series) -> pd.Series:
    """Cells as float64 numbers, NaN where missing or not a number.

    A plain number as Python writes it, or one with comma thousands separators (see
    :data:`GROUPED_NUMBER_RE`); anything else (currency symbols, %, decimal commas,
    spaces between digits) is not a number."""
    if not len(s):
        return pd.to_numeric(s, errors="coerce")
    codes, uniques = _codes(s)
    values = np.array(pd.to_numeric(uniques, errors="coerce"), dtype="float64")  # a copy: written below
    failed = np.flatnonzero(np.isnan(values))
    if len(failed):  # only the distinct texts that are not plain numbers, as vectorised string ops
        texts = uniques.iloc[failed].astype(str)
        grouped = texts.str.fullmatch(GROUPED_NUMBER_RE.pattern).to_numpy(dtype=bool)
        if grouped.any():
            plain = texts[grouped].str.replace(",", "", regex=False)
            values[failed[grouped]] = pd.to_numeric(plain, errors="coerce").to_numpy(dtype="float64")
    return pd.Series(np.append(values, np.nan).take(codes), index=s.index)


def _to_date(s: pd.Series) -> pd.Series:
    """Cells as dates (NaT where missing or not a date): an ISO date, optionally with
    the time of day Excel date cells bring ("2025-09-30 00:00:00"); no other form (a
    year alone, a month, a time zone) is taken for one."""
    if not len(s):
        return pd.to_datetime(s, format="ISO8601", errors="coerce")
    codes, uniques = _codes(s)
    iso = uniques.where([isinstance(v, str) and ISO_DATE_RE.fullmatch(v) is not None
                         and in_supported_range(int(v[:4])) for v in uniques])
    return _spread(pd.to_datetime(iso, format="ISO8601", errors="coerce"), codes, s.index)


def _to_quarter(s: pd.Series) -> pd.Series:
    """Quarter index per cell (nullable Int64), <NA> where missing or not a period."""
    if not len(s):
        return parse_period_series(s)
    codes, uniques = _codes(s)
    return _spread(parse_period_series(uniques), codes, s.index)


def _bool_word(v: object) -> bool | None:
    low = str(v).strip().lower()
    return True if low in TRUE_WORDS else (False if low in FALSE_WORDS else None)


def _to_bool(s: pd.Series) -> pd.Series:
    """True / False / None per cell (None: missing or not a true/false word)."""
    return pd.Series(_distinct_map(s, _bool_word), index=s.index, dtype=object)


def _enum_word(v: object) -> str:
    """An allowed value as compared: case, surrounding spaces, and spaces or hyphens for
    underscores do not matter ("Account Team" is account_team)."""
    return re.sub(r"[\s\-]+", "_", str(v).strip().lower())


def _to_enum(s: pd.Series) -> pd.Series:
    """Cells stripped and lower-cased (missing stays missing)."""
    if not len(s):
        return s.map(lambda v: None if v is None or pd.isna(v) else _enum_word(v))
    return pd.Series(_distinct_map(s, _enum_word), index=s.index)


def _as_text(s: pd.Series) -> pd.Series:
    """A raw (categorical) column back as plain text cells, as the file held them."""
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return s
    return pd.Series(_distinct_map(s, lambda v: v), index=s.index)


#: column kind -> its text-to-type conversion
_CONVERTERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "number": _to_number, "int": _to_number, "period": _to_quarter, "date": _to_date, "bool": _to_bool,
}


def _converted(rule: ColumnRule, s: pd.Series, memo: dict[str, pd.Series] | None) -> pd.Series:
    """The column's cells converted for its kind, computed once per validation: the
    check and the typing both need them (``memo``: column name -> converted cells)."""
    done = None if memo is None else memo.get(rule.name)
    if done is not None and done.index.equals(s.index):
        return done
    out = _CONVERTERS[rule.kind](s)
    if memo is not None:
        memo[rule.name] = out
    return out


def _check_for(rule: ColumnRule, memo: dict[str, pd.Series] | None = None):
    """A vectorised pandera check for one column kind (missing cells pass here)."""
    import pandera.pandas as pa

    def ok(fn):
        return pa.Check(lambda s: s.isna() | fn(s), error=_expected(rule))

    if rule.kind in ("number", "int"):
        def fn(s):
            n = _converted(rule, s, memo)
            good = n.notna() & n.abs().ne(float("inf"))
            if rule.kind == "int":
                good &= n == n.round()
            if rule.low is not None:
                good &= n >= rule.low
            if rule.high is not None:
                good &= n <= rule.high
            return good
        return ok(fn)
    if rule.kind in ("period", "date", "bool"):
        return ok(lambda s: _converted(rule, s, memo).notna())
    if rule.kind == "enum":
        allowed = set(rule.values)
        return ok(lambda s: pd.Series(_distinct_map(s, lambda v: _enum_word(v) in allowed, na=False).astype(bool),
                                      index=s.index))
    return None


def _magnitude_check(rule: ColumnRule, memo: dict[str, pd.Series] | None):
    """Numbers beyond :data:`MAX_NUMBER`: a typing slip, and sums of a few of them would
    overflow to infinity (a separate check, so that its message says so)."""
    import pandera.pandas as pa

    def fn(s):
        n = _converted(rule, s, memo)
        # inf (not a number) and values outside the column's own range are reported once, above
        outside = (n < rule.low if rule.low is not None else False) | (n > rule.high if rule.high is not None else False)
        return n.isna() | n.abs().le(MAX_NUMBER) | n.abs().eq(float("inf")) | outside

    return pa.Check(fn, error=_MAGNITUDE_TEXT)


_MAGNITUDE_TEXT = f"a number no larger than {MAX_NUMBER:,.0f} either way (is it a typing slip?)"


def _pandera_schema(table: TableRule, memo: dict[str, pd.Series] | None = None):
    """The table's rules as a pandera schema (``memo``: see :func:`_converted`)."""
    import pandera.pandas as pa

    cols = {}
    for rule in table.columns:
        check = _check_for(rule, memo)
        checks = [check] if check else []
        if rule.kind in ("number", "int"):
            checks.append(_magnitude_check(rule, memo))
        # no dtype: every cell is text already, and a declared dtype makes pandera test
        # each cell for coercibility (slow on millions of rows) before our checks run
        cols[rule.name] = pa.Column(
            None, checks=checks or None, nullable=rule.nullable,
            required=rule.required, coerce=False,
        )
    return pa.DataFrameSchema(cols, strict=False)


_CURRENCY_RE = re.compile(r"[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|CAD|AUD)\b", re.IGNORECASE)


def _number_hint(rule: ColumnRule, text: str) -> str:
    """What to write instead of a formatted number, e.g. ' (plain digits, like 1200)'."""
    with contextlib.suppress(ValueError):
        if np.isfinite(float(text)):
            return ""  # a number as written (out of the column's range): nothing to rewrite
    t = _CURRENCY_RE.sub("", text).strip()
    negative = t.startswith("(") and t.endswith(")")
    t = t.strip("()").strip()
    percent = t.endswith("%")
    t = t.rstrip("%").strip()
    if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+|[+-]?\d+,\d{1,2}|[+-]?0,\d+", t):
        t, how = t.replace(".", "").replace(",", "."), "with a decimal point"
    else:
        how = "plain digits"
    t = re.sub(r"(?<=\d)[\s',](?=\d)", "", t)  # spaces, apostrophes or odd comma groups between digits
    try:
        value = float(t)
    except ValueError:
        return ""
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if negative:
        value = -abs(value)
    if percent:
        if rule.high == 1 or rule.low == -1:  # a fraction column
            return f" (a fraction, like {value / 100:g} for {text.strip()})"
        how = "without %"
    return f" ({how}, like {value:.15g})" if text.strip() != f"{value:.15g}" else ""


def _hint(rule: ColumnRule, value: object) -> str:
    """A hint for a bad cell, e.g. ' (did you mean account_team?)' ('' when none fits)."""
    if not isinstance(value, str):
        return ""
    if rule.kind in ("number", "int"):
        return _number_hint(rule, value)
    if rule.kind == "period":
        return period_hint(value)
    if rule.kind == "date":
        return date_hint(value)
    if rule.kind == "enum":
        match = difflib.get_close_matches(_enum_word(value), rule.values, n=1, cutoff=0.6)
        return f" (did you mean {match[0]}?)" if match else ""
    return ""


def _failures_to_problems(failures: pd.DataFrame, table: TableRule, fname: str) -> list[Problem]:
    out: list[Problem] = []
    rules = {c.name: c for c in table.columns}
    hints: dict[tuple[str, object], str] = {}  # once per distinct column and value
    for rec in failures.itertuples(index=False):
        check = str(rec.check)
        if check == "column_in_dataframe":
            continue  # reported by _header_problems, with what the header has instead
        col = rec.column
        row = None if rec.index is None or pd.isna(rec.index) else int(rec.index)
        if check == "not_nullable":
            out.append(Problem(fname, row, col, None, "a value (this column is required)"))
        elif check.startswith("dtype"):
            continue  # every column is read as text; nothing to report
        else:
            value = rec.failure_case
            key = (col, value, check)
            if key not in hints:
                hints[key] = _hint(rules[col], value) if col in rules and check != _MAGNITUDE_TEXT else ""
            out.append(Problem(fname, row, col, value, check + hints[key]))
    return out


def _typed(table: TableRule, df: pd.DataFrame, memo: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Convert validated text columns to their types; add missing optional columns
    (``memo``: conversions the checks made already, see :func:`_converted`)."""
    # extra columns are kept as text, as read; the table's own columns are replaced below
    ruled = {rule.name for rule in table.columns}
    out = pd.DataFrame({i: df.iloc[:, i] if c in ruled else _as_text(df.iloc[:, i]) for i, c in enumerate(df.columns)},
                       index=df.index)
    out.columns = df.columns
    for rule in table.columns:
        if rule.name not in out.columns:
            out[rule.name] = None
        s = out[rule.name]
        if rule.kind == "number":
            out[rule.name] = _converted(rule, s, memo).astype("float64")
        elif rule.kind == "int":
            n = _converted(rule, s, memo)
            # a value that is not whole (reported by the checks) is typed as missing
            out[rule.name] = n.where(n == n.round()).astype("Int64")
        elif rule.kind == "period":
            q = _converted(rule, s, memo)
            out["quarter"] = q
            out[rule.name] = pd.Series(_distinct_map(q, lambda v: quarter_label(int(v))), index=q.index)
        elif rule.kind == "date":
            out[rule.name] = _converted(rule, s, memo)
        elif rule.kind == "bool":
            out[rule.name] = _converted(rule, s, memo).astype("boolean")
        elif rule.kind == "enum":
            out[rule.name] = _to_enum(s)
        else:
            out[rule.name] = pd.Series(_distinct_map(s, lambda v: v), index=s.index, dtype=object)
    return out


def validate_table(name: str, raw: pd.DataFrame, fname: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check one text table against its rules; return it typed, or the problems.

    Parameters
    ----------
    name : str
        Table name (a key of :data:`kit.schema.TABLES`).
    raw : DataFrame
        Cells as text, index = row number in the file.
    fname : str
        File name used in messages.
    """
    import pandera.pandas as pa

    table = TABLES[name]
    problems, missing = _header_problems(table, raw, fname)
    memo: dict[str, pd.Series] = {}  # cells converted by the checks, reused for the typing
    try:
        _pandera_schema(table, memo).validate(raw, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _failures_to_problems(exc.failure_cases, table, fname)
    if missing:  # a required column is missing: the table cannot be typed
        return None, problems
    typed = _typed(table, raw, memo)
    problems += _table_rules(name, typed, fname, raw)
    return (None if problems else typed), problems


def _dups(df: pd.DataFrame, key: list[str], fname: str, what: str, shown: list[str] | None = None) -> list[Problem]:
    # ``shown``: the columns as named in the file (a period is compared by its quarter
    # but reported as the period column, as a quarter label)
    shown = list(shown or key)
    mask = df.duplicated(key, keep=False)
    out = []
    for row, rec in df.loc[mask, shown].iterrows():
        value = " / ".join("" if pd.isna(v) else str(v) for v in rec.tolist())
        out.append(Problem(fname, int(row), ", ".join(shown), value, f"{what} once only (duplicate)"))
    return out


def _key_codes(table: TableRule, df: pd.DataFrame, raw: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """Columns of the typed table ``df`` as integer codes to compare rows by: equal
    codes <=> equal typed values, -1 = missing.  The raw (categorical) columns give the
    codes for free; hashing millions of strings again is the slow part otherwise."""
    rules = {c.name: c for c in table.columns}
    usable = raw is not None and raw.columns.is_unique
    out = {}
    for c in columns:
        r = raw[c] if usable and c in raw.columns else None
        kind = rules[c].kind if c in rules else None
        if r is not None and isinstance(r.dtype, pd.CategoricalDtype) and kind in ("id", "text", "enum"):
            codes = r.cat.codes.to_numpy()
            if kind == "enum":  # "Client" and "client" are the same value once typed
                lowered, _ = pd.factorize(np.array([_enum_word(v) for v in r.cat.categories] + [None], dtype=object))
                codes = lowered.take(codes)  # code -1 takes the last entry: missing
        else:
            codes = pd.factorize(df[c])[0]
        out[c] = codes.astype(np.int64)
    return pd.DataFrame(out, index=df.index)


def _row_keys(codes: pd.DataFrame) -> np.ndarray:
    """One integer per row, equal for two rows exactly when all their codes are equal
    (missing equals missing): one hash pass over integers instead of one per column."""
    key = np.zeros(len(codes), dtype=np.int64)
    for c in codes.columns:
        col = codes[c].to_numpy() + 1  # missing (-1) is a value of its own
        size = int(col.max(initial=0)) + 1
        if len(key) and int(key.max()) >= (2 ** 62) // size:  # would overflow: renumber densely
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * size + col
    return key


def _role_clashes(df: pd.DataFrame, raw: pd.DataFrame | None, fname: str) -> list[Problem]:
    """A rater has one role within one workshop (account, date, rater)."""
    keys = ["account_id", "assessed_on", "rater"]
    codes = _key_codes(TABLES["assessment"], df, raw, keys + ["rater_role"])
    # a role that is not allowed is reported as such, not as a second role
    codes.loc[~df["rater_role"].isin(RATER_ROLES).to_numpy(), "rater_role"] = -1
    codes = codes[(codes[keys] >= 0).all(axis=1)]  # rows with a missing key are in no workshop
    workshop = pd.Series(_row_keys(codes[keys]), index=codes.index)
    with_role = codes["rater_role"] >= 0
    n_roles = codes.loc[with_role, "rater_role"].groupby(workshop[with_role].to_numpy()).nunique()
    clash = n_roles.index[n_roles.to_numpy() > 1]
    if not len(clash):
        return []
    # every row of a clashing workshop and rater (also those without a role)
    in_clash = workshop[workshop.isin(clash)]
    found = []
    for _, rows in df.loc[in_clash.index].groupby(in_clash.to_numpy(), sort=False):
        first = rows.iloc[0]
        found.append(((first["account_id"], first["assessed_on"], first["rater"]), int(rows.index[0]),
                      ", ".join(sorted(rows["rater_role"].dropna().unique()))))
    # in the order of (account, date, rater), as the values sort
    return [Problem(fname, row, "rater_role", roles,
                    f"one role per rater in an assessment (rater {rater!r} on {when.date()})")
            for (acc, when, rater), row, roles in sorted(found, key=lambda f: f[0])]


def _table_rules(name: str, df: pd.DataFrame, fname: str, raw: pd.DataFrame | None = None) -> list[Problem]:
    """Rules of one table that span several columns or rows (``raw``: the text table
    ``df`` was typed from, for fast row comparisons)."""
    problems: list[Problem] = []
    table = TABLES[name]
    if table.key:
        key = ["quarter" if k == "period" else k for k in table.key]
        codes = _key_codes(table, df, raw, key)
        if name == "assessment":
            # an element-level score (no question id) may appear once per rater and element;
            # rows are compared by calendar day and shown as dates
            codes = codes.assign(assessed_on=pd.factorize(df["assessed_on"].dt.normalize())[0])
            dup = df.loc[pd.Series(_row_keys(codes)).duplicated(keep=False).to_numpy(), key]
            problems += _dups(dup.assign(question_id=dup["question_id"].fillna(""), assessed_on=dup["assessed_on"].dt.date),
                              key, fname, "each account, date, rater, element and question")
        else:
            what = {"accounts": "each account_id", "targets": "each account and quarter",
                    "questions": "each question_id", "contacts": "each contact_id per account",
                    "opportunities": "each opportunity_id per account"}.get(name, "each key")
            problems += _dups(df[pd.Series(_row_keys(codes)).duplicated(keep=False).to_numpy()], key, fname, what,
                              shown=list(table.key))
    if name == "surveys":
        # scores outside 0-10 (or not numbers) are reported by the column's own check
        rule = table.column("score")
        for survey, (lo, hi) in {"nps": (0, 10), "csat": (1, 5)}.items():
            sub = df[(df["survey"] == survey) & df["score"].between(rule.low, rule.high)]
            bad = sub[(sub["score"] < lo) | (sub["score"] > hi) | (sub["score"] != sub["score"].round())]
            for row, v in bad["score"].items():
                shown = raw.at[row, "score"] if raw is not None and raw.columns.is_unique else f"{v:g}"
                problems.append(Problem(fname, int(row), "score", shown, f"a whole number from {lo} to {hi} for a {survey} survey"))
    if name == "assessment":
        problems += _role_clashes(df, raw, fname)
    return problems


def _resource_table(name: str) -> pd.DataFrame:
    """One of the kit's own tables (``kit/resources/<name>.csv``), validated and typed."""
    ref = resources.files("kit.resources") / f"{name}.csv"
    with resources.as_file(ref) as path:
        raw = _clean(pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False))
    typed, problems = validate_table(name, raw, f"kit default {name}.csv")
    if problems:  # a packaging bug, not a user error
        raise RuntimeError("; ".join(map(str, problems)))
    return typed


def load_default_questions() -> pd.DataFrame:
    """The kit's default question bank (``kit/resources/questions.csv``), typed."""
    return _with_weights(_resource_table("questions"))


def load_default_objectives() -> pd.DataFrame:
    """The kit's default objectives per category (``kit/resources/objectives.csv``), typed."""
    return _titled_categories(_resource_table("objectives"))


def _titled_categories(objectives: pd.DataFrame) -> pd.DataFrame:
    by_lower = {c.lower(): c for c in CATEGORIES}
    return objectives.assign(category=objectives["category"].map(by_lower))


def merge_objectives(client: pd.DataFrame | None) -> pd.DataFrame:
    """The objectives in use: a client's ``objectives.csv`` replaces the kit's objectives
    of each category it names; categories it leaves out keep the kit's."""
    default = load_default_objectives()
    if client is None:
        return default
    client = _titled_categories(client)
    kept = default[~default["category"].isin(set(client["category"]))]
    return pd.concat([client, kept], ignore_index=True)


def _with_weights(questions: pd.DataFrame) -> pd.DataFrame:
    return questions.assign(weight=questions["weight"].fillna(1.0))


def _cross_checks(tables: dict[str, pd.DataFrame], names: dict[str, str], bank: pd.DataFrame | None) -> list[Problem]:
    """Checks across tables.  ``tables`` may hold text tables that failed their own
    checks (so all problems are listed at once); ``bank`` is None when the client's
    questions.csv is unusable (question ids are then not checked)."""
    problems: list[Problem] = []
    accounts = tables.get("accounts")
    # ids are checked against accounts only when it was read whole: a header without rows
    # or rows set aside (see _read_csv) are reported already, and every id would be unknown
    usable = accounts is not None and "account_id" in accounts and len(accounts) and not accounts.attrs.get("set_aside")
    known = set(accounts["account_id"].dropna()) if usable else None
    hint = _account_hints(known or set())
    for name, df in tables.items():
        if not TABLES[name].has_account_id or known is None or "account_id" not in df:
            continue
        bad = df[df["account_id"].notna() & ~df["account_id"].isin(known)]
        for row, value in bad["account_id"].items():
            problems.append(Problem(names[name], int(row), "account_id", value, "an account_id listed in accounts" + hint(value)))
    df = tables.get("assessment")
    if df is not None and bank is not None and {"question_id", "element"} <= set(df.columns):
        q_elem = dict(zip(bank["question_id"], bank["element"]))
        bank_name = names.get("questions", "the kit's default question bank")
        # decided once per distinct question id and element (as integer codes), then per row
        q_codes, q_values = _codes(df["question_id"])
        e_codes, e_values = _codes(df["element"])
        number = {e: i for i, e in enumerate(ELEMENT_IDS)}  # the pinned elements as 0..9, anything else -1
        q_known = np.array([q in q_elem for q in q_values] + [False])
        q_owner = np.array([number.get(q_elem.get(q), -1) for q in q_values] + [-1])
        e_number = np.array([number.get(_enum_word(e), -1) for e in e_values] + [-1])
        has_q = q_codes >= 0
        known_q = q_known[q_codes]
        # an unknown element is reported already
        wrong = known_q & (e_number[e_codes] >= 0) & (q_owner[q_codes] != e_number[e_codes])
        for pos in np.flatnonzero(has_q & (~known_q | wrong)):
            row, q = df.index[pos], q_values.iloc[q_codes[pos]]
            if not known_q[pos]:
                problems.append(Problem(names["assessment"], int(row), "question_id", q, f"a question_id of {bank_name}"))
            else:
                element = _enum_word(e_values.iloc[e_codes[pos]])
                problems.append(Problem(names["assessment"], int(row), "question_id", q,
                                        f"a question of element {element} (it belongs to {q_elem[q]})"))
    return problems


def _completed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """A typed table with the defaults of the contract filled in and the columns derived
    from it (the same for a table not supplied, see :meth:`Portfolio.table`)."""
    if name == "revenue":
        return df.assign(buying_center=df["buying_center"].fillna(UNSPECIFIED), offering=df["offering"].fillna(UNSPECIFIED))
    if name == "contacts":
        # a contact listed without an 'active' value is taken as active; advocate as not
        return df.assign(active=df["active"].fillna(True), advocate=df["advocate"].fillna(False))
    if name == "opportunities":
        stage = pd.Series(_distinct_map(df["stage"], lambda v: str(v).strip()), index=df.index, dtype=object)
        low = stage.fillna("").astype(str).str.lower()
        return df.assign(stage=stage, is_open=~low.isin(CLOSED_STAGES), is_won=low.eq("won"),
                         referral=df["referral"].fillna(False))
    return df


def _account_hints(known: set[str]) -> Callable[[str], str]:
    """``hint(id)`` for an id missing from accounts: says which listed id it differs
    from only in case or in leading zeros (Excel drops them from ids it takes for
    numbers).  Once per distinct unknown id; the lookups are built on first use."""
    lookups: list[dict[str, str]] = []
    memo: dict[str, str] = {}

    def digits(v: str) -> str:
        return re.sub(r"\.0+$", "", v).lstrip("0")

    def hint(value: str) -> str:
        if value in memo:
            return memo[value]
        if not lookups:
            lookups.append({k.lower(): k for k in sorted(known)})
            lookups.append({digits(k): k for k in sorted(known) if re.fullmatch(r"\d+", k)})
        text = ""
        if value.lower() in lookups[0]:
            text = f" (accounts has {lookups[0][value.lower()]!r}: ids are case-sensitive)"
        elif re.fullmatch(r"\d+(\.0+)?", value) and digits(value) in lookups[1]:
            text = (f" (accounts has {lookups[1][digits(value)]!r}: were its leading zeros lost? "
                    "keep account_id as text)")
        memo[value] = text
        return text

    return hint


def load_portfolio(source: str | Path) -> Portfolio:
    """Read and validate one client's portfolio.

    Parameters
    ----------
    source : str or Path
        A folder of CSV files or an ``.xlsx`` workbook.

    Raises
    ------
    InputError
        Anything unusable; carries every problem found in every file.
    """
    source = Path(source)
    encodings: dict[str, str] = {}
    notes: list[str] = []
    raw, names, hashes, problems = read_raw_tables(source, encodings, notes)
    # a workbook cell already reported (an Excel error, a formula with no saved value) is
    # not reported again as a blank or as 'nan' by the checks below
    cells = {(p.file, p.row, _column_key(p.column)) for p in problems if p.row is not None and p.column}

    def fresh(found: list[Problem]) -> list[Problem]:
        return [p for p in found if (p.file, p.row, _column_key(p.column or "")) not in cells] if cells else found

    typed: dict[str, pd.DataFrame] = {}
    for name, df in raw.items():
        t, probs = validate_table(name, df, names[name])
        problems += fresh(probs)
        if t is not None:
            typed[name] = t
    if "questions" in typed:
        bank = _with_weights(typed["questions"])
        typed["questions"] = bank
    else:
        bank = load_default_questions()
    # tables are cross-checked as text (the same ids and rows as typed, and categorical:
    # fast), also those that failed their own checks, so that every problem is listed at
    # once; a broken client bank is not replaced by the default one
    bank_usable = "questions" not in raw or "questions" in typed
    problems += fresh(_cross_checks(raw, names, bank if bank_usable else None))
    if problems:
        raise InputError(problems)
    tables = {name: _completed(name, df) for name, df in typed.items()}
    tables["questions"] = bank
    tables["objectives"] = merge_objectives(typed.get("objectives"))
    return Portfolio(source=source, tables=tables, hashes=hashes, questions_supplied="questions" in typed,
                     encodings=encodings, notes=tuple(notes))


# ---------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------
def _plain(v):
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (bool,)) or type(v).__name__ == "bool_":
        return "true" if v else "false"
    if isinstance(v, float) or type(v).__name__.startswith("float"):
        r = round(float(v), 4)
        if r == 0:
            r = 0.0  # no "-0.0"
        return f"{r:.4f}".rstrip("0").rstrip(".") if r != int(r) else str(int(r))
    return v


def _float_text(x: float) -> str:
    """:func:`_plain` of a finite float: ``f"{x:.4f}"`` rounds the exact binary value
    to 4 decimals as ``round(x, 4)`` does, so stripping its zeros gives the same text."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text  # no "-0"


def _plain_column(s: pd.Series) -> np.ndarray | None:
    """:func:`_plain` of every cell of one column, by dtype rather than cell by cell
    (None: a column that only ``DataFrame.to_csv`` formats as before, such as dates)."""
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return np.where(s.to_numpy(), "true", "false").astype(object)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return s.to_numpy(dtype=object)  # whole numbers as they are
    if dtype.kind == "f":  # numpy float or nullable Float64
        missing = s.isna().to_numpy()
        values = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isfinite(values[~missing]).all():
            out = np.full(len(values), "", dtype=object)
            # one text per distinct number
            codes, uniques = pd.factorize(values[~missing])
            out[~missing] = np.array([_float_text(x) for x in uniques.tolist()] + [""], dtype=object).take(codes)
            return out
    elif isinstance(dtype, (pd.StringDtype, np.dtype)) and infer_dtype(s, skipna=True) in ("string", "empty"):
        return _no_formula(s.astype(object).where(s.notna(), "").to_numpy(dtype=object))  # blanks empty
    # anything else (nullable whole numbers and booleans, mixed objects, dates): cell by cell
    plain = s.astype(object).map(_plain)
    if plain.dtype == object or isinstance(plain.dtype, pd.StringDtype) or plain.dtype.kind in "iu":
        return _no_formula(plain.to_numpy(dtype=object))
    return None  # e.g. dates: DataFrame.to_csv formats them its own way


#: text a spreadsheet opening a CSV file takes for a formula (OWASP's "CSV injection")
_FORMULA_START = re.compile(r"[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _no_formula(cells: np.ndarray) -> np.ndarray:
    """Text cells of a CSV table that a spreadsheet would run as a formula (``=HYPERLINK(...)``,
    ``+cmd|...``, ``@SUM``) get a leading apostrophe, as Excel itself marks text; plain
    numbers (``-5``) stay as they are.  Once per distinct value."""
    def safe(v: object) -> object:
        if isinstance(v, str) and v and _FORMULA_START.match(v) and not _PLAIN_NUMBER.fullmatch(v):
            return "'" + v
        return v

    if not len(cells):
        return cells
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    fixed = np.array([safe(u) for u in uniques] + [None], dtype=object)
    return fixed.take(codes)


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Context manager giving a temporary path beside ``path`` to write to; moved over ``path`` only when the
    writing finished, so an interrupted run never leaves half a file in place of a good
    one (``.<name>.kit-tmp`` leftovers are cleared by the next run in the folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kit-tmp")  # the mark kit.rundir.remove_temporaries clears
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_csv(df: pd.DataFrame, path: Path, columns: Iterable[str] | None = None) -> Path:
    """Write a table: plain numbers rounded to 4 decimals, booleans true/false, blanks empty."""
    with replacing(path) as tmp:
        _write_csv(df, tmp, columns)
    return path


def _write_csv(df: pd.DataFrame, path: Path, columns: Iterable[str] | None) -> None:
    cols = list(columns) if columns is not None else list(df.columns)
    full = df.reindex(columns=cols)
    plain = [_plain_column(full.iloc[:, i]) for i in range(len(cols))] if len(df) else [None]
    if any(p is None for p in plain):  # no rows, or a column to_csv formats itself
        out = full.astype(object).apply(lambda s: s.map(_plain)) if len(df) else full
        out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        return
    cells = [p.tolist() for p in plain]
    # the csv writer DataFrame.to_csv uses, with its settings (minimal quoting, quotes
    # doubled), fed the rows directly: the same bytes without building a frame of text
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, quotechar='"', doublequote=True)
        writer.writerow(list(full.columns))
        writer.writerows(zip(*cells))


def write_json(obj, path: Path) -> Path:
    """Write JSON (sorted keys, UTF-8) for a stable manifest; replaced whole."""
    with replacing(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a UTF-8 text file (HTML pages); replaced whole."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path, *, title: str = "",
                   choices: dict[str, tuple[str, ...]] | None = None, notes: list[str] | None = None) -> Path:
    """Write an editable .xlsx workbook (one sheet per table) atomically.

    ``title`` goes in the first row of every sheet; ``choices`` maps a column name to
    the values offered in a drop-down on that column's cells; ``notes``, when given, gets
    a line when input text had to be changed (see :func:`put_text`).  Written to a temporary
    name beside ``path`` and moved into place, so a good file is never half-replaced.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    replaced = 0
    for name, df in sheets.items():
        ws = wb.create_sheet(name[:31])
        replaced += put_text(ws["A1"], title)
        ws["A1"].font = Font(bold=True, size=12)
        for c, col in enumerate(df.columns, start=1):
            put_text(ws.cell(row=2, column=c), str(col).replace("_", " ").capitalize())
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r, rec in enumerate(df.itertuples(index=False), start=3):
            for c, v in enumerate(rec, start=1):
                if isinstance(v, str):
                    replaced += put_text(ws.cell(row=r, column=c), v)
                elif not pd.isna(v):
                    ws.cell(row=r, column=c, value=v)
        for i, col in enumerate(df.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].tolist()]) + 2
            ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = min(max(width, 12), 70)
            for row in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")
            if choices and col in choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices[col]) + '"', allow_blank=True)
                ws.add_data_validation(dv)
                letter = ws.cell(row=2, column=i).column_letter
                dv.add(f"{letter}3:{letter}{max(3, len(df) + 2 + 20)}")
        ws.freeze_panes = "A3"
    if replaced and notes is not None:
        notes.append(f"{replaced} character(s) of the input text that a workbook cannot hold (control characters) "
                     f"were replaced with U+FFFD in {path.name}")
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


#: characters XML 1.0 (and so a workbook) cannot hold: control characters but tab and line breaks
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def put_text(cell, value: object) -> int:
    """Write input text into an openpyxl cell as text, whatever it holds; the one guard
    of every workbook the kit writes.

    Text never becomes a formula (openpyxl stores ``=HYPERLINK(...)`` in a contact's name
    as a live one), and characters a workbook cannot hold (an ESC in an account name makes
    openpyxl raise) become U+FFFD.  Returns how many characters were replaced.
    """
    if not isinstance(value, str):
        cell.value = value
        return 0
    text, n = _ILLEGAL_XML.subn("\ufffd", value)
    cell.value = text
    cell.data_type = "s"
    return n


def workbook_text(value: str) -> str:
    """``value`` as :func:`put_text` stores it in a workbook."""
    return _ILLEGAL_XML.sub("\ufffd", value)


def match_account_id(ids: Sequence[str], account_id: object) -> str | None:
    """The id in ``ids`` that ``account_id`` names, or None.

    Ids are text; a number (papermill's CLI ``-p`` turns ``00123`` into ``123``) or digits
    match the one id that equals them once leading zeros are dropped.
    """
    text = "" if account_id is None else str(account_id).strip()
    if text in ids:
        return text
    if isinstance(account_id, (int, np.integer)) or text.isdigit():
        matches = [i for i in ids if i.isdigit() and i.lstrip("0") == text.lstrip("0")]
        if len(matches) == 1:
            return matches[0]
    return None


#: Names Windows will not create as files, whatever the extension (``CON.html`` included).
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                              *(f"lpt{i}" for i in range(10))})


def report_stems(account_ids: Iterable[str]) -> dict[str, str]:
    """File name stems for account ids (ids are untrusted text), as a pure function.

    An id that is already a safe name (1-64 letters, digits, ``-``, ``_``, starting with a
    letter or digit, so never read as an option; not a name
    Windows reserves, such as ``CON``) is kept.  Any other
    id, and any id that clashes with another on a case-insensitive file system, becomes
    an ASCII slug plus a short hash of the id (``a/b`` -> ``a_b-3f2c...``), so a stem never
    holds a path separator or ``..``.  Should two stems still meet (ids made to collide),
    the later ids in sorted order get a counter, so two accounts never share a file and
    the same set of ids always gives the same names.
    """
    import re
    import unicodedata

    ids = list(dict.fromkeys(account_ids))
    lower_counts: dict[str, int] = {}
    for i in ids:
        lower_counts[i.lower()] = lower_counts.get(i.lower(), 0) + 1
    out = {}
    for i in ids:
        safe = (re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", i) is not None and lower_counts[i.lower()] == 1
                and i.lower() not in WINDOWS_RESERVED)
        if safe:
            out[i] = i
        else:
            ascii_text = unicodedata.normalize("NFKD", i).encode("ascii", "ignore").decode("ascii")  # Ü -> U
            slug = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text).strip("_-")[:40] or "account"
            out[i] = f"{slug}-{hashlib.sha1(i.encode('utf-8')).hexdigest()[:8]}"
    seen: set[str] = set()
    for i in sorted(ids):
        stem, n = out[i], 1
        while stem.lower() in seen:
            n += 1
            stem = f"{out[i]}-{n}"
        seen.add(stem.lower())
        out[i] = stem
    return out
