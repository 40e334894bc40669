"""The whole import: exports in, a contract folder out that ``kit validate`` accepts.

Sources are read once and never written.  The tables are first written to a scratch
folder and checked with the kit's own loader; only tables that pass are written to
``--out`` (a problem the loader finds is reported at the export row it came from).  The
folder also gets ``import-summary.txt`` (the summary printed) and
``import-manifest.json`` (the mapping, each source's sha256 and table, each table's rows,
what was derived and what was dropped), so the import can be checked later.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.errors import InputError, Problem, UsageError
from kit.importing.mapping import Mapping, load_mapping, load_profile, profile_names
from kit.importing.report import render
from kit.importing.sources import Frame, read_sources
from kit.importing.transform import Outcome, assign_frames, build_tables
from kit.importing.values import header_key
from kit.schema import REQUIRED_TABLES, TABLES

__all__ = ["MANIFEST_NAME", "SUMMARY_NAME", "ImportResult", "choose_mapping", "parse_sources", "run_import"]

MANIFEST_NAME = "import-manifest.json"
SUMMARY_NAME = "import-summary.txt"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the summary, the files written (none on a dry run)."""

    out: Path
    summary: str
    written: tuple[Path, ...]
    dry_run: bool
    outcome: Outcome


def parse_sources(items: Sequence[str | Path]) -> tuple[list[Path], dict[str, list[Path]]]:
    """Paths, and those pinned to a table with ``TABLE=PATH`` (``revenue=invoices.csv``)."""
    paths: list[Path] = []
    pins: dict[str, list[Path]] = {}
    for item in items:
        text = str(item)
        table, sep, rest = text.partition("=")
        if sep and table in TABLES and rest:
            pins.setdefault(table, []).append(Path(rest))
            paths.append(Path(rest))
        else:
            paths.append(Path(text))
    return paths, pins


def _known_headers(mapping: Mapping) -> set[str]:
    """Every source column a mapping names (to find a header below a report's title)."""
    keys: set[str] = set()
    for t in mapping.spec.tables.values():
        specs = list(t.columns.values()) + list(t.account.values()) + list(t.keep.values())
        if t.stages is not None:
            specs += [s for s in (t.stages.won_flag, t.stages.closed_flag) if s is not None]
        for s in specs:
            keys |= {header_key(c) for c in s.source_columns()}
        keys |= {header_key(h) for h in t.source.headers}
    return keys


def choose_mapping(*, profile: str | None, mapping: str | Path | None, paths: list[Path],
                   pins: dict[str, list[Path]]) -> tuple[Mapping, list[Frame], dict[Path, str], str]:
    """The mapping (the one named, else the profile that recognises most of the exports),
    the frames read with it, the sources' hashes, and a note on how the mapping was chosen."""
    if profile and mapping:
        raise UsageError("give --profile or --mapping, not both")
    if mapping:
        m = load_mapping(mapping)
        frames, hashes = _read(paths, m)
        return m, frames, hashes, f"mapping {m.name}"
    if profile:
        m = load_profile(profile)
        frames, hashes = _read(paths, m)
        return m, frames, hashes, f"profile {profile} (kit import --print-profile {profile} shows it)"
    scores = []
    for name in profile_names():
        m = load_profile(name)
        frames, hashes = _read(paths, m)
        assigned, _, _ = assign_frames(m, frames, pins)
        scores.append((sum(len(v) for v in assigned.values()), name, m, frames, hashes))
    scores.sort(key=lambda s: -s[0])
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        raise UsageError("no profile recognises these exports: name one with --profile "
                         f"({', '.join(profile_names())}) or give a mapping file with --mapping")
    n, name, m, frames, hashes = scores[0]
    return m, frames, hashes, (f"profile {name}, chosen because it recognises {n} of the {len(frames)} export table(s) "
                               f"(--profile to choose; kit import --print-profile {name} shows it)")


def _read(paths: list[Path], mapping: Mapping) -> tuple[list[Frame], dict[Path, str]]:
    frames, problems, hashes = read_sources(paths, known=_known_headers(mapping))
    if problems:
        raise InputError(problems)
    return frames, hashes


