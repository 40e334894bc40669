"""The data-request workbook a consultant sends the client (``kit template``).

One sheet per table the client is asked for, its header on row 1 with the contract's
column names (so the filled workbook is a valid ``--data`` as it is: the kit reads row 1
of a sheet as its header), a note on each header cell saying what goes there, drop-downs
for the allowed values and true/false, text format on id columns (``00123`` keeps its
zeros) and date format on date columns.  Examples and instructions are on the first
sheet, ``Instructions``, which the kit does not read: an example row on a table's sheet
would be imported as data.

The kit's own banks (``questions``, ``objectives``) are not asked for: an empty sheet of
either would replace the kit's defaults.  Column names, kinds and allowed values come
from :data:`kit.schema.TABLES`; the descriptions and examples here are checked against it
by the tests.
"""

from __future__ import annotations

from pathlib import Path

from kit.errors import UsageError
from kit.schema import REQUIRED_TABLES, TABLES, ColumnRule

__all__ = ["DESCRIPTIONS", "EXAMPLES", "FILLED_ROWS", "REQUESTED_TABLES", "TABLE_PURPOSE", "kind_text", "write_template"]

#: the tables a client is asked for: every table of the contract about accounts
REQUESTED_TABLES: tuple[str, ...] = tuple(name for name, rule in TABLES.items() if rule.has_account_id)
#: rows of each sheet that get the drop-downs and formats
FILLED_ROWS = 2000

TABLE_PURPOSE: dict[str, str] = {
    "accounts": "One row per client account (required).",
    "revenue": "Revenue by account and quarter (or invoice date), split by buying center and offering where known (required).",
    "targets": "Revenue target per account and quarter.",
    "assessment": "Scores of the account health workshop; usually filled by kit questionnaire and kit ingest: leave empty.",
    "contacts": "The people at each account you have relationships with.",
    "opportunities": "Open, won and lost opportunities per account.",
    "activities": "Meetings, proposals, referrals, QBRs and endorsements per account.",
    "surveys": "NPS (0-10) and CSAT (1-5) answers per account.",
}

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "accounts": {
        "account_id": "Your id for the account, as in your CRM; any text (keep leading zeros).",
        "account_name": "The account's name.",
        "industry": "The account's industry.",
        "region": "Region or country.",
        "account_manager": "Name of the account manager.",
        "market_growth": "Annual growth of the account's market, as a fraction (0.08 for 8%).",
        "market_share": "The account's market share relative to its largest competitor (1.0 = equal).",
        "wallet_estimate": "Estimated annual spend of the account on what you offer (its wallet).",
    },
    "revenue": {
        "account_id": "The account, as in the accounts sheet.",
        "period": "Quarter (2025Q3) or a date (the invoice date; mapped to its quarter).",
        "amount": "Revenue amount (a credit note may be negative); plain number, no currency.",
        "buying_center": "The client's department or unit that bought (blank: Unspecified).",
        "offering": "Your service or product line sold (blank: Unspecified).",
        "gross_margin": "Gross margin as a fraction of the amount (0.35 for 35%).",
    },
    "targets": {
        "account_id": "The account, as in the accounts sheet.",
        "period": "Quarter (2025Q3) the target is for; one row per account and quarter.",
        "revenue_target": "Revenue target for the quarter.",
        "margin_target": "Gross margin target for the quarter, as an amount.",
    },
    "assessment": {
        "account_id": "The account assessed.",
        "assessed_on": "Date of the workshop.",
        "rater": "Name of the person scoring.",
        "element": "Assessment element scored.",
        "score": "Score from 1 (weak) to 5 (strong); blank if not scored.",
        "question_id": "Question id of the kit's question bank (blank: a score for the whole element).",
        "rater_role": "The rater's role.",
        "comment": "The rater's comment.",
    },
    "contacts": {
        "account_id": "The account the contact works at.",
        "contact_id": "Your id for the contact (unique within the account).",
        "name": "The contact's name.",
        "title": "Job title.",
        "level": "Seniority level.",
        "buying_center": "The contact's department or unit.",
        "role": "The contact's role in buying decisions.",
        "relationship_strength": "Strength of your relationship, 1 (weak) to 5 (strong).",
        "advocate": "Would the contact endorse you (true/false)?",
        "first_met": "Date you first met the contact.",
        "last_contact": "Date of your last contact.",
        "active": "Is the contact still in the role (true/false; blank: true)?",
    },
    "opportunities": {
        "account_id": "The account.",
        "opportunity_id": "Your id for the opportunity (unique within the account).",
        "created_on": "Date the opportunity was created.",
        "close_date": "Date it closed or is expected to close.",
        "stage": "won, lost, or the name of its open stage (e.g. Proposal).",
        "amount": "Value of the opportunity.",
        "probability": "Chance of winning, as a fraction (0.4 for 40%).",
        "buying_center": "The client's department or unit it is for.",
        "offering": "Your service or product line it is for.",
        "competitive": "Was it competed (true) or sole-sourced (false)?",
        "referral": "Did it come from a referral (true/false)?",
    },
    "activities": {
        "account_id": "The account.",
        "date": "Date of the activity.",
        "type": "Kind of activity.",
        "contact_id": "The contact involved, as in the contacts sheet.",
        "buying_center": "The client's department or unit involved.",
        "note": "A short note.",
    },
    "surveys": {
        "account_id": "The account.",
        "date": "Date of the answer.",
        "survey": "nps (score 0-10) or csat (score 1-5).",
        "score": "The answer's score.",
        "respondent": "Who answered.",
    },
}

