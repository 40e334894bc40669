"""What every step of the workshop shares: the questionnaire's layout (ingest reads the
same cells), problems that point at a workbook cell, the input tables a workshop needs,
the checks of an account, role, rater and date, the raters file, and the element
descriptions and answer scale (``kit/resources/element_descriptions.csv`` and
``answer_scale.csv``: wording to review without touching code)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from kit.errors import InputError, Problem, UsageError
from kit.schema import ELEMENT_IDS, RATER_ROLES, TABLES

__all__ = [
    "ANSWER_COLUMN",
    "ANSWER_EXPECTED",
    "ASSESSMENT_COLUMNS",
    "COMMENT_COLUMN",
    "FIRST_ROW",
    "FORMAT",
    "FORMAT_VERSION",
    "HEADER_FIELDS",
    "LOCK_PREFIX",
    "META_FIELDS",
    "PROGRESS_ROW",
    "SHEET_ELEMENTS",
    "SHEET_INSTRUCTIONS",
    "SHEET_META",
    "SHEET_QUESTIONS",
    "TABLE_COLUMNS",
    "TABLE_HEADER_ROW",
    "WORKBOOK_SUFFIXES",
    "CellProblem",
    "Rater",
    "WorkshopInputs",
    "answer_scale",
    "bank_in_order",
    "cell_problem",
    "check_date",
    "check_rater",
    "check_role",
    "element_descriptions",
    "load_inputs",
    "read_raters",
    "resolve_account",
    "role_words",
]


@cache
def element_descriptions() -> dict[str, str]:
    """What each of the ten elements covers (the questionnaire's Elements sheet)."""
    text = (resources.files("kit.resources") / "element_descriptions.csv").read_text(encoding="utf-8")
    found = {r["element"]: r["description"] for r in csv.DictReader(io.StringIO(text))}
    if set(found) != set(ELEMENT_IDS):  # a packaging bug, not a user error
        raise RuntimeError(f"element_descriptions.csv must describe exactly {list(ELEMENT_IDS)}")
    return found


@cache
def answer_scale() -> dict[int, str]:
    """The answer scale in words (domain.md: 1 = absent/weak, 5 = exemplary; blank = not answered)."""
    text = (resources.files("kit.resources") / "answer_scale.csv").read_text(encoding="utf-8")
    return {int(r["score"]): r["words"] for r in csv.DictReader(io.StringIO(text))}


#: the contract's columns of assessment.csv, in the contract's order
ASSESSMENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLES["assessment"].columns)

# --- the questionnaire's layout (ingest reads the same cells) ---------------------------
FORMAT = "kit-questionnaire"
FORMAT_VERSION = 1
SHEET_INSTRUCTIONS, SHEET_ELEMENTS, SHEET_QUESTIONS, SHEET_META = "Instructions", "Elements", "Questions", "kit"
#: header cells of the Questions sheet (labels in column A, values in column B)
HEADER_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("account_id", "B2", "Account id"),
    ("account_name", "B3", "Account"),
    ("rater", "B4", "Rater"),
    ("rater_role", "B5", "Role"),
    ("assessed_on", "B6", "Assessment date"),
)
PROGRESS_ROW = 7
TABLE_HEADER_ROW = 8
FIRST_ROW = 9
TABLE_COLUMNS = (("A", "Element", 30), ("B", "Question id", 24), ("C", "Question", 70),
                 ("D", "Answer (1-5)", 13), ("E", "Comment", 50))
ANSWER_COLUMN, COMMENT_COLUMN = "D", "E"
ANSWER_EXPECTED = "a whole number from 1 to 5, or blank for not answered"
META_FIELDS = ("account_id", "account_name", "rater", "rater_role", "assessed_on", "question_bank")
LOCK_PREFIX = "~$"  # Excel's lock file beside an open workbook
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


