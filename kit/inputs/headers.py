"""Header matching: the contract's column names in any case and spacing, near misses named."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import pandas as pd

from kit.errors import Problem
from kit.schema import (
    TableRule,
)


def column_key(text: object) -> str:
    """A header as compared with the contract's column names: case, surrounding spaces
    and spaces or hyphens for underscores do not matter ("Account ID" is account_id)."""
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())


def column_letter(i: int) -> str:
    """A spreadsheet's name of the i-th column (0 -> A, 26 -> AA)."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


def match_columns(table: TableRule, df: pd.DataFrame, fname: str, problems: list[Problem]) -> pd.DataFrame | None:
    """The table's columns under the contract's names (see :func:`column_key`); other
    columns keep their header (a repeated one gets ``.1``, ``.2`` as pandas names them).
    A contract column given twice is a problem (None: the table is unusable)."""
    known = {c.name for c in table.columns}
    named: list[str] = []
    first: dict[str, int] = {}
    usable = True
    for i, header in enumerate(df.columns):
        key = column_key(header)
        name = key if key in known else header
        if name in first:
            if name in known:
                usable = False
                problems.append(Problem(fname, 1, None, header, f"the column {name} once only (columns "
                                        f"{column_letter(first[name])} and {column_letter(i)} are both {name})"))
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


def header_problems(table: TableRule, raw: pd.DataFrame, fname: str) -> tuple[list[Problem], bool]:
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
            keys = {column_key(v) for v in rec.tolist() if isinstance(v, str)}
            if set(table.required) <= keys:
                return [Problem(fname, 1, None, None, f"the header row ({', '.join(table.required)}, ...) on row 1 "
                                                      f"(it seems to be on row {row}: delete the rows above it)")], True
    taken: set[str] = set()

    def close(name: str, cutoff: float) -> str | None:
        keys = {column_key(c): c for c in extras if c not in taken}
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


def near_names(wanted: str, found: Iterable[str], cutoff: float = 0.6) -> list[str]:
    """Names in ``found`` that look like ``wanted`` (a misspelt or misnamed table)."""
    found = list(found)
    stem = wanted.lower().rsplit(".", 1)[0]
    close = difflib.get_close_matches(wanted.lower(), [f.lower() for f in found], n=3, cutoff=cutoff)
    return [f for f in found if f.lower() in close or f.lower().startswith(stem + ".") or f.lower().startswith(stem + " ")]
