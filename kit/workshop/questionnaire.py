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

What every step of the workshop shares (the input tables, the checks of an account,
role, rater and date, the layout of these workbooks) is in :mod:`kit.workshop.common`.
The loop is in the README ("Assessment workshop"); :mod:`kit.workshop.ingest` adds filled
questionnaires to ``assessment.csv`` and :mod:`kit.workshop.live` holds the live views.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
from kit.errors import Problem, UsageError
from kit.schema import ELEMENT_IDS, ELEMENT_NAMES
from kit.workshop.common import (
    ANSWER_COLUMN,
    ANSWER_EXPECTED,
    COMMENT_COLUMN,
    FIRST_ROW,
    FORMAT,
    FORMAT_VERSION,
    HEADER_FIELDS,
    META_FIELDS,
    PROGRESS_ROW,
    SHEET_ELEMENTS,
    SHEET_INSTRUCTIONS,
    SHEET_META,
    SHEET_QUESTIONS,
    TABLE_COLUMNS,
    TABLE_HEADER_ROW,
    WORKBOOK_SUFFIXES,
    CellProblem,
    Rater,
    WorkshopInputs,
    answer_scale,
    bank_in_order,
    cell_problem,
    check_date,
    check_rater,
    check_role,
    element_descriptions,
    load_inputs,
    read_raters,
    resolve_account,
    role_words,
)

__all__ = [
    "FilledQuestionnaire",
    "build_questionnaire",
    "make_questionnaire",
    "make_questionnaires",
    "questionnaire_names",
    "read_questionnaire",
]

def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:40]


def questionnaire_names(account_id: str, assessed_on: str, raters: Iterable[str]) -> dict[str, str]:
    """File names for the raters' questionnaires: ``<account>_<date>_<rater>.xlsx``.

    Account ids and names are untrusted text: the account part is :func:`kit.files.names.report_stems`'s
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
    body = json.dumps({"meta": {k: meta[k] for k in META_FIELDS}, "questions": [list(q) for q in questions]},
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _set_text(ws, ref: str, value: object):
    """Write input text as text (see :func:`kit.files.workbooks.put_text`)."""
    from kit.files.workbooks import put_text

    cell = ws[ref]
    put_text(cell, value)
    return cell


@dataclass(frozen=True)
class _Styles:
    """The questionnaire's fonts, fills and borders (openpyxl objects, made once per workbook)."""

    bold: object
    wrap: object
    title_font: object
    answer_fill: object
    header_fill: object
    band_fill: object
    thin: object

    @classmethod
    def make(cls) -> _Styles:
        from openpyxl.styles import Alignment, Font, PatternFill, Side

        return cls(bold=Font(bold=True), wrap=Alignment(wrap_text=True, vertical="top"), title_font=Font(bold=True, size=14),
                   answer_fill=PatternFill("solid", fgColor="FFF2CC"), header_fill=PatternFill("solid", fgColor="D9E2F3"),
                   band_fill=PatternFill("solid", fgColor="F2F2F2"), thin=Side(style="thin", color="BFBFBF"))


def build_questionnaire(*, account_id: str, account_name: str, rater: str, rater_role: str, assessed_on: str,
                        questions: pd.DataFrame, question_bank: str = "kit default"):
    """The questionnaire workbook (openpyxl ``Workbook``), not saved: one function per sheet.

    Parameters
    ----------
    questions : DataFrame
        The bank in use: element, question_id, text (asked in this order).
    question_bank : str
        Which bank it is, recorded in the hidden sheet.
    """
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    from kit.files.workbooks import workbook_text

    # as the workbook will hold them, so that the checksum matches what ingest reads back
    meta = {k: workbook_text(v) if isinstance(v, str) else v for k, v in {
        "account_id": account_id, "account_name": account_name, "rater": rater, "rater_role": rater_role,
        "assessed_on": assessed_on, "question_bank": question_bank}.items()}
    rows = [tuple(workbook_text(str(v)) for v in (q.question_id, q.element, q.text))
            for q in questions.itertuples(index=False)]
    st = _Styles.make()
    wb = Workbook()
    wb.active.title = SHEET_INSTRUCTIONS
    _instructions_sheet(wb.active, st, meta=meta, n_questions=len(rows))
    _elements_sheet(wb.create_sheet(SHEET_ELEMENTS), st, rows=rows)
    _questions_sheet(wb.create_sheet(SHEET_QUESTIONS), st, meta=meta, rows=rows)
    _meta_sheet(wb.create_sheet(SHEET_META), meta=meta, rows=rows)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be deleted, renamed or unhidden
    wb.properties.creator = f"kit {__version__}"
    wb.properties.title = f"Account health assessment questionnaire: {account_id} / {rater}"
    return wb


