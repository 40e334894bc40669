"""The facilitated assessment workshop: questionnaires per rater, ingest of the filled
workbooks into ``assessment.csv``, and the views of the workshop notebook.

The loop (README, "Assessment workshop"):

1. :func:`make_questionnaire` / :func:`make_questionnaires` write one Excel workbook per
   rater: instructions, the ten elements, the question bank in use (the client's
   ``questions.csv`` when the data has one, else the kit's), an Answer (1-5) column with a
   drop-down and validation and a Comment column.  Account, rater, role and workshop date
   are filled in and locked (sheet protection; only Answer and Comment cells are
   editable), and a hidden sheet ``kit`` records what was generated, so that ingest can
   tell a kit questionnaire from any workbook and see edited header cells.
2. Raters fill the workbooks in a spreadsheet program.
3. :func:`ingest` reads the filled workbooks (:func:`read_questionnaire`), checks every
   cell and appends rows in the data contract to ``assessment.csv``: every problem of
   every file at once, nothing written when there is one; the same rater's answers for
   the same account and date are refused unless ``replace``; the other rows of the file
   keep their bytes; the file is replaced atomically.
4. The workshop notebook (``notebooks/workshop.ipynb``) shows :class:`WorkshopReport`:
   who has answered, the scores so far, the disagreement view and the element scores.
   The figures come from :mod:`kit.assessment` (pinned scoring, spread, perception gap).

Departure from the layout: this module reads and writes its own workbooks and appends
to ``assessment.csv`` (keeping every other byte of it), beside :mod:`kit.io`, whose
loader and table rules it uses to check the inputs.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
import pandas as pd

from kit import __version__
from kit.errors import InputError, Problem, UsageError
from kit.schema import ELEMENT_IDS, ELEMENT_NAMES, INTERNAL_ROLES, RATER_ROLES, TABLES

if TYPE_CHECKING:  # kit.html and the settings load matplotlib and pydantic: only when a report is made
    from kit.config import Settings
    from kit.html import Section

__all__ = [
    "ELEMENT_DESCRIPTIONS", "SCALE", "ASSESSMENT_COLUMNS", "CellProblem", "WorkshopInputs", "load_inputs",
    "Rater", "read_raters", "questionnaire_names", "build_questionnaire", "make_questionnaire",
    "make_questionnaires", "FilledQuestionnaire", "read_questionnaire", "IngestResult", "ingest",
    "expected_raters", "workshop_rows", "answer_progress", "rater_means", "scores_so_far", "disagreement", "final_scores",
    "WorkshopReport", "expected_raters_of",
]

#: what each of the ten elements covers (shown on the questionnaire's Elements sheet)
ELEMENT_DESCRIPTIONS: dict[str, str] = {
    "client_understanding": "How well we know the client's business: its strategy and CEO agenda, its priorities and "
                            "how they are measured, known and latent needs, its industry and competitors, and how "
                            "each buying center buys.",
    "account_strategy": "Whether there is a written, current account plan with goals beyond revenue (relationships, "
                        "referenceability, breadth of presence), a whitespace map with a strategy per gap, agreed with "
                        "our leadership and reviewed regularly.",
    "value_of_work": "The value the client gets from our current work and would get from our future work: measured "
                     "outcomes, ideas we bring unasked, and how essential our work is to the client's strategy.",
    "relationships": "Breadth and depth of our relationships: an executive sponsor, several threads beyond one "
                     "decision maker, coaches and listening posts, advocates, peer relationships at C-level, new "
                     "executives met.",
    "delivery_quality": "Delivering on our commitments (scope, time, budget, quality), collecting and acting on "
                        "satisfaction feedback, raising problems early, handling changes of key staff.",
    "firm_as_partner": "Whether the client sees our firm as a trusted advisor rather than one vendor among many: "
                       "invited into its planning, investing beyond the contract, committed leadership, easy to do "
                       "business with.",
    "account_governance": "The rhythm and structure of the account: business reviews with senior stakeholders, a "
                          "communication cadence, clear roles and owners, tracked account KPIs, regular team reviews.",
    "leading_people": "How the account team is led: time spent growing the account, skills, incentives for account "
                      "health, a shared understanding of the strategy, client knowledge that survives staff changes.",
    "brand_marketing": "How our firm is known at the client: awareness of our full range, a communication plan per "
                       "stakeholder group, thought leadership, public references, industry events.",
    "pipeline_health": "The quality of future business: weighted pipeline against target, opportunities found early, "
                       "new offerings and new buying centers in the pipeline, sole-sourced business, current and "
                       "qualified opportunities.",
}

#: the answer scale (domain.md: 1 = absent/weak, 5 = exemplary; blank = not answered)
SCALE: dict[int, str] = {1: "absent or weak", 2: "emerging", 3: "established", 4: "strong", 5: "exemplary"}
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
_META_FIELDS = ("account_id", "account_name", "rater", "rater_role", "assessed_on", "question_bank")
_LOCK_PREFIX = "~$"  # Excel's lock file beside an open workbook
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


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


def _cell_problem(file: str, sheet: str, ref: str, value: object, expected: str, what: str | None = None) -> CellProblem:
    row = int(re.sub(r"[A-Z]+", "", ref) or 0)
    # the column (sheet!letter) groups the problems when a long list is shortened
    return CellProblem(file, row, f"{sheet}!{re.sub(r'[0-9]+', '', ref)}", value, expected, sheet=sheet, cell=ref, what=what)


# ---------------------------------------------------------------------------------------
# inputs: accounts, the question bank in use, the assessment so far
# ---------------------------------------------------------------------------------------
_USED = ("accounts", "questions", "assessment")


@dataclass(frozen=True)
class WorkshopInputs:
    """The input tables a workshop needs, validated by :mod:`kit.io`'s table rules.

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
    the loader's table rules (:func:`kit.io.validate_table`).

    Problems in the other tables (revenue, contacts, ...) do not stop a workshop: they
    are ``kit validate``'s business.  An empty ``assessment.csv`` counts as no rows yet.

    Raises
    ------
    InputError
        Every problem of accounts, questions and assessment at once.
    """
    from kit.io import load_default_questions, read_raw_tables, validate_table

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


def _bank_in_order(questions: pd.DataFrame) -> pd.DataFrame:
    """The bank's questions grouped by element in the pinned element order (bank order within)."""
    order = {e: i for i, e in enumerate(ELEMENT_IDS)}
    q = questions.assign(_order=questions["element"].map(order)).sort_values("_order", kind="stable")
    return q.drop(columns="_order").reset_index(drop=True)


def _resolve_account(inputs: WorkshopInputs, account_id: object) -> str:
    """The account id as text (a number from papermill's ``-p`` matches the id equal to
    it without its leading zeros)."""
    ids = inputs.account_ids
    text = "" if account_id is None else str(account_id).strip()
    if text in ids:
        return text
    if isinstance(account_id, (int, np.integer)) or text.isdigit():
        matches = [i for i in ids if i.isdigit() and i.lstrip("0") == text.lstrip("0")]
        if len(matches) == 1:
            return matches[0]
    sample = ", ".join(repr(i) for i in ids[:5])
    raise UsageError(f"account {text!r} is not in accounts of {inputs.source} (ids are text, e.g. {sample})")


def _check_role(role: object) -> str:
    text = str(role or "").strip().lower()
    if text not in RATER_ROLES:
        raise UsageError(f"role must be one of {', '.join(RATER_ROLES)}, got {role!r}")
    return text


def _check_date(value: object) -> str:
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


def _check_rater(name: object) -> str:
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


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:40]


