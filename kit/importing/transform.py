"""From export frames to the contract's tables, saying what was done to every row.

1. **Which export feeds which table** (:func:`assign_frames`): a source pinned by the
   command line (``opportunities=report.csv``) or by the mapping's ``source.file``, else
   every frame goes to the table whose columns it has most of (all the required ones).
2. **Columns** (:func:`build_tables`): each contract column from its source column(s),
   through the mapping's derivations (constant, first of a list, fill down, Salesforce
   ids, value map, keywords) and read for its kind: dates in the format the values show
   (a column that fits two, like 3/4/2024, takes the format another date column of the
   same export proves, else it is an error asking for ``--date-format``), numbers in
   the format the values show ("$1,200.50", "1.234,56"), percentages, check boxes.
3. **Rows**: stages classed as won, lost or open (with each open stage's default
   probability), accounts found by name where the export has no id, rows without a
   required value, for an account not in accounts, or repeating a key dropped and
   counted by reason; derived tables (accounts named by the other tables, revenue from
   won opportunities) made where no export fits.

Values that cannot be read are errors naming the export, row, column and value (all at
once), unless the mapping says ``invalid: blank``.  Nothing here touches a file.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kit.errors import InputError, Problem
from kit.importing.mapping import DERIVATIONS, ColumnSpec, Mapping, MappingProblem, TableSpec, check_date_format
from kit.importing.sources import Frame
from kit.importing.values import (
    DATE_FORMATS,
    FALSE_WORDS,
    TRUE_WORDS,
    NumberFormat,
    as_text,
    date_label,
    enum_word,
    fitting_date_formats,
    header_key,
    infer_number_format,
    number_format_of,
    parse_bool,
    parse_date,
    parse_number,
    parse_period_text,
    salesforce_id18,
    strftime_of,
)
from kit.periods import parse_period
from kit.schema import CLOSED_STAGES, TABLES, ColumnRule

__all__ = ["Missing", "Outcome", "Plan", "TableOutcome", "assign_frames", "build_tables", "drop_reason", "table_order"]

#: a contract column's words in "rows without ..." (the column name otherwise)
ROW_WORDS = {"account_id": "an account", "opportunity_id": "an opportunity id", "contact_id": "a contact id",
             "account_name": "an account name"}
_FLAG_RULE = ColumnRule("flag", "bool")
#: shown per list in the summary (values, rows); the rest are counted
SHOWN = 8


# ---------------------------------------------------------------------------------------------
# columns of a frame
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """A column spec resolved against one frame."""

    spec: ColumnSpec
    indices: tuple[int, ...]
    loc: tuple
    shown: str
    fallback: bool = False


@dataclass(frozen=True)
class Missing:
    """A column spec whose source columns the frame lacks."""

    loc: tuple
    wanted: tuple[str, ...]


def _resolve(spec: ColumnSpec, frame: Frame, loc: tuple, keys: dict[str, int]) -> Plan | Missing | None:
    """Where ``spec`` reads in ``frame``; None: an optional column the frame lacks."""
    if spec.kind == "value":
        return Plan(spec, (), loc, f"the constant {spec.value!r}")
    if spec.kind == "concat":
        absent = [c for c in spec.concat if header_key(c) not in keys]
        if absent:
            return None if spec.optional else Missing(loc, tuple(absent))
        idx = tuple(keys[header_key(c)] for c in spec.concat)
        return Plan(spec, idx, loc, " + ".join(repr(frame.header[i]) for i in idx))
    for name in spec.column:
        if header_key(name) in keys:
            i = keys[header_key(name)]
            return Plan(spec, (i,), loc, repr(frame.header[i]))
    if spec.fallback is not None:
        found = _resolve(spec.fallback, frame, loc + ("fallback",), keys)
        if isinstance(found, Plan):
            return Plan(found.spec, found.indices, found.loc, found.shown, fallback=True)
        if found is None and spec.optional:
            return None
        return Missing(loc, spec.source_columns()) if not spec.optional else None
    return None if spec.optional else Missing(loc, spec.column)


def _targets(table: str, t: TableSpec) -> list[tuple[tuple, ColumnSpec, ColumnRule | None]]:
    """Every (mapping key path, spec, contract rule) of a table spec, in order."""
    base = ("tables", table)
    rules = {c.name: c for c in TABLES[table].columns}
    acc = {c.name: c for c in TABLES["accounts"].columns}
    out = [(base + ("columns", c), s, rules.get(c)) for c, s in t.columns.items()]
    out += [(base + ("account", c), s, acc.get(c)) for c, s in t.account.items()]
    out += [(base + ("keep", c), s, None) for c, s in t.keep.items()]
    if t.stages is not None:
        for flag in ("won_flag", "closed_flag"):
            s = getattr(t.stages, flag)
            if s is not None:
                out.append((base + ("stages", flag), s.model_copy(update={"optional": True}), _FLAG_RULE))
    return out


@dataclass
class Fit:
    """How well a frame fits a table: plans found, columns missing, and the score."""

    plans: dict[tuple, Plan]
    missing: list[Missing]
    excluded: str | None = None

    @property
    def ok(self) -> bool:
        return self.excluded is None and not self.missing

    @property
    def score(self) -> int:
        return len(self.plans)


def fit_frame(table: str, t: TableSpec, frame: Frame, *, pinned: bool = False) -> Fit:
    """Whether ``frame`` can feed ``table`` and with which columns (``pinned``: chosen by the
    user, so the ``source`` filters do not apply)."""
    keys = frame.index()
    src = t.source
    excluded = None
    if not pinned:
        if src.file and not frame.matches_file(src.file):
            excluded = f"its name does not fit {', '.join(src.file)}"
        elif src.sheet and (frame.sheet is None or frame.sheet.casefold() not in {s.casefold() for s in src.sheet}):
            excluded = f"it is not sheet {', '.join(src.sheet)}"
        elif any(header_key(h) in keys for h in src.not_headers):
            excluded = f"it has {', '.join(repr(h) for h in src.not_headers if header_key(h) in keys)}"
    plans: dict[tuple, Plan] = {}
    missing: list[Missing] = []
    if excluded is None and not pinned:
        absent = tuple(h for h in src.headers if header_key(h) not in keys)
        if absent:
            missing.append(Missing(("tables", table, "source", "headers"), absent))
    for loc, spec, _ in _targets(table, t):
        found = _resolve(spec, frame, loc, keys)
        if isinstance(found, Plan):
            plans[loc] = found
        elif isinstance(found, Missing):
            missing.append(found)
    return Fit(plans, missing, excluded)


def _missing_problem(mapping: Mapping, frame: Frame, miss: Missing) -> Problem:
    """A mapping names a column the export does not have: the line, the key, the export's
    real columns and the nearest of them."""
    import difflib

    real = [h for h in frame.header if not h.startswith("(column ")]
    near = []
    for w in miss.wanted:
        hit = difflib.get_close_matches(header_key(w), [header_key(h) for h in real], n=1, cutoff=0.6)
        if hit:
            near.append(next(h for h in real if header_key(h) == hit[0]))
    hint = f"did you mean {' or '.join(repr(n) for n in dict.fromkeys(near))}? " if near else ""
    shown = ", ".join(real[:25]) + (f", ... ({len(real)} in all)" if len(real) > 25 else "")
    wanted = " or ".join(repr(w) for w in miss.wanted)
    return MappingProblem(mapping.name, mapping.line(*miss.loc), ".".join(map(str, miss.loc)), None,
                          f"a column {wanted} in {frame.name} ({hint}its columns: {shown})")


def assign_frames(mapping: Mapping, frames: list[Frame], pins: dict[str, list[Path]]
                  ) -> tuple[dict[str, list[tuple[Frame, Fit]]], list[tuple[Frame, str]], list[Problem]]:
    """Which frames feed which table.

    Returns the frames of each table (with their fit), the frames no table takes (with
    why, in words), and the problems: a pinned export that lacks a mapped column.
    """
    spec = mapping.spec
    tables = [t for t, s in spec.tables.items() if s.columns and t in TABLES]
    assigned: dict[str, list[tuple[Frame, Fit]]] = defaultdict(list)
    unused: list[tuple[Frame, str]] = []
    problems: list[Problem] = []
    pinned_paths = {t: {p.resolve() for p in paths} for t, paths in pins.items()}
    for frame in frames:
        pinned = [t for t in tables if frame.path.resolve() in pinned_paths.get(t, set())]
        if pinned:
            fit = fit_frame(pinned[0], spec.tables[pinned[0]], frame, pinned=True)
            if fit.ok:
                assigned[pinned[0]].append((frame, fit))
            else:
                problems += [_missing_problem(mapping, frame, m) for m in fit.missing]
            continue
        fits = {t: fit_frame(t, spec.tables[t], frame) for t in tables}
        by_name = [t for t in tables if spec.tables[t].source.file and frame.matches_file(spec.tables[t].source.file)]
        for t in by_name:  # the mapping names this file for t: a missing column is a mistake to show
            if not fits[t].ok and fits[t].excluded is None:
                problems += [_missing_problem(mapping, frame, m) for m in fits[t].missing]
        good = [t for t in tables if fits[t].ok]
        if good:
            best = max(good, key=lambda t: (fits[t].score, -tables.index(t)))
            assigned[best].append((frame, fits[best]))
            continue
        unused.append((frame, _why_unused(frame, fits, mapping)))
    return dict(assigned), unused, problems


def _why_unused(frame: Frame, fits: dict[str, Fit], mapping: Mapping) -> str:
    open_fits = {t: f for t, f in fits.items() if f.excluded is None}
    if not open_fits:
        return "no table of the mapping takes it (" + "; ".join(f"{t}: {f.excluded}" for t, f in fits.items()) + ")"
    best = max(open_fits, key=lambda t: (open_fits[t].score, -len(open_fits[t].missing)))
    lacks = sorted({w for m in open_fits[best].missing for w in m.wanted[:1]})
    return f"its header fits no table; nearest {best}, which needs {', '.join(repr(w) for w in lacks)}"


# ---------------------------------------------------------------------------------------------
# outcome
# ---------------------------------------------------------------------------------------------
@dataclass
class TableOutcome:
    """One contract table made: its rows, where each came from, and what was done."""

    name: str
    frame: pd.DataFrame
    origins: list[tuple[str, int]]
    sources: list[str] = field(default_factory=list)
    read: int = 0
    derived: str | None = None
    dropped: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    values: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """Every table made, the frames left unused, and notes for the whole import."""

    tables: dict[str, TableOutcome]
    unused: list[tuple[Frame, str]]
    frames: dict[str, list[Frame]]
    notes: list[str] = field(default_factory=list)
    absent: dict[str, str] = field(default_factory=dict)


def drop_reason(column: str) -> str:
    """'no account' for a row without account_id."""
    return f"without {ROW_WORDS.get(column, column.replace('_', ' '))}"


# ---------------------------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------------------------
@dataclass
class _Cells:
    """Raw values of one target of one frame, before they are read for their kind."""

    loc: tuple
    plan: Plan
    rule: ColumnRule | None
    values: list[object]
    mapped: Counter = field(default_factory=Counter)
    sf_changed: int = 0
    sf_other: int = 0


class _Words:
    """A value map and keywords, case-insensitive, with "true"/"false" standing for every
    word of a check box (YAML reads a key ``Yes:`` as a boolean)."""

    def __init__(self, spec: ColumnSpec):
        self.map: dict[str, object] = {}
        for k, v in (spec.map or {}).items():
            keys = TRUE_WORDS | {"on"} if k == "true" else FALSE_WORDS | {"off"} if k == "false" else {k}
            for key in keys:
                self.map.setdefault(key.casefold(), v)
        self.keywords = [(dst, [re.compile(rf"(?<![\w]){re.escape(w.casefold())}(?![\w])") for w in words])
                         for dst, words in (spec.keywords or {}).items()]
        self.otherwise = spec.otherwise
        self.active = bool(spec.map or spec.keywords or spec.otherwise is not None)

    def __call__(self, value: object) -> tuple[object, bool]:
        text = as_text(value).casefold()
        if text in self.map:
            return self.map[text], True
        for dst, patterns in self.keywords:
            if any(p.search(text) for p in patterns):
                return dst, True
        if self.otherwise is not None:
            return self.otherwise, True
        return value, False


def _extract(plan: Plan, frame: Frame, rule: ColumnRule | None) -> _Cells:
    spec = plan.spec
    rows = frame.rows
    if spec.kind == "value":
        values: list[object] = [spec.value] * len(rows)
    elif spec.kind == "concat":
        values = []
        for r in rows:
            parts = [as_text(r[i]) for i in plan.indices if r[i] is not None]
            values.append(spec.sep.join(parts) if parts else None)
    else:
        i = plan.indices[0]
        values = [r[i] for r in rows]
    if spec.fill_down is True or (spec.fill_down == "formatted" and frame.formatted):
        last = None
        for k, v in enumerate(values):
            if v is None:
                values[k] = last
            else:
                last = v
    cells = _Cells(plan.loc, plan, rule, values)
    if spec.first_of:
        cells.values = [v.split(spec.first_of)[0].strip() or None if isinstance(v, str) else v for v in cells.values]
    if spec.salesforce_id:
        out = []
        for v in cells.values:
            if v is None:
                out.append(None)
                continue
            text = as_text(v)
            long = salesforce_id18(text)
            if long is None:
                cells.sf_other += 1
            elif long != text:
                cells.sf_changed += 1
            out.append(long or text)
        cells.values = out
    words = _Words(spec)
    if words.active:
        out = []
        for v in cells.values:
            if v is None:
                out.append(None)
                continue
            new, hit = words(v)
            cells.mapped[(as_text(v), None if new is None else as_text(new), hit)] += 1
            out.append(new)
        cells.values = out
    return cells


def _texts(values: list[object]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


@dataclass
class _Dates:
    """The date format chosen for each date target of each frame, and why."""

    chosen: dict[tuple[str, tuple], str] = field(default_factory=dict)
    why: dict[tuple[str, tuple], str] = field(default_factory=dict)
    ambiguous: set[tuple[str, tuple]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def _resolve_dates(cells: dict[tuple[str, tuple], _Cells], frames: dict[str, Frame], mapping: Mapping,
                   date_format: str | None) -> _Dates:
    """A format per date column: the mapping's or --date-format, else the one format that
    reads every value; a column that fits several takes the format another column of the
    same export (then of any export) proves; still several that disagree: a problem."""
    out = _Dates()
    candidates: dict[tuple[str, tuple], list[str]] = {}
    for key, c in cells.items():
        if c.rule is None or c.rule.kind not in ("date", "period"):
            continue
        own = c.plan.spec.date or mapping.spec.date_format
        if own:
            out.chosen[key] = strftime_of(own)
            continue
        preferred = strftime_of(date_format) if date_format else None
        texts = _texts(c.values)
        if c.rule.kind == "period":
            texts = [t for t in texts if parse_period_text(t, None)[0] is None]
        texts = list(dict.fromkeys(texts))
        if not texts:
            out.chosen[key] = "%Y-%m-%d"
            continue
        fits = fitting_date_formats(texts, DATE_FORMATS + ((preferred, ""),) if preferred else DATE_FORMATS)
        if not fits:  # some values fit no format: --date-format, else the format most values fit; the rest reported
            best = preferred or max((fmt for fmt, _ in DATE_FORMATS),
                                    key=lambda f: sum(parse_date(t, f) is not None for t in texts))
            out.chosen[key] = best
            continue
        agreeing = [f for f in fits if all(parse_date(t, f) == parse_date(t, fits[0]) for t in texts)]
        if len(agreeing) == len(fits):
            out.chosen[key] = fits[0]
        elif preferred in fits:  # --date-format settles the order
            out.chosen[key] = preferred
        else:
            candidates[key] = fits
    proven = dict(out.chosen)  # formats the values themselves (or the mapping) settle
    for key, fits in candidates.items():
        frame_name = key[0]
        proof = next(((k, f) for k, f in proven.items() if k[0] == frame_name and f in fits), None)
        if proof is None:
            proof = next(((k, f) for k, f in proven.items() if f in fits), None)
        c = cells[key]
        texts = list(dict.fromkeys(_texts(c.values)))
        if proof is not None:
            out.chosen[key] = proof[1]
            shown = cells[proof[0]].plan.shown
            where = "the same export" if proof[0][0] == frame_name else proof[0][0]
            out.why[key] = f"as {shown} of {where} shows"
            continue
        example = next(t for t in texts if len({parse_date(t, f) for f in fits}) > 1)
        labels = " or ".join(date_label(f) for f in fits[:3])
        options = " or ".join(f"--date-format {date_label(f)}" for f in fits[:2])
        out.ambiguous.add(key)
        out.problems.append(Problem(frame_name, None, c.plan.shown.strip("'"), example,
                                    f"dates in one order (every date of the column fits {labels}): say which with "
                                    f"{options} (or date: in the mapping, {mapping.where(*c.loc)})"))
    return out


def _percent_mode(spec: ColumnSpec, rule: ColumnRule | None) -> bool | str | None:
    if spec.percent is not None:
        return spec.percent
    # a fraction column (probability, gross margin) takes 40 for 40%
    return "auto" if rule is not None and rule.high == 1.0 else None


def _convert(cells: _Cells, frame: Frame, mapping: Mapping, dates: _Dates, key: tuple,
             problems: list[Problem], notes: list[str]) -> list[object]:
    """The cells read for the contract column's kind (None where blank or left blank)."""
    rule, spec, plan = cells.rule, cells.plan.spec, cells.plan
    kind = rule.kind if rule is not None else "text"
    column = plan.shown.strip("'")
    out: list[object] = []
    bad: list[tuple[int, object]] = []
    where = mapping.where(*cells.loc)
    if kind in ("number", "int"):
        fmt: NumberFormat | None
        if spec.number and spec.number != "auto":
            fmt, guessed = number_format_of(spec.number), False
        else:
            fmt, guessed = infer_number_format(_texts(cells.values))
        if fmt is None:
            problems.append(Problem(frame.name, None, column, None, f"numbers in one format ({plan.shown} mixes a decimal comma "
                                                                    f"and a decimal point: declare number: in the mapping, {where})"))
            return [None] * len(cells.values)
        if guessed:
            notes.append(f"{plan.shown}: numbers read as {fmt.example} (no value shows the decimal mark; "
                         f"declare number: '1.234,56' in a mapping if that is wrong)")
        elif fmt.decimal == "," and not (spec.number and spec.number != "auto"):
            notes.append(f"{plan.shown}: numbers read with a decimal comma ({fmt.example})")
        mode = _percent_mode(spec, rule)
        memo: dict[tuple, tuple[float | None, bool]] = {}
        numbers: list[float | None] = []
        signs: list[bool] = []
        for i, v in enumerate(cells.values):
            if v is None:
                numbers.append(None)
                signs.append(False)
                continue
            key_v = (type(v), v)
            if key_v not in memo:
                memo[key_v] = parse_number(v, fmt)
            n, pct = memo[key_v]
            if n is None or not math.isfinite(n):
                bad.append((i, v))
            numbers.append(n)
            signs.append(pct)
        scale_all = mode is True or (mode == "auto" and any(n is not None and abs(n) > 1 for n in numbers))
        if mode == "auto" and scale_all:
            notes.append(f"{plan.shown}: read as percentages (values above 1), divided by 100")
        out = [None if n is None else (n / 100 if (scale_all or pct) else n) for n, pct in zip(numbers, signs)]
        expected = f"a number like {fmt.example}"
    elif kind in ("date", "period"):
        if key in dates.ambiguous:  # reported once for the column
            return [None] * len(cells.values)
        fmt_code = dates.chosen.get(key, "%Y-%m-%d")
        if key in dates.why:
            notes.append(f"{plan.shown}: dates read as {date_label(fmt_code)} ({dates.why[key]})")
        elif plan.spec.date is None and any(isinstance(v, str) for v in cells.values) and fmt_code != "%Y-%m-%d":
            notes.append(f"{plan.shown}: dates read as {date_label(fmt_code)}")
        kinds: Counter = Counter()
        seen: dict[tuple, tuple[str | None, str]] = {}
        for i, v in enumerate(cells.values):
            if v is None:
                out.append(None)
                continue
            key_v = (type(v), v)
            if key_v not in seen:
                if kind == "period":
                    seen[key_v] = parse_period_text(v, fmt_code)
                else:
                    day = parse_date(v, fmt_code)
                    seen[key_v] = (day.isoformat() if day else None, "date")
            text, what = seen[key_v]
            kinds[what] += 1
            if text is None:
                bad.append((i, v))
            out.append(text)
        if kinds.get("month"):
            notes.append(f"{plan.shown}: {kinds['month']} month value(s) read as the month's first day")
        expected = (f"a date in {date_label(fmt_code)}" if kind == "date"
                    else f"a quarter like 2025Q3, a month like 2025-09, or a date in {date_label(fmt_code)}")
    elif kind == "bool":
        for i, v in enumerate(cells.values):
            b = None if v is None else parse_bool(v)
            if v is not None and b is None:
                bad.append((i, v))
            out.append(None if b is None else ("true" if b else "false"))
        expected = "true or false (yes/no, 1/0, a check box)"
    elif kind == "enum":
        allowed = set(rule.values)
        left: Counter = Counter()
        for i, v in enumerate(cells.values):
            if v is None:
                out.append(None)
                continue
            word = enum_word(as_text(v))
            if word in allowed:
                out.append(word)
            elif rule.required:
                bad.append((i, v))
                out.append(None)
            else:
                left[as_text(v)] += 1
                out.append(None)
        if left:
            shown = ", ".join(f"{k!r} ({n})" for k, n in left.most_common(SHOWN)) + (", ..." if len(left) > SHOWN else "")
            notes.append(f"{rule.name}: {sum(left.values())} value(s) not among {', '.join(rule.values)} left blank: {shown} "
                         f"(map them in a mapping, {where})")
        expected = f"one of {', '.join(rule.values)} (map the export's values with map: in the mapping)"
    else:
        out = [None if v is None else as_text(v) for v in cells.values]
        expected = ""
    if bad:
        if spec.invalid == "blank":
            for i, _ in bad:
                out[i] = None
            examples = ", ".join(repr(as_text(v)) for _, v in bad[:SHOWN])
            notes.append(f"{plan.shown}: {len(bad)} value(s) that are not {expected.removeprefix('a ')} left blank: {examples}")
        else:
            for i, v in bad:
                problems.append(Problem(frame.name, frame.row_numbers[i], column, as_text(v),
                                        f"{expected} (mapping: {where}; invalid: blank there leaves such values blank)"))
                out[i] = None
    return out