def _outputs(out: Path) -> list[Path]:
    return [out / f"{t}.csv" for t in TABLES] + [out / MANIFEST_NAME, out / SUMMARY_NAME]


def _check_out(out: Path, hashes: dict[Path, str], *, force: bool) -> tuple[list[str], list[str]]:
    """Refusals (UsageError unless a dry run) and notes for the output folder."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder for the contract's CSV files")
    sources = {str(p.resolve()).casefold() for p in hashes}
    for path in _outputs(out):
        if str(path.resolve()).casefold() in sources:
            raise UsageError(f"--out {out} would overwrite the export {path.name}: choose another folder (exports are "
                             "never written)")
    there = sorted(p.name for p in _outputs(out)[: len(TABLES)] if p.exists())
    refusals = []
    if there and not force:
        refusals.append(f"--out {out} already holds {', '.join(there)}: choose a new folder, or add --force to replace "
                        "what this import writes")
    return refusals, there


def _scratch_check(tables: dict[str, object], outcome: Outcome) -> tuple[dict[str, int], list[Problem]]:
    """Write the tables to a scratch folder and load it as ``kit validate`` does: the row
    counts, or the loader's problems placed at the export rows they came from."""
    from kit.importing.kitapi import load_portfolio, write_csv

    with tempfile.TemporaryDirectory(prefix="kit-import-") as tmp:
        for name, df in tables.items():
            write_csv(df, Path(tmp) / f"{name}.csv")
        try:
            portfolio = load_portfolio(Path(tmp))
        except InputError as exc:
            return {}, [_placed(p, outcome) for p in exc.problems]
    return {k: len(v) for k, v in portfolio.tables.items() if k in tables}, []


def _placed(p: Problem, outcome: Outcome) -> Problem:
    """A loader's problem with an imported table, at the export row it came from."""
    table = p.file.removesuffix(".csv")
    made = outcome.tables.get(table)
    if made is None or p.row is None or not 2 <= p.row < len(made.origins) + 2:
        return p
    file, row = made.origins[p.row - 2]
    return Problem(file, row, p.column, p.value, f"{p.expected} (as {table}.{p.column or ''} after the import)")


def run_import(sources: Sequence[str | Path], *, out: str | Path, profile: str | None = None,
               mapping: str | Path | None = None, dry_run: bool = False, force: bool = False,
               date_format: str | None = None) -> ImportResult:
    """Import exports into a contract folder.

    Parameters
    ----------
    sources : sequence of str or Path
        Export files or folders of them; ``TABLE=PATH`` feeds that table from that file.
    out : str or Path
        The contract folder to write (created when missing).
    profile, mapping : str, optional
        A shipped profile's name, or a mapping file (default: the profile that recognises
        most of the exports).
    dry_run : bool
        Read, map and check, and say what would be written; write nothing.
    force : bool
        Replace contract files already in ``out``.
    date_format : str, optional
        The date format of every date column the mapping leaves to the values, e.g.
        ``DD/MM/YYYY`` (for exports whose dates fit two orders).

    Raises
    ------
    InputError
        Bad mapping, unreadable export, values that cannot be read, or tables the kit's
        loader refuses (nothing is written).
    UsageError
        Bad arguments, or ``out`` holding contract files without ``force``.
    """
    from kit import __version__

    out = Path(out)
    if not sources:
        raise UsageError("give the export files (or folders of them) to import")
    paths, pins = parse_sources(sources)
    m, frames, hashes, how = choose_mapping(profile=profile, mapping=mapping, paths=paths, pins=pins)
    refusals, existing = _check_out(out, hashes, force=force)
    if refusals and not dry_run:
        raise UsageError(refusals[0])
    outcome = build_tables(m, frames, pins=pins, date_format=date_format)
    empty = [t for t in REQUIRED_TABLES if t not in outcome.tables or not len(outcome.tables[t].frame)]
    if empty:
        raise InputError([Problem(t, None, None, None, f"rows for the required table {t} ({_why_empty(outcome, t)})")
                          for t in empty] + _dropped_problems(outcome, empty))
    tables = {name: t.frame for name, t in outcome.tables.items()}
    counts, problems = _scratch_check(tables, outcome)
    if problems:
        raise InputError(problems)
    shown = ", ".join(f"{k} {n:,}" for k, n in counts.items())
    notes = list(refusals)
    if dry_run:
        check = f"the tables pass kit validate (checked in a scratch folder: {shown} rows)"
        summary = render(outcome, mapping_text=how, out=str(out), dry_run=True, check=check, notes=notes)
        return ImportResult(out, summary, (), True, outcome)
    from kit.importing.kitapi import load_portfolio, write_csv, write_json, write_text

    out.mkdir(parents=True, exist_ok=True)
    written = [write_csv(df, out / f"{name}.csv") for name, df in tables.items()]
    notes += _clear_stale(out, set(tables), existing)
    try:
        final = load_portfolio(out)
        check = f"kit validate --data {out}: inputs are valid (" + ", ".join(
            f"{k} {len(v):,}" for k, v in final.tables.items() if k in tables) + " rows)"
    except InputError as exc:  # a file beside ours (kept from before) the loader refuses
        check = f"kit validate --data {out} finds problems:\n" + exc.report()
    summary = render(outcome, mapping_text=how, out=str(out), dry_run=False, check=check,
                     written=[p.name for p in written], notes=notes)
    manifest = _manifest(m, outcome, hashes, __version__)
    written.append(write_json(manifest, out / MANIFEST_NAME))
    written.append(write_text(summary + "\n", out / SUMMARY_NAME))
    return ImportResult(out, summary, tuple(written), False, outcome)


