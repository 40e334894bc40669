"""Property-based tests (hypothesis) of the loader on generated tables written the ways
clients' tools write them.

Each file of a generated portfolio is written in a random supported *style*: encoding
(UTF-8, UTF-8 with BOM, Windows-1252, Mac Roman, UTF-16), line endings, separator
(comma or tab), quoting, whitespace around cells, header spelling and thousands
separators.  Whatever the style, the loader gives the same values and the same
figures; one bad cell gives exactly one problem naming its file, its row as in the
file (blank lines counted) and its column.  The catalogue of hand-picked cases is
``tests/corpus/`` (``test_corpus.py``).
"""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from kit.config import Settings
from kit.errors import InputError
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio
from kit.periods import quarter_label

PROPS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

Q0 = 2024 * 4  # 2024Q1 as a quarter index

#: words of realistic names, each encodable in Windows-1252 and in Mac Roman
WORDS = ["Acme", "Société", "Générale", "Müller", "Café", "Groß", "Straße", "Ærøskøbing", "Ñandú", "São", "Paulo",
         "Åkesson", "François", "Zoë", "naïve", "cœur", "Élodie", "O’Brien", "“Best”", "–", "—", "€100", "50%",
         "Smith,", "Jones", "Ltd.", "&", "Co", "Holdings", "(UK)", "#1", "Ünal", "Çelik", "Øst"]
names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
#: account ids: text, leading zeros kept, some non-ASCII
ids = st.one_of(st.sampled_from(["007", "0007", "00123", "A-1", "Café-9", "Zoë", "1e3", "NA", "TRUE"]),
                st.text(alphabet="0123456789ABCxyz-_", min_size=1, max_size=6))


class Style(NamedTuple):
    encoding: str
    eol: str
    sep: str
    quote_all: bool
    pad: bool
    header: str  # "plain", "upper" or "spaced"
    grouped: bool  # thousands separators in amounts


@st.composite
def styles(draw) -> Style:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "mac_roman", "utf-16"]))
    # line endings as each tool writes them: Excel for Mac's Mac Roman with CR only,
    # Excel's UTF-16 "Unicode Text" tab-separated with CRLF
    eol = {"mac_roman": "\r", "utf-16": "\r\n"}.get(encoding) or draw(st.sampled_from(["\n", "\r\n"]))
    sep = "\t" if encoding == "utf-16" else draw(st.sampled_from([",", "\t"]))
    return Style(encoding, eol, sep, draw(st.booleans()), draw(st.booleans()),
                 draw(st.sampled_from(["plain", "upper", "spaced"])), draw(st.booleans()))


def header_text(column: str, style: Style) -> str:
    if style.header == "upper":
        return column.upper()
    if style.header == "spaced":
        return f" {column.replace('_', ' ').title()} "
    return column


def amount_text(value: Decimal, style: Style) -> str:
    return f"{value:,}" if style.grouped else str(value)


