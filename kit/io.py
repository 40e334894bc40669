"""Reading the inputs and writing the outputs: the only module that touches files.

Inputs are a folder of CSV files or one ``.xlsx`` workbook with a sheet per table.
Every cell is read as text first (so account id ``00123`` stays ``00123``), the table
rules of :mod:`kit.schema` are checked with pandera (all problems at once, each naming
file, row as in the file, column, value and what was expected), and only then are the
columns converted to numbers, quarters, dates and booleans.  Input files are opened
read-only and never written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

import pandas as pd

from kit.errors import InputError, Problem
from kit.periods import parse_period_series, quarter_label
from kit.schema import (
    CATEGORIES, CLOSED_STAGES, ELEMENT_IDS, REQUIRED_TABLES, TABLES, UNSPECIFIED, ColumnRule, TableRule,
)

__all__ = [
    "Portfolio", "load_portfolio", "load_default_questions", "load_default_objectives", "merge_objectives",
    "write_workbook", "read_raw_tables",
    "validate_table", "write_csv", "write_json", "write_text", "report_stems", "sha256_of",
]

TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
#: The first data row of a CSV or sheet is line 2 (line 1 is the header).
FIRST_ROW = 2


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
    """

    source: Path
    tables: dict[str, pd.DataFrame]
    hashes: dict[str, str] = field(default_factory=dict)
    questions_supplied: bool = False

    def has(self, name: str) -> bool:
        """Whether the client supplied this table."""
        return name in self.tables

    def table(self, name: str) -> pd.DataFrame:
        """The table, or an empty one with the contract's columns when not supplied."""
        if name in self.tables:
            return self.tables[name]
        return _typed(TABLES[name], pd.DataFrame({c.name: pd.Series(dtype="str") for c in TABLES[name].columns}))

    @property
    def account_ids(self) -> list[str]:
        """Account ids in the order of accounts.csv."""
        return self.tables["accounts"]["account_id"].tolist()


# ---------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """Strip headers and cells; blank cells become missing; rows numbered as in the file."""
    out = df.copy()
    out.columns = [str(c).strip() for c in out.columns]
    out = out.astype(object).apply(lambda s: s.map(lambda v: None if v is None else (str(v).strip() or None)))
    out.index = pd.RangeIndex(FIRST_ROW, FIRST_ROW + len(out))
    # a blank line or a row of empty cells (Excel's trailing ",,,,") is not data; rows
    # keep their numbers as in the file
    return out[out.notna().any(axis=1)] if len(out.columns) else out


def _read_csv(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(
            path.name, line, None, f"byte 0x{data[exc.start]:02x}",
            "UTF-8 text (save the file as 'CSV UTF-8')",
        ))
        return None
    import io as _io

    try:
        df = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        problems.append(Problem(path.name, 1, None, None, "a header row with the table's columns"))
        return None
    except pd.errors.ParserError as exc:
        problems.append(Problem(path.name, None, None, None, f"well-formed CSV ({exc})".replace("\n", " ")))
        return None
    return _clean(df)


def read_raw_tables(source: Path) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, str], list[Problem]]:
    """Every known table of a folder or workbook, as text.

    Returns
    -------
    tables, display names (table -> name used in messages), hashes, problems
    """
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    names: dict[str, str] = {}
    hashes: dict[str, str] = {}
    if source.is_dir():
        for name in TABLES:
            path = source / f"{name}.csv"
            if not path.is_file():
                continue
            names[name] = path.name
            hashes[path.name] = sha256_of(path)
            df = _read_csv(path, problems)
            if df is not None:
                tables[name] = df
        for name in REQUIRED_TABLES:
            if name not in names:
                problems.append(Problem(f"{name}.csv", None, None, None, f"a file {name}.csv in {source} (required)"))
    elif source.is_file() and source.suffix.lower() in {".xlsx", ".xlsm"}:
        hashes[source.name] = sha256_of(source)
        try:
            sheets = pd.read_excel(source, sheet_name=None, dtype=str, keep_default_na=False, na_filter=False)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise InputError([Problem(source.name, None, None, None, f"a readable .xlsx workbook ({exc})")]) from None
        by_lower = {str(k).strip().lower(): k for k in sheets}
        for name in TABLES:
            if name in by_lower:
                names[name] = f"{source.name} [sheet {by_lower[name]}]"
                tables[name] = _clean(sheets[by_lower[name]])
        for name in REQUIRED_TABLES:
            if name not in names:
                problems.append(Problem(source.name, None, None, None, f"a sheet named '{name}' (required)"))
    elif source.exists():
        problems.append(Problem(str(source), None, None, None, "a folder of CSV files or an .xlsx workbook"))
    else:
        problems.append(Problem(str(source), None, None, None, "an existing folder of CSV files or .xlsx workbook (not found)"))
    return tables, names, hashes, problems