def _instructions_sheet(ws, st: _Styles, *, meta: dict, n_questions: int) -> None:
    """How to answer, in the rater's words (a client rater reads 'we' as the firm)."""
    account_name, account_id, rater, rater_role, assessed_on = (
        meta["account_name"], meta["account_id"], meta["rater"], meta["rater_role"], meta["assessed_on"])
    ws.column_dimensions["A"].width = 110
    client = rater_role == "client"
    lines: list[tuple[str, object]] = [
        ("title", "Account health assessment: questionnaire"),
        ("", ""),
        ("text", f"Account: {account_name} (id {account_id})"),
        ("text", f"Rater: {rater} ({role_words(rater_role)})"),
        ("text", f"Workshop date: {assessed_on}"),
        ("", ""),
        ("bold", "How to answer"),
        ("text", "1. Go to the Questions sheet. Each row is a statement about how our firm serves this account "
                 "('we' and 'our' mean the firm" + (", not your organisation; rate how true it is from where you sit)."
                                                    if client else ").")),
        ("text", "2. In the Answer (1-5) column, choose how true the statement is, from the drop-down or by typing a number:"),
        *[("text", f"      {k} = {v}") for k, v in answer_scale().items()],
        ("text", "3. Leave the answer blank when you cannot judge: a blank is 'not answered', never a zero."),
        ("text", "4. Add a comment where it helps the discussion (optional). "
                 + ("Comments are read by the account team with your name; client-facing reports show no names or comments."
                    if client else "Comments appear with your name in the internal report, never in client reports.")),
        ("text", "5. Save the workbook as it is (Excel workbook, .xlsx; keep its sheets) and send it back to the facilitator."),
        ("", ""),
        ("text", ("The Elements sheet explains the ten elements. Only the Answer and Comment cells can be edited: "
                 "the account, your name, role and the date at the top of the Questions sheet are locked. If any of "
                 "them is wrong, ask the facilitator for a new questionnaire.")),
        ("text", f"{n_questions} statements; most people need 15 to 25 minutes."),
    ]
    for i, (kind, text) in enumerate(lines, start=1):
        cell = _set_text(ws, f"A{i}", text or None)
        cell.alignment = st.wrap
        if kind == "title":
            cell.font = st.title_font
        elif kind == "bold":
            cell.font = st.bold
    ws.protection.sheet = True



def _elements_sheet(ws, st: _Styles, *, rows: list[tuple[str, str, str]]) -> None:
    """What each of the ten elements covers, and how many questions ask about it."""
    n_per = pd.Series([r[1] for r in rows], dtype=object).value_counts()
    for col, head, width in (("A", "Element", 40), ("B", "What it covers", 90), ("C", "Questions", 11)):
        ws[f"{col}1"] = head
        ws[f"{col}1"].font, ws[f"{col}1"].fill = st.bold, st.header_fill
        ws.column_dimensions[col].width = width
    for i, e in enumerate(ELEMENT_IDS, start=2):
        ws[f"A{i}"], ws[f"B{i}"], ws[f"C{i}"] = ELEMENT_NAMES[e], element_descriptions()[e], int(n_per.get(e, 0))
        ws[f"A{i}"].font = st.bold
        for col in "ABC":
            ws[f"{col}{i}"].alignment = st.wrap
    ws.freeze_panes = "A2"
    ws.protection.sheet = True



