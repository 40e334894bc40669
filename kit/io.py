"""Reading the inputs and writing the outputs: the only module that touches files.

Inputs are a folder of CSV files or one ``.xlsx`` workbook with a sheet per table.
Every cell is read as text first (so account id ``00123`` stays ``00123``), the table
rules of :mod:`kit.schema` are checked with pandera (all problems at once, each naming
file, row as in the file, column, value and what was expected), and only then are the
columns converted to numbers, quarters, dates and booleans.  Input files are opened
read-only and never written.

Portfolios run to millions of rows, so nothing here works cell by cell in Python: text
columns are held as categoricals while they are checked (each distinct value is
stripped, parsed and checked once), rows are compared on integer codes, and tables are
written column by column.  The figures and messages are those of the cell-by-cell rules.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import operator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

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


def _codes(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """A column as codes (-1 = missing) into its distinct values.

    Raw columns are categorical (see :func:`_clean`), so this is free for them; any
    other column is factorized.  Every per-cell rule then runs once per distinct value:
    columns of millions of cells hold few distinct values.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes, uniques = pd.factorize(s)
    return codes, pd.Series(uniques)


def _distinct_map(s: pd.Series, fn: Callable[[object], object], na: object = None) -> np.ndarray:
    """``fn`` of every cell as an object array (``fn`` runs once per distinct value);
    ``na`` for missing cells."""
    codes, uniques = _codes(s)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [fn(u) for u in uniques]
    table[-1] = na  # code -1 (missing) takes the last entry
    return table.take(codes)


def _spread(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Values of the distinct cells spread back to every cell (missing where code -1)."""
    return pd.Series(values.array.take(codes, allow_fill=True), index=index)


def _clean_categories(values: np.ndarray) -> list[str | None]:
    """The cell rule (strip; blank -> missing) for distinct values."""
    if infer_dtype(values, skipna=False) == "string":
        return [v.strip() or None for v in values]
    # sheet cells may be None, NaN or numbers
    return [None if v is None else (str(v).strip() or None) for v in values]


def _clean_cells(s: pd.Series) -> pd.Categorical:
    """One column's cells stripped, blank -> missing, as a categorical of text."""
    values = s.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    has_missing = bool((codes < 0).any())
    if has_missing:
        # a sheet's None and NaN cells differ under the cell rule (None -> missing,
        # NaN -> "nan"): keep them apart (slower: a missing-value pass over the column)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    cleaned = _clean_categories(uniques)
    if not has_missing and all(map(operator.is_, cleaned, uniques)):
        # nothing to strip and no blank (str.strip returns the very same string then):
        # the distinct values are the categories as they are
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))
    table = np.empty(len(uniques), dtype=object)
    table[:] = cleaned
    # two raw values may clean to the same text (" a" and "a"): one category each
    new_codes, categories = pd.factorize(table)
    return pd.Categorical.from_codes(new_codes.take(codes), categories=pd.Index(categories, dtype="str"))


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """Strip headers and cells; blank cells become missing; rows numbered as in the file.

    Columns are categoricals of text: one string per distinct value, and every later
    per-cell rule runs once per distinct value (see :func:`_codes`).
    """
    index = pd.RangeIndex(FIRST_ROW, FIRST_ROW + len(df))
    columns = [str(c).strip() for c in df.columns]
    if not len(df):  # a header without rows: text columns, nothing to factorize
        return df.astype(object).set_axis(columns, axis=1).set_axis(index)
    # columns by position: two headers may be equal once stripped
    out = pd.DataFrame({i: _clean_cells(df.iloc[:, i]) for i in range(df.shape[1])}, index=index)
    out.columns = columns
    # a blank line or a row of empty cells (Excel's trailing ",,,,") is not data; rows
    # keep their numbers as in the file
    if not len(out.columns):
        return out
    filled = out.notna().any(axis=1)
    if filled.all():
        return out
    # no row left: the cells were all blank, plain (object) columns as for a header only
    return out[filled] if filled.any() else out[filled].astype(object)


