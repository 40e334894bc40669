"""What the workshop tests share (questionnaire, ingest, workshop): a small client portfolio
with its own question bank, three raters and their answers, and :func:`fill`, which fills
a questionnaire as a rater would.  The ``workshop`` fixture (``conftest.py``) builds on it.

Workbooks are filled here with openpyxl as a rater would fill them (numbers in the
Answer column, text in Comment); every expected score is computed by hand in the tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kit.workshop.common import FIRST_ROW

DAY = "2026-09-10"

#: a client's own bank: two weighted questions, two plain, one more element
BANK = [
    {"element": "client_understanding", "question_id": "cu1", "text": "We know their priorities.", "weight": "2"},
    {"element": "client_understanding", "question_id": "cu2", "text": "We know how they buy.", "weight": "1"},
    {"element": "relationships", "question_id": "r1", "text": "We have an executive sponsor.", "weight": ""},
    {"element": "relationships", "question_id": "r2", "text": "We are multi-threaded.", "weight": ""},
    {"element": "pipeline_health", "question_id": "p1", "text": "Pipeline covers the target.", "weight": ""},
]
RATERS = [("Ann Lee", "account_team"), ("Bob Stone", "delivery"), ("Cat Ng", "client")]
#: answers per rater: question id -> answer (None = blank), and comments
ANSWERS = {
    "Ann Lee": ({"cu1": 5, "cu2": 2, "r1": 5, "r2": 3, "p1": None}, {}),
    "Bob Stone": ({"cu1": 3, "cu2": 3, "r1": 2, "r2": None, "p1": 4}, {"p1": "Renewals only, =SUM(A1) as text"}),
    "Cat Ng": ({"cu1": 2, "cu2": 5, "r1": 1, "r2": 1, "p1": None}, {"p1": "No idea"}),
}


def client_portfolio(portfolio_dir, *, bank=True, assessment=None, name="Acme <Holdings> & Co"):
    tables = {
        "accounts": [{"account_id": "00123", "account_name": name}, {"account_id": "ACC-2", "account_name": "Beta"}],
        "revenue": [{"account_id": "00123", "period": "2026Q3", "amount": "100"},
                    {"account_id": "ACC-2", "period": "2026Q3", "amount": "50"}],
    }
    if bank:
        tables["questions"] = BANK
    if assessment is not None:
        tables["assessment"] = assessment
    return portfolio_dir(tables)


def raters_csv(folder: Path, raters=RATERS) -> Path:
    path = folder / "raters.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["rater", "role", "email"])
        for name, role in raters:
            w.writerow([name, role, f"{name.split()[0].lower()}@example.com"])
    return path


def fill(path: Path, answers: dict[str, object], comments: dict[str, str] | None = None, out: Path | None = None,
         edits: dict[str, object] | None = None) -> Path:
    """Fill a questionnaire as a rater would: answers and comments by question id
    (found in column B), then optional raw cell edits; saved to ``out`` (default: in place)."""
    wb = load_workbook(path)
    sheet = wb["Questions"]
    rows = {sheet[f"B{r}"].value: r for r in range(FIRST_ROW, sheet.max_row + 1) if sheet[f"B{r}"].value}
    for qid, value in answers.items():
        sheet[f"D{rows[qid]}"] = value
    for qid, text in (comments or {}).items():
        cell = sheet[f"E{rows[qid]}"]
        cell.value = text
        cell.data_type = "s"  # typed text, as a spreadsheet stores it
    for ref, value in (edits or {}).items():
        sheet[ref] = value
    target = out or path
    wb.save(target)
    return target


def messages(exc: pytest.ExceptionInfo) -> str:
    return "\n".join(map(str, exc.value.problems))