def table_order(mapping: Mapping) -> list[str]:
    """Tables in the order they are built: accounts first unless derived, derived ones last."""
    names = [t for t in mapping.spec.tables if t in TABLES]
    return sorted(names, key=lambda t: (t != "accounts", bool(mapping.spec.tables[t].derive and t != "accounts"), names.index(t)))


def build_tables(mapping: Mapping, frames: list[Frame], *, pins: dict[str, list[Path]] | None = None,
                 date_format: str | None = None) -> Outcome:
    """The contract's tables from the frames, by the mapping.

    Raises
    ------
    InputError
        A pinned export lacks a mapped column, a required table has no source, or values
        cannot be read; every problem at once.
    """
    spec = mapping.spec
    assigned, unused, problems = assign_frames(mapping, frames, pins or {})
    if date_format is not None:
        bad: list[Problem] = []
        check_date_format(date_format, ("--date-format",), lambda loc, v, e: bad.append(Problem("--date-format", None, None, v, e)))
        problems += bad
    # tables that no export feeds
    absent: dict[str, str] = {}
    taken = {f.name for pairs in assigned.values() for f, _ in pairs}
    for table, t in spec.tables.items():
        if table in assigned or table not in TABLES:
            continue
        near = _nearest(mapping, table, frames, taken)
        if t.derive:
            absent[table] = near
            continue
        named = any(isinstance(p, MappingProblem) and str(p.column or "").startswith(f"tables.{table}.") for p in problems)
        if t.columns and not t.optional and not named:
            problems.append(Problem(mapping.name, None, None, None,
                                    f"an export for the table {table} among the sources ({near})"))
        else:
            absent[table] = near
    # phase A: raw cells of every target of every frame
    cells: dict[tuple[str, tuple], _Cells] = {}
    by_name: dict[str, Frame] = {}
    for table, pairs in assigned.items():
        for frame, fit in pairs:
            by_name[frame.name] = frame
            for loc, plan in fit.plans.items():
                rule = next((r for lc, _, r in _targets(table, spec.tables[table]) if lc == loc), None)
                cells[(frame.name, loc)] = _extract(plan, frame, rule)
    # phase B: date formats
    dates = _resolve_dates(cells, by_name, mapping, date_format)
    problems += dates.problems
    # phase C: values read for their kind
    converted: dict[tuple[str, tuple], list[object]] = {}
    notes_of: dict[str, list[str]] = defaultdict(list)
    for key, c in cells.items():
        frame = by_name[key[0]]
        table = key[1][1]
        converted[key] = _convert(c, frame, mapping, dates, key, problems, notes_of[table])
    if problems:
        raise InputError(problems)
    # phase D: tables
    outcome = Outcome(tables={}, unused=unused, frames={t: [f for f, _ in p] for t, p in assigned.items()}, absent=absent)
    raw: dict[str, _Raw] = {}
    for table in table_order(mapping):
        if table in assigned:
            raw[table] = _assemble(table, spec.tables[table], assigned[table], cells, converted, notes_of[table])
    _finish(mapping, raw, outcome)
    return outcome


