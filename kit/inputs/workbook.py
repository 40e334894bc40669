"""Reading an .xlsx workbook: one sheet per table; formulas, errors and hidden sheets."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kit.errors import InputError, Problem
from kit.files.atomic import sha256_of
from kit.inputs.csvfile import header_and_body
from kit.inputs.headers import column_key, column_letter, match_columns, near_names
from kit.schema import (
    REQUIRED_TABLES,
    TABLES,
)

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
        return name, f"{column_letter(col - 1)}{row}"

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


def read_workbook(source: Path, tables, names, hashes, problems, notes) -> None:
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
        by_key.setdefault(column_key(sheet), []).append(str(sheet))
    for name, rule in TABLES.items():
        found = by_key.get(name, [])
        if len(found) > 1:
            problems.append(Problem(source.name, None, None, None,
                                    f"one sheet named '{name}' (found {', '.join(repr(s) for s in found)})"))
            continue
        if not found:
            taken = {s for t in TABLES for s in by_key.get(t, [])}
            near = [s for s in near_names(name, [str(s) for s in sheets if str(s) not in taken],
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
        df = header_and_body(fname, sheets[found[0]], rule, problems, what="sheet")
        if df is not None:
            df = match_columns(rule, df, fname, problems)
        if df is not None:
            tables[name] = df