# ---------------------------------------------------------------------------------------
# validation (pandera) and typing
# ---------------------------------------------------------------------------------------
def _range_text(rule: ColumnRule) -> str:
    if rule.low is not None and rule.high is not None:
        return f" between {rule.low:g} and {rule.high:g}"
    if rule.low is not None:
        return f" >= {rule.low:g}"
    if rule.high is not None:
        return f" <= {rule.high:g}"
    return ""


def _expected(rule: ColumnRule) -> str:
    """What a valid cell of this column looks like, in words."""
    kinds = {
        "number": "a number" + _range_text(rule),
        "int": "a whole number" + _range_text(rule),
        "period": "a quarter label like 2025Q3 or an ISO date like 2025-08-15",
        "date": "an ISO date like 2025-09-30",
        "bool": "true or false",
        "enum": "one of " + ", ".join(rule.values),
    }
    return kinds.get(rule.kind, "a value")


def _to_number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _to_date(s: pd.Series) -> pd.Series:
    # ISO8601 also accepts the "2025-09-30 00:00:00" that Excel date cells become.
    return pd.to_datetime(s, format="ISO8601", errors="coerce")


def _to_bool(s: pd.Series) -> pd.Series:
    low = s.map(lambda v: None if v is None else str(v).strip().lower())
    return low.map(lambda v: True if v in TRUE_WORDS else (False if v in FALSE_WORDS else None))


def _check_for(rule: ColumnRule):
    """A vectorised pandera check for one column kind (missing cells pass here)."""
    import pandera.pandas as pa

    def ok(fn):
        return pa.Check(lambda s: s.isna() | fn(s), error=_expected(rule))

    if rule.kind in ("number", "int"):
        def fn(s):
            n = _to_number(s)
            good = n.notna() & n.abs().ne(float("inf"))
            if rule.kind == "int":
                good &= n == n.round()
            if rule.low is not None:
                good &= n >= rule.low
            if rule.high is not None:
                good &= n <= rule.high
            return good
        return ok(fn)
    if rule.kind == "period":
        return ok(lambda s: parse_period_series(s).notna())
    if rule.kind == "date":
        return ok(lambda s: _to_date(s).notna())
    if rule.kind == "bool":
        return ok(lambda s: _to_bool(s).notna())
    if rule.kind == "enum":
        allowed = set(rule.values)
        return ok(lambda s: s.map(lambda v: str(v).strip().lower() in allowed))
    return None


def _pandera_schema(table: TableRule):
    import pandera.pandas as pa

    cols = {}
    for rule in table.columns:
        check = _check_for(rule)
        cols[rule.name] = pa.Column(
            object, checks=[check] if check else None, nullable=rule.nullable,
            required=rule.required, coerce=False,
        )
    return pa.DataFrameSchema(cols, strict=False)


def _failures_to_problems(failures: pd.DataFrame, table: TableRule, fname: str) -> list[Problem]:
    out: list[Problem] = []
    for rec in failures.itertuples(index=False):
        check = str(rec.check)
        if check == "column_in_dataframe":
            out.append(Problem(fname, None, str(rec.failure_case), None,
                               f"a column named '{rec.failure_case}' (required)"))
            continue
        col = rec.column
        row = None if rec.index is None or pd.isna(rec.index) else int(rec.index)
        if check == "not_nullable":
            out.append(Problem(fname, row, col, None, "a value (this column is required)"))
        elif check.startswith("dtype"):
            continue  # every column is read as text; nothing to report
        else:
            out.append(Problem(fname, row, col, rec.failure_case, check))
    return out


