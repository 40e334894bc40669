"""Cells as read: stripped, blank as missing, Unicode NFC, held as categoricals; and the
conversions of text cells to numbers, quarters, dates, booleans and allowed values."""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from kit.periods import ISO_DATE_RE, in_supported_range, parse_period_series

TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
#: The first data row of a CSV or sheet is line 2 (line 1 is the header).
FIRST_ROW = 2
def category_codes(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """A column as codes (-1 = missing) into its distinct values.

    Raw columns are categorical (see :func:`clean_table`), so this is free for them; any
    other column is factorized.  Every per-cell rule then runs once per distinct value:
    columns of millions of cells hold few distinct values.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes, uniques = pd.factorize(s)
    return codes, pd.Series(uniques)


def map_distinct(s: pd.Series, fn: Callable[[object], object], na: object = None) -> np.ndarray:
    """``fn`` of every cell as an object array (``fn`` runs once per distinct value);
    ``na`` for missing cells."""
    codes, uniques = category_codes(s)
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


def _first_seen(cells: pd.Categorical) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of a categorical's values without turning them into objects: the
    codes and the categories in the order the cells first show them (unused ones left
    out), as factorizing the text would give."""
    codes = np.asarray(cells.codes)
    order = pd.unique(codes)  # integers: one cheap hash pass
    remap = np.empty(len(cells.categories), dtype=np.intp)
    remap[order] = np.arange(len(order))
    uniques = np.asarray(cells.categories, dtype=object).take(order)
    return remap.take(codes), uniques


def _clean_cells(s: pd.Series) -> pd.Categorical:
    """One column's cells stripped, blank -> missing, as a categorical of text (a
    categorical of text as the CSV parser gives it is taken as it is, see
    :func:`kit.inputs.csvfile._parse_csv`)."""
    if isinstance(s.dtype, pd.CategoricalDtype) and not (s.cat.codes < 0).any() \
            and infer_dtype(s.cat.categories, skipna=False) in ("string", "empty"):
        codes, uniques = _first_seen(s.array)
        has_missing = False
    else:
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


def clean_table(df: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Strip headers and cells; blank cells become missing; rows numbered as in the file.

    Columns are categoricals of text: one string per distinct value, and every later
    per-cell rule runs once per distinct value (see :func:`category_codes`).  ``rows``: the row
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
    codes, uniques = category_codes(s)
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
    codes, uniques = category_codes(s)
    iso = uniques.where([isinstance(v, str) and ISO_DATE_RE.fullmatch(v) is not None
                         and in_supported_range(int(v[:4])) for v in uniques])
    return _spread(pd.to_datetime(iso, format="ISO8601", errors="coerce"), codes, s.index)


def _to_quarter(s: pd.Series) -> pd.Series:
    """Quarter index per cell (nullable Int64), <NA> where missing or not a period."""
    if not len(s):
        return parse_period_series(s)
    codes, uniques = category_codes(s)
    return _spread(parse_period_series(uniques), codes, s.index)


def _bool_word(v: object) -> bool | None:
    low = str(v).strip().lower()
    return True if low in TRUE_WORDS else (False if low in FALSE_WORDS else None)


def _to_bool(s: pd.Series) -> pd.Series:
    """True / False / None per cell (None: missing or not a true/false word)."""
    return pd.Series(map_distinct(s, _bool_word), index=s.index, dtype=object)


def enum_word(v: object) -> str:
    """An allowed value as compared: case, surrounding spaces, and spaces or hyphens for
    underscores do not matter ("Account Team" is account_team)."""
    return re.sub(r"[\s\-]+", "_", str(v).strip().lower())


def to_enum(s: pd.Series) -> pd.Series:
    """Cells stripped and lower-cased (missing stays missing)."""
    if not len(s):
        return s.map(lambda v: None if v is None or pd.isna(v) else enum_word(v))
    return pd.Series(map_distinct(s, enum_word), index=s.index)


def as_codes(s: pd.Series, fn: Callable[[object], object], *, dtype: str | type) -> pd.Series:
    """``fn`` of every cell as a categorical (``fn`` runs once per distinct value; its
    None is missing): the typed column of a table's ``coded`` columns.  ``dtype``: the
    categories' (``object`` or ``"str"``, as the column would be typed as plain text)."""
    codes, uniques = category_codes(s)
    typed = np.empty(len(uniques), dtype=object)
    typed[:] = [fn(u) for u in uniques]
    # two cells may type to the same value ("Client" and "client"): one category each
    new_codes, categories = pd.factorize(typed)
    new_codes = np.append(new_codes, -1)  # code -1 (missing) takes the last entry: missing
    return pd.Series(pd.Categorical.from_codes(new_codes.take(codes), categories=pd.Index(categories, dtype=dtype)),
                     index=s.index)


def plain(s: pd.Series) -> pd.Series:
    """A column typed by :func:`as_codes` as plain text again (missing: None in an object
    column, as :func:`map_distinct` types it); any other column as it is."""
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return s
    values = map_distinct(s, lambda v: v)
    return pd.Series(values, index=s.index, dtype=object if s.cat.categories.dtype == object else None)


def as_text(s: pd.Series) -> pd.Series:
    """A raw (categorical) column back as plain text cells, as the file held them."""
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return s
    return pd.Series(map_distinct(s, lambda v: v), index=s.index)


#: column kind -> its text-to-type conversion
CONVERTERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "number": _to_number, "int": _to_number, "period": _to_quarter, "date": _to_date, "bool": _to_bool,
}
