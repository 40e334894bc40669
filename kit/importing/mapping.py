"""The mapping file: how a client's exports become the contract's tables.

A mapping is YAML, read with the same safety as ``config.yml`` (safe loader, no anchors
or aliases, size-bounded) and validated with pydantic like :mod:`kit.config`; every
problem is listed at once, naming the mapping file, its line and the key.  The shipped
profiles (``kit/importing/profiles/*.yml``) are mapping files like any other::

    name: my-finance-extract
    tables:
      revenue:
        source: {file: "invoices*.csv"}       # which export (default: the one whose header fits)
        columns:
          account_id: Customer No
          period: {column: Invoice Date, date: DD/MM/YYYY}
          amount: {column: Net Amount, number: "1.234,56"}
          offering: {column: Product Line, map: {Consulting: Advisory}}
          buying_center: {value: Unspecified}

A column is a source column's name (or a list of names: the first the export has), or a
mapping with one of ``column``, ``concat`` or ``value`` and the options of
:class:`ColumnSpec`.  The table-level keys are those of :class:`TableSpec`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kit.errors import InputError, Problem, printable, short_repr
from kit.importing.values import enum_word, number_format_of, strftime_of
from kit.schema import TABLES

__all__ = [
    "DERIVATIONS",
    "MAX_MAPPING_BYTES",
    "ColumnSpec",
    "Mapping",
    "MappingProblem",
    "MappingSpec",
    "SourceSpec",
    "StagesSpec",
    "TableSpec",
    "check_date_format",
    "load_mapping",
    "load_profile",
    "mapping_from_text",
    "profile_names",
    "profile_text",
]

#: a mapping file is a few hundred lines; anything far larger is not one
MAX_MAPPING_BYTES = 256 * 1024

#: derived tables: name -> (the table it makes, what it does, in the summary's words)
DERIVATIONS: dict[str, tuple[str, str]] = {
    "won_opportunities": ("revenue", "each won opportunity's amount booked in the quarter of its close date"),
    "accounts_of": ("accounts", "the accounts the other tables name (ids, and names where the exports carry them)"),
}


def _names(v: Any) -> Any:
    """One name or a list of names, as a tuple."""
    if isinstance(v, str):
        return (v,)
    return tuple(v) if isinstance(v, list) else v


class ColumnSpec(BaseModel):
    """Where one contract column's values come from, and how they are read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: tuple[str, ...] = Field((), description="source column; a list: the first one the export has")
    concat: tuple[str, ...] = Field((), description="source columns joined with `sep` (blanks left out)")
    sep: str = Field(" ", max_length=10, description="separator of `concat`")
    value: str | float | bool | None = Field(None, description="a constant for every row")
    date: str | None = Field(None, description="date format, e.g. DD/MM/YYYY or %d/%m/%Y (default: found from the values)")
    number: str | None = Field(None, description="number format by example, e.g. '1.234,56' (default: found from the values)")
    percent: bool | Literal["auto"] | None = Field(None, description="true: values are percentages (40 = 0.4); auto: when any exceeds 1")
    map: dict[str, str | float | bool | None] | None = Field(None, description="source value -> contract value (case-insensitive)")
    keywords: dict[str, tuple[str, ...]] | None = Field(None, description="contract value -> words; the first value whose word the text holds")
    otherwise: str | None = Field(None, description="value for a text that neither `map` nor `keywords` knows (default: blank)")
    first_of: str | None = Field(None, max_length=5, description="split the text on this and keep the first part ('123;456' -> '123')")
    salesforce_id: bool = Field(False, description="15-character Salesforce ids turned into their 18-character form")
    lookup: Literal["account_name"] | None = Field(None, description="the text is an account name: use that account's id")
    fill_down: bool | Literal["formatted"] = Field(False, description="a blank cell takes the value above (grouped reports); "
                                                                       "'formatted': only in a report with title rows")
    optional: bool = Field(False, description="the export may lack this column (the contract column is left blank)")
    invalid: Literal["error", "blank"] = Field("error", description="a value that cannot be read: an error, or left blank and counted")
    fallback: ColumnSpec | None = Field(None, description="used when the export has none of `column`")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, (str, list)):
            return {"column": v}
        return v

    @field_validator("column", "concat", mode="before")
    @classmethod
    def _tuple(cls, v: Any) -> Any:
        return _names(v)

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords(cls, v: Any) -> Any:
        return {k: _names(w) for k, w in v.items()} if isinstance(v, dict) else v

    @field_validator("map", mode="before")
    @classmethod
    def _map_keys(cls, v: Any) -> Any:
        # YAML reads `Yes:` or `1:` as a boolean or number key: the source value is text
        return {("true" if k is True else "false" if k is False else str(k)): w for k, w in v.items()} \
            if isinstance(v, dict) else v

    @property
    def kind(self) -> str:
        """Where values come from: column, concat or value."""
        if self.concat:
            return "concat"
        if "value" in self.model_fields_set:
            return "value"
        return "column"

    def source_columns(self) -> tuple[str, ...]:
        """Every source column this spec may read (its fallback's too)."""
        own = self.concat or self.column
        return own + (self.fallback.source_columns() if self.fallback else ())