def _questions_sheet(ws, st: _Styles, *, meta: dict, rows: list[tuple[str, str, str]]) -> None:
    """The locked header (account, rater, role, date), the statements, and the Answer and
    Comment cells: the only cells a rater can edit."""
    from openpyxl.styles import Alignment, Border, Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    last = FIRST_ROW + len(rows) - 1
    ws["A1"] = "Account health assessment"
    ws["A1"].font = st.title_font
    for key, ref, label in HEADER_FIELDS:
        label_ref = "A" + ref[1:]
        ws[label_ref] = label
        ws[label_ref].font = st.bold
        _set_text(ws, ref, meta[key]).font = st.bold
    ws[f"A{PROGRESS_ROW}"] = "Answered"
    ws[f"A{PROGRESS_ROW}"].font = st.bold
    ws[f"B{PROGRESS_ROW}"] = f'=COUNT({ANSWER_COLUMN}{FIRST_ROW}:{ANSWER_COLUMN}{last})&" of {len(rows)}"'
    ws[f"C{PROGRESS_ROW}"] = ", ".join(f"{k} = {v}" for k, v in answer_scale().items()) + "; blank = not answered"
    ws[f"C{PROGRESS_ROW}"].font = Font(italic=True)
    for col, head, width in TABLE_COLUMNS:
        c = ws[f"{col}{TABLE_HEADER_ROW}"]
        c.value, c.font, c.fill = head, st.bold, st.header_fill
        c.border = Border(bottom=st.thin)
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
            ws[f"{col}{r}"].alignment = st.wrap
            if band:
                ws[f"{col}{r}"].fill = st.band_fill
        answer, comment = ws[f"{ANSWER_COLUMN}{r}"], ws[f"{COMMENT_COLUMN}{r}"]
        answer.protection = comment.protection = Protection(locked=False)
        answer.fill = comment.fill = st.answer_fill
        answer.alignment = Alignment(horizontal="center", vertical="top")
        comment.alignment = st.wrap
        for col in "ABCDE":
            ws[f"{col}{r}"].border = Border(bottom=st.thin)
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



def _meta_sheet(ws, *, meta: dict, rows: list[tuple[str, str, str]]) -> None:
    """What was generated (hidden from raters): ingest tells a filled questionnaire from
    any workbook by it, and sees edited header cells through its checksum."""
    from kit.files.workbooks import put_text

    ws.sheet_state = "veryHidden"
    pairs = [("format", FORMAT), ("format_version", str(FORMAT_VERSION)), ("kit_version", __version__),
             *[(k, meta[k]) for k in META_FIELDS], ("n_questions", str(len(rows))),
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



def _save_workbook(wb, path: Path) -> Path:
    """Save atomically: a temporary file in the same folder, then moved into place."""
    from kit.files.atomic import replacing

    with replacing(path) as tmp:
        wb.save(tmp)
    return path


def _prepare(inputs: WorkshopInputs, account_id: object, assessed_on: object) -> tuple[str, str, str, pd.DataFrame, str]:
    acc = resolve_account(inputs, account_id)
    bank = "client" if inputs.bank_name != "the kit's default question bank" else "kit default"
    return acc, inputs.account_name(acc), check_date(assessed_on), bank_in_order(inputs.questions), bank


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
    rater, role = check_rater(rater), check_role(role)
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
    checked = [Rater(check_rater(r.name), check_role(r.role)) for r in rater_list]
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
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
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
    if any(k not in meta for k in META_FIELDS) or meta.get("checksum") != _checksum(meta, expected_rows):
        return None, [CellProblem(name, None, None, None, not_kit + "; make a new questionnaire", sheet=SHEET_META)]
    if SHEET_QUESTIONS not in wb.sheetnames:
        return None, [CellProblem(name, None, None, None,
                                  f"a sheet named '{SHEET_QUESTIONS}' (sheets: {', '.join(wb.sheetnames)})")]
    ws = wb[SHEET_QUESTIONS]
    problems: list[Problem] = []
    for key, ref, label in HEADER_FIELDS:
        value = ws[ref].value
        if _cell_text(value) != meta[key]:
            problems.append(cell_problem(
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
                problems.append(cell_problem(name, SHEET_QUESTIONS, f"{col}{r}", got if got is not None else "",
                                              f"{want!r} as the questionnaire was made ({what}s must not be edited or moved)",
                                              what=what))
        a_ref = f"{ANSWER_COLUMN}{r}"
        score, bad = _answer(ws[a_ref])
        if bad:
            problems.append(cell_problem(name, SHEET_QUESTIONS, a_ref, ws[a_ref].value, bad, what=f"answer to {qid}"))
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

