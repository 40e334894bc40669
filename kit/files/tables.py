"""CSV tables for BI tools: plain numbers, blanks empty, no text a spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from kit.files.atomic import replacing


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
    values = s.to_numpy(dtype=object)
    texts = _plain_texts(values)
    if texts is not None:  # text, floats and blanks only (the changes table): all text
        return _no_formula(texts)
    plain = s.astype(object).map(_plain)
    if plain.dtype == object or isinstance(plain.dtype, pd.StringDtype) or plain.dtype.kind in "iu":
        return _no_formula(plain.to_numpy(dtype=object))
    return None  # e.g. dates: DataFrame.to_csv formats them its own way


def _plain_texts(values: np.ndarray) -> np.ndarray | None:
    """:func:`_plain` of cells that are all ``str``, ``float`` or None, as text, each
    distinct number formatted once; None when another type is among them (then the
    caller formats cell by cell).  A column of such cells gives text whatever its mix, so
    it is written as text columns are (:func:`_no_formula`)."""
    out = np.empty(len(values), dtype=object)
    formatted: dict[float, str] = {}
    for i, v in enumerate(values.tolist()):
        t = type(v)
        if t is str:
            out[i] = v
        elif v is None:
            out[i] = ""
        elif t is float:
            text = formatted.get(v) if v == v else ""
            if text is None:  # 0.0 and -0.0 are one key: both are "0"
                text = formatted[v] = _plain(v)
            out[i] = text
        else:
            return None
    return out


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


#: tables of at least this many cells in all are written on two cores (see :func:`write_csvs`)
PARALLEL_MIN_CELLS = 2_000_000


def _write_all(tables: list[tuple[pd.DataFrame, Path]]) -> int:
    for df, path in tables:
        write_csv(df, path)
    return len(tables)


def write_csvs(tables: dict[Path, pd.DataFrame], *, parallel: bool = False) -> None:
    """Write several tables (:func:`write_csv`, each replaced whole).

    ``parallel``: large tables (:data:`PARALLEL_MIN_CELLS` in all) are written on two
    cores, a forked child writing about half of the cells (:func:`kit.forking.in_background`,
    which never forks beside other running threads); the files are the same, and those
    of a child that fails are written here.  Off by default: a child's copied pages count
    in the caller's memory (``kit run`` keeps its process tree under a memory target).
    """
    from kit.forking import in_background, shared_out

    items = [(df, path) for path, df in tables.items()]
    here, child = shared_out(items, [df.size for df, _ in items], min_total=PARALLEL_MIN_CELLS) if parallel \
        else (items, [])
    wait = in_background(_write_all, child) if child else None
    _write_all(here)
    if child and (wait is None or wait() is None):  # no child, or it failed: written here
        _write_all(child)