class SourceSpec(BaseModel):
    """Which export feeds a table (default: every source whose header has the table's columns)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: tuple[str, ...] = Field((), description="file name pattern(s), e.g. 'invoices*.csv' (case-insensitive)")
    sheet: tuple[str, ...] = Field((), description="sheet name(s) of a workbook")
    headers: tuple[str, ...] = Field((), description="the export's header has all of these")
    not_headers: tuple[str, ...] = Field((), description="the export's header has none of these")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        return {"file": v} if isinstance(v, (str, list)) else v

    @field_validator("file", "sheet", "headers", "not_headers", mode="before")
    @classmethod
    def _tuple(cls, v: Any) -> Any:
        return _names(v)


class StagesSpec(BaseModel):
    """Opportunity stages: which names are won and lost; open stages' default probability."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    won: tuple[str, ...] = Field((), description="stage names that mean won")
    lost: tuple[str, ...] = Field((), description="stage names that mean lost")
    open: dict[str, float | None] = Field(default_factory=dict, description="open stage -> default probability 0-1 "
                                                                             "(used where the export has none)")
    won_flag: ColumnSpec | None = Field(None, description="a true/false source column that marks won opportunities")
    closed_flag: ColumnSpec | None = Field(None, description="a true/false source column that marks closed opportunities")
    guess: bool = Field(True, description="an unknown stage named like won or lost ('Closed Won - Renewal') is taken as such")

    @field_validator("won", "lost", mode="before")
    @classmethod
    def _tuple(cls, v: Any) -> Any:
        return _names(v)


class TableSpec(BaseModel):
    """One contract table: its source, its columns, and what else the export carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    optional: bool = Field(False, description="no error when no export fits this table (profiles: the client may not have it)")
    source: SourceSpec = Field(default_factory=SourceSpec)
    columns: dict[str, ColumnSpec] = Field(default_factory=dict, description="contract column -> where its values come from")
    account: dict[str, ColumnSpec] = Field(default_factory=dict, description="account columns the export carries "
                                                                             "(for accounts derived from it)")
    keep: dict[str, ColumnSpec] = Field(default_factory=dict, description="extra columns written beside the contract's")
    stages: StagesSpec | None = None
    derive: Literal["won_opportunities", "accounts_of"] | None = Field(None, description="derived when no export fits")
    derive_from: tuple[str, ...] = Field((), description="accounts_of: the tables whose accounts are listed")

    @field_validator("derive_from", mode="before")
    @classmethod
    def _tuple(cls, v: Any) -> Any:
        return _names(v)


class MappingSpec(BaseModel):
    """A whole mapping file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("", max_length=80, description="shown in the summary")
    description: str = Field("", max_length=2000)
    date_format: str | None = Field(None, description="date format of every date column that does not name one")
    tables: dict[str, TableSpec] = Field(description="contract table -> how it is made")