#: one valid example row per table (shown on the Instructions sheet, never on a table's sheet)
EXAMPLES: dict[str, dict[str, object]] = {
    "accounts": {"account_id": "00123", "account_name": "Acme Industries", "industry": "Manufacturing",
                 "region": "EMEA", "account_manager": "Dana Smith", "market_growth": 0.08, "market_share": 1.2,
                 "wallet_estimate": 2500000},
    "revenue": {"account_id": "00123", "period": "2025Q3", "amount": 182500, "buying_center": "Finance",
                "offering": "Advisory", "gross_margin": 0.35},
    "targets": {"account_id": "00123", "period": "2025Q3", "revenue_target": 200000, "margin_target": 70000},
    "assessment": {"account_id": "00123", "assessed_on": "2025-10-01", "rater": "Dana Smith",
                   "element": "client_understanding", "score": 4, "question_id": "client_understanding.q1",
                   "rater_role": "account_team", "comment": "We know their 2026 priorities"},
    "contacts": {"account_id": "00123", "contact_id": "C-17", "name": "Lee Chen", "title": "Chief Financial Officer",
                 "level": "executive", "buying_center": "Finance", "role": "decision_maker", "relationship_strength": 4,
                 "advocate": "true", "first_met": "2023-02-14", "last_contact": "2025-09-20", "active": "true"},
    "opportunities": {"account_id": "00123", "opportunity_id": "OPP-881", "created_on": "2025-06-02",
                      "close_date": "2025-11-30", "stage": "Proposal", "amount": 240000, "probability": 0.4,
                      "buying_center": "Operations", "offering": "Managed Services", "competitive": "true",
                      "referral": "false"},
    "activities": {"account_id": "00123", "date": "2025-09-12", "type": "executive_meeting", "contact_id": "C-17",
                   "buying_center": "Finance", "note": "Budget review for 2026"},
    "surveys": {"account_id": "00123", "date": "2025-09-30", "survey": "nps", "score": 9, "respondent": "Lee Chen"},
}

_KINDS = {
    "id": "text", "text": "text", "number": "number", "int": "whole number",
    "period": "quarter like 2025Q3, or a date", "date": "date (YYYY-MM-DD)", "bool": "true or false",
    "enum": "one of the list",
}


def kind_text(rule: ColumnRule) -> str:
    """What a cell of the column holds, in words (with its range and allowed values)."""
    text = _KINDS[rule.kind]
    if rule.kind in ("number", "int") and (rule.low is not None or rule.high is not None):
        if rule.low is not None and rule.high is not None:
            text += f" from {rule.low:g} to {rule.high:g}"
        elif rule.low is not None:
            text += f", at least {rule.low:g}"
        else:
            text += f", at most {rule.high:g}"
    if rule.kind == "enum":
        text = "one of: " + ", ".join(rule.values)
    return text


