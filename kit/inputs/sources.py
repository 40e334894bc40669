"""The files of a data folder or the sheets of a workbook, read as raw tables of text."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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


#: inputs of at least this many bytes in all are read on two cores (see :func:`_split`):
#: below it, starting a child costs more than it saves
PARALLEL_MIN_BYTES = 64 * 2**20

#: ``validate(name, raw, display name) -> (typed or None, problems)``: a table's checks,
#: run as soon as it is read (:func:`kit.inputs.rules.validate_table`)
Validate = Callable[[str, pd.DataFrame, str], tuple[pd.DataFrame | None, list[Problem]]]


@dataclass(frozen=True)
class CsvRead:
    """One CSV file read: the raw table (None: unreadable), the encoding it was read in,
    the sha256 of its bytes (None: not read), its problems, and its checks when asked
    for (``validated``: what ``validate`` returned)."""

    table: pd.DataFrame | None
    encoding: str | None
    digest: str | None
    problems: list[Problem]
    validated: tuple[pd.DataFrame | None, list[Problem]] | None = None


def _folder_files(source: Path) -> list[tuple[str, Path | None, list[Problem]]]:
    """Each table of :data:`TABLES`, in order: the file to read for it (None: none to
    read) and the problems of the folder's entries for it (missing, misnamed, a link)."""
    files = folder_entries(source)
    by_lower: dict[str, list[Path]] = {}
    for p in files:
        by_lower.setdefault(p.name.lower(), []).append(p)
    out: list[tuple[str, Path | None, list[Problem]]] = []
    for name in TABLES:
        wanted = f"{name}.csv"
        found = by_lower.get(wanted, [])
        problems: list[Problem] = []
        out.append((name, None, problems))
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
        out[-1] = (name, path, problems)
    return out


def read_csv_file(name: str, path: Path, validate: Validate | None = None) -> CsvRead:
    """One table's CSV file read (and checked by ``validate``, when given)."""
    rule = TABLES[name]
    problems: list[Problem] = []
    try:
        data = read_input_file(path)  # read once: hashed and parsed
    except OSError as exc:
        problems.append(Problem(path.name, None, None, None, f"a readable regular file ({printable(exc.strerror or exc)})"))
        return CsvRead(None, None, None, problems)
    # hashed in a thread while parsed (hashlib lets go of the GIL on large data):
    # about 2 s of a 4 GB portfolio off the critical path
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda b: hashlib.sha256(b).hexdigest(), data)
        df, encoding = read_csv_bytes(path.name, data, problems, rule)
        del data  # the parsed table, not the bytes, from here on
        sha = digest.result()
    if df is not None:
        df = match_columns(rule, df, path.name, problems)
    checked = validate(name, df, path.name) if validate is not None and df is not None else None
    return CsvRead(df, encoding, sha, problems, checked)


def _read_files(jobs: list[tuple[str, Path]], validate: Validate | None) -> dict[str, CsvRead]:
    return {name: read_csv_file(name, path, validate) for name, path in jobs}


def _split(jobs: list[tuple[str, Path]]) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """The files this process reads and those a forked child reads meanwhile (none when
    the inputs are small or no child can start), balanced by bytes
    (:func:`kit.forking.shared_out`)."""
    from kit.forking import shared_out

    sizes = []
    for _, path in jobs:
        try:
            sizes.append(path.stat().st_size)
        except OSError:  # reported when read
            sizes.append(0)
    return shared_out(jobs, sizes, min_total=PARALLEL_MIN_BYTES)


def _read_folder(source: Path, tables, names, hashes, problems, encodings, validate: Validate | None,
                 validated: dict) -> None:
    entries = _folder_files(source)
    mine, theirs = _split([(name, path) for name, path, _ in entries if path is not None])
    wait = None
    if theirs:
        from kit.forking import in_background

        wait = in_background(_read_files, theirs, validate)
    done = _read_files(mine, validate)
    # the child's tables, or read here when it could not give them (failed, killed)
    done.update((wait() if wait is not None else None) or _read_files(theirs, validate))
    for name, path, found in entries:  # problems in the order of the tables, as read one by one
        problems += found
        if path is None:
            continue
        names[name] = path.name
        got = done[name]
        problems += got.problems
        if got.digest is not None:
            hashes[path.name] = got.digest
        if got.encoding is not None:
            encodings[path.name] = got.encoding
        if got.table is not None:
            tables[name] = got.table
            if got.validated is not None:
                validated[name] = got.validated


def read_raw_tables(source: Path, encodings: dict[str, str] | None = None, notes: list[str] | None = None, *,
                    validate: Validate | None = None, validated: dict | None = None
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, str], list[Problem]]:
    """Every known table of a folder or workbook, as text (categorical columns of the
    cleaned cells, see :func:`clean_table`; columns under the contract's names).

    ``encodings``: when given, filled with file name -> the encoding each CSV file was
    read in (a key of :data:`ENCODINGS`).  ``notes``: when given, filled with what the
    user should know of the reading (a hidden sheet read as a table).  ``validate``: the
    checks of a table, run on each CSV file's table as soon as it is read, their results
    put in ``validated`` (table -> (typed, problems)); tables of a workbook are not
    checked here.

    A folder of large files (:data:`PARALLEL_MIN_BYTES` in all) is read on two cores: a
    forked child reads (and checks) the largest files while this process reads the
    others (:func:`kit.forking.in_background`); the tables and problems are the same.

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
        _read_folder(source, tables, names, hashes, problems, encodings, validate,
                     {} if validated is None else validated)
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