def _nearest(mapping: Mapping, table: str, frames: list[Frame], taken: set[str] | frozenset = frozenset()) -> str:
    """Why no export fits ``table``, in words: the nearest export no other table took, and
    what it lacks."""
    t = mapping.spec.tables[table]
    if not t.columns:
        return "derived"
    fits = [(f, fit_frame(table, t, f)) for f in frames if f.name not in taken]
    open_fits = [(f, fit) for f, fit in fits if fit.excluded is None]
    if not open_fits:
        return "none of the sources is such an export"
    f, fit = max(open_fits, key=lambda p: p[1].score)
    if not fit.score:
        return "none of the sources is such an export"
    lacks = sorted({m.wanted[0] for m in fit.missing})
    return f"nearest: {f.name}, which lacks {', '.join(repr(w) for w in lacks)}"


@dataclass
class _Raw:
    """A table's rows as columns of read values, with where each row came from."""

    table: str
    data: dict[str, list[object]]
    origins: list[tuple[str, int]]
    read: int
    sources: list[str]
    columns: dict[str, str]
    values: list[str]
    notes: list[str]
    lookups: list[bool]
    stages: dict[str, object] = field(default_factory=dict)


def _assemble(table: str, t: TableSpec, pairs: list[tuple[Frame, Fit]], cells, converted, notes: list[str]) -> _Raw:
    names = [c.name for c in TABLES[table].columns]
    data: dict[str, list[object]] = defaultdict(list)
    origins: list[tuple[str, int]] = []
    lookups: list[bool] = []
    columns: dict[str, str] = {}
    values: list[str] = []
    for frame, fit in pairs:
        n = len(frame.rows)
        offset = len(origins)
        origins += [(frame.name, r) for r in frame.row_numbers]
        for loc, plan in fit.plans.items():
            section, col = loc[2], loc[3]
            key = col if section == "columns" else f"{section}.{col}"
            got = converted[(frame.name, loc)]
            data[key] += [None] * (offset - len(data[key]))  # a column the earlier exports lacked
            data[key] += got
            c = cells[(frame.name, loc)]
            shown = plan.shown + (" (the fallback)" if plan.fallback else "")
            if c.sf_changed:
                shown += f"; {c.sf_changed} 15-character Salesforce id(s) made 18"
            if plan.spec.first_of:
                shown += f"; first of the {plan.spec.first_of!r}-separated values"
            if section != "stages":
                columns.setdefault(key, shown)
            if c.mapped and section != "stages":
                values.append(_mapped_line(key, c.mapped))
            if key == "account_id":
                lookups += [plan.spec.lookup == "account_name"] * n
        for key in list(data):
            if len(data[key]) < len(origins):
                data[key] += [None] * (len(origins) - len(data[key]))
        if len(lookups) < len(origins):
            lookups += [False] * (len(origins) - len(lookups))
        lookups = lookups[:len(origins)]
    for name in names:
        data.setdefault(name, [None] * len(origins))
    return _Raw(table, dict(data), origins, len(origins), [f.name for f, _ in pairs], columns, values, notes, lookups)


