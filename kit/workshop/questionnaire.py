"""Questionnaires for the assessment workshop: one Excel workbook per rater, and reading
a filled one back.

:func:`make_questionnaire` / :func:`make_questionnaires` write one Excel workbook per
rater: instructions, the ten elements, the question bank in use (the client's
``questions.csv`` when the data has one, else the kit's), an Answer (1-5) column with a
drop-down and validation and a Comment column.  Account, rater, role and workshop date
are filled in and locked (sheet protection; only Answer and Comment cells are
editable), and a hidden sheet ``kit`` records what was generated, so that a filled
workbook can be told from any workbook and edited header cells can be seen.  Raters fill
the workbooks in a spreadsheet program; :func:`read_questionnaire` reads one back and
checks every cell (:class:`CellProblem`: file, sheet and cell).

Also here, because every step of the workshop needs them: the input tables
(:func:`load_inputs`) and the checks of an account, role, rater and date.  The loop is
in the README ("Assessment workshop"); :mod:`kit.ingest` adds filled questionnaires to
``assessment.csv`` and :mod:`kit.workshop` holds the live views.

Departure from the layout: this module reads and writes its own workbooks beside
:mod:`kit.io`, whose loader and table rules it uses to check the inputs.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kit import __version__
from kit.errors import InputError, Problem, UsageError
from kit.schema import ELEMENT_IDS, ELEMENT_NAMES, RATER_ROLES, TABLES

__all__ = [
    "ASSESSMENT_COLUMNS",
    "ELEMENT_DESCRIPTIONS",
    "SCALE",
    "CellProblem",
    "FilledQuestionnaire",
    "Rater",
    "WorkshopInputs",
    "build_questionnaire",
    "load_inputs",
    "make_questionnaire",
    "make_questionnaires",
    "questionnaire_names",
    "read_questionnaire",
    "read_raters",
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


def _bank_in_order(questions: pd.DataFrame) -> pd.DataFrame:
    """The bank's questions grouped by element in the pinned element order (bank order within)."""
    order = {e: i for i, e in enumerate(ELEMENT_IDS)}
    q = questions.assign(_order=questions["element"].map(order)).sort_values("_order", kind="stable")
    return q.drop(columns="_order").reset_index(drop=True)


def _resolve_account(inputs: WorkshopInputs, account_id: object) -> str:
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
    from kit.files.names import report_stems

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
    """Write input text as text (see :func:`kit.io.put_text`)."""
    from kit.files.workbooks import put_text

    cell = ws[ref]
    put_text(cell, value)
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

    from kit.files.workbooks import put_text, workbook_text

    # as the workbook will hold them, so that the checksum matches what ingest reads back
    meta = {k: workbook_text(v) if isinstance(v, str) else v for k, v in {
        "account_id": account_id, "account_name": account_name, "rater": rater, "rater_role": rater_role,
        "assessed_on": assessed_on, "question_bank": question_bank}.items()}
    rows = [tuple(workbook_text(str(v)) for v in (q.question_id, q.element, q.text))
            for q in questions.itertuples(index=False)]
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
        ("text", ("The Elements sheet explains the ten elements. Only the Answer and Comment cells can be edited: "
                 "the account, your name, role and the date at the top of the Questions sheet are locked. If any of "
                 "them is wrong, ask the facilitator for a new questionnaire.")),
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
            put_text(ws.cell(row=i, column=j + 1), v)
    ws.protection.sheet = True

    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be deleted, renamed or unhidden
    wb.properties.creator = f"kit {__version__}"
    wb.properties.title = f"Account health assessment questionnaire: {account_id} / {rater}"
    return wb


def _save_workbook(wb, path: Path) -> Path:
    """Save atomically: a temporary file in the same folder, then moved into place."""
    from kit.files.atomic import replacing

    with replacing(path) as tmp:
        wb.save(tmp)
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

