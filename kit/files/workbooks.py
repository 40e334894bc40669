"""Editable workbooks (plans): input text stays text, whatever characters it holds."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kit.files.atomic import replacing


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path, *, title: str = "",
                   choices: dict[str, tuple[str, ...]] | None = None, notes: list[str] | None = None) -> Path:
    """Write an editable .xlsx workbook (one sheet per table) atomically.

    ``title`` goes in the first row of every sheet; ``choices`` maps a column name to
    the values offered in a drop-down on that column's cells; ``notes``, when given, gets
    a line when input text had to be changed (see :func:`put_text`).  Written to a temporary
    name beside ``path`` and moved into place, so a good file is never half-replaced.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    replaced = 0
    for name, df in sheets.items():
        ws = wb.create_sheet(name[:31])
        replaced += put_text(ws["A1"], title)
        ws["A1"].font = Font(bold=True, size=12)
        for c, col in enumerate(df.columns, start=1):
            put_text(ws.cell(row=2, column=c), str(col).replace("_", " ").capitalize())
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r, rec in enumerate(df.itertuples(index=False), start=3):
            for c, v in enumerate(rec, start=1):
                if isinstance(v, str):
                    replaced += put_text(ws.cell(row=r, column=c), v)
                elif not pd.isna(v):
                    ws.cell(row=r, column=c, value=v)
        for i, col in enumerate(df.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in df[col].tolist()]) + 2
            ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = min(max(width, 12), 70)
            for row in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")
            if choices and col in choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices[col]) + '"', allow_blank=True)
                ws.add_data_validation(dv)
                letter = ws.cell(row=2, column=i).column_letter
                dv.add(f"{letter}3:{letter}{max(3, len(df) + 2 + 20)}")
        ws.freeze_panes = "A3"
    if replaced and notes is not None:
        notes.append(f"{replaced} character(s) of the input text that a workbook cannot hold (control characters) "
                     f"were replaced with U+FFFD in {path.name}")
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


#: characters XML 1.0 (and so a workbook) cannot hold: control characters but tab and line breaks
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def put_text(cell, value: object) -> int:
    """Write input text into an openpyxl cell as text, whatever it holds; the one guard
    of every workbook the kit writes.

    Text never becomes a formula (openpyxl stores ``=HYPERLINK(...)`` in a contact's name
    as a live one), and characters a workbook cannot hold (an ESC in an account name makes
    openpyxl raise) become U+FFFD.  Returns how many characters were replaced.
    """
    if not isinstance(value, str):
        cell.value = value
        return 0
    text, n = _ILLEGAL_XML.subn("\ufffd", value)
    cell.value = text
    cell.data_type = "s"
    return n


def workbook_text(value: str) -> str:
    """``value`` as :func:`put_text` stores it in a workbook."""
    return _ILLEGAL_XML.sub("\ufffd", value)