# ---------------------------------------------------------------------------------------
# problems that point at a cell
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem in a workbook: file, sheet and cell (``row`` is the sheet row, for order).

    Printed as ``file, cell Questions!D12 (answer to q3): value '6': expected ...``.
    """

    sheet: str | None = None
    cell: str | None = None
    what: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.sheet and self.cell:
            text += f", cell {self.sheet}!{self.cell}"
        elif self.sheet:
            text += f", sheet {self.sheet}"
        if self.what:
            text += f" ({self.what})"
        if self.value is not None:
            shown = _shown(self.value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            text += f": value {shown!r}"
        return f"{text}: expected {self.expected}"


def _shown(value: object) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_problem(file: str, sheet: str, ref: str, value: object, expected: str, what: str | None = None) -> CellProblem:
    row = int(re.sub(r"[A-Z]+", "", ref) or 0)
    # the column (sheet!letter) groups the problems when a long list is shortened
    return CellProblem(file, row, f"{sheet}!{re.sub(r'[0-9]+', '', ref)}", value, expected, sheet=sheet, cell=ref, what=what)


# ---------------------------------------------------------------------------------------
# inputs: accounts, the question bank in use, the assessment so far
# ---------------------------------------------------------------------------------------
_USED = ("accounts", "questions", "assessment")


@dataclass(frozen=True)
class WorkshopInputs:
    """The input tables a workshop needs, validated by the loader's table rules (:mod:`kit.inputs.rules`).

    Attributes
    ----------
    source : Path
        The data folder or workbook.
    accounts : DataFrame
        Typed accounts (``account_id`` text).
    questions : DataFrame
        The question bank in use (weights filled with 1).
    bank_name : str
        ``questions.csv`` (or the questions sheet) when the client supplied it, else the kit's default.
    assessment : DataFrame or None
        Typed assessment rows, None when the data has no assessment table yet.
    """

    source: Path
    accounts: pd.DataFrame
    questions: pd.DataFrame
    bank_name: str
    assessment: pd.DataFrame | None

    @property
    def account_ids(self) -> list[str]:
        return self.accounts["account_id"].tolist()

    def account_name(self, account_id: str) -> str:
        names = self.accounts.set_index("account_id")["account_name"]
        return str(names.loc[account_id])


def _blank_file(path: Path) -> bool:
    return path.is_file() and not path.read_bytes().strip()


def load_inputs(data: str | Path) -> WorkshopInputs:
    """Accounts, question bank and assessment of a data folder or workbook, checked by
    the loader's table rules (:func:`kit.inputs.rules.validate_table`).

    Problems in the other tables (revenue, contacts, ...) do not stop a workshop: they
    are ``kit validate``'s business.  An empty ``assessment.csv`` counts as no rows yet.

    Raises
    ------
    InputError
        Every problem of accounts, questions and assessment at once.
    """
    from kit.inputs.resources import load_default_questions
    from kit.inputs.rules import validate_table
    from kit.inputs.sources import read_raw_tables

    source = Path(data)
    raw, names, _hashes, problems = read_raw_tables(source)
    other = [t for t in TABLES if t not in _USED]
    other_files = {f"{t}.csv" for t in other}
    problems = [p for p in problems if p.file not in other_files and not any(f"'{t}'" in p.expected for t in other)]
    if source.is_dir() and _blank_file(source / "assessment.csv"):
        problems = [p for p in problems if p.file != "assessment.csv"]
        raw.pop("assessment", None)
    typed: dict[str, pd.DataFrame] = {}
    for name in _USED:
        if name in raw:
            t, probs = validate_table(name, raw[name], names[name])
            problems += probs
            if t is not None:
                typed[name] = t
    if problems:
        raise InputError(problems)
    if "questions" in typed:
        bank, bank_name = typed["questions"], names["questions"]
        bank = bank.assign(weight=bank["weight"].fillna(1.0))
    else:
        bank, bank_name = load_default_questions(), "the kit's default question bank"
    return WorkshopInputs(source=source, accounts=typed["accounts"], questions=bank.reset_index(drop=True),
                          bank_name=bank_name, assessment=typed.get("assessment"))


def bank_in_order(questions: pd.DataFrame) -> pd.DataFrame:
    """The bank's questions grouped by element in the pinned element order (bank order within)."""
    order = {e: i for i, e in enumerate(ELEMENT_IDS)}
    q = questions.assign(_order=questions["element"].map(order)).sort_values("_order", kind="stable")
    return q.drop(columns="_order").reset_index(drop=True)


def resolve_account(inputs: WorkshopInputs, account_id: object) -> str:
    """The account id as text (a number from papermill's ``-p`` matches the id equal to
    it without its leading zeros)."""
    from kit.inputs.portfolio import match_account_id

    ids = inputs.account_ids
    found = match_account_id(ids, account_id)
    if found is not None:
        return found
    text = "" if account_id is None else str(account_id).strip()
    sample = ", ".join(repr(i) for i in ids[:5])
    raise UsageError(f"account {text!r} is not in accounts of {inputs.source} (ids are text, e.g. {sample})")


def check_role(role: object) -> str:
    text = str(role or "").strip().lower()
    if text not in RATER_ROLES:
        raise UsageError(f"role must be one of {', '.join(RATER_ROLES)}, got {role!r}")
    return text


def check_date(value: object) -> str:
    """An ISO date as text (YYYY-MM-DD); today when None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return dt.date.today().isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise UsageError(f"the workshop date must be an ISO date like 2026-02-10, got {value!r}") from None


def check_rater(name: object) -> str:
    text = " ".join(str(name or "").split())  # no line breaks or doubled spaces in a name
    if not text:
        raise UsageError("the rater's name is empty")
    return text


# ---------------------------------------------------------------------------------------
# raters and file names
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rater:
    """One rater of a workshop: a name and one of the contract's roles."""

    name: str
    role: str


def read_raters(path: str | Path) -> list[Rater]:
    """A raters file: CSV (UTF-8) with columns ``rater`` and ``role`` (other columns ignored).

    Raises
    ------
    InputError
        Every problem (missing column, blank name, unknown role, a rater twice) with its row.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(name, None, None, None, "an existing CSV file with columns rater, role (not found)")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, None, None, "UTF-8 text (save the file as 'CSV UTF-8')")]) from None
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        raise InputError([Problem(name, 1, None, None, "a header row with columns rater, role")])
    header = [h.strip().lower() for h in records[0]]
    problems = [Problem(name, 1, None, None, f"a column named '{c}' (required)") for c in ("rater", "role") if c not in header]
    if problems:
        raise InputError(problems)
    i_rater, i_role = header.index("rater"), header.index("role")
    raters: list[Rater] = []
    first_row: dict[str, int] = {}
    for row, rec in enumerate(records[1:], start=2):
        if not any(c.strip() for c in rec):
            continue
        rater = " ".join((rec[i_rater] if i_rater < len(rec) else "").split())
        role = (rec[i_role] if i_role < len(rec) else "").strip().lower()
        if not rater:
            problems.append(Problem(name, row, "rater", None, "a value (the rater's name)"))
        if role not in RATER_ROLES:
            problems.append(Problem(name, row, "role", role or None, "one of " + ", ".join(RATER_ROLES)))
        if rater in first_row:
            problems.append(Problem(name, row, "rater", rater, f"each rater once only (also in row {first_row[rater]})"))
        elif rater:
            first_row[rater] = row
        raters.append(Rater(rater, role))
    if not raters and not problems:
        problems.append(Problem(name, 2, None, None, "at least one rater"))
    if problems:
        raise InputError(problems)
    return raters



def role_words(role: str) -> str:
    return role.replace("_", " ")