@dataclass(frozen=True)
class Mapping:
    """A validated mapping and where it came from (for messages that name a line)."""

    spec: MappingSpec
    name: str
    path: Path | None
    lines: dict[tuple, int] = field(default_factory=dict)
    sha256: str = ""
    profile: str | None = None

    def line(self, *loc: object) -> int | None:
        """The line of the deepest key of ``loc`` the file has."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return None

    def where(self, *loc: object) -> str:
        """``mapping.yml line 12, key tables.revenue.columns.amount`` for a message."""
        line = self.line(*loc)
        dotted = ".".join(str(p) for p in loc)
        return f"{self.name}{f' line {line}' if line else ''}, key {dotted}"


@dataclass(frozen=True)
class MappingProblem(Problem):
    """A problem of a mapping file: named by its line and key (``row`` holds the line)."""

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"line {self.row}")
        if self.column:
            where.append(f"key {self.column}")
        text = ", ".join(where)
        if self.value is not None:
            shown = str(short_repr(self.value))
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            text += f": value {shown!r}"
        return printable(f"{text}: expected {self.expected}")


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------
def _key_lines(text: str) -> dict[tuple, int]:
    """Line (1-based) of every key and list item of a YAML document, by its path."""
    out: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
                out[path + (key,)] = k.start_mark.line + 1
                walk(v, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                out[path + (i,)] = item.start_mark.line + 1
                walk(item, path + (i,))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    if root is not None:
        walk(root, ())
    return out


def mapping_from_text(text: str, *, name: str, path: Path | None = None, profile: str | None = None) -> Mapping:
    """A mapping from its YAML text (``name``: the file as messages call it).

    Raises
    ------
    InputError
        Not YAML, anchors or aliases, unknown keys, values of the wrong type, or rules of
        the contract broken (a column the table does not have, a required column not
        mapped); every problem with its line.
    """
    import hashlib

    from kit.importing.kitapi import alias_error, safe_yaml

    if len(text.encode("utf-8")) > MAX_MAPPING_BYTES:
        raise InputError([Problem(name, None, None, None, f"a mapping file of at most {MAX_MAPPING_BYTES // 1024} KiB")])
    try:
        raw = safe_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError([MappingProblem(name, line, None, None, f"valid YAML ({printable(str(exc))[:300]})".replace("\n", " "))]) from None
    except alias_error() as exc:
        raise InputError([MappingProblem(name, exc.line, None, None, "plain values, without YAML anchors and aliases "
                                  "(&name / *name): write each value out")]) from None
    if not isinstance(raw, dict):
        raise InputError([Problem(name, None, None, short_repr(raw), "a mapping with the key tables:")])
    lines = _key_lines(text)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        spec = MappingSpec(**raw)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, name, lines)) from None
    mapping = Mapping(spec=spec, name=name, path=path, lines=lines, sha256=sha, profile=profile)
    problems = check_mapping(mapping)
    if problems:
        raise InputError(problems)
    return mapping


def load_mapping(path: str | Path) -> Mapping:
    """A mapping file, validated (see :func:`mapping_from_text`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path.name, None, None, str(path), "an existing mapping file (.yml)")])
    if path.stat().st_size > MAX_MAPPING_BYTES:
        raise InputError([Problem(path.name, None, None, None, f"a mapping file of at most {MAX_MAPPING_BYTES // 1024} KiB "
                                                               f"(it is {path.stat().st_size:,} bytes)")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(path.name, None, None, None, "a UTF-8 text file")]) from None
    return mapping_from_text(text, name=path.name, path=path)


def profile_names() -> list[str]:
    """The shipped profiles' names."""
    folder = resources.files("kit.importing") / "profiles"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))