def questionnaire_names(account_id: str, assessed_on: str, raters: Iterable[str]) -> dict[str, str]:
    """File names for the raters' questionnaires: ``<account>_<date>_<rater>.xlsx``.

    Account ids and names are untrusted text: the account part is :func:`kit.io.report_stems`'s
    safe stem, the rater part an ASCII slug; a rater whose slug is empty or clashes with
    another (ignoring case) gets a short hash of the name, so names never collide and
    never leave the folder (``../x`` and ``a/b`` become ``x`` and ``a-b``).
    """
    from kit.io import report_stems

    acc = report_stems([account_id])[account_id]
    raters = list(dict.fromkeys(raters))
    slugs = {r: _slug(r) for r in raters}
    counts: dict[str, int] = {}
    for s in slugs.values():
        counts[s.lower()] = counts.get(s.lower(), 0) + 1
    out = {}
    for r, s in slugs.items():
        if not s or counts[s.lower()] > 1:
            s = f"{s or 'rater'}-{hashlib.sha1(r.encode('utf-8')).hexdigest()[:8]}"
        out[r] = f"{acc}_{assessed_on}_{s}.xlsx"
    return out


# ---------------------------------------------------------------------------------------
# writing a questionnaire
# ---------------------------------------------------------------------------------------
def _checksum(meta: dict[str, str], questions: Sequence[tuple[str, str, str]]) -> str:
    body = json.dumps({"meta": {k: meta[k] for k in _META_FIELDS}, "questions": [list(q) for q in questions]},
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _set_text(ws, ref: str, value: object):
    """Write input text as text: a name starting with '=' must not become a formula."""
    cell = ws[ref]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _role_words(role: str) -> str:
    return role.replace("_", " ")


def build_questionnaire(*, account_id: str, account_name: str, rater: str, rater_role: str, assessed_on: str,
                        questions: pd.DataFrame, question_bank: str = "kit default"):
    """The questionnaire workbook (openpyxl ``Workbook``), not saved.

    Parameters
    ----------
    questions : DataFrame
        The bank in use: element, question_id, text (asked in this order).
    question_bank : str
        Which bank it is, recorded in the hidden sheet.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    meta = {"account_id": account_id, "account_name": account_name, "rater": rater, "rater_role": rater_role,
            "assessed_on": assessed_on, "question_bank": question_bank}
    rows = [(str(q.question_id), str(q.element), str(q.text)) for q in questions.itertuples(index=False)]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    title_font = Font(bold=True, size=14)
    answer_fill = PatternFill("solid", fgColor="FFF2CC")
    header_fill = PatternFill("solid", fgColor="D9E2F3")
    band_fill = PatternFill("solid", fgColor="F2F2F2")
    thin = Side(style="thin", color="BFBFBF")
    last = FIRST_ROW + len(rows) - 1

    wb = Workbook()
    # --- Instructions ---------------------------------------------------------------
    ws = wb.active
    ws.title = SHEET_INSTRUCTIONS
    ws.column_dimensions["A"].width = 110
    client = rater_role == "client"
    lines: list[tuple[str, object]] = [
        ("title", "Account health assessment: questionnaire"),
        ("", ""),
        ("text", f"Account: {account_name} (id {account_id})"),
        ("text", f"Rater: {rater} ({_role_words(rater_role)})"),
        ("text", f"Workshop date: {assessed_on}"),
        ("", ""),
        ("bold", "How to answer"),
        ("text", "1. Go to the Questions sheet. Each row is a statement about how our firm serves this account "
                 "('we' and 'our' mean the firm" + (", not your organisation; rate how true it is from where you sit)."
                                                    if client else ").")),
        ("text", "2. In the Answer (1-5) column, choose how true the statement is, from the drop-down or by typing a number:"),
        *[("text", f"      {k} = {v}") for k, v in SCALE.items()],
        ("text", "3. Leave the answer blank when you cannot judge: a blank is 'not answered', never a zero."),
        ("text", "4. Add a comment where it helps the discussion (optional). "
                 + ("Comments are read by the account team with your name; client-facing reports show no names or comments."
                    if client else "Comments appear with your name in the internal report, never in client reports.")),
        ("text", "5. Save the workbook as it is (Excel workbook, .xlsx; keep its sheets) and send it back to the facilitator."),
        ("", ""),
        ("text", "The Elements sheet explains the ten elements. Only the Answer and Comment cells can be edited: "
                 "the account, your name, role and the date at the top of the Questions sheet are locked. If any of "
                 "them is wrong, ask the facilitator for a new questionnaire."),
        ("text", f"{len(rows)} statements; most people need 15 to 25 minutes."),
    ]
    for i, (kind, text) in enumerate(lines, start=1):
        cell = _set_text(ws, f"A{i}", text or None)
        cell.alignment = wrap
        if kind == "title":
            cell.font = title_font
        elif kind == "bold":
            cell.font = bold
    ws.protection.sheet = True

    # --- Elements -------------------------------------------------------------------
    ws = wb.create_sheet(SHEET_ELEMENTS)
    n_per = pd.Series([r[1] for r in rows], dtype=object).value_counts()
    for col, head, width in (("A", "Element", 40), ("B", "What it covers", 90), ("C", "Questions", 11)):
        ws[f"{col}1"] = head
        ws[f"{col}1"].font, ws[f"{col}1"].fill = bold, header_fill
        ws.column_dimensions[col].width = width
    for i, e in enumerate(ELEMENT_IDS, start=2):
        ws[f"A{i}"], ws[f"B{i}"], ws[f"C{i}"] = ELEMENT_NAMES[e], ELEMENT_DESCRIPTIONS[e], int(n_per.get(e, 0))
        ws[f"A{i}"].font = bold
        for col in "ABC":
            ws[f"{col}{i}"].alignment = wrap
    ws.freeze_panes = "A2"
    ws.protection.sheet = True

    # --- Questions ------------------------------------------------------------------
    ws = wb.create_sheet(SHEET_QUESTIONS)
    ws["A1"] = "Account health assessment"
    ws["A1"].font = title_font
    for key, ref, label in HEADER_FIELDS:
        label_ref = "A" + ref[1:]
        ws[label_ref] = label
        ws[label_ref].font = bold
        _set_text(ws, ref, meta[key]).font = bold
    ws[f"A{PROGRESS_ROW}"] = "Answered"
    ws[f"A{PROGRESS_ROW}"].font = bold
    ws[f"B{PROGRESS_ROW}"] = f'=COUNT({ANSWER_COLUMN}{FIRST_ROW}:{ANSWER_COLUMN}{last})&" of {len(rows)}"'
    ws[f"C{PROGRESS_ROW}"] = "1 = " + SCALE[1] + ", 2 = " + SCALE[2] + ", 3 = " + SCALE[3] + ", 4 = " + SCALE[4] + \
        ", 5 = " + SCALE[5] + "; blank = not answered"
    ws[f"C{PROGRESS_ROW}"].font = Font(italic=True)
    for col, head, width in TABLE_COLUMNS:
        c = ws[f"{col}{TABLE_HEADER_ROW}"]
        c.value, c.font, c.fill = head, bold, header_fill
        c.border = Border(bottom=thin)
        ws.column_dimensions[col].width = width
    previous, band = None, False
    for i, (qid, element, text) in enumerate(rows):
        r = FIRST_ROW + i
        if element != previous:
            band, previous = not band, element
        _set_text(ws, f"A{r}", ELEMENT_NAMES.get(element, element))
        _set_text(ws, f"B{r}", qid)
        _set_text(ws, f"C{r}", text)
        ws[f"B{r}"].font = Font(color="808080", size=9)  # for the kit; raters read the question
        for col in "ABC":
            ws[f"{col}{r}"].alignment = wrap
            if band:
                ws[f"{col}{r}"].fill = band_fill
        answer, comment = ws[f"{ANSWER_COLUMN}{r}"], ws[f"{COMMENT_COLUMN}{r}"]
        answer.protection = comment.protection = Protection(locked=False)
        answer.fill = comment.fill = answer_fill
        answer.alignment = Alignment(horizontal="center", vertical="top")
        comment.alignment = wrap
        for col in "ABCDE":
            ws[f"{col}{r}"].border = Border(bottom=thin)
    dv = DataValidation(type="list", formula1='"1,2,3,4,5"', allow_blank=True, showErrorMessage=True,
                        errorStyle="stop", errorTitle="Answer 1 to 5",
                        error="Choose a whole number from 1 (absent or weak) to 5 (exemplary), or leave the cell blank "
                              "when you cannot judge.",
                        showInputMessage=True, promptTitle="Answer 1 to 5",
                        prompt="1 absent/weak, 2 emerging, 3 established, 4 strong, 5 exemplary; blank = cannot judge")
    ws.add_data_validation(dv)
    if rows:
        dv.add(f"{ANSWER_COLUMN}{FIRST_ROW}:{ANSWER_COLUMN}{last}")
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.print_title_rows = f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # column widths and row heights may be changed
    ws.protection.formatRows = False

    # --- kit: what was generated (hidden) -----------------------------------------------
    ws = wb.create_sheet(SHEET_META)
    ws.sheet_state = "veryHidden"
    pairs = [("format", FORMAT), ("format_version", str(FORMAT_VERSION)), ("kit_version", __version__),
             *[(k, meta[k]) for k in _META_FIELDS], ("n_questions", str(len(rows))),
             ("first_row", str(FIRST_ROW)), ("checksum", _checksum(meta, rows))]
    for i, (k, v) in enumerate(pairs, start=1):
        _set_text(ws, f"A{i}", k)
        _set_text(ws, f"B{i}", v)
    start = len(pairs) + 2
    for j, head in enumerate(("question_id", "element", "text")):
        ws.cell(row=start, column=j + 1, value=head)
    for i, q in enumerate(rows, start=start + 1):
        for j, v in enumerate(q):
            c = ws.cell(row=i, column=j + 1)
            c.value, c.data_type = v, "s"
    ws.protection.sheet = True

    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be deleted, renamed or unhidden
    wb.properties.creator = f"kit {__version__}"
    wb.properties.title = f"Account health assessment questionnaire: {account_id} / {rater}"
    return wb


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _save_workbook(wb, path: Path) -> Path:
    """Save atomically: a temporary file in the same folder, then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_beside(path)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _prepare(inputs: WorkshopInputs, account_id: object, assessed_on: object) -> tuple[str, str, str, pd.DataFrame, str]:
    acc = _resolve_account(inputs, account_id)
    bank = "client" if inputs.bank_name != "the kit's default question bank" else "kit default"
    return acc, inputs.account_name(acc), _check_date(assessed_on), _bank_in_order(inputs.questions), bank


def make_questionnaire(data: str | Path, account_id: object, rater: str, role: str, out: str | Path, *,
                       assessed_on: object = None, overwrite: bool = False) -> Path:
    """Write one rater's questionnaire.

    Parameters
    ----------
    data : str or Path
        The client's data folder or workbook (accounts; the client's questions when it has them).
    account_id : str
        An account id of the data (text: ``00123`` stays ``00123``).
    rater, role : str
        The rater's name and one of account_team, leadership, delivery, client.
    out : str or Path
        The ``.xlsx`` file to write, or an existing folder (the file is then named by
        :func:`questionnaire_names`).
    assessed_on : str or date, optional
        The workshop date (ISO); default today.
    overwrite : bool
        Replace an existing file (default: refuse, a filled questionnaire may be there).

    Raises
    ------
    UsageError
        Unknown account, bad role or date, an existing file.
    InputError
        Unusable accounts or question bank.
    """
    inputs = load_inputs(data)
    rater, role = _check_rater(rater), _check_role(role)
    acc, name, day, bank, which = _prepare(inputs, account_id, assessed_on)
    out = Path(out)
    if out.is_dir():
        out = out / questionnaire_names(acc, day, [rater])[rater]
    elif out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out must be an .xlsx file or an existing folder, got {str(out)!r}")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} exists already (it may hold answers); remove it or pass --force to overwrite it")
    wb = build_questionnaire(account_id=acc, account_name=name, rater=rater, rater_role=role, assessed_on=day,
                             questions=bank, question_bank=which)
    return _save_workbook(wb, out)


