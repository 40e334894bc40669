"""One client's portfolio: load a folder or workbook, validated and typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import InputError, Problem
from kit.inputs.headers import column_key
from kit.inputs.resources import load_default_questions, merge_objectives, with_weights
from kit.inputs.rules import completed, cross_checks, typed_table, validate_table
from kit.inputs.sources import read_raw_tables
from kit.schema import (
    TABLES,
)


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
        return completed(name, typed_table(TABLES[name], empty))

    @property
    def account_ids(self) -> list[str]:
        """Account ids in the order of accounts.csv."""
        return self.tables["accounts"]["account_id"].tolist()

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
    # each CSV file checked as soon as it is read (on the second core for large inputs)
    validated: dict[str, tuple[pd.DataFrame | None, list[Problem]]] = {}
    raw, names, hashes, problems = read_raw_tables(source, encodings, notes, validate=validate_table, validated=validated)
    # a workbook cell already reported (an Excel error, a formula with no saved value) is
    # not reported again as a blank or as 'nan' by the checks below
    cells = {(p.file, p.row, column_key(p.column)) for p in problems if p.row is not None and p.column}

    def fresh(found: list[Problem]) -> list[Problem]:
        return [p for p in found if (p.file, p.row, column_key(p.column or "")) not in cells] if cells else found

    typed: dict[str, pd.DataFrame] = {}
    for name, df in raw.items():
        t, probs = validated[name] if name in validated else validate_table(name, df, names[name])
        problems += fresh(probs)
        if t is not None:
            typed[name] = t
    if "questions" in typed:
        bank = with_weights(typed["questions"])
        typed["questions"] = bank
    else:
        bank = load_default_questions()
    # tables are cross-checked as text (the same ids and rows as typed, and categorical:
    # fast), also those that failed their own checks, so that every problem is listed at
    # once; a broken client bank is not replaced by the default one
    bank_usable = "questions" not in raw or "questions" in typed
    problems += fresh(cross_checks(raw, names, bank if bank_usable else None))
    if problems:
        raise InputError(problems)
    tables = {name: completed(name, df) for name, df in typed.items()}
    tables["questions"] = bank
    tables["objectives"] = merge_objectives(typed.get("objectives"))
    return Portfolio(source=source, tables=tables, hashes=hashes, questions_supplied="questions" in typed,
                     encodings=encodings, notes=tuple(notes))


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