def _mapped_line(column: str, mapped: Counter) -> str:
    """``level: 'Chief Executive Officer' -> executive (3), ...``."""
    by_dst: dict[object, Counter] = defaultdict(Counter)
    for (src, dst, _hit), n in mapped.items():
        by_dst[dst][src] += n
    parts = []
    for dst, srcs in sorted(by_dst.items(), key=lambda kv: -sum(kv[1].values())):
        shown = ", ".join(f"{s!r}" + (f" x{n}" if n > 1 else "") for s, n in srcs.most_common(4))
        more = f" and {len(srcs) - 4} more" if len(srcs) > 4 else ""
        parts.append(f"{'blank' if dst is None else dst} <- {shown}{more}")
    return f"{column}: " + "; ".join(parts)


# --- rows: stages, lookups, derived tables, drops -----------------------------------------------
def _classify_stages(raw: _Raw, t: TableSpec) -> None:
    """Stage names to won / lost / the open stage's name; default probabilities filled."""
    st = t.stages
    stage = raw.data.get("stage", [])
    prob = raw.data.get("probability", [None] * len(stage))
    won_flag = raw.data.pop("stages.won_flag", None)
    closed_flag = raw.data.pop("stages.closed_flag", None)
    won = {s.casefold() for s in (st.won if st else ())} | {"won"}
    lost = {s.casefold() for s in (st.lost if st else ())} | {"lost"}
    open_defaults = {k.casefold(): v for k, v in (st.open if st else {}).items()}
    counts: dict[str, Counter] = {"won": Counter(), "lost": Counter(), "open": Counter(), "unknown": Counter(), "guessed": Counter()}
    filled: Counter = Counter()
    no_prob = 0
    out_stage, out_prob = [], []
    for i, s in enumerate(stage):
        name = None if s is None else str(s)
        key = name.casefold() if name else ""
        flag_won = won_flag[i] == "true" if won_flag else None
        flag_closed = closed_flag[i] == "true" if closed_flag else None
        p = prob[i] if i < len(prob) else None
        if flag_won:
            cls = "won"
        elif flag_closed is True and key not in won:
            cls = "lost"
        elif key in won:
            cls = "won"
        elif key in lost:
            cls = "lost"
        elif flag_closed is False or key in open_defaults:
            cls = "open"
        elif name and st is not None and st.guess and re.search(r"\bwon\b", key):
            cls = "won"
            counts["guessed"][f"{name} -> won"] += 1
        elif name and st is not None and st.guess and re.search(r"\blost\b", key):
            cls = "lost"
            counts["guessed"][f"{name} -> lost"] += 1
        else:
            cls = "open"
            if name:
                counts["unknown"][name] += 1
        if name:
            counts[cls][name] += 1
        if cls in CLOSED_STAGES:
            out_stage.append(cls)
            out_prob.append(p if p is not None else (1.0 if cls == "won" else 0.0))
        else:
            out_stage.append(name)
            if p is None and key in open_defaults and open_defaults[key] is not None:
                p = open_defaults[key]
                filled[f"{name} {p:g}"] += 1
            elif p is None and name:
                no_prob += 1
            out_prob.append(p)
    raw.data["stage"] = out_stage
    raw.data["probability"] = out_prob
    for cls in ("won", "lost", "open"):
        if counts[cls]:
            shown = ", ".join(f"{k!r} ({n})" for k, n in counts[cls].most_common(SHOWN))
            more = f" and {len(counts[cls]) - SHOWN} more" if len(counts[cls]) > SHOWN else ""
            label = {"won": "won", "lost": "lost", "open": "open (kept by name)"}[cls]
            raw.values.append(f"stage -> {label}: {shown}{more}")
    if counts["guessed"]:
        raw.values.append("stage: unknown stages taken by their name: " + ", ".join(
            f"{k} ({n})" for k, n in counts["guessed"].most_common(SHOWN)) + " (list them under stages: won/lost to be explicit)")
    if counts["unknown"]:
        raw.notes.append("stages the mapping does not know, kept as open stages: " + ", ".join(
            f"{k!r} ({n})" for k, n in counts["unknown"].most_common(SHOWN))
            + " (if one of them is closed, list it under stages: won or lost in a mapping)")
    if filled:
        raw.values.append(f"probability: {sum(filled.values())} open opportunity(ies) without one took their stage's default: "
                          + ", ".join(f"{k} ({n})" for k, n in filled.most_common(SHOWN)))
    if no_prob:
        raw.notes.append(f"{no_prob} open opportunity(ies) have no probability and no default for their stage: they count 0 in "
                         "the weighted pipeline (add the stage under stages: open: with a probability)")


