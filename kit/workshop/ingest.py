"""Ingest: filled questionnaires into the data folder's ``assessment.csv``.

:func:`ingest` reads the filled workbooks (:func:`kit.questionnaire.read_questionnaire`),
checks every cell and checks them against the data (account, role, date, question
bank), then appends rows in the data contract to ``assessment.csv``: every problem of
every file at once, nothing written when there is one; the same rater's answers for the
same account and date are refused unless ``replace``; the other rows of the file keep
their bytes (:class:`_CsvDoc`); the file is replaced atomically (:func:`_atomic_write`).

Departure from the layout: this module writes an input, ``assessment.csv`` (appending and
keeping every other byte of it), beside :mod:`kit.io`, whose loader and table rules it
uses to check the inputs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import InputError, Problem, UsageError
from kit.schema import RATER_ROLES
from kit.workshop.common import (
    ASSESSMENT_COLUMNS,
    HEADER_FIELDS,
    LOCK_PREFIX,
    SHEET_QUESTIONS,
    WORKBOOK_SUFFIXES,
    CellProblem,
    WorkshopInputs,
    cell_problem,
    load_inputs,
    role_words,
)
from kit.workshop.questionnaire import FilledQuestionnaire, read_questionnaire

__all__ = ["IngestResult", "ingest"]


# ---------------------------------------------------------------------------------------
# a questionnaire against the data it is ingested into
# ---------------------------------------------------------------------------------------
def _check_with_data(q: FilledQuestionnaire, inputs: WorkshopInputs) -> list[Problem]:
    """A questionnaire against the data it is ingested into: the account, the role, the
    date and the question ids of the bank in use."""
    problems: list[Problem] = []
    cell = {key: ref for key, ref, _ in HEADER_FIELDS}
    if q.account_id not in set(inputs.account_ids):
        problems.append(cell_problem(q.file, SHEET_QUESTIONS, cell["account_id"], q.account_id,
                                      f"an account_id listed in accounts of {inputs.source} "
                                      "(was the questionnaire made for another client's data?)", what="account id"))
    if q.rater_role not in RATER_ROLES:
        problems.append(cell_problem(q.file, SHEET_QUESTIONS, cell["rater_role"], q.rater_role,
                                      "one of " + ", ".join(RATER_ROLES), what="role"))
    try:
        dt.date.fromisoformat(q.assessed_on)
    except ValueError:
        problems.append(cell_problem(q.file, SHEET_QUESTIONS, cell["assessed_on"], q.assessed_on,
                                      "an ISO date like 2026-02-10", what="assessment date"))
    if not q.rater.strip():
        problems.append(cell_problem(q.file, SHEET_QUESTIONS, cell["rater"], None, "the rater's name", what="rater"))
    owner = dict(zip(inputs.questions["question_id"], inputs.questions["element"]))
    for r in q.answers.itertuples(index=False):
        if owner.get(r.question_id) != r.element:
            why = (f"it belongs to {owner[r.question_id]} now" if r.question_id in owner else "it is not in the bank")
            problems.append(cell_problem(
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
    def parse(cls, data: bytes | None) -> _CsvDoc:
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
            who = f"{r.rater} ({role_words(r.rater_role)}), account {r.account_id} on {r.assessed_on}"
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
        found = sorted(c for c in p.iterdir() if c.suffix.lower() in WORKBOOK_SUFFIXES) if p.is_dir() else [p]
        if p.is_dir() and not found:
            raise UsageError(f"no .xlsx workbooks in the folder {p}")
        for c in found:
            if c.name.startswith(LOCK_PREFIX):
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
    """Write ``data`` to ``path`` through the kit's atomic writer; refuse when the file
    changed since it was read (``expected``), so an edit made meanwhile is never lost."""
    from kit.files.atomic import replacing

    def unchanged() -> None:
        now = path.read_bytes() if path.exists() else None
        if now != expected:
            raise UsageError(f"{path} changed while the workbooks were read (another ingest or an editor?); "
                             "nothing was written, run ingest again")

    with replacing(path, check=unchanged, durable=True) as tmp:
        tmp.write_bytes(data)


def ingest(files: Iterable[str | Path], data: str | Path, *, replace: bool = False, dry_run: bool = False) -> IngestResult:
    """Add filled questionnaires to the data folder's ``assessment.csv``.

    Every workbook is read and checked first (:func:`~kit.questionnaire.read_questionnaire`, then against the
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
