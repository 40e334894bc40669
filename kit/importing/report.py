"""The summary of an import, for a consultant deciding whether to trust it.

Per source: which table it fed and what was skipped (a footer, title rows, total rows).
Per table: rows read, written, dropped (by reason, with their rows), where each column
came from, values mapped (stages to won/lost/open, titles to levels, roles), and notes.
Then what the contract wants that the sources lack, each with what it costs the report
(:data:`LACKING`), and the result of the kit's own check of the written folder.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from kit.errors import printable
from kit.importing.transform import SHOWN, Outcome, TableOutcome
from kit.schema import TABLES

__all__ = ["LACKING", "lacking", "render", "rows_text"]

#: (table, columns, what the report cannot show without them): a table left out when
#: columns is empty, else columns all blank (or not mapped)
LACKING: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("targets", (), ("no targets: revenue attainment is unknown; hygiene is judged on growth against the four quarters "
                    "before (ask the client for quarterly targets: kit template)")),
    ("assessment", (), "no assessment: the health index is unknown until the workshop (kit questionnaire, kit ingest)"),
    ("contacts", (), "no contacts: executives, decision makers, advocates and stakeholder coverage are unknown"),
    ("opportunities", (), "no opportunities: pipeline, win rate and pipeline coverage are unknown"),
    ("activities", (), "no activities: proposals, referrals and executive meetings are unknown"),
    ("surveys", (), "no surveys: NPS and CSAT are unknown"),
    ("accounts", ("wallet_estimate",), ("no wallet estimate: whitespace figures (share of wallet, unaddressed potential) "
                                       "will be unknown")),
    ("accounts", ("market_growth", "market_share"), ("no market growth or share: every account's market position "
                                                    "(BCG quadrant) will be unclassified")),
    ("accounts", ("account_manager",), "no account manager: account-manager load cannot be computed"),
    ("revenue", ("buying_center",), ("no buying center on revenue: all revenue is 'Unspecified', so buying-center breadth "
                                    "(categories, concentration, expansion into new buying centers) cannot be seen")),
    ("revenue", ("offering",), "no offering on revenue: offering concentration and cross-sell cannot be seen"),
    ("revenue", ("gross_margin",), "no gross margin: margin figures and long-term value are unknown"),
    ("contacts", ("level",), "no contact levels: no contact counts as an executive (executive coverage reads 0)"),
    ("contacts", ("role",), "no contact roles: no decision makers are counted (every account looks single-threaded)"),
    ("contacts", ("advocate",), "no advocates marked: advocate counts read 0"),
    ("opportunities", ("amount",), "no opportunity amounts: pipeline values are 0"),
    ("opportunities", ("close_date",), "no close dates: win rates and won value by quarter are unknown"),
    ("opportunities", ("competitive",), "no competitive flag on opportunities: the sole-sourced share is unknown"),
)


def _blank(df: pd.DataFrame, column: str) -> bool:
    return column not in df or df[column].isna().all()


def lacking(outcome: Outcome) -> list[str]:
    """What the contract wants that the sources lack, in words (see :data:`LACKING`)."""
    out = []
    for table, columns, text in LACKING:
        made = outcome.tables.get(table)
        if not columns:
            if made is None or not len(made.frame):
                out.append(text)
        elif made is not None and len(made.frame) and any(_blank(made.frame, c) for c in columns):
            out.append(text)
    return out


def rows_text(origins: list[tuple[str, int]]) -> str:
    """``rows 3, 17 of opps.csv; row 5 of deals.csv`` (at most :data:`SHOWN` rows, the rest counted)."""
    by_file: dict[str, list[int]] = defaultdict(list)
    for name, row in origins:
        by_file[name].append(row)
    parts, shown = [], 0
    for name, rows in by_file.items():
        take = rows[: max(0, SHOWN - shown)]
        shown += len(take)
        if take:
            more = f" and {len(rows) - len(take):,} more" if len(rows) > len(take) else ""
            parts.append(f"row{'s' if len(rows) > 1 else ''} {', '.join(map(str, take))}{more} of {name}")
        else:
            parts.append(f"{len(rows):,} rows of {name}")
    return "; ".join(parts)


def _table_lines(t: TableOutcome, absent: str | None) -> list[str]:
    lines = []
    written = len(t.frame)
    dropped = sum(len(o) for o in t.dropped.values())
    if t.derived:
        lines.append(f"  {t.name}: {written:,} row(s) derived: {t.derived}")
    else:
        lines.append(f"  {t.name}: {t.read:,} row(s) read from {', '.join(t.sources)}; {written:,} written"
                     + (f", {dropped:,} dropped" if dropped else ""))
    for col, where in t.columns.items():
        if not col.startswith(("account.", "keep.")):
            lines.append(f"      {col} <- {where}")
    kept = [f"{c.split('.', 1)[1]} <- {w}" for c, w in t.columns.items() if c.startswith("keep.")]
    if kept:
        lines.append(f"      kept beside the contract's columns: {'; '.join(kept)}")
    for reason, origins in t.dropped.items():
        lines.append(f"      dropped {len(origins):,} row(s) {reason}: {rows_text(origins)}")
    for v in t.values:
        lines.append(f"      mapped {v}")
    for n in dict.fromkeys(t.notes):
        lines.append(f"      note: {n}")
    return lines


def render(outcome: Outcome, *, mapping_text: str, out: str, dry_run: bool, check: str,
           written: list[str] | None = None, notes: list[str] | None = None) -> str:
    """The summary as printed (and written to ``import-summary.txt``)."""
    lines = [f"kit import with {mapping_text}"]
    if dry_run:
        lines.append("Dry run: nothing was written; this is what kit import would do.")
    lines.append("Sources:")
    used = {f.name: t for t, frames in outcome.frames.items() for f in frames}
    frames = {f.name: f for fs in outcome.frames.values() for f in fs}
    for name, table in used.items():
        f = frames[name]
        extra = "; ".join(f.notes)
        lines.append(f"  {name} -> {table}: {len(f.rows):,} row(s)" + (f" ({extra})" if extra else ""))
    for f, why in outcome.unused:
        lines.append(f"  {f.name}: not used ({why})")
    lines.append("Tables:")
    made = [n for n in TABLES if n in outcome.tables]
    for name in sorted(made, key=lambda n: bool(outcome.tables[n].derived)):  # read ones first, then derived
        lines += _table_lines(outcome.tables[name], None)
    for name in TABLES:
        if name not in outcome.tables and name in outcome.absent:
            why = outcome.absent[name]
            near = f" ({why})" if why.startswith("nearest") else ""
            lines.append(f"  {name}: no export for it among the sources{near}")
    for n in dict.fromkeys((notes or []) + outcome.notes):
        lines.append(f"  note: {n}")
    missing = lacking(outcome)
    if missing:
        lines.append("What the contract wants that the sources lack:")
        lines += [f"  - {m}" for m in missing]
    lines.append(f"Check: {check}")
    if written:
        lines.append(f"Wrote {', '.join(written)} to {out}")
        lines.append(f"Next: kit run --data {out}")
    return printable("\n".join(lines))