def make_questionnaires(data: str | Path, account_id: object, raters: Sequence[Rater] | str | Path, out_dir: str | Path, *,
                        assessed_on: object = None, overwrite: bool = False) -> list[Path]:
    """One questionnaire per rater into ``out_dir`` (named by :func:`questionnaire_names`).

    ``raters``: :class:`Rater` items or a raters CSV (:func:`read_raters`).  Every file is
    checked before any is written: nothing is written when one would overwrite an
    existing file (unless ``overwrite``).
    """
    rater_list = read_raters(raters) if isinstance(raters, (str, Path)) else list(raters)
    inputs = load_inputs(data)
    checked = [Rater(_check_rater(r.name), _check_role(r.role)) for r in rater_list]
    seen: set[str] = set()
    for r in checked:
        if r.name in seen:
            raise UsageError(f"rater {r.name!r} is listed twice")
        seen.add(r.name)
    if not checked:
        raise UsageError("no raters given")
    acc, name, day, bank, which = _prepare(inputs, account_id, assessed_on)
    out_dir = Path(out_dir)
    if out_dir.suffix.lower() == ".xlsx" or out_dir.is_file():
        raise UsageError(f"with a list of raters --out is a folder (one file per rater), got {str(out_dir)!r}")
    names = questionnaire_names(acc, day, [r.name for r in checked])
    targets = [(r, out_dir / names[r.name]) for r in checked]
    existing = [str(p) for _, p in targets if p.exists()]
    if existing and not overwrite:
        raise UsageError(f"{len(existing)} questionnaire(s) exist already (they may hold answers): "
                         f"{', '.join(existing)}; remove them or pass --force to overwrite")
    paths = []
    for r, path in targets:
        assert path.parent == out_dir  # names are safe stems: never outside the folder
        wb = build_questionnaire(account_id=acc, account_name=name, rater=r.name, rater_role=r.role, assessed_on=day,
                                 questions=bank, question_bank=which)
        paths.append(_save_workbook(wb, path))
    return paths


# ---------------------------------------------------------------------------------------
# reading a filled questionnaire
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilledQuestionnaire:
    """A filled questionnaire as read, before it is checked against the data.

    ``answers``: one row per question: row (sheet row), element, question_id, score
    (1-5 or NaN = not answered), comment (text or None).
    """

    file: str
    account_id: str
    account_name: str
    rater: str
    rater_role: str
    assessed_on: str
    question_bank: str
    answers: pd.DataFrame = field(repr=False)

    @property
    def answered(self) -> int:
        return int(self.answers["score"].notna().sum())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_meta(ws) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    meta: dict[str, str] = {}
    questions: list[tuple[str, str, str]] = []
    in_table = False
    for rec in ws.iter_rows(values_only=True):
        cells = ["" if v is None else str(v) for v in rec[:3]] + [""] * max(0, 3 - len(rec))
        if not any(cells):
            continue
        if in_table:
            questions.append((cells[0], cells[1], cells[2]))
        elif cells[0] == "question_id":
            in_table = True
        else:
            meta[cells[0]] = cells[1]
    return meta, questions


def _answer(cell) -> tuple[float, str | None]:
    """A cell of the Answer column as (score or NaN, problem or None)."""
    value = cell.value
    if cell.data_type == "f":
        return np.nan, f"{ANSWER_EXPECTED}, typed in (the cell holds a formula)"
    if value is None:
        return np.nan, None
    if isinstance(value, bool):
        return np.nan, ANSWER_EXPECTED
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return np.nan, f"{ANSWER_EXPECTED} (the spreadsheet program turned the entry into a date)"
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return np.nan, None
        try:
            value = float(text)
        except ValueError:
            return np.nan, ANSWER_EXPECTED
    if isinstance(value, (int, float)) and float(value).is_integer() and 1 <= value <= 5:
        return float(value), None
    return np.nan, ANSWER_EXPECTED


