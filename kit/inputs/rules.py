"""The table rules of :mod:`kit.schema` checked with pandera, every problem at once, and the
typing of checked tables; the rules across rows and tables (keys, ids, roles)."""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from kit.errors import Problem
from kit.inputs.cells import CONVERTERS, as_codes, as_text, category_codes, enum_word, map_distinct, to_enum
from kit.inputs.headers import header_problems
from kit.periods import date_hint, period_hint, quarter_label
from kit.schema import (
    CLOSED_STAGES,
    ELEMENT_IDS,
    MAX_NUMBER,
    RATER_ROLES,
    TABLES,
    UNSPECIFIED,
    ColumnRule,
    TableRule,
)


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


def _converted(rule: ColumnRule, s: pd.Series, memo: dict[str, pd.Series] | None) -> pd.Series:
    """The column's cells converted for its kind, computed once per validation: the
    check and the typing both need them (``memo``: column name -> converted cells)."""
    done = None if memo is None else memo.get(rule.name)
    if done is not None and done.index.equals(s.index):
        return done
    out = CONVERTERS[rule.kind](s)
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
        return ok(lambda s: pd.Series(map_distinct(s, lambda v: enum_word(v) in allowed, na=False).astype(bool),
                                      index=s.index))
    return None


def _magnitude_check(rule: ColumnRule, memo: dict[str, pd.Series] | None):
    """Numbers beyond :data:`MAX_NUMBER`: a typing slip, and sums of a few of them would
    overflow to infinity (a separate check, so that its message says so)."""
    import pandera.pandas as pa

    def fn(s):
        n = _converted(rule, s, memo)
        # inf (not a number) and values outside the column's own range are reported once, above
        outside = (n < rule.low if rule.low is not None else False) | (n > rule.high if rule.high is not None else False)
        return n.isna() | n.abs().le(MAX_NUMBER) | n.abs().eq(float("inf")) | outside

    return pa.Check(fn, error=_MAGNITUDE_TEXT)


_MAGNITUDE_TEXT = f"a number no larger than {MAX_NUMBER:,.0f} either way (is it a typing slip?)"


def _pandera_schema(table: TableRule, memo: dict[str, pd.Series] | None = None):
    """The table's rules as a pandera schema (``memo``: see :func:`_converted`)."""
    import pandera.pandas as pa

    cols = {}
    for rule in table.columns:
        check = _check_for(rule, memo)
        checks = [check] if check else []
        if rule.kind in ("number", "int"):
            checks.append(_magnitude_check(rule, memo))
        # no dtype: every cell is text already, and a declared dtype makes pandera test
        # each cell for coercibility (slow on millions of rows) before our checks run
        cols[rule.name] = pa.Column(
            None, checks=checks or None, nullable=rule.nullable,
            required=rule.required, coerce=False,
        )
    return pa.DataFrameSchema(cols, strict=False)


_CURRENCY_RE = re.compile(r"[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|CAD|AUD)\b", re.IGNORECASE)


def _number_hint(rule: ColumnRule, text: str) -> str:
    """What to write instead of a formatted number, e.g. ' (plain digits, like 1200)'."""
    with contextlib.suppress(ValueError):
        if np.isfinite(float(text)):
            return ""  # a number as written (out of the column's range): nothing to rewrite
    t = _CURRENCY_RE.sub("", text).strip()
    negative = t.startswith("(") and t.endswith(")")
    t = t.strip("()").strip()
    percent = t.endswith("%")
    t = t.rstrip("%").strip()
    if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+|[+-]?\d+,\d{1,2}|[+-]?0,\d+", t):
        t, how = t.replace(".", "").replace(",", "."), "with a decimal point"
    else:
        how = "plain digits"
    t = re.sub(r"(?<=\d)[\s',](?=\d)", "", t)  # spaces, apostrophes or odd comma groups between digits
    try:
        value = float(t)
    except ValueError:
        return ""
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if negative:
        value = -abs(value)
    if percent:
        if rule.high == 1 or rule.low == -1:  # a fraction column
            return f" (a fraction, like {value / 100:g} for {text.strip()})"
        how = "without %"
    return f" ({how}, like {value:.15g})" if text.strip() != f"{value:.15g}" else ""


def _hint(rule: ColumnRule, value: object) -> str:
    """A hint for a bad cell, e.g. ' (did you mean account_team?)' ('' when none fits)."""
    if not isinstance(value, str):
        return ""
    if rule.kind in ("number", "int"):
        return _number_hint(rule, value)
    if rule.kind == "period":
        return period_hint(value)
    if rule.kind == "date":
        return date_hint(value)
    if rule.kind == "enum":
        match = difflib.get_close_matches(enum_word(value), rule.values, n=1, cutoff=0.6)
        return f" (did you mean {match[0]}?)" if match else ""
    return ""