def _why_empty(outcome: Outcome, table: str) -> str:
    made = outcome.tables.get(table)
    if made is None:
        return outcome.absent.get(table, "no export fits it")
    if made.derived and not made.dropped:
        return f"it is derived ({made.derived}) and there is nothing to derive it from"
    return "every row was dropped: see the rows below"


def _dropped_problems(outcome: Outcome, tables: list[str]) -> list[Problem]:
    out = []
    for t in tables:
        made = outcome.tables.get(t)
        for reason, origins in (made.dropped.items() if made else ()):
            file, row = origins[0]
            out.append(Problem(file, row, None, None, f"a row for {t} ({len(origins):,} row(s) dropped {reason})"))
    return out


def _clear_stale(out: Path, written: set[str], existing: list[str]) -> list[str]:
    """Contract files of an earlier import that this one does not write are removed (the
    folder would mix two imports); files the import did not write are kept, and said so."""
    notes = []
    earlier: set[str] = set()
    manifest = out / MANIFEST_NAME
    if manifest.is_file():
        try:
            earlier = set(json.loads(manifest.read_text(encoding="utf-8")).get("tables", {}))
        except (ValueError, AttributeError):
            earlier = set()
    for name in existing:
        table = name.removesuffix(".csv")
        if table in written:
            continue
        if table in earlier:
            (out / name).unlink(missing_ok=True)
            notes.append(f"removed {name}, written by an earlier import and not by this one")
        else:
            notes.append(f"kept {name}, which kit import did not write (it is part of the data folder)")
    return notes


def _manifest(m: Mapping, outcome: Outcome, hashes: dict[Path, str], version: str) -> dict:
    used = {f.path: t for t, fs in outcome.frames.items() for f in fs}
    return {
        "kit_version": version,
        "mapping": {"name": m.spec.name or m.name, "profile": m.profile, "file": str(m.path) if m.path else None,
                    "sha256": m.sha256},
        "sources": [{"file": p.name, "sha256": h, "table": used.get(p)} for p, h in hashes.items()],
        "tables": {name: {"file": f"{name}.csv", "rows": len(t.frame), "derived": t.derived, "from": t.sources,
                          "dropped": {reason: len(o) for reason, o in t.dropped.items()}}
                   for name, t in outcome.tables.items()},
    }