def _comment(cell, cached) -> str | None:
    value = cell.value
    if cell.data_type == "f":
        # a formula: its value as the spreadsheet program last computed it; its text when
        # there is none or it is an error (LibreOffice takes a typed "=see above" as a formula)
        from openpyxl.cell.cell import ERROR_CODES

        computed = cached() if cached is not None else None
        value = value if computed is None or computed in ERROR_CODES else computed
    text = _cell_text(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def read_questionnaire(path: str | Path, *, name: str | None = None) -> tuple[FilledQuestionnaire | None, list[Problem]]:
    """Read a filled questionnaire and check its cells.

    Checks: a readable workbook made by ``kit questionnaire`` (its hidden sheet ``kit``
    unchanged), the Questions sheet present, the header cells (account id, account, rater,
    role, date) and the question cells as generated, every answer a whole number from 1
    to 5 or blank.  Problems name the file, the sheet and the cell.

    Parameters
    ----------
    path : str or Path
        The workbook.
    name : str, optional
        The file as shown in messages (default: ``path`` as given).

    Returns
    -------
    questionnaire, problems
        The questionnaire is None when it cannot be read at all.
    """
    from openpyxl import load_workbook

    path = Path(path)
    name = name or str(path)
    if not path.is_file():
        return None, [Problem(name, None, None, None, "an existing .xlsx file (not found)")]
    if path.suffix.lower() not in _WORKBOOK_SUFFIXES:
        return None, [Problem(name, None, None, None, "an Excel workbook (.xlsx); save it as 'Excel Workbook (.xlsx)'")]
    try:
        with warnings.catch_warnings():  # e.g. "Data Validation extension is not supported"
            warnings.simplefilter("ignore")
            wb = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        return None, [Problem(name, None, None, None, f"a readable .xlsx workbook ({type(exc).__name__}: {exc})")]
    not_kit = "a questionnaire made by 'kit questionnaire' (its hidden sheet 'kit' is missing or changed)"
    if SHEET_META not in wb.sheetnames:
        return None, [CellProblem(name, None, None, None, not_kit)]
    meta, expected_rows = _read_meta(wb[SHEET_META])
    if meta.get("format") != FORMAT:
        return None, [CellProblem(name, None, None, None, not_kit, sheet=SHEET_META)]
    try:
        version = int(meta.get("format_version", ""))
    except ValueError:
        version = -1
    if version != FORMAT_VERSION:
        return None, [CellProblem(name, None, None, meta.get("format_version"),
                                  f"questionnaire format {FORMAT_VERSION} (made by another version of the kit: "
                                  f"{meta.get('kit_version')}); make a new questionnaire", sheet=SHEET_META)]
    if any(k not in meta for k in _META_FIELDS) or meta.get("checksum") != _checksum(meta, expected_rows):
        return None, [CellProblem(name, None, None, None, not_kit + "; make a new questionnaire", sheet=SHEET_META)]
    if SHEET_QUESTIONS not in wb.sheetnames:
        return None, [CellProblem(name, None, None, None,
                                  f"a sheet named '{SHEET_QUESTIONS}' (sheets: {', '.join(wb.sheetnames)})")]
    ws = wb[SHEET_QUESTIONS]
    problems: list[Problem] = []
    for key, ref, label in HEADER_FIELDS:
        value = ws[ref].value
        if _cell_text(value) != meta[key]:
            problems.append(_cell_problem(
                name, SHEET_QUESTIONS, ref, value if value is not None else "",
                f"{meta[key]!r} as the questionnaire was made ({label.lower()}: header cells must not be edited; "
                "make a new questionnaire if it is wrong)", what=label.lower()))
    cached_wb = []

    def cached_value(ref: str):
        if not cached_wb:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cached_wb.append(load_workbook(path, data_only=True))
        return cached_wb[0][SHEET_QUESTIONS][ref].value

    records = []
    for i, (qid, element, text) in enumerate(expected_rows):
        r = FIRST_ROW + i
        for col, want in (("B", qid), ("C", text)):
            got = ws[f"{col}{r}"].value
            if _cell_text(got) != want.strip():
                what = "question id" if col == "B" else "question text"
                problems.append(_cell_problem(name, SHEET_QUESTIONS, f"{col}{r}", got if got is not None else "",
                                              f"{want!r} as the questionnaire was made ({what}s must not be edited or moved)",
                                              what=what))
        a_ref = f"{ANSWER_COLUMN}{r}"
        score, bad = _answer(ws[a_ref])
        if bad:
            problems.append(_cell_problem(name, SHEET_QUESTIONS, a_ref, ws[a_ref].value, bad, what=f"answer to {qid}"))
        c_ref = f"{COMMENT_COLUMN}{r}"
        comment = _comment(ws[c_ref], (lambda ref=c_ref: cached_value(ref)))
        records.append({"row": r, "element": element, "question_id": qid, "score": score, "comment": comment})
    answers = pd.DataFrame({
        "row": pd.Series([r["row"] for r in records], dtype="int64"),
        "element": pd.Series([r["element"] for r in records], dtype=object),
        "question_id": pd.Series([r["question_id"] for r in records], dtype=object),
        "score": pd.Series([r["score"] for r in records], dtype="float64"),
        "comment": pd.Series([r["comment"] for r in records], dtype=object),  # None stays None
    })
    q = FilledQuestionnaire(file=name, account_id=meta["account_id"], account_name=meta["account_name"],
                            rater=meta["rater"], rater_role=meta["rater_role"], assessed_on=meta["assessed_on"],
                            question_bank=meta["question_bank"], answers=answers)
    return q, problems


def _check_with_data(q: FilledQuestionnaire, inputs: WorkshopInputs) -> list[Problem]:
    """A questionnaire against the data it is ingested into: the account, the role, the
    date and the question ids of the bank in use."""
    problems: list[Problem] = []
    cell = {key: ref for key, ref, _ in HEADER_FIELDS}
    if q.account_id not in set(inputs.account_ids):
        problems.append(_cell_problem(q.file, SHEET_QUESTIONS, cell["account_id"], q.account_id,
                                      f"an account_id listed in accounts of {inputs.source} "
                                      "(was the questionnaire made for another client's data?)", what="account id"))
    if q.rater_role not in RATER_ROLES:
        problems.append(_cell_problem(q.file, SHEET_QUESTIONS, cell["rater_role"], q.rater_role,
                                      "one of " + ", ".join(RATER_ROLES), what="role"))
    try:
        dt.date.fromisoformat(q.assessed_on)
    except ValueError:
        problems.append(_cell_problem(q.file, SHEET_QUESTIONS, cell["assessed_on"], q.assessed_on,
                                      "an ISO date like 2026-02-10", what="assessment date"))
    if not q.rater.strip():
        problems.append(_cell_problem(q.file, SHEET_QUESTIONS, cell["rater"], None, "the rater's name", what="rater"))
    owner = dict(zip(inputs.questions["question_id"], inputs.questions["element"]))
    for r in q.answers.itertuples(index=False):
        if owner.get(r.question_id) != r.element:
            why = (f"it belongs to {owner[r.question_id]} now" if r.question_id in owner else "it is not in the bank")
            problems.append(_cell_problem(
                q.file, SHEET_QUESTIONS, f"B{r.row}", r.question_id,
                f"a question of element {r.element} in {inputs.bank_name} ({why}: the question bank changed since the "
                "questionnaire was made)", what="question id"))
    return problems


# ---------------------------------------------------------------------------------------
# ingest: append to assessment.csv, keeping every other byte
# ---------------------------------------------------------------------------------------
@dataclass
class _CsvDoc:
    """A CSV file as its records, each with the exact text it was read from."""

    records: list[tuple[list[str], str]]
    newline: str

    @classmethod
    def parse(cls, data: bytes | None) -> "_CsvDoc":
        if data is None or not data.strip():
            return cls([], "\n")
        text = data.decode("utf-8")  # a BOM stays in the first record's text (and is kept)
        lines = io.StringIO(text, newline="")
        consumed: list[str] = []

        def feed():
            for line in lines:
                consumed.append(line)
                yield line

        records = []
        for rec in csv.reader(feed()):
            records.append((rec, "".join(consumed)))
            consumed.clear()
        if consumed:  # trailing text the reader did not return as a record
            records.append(([], "".join(consumed)))
        first = records[0][1] if records else ""
        return cls(records, "\r\n" if first.endswith("\r\n") else "\n")

    @property
    def header(self) -> list[str]:
        if not self.records:
            return []
        names = [h.strip() for h in self.records[0][0]]
        if names and names[0].startswith("\ufeff"):
            names[0] = names[0][1:].strip()
        return names

    def keyed_rows(self) -> list[tuple[int, tuple[str, str, str] | None, tuple]]:
        """(record index, (account, day, rater) or None, content) of every data record."""
        header = self.header
        pos = {c: header.index(c) for c in ASSESSMENT_COLUMNS if c in header}
        out = []
        for i, (rec, _raw) in enumerate(self.records[1:], start=1):
            def get(col: str) -> str:
                j = pos.get(col)
                return rec[j].strip() if j is not None and j < len(rec) else ""

            acc, day, rater = get("account_id"), get("assessed_on"), get("rater")
            key = None
            if acc and day and rater:
                try:
                    day = pd.Timestamp(day).date().isoformat()  # "2026-09-10 00:00:00" is that day too
                except ValueError:
                    pass  # not a date: the loader reports it; compared as text here
                key = (acc, day, rater)
            out.append((i, key, _content(get("element").lower(), get("question_id"), get("score"),
                                         get("rater_role").lower(), get("comment"))))
        return out

    def render(self, *, drop: set[int], rows: list[dict[str, str]]) -> bytes:
        """The file's bytes without the records ``drop`` and with ``rows`` appended; new
        contract columns missing from the header are added at its end."""
        header = self.header
        if not self.records:
            header = list(ASSESSMENT_COLUMNS)
            parts = [_csv_line(header, self.newline)]
            kept = []
        else:
            missing = [c for c in ASSESSMENT_COLUMNS if c not in header]
            parts, kept = [], self.records
            if missing:  # pad every record with the new (empty) columns, keeping its bytes otherwise
                kept = [(rec, _pad(raw, len(missing), blank=not any(c.strip() for c in rec))) for rec, raw in self.records]
                rec0, raw0 = self.records[0]
                kept[0] = (rec0, _pad(raw0, 0, blank=False, extra="," + ",".join(missing)))
                header = header + missing
            parts = [raw for i, (_rec, raw) in enumerate(kept) if i not in drop]
            if parts and not parts[-1].endswith(("\n", "\r")):
                parts[-1] += self.newline
        for row in rows:
            parts.append(_csv_line([row.get(c, "") for c in header], self.newline))
        return "".join(parts).encode("utf-8")


def _pad(raw: str, n: int, *, blank: bool, extra: str | None = None) -> str:
    if blank:
        return raw
    body = raw.rstrip("\r\n")
    return body + (extra if extra is not None else "," * n) + raw[len(body):]


def _csv_line(cells: list[str], newline: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buf.getvalue()


def _content(element: str, question_id: str, score: object, role: str, comment: object) -> tuple:
    """A row's answer as compared between a workbook and assessment.csv."""
    text = "" if score is None else str(score).strip()
    value = float(text) if text and text.lower() != "nan" else None
    note = "" if comment is None else str(comment).replace("\r\n", "\n").strip()
    return (element, question_id, value, role, note)


@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest` did.

    Attributes
    ----------
    path : Path
        The ``assessment.csv`` written (or that would be written with ``dry_run``).
    files : DataFrame
        One row per questionnaire: file, account_id, assessed_on, rater, rater_role,
        answered, questions, comments, rows_added, rows_replaced, status (added, replaced,
        unchanged).
    notes : list of str
        Files skipped: Excel lock files, blank questionnaires (nothing answered yet).
    dry_run : bool
        Nothing was written.
    """

    path: Path
    files: pd.DataFrame
    notes: list[str]
    dry_run: bool

    @property
    def rows_added(self) -> int:
        return int(self.files["rows_added"].sum()) if len(self.files) else 0

    @property
    def rows_replaced(self) -> int:
        return int(self.files["rows_replaced"].sum()) if len(self.files) else 0

    def summary(self) -> str:
        """What was added, per file, in words."""
        verb = "would add" if self.dry_run else "added"
        head = f"{verb} {self.rows_added} row(s) to {self.path}"
        if self.rows_replaced:
            head += f", {'would replace' if self.dry_run else 'replacing'} {self.rows_replaced} earlier row(s)"
        lines = [head + (" (dry run: nothing written)" if self.dry_run else "")]
        for r in self.files.itertuples(index=False):
            who = f"{r.rater} ({_role_words(r.rater_role)}), account {r.account_id} on {r.assessed_on}"
            if r.status == "unchanged":
                lines.append(f"  {r.file}: {who}: already in assessment.csv, unchanged; nothing added")
                continue
            what = f"{r.answered} of {r.questions} questions answered, {r.comments} comment(s) -> {r.rows_added} row(s)"
            if r.status == "replaced":
                what += f", replacing {r.rows_replaced} earlier row(s)"
            lines.append(f"  {r.file}: {who}: {what}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _expand(files: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """Files to read (a folder gives its .xlsx files) and notes on what was skipped."""
    out: list[tuple[Path, str]] = []
    notes: list[str] = []
    for f in files:
        p = Path(f)
        found = sorted(c for c in p.iterdir() if c.suffix.lower() in _WORKBOOK_SUFFIXES) if p.is_dir() else [p]
        if p.is_dir() and not found:
            raise UsageError(f"no .xlsx workbooks in the folder {p}")
        for c in found:
            if c.name.startswith(_LOCK_PREFIX):
                notes.append(f"skipped {c}: Excel's lock file (is {c.name[2:]} still open? save and close it first)")
                continue
            if p.is_dir() and c.name.startswith("."):
                continue  # temporary files
            out.append((c, str(c)))
    seen: dict[Path, str] = {}
    unique = []
    for c, shown in out:
        key = c.resolve()
        if key in seen:
            notes.append(f"{shown} given twice; read once")
            continue
        seen[key] = shown
        unique.append((c, shown))
    if not unique:
        raise UsageError("no questionnaires to ingest")
    return unique, notes


def _rows_of(q: FilledQuestionnaire) -> list[dict[str, str]]:
    """The contract's rows of one questionnaire: answered questions and unanswered ones
    that carry a comment (score blank: not answered)."""
    rows = []
    for r in q.answers.itertuples(index=False):
        comment = None if r.comment is None or pd.isna(r.comment) else str(r.comment)
        if np.isnan(r.score) and comment is None:
            continue
        rows.append({"account_id": q.account_id, "assessed_on": q.assessed_on, "rater": q.rater, "element": r.element,
                     "score": "" if np.isnan(r.score) else str(int(r.score)), "question_id": r.question_id,
                     "rater_role": q.rater_role, "comment": comment or ""})
    return rows


def _atomic_write(path: Path, data: bytes, *, expected: bytes | None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and
    ``os.replace``; refuse when the file changed since it was read (``expected``)."""
    tmp = _temp_beside(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        now = path.read_bytes() if path.exists() else None
        if now != expected:
            raise UsageError(f"{path} changed while the workbooks were read (another ingest or an editor?); "
                             "nothing was written, run ingest again")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def ingest(files: Iterable[str | Path], data: str | Path, *, replace: bool = False, dry_run: bool = False) -> IngestResult:
    """Add filled questionnaires to the data folder's ``assessment.csv``.

    Every workbook is read and checked first (:func:`read_questionnaire`, then against the
    data: account, role, date, question bank); all problems are raised together and
    nothing is written when there is one.  A rater's answers for an account and date that
    ``assessment.csv`` holds already are refused unless ``replace`` (which removes only
    those rows); the very same answers again are reported as unchanged and not added.
    New rows are appended in the file's column order; every other row keeps its bytes.

    Parameters
    ----------
    files : iterable of str or Path
        Filled questionnaires, or folders of them (their ``.xlsx`` files).
    data : str or Path
        The client's data folder (``assessment.csv`` is created when missing).
    replace : bool
        Replace a rater's earlier answers for the same account and date.
    dry_run : bool
        Check and report, write nothing.

    Raises
    ------
    InputError
        Every problem of every workbook (file, sheet, cell) and of the data.
    UsageError
        A data workbook instead of a folder, no files, a file changed meanwhile.
    """
    source = Path(data)
    if not source.is_dir():
        if source.is_file():
            raise UsageError(f"--data must be a folder of CSV files (ingest adds rows to its assessment.csv); {source} is a file")
        raise UsageError(f"--data {source}: folder not found")
    paths, notes = _expand(files)
    inputs = load_inputs(source)
    target = source / "assessment.csv"
    before = target.read_bytes() if target.is_file() else None
    doc = _CsvDoc.parse(before)
    existing: dict[tuple[str, str, str], list[tuple[int, tuple]]] = {}
    for i, key, content in doc.keyed_rows():
        if key is not None:
            existing.setdefault(key, []).append((i, content))

    problems: list[Problem] = []
    read: list[FilledQuestionnaire] = []
    for path, shown in paths:
        q, probs = read_questionnaire(path, name=shown)
        problems += probs
        if q is None:
            continue
        problems += _check_with_data(q, inputs)
        if not probs and q.answered == 0 and not q.answers["comment"].notna().any():
            # not returned yet (a folder may hold the blank questionnaires of raters still answering)
            notes.append(f"skipped {shown}: nothing answered yet (a blank questionnaire)")
            continue
        read.append(q)
    first_file: dict[tuple[str, str, str], str] = {}
    drop: set[int] = set()
    new_rows: list[dict[str, str]] = []
    report = []
    for q in read:
        key = (q.account_id, q.assessed_on, q.rater)
        if key in first_file:
            problems.append(CellProblem(q.file, None, None, None,
                                        f"one questionnaire per rater and workshop: {first_file[key]} has {q.rater}'s "
                                        f"answers for account {q.account_id!r} on {q.assessed_on} already"))
            continue
        first_file[key] = q.file
        rows = _rows_of(q)
        earlier = existing.get(key, [])
        status, replaced = "added", 0
        if earlier:
            mine = [_content(r["element"], r["question_id"], r["score"], r["rater_role"], r["comment"]) for r in rows]
            if sorted((c for _, c in earlier), key=_sort_key) == sorted(mine, key=_sort_key):
                status, rows = "unchanged", []
            elif replace:
                status, replaced = "replaced", len(earlier)
                drop |= {i for i, _ in earlier}
            else:
                problems.append(CellProblem(
                    q.file, None, None, None,
                    f"answers not in {target.name} yet: it holds {len(earlier)} different row(s) of {q.rater} for account "
                    f"{q.account_id!r} on {q.assessed_on} (pass --replace to replace them with this file's answers)"))
                continue
        new_rows += rows
        report.append({"file": q.file, "account_id": q.account_id, "assessed_on": q.assessed_on, "rater": q.rater,
                       "rater_role": q.rater_role, "answered": q.answered, "questions": len(q.answers),
                       "comments": int(q.answers["comment"].notna().sum()), "rows_added": len(rows),
                       "rows_replaced": replaced, "status": status})
    if problems:
        raise InputError(problems)
    files_df = pd.DataFrame(report, columns=["file", "account_id", "assessed_on", "rater", "rater_role", "answered",
                                             "questions", "comments", "rows_added", "rows_replaced", "status"])
    if not dry_run and (new_rows or drop):
        _atomic_write(target, doc.render(drop=drop, rows=new_rows), expected=before)
    return IngestResult(path=target, files=files_df, notes=notes, dry_run=dry_run)


def _sort_key(content: tuple) -> tuple:
    return tuple("" if v is None else str(v) for v in content)


# ---------------------------------------------------------------------------------------
# the workshop views (pure DataFrame functions)
# ---------------------------------------------------------------------------------------
def expected_raters(path: str | Path, *, account_id: str | None = None, assessed_on: str | None = None) -> pd.DataFrame:
    """Who is expected to answer: a raters CSV (:func:`read_raters`) or a folder of
    questionnaires made by the kit (those of ``account_id`` and ``assessed_on`` when
    given; other workbooks there are left out).

    Returns
    -------
    DataFrame
        rater, rater_role.
    """
    path = Path(path)
    if path.is_dir():
        rows = []
        for f in sorted(path.iterdir()):
            if f.suffix.lower() not in _WORKBOOK_SUFFIXES or f.name.startswith((_LOCK_PREFIX, ".")):
                continue
            q, _problems = read_questionnaire(f)
            if q is None:
                continue
            if account_id is not None and q.account_id != account_id:
                continue
            if assessed_on is not None and q.assessed_on != assessed_on:
                continue
            rows.append({"rater": q.rater, "rater_role": q.rater_role})
        return pd.DataFrame(rows, columns=["rater", "rater_role"]).drop_duplicates("rater").reset_index(drop=True)
    raters = read_raters(path)
    return pd.DataFrame([{"rater": r.name, "rater_role": r.role} for r in raters], columns=["rater", "rater_role"])


def workshop_rows(assessment: pd.DataFrame | None, account_id: str,
                  assessed_on: object = None) -> tuple[pd.Timestamp | None, pd.DataFrame]:
    """One workshop's rows: the account's rows of ``assessed_on`` (default: its latest date).

    Returns
    -------
    date, rows
        The date (None when the account has no rows and no date was given) and the rows.
    """
    columns = list(ASSESSMENT_COLUMNS)
    if assessment is None:
        day = None if assessed_on is None else pd.Timestamp(_check_date(assessed_on))
        return day, pd.DataFrame(columns=columns)
    mine = assessment[assessment["account_id"] == account_id]
    days = mine["assessed_on"].dt.normalize()
    if assessed_on is None:
        day = days.max() if len(mine) else None
    else:
        day = pd.Timestamp(_check_date(assessed_on))
    if day is None or pd.isna(day):
        return None, mine.iloc[0:0]
    return pd.Timestamp(day), mine[days == day].assign(assessed_on=pd.Timestamp(day))


def answer_progress(rows: pd.DataFrame, questions: pd.DataFrame, expected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who has answered: one row per rater (expected raters first, in their order).

    Returns
    -------
    DataFrame
        rater, rater_role, status (answered, waiting, answered (not on the list)),
        answered (questions with a score), questions (in the bank), share, elements
        (elements with an answer), comments.
    """
    n_questions = len(questions)
    cols = ["rater", "rater_role", "status", "answered", "questions", "share", "elements", "comments"]
    stats = {}
    for rater, g in rows.groupby("rater", sort=False):
        answered = g["score"].notna()
        roles = g["rater_role"].dropna()
        stats[rater] = {"rater": rater, "rater_role": roles.iloc[0] if len(roles) else None,
                        "answered": int(answered.sum()), "elements": int(g.loc[answered, "element"].nunique()),
                        "comments": int(g["comment"].notna().sum())}
    out = []
    listed = [] if expected is None else list(expected.itertuples(index=False))
    for r in listed:
        got = stats.get(r.rater)
        out.append({**(got or {"rater": r.rater, "rater_role": r.rater_role, "answered": 0, "elements": 0, "comments": 0}),
                    "status": "answered" if got else "waiting"})
    names = {r.rater for r in listed}
    for rater in sorted(set(stats) - names):
        out.append({**stats[rater], "status": "answered" if expected is None else "answered (not on the list)"})
    df = pd.DataFrame(out, columns=cols)
    df["questions"] = n_questions
    df["share"] = df["answered"] / n_questions if n_questions else np.nan
    return df[cols].reset_index(drop=True)


def rater_means(rows: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """Each rater's element mean of one workshop's rows (:func:`kit.assessment.rater_element_means`,
    question-weighted, blanks left out); an empty table when nothing is answered yet."""
    from kit.assessment import rater_element_means

    if not len(rows) or not rows["score"].notna().any():
        return pd.DataFrame(columns=["account_id", "assessed_on", "rater", "element", "rater_role", "rater_mean", "n_answered"])
    return rater_element_means(rows, questions)


def scores_so_far(rater_means: pd.DataFrame) -> pd.DataFrame:
    """Per element (the ten, in the pinned order) each rater's element mean (1-5) so far.

    Returns
    -------
    DataFrame
        Index element; one column per rater (in the order of ``rater_means``), then ``mean``
        (mean of the rater means) and ``n_raters``.
    """
    raters = list(dict.fromkeys(rater_means["rater"]))
    wide = rater_means.pivot_table(index="element", columns="rater", values="rater_mean", aggfunc="first", sort=False)
    wide = wide.reindex(index=list(ELEMENT_IDS), columns=raters).astype(float)
    wide.columns = list(wide.columns)
    wide.index.name = "element"
    wide["mean"] = wide[raters].mean(axis=1) if raters else np.nan
    wide["n_raters"] = wide[raters].notna().sum(axis=1).astype(int) if raters else 0
    return wide


def _element_table(rater_means: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """:func:`kit.assessment.element_scores` of one workshop, for all ten elements."""
    from kit.assessment import element_scores

    cols = ["element", "score", "rag", "n_raters", "mean_rating", "low", "high", "spread", "internal_mean", "client_mean",
            "perception_gap", "raters_disagree", "range_low", "range_high"]
    if len(rater_means):
        scored = element_scores(rater_means, settings=settings).set_index("element")
    else:
        scored = pd.DataFrame(columns=cols[1:], index=pd.Index([], name="element"))
    out = scored.reindex(list(ELEMENT_IDS))
    out.index.name = "element"
    out = out.reset_index()
    out["n_raters"] = out["n_raters"].fillna(0).astype(int)
    out["raters_disagree"] = out["raters_disagree"].astype("boolean").fillna(False).astype(bool)
    for c in ("score", "mean_rating", "low", "high", "spread", "internal_mean", "client_mean", "perception_gap",
              "range_low", "range_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out[cols]


def disagreement(rater_means: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Elements in the order to discuss them: largest rater spread first, then the largest
    internal vs client gap (spread and gap from :func:`kit.assessment.element_scores`).

    Returns
    -------
    DataFrame
        element, n_raters, low, high, spread, internal_mean, client_mean, perception_gap,
        raters_disagree, gap_flag, why (in words); elements nobody answered last.
    """
    el = _element_table(rater_means, settings)
    el["gap_flag"] = el["perception_gap"].abs().ge(settings.perception_gap_flag) & el["perception_gap"].notna()
    el["_spread"] = el["spread"].fillna(-1.0)
    el["_gap"] = el["perception_gap"].abs().fillna(-1.0)
    el["_answered"] = el["n_raters"] > 0
    el["_order"] = np.arange(len(el))
    el = el.sort_values(["_answered", "_spread", "_gap", "_order"], ascending=[False, False, False, True], kind="stable")

    def why(r) -> str:
        parts = []
        if r.n_raters == 0:
            return "not answered yet"
        if r.raters_disagree:
            parts.append(f"raters disagree: {r.low:.1f} to {r.high:.1f}")
        if r.gap_flag:
            side = "internal raters higher" if r.perception_gap > 0 else "client higher"
            parts.append(f"{side} by {abs(r.perception_gap):.1f} points")
        return "; ".join(parts)

    el["why"] = [why(r) for r in el.itertuples(index=False)]
    cols = ["element", "n_raters", "low", "high", "spread", "internal_mean", "client_mean", "perception_gap",
            "raters_disagree", "gap_flag", "why"]
    return el[cols].reset_index(drop=True)


def final_scores(rater_means: pd.DataFrame, *, settings: Settings) -> tuple[pd.DataFrame, dict[str, object]]:
    """The workshop's element scores (pinned scoring of :mod:`kit.assessment`) and its
    health index.

    Returns
    -------
    elements, health
        ``elements``: the ten elements with score, rag, n_raters, spread,
        perception_gap, range_low/high; ``health``: health_index, n_scored,
        health_complete, health_rag (health_index None without scores).
    """
    from kit.assessment import health_index

    el = _element_table(rater_means, settings)
    scored = el.dropna(subset=["score"])
    health: dict[str, object] = {"health_index": None, "n_scored": 0, "health_complete": False, "health_rag": None}
    if len(scored):
        h = health_index(scored.assign(account_id="_", assessed_on="_"), settings=settings).iloc[0]
        health = {"health_index": float(h["health_index"]), "n_scored": int(h["n_scored"]),
                  "health_complete": bool(h["health_complete"]), "health_rag": h["health_rag"]}
    return el, health


# ---------------------------------------------------------------------------------------
# the workshop notebook's sections
# ---------------------------------------------------------------------------------------
class WorkshopReport:
    """The workshop notebook's sections for one account's workshop.

    Built by :meth:`load`; each method returns a :class:`~kit.html.Section` (all input
    text escaped).  Rerun the notebook after each ``kit ingest`` to see new answers.
    """

    def __init__(self, inputs: WorkshopInputs, account_id: str, day: pd.Timestamp | None, rows: pd.DataFrame,
                 expected: pd.DataFrame | None, settings: Settings):
        self.inputs, self.account_id, self.day, self.rows = inputs, account_id, day, rows
        self.expected, self.settings = expected, settings
        self.means = rater_means(rows, inputs.questions)
        self.progress_table = answer_progress(rows, inputs.questions, expected)

    @classmethod
    def load(cls, data_dir: str | Path, account_id: object = None, *, assessed_on: object = None,
             expected_raters: str | Path | None = None, config_path: str | Path | None = None) -> "WorkshopReport":
        """Read the data and select the workshop.

        Parameters
        ----------
        data_dir : str or Path
            The data folder ``kit ingest`` adds the answers to (or a workbook).
        account_id : str, optional
            The account; None = the account with the most recent assessment.
        assessed_on : str, optional
            The workshop date (ISO); None = the account's latest assessment.
        expected_raters : str or Path, optional
            A raters CSV (rater, role) or the folder of questionnaires: who should answer.
        config_path : str or Path, optional
            A config.yml (thresholds: RAG, spread and gap flags).
        """
        from kit.config import load_config

        inputs = load_inputs(data_dir)
        settings = load_config(config_path)
        a = inputs.assessment
        if account_id is None:
            if a is None or not len(a):
                raise UsageError("no assessment rows yet: set account_id to the account of the workshop")
            account_id = a.sort_values("assessed_on", kind="stable")["account_id"].iloc[-1]
        acc = _resolve_account(inputs, account_id)
        day, rows = workshop_rows(a, acc, assessed_on)
        expected = None
        if expected_raters is not None:
            expected = expected_raters_of(expected_raters, acc, day)
        return cls(inputs, acc, day, rows, expected, settings)

    # -- helpers -----------------------------------------------------------------------
    @property
    def account_name(self) -> str:
        return self.inputs.account_name(self.account_id)

    def _waiting(self) -> list[str]:
        p = self.progress_table
        return p.loc[p["status"] == "waiting", "rater"].tolist()

    def _nothing(self) -> str | None:
        from kit.html import esc

        if self.means.empty:
            when = f" on {self.day:%Y-%m-%d}" if self.day is not None else ""
            return (f'<p class="muted">No answers ingested yet for {esc(self.account_name)}{esc(when)}. '
                    "Run <code>kit ingest</code> on the returned questionnaires, then run this notebook again.</p>")
        return None

    # -- sections ----------------------------------------------------------------------
    def header(self) -> Section:
        """The workshop: account, date, raters who answered (internal and client) and who is awaited."""
        from kit.html import Section, esc, kpis

        p = self.progress_table
        answered = p[p["status"] != "waiting"]
        n_client = int((answered["rater_role"] == "client").sum())
        when = f"{self.day:%Y-%m-%d}" if self.day is not None else "no answers yet"
        if self.expected is not None:
            on_list = int((p["status"] == "answered").sum())
            extra = len(answered) - on_list
            count = f"{on_list} of {len(self.expected)}" + (f" (+{extra})" if extra else "")
        else:
            count = str(len(answered))
        cards = [("raters answered" + (" of those expected" if self.expected is not None else ""), count),
                 ("internal / client", f"{len(answered) - n_client} / {n_client}"),
                 ("answers", f"{int(self.rows['score'].notna().sum()) if len(self.rows) else 0}"),
                 ("elements with answers", f"{self.means['element'].nunique() if len(self.means) else 0} of {len(ELEMENT_IDS)}")]
        waiting = self._waiting()
        body = (f"<p>Account <strong>{esc(self.account_name)}</strong> (id {esc(self.account_id)}), workshop of "
                f"{esc(when)}; question bank: {esc(self.inputs.bank_name)}.</p>" + kpis(cards))
        if waiting:
            body += f"<p>Waiting for: {esc(', '.join(waiting))}.</p>"
        others = p.loc[p["status"] == "answered (not on the list)", "rater"].tolist()
        if others:
            body += f"<p>Answered but not on the list of expected raters: {esc(', '.join(others))}.</p>"
        return Section(f"Assessment workshop: {self.account_name}", body)

    def progress(self) -> Section:
        """Who has answered: per rater the questions answered, elements covered, comments."""
        from kit.html import Section, fmt_pct, table

        title = "Who has answered"
        p = self.progress_table
        if not len(p):
            return Section(title, self._nothing() or "")
        df = pd.DataFrame({
            "Rater": p["rater"], "Role": p["rater_role"].fillna("").map(_role_words), "Status": p["status"],
            "Answered": [f"{a} of {q}" for a, q in zip(p["answered"], p["questions"])],
            "Share": p["share"].map(fmt_pct), "Elements": p["elements"].map(lambda n: f"{n} of {len(ELEMENT_IDS)}"),
            "Comments": p["comments"],
        })
        note = ('<p class="muted">A blank answer is "not answered", never zero. Rerun the notebook after each '
                "<code>kit ingest</code> to update.</p>")
        return Section(title, table(df, numeric=["Answered", "Share", "Comments"]) + note)

    def scores_so_far(self) -> Section:
        """Per element the raters' element means so far (1-5), internal and client marked."""
        from kit import charts
        from kit.html import Section, esc, figure_img, fmt_num, table

        title = "Scores as they come in"
        empty = self._nothing()
        if empty:
            return Section(title, empty)
        wide = scores_so_far(self.means)
        roles = self.means.drop_duplicates("rater").set_index("rater")["rater_role"]
        raters = [c for c in wide.columns if c not in ("mean", "n_raters")]
        df = pd.DataFrame({"Element": [ELEMENT_NAMES[e] for e in wide.index]})
        for r in raters:
            role = roles.get(r)
            label = f"{r} ({'client' if role == 'client' else _role_words(role) if isinstance(role, str) else 'no role'})"
            df[label] = [fmt_num(v, 1) for v in wide[r]]
        df["Mean (1-5)"] = [fmt_num(v, 1) for v in wide["mean"]]
        df["Score so far (0-100)"] = [fmt_num((v - 1) / 4 * 100) if pd.notna(v) else "—" for v in wide["mean"]]
        fig = charts.plot_rater_scores(self.means)
        img = figure_img(fig, "Each rater's element mean per element")
        note = (f'<p class="muted">Each cell: the rater\'s mean of their answered questions of the element '
                f"(question-weighted), 1-5; '—' not answered. {esc(len(raters))} rater(s) so far.</p>")
        return Section(title, img + table(df, numeric=list(df.columns[1:])) + note)

    def disagreement(self) -> Section:
        """Where to start the discussion: elements ordered by rater spread, then by the gap
        between internal raters and the client."""
        from kit import charts
        from kit.html import Section, esc, figure_img, fmt_num, table

        title = "Where raters disagree: what to discuss first"
        empty = self._nothing()
        if empty:
            return Section(title, empty)
        s = self.settings
        d = disagreement(self.means, settings=s)
        first = d[(d["why"] != "") & (d["n_raters"] > 0)].head(3)
        lead = ("<p>Discuss first: " + "; ".join(f"<strong>{esc(ELEMENT_NAMES[r.element])}</strong> ({esc(r.why)})"
                                                  for r in first.itertuples(index=False)) + ".</p>") if len(first) else (
            "<p>No element reaches the disagreement or gap thresholds: raters broadly agree.</p>")
        df = pd.DataFrame({
            "Element": d["element"].map(ELEMENT_NAMES), "Raters": d["n_raters"],
            "Lowest": d["low"].map(lambda v: fmt_num(v, 1)), "Highest": d["high"].map(lambda v: fmt_num(v, 1)),
            "Spread (1-5)": d["spread"].map(lambda v: fmt_num(v, 2)),
            "Internal mean": d["internal_mean"].map(lambda v: fmt_num(v, 1)),
            "Client mean": d["client_mean"].map(lambda v: fmt_num(v, 1)),
            "Gap (internal - client)": d["perception_gap"].map(lambda v: "—" if pd.isna(v) else f"{v:+.2f}"),
            "Why discuss": d["why"],
        })
        order = d["element"].tolist()
        img = figure_img(charts.plot_rater_scores(self.means, order=order,
                                                  title="Rater element means, most disagreement first"),
                         "Rater element means ordered by spread")
        has_client = bool((self.means["rater_role"] == "client").any())
        has_internal = bool(self.means["rater_role"].isin(INTERNAL_ROLES).any())
        if has_client and has_internal:
            img += figure_img(charts.plot_perception_gap(d, flag=s.perception_gap_flag), "Internal vs client gap per element")
        else:
            img += ('<p class="muted">No internal vs client gap yet: it needs answers from internal raters and from '
                    "at least one client rater.</p>")
        note = (f'<p class="muted">Spread = highest - lowest rater mean (1-5 points); raters disagree at '
                f"{s.spread_flag:g} or more. Gap = internal raters' mean - client raters' mean; marked at "
                f"{s.perception_gap_flag:g} points or more.</p>")
        numeric = [c for c in df.columns if c not in ("Element", "Why discuss")]
        return Section(title, lead + img + table(df, numeric=numeric) + note)

    def element_scores(self) -> Section:
        """The element scores and health index of the workshop (pinned scoring), provisional
        while expected raters have not answered."""
        from kit import charts
        from kit.html import Section, esc, figure_img, fmt_num, rag_badge, table

        title = "Element scores"
        empty = self._nothing()
        if empty:
            return Section(title, empty)
        s = self.settings
        el, health = final_scores(self.means, settings=s)
        waiting = self._waiting()
        status = (f'<p class="flag">⚑ Provisional: waiting for {esc(", ".join(waiting))}.</p>' if waiting else
                  "<p>Everyone expected has answered: these are the workshop's scores.</p>" if self.expected is not None else
                  "<p>Scores of everyone who has answered so far.</p>")
        if health["health_index"] is not None:
            complete = "" if health["health_complete"] else (
                f' <span class="flag">⚑ incomplete: {health["n_scored"]} of 10 elements scored '
                f"(at least {s.min_scored_elements} needed)</span>")
            status += (f"<p><strong>Health index {fmt_num(health['health_index'])}</strong> "
                       f"{rag_badge(health['health_rag'])}{complete}</p>")
        img = figure_img(charts.plot_elements(el, settings=s), "Element scores with the raters' range")
        df = pd.DataFrame({
            "Element": el["element"].map(ELEMENT_NAMES), "Score": el["score"].map(fmt_num),
            "RAG": el["rag"].map(rag_badge), "Raters": el["n_raters"],
            "Spread (1-5)": el["spread"].map(lambda v: fmt_num(v, 2)),
            "Gap (internal - client)": el["perception_gap"].map(lambda v: "—" if pd.isna(v) else f"{v:+.2f}"),
        })
        note = ('<p class="muted">Score = (mean of the raters\' element means - 1) / 4 x 100; every rater weighs the same. '
                f"RAG: green at {s.rag_green:g} or more, amber at {s.rag_amber:g} or more.</p>")
        return Section(title, status + img + table(df, raw_html=["RAG"], numeric=["Score", "Raters", "Spread (1-5)",
                                                                                   "Gap (internal - client)"]) + note)


def expected_raters_of(path: str | Path, account_id: str, day: pd.Timestamp | None) -> pd.DataFrame:
    """:func:`expected_raters` for one workshop (the date as ISO text when known)."""
    return expected_raters(path, account_id=account_id, assessed_on=None if day is None else f"{day:%Y-%m-%d}")