def _typed(table: TableRule, df: pd.DataFrame) -> pd.DataFrame:
    """Convert validated text columns to their types; add missing optional columns."""
    out = df.copy()
    for rule in table.columns:
        if rule.name not in out.columns:
            out[rule.name] = None
        s = out[rule.name]
        if rule.kind == "number":
            out[rule.name] = _to_number(s).astype("float64")
        elif rule.kind == "int":
            out[rule.name] = _to_number(s).astype("Int64")
        elif rule.kind == "period":
            q = parse_period_series(s)
            out["quarter"] = q
            out[rule.name] = q.map(lambda v: None if pd.isna(v) else quarter_label(int(v)))
        elif rule.kind == "date":
            out[rule.name] = _to_date(s)
        elif rule.kind == "bool":
            out[rule.name] = _to_bool(s).astype("boolean")
        elif rule.kind == "enum":
            out[rule.name] = s.map(lambda v: None if v is None or pd.isna(v) else str(v).strip().lower())
        else:
            out[rule.name] = s.astype(object).where(s.notna(), None)
    return out


def validate_table(name: str, raw: pd.DataFrame, fname: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check one text table against its rules; return it typed, or the problems.

    Parameters
    ----------
    name : str
        Table name (a key of :data:`kit.schema.TABLES`).
    raw : DataFrame
        Cells as text, index = row number in the file.
    fname : str
        File name used in messages.
    """
    import pandera.pandas as pa

    table = TABLES[name]
    try:
        _pandera_schema(table).validate(raw, lazy=True)
        problems: list[Problem] = []
    except pa.errors.SchemaErrors as exc:
        problems = _failures_to_problems(exc.failure_cases, table, fname)
    if any(p.row is None for p in problems):  # a required column is missing
        return None, problems
    typed = _typed(table, raw)
    problems += _table_rules(name, typed, fname)
    return (None if problems else typed), problems


def _dups(df: pd.DataFrame, key: list[str], fname: str, what: str, shown: list[str] | None = None) -> list[Problem]:
    # ``shown``: the columns as named in the file (a period is compared by its quarter
    # but reported as the period column, as a quarter label)
    shown = list(shown or key)
    mask = df.duplicated(key, keep=False)
    out = []
    for row, rec in df.loc[mask, shown].iterrows():
        value = " / ".join("" if pd.isna(v) else str(v) for v in rec.tolist())
        out.append(Problem(fname, int(row), ", ".join(shown), value, f"{what} once only (duplicate)"))
    return out


def _table_rules(name: str, df: pd.DataFrame, fname: str) -> list[Problem]:
    """Rules of one table that span several columns or rows."""
    problems: list[Problem] = []
    table = TABLES[name]
    if table.key:
        key = ["quarter" if k == "period" else k for k in table.key]
        if name == "assessment":
            # an element-level score (no question id) may appear once per rater and element
            work = df.assign(question_id=df["question_id"].fillna(""), assessed_on=df["assessed_on"].dt.date)
            problems += _dups(work, key, fname, "one row per account, date, rater, element and question")
        else:
            what = {"accounts": "each account_id", "targets": "one target per account and quarter",
                    "questions": "each question_id", "contacts": "each contact_id per account",
                    "opportunities": "each opportunity_id per account"}.get(name, "each key")
            problems += _dups(df, key, fname, what, shown=list(table.key))
    if name == "surveys":
        for survey, (lo, hi) in {"nps": (0, 10), "csat": (1, 5)}.items():
            sub = df[df["survey"] == survey]
            bad = sub[(sub["score"] < lo) | (sub["score"] > hi) | (sub["score"] != sub["score"].round())]
            for row, v in bad["score"].items():
                problems.append(Problem(fname, int(row), "score", f"{v:g}", f"a whole number from {lo} to {hi} for a {survey} survey"))
    if name == "assessment":
        # a rater has one role within one workshop
        roles = df.dropna(subset=["rater_role"]).groupby(["account_id", "assessed_on", "rater"])["rater_role"].nunique()
        clash = roles[roles > 1]
        for acc, when, rater in clash.index:
            rows = df[(df["account_id"] == acc) & (df["assessed_on"] == when) & (df["rater"] == rater)]
            problems.append(Problem(fname, int(rows.index[0]), "rater_role", ", ".join(sorted(rows["rater_role"].dropna().unique())),
                                    f"one role per rater in an assessment (rater {rater!r} on {when.date()})"))
    return problems


def load_default_questions() -> pd.DataFrame:
    """The kit's default question bank (``kit/resources/questions.csv``), typed."""
    ref = resources.files("kit.resources") / "questions.csv"
    with resources.as_file(ref) as path:
        raw = _clean(pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False))
    typed, problems = validate_table("questions", raw, "kit default questions.csv")
    if problems:  # a packaging bug, not a user error
        raise RuntimeError("; ".join(map(str, problems)))
    return _with_weights(typed)