def _utf8_problem(name: str, data: bytes) -> Problem | None:
    """The first byte that is not UTF-8 text, as a problem (None: the bytes are UTF-8)."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(name, line, None, f"byte 0x{data[exc.start]:02x}", "UTF-8 text (save the file as 'CSV UTF-8')")
    return None


def _read_csv(name: str, data: bytes, problems: list[Problem]) -> pd.DataFrame | None:
    """One CSV file's bytes as a raw table, or None and its problem.

    A file that is not UTF-8 is reported as such before any CSV problem.  The parser
    decodes every cell strictly, so valid files are not decoded a second time: the
    full decode runs only when parsing fails, to name the bad byte and its line.
    """
    try:
        # object, not str (faster) and not "category" (that turns "007" and "7" into 7)
        df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=object, keep_default_na=False,
                         na_filter=False, skip_blank_lines=False)
    except (UnicodeDecodeError, pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        bad = _utf8_problem(name, data)
        if bad is not None:
            problems.append(bad)
        elif isinstance(exc, pd.errors.EmptyDataError):
            problems.append(Problem(name, 1, None, None, "a header row with the table's columns"))
        elif isinstance(exc, pd.errors.ParserError):
            problems.append(Problem(name, None, None, None, f"well-formed CSV ({exc})".replace("\n", " ")))
        else:  # the parser and the decoder disagree: not expected, not to be hidden
            raise
        return None
    return _clean(df)


def read_raw_tables(source: Path) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, str], list[Problem]]:
    """Every known table of a folder or workbook, as text (categorical columns of the
    cleaned cells, see :func:`_clean`).

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
            data = path.read_bytes()  # read once: hashed and parsed
            hashes[path.name] = hashlib.sha256(data).hexdigest()
            df = _read_csv(path.name, data, problems)
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
    """Cells as float64 numbers, NaN where missing or not a number."""
    if not len(s):
        return pd.to_numeric(s, errors="coerce")
    codes, uniques = _codes(s)
    values = np.asarray(pd.to_numeric(uniques, errors="coerce"), dtype="float64")
    return pd.Series(np.append(values, np.nan).take(codes), index=s.index)


def _to_date(s: pd.Series) -> pd.Series:
    # ISO8601 also accepts the "2025-09-30 00:00:00" that Excel date cells become.
    if not len(s):
        return pd.to_datetime(s, format="ISO8601", errors="coerce")
    codes, uniques = _codes(s)
    return _spread(pd.to_datetime(uniques, format="ISO8601", errors="coerce"), codes, s.index)


def _to_quarter(s: pd.Series) -> pd.Series:
    """Quarter index per cell (nullable Int64), <NA> where missing or not a period."""
    if not len(s):
        return parse_period_series(s)
    codes, uniques = _codes(s)
    return _spread(parse_period_series(uniques), codes, s.index)


def _bool_word(v: object) -> bool | None:
    low = str(v).strip().lower()
    return True if low in TRUE_WORDS else (False if low in FALSE_WORDS else None)


def _to_bool(s: pd.Series) -> pd.Series:
    """True / False / None per cell (None: missing or not a true/false word)."""
    return pd.Series(_distinct_map(s, _bool_word), index=s.index, dtype=object)


def _enum_word(v: object) -> str:
    return str(v).strip().lower()


def _to_enum(s: pd.Series) -> pd.Series:
    """Cells stripped and lower-cased (missing stays missing)."""
    if not len(s):
        return s.map(lambda v: None if v is None or pd.isna(v) else _enum_word(v))
    return pd.Series(_distinct_map(s, _enum_word), index=s.index)


def _as_text(s: pd.Series) -> pd.Series:
    """A raw (categorical) column back as plain text cells, as the file held them."""
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return s
    return pd.Series(_distinct_map(s, lambda v: v), index=s.index)


#: column kind -> its text-to-type conversion
_CONVERTERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "number": _to_number, "int": _to_number, "period": _to_quarter, "date": _to_date, "bool": _to_bool,
}


def _converted(rule: ColumnRule, s: pd.Series, memo: dict[str, pd.Series] | None) -> pd.Series:
    """The column's cells converted for its kind, computed once per validation: the
    check and the typing both need them (``memo``: column name -> converted cells)."""
    done = None if memo is None else memo.get(rule.name)
    if done is not None and done.index.equals(s.index):
        return done
    out = _CONVERTERS[rule.kind](s)
    if memo is not None:
        memo[rule.name] = out
    return out