def _drop(raw: _Raw, keep: list[bool], reason: str, dropped: dict[str, list[tuple[str, int]]]) -> None:
    gone = [o for o, k in zip(raw.origins, keep) if not k]
    if not gone:
        return
    dropped.setdefault(reason, []).extend(gone)
    raw.data = {k: [v for v, kk in zip(vals, keep) if kk] for k, vals in raw.data.items()}
    raw.origins = [o for o, k in zip(raw.origins, keep) if k]
    raw.lookups = [x for x, k in zip(raw.lookups, keep) if k]


def _derive_accounts(raw: dict[str, _Raw], t: TableSpec, notes: list[str]) -> _Raw:
    names = [c.name for c in TABLES["accounts"].columns]
    first: dict[str, dict[str, object]] = {}
    origin: dict[str, tuple[str, int]] = {}
    for child in t.derive_from:
        r = raw.get(child)
        if r is None:
            continue
        carried = {col: r.data[f"account.{col}"] for col in names[1:] if f"account.{col}" in r.data}
        for i, acc in enumerate(r.data.get("account_id", [])):
            if acc is None:
                continue
            rec = first.setdefault(acc, {})
            origin.setdefault(acc, r.origins[i])
            for col, values in carried.items():
                if rec.get(col) is None and values[i] is not None:
                    rec[col] = values[i]
    data: dict[str, list[object]] = {c: [] for c in names}
    unnamed = 0
    for acc, rec in first.items():
        data["account_id"].append(acc)
        for col in names[1:]:
            data[col].append(rec.get(col))
        if data["account_name"][-1] is None:
            data["account_name"][-1] = acc
            unnamed += 1
    if unnamed:
        notes.append(f"{unnamed} account(s) have no name in the exports: their id is their name")
    return _Raw("accounts", data, [origin[a] for a in first], 0, [], {}, [], [], [False] * len(first))