def load_default_objectives() -> pd.DataFrame:
    """The kit's default objectives per category (``kit/resources/objectives.csv``), typed."""
    ref = resources.files("kit.resources") / "objectives.csv"
    with resources.as_file(ref) as path:
        raw = _clean(pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False))
    typed, problems = validate_table("objectives", raw, "kit default objectives.csv")
    if problems:  # a packaging bug, not a user error
        raise RuntimeError("; ".join(map(str, problems)))
    return _titled_categories(typed)


def _titled_categories(objectives: pd.DataFrame) -> pd.DataFrame:
    by_lower = {c.lower(): c for c in CATEGORIES}
    return objectives.assign(category=objectives["category"].map(by_lower))


def merge_objectives(client: pd.DataFrame | None) -> pd.DataFrame:
    """The objectives in use: a client's ``objectives.csv`` replaces the kit's objectives
    of each category it names; categories it leaves out keep the kit's."""
    default = load_default_objectives()
    if client is None:
        return default
    client = _titled_categories(client)
    kept = default[~default["category"].isin(set(client["category"]))]
    return pd.concat([client, kept], ignore_index=True)


def _with_weights(questions: pd.DataFrame) -> pd.DataFrame:
    return questions.assign(weight=questions["weight"].fillna(1.0))


def _cross_checks(tables: dict[str, pd.DataFrame], names: dict[str, str], bank: pd.DataFrame | None) -> list[Problem]:
    """Checks across tables.  ``tables`` may hold text tables that failed their own
    checks (so all problems are listed at once); ``bank`` is None when the client's
    questions.csv is unusable (question ids are then not checked)."""
    problems: list[Problem] = []
    accounts = tables.get("accounts")
    known = set(accounts["account_id"].dropna()) if accounts is not None and "account_id" in accounts else None
    for name, df in tables.items():
        if not TABLES[name].has_account_id or known is None or "account_id" not in df:
            continue
        bad = df[df["account_id"].notna() & ~df["account_id"].isin(known)]
        for row, value in bad["account_id"].items():
            problems.append(Problem(names[name], int(row), "account_id", value, "an account_id listed in accounts"))
    df = tables.get("assessment")
    if df is not None and bank is not None and {"question_id", "element"} <= set(df.columns):
        q_elem = dict(zip(bank["question_id"], bank["element"]))
        bank_name = names.get("questions", "the kit's default question bank")
        with_q = df[df["question_id"].notna()]
        for row, rec in with_q.iterrows():
            qid = rec["question_id"]
            element = None if rec["element"] is None or pd.isna(rec["element"]) else str(rec["element"]).strip().lower()
            if qid not in q_elem:
                problems.append(Problem(names["assessment"], int(row), "question_id", qid, f"a question_id of {bank_name}"))
            elif element in ELEMENT_IDS and q_elem[qid] != element:  # an unknown element is reported already
                problems.append(Problem(names["assessment"], int(row), "question_id", qid,
                                        f"a question of element {element} (it belongs to {q_elem[qid]})"))
    return problems


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
    raw, names, hashes, problems = read_raw_tables(source)
    typed: dict[str, pd.DataFrame] = {}
    for name, df in raw.items():
        t, probs = validate_table(name, df, names[name])
        problems += probs
        if t is not None:
            typed[name] = t
    if "questions" in typed:
        bank = _with_weights(typed["questions"])
        typed["questions"] = bank
    else:
        bank = load_default_questions()
    # tables that failed their own checks are cross-checked as text, so that every
    # problem is listed at once; a broken client bank is not replaced by the default one
    checkable = {name: typed.get(name, df) for name, df in raw.items()}
    bank_usable = "questions" not in raw or "questions" in typed
    problems += _cross_checks(checkable, names, bank if bank_usable else None)
    if problems:
        raise InputError(problems)
    tables = dict(typed)
    if "revenue" in tables:
        rev = tables["revenue"]
        tables["revenue"] = rev.assign(
            buying_center=rev["buying_center"].fillna(UNSPECIFIED),
            offering=rev["offering"].fillna(UNSPECIFIED),
        )
    if "contacts" in tables:
        c = tables["contacts"]
        # a contact listed without an 'active' value is taken as active; advocate as not
        tables["contacts"] = c.assign(active=c["active"].fillna(True), advocate=c["advocate"].fillna(False))
    if "opportunities" in tables:
        o = tables["opportunities"]
        stage = o["stage"].map(lambda v: None if v is None or pd.isna(v) else str(v).strip())
        tables["opportunities"] = o.assign(
            stage=stage,
            is_open=~stage.fillna("").str.lower().isin(CLOSED_STAGES),
            is_won=stage.fillna("").str.lower().eq("won"),
            referral=o["referral"].fillna(False),
        )
    tables["questions"] = bank
    tables["objectives"] = merge_objectives(typed.get("objectives"))
    return Portfolio(source=source, tables=tables, hashes=hashes, questions_supplied="questions" in typed)


