"""The files of a data folder or the sheets of a workbook, read as raw tables of text."""

from __future__ import annotations

import hashlib
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from kit.errors import Problem, printable
from kit.inputs.csvfile import read_csv_bytes
from kit.inputs.headers import match_columns, near_names
from kit.inputs.workbook import read_workbook
from kit.schema import (
    REQUIRED_TABLES,
    TABLES,
)


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
            near = [n for n in near_names(wanted, [p.name for p in files], 0.8 if name not in REQUIRED_TABLES else 0.6)
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
        # hashed in a thread while parsed (hashlib lets go of the GIL on large data):
        # about 2 s of a 4 GB portfolio off the critical path
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(lambda b: hashlib.sha256(b).hexdigest(), data)
            df, encoding = read_csv_bytes(path.name, data, problems, rule)
            hashes[path.name] = digest.result()
        if encoding is not None:
            encodings[path.name] = encoding
        if df is not None:
            df = match_columns(rule, df, path.name, problems)
        if df is not None:
            tables[name] = df


def read_raw_tables(source: Path, encodings: dict[str, str] | None = None, notes: list[str] | None = None
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, str], list[Problem]]:
    """Every known table of a folder or workbook, as text (categorical columns of the
    cleaned cells, see :func:`clean_table`; columns under the contract's names).

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
        read_workbook(source, tables, names, hashes, problems, notes)
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