def _check_for(rule: ColumnRule, memo: dict[str, pd.Series] | None = None):
    """A vectorised pandera check for one column kind (missing cells pass here)."""
    import pandera.pandas as pa

    def ok(fn):
        return pa.Check(lambda s: s.isna() | fn(s), error=_expected(rule))

    if rule.kind in ("number", "int"):
        def fn(s):
            n = _converted(rule, s, memo)
            good = n.notna() & n.abs().ne(float("inf"))
            if rule.kind == "int":
                good &= n == n.round()
            if rule.low is not None:
                good &= n >= rule.low
            if rule.high is not None:
                good &= n <= rule.high
            return good
        return ok(fn)
    if rule.kind in ("period", "date", "bool"):
        return ok(lambda s: _converted(rule, s, memo).notna())
    if rule.kind == "enum":
        allowed = set(rule.values)
        return ok(lambda s: pd.Series(_distinct_map(s, lambda v: _enum_word(v) in allowed, na=False).astype(bool),
                                      index=s.index))
    return None


def _pandera_schema(table: TableRule, memo: dict[str, pd.Series] | None = None):
    """The table's rules as a pandera schema (``memo``: see :func:`_converted`)."""
    import pandera.pandas as pa

    cols = {}
    for rule in table.columns:
        check = _check_for(rule, memo)
        # no dtype: every cell is text already, and a declared dtype makes pandera test
        # each cell for coercibility (slow on millions of rows) before our checks run
        cols[rule.name] = pa.Column(
            None, checks=[check] if check else None, nullable=rule.nullable,
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


def _typed(table: TableRule, df: pd.DataFrame, memo: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Convert validated text columns to their types; add missing optional columns
    (``memo``: conversions the checks made already, see :func:`_converted`)."""
    # extra columns are kept as text, as read; the table's own columns are replaced below
    ruled = {rule.name for rule in table.columns}
    out = pd.DataFrame({i: df.iloc[:, i] if c in ruled else _as_text(df.iloc[:, i]) for i, c in enumerate(df.columns)},
                       index=df.index)
    out.columns = df.columns
    for rule in table.columns:
        if rule.name not in out.columns:
            out[rule.name] = None
        s = out[rule.name]
        if rule.kind == "number":
            out[rule.name] = _converted(rule, s, memo).astype("float64")
        elif rule.kind == "int":
            out[rule.name] = _converted(rule, s, memo).astype("Int64")
        elif rule.kind == "period":
            q = _converted(rule, s, memo)
            out["quarter"] = q
            out[rule.name] = pd.Series(_distinct_map(q, lambda v: quarter_label(int(v))), index=q.index)
        elif rule.kind == "date":
            out[rule.name] = _converted(rule, s, memo)
        elif rule.kind == "bool":
            out[rule.name] = _converted(rule, s, memo).astype("boolean")
        elif rule.kind == "enum":
            out[rule.name] = _to_enum(s)
        else:
            out[rule.name] = pd.Series(_distinct_map(s, lambda v: v), index=s.index, dtype=object)
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
    memo: dict[str, pd.Series] = {}  # cells converted by the checks, reused for the typing
    try:
        _pandera_schema(table, memo).validate(raw, lazy=True)
        problems: list[Problem] = []
    except pa.errors.SchemaErrors as exc:
        problems = _failures_to_problems(exc.failure_cases, table, fname)
    if any(p.row is None for p in problems):  # a required column is missing
        return None, problems
    typed = _typed(table, raw, memo)
    problems += _table_rules(name, typed, fname, raw)
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


def _key_codes(table: TableRule, df: pd.DataFrame, raw: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """Columns of the typed table ``df`` as integer codes to compare rows by: equal
    codes <=> equal typed values, -1 = missing.  The raw (categorical) columns give the
    codes for free; hashing millions of strings again is the slow part otherwise."""
    rules = {c.name: c for c in table.columns}
    usable = raw is not None and raw.columns.is_unique
    out = {}
    for c in columns:
        r = raw[c] if usable and c in raw.columns else None
        kind = rules[c].kind if c in rules else None
        if r is not None and isinstance(r.dtype, pd.CategoricalDtype) and kind in ("id", "text", "enum"):
            codes = r.cat.codes.to_numpy()
            if kind == "enum":  # "Client" and "client" are the same value once typed
                lowered, _ = pd.factorize(np.array([_enum_word(v) for v in r.cat.categories] + [None], dtype=object))
                codes = lowered.take(codes)  # code -1 takes the last entry: missing
        else:
            codes = pd.factorize(df[c])[0]
        out[c] = codes.astype(np.int64)
    return pd.DataFrame(out, index=df.index)


def _row_keys(codes: pd.DataFrame) -> np.ndarray:
    """One integer per row, equal for two rows exactly when all their codes are equal
    (missing equals missing): one hash pass over integers instead of one per column."""
    key = np.zeros(len(codes), dtype=np.int64)
    for c in codes.columns:
        col = codes[c].to_numpy() + 1  # missing (-1) is a value of its own
        size = int(col.max(initial=0)) + 1
        if len(key) and int(key.max()) >= (2 ** 62) // size:  # would overflow: renumber densely
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * size + col
    return key


def _role_clashes(df: pd.DataFrame, raw: pd.DataFrame | None, fname: str) -> list[Problem]:
    """A rater has one role within one workshop (account, date, rater)."""
    keys = ["account_id", "assessed_on", "rater"]
    codes = _key_codes(TABLES["assessment"], df, raw, keys + ["rater_role"])
    codes = codes[(codes[keys] >= 0).all(axis=1)]  # rows with a missing key are in no workshop
    workshop = pd.Series(_row_keys(codes[keys]), index=codes.index)
    with_role = codes["rater_role"] >= 0
    n_roles = codes.loc[with_role, "rater_role"].groupby(workshop[with_role].to_numpy()).nunique()
    clash = n_roles.index[n_roles.to_numpy() > 1]
    if not len(clash):
        return []
    # every row of a clashing workshop and rater (also those without a role)
    in_clash = workshop[workshop.isin(clash)]
    found = []
    for _, rows in df.loc[in_clash.index].groupby(in_clash.to_numpy(), sort=False):
        first = rows.iloc[0]
        found.append(((first["account_id"], first["assessed_on"], first["rater"]), int(rows.index[0]),
                      ", ".join(sorted(rows["rater_role"].dropna().unique()))))
    # in the order of (account, date, rater), as the values sort
    return [Problem(fname, row, "rater_role", roles,
                    f"one role per rater in an assessment (rater {rater!r} on {when.date()})")
            for (acc, when, rater), row, roles in sorted(found, key=lambda f: f[0])]


def _table_rules(name: str, df: pd.DataFrame, fname: str, raw: pd.DataFrame | None = None) -> list[Problem]:
    """Rules of one table that span several columns or rows (``raw``: the text table
    ``df`` was typed from, for fast row comparisons)."""
    problems: list[Problem] = []
    table = TABLES[name]
    if table.key:
        key = ["quarter" if k == "period" else k for k in table.key]
        codes = _key_codes(table, df, raw, key)
        if name == "assessment":
            # an element-level score (no question id) may appear once per rater and element;
            # rows are compared by calendar day and shown as dates
            codes = codes.assign(assessed_on=pd.factorize(df["assessed_on"].dt.normalize())[0])
            dup = df.loc[pd.Series(_row_keys(codes)).duplicated(keep=False).to_numpy(), key]
            problems += _dups(dup.assign(question_id=dup["question_id"].fillna(""), assessed_on=dup["assessed_on"].dt.date),
                              key, fname, "one row per account, date, rater, element and question")
        else:
            what = {"accounts": "each account_id", "targets": "one target per account and quarter",
                    "questions": "each question_id", "contacts": "each contact_id per account",
                    "opportunities": "each opportunity_id per account"}.get(name, "each key")
            problems += _dups(df[pd.Series(_row_keys(codes)).duplicated(keep=False).to_numpy()], key, fname, what,
                              shown=list(table.key))
    if name == "surveys":
        for survey, (lo, hi) in {"nps": (0, 10), "csat": (1, 5)}.items():
            sub = df[df["survey"] == survey]
            bad = sub[(sub["score"] < lo) | (sub["score"] > hi) | (sub["score"] != sub["score"].round())]
            for row, v in bad["score"].items():
                problems.append(Problem(fname, int(row), "score", f"{v:g}", f"a whole number from {lo} to {hi} for a {survey} survey"))
    if name == "assessment":
        problems += _role_clashes(df, raw, fname)
    return problems


def _resource_table(name: str) -> pd.DataFrame:
    """One of the kit's own tables (``kit/resources/<name>.csv``), validated and typed."""
    ref = resources.files("kit.resources") / f"{name}.csv"
    with resources.as_file(ref) as path:
        raw = _clean(pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False))
    typed, problems = validate_table(name, raw, f"kit default {name}.csv")
    if problems:  # a packaging bug, not a user error
        raise RuntimeError("; ".join(map(str, problems)))
    return typed


def load_default_questions() -> pd.DataFrame:
    """The kit's default question bank (``kit/resources/questions.csv``), typed."""
    return _with_weights(_resource_table("questions"))


def load_default_objectives() -> pd.DataFrame:
    """The kit's default objectives per category (``kit/resources/objectives.csv``), typed."""
    return _titled_categories(_resource_table("objectives"))


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
        # decided once per distinct question id and element (as integer codes), then per row
        q_codes, q_values = _codes(df["question_id"])
        e_codes, e_values = _codes(df["element"])
        number = {e: i for i, e in enumerate(ELEMENT_IDS)}  # the pinned elements as 0..9, anything else -1
        q_known = np.array([q in q_elem for q in q_values] + [False])
        q_owner = np.array([number.get(q_elem.get(q), -1) for q in q_values] + [-1])
        e_number = np.array([number.get(_enum_word(e), -1) for e in e_values] + [-1])
        has_q = q_codes >= 0
        known_q = q_known[q_codes]
        # an unknown element is reported already
        wrong = known_q & (e_number[e_codes] >= 0) & (q_owner[q_codes] != e_number[e_codes])
        for pos in np.flatnonzero(has_q & (~known_q | wrong)):
            row, q = df.index[pos], q_values.iloc[q_codes[pos]]
            if not known_q[pos]:
                problems.append(Problem(names["assessment"], int(row), "question_id", q, f"a question_id of {bank_name}"))
            else:
                element = _enum_word(e_values.iloc[e_codes[pos]])
                problems.append(Problem(names["assessment"], int(row), "question_id", q,
                                        f"a question of element {element} (it belongs to {q_elem[q]})"))
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
    # tables are cross-checked as text (the same ids and rows as typed, and categorical:
    # fast), also those that failed their own checks, so that every problem is listed at
    # once; a broken client bank is not replaced by the default one
    bank_usable = "questions" not in raw or "questions" in typed
    problems += _cross_checks(raw, names, bank if bank_usable else None)
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
        stage = pd.Series(_distinct_map(o["stage"], lambda v: str(v).strip()), index=o.index)
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


def _float_text(x: float) -> str:
    """:func:`_plain` of a finite float: ``f"{x:.4f}"`` rounds the exact binary value
    to 4 decimals as ``round(x, 4)`` does, so stripping its zeros gives the same text."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text  # no "-0"


def _plain_column(s: pd.Series) -> np.ndarray | None:
    """:func:`_plain` of every cell of one column, by dtype rather than cell by cell
    (None: a column that only ``DataFrame.to_csv`` formats as before, such as dates)."""
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return np.where(s.to_numpy(), "true", "false").astype(object)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return s.to_numpy(dtype=object)  # whole numbers as they are
    if dtype.kind == "f":  # numpy float or nullable Float64
        missing = s.isna().to_numpy()
        values = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isfinite(values[~missing]).all():
            out = np.full(len(values), "", dtype=object)
            # one text per distinct number
            codes, uniques = pd.factorize(values[~missing])
            out[~missing] = np.array([_float_text(x) for x in uniques.tolist()] + [""], dtype=object).take(codes)
            return out
    elif isinstance(dtype, (pd.StringDtype, np.dtype)) and infer_dtype(s, skipna=True) in ("string", "empty"):
        return s.astype(object).where(s.notna(), "").to_numpy(dtype=object)  # text as it is, blanks empty
    # anything else (nullable whole numbers and booleans, mixed objects, dates): cell by cell
    plain = s.astype(object).map(_plain)
    if plain.dtype == object or isinstance(plain.dtype, pd.StringDtype) or plain.dtype.kind in "iu":
        return plain.to_numpy(dtype=object)
    return None  # e.g. dates: DataFrame.to_csv formats them its own way


def write_csv(df: pd.DataFrame, path: Path, columns: Iterable[str] | None = None) -> Path:
    """Write a table: plain numbers rounded to 4 decimals, booleans true/false, blanks empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(columns) if columns is not None else list(df.columns)
    full = df.reindex(columns=cols)
    plain = [_plain_column(full.iloc[:, i]) for i in range(len(cols))] if len(df) else [None]
    if any(p is None for p in plain):  # no rows, or a column to_csv formats itself
        out = full.astype(object).apply(lambda s: s.map(_plain)) if len(df) else full
        out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        return path
    cells = [p.tolist() for p in plain]
    # the csv writer DataFrame.to_csv uses, with its settings (minimal quoting, quotes
    # doubled), fed the rows directly: the same bytes without building a frame of text
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, quotechar='"', doublequote=True)
        writer.writerow(list(full.columns))
        writer.writerows(zip(*cells))
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