def profile_text(name: str) -> str:
    """A shipped profile's YAML text (to read or copy)."""
    from kit.errors import UsageError

    if name not in profile_names():
        near = difflib.get_close_matches(name, profile_names(), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise UsageError(f"no profile named {name!r}{hint}; the kit has: {', '.join(profile_names())}")
    return (resources.files("kit.importing") / "profiles" / f"{name}.yml").read_text(encoding="utf-8")


def load_profile(name: str) -> Mapping:
    """A shipped profile, validated like a user's mapping."""
    return mapping_from_text(profile_text(name), name=f"profile {name} ({name}.yml)", profile=name)


def _pydantic_problems(exc: ValidationError, name: str, lines: dict[tuple, int]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _TYPE_TAGS))
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = None
        probe = loc
        while probe and line is None:
            line = lines.get(probe)
            probe = probe[:-1]
        if err["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            known = ", ".join(parent.model_fields) if parent else ""
            near = difflib.get_close_matches(str(loc[-1]), list(parent.model_fields) if parent else [], n=1)
            hint = f"did you mean {near[0]}? " if near else ""
            expected = f"a known key ({hint}keys here: {known})"
        elif err["type"] == "missing":
            expected = "this key (it is required)"
        else:
            expected = str(err["msg"]).removeprefix("Input should be ").removeprefix("Value error, ")
        value = err.get("input")
        shown = None if isinstance(value, (dict, list)) or err["type"] == "missing" else short_repr(value)
        problems.append(MappingProblem(name, line, key, shown, expected))
    return problems


#: pydantic's names for the branches of a union, left out of the key a message names
_TYPE_TAGS = {"str", "float", "bool", "int", "none", "literal['auto']", "literal['formatted']", "function-before[_shorthand(), ColumnSpec]"}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class whose keys sit at ``loc`` (for 'keys here: ...' in a message)."""
    model: type[BaseModel] = MappingSpec
    i = 0
    while i < len(loc):
        part = loc[i]
        if model is MappingSpec and part == "tables":
            model, i = TableSpec, i + 2
        elif model is TableSpec and part in ("columns", "account", "keep"):
            model, i = ColumnSpec, i + 2
        elif model is TableSpec and part == "source":
            model, i = SourceSpec, i + 1
        elif model is TableSpec and part == "stages":
            model, i = StagesSpec, i + 1
        elif model is StagesSpec and part in ("won_flag", "closed_flag"):
            model, i = ColumnSpec, i + 1
        elif model is ColumnSpec and part == "fallback":
            i += 1
        else:
            return None
    return model


# ---------------------------------------------------------------------------------------------
# rules of the contract
# ---------------------------------------------------------------------------------------------
def _did_you_mean(word: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {near[0]}? " if near else ""


_KEEP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,40}")


def check_mapping(mapping: Mapping) -> list[Problem]:
    """The contract's rules for a parsed mapping: tables and columns that exist, required
    columns mapped, options that fit the column's kind, derivations that fit the table."""
    spec = mapping.spec
    problems: list[Problem] = []

    def bad(loc: tuple, value: object, expected: str) -> None:
        problems.append(MappingProblem(mapping.name, mapping.line(*loc), ".".join(str(p) for p in loc), value, expected))

    if spec.date_format is not None:
        check_date_format(spec.date_format, ("date_format",), bad)
    if not spec.tables:
        bad(("tables",), None, "at least one table (accounts and revenue are required by the contract)")
    for table, t in spec.tables.items():
        loc = ("tables", table)
        if table not in TABLES:
            bad(loc, table, f"a table of the contract ({_did_you_mean(table, list(TABLES))}tables: {', '.join(TABLES)})")
            continue
        rule = TABLES[table]
        kinds = {c.name: c for c in rule.columns}
        if not t.columns and not t.derive:
            bad(loc, None, "columns: (the source columns of this table), or derive:")
        if t.columns:
            missing = [c for c in rule.required if c not in t.columns]
            if missing:
                bad(loc + ("columns",), None, f"the contract's required column(s) {', '.join(missing)} mapped "
                                              f"(a column name, or {{value: ...}} for a constant)")
        for col, cs in t.columns.items():
            if col not in kinds:
                bad(loc + ("columns", col), col, f"a column of {table} ({_did_you_mean(col, list(kinds))}"
                                                 f"columns: {', '.join(kinds)})")
                continue
            if cs.optional and kinds[col].required:
                bad(loc + ("columns", col, "optional"), True, f"a column the contract does not require ({col} is required "
                                                              f"in {table}: rows without it are dropped instead)")
            _check_column(cs, kinds[col], loc + ("columns", col), table, bad)
        if t.account:
            if table == "accounts" or not rule.has_account_id:
                bad(loc + ("account",), None, "account: only in a table with account_id other than accounts")
            acc = {c.name: c for c in TABLES["accounts"].columns if c.name != "account_id"}
            for col, cs in t.account.items():
                if col not in acc:
                    bad(loc + ("account", col), col, f"an accounts column ({_did_you_mean(col, list(acc))}columns: {', '.join(acc)})")
                else:
                    _check_column(cs, acc[col], loc + ("account", col), "accounts", bad)
        for col, cs in t.keep.items():
            if col in kinds or not _KEEP_NAME.fullmatch(col):
                bad(loc + ("keep", col), col, "a new column name (letters, digits, _; not a column of the contract)")
            else:
                _check_column(cs, None, loc + ("keep", col), table, bad)
        if t.stages is not None:
            if table != "opportunities":
                bad(loc + ("stages",), None, "stages: only in opportunities")
            for stage, p in t.stages.open.items():
                if p is not None and not 0 <= p <= 1:
                    bad(loc + ("stages", "open", stage), p, "a probability between 0 and 1 (0.4 for 40%)")
            overlap = {s.casefold() for s in t.stages.won} & {s.casefold() for s in t.stages.lost}
            if overlap:
                bad(loc + ("stages",), ", ".join(sorted(overlap)), "a stage in won or in lost, not both")
            for flag in ("won_flag", "closed_flag"):
                fs = getattr(t.stages, flag)
                if fs is not None:
                    _check_column(fs, None, loc + ("stages", flag), table, bad)
        if t.derive:
            target, _ = DERIVATIONS[t.derive]
            if target != table:
                bad(loc + ("derive",), t.derive, f"a derivation of {table} ({t.derive} makes {target})")
            if t.derive == "accounts_of":
                if not t.derive_from:
                    bad(loc + ("derive_from",), None, "the tables whose accounts are listed, e.g. [opportunities, contacts]")
                for i, other in enumerate(t.derive_from):
                    if other not in spec.tables or other == "accounts" or not TABLES.get(other, rule).has_account_id:
                        bad(loc + ("derive_from", i), other, "a table of this mapping with account_id (not accounts)")
            if t.derive == "won_opportunities" and "opportunities" not in spec.tables:
                bad(loc + ("derive",), t.derive, "an opportunities table in the mapping to derive revenue from")
        elif t.derive_from:
            bad(loc + ("derive_from",), None, "derive: accounts_of beside derive_from")
    return problems


def check_date_format(fmt: str, loc: tuple, bad) -> None:
    """Call ``bad(loc, fmt, expected)`` when ``fmt`` is not a date format (DD/MM/YYYY or strptime)."""
    code = strftime_of(fmt)
    if not re.search(r"%[dbBmyY]", code) or re.search(r"%[^dbBmyYHMSIp%]", code):
        bad(loc, fmt, "a date format such as DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, YYYY-MM-DD or %d/%m/%Y")


def _check_column(cs: ColumnSpec, rule, loc: tuple, table: str, bad) -> None:
    """Options that fit the column (``rule``: the contract column, None for extra columns)."""
    kind = rule.kind if rule is not None else "text"
    own = loc
    while own[-1] == "fallback":
        own = own[:-1]
    sources = [k for k in ("column", "concat", "value") if (getattr(cs, k) if k != "value" else cs.kind == "value")]
    if cs.kind == "value" and (cs.column or cs.concat):
        bad(loc, None, "one of column, concat or value (not several)")
    elif not sources:
        bad(loc, None, "column: (a source column), concat: (several) or value: (a constant)")
    if cs.date is not None:
        if kind not in ("date", "period"):
            bad(loc + ("date",), cs.date, f"date: only on a date or period column ({own[-1]} is {kind})")
        else:
            check_date_format(cs.date, loc + ("date",), bad)
    if cs.number is not None:
        if kind not in ("number", "int"):
            bad(loc + ("number",), cs.number, f"number: only on a number column ({own[-1]} is {kind})")
        elif cs.number != "auto" and number_format_of(cs.number) is None:
            bad(loc + ("number",), cs.number, "auto, or an example such as 1,234.56 or 1.234,56 or 1 234,56")
    if cs.percent is not None and kind not in ("number", "int"):
        bad(loc + ("percent",), cs.percent, f"percent: only on a number column ({own[-1]} is {kind})")
    if cs.salesforce_id and kind not in ("id", "text"):
        bad(loc + ("salesforce_id",), True, "salesforce_id: only on an id column")
    if cs.lookup is not None and not (own[-1] == "account_id" and own[-2] == "columns" and table != "accounts"):
        bad(loc + ("lookup",), cs.lookup, "lookup: account_name only on the account_id of a table other than accounts")
    allowed = rule.values if rule is not None and rule.kind == "enum" else None
    if rule is not None and rule.kind == "bool":
        allowed = ("true", "false")
    if cs.map:
        for src, dst in cs.map.items():
            if dst is None:
                continue
            if allowed is not None and enum_word(dst) not in allowed:
                bad(loc + ("map", src), dst, f"one of {', '.join(allowed)} (or empty for blank)")
            elif allowed is None and kind in ("number", "int") and isinstance(dst, str):
                bad(loc + ("map", src), dst, "a number")
    if cs.keywords:
        for dst in cs.keywords:
            if allowed is not None and enum_word(dst) not in allowed:
                bad(loc + ("keywords", dst), dst, f"one of {', '.join(allowed)}")
    if cs.otherwise is not None and allowed is not None and enum_word(cs.otherwise) not in allowed:
        bad(loc + ("otherwise",), cs.otherwise, f"one of {', '.join(allowed)}")
    if cs.kind == "value" and cs.value is not None and allowed is not None and enum_word(cs.value) not in allowed:
        bad(loc + ("value",), cs.value, f"one of {', '.join(allowed)}")
    if cs.fallback is not None:
        if not cs.column:
            bad(loc + ("fallback",), None, "fallback: only beside column: (used when the export has none of them)")
        _check_column(cs.fallback, rule, loc + ("fallback",), table, bad)