def csv_bytes(rows: list[list[str]], style: Style, blank_after: tuple[int, ...] = ()) -> bytes:
    """The rows (header first) as a file in this style; an empty line after each line
    number in ``blank_after`` (1 = the header)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=style.sep, lineterminator=style.eol,
                        quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL)
    for no, row in enumerate(rows, start=1):
        writer.writerow([f"  {c} " if style.pad and no > 1 else c for c in row])
        for _ in range(blank_after.count(no)):
            buf.write(style.eol)
    return buf.getvalue().encode(style.encoding)


class Portfolio(NamedTuple):
    ids: list[str]
    names: list[str]
    revenue: list[tuple[str, int, Decimal, str]]  # account, quarter, amount, buying center


@st.composite
def portfolios(draw) -> Portfolio:
    account_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    account_names = [draw(names) for _ in account_ids]
    revenue = [(draw(st.sampled_from(account_ids)), draw(st.integers(Q0, Q0 + 7)),
                Decimal(draw(st.integers(-10**8, 10**10))) / 100, draw(st.sampled_from(["", "Finance", "IT", "Café"])))
               for _ in range(draw(st.integers(1, 10)))]
    return Portfolio(account_ids, account_names, revenue)


def account_rows(p: Portfolio, style: Style) -> list[list[str]]:
    return [[header_text("account_id", style), header_text("account_name", style)]] + \
        [[i, n] for i, n in zip(p.ids, p.names)]


def revenue_rows(p: Portfolio, style: Style) -> list[list[str]]:
    header = [header_text(c, style) for c in ("account_id", "period", "amount", "buying_center")]
    return [header] + [[a, quarter_label(q), amount_text(v, style), bc] for a, q, v, bc in p.revenue]


def expected_encoding(data: bytes, style: Style) -> str:
    if style.encoding in ("utf-8-sig", "utf-16"):
        return style.encoding
    return "utf-8" if data.isascii() or style.encoding == "utf-8" else style.encoding


@PROPS
@given(p=portfolios(), account_style=styles(), revenue_style=styles())
def test_every_supported_writing_loads_the_same_values(p, account_style, revenue_style):
    """Ids (leading zeros, non-ASCII), names and amounts are the same whichever way the
    files are written; the encoding assumed is recorded; the files are untouched."""
    files = {"accounts.csv": csv_bytes(account_rows(p, account_style), account_style),
             "revenue.csv": csv_bytes(revenue_rows(p, revenue_style), revenue_style)}
    note(files)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        loaded = load_portfolio(folder)
        assert {f.name: f.read_bytes() for f in folder.iterdir()} == files
    assert loaded.account_ids == p.ids
    assert loaded.table("accounts")["account_name"].tolist() == p.names
    rev = loaded.table("revenue")
    assert rev["account_id"].tolist() == [a for a, _, _, _ in p.revenue]
    assert [int(q) for q in rev["quarter"]] == [q for _, q, _, _ in p.revenue]
    assert rev["amount"].tolist() == [float(v) for _, _, v, _ in p.revenue]
    assert rev["buying_center"].tolist() == [bc or "Unspecified" for _, _, _, bc in p.revenue]
    assert loaded.encodings == {"accounts.csv": expected_encoding(files["accounts.csv"], account_style),
                                "revenue.csv": expected_encoding(files["revenue.csv"], revenue_style)}


@settings(PROPS, max_examples=12)
@given(p=portfolios(), style=styles())
def test_figures_do_not_depend_on_how_files_are_written(p, style):
    """T4Q revenue of every account, computed through the loader and the model from a
    styled file, equals the sum of the generated amounts of the last four quarters."""
    plain = Style("utf-8", "\n", ",", False, False, "plain", False)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "accounts.csv").write_bytes(csv_bytes(account_rows(p, plain), plain))
        (folder / "revenue.csv").write_bytes(csv_bytes(revenue_rows(p, style), style))
        figures = build_model(load_portfolio(folder), Settings()).figures
    last = max(q for _, q, _, _ in p.revenue)
    for account in p.ids:
        want = sum((v for a, q, v, _ in p.revenue if a == account and last - 3 <= q <= last), Decimal(0))
        assert figures.loc[account, "revenue_t4q"] == pytest.approx(float(want), rel=1e-12, abs=1e-6)


# --- one bad cell -----------------------------------------------------------------------------
#: (table, column) -> bad values, each refused by that column's rule alone
BAD = {
    ("revenue", "amount"): ["abc", "$5", "1.234,5", "12 %", "(100)", "1 000", "1,23", "12,3456", "0,5", "inf", "--5"],
    ("revenue", "period"): ["2025Q5", "Q3 2025", "2025-13-01", "July", "2025-02-30", "15/08/2025", "2025", "FY25Q1"],
    ("revenue", "gross_margin"): ["1.5", "35%", "x"],
    ("revenue", "account_id"): ["GHOST", ""],
    ("accounts", "wallet_estimate"): ["-1", "lots", "$1,000"],
    ("accounts", "account_name"): [""],
    ("assessment", "score"): ["0", "6", "five", "4,5"],
    ("assessment", "element"): ["culture", "client understandng"],
    ("assessment", "rater_role"): ["boss", "clients"],
    ("assessment", "assessed_on"): ["15/09/2025", "2025-02-30", "45910", "2025-09-30T10:00:00Z", "2025"],
    ("assessment", "rater"): [""],
}
ASSESSMENT_COLUMNS = ["account_id", "assessed_on", "rater", "element", "score", "question_id", "rater_role"]
QUESTIONS = [("client_understanding", "client_understanding.q1"), ("relationships", "relationships.q2"),
             ("pipeline_health", "pipeline_health.q1")]


@st.composite
def corrupted(draw):
    """A valid portfolio with one bad cell: (files as rows, styles, file, row, column)."""
    p = draw(portfolios())
    account_style, revenue_style, assessment_style = draw(styles()), draw(styles()), draw(styles())
    rater_rows = []
    for k, (element, question) in enumerate(draw(st.lists(st.sampled_from(QUESTIONS), min_size=1, max_size=3,
                                                          unique=True))):
        rater_rows.append([p.ids[0], "2025-09-10", f"Rater {k}", element, str(draw(st.integers(1, 5))), question,
                           draw(st.sampled_from(["account_team", "client"]))])
    tables = {"accounts": account_rows(p, account_style), "revenue": revenue_rows(p, revenue_style),
              "assessment": [ASSESSMENT_COLUMNS] + rater_rows}
    table, column = draw(st.sampled_from(sorted(BAD)))
    bad = draw(st.sampled_from(BAD[(table, column)]))
    i = draw(st.integers(1, len(tables[table]) - 1))
    header = [c.strip().lower().replace(" ", "_") for c in tables[table][0]]
    if column not in header:  # an optional column the generator leaves out: add it
        tables[table] = [row + [column if n == 0 else ""] for n, row in enumerate(tables[table])]
        header.append(column)
    tables[table][i][header.index(column)] = bad
    styles_of = {"accounts": account_style, "revenue": revenue_style, "assessment": assessment_style}
    return tables, styles_of, f"{table}.csv", i + 1, column


@PROPS
@given(case=corrupted(), blank_after=st.lists(st.integers(1, 12), max_size=3).map(tuple))
def test_one_bad_cell_is_one_problem_at_its_row(case, blank_after):
    """One bad cell, in any style and with blank lines anywhere after the header:
    exactly one problem, naming the file, the cell's row as in the file and its column;
    the files are untouched."""
    tables, styles_of, fname, row, column = case
    files = {f"{t}.csv": csv_bytes(rows, styles_of[t], blank_after if f"{t}.csv" == fname else ())
             for t, rows in tables.items()}
    line = row + sum(1 for a in blank_after if a < row)  # blank lines above the bad row
    note((fname, row, line, column, files[fname]))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        with pytest.raises(InputError) as info:
            load_portfolio(folder)
        assert {f.name: f.read_bytes() for f in folder.iterdir()} == files
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [(fname, line, column)], str(info.value)
    assert f"{fname}, row {line}, column {column}" in str(info.value)