def _derive_revenue(opp: _Raw) -> tuple[_Raw, dict[str, list[tuple[str, int]]]]:
    data: dict[str, list[object]] = {c.name: [] for c in TABLES["revenue"].columns}
    data["derived_from"] = []
    origins = []
    dropped: dict[str, list[tuple[str, int]]] = {}
    blank = [None] * len(opp.origins)
    centers, offerings = opp.data.get("buying_center", blank), opp.data.get("offering", blank)
    for i, stage in enumerate(opp.data["stage"]):
        if stage != "won":
            continue
        amount, day = opp.data["amount"][i], opp.data["close_date"][i]
        if amount is None or day is None:
            reason = "won opportunities without an amount" if amount is None else "won opportunities without a close date"
            dropped.setdefault(reason, []).append(opp.origins[i])
            continue
        data["account_id"].append(opp.data["account_id"][i])
        data["period"].append(day)
        data["amount"].append(amount)
        data["buying_center"].append(centers[i])
        data["offering"].append(offerings[i])
        data["gross_margin"].append(None)
        data["derived_from"].append(f"won opportunity {opp.data['opportunity_id'][i]}")
        origins.append(opp.origins[i])
    return _Raw("revenue", data, origins, 0, [], {}, [], [], [False] * len(origins)), dropped