def _choices(rule: ColumnRule) -> tuple[str, ...] | None:
    if rule.kind == "enum":
        return rule.values
    if rule.kind == "bool":
        return ("true", "false")
    return None


def write_template(path: str | Path, *, force: bool = False) -> Path:
    """Write the data-request workbook.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file to write.
    force : bool
        Overwrite an existing file (default: refuse; it may hold the client's answers).

    Raises
    ------
    UsageError
        Not an ``.xlsx`` name, or the file exists and ``force`` is False.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from kit.importing.kitapi import put_text, replacing

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"--out {path}: give a file name ending in .xlsx")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists (maybe with the client's answers): nothing was written; choose another "
                         "name or pass --force to overwrite it")
    wb = Workbook()
    guide = wb.active
    guide.title = "Instructions"
    _instructions(guide, put_text, Font, Alignment)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for name in REQUESTED_TABLES:
        rule = TABLES[name]
        ws = wb.create_sheet(name)
        for c, col in enumerate(rule.columns, start=1):
            cell = ws.cell(row=1, column=c)
            put_text(cell, col.name)
            cell.font = Font(bold=True)
            if col.required:
                cell.fill = required_fill
            note = f"{DESCRIPTIONS[name][col.name]}\n{kind_text(col)}" + ("\nRequired." if col.required else "")
            cell.comment = Comment(note, "kit template", width=320, height=120)
            letter = cell.column_letter
            ws.column_dimensions[letter].width = max(14, len(col.name) + 4)
            if col.kind in ("id", "text", "period", "enum"):
                ws.column_dimensions[letter].number_format = "@"  # 00123 keeps its zeros, 2025Q3 stays text
            elif col.kind == "date":
                ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            choices = _choices(col)
            if choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle=col.name,
                                    error=f"{col.name}: one of {', '.join(choices)}")
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{FILLED_ROWS + 1}")
        ws.freeze_panes = "A2"
    with replacing(path) as tmp:  # written whole or not at all
        wb.save(tmp)
    return path


def _instructions(ws, put_text, Font, Alignment) -> None:
    """The first sheet: how to fill the workbook, every column described, an example row per table."""
    lines: list[tuple[object, ...]] = [
        ("Account health assessment: data request",),
        (),
        ("How to fill this workbook",),
        (("1. Each sheet after this one is a table. Keep the sheet names and the header row (row 1) as they are; "
         "add your rows below it, one per line. Hover over a header for what goes in the column."),),
        (("2. Yellow headers are required. Leave a cell blank when you do not know; leave a sheet empty when you "
         f"have no such data (only {' and '.join(REQUIRED_TABLES)} are required)."),),
        (("3. Drop-downs list the allowed values. Dates as dates (2025-09-30); quarters as 2025Q3; fractions as "
         "0.35 (not 35%); amounts as plain numbers without currency symbols."),),
        ("4. Use the same account id on every sheet (as in accounts). Do not add example rows or totals to the sheets.",),
        (("5. Send the workbook back as .xlsx. It is read as it is: kit validate --data <this file> lists any problem "
         "with its sheet, row and column."),),
        (),
        ("Sheet", "Column", "Required", "What goes in it", "Kind of value", "Example"),
    ]
    for name in REQUESTED_TABLES:
        lines.append((name, "", "", TABLE_PURPOSE[name]))
        for col in TABLES[name].columns:
            example = EXAMPLES[name].get(col.name, "")
            lines.append(("", col.name, "yes" if col.required else "", DESCRIPTIONS[name][col.name], kind_text(col), example))
    header_row = next(r for r, values in enumerate(lines, start=1) if values[:1] == ("Sheet",))
    for r, values in enumerate(lines, start=1):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            put_text(cell, v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r < header_row and len(values) == 1:  # a sentence across the sheet
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
            ws.row_dimensions[r].height = 32 if len(str(values[0])) > 110 else 18
    ws["A1"].font = Font(bold=True, size=14)
    ws["A3"].font = Font(bold=True)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for r in range(header_row + 1, len(lines) + 1):
        if ws.cell(row=r, column=1).value:
            ws.cell(row=r, column=1).font = Font(bold=True)
    for letter, width in zip("ABCDEF", (16, 22, 10, 60, 34, 26)):
        ws.column_dimensions[letter].width = width