def _failures_to_problems(failures: pd.DataFrame, table: TableRule, fname: str) -> list[Problem]:
    out: list[Problem] = []
    rules = {c.name: c for c in table.columns}
    hints: dict[tuple[str, object], str] = {}  # once per distinct column and value
    for rec in failures.itertuples(index=False):
        check = str(rec.check)
        if check == "column_in_dataframe":
            continue  # reported by header_problems, with what the header has instead
        col = rec.column
        row = None if rec.index is None or pd.isna(rec.index) else int(rec.index)
        if check == "not_nullable":
            out.append(Problem(fname, row, col, None, "a value (this column is required)"))
        elif check.startswith("dtype"):
            continue  # every column is read as text; nothing to report
        else:
            value = rec.failure_case
            key = (col, value, check)
            if key not in hints:
                hints[key] = _hint(rules[col], value) if col in rules and check != _MAGNITUDE_TEXT else ""
            out.append(Problem(fname, row, col, value, check + hints[key]))
    return out


def typed_table(table: TableRule, df: pd.DataFrame, memo: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Convert validated text columns to their types; add missing optional columns
    (``memo``: conversions the checks made already, see :func:`_converted`)."""
    # extra columns are kept as text, as read; the table's own columns are replaced below
    ruled = {rule.name for rule in table.columns}
    out = pd.DataFrame({i: df.iloc[:, i] if c in ruled else as_text(df.iloc[:, i]) for i, c in enumerate(df.columns)},
                       index=df.index)
    out.columns = df.columns
    for rule in table.columns:
        if rule.name not in out.columns:
            out[rule.name] = None
        s = out[rule.name]
        if rule.kind == "number":
            out[rule.name] = _converted(rule, s, memo).astype("float64")
        elif rule.kind == "int":
            n = _converted(rule, s, memo)
            # a value that is not whole (reported by the checks) is typed as missing
            out[rule.name] = n.where(n == n.round()).astype("Int64")
        elif rule.kind == "period":
            q = _converted(rule, s, memo)
            out["quarter"] = q
            out[rule.name] = pd.Series(map_distinct(q, lambda v: quarter_label(int(v))), index=q.index)
        elif rule.kind == "date":
            out[rule.name] = _converted(rule, s, memo)
        elif rule.kind == "bool":
            out[rule.name] = _converted(rule, s, memo).astype("boolean")
        elif rule.kind == "enum":
            out[rule.name] = as_codes(s, enum_word, dtype="str") if rule.name in table.coded else to_enum(s)
        elif rule.name in table.coded:
            out[rule.name] = as_codes(s, lambda v: v, dtype=object)
        else:
            out[rule.name] = pd.Series(map_distinct(s, lambda v: v), index=s.index, dtype=object)
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
    problems, missing = header_problems(table, raw, fname)
    memo: dict[str, pd.Series] = {}  # cells converted by the checks, reused for the typing
    try:
        _pandera_schema(table, memo).validate(raw, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _failures_to_problems(exc.failure_cases, table, fname)
    if missing:  # a required column is missing: the table cannot be typed
        return None, problems
    typed = typed_table(table, raw, memo)
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
                lowered, _ = pd.factorize(np.array([enum_word(v) for v in r.cat.categories] + [None], dtype=object))
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
    # a role that is not allowed is reported as such, not as a second role
    codes.loc[~df["rater_role"].isin(RATER_ROLES).to_numpy(), "rater_role"] = -1
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
                              key, fname, "each account, date, rater, element and question")
        else:
            what = {"accounts": "each account_id", "targets": "each account and quarter",
                    "questions": "each question_id", "contacts": "each contact_id per account",
                    "opportunities": "each opportunity_id per account"}.get(name, "each key")
            problems += _dups(df[pd.Series(_row_keys(codes)).duplicated(keep=False).to_numpy()], key, fname, what,
                              shown=list(table.key))
    if name == "surveys":
        # scores outside 0-10 (or not numbers) are reported by the column's own check
        rule = table.column("score")
        for survey, (lo, hi) in {"nps": (0, 10), "csat": (1, 5)}.items():
            sub = df[(df["survey"] == survey) & df["score"].between(rule.low, rule.high)]
            bad = sub[(sub["score"] < lo) | (sub["score"] > hi) | (sub["score"] != sub["score"].round())]
            for row, v in bad["score"].items():
                shown = raw.at[row, "score"] if raw is not None and raw.columns.is_unique else f"{v:g}"
                problems.append(Problem(fname, int(row), "score", shown, f"a whole number from {lo} to {hi} for a {survey} survey"))
    if name == "assessment":
        problems += _role_clashes(df, raw, fname)
    return problems


def cross_checks(tables: dict[str, pd.DataFrame], names: dict[str, str], bank: pd.DataFrame | None) -> list[Problem]:
    """Checks across tables.  ``tables`` may hold text tables that failed their own
    checks (so all problems are listed at once); ``bank`` is None when the client's
    questions.csv is unusable (question ids are then not checked)."""
    problems: list[Problem] = []
    accounts = tables.get("accounts")
    # ids are checked against accounts only when it was read whole: a header without rows
    # or rows set aside (see read_csv_bytes) are reported already, and every id would be unknown
    usable = accounts is not None and "account_id" in accounts and len(accounts) and not accounts.attrs.get("set_aside")
    known = set(accounts["account_id"].dropna()) if usable else None
    hint = _account_hints(known or set())
    for name, df in tables.items():
        if not TABLES[name].has_account_id or known is None or "account_id" not in df:
            continue
        bad = df[df["account_id"].notna() & ~df["account_id"].isin(known)]
        for row, value in bad["account_id"].items():
            problems.append(Problem(names[name], int(row), "account_id", value, "an account_id listed in accounts" + hint(value)))
    df = tables.get("assessment")
    if df is not None and bank is not None and {"question_id", "element"} <= set(df.columns):
        q_elem = dict(zip(bank["question_id"], bank["element"]))
        bank_name = names.get("questions", "the kit's default question bank")
        # decided once per distinct question id and element (as integer codes), then per row
        q_codes, q_values = category_codes(df["question_id"])
        e_codes, e_values = category_codes(df["element"])
        number = {e: i for i, e in enumerate(ELEMENT_IDS)}  # the pinned elements as 0..9, anything else -1
        q_known = np.array([q in q_elem for q in q_values] + [False])
        q_owner = np.array([number.get(q_elem.get(q), -1) for q in q_values] + [-1])
        e_number = np.array([number.get(enum_word(e), -1) for e in e_values] + [-1])
        has_q = q_codes >= 0
        known_q = q_known[q_codes]
        # an unknown element is reported already
        wrong = known_q & (e_number[e_codes] >= 0) & (q_owner[q_codes] != e_number[e_codes])
        for pos in np.flatnonzero(has_q & (~known_q | wrong)):
            row, q = df.index[pos], q_values.iloc[q_codes[pos]]
            if not known_q[pos]:
                problems.append(Problem(names["assessment"], int(row), "question_id", q, f"a question_id of {bank_name}"))
            else:
                element = enum_word(e_values.iloc[e_codes[pos]])
                problems.append(Problem(names["assessment"], int(row), "question_id", q,
                                        f"a question of element {element} (it belongs to {q_elem[q]})"))
    return problems


def completed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """A typed table with the defaults of the contract filled in and the columns derived
    from it (the same for a table not supplied, see :meth:`Portfolio.table`)."""
    if name == "revenue":
        return df.assign(buying_center=df["buying_center"].fillna(UNSPECIFIED), offering=df["offering"].fillna(UNSPECIFIED))
    if name == "contacts":
        # a contact listed without an 'active' value is taken as active; advocate as not
        return df.assign(active=df["active"].fillna(True), advocate=df["advocate"].fillna(False))
    if name == "opportunities":
        stage = pd.Series(map_distinct(df["stage"], lambda v: str(v).strip()), index=df.index, dtype=object)
        low = stage.fillna("").astype(str).str.lower()
        return df.assign(stage=stage, is_open=~low.isin(CLOSED_STAGES), is_won=low.eq("won"),
                         referral=df["referral"].fillna(False))
    return df


def _account_hints(known: set[str]) -> Callable[[str], str]:
    """``hint(id)`` for an id missing from accounts: says which listed id it differs
    from only in case or in leading zeros (Excel drops them from ids it takes for
    numbers).  Once per distinct unknown id; the lookups are built on first use."""
    lookups: list[dict[str, str]] = []
    memo: dict[str, str] = {}

    def digits(v: str) -> str:
        return re.sub(r"\.0+$", "", v).lstrip("0")

    def hint(value: str) -> str:
        if value in memo:
            return memo[value]
        if not lookups:
            lookups.append({k.lower(): k for k in sorted(known)})
            lookups.append({digits(k): k for k in sorted(known) if re.fullmatch(r"\d+", k)})
        text = ""
        if value.lower() in lookups[0]:
            text = f" (accounts has {lookups[0][value.lower()]!r}: ids are case-sensitive)"
        elif re.fullmatch(r"\d+(\.0+)?", value) and digits(value) in lookups[1]:
            text = (f" (accounts has {lookups[1][digits(value)]!r}: were its leading zeros lost? "
                    "keep account_id as text)")
        memo[value] = text
        return text

    return hint