def _key_of(table: str, data: dict[str, list[object]], i: int) -> tuple | None:
    key = TABLES[table].key
    if not key:
        return None
    out = []
    for k in key:
        v = data.get(k, [None])[i] if i < len(data.get(k, [])) else None
        out.append(parse_period(v) if k == "period" and v is not None else v)
    return tuple(out)


def _finish(mapping: Mapping, raw: dict[str, _Raw], outcome: Outcome) -> None:
    """Rows: stages, derived accounts, lookups, required values, unknown accounts, keys,
    derived revenue; then each table as a frame of text and numbers."""
    spec = mapping.spec
    dropped: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(dict)
    derived: dict[str, str] = {}
    if "opportunities" in raw:
        _classify_stages(raw["opportunities"], spec.tables["opportunities"])
    acc_spec = spec.tables.get("accounts")
    if "accounts" not in raw and acc_spec is not None and acc_spec.derive == "accounts_of":
        # lookups by name cannot run without accounts: the name is the id
        for r in raw.values():
            if any(r.lookups):
                outcome.notes.append(f"{r.table}: no accounts export to find account names in: the account name is the id")
        raw["accounts"] = _derive_accounts(raw, acc_spec, outcome.notes)
        derived["accounts"] = f"{DERIVATIONS['accounts_of'][1]}: from {', '.join(c for c in acc_spec.derive_from if c in raw)}"
    accounts = raw.get("accounts")
    if accounts is not None:
        for col in TABLES["accounts"].required:
            _drop(accounts, [v is not None for v in accounts.data[col]], drop_reason(col), dropped["accounts"])
        ids = set(accounts.data["account_id"])
        by_name: dict[str, set[str]] = defaultdict(set)
        for acc, name in zip(accounts.data["account_id"], accounts.data["account_name"]):
            if name is not None:
                by_name[str(name).casefold()].add(acc)
        for r in raw.values():
            if r.table == "accounts" or not any(r.lookups) or "accounts" in derived:
                continue
            found, keep, ambiguous = [], [], []
            for v, look in zip(r.data["account_id"], r.lookups):
                if look and v is not None:
                    hits = by_name.get(str(v).casefold(), set())
                    found.append(next(iter(hits)) if len(hits) == 1 else None)
                    keep.append(len(hits) == 1)
                    ambiguous.append(len(hits) > 1)
                else:
                    found.append(v)
                    keep.append(True)
                    ambiguous.append(False)
            r.data["account_id"] = found
            matched = sum(1 for v, look in zip(found, r.lookups) if look and v is not None)
            r.values.append(f"account_id: {matched} row(s) found by account name in accounts")
            _drop(r, [not a for a in ambiguous], "whose account name is shared by several accounts", dropped[r.table])
            _drop(r, [k for k, a in zip(keep, ambiguous) if not a], "whose account name is not in accounts", dropped[r.table])
    # rows without a required value, then rows for accounts not listed
    for name, r in raw.items():
        for col in TABLES[name].required:
            _drop(r, [v is not None for v in r.data.get(col, [])], drop_reason(col), dropped[name])
        if accounts is not None and name != "accounts" and TABLES[name].has_account_id:
            unknown = Counter(v for v in r.data["account_id"] if v not in ids)
            if unknown:
                r.notes.append("account ids not in accounts: " + ", ".join(
                    f"{k!r} ({n} row{'s' if n > 1 else ''})" for k, n in unknown.most_common(SHOWN))
                    + (f" and {len(unknown) - SHOWN} more" if len(unknown) > SHOWN else ""))
            _drop(r, [v in ids for v in r.data["account_id"]], "for an account not in accounts", dropped[name])
    # a key given twice: the first row is kept
    for name, r in raw.items():
        if not TABLES[name].key:
            continue
        seen: set = set()
        keep = []
        for i in range(len(r.origins)):
            k = _key_of(name, r.data, i)
            keep.append(k not in seen)
            seen.add(k)
        words = ", ".join(TABLES[name].key)
        _drop(r, keep, f"with the same {words} as an earlier row (the first is kept)", dropped[name])
    rev_spec = spec.tables.get("revenue")
    if "revenue" not in raw and rev_spec is not None and rev_spec.derive == "won_opportunities" and "opportunities" in raw:
        raw["revenue"], gone = _derive_revenue(raw["opportunities"])
        dropped["revenue"].update(gone)
        derived["revenue"] = f"{DERIVATIONS['won_opportunities'][1]} (bookings, not invoiced revenue)"
    for name in [t for t in spec.tables if t in raw]:
        r = raw[name]
        outcome.tables[name] = TableOutcome(
            name=name, frame=_frame_of(name, mapping.spec.tables[name], r), origins=r.origins, sources=r.sources,
            read=r.read, derived=derived.get(name), dropped=dropped.get(name, {}), columns=r.columns,
            values=r.values, notes=r.notes)


def _frame_of(name: str, t: TableSpec, r: _Raw) -> pd.DataFrame:
    """The rows as the contract's columns (then kept ones), numbers as floats, text as text."""
    rules = TABLES[name].columns
    cols: dict[str, pd.Series] = {}
    for rule in rules:
        values = r.data.get(rule.name, [None] * len(r.origins))
        if rule.kind in ("number", "int"):
            cols[rule.name] = pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
        else:
            cols[rule.name] = pd.Series(values, dtype=object)
    for extra in list(t.keep) + (["derived_from"] if "derived_from" in r.data else []):
        cols[extra] = pd.Series(r.data.get(f"keep.{extra}", r.data.get(extra, [None] * len(r.origins))), dtype=object)
    return pd.DataFrame(cols, index=pd.RangeIndex(len(r.origins)))