# ---------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------
def _plain(v):
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (bool,)) or type(v).__name__ == "bool_":
        return "true" if v else "false"
    if isinstance(v, float) or type(v).__name__.startswith("float"):
        r = round(float(v), 4)
        if r == 0:
            r = 0.0  # no "-0.0"
        return f"{r:.4f}".rstrip("0").rstrip(".") if r != int(r) else str(int(r))
    return v


def write_csv(df: pd.DataFrame, path: Path, columns: Iterable[str] | None = None) -> Path:
    """Write a table: plain numbers rounded to 4 decimals, booleans true/false, blanks empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(columns) if columns is not None else list(df.columns)
    out = df.reindex(columns=cols).astype(object).apply(lambda s: s.map(_plain)) if len(df) else df.reindex(columns=cols)
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def write_json(obj, path: Path) -> Path:
    """Write JSON (sorted keys, UTF-8) for a stable manifest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a UTF-8 text file (HTML pages)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path, *, title: str = "",
                   choices: dict[str, tuple[str, ...]] | None = None) -> Path:
    """Write an editable .xlsx workbook (one sheet per table) atomically.

    ``title`` goes in the first row of every sheet; ``choices`` maps a column name to
    the values offered in a drop-down on that column's cells.  Written to a temporary
    name beside ``path`` and moved into place, so a good file is never half-replaced.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(name[:31])
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([str(c).replace("_", " ").capitalize() for c in df.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for rec in df.itertuples(index=False):
            ws.append([None if (not isinstance(v, str) and pd.isna(v)) else v for v in rec])
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
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def report_stems(account_ids: Iterable[str]) -> dict[str, str]:
    """File name stems for account ids (ids are untrusted text), as a pure function.

    An id that is already a safe name (letters, digits, ``-``, ``_``) is kept; any other,
    and any id that clashes with another on a case-insensitive file system, becomes a
    slug plus a short hash of the id, so two accounts never share a file.
    """
    import re

    ids = list(dict.fromkeys(account_ids))
    lower_counts: dict[str, int] = {}
    for i in ids:
        lower_counts[i.lower()] = lower_counts.get(i.lower(), 0) + 1
    out = {}
    for i in ids:
        safe = re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) is not None and lower_counts[i.lower()] == 1
        if safe:
            out[i] = i
        else:
            slug = re.sub(r"[^A-Za-z0-9_-]+", "_", i).strip("_")[:40] or "account"
            out[i] = f"{slug}-{hashlib.sha1(i.encode('utf-8')).hexdigest()[:8]}"
    return out
