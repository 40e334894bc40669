"""Batch execution: tables, executed notebooks, HTML reports, index and manifest.

``kit run`` computes every figure once (to write ``tables/``) and hands that model to
every notebook (``model_path``), so no kernel recomputes the portfolio.  The notebooks
run in long-lived workers, each keeping one warm kernel on the ipc transport (see
:mod:`kit.engine`): spawn-started local processes, or a Dask cluster
(``executor="dask"``).  A notebook whose inputs, parameters, settings, notebook file and
kit version are unchanged since the last run in the same folder is skipped (fingerprints
in ``manifest.json``; ``force=True`` renders all).  One failing account (an error, a dead
or hung kernel) is recorded in the manifest; the others still render.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kit import __version__
from kit.config import load_config
from kit.errors import UsageError, printable
from kit.figures.model import PortfolioModel, build_model
from kit.figures.plan import account_plan, write_plan
from kit.figures.tables import output_tables
from kit.files.atomic import write_json, write_text
from kit.files.names import report_stems
from kit.files.tables import write_csvs
from kit.inputs.portfolio import load_portfolio
from kit.run.folder import (
    MANIFEST,
    RunLock,
    check_out_folder,
    manifest_file,
    owned_files,
    read_manifest,
    refuse_foreign,
    refuse_links,
    remove_caches,
    remove_stale,
    remove_temporaries,
    run_cache,
)
from kit.run.layout import Layout
from kit.run.options import EXECUTORS, Job, RunOptions

if TYPE_CHECKING:  # at run time, __getattr__ below imports them on first use
    from kit.run.engine import CELL_TIMEOUT, KERNEL_NAME, START_TIMEOUT, IPCKernelManager

__all__ = [
    "CELL_TIMEOUT",
    "EXECUTORS",
    "KERNEL_NAME",
    "START_TIMEOUT",
    "IPCKernelManager",
    "RunResult",
    "default_out",
    "fingerprints",
    "notebooks_dir",
    "run",
    "tables_only",
]


# kit.engine imports jupyter_client (and zmq): only rendering needs it, so kit tables and
# kit validate do not load it.  These names stay importable from kit.run.
_ENGINE_NAMES = frozenset({"IPCKernelManager", "KERNEL_NAME", "CELL_TIMEOUT", "START_TIMEOUT",
                           "warm_up", "worker_init", "worker_render"})


def __getattr__(name: str):
    """``kit.run.KERNEL_NAME`` and the other engine names, imported on first use."""
    if name in _ENGINE_NAMES:
        from kit.run import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def notebooks_dir() -> Path:
    """The folder holding the kit's notebooks (``account_health.ipynb`` and friends).

    They are the package ``kit.notebooks``: in a wheel, ``kit/notebooks/`` in
    site-packages; in a checkout or an editable install, the repository's ``notebooks/``
    folder (``pyproject.toml`` maps the package onto it).

    Returns
    -------
    Path
        A folder on disk (papermill and nbconvert read files by path).

    Raises
    ------
    UsageError
        The installed kit has no notebooks (e.g. an editable install made before they
        became a package: ``pip install -e .`` again), or they are not plain files.
    """
    from importlib import resources

    try:
        folder = resources.files("kit.notebooks")
    except ModuleNotFoundError:
        raise UsageError("the kit's notebooks (package kit.notebooks) are not installed: reinstall the kit "
                         "(pip install -e . in a checkout); or pass a folder of notebooks with --notebooks DIR "
                         "(kit notebooks DIR writes one)") from None
    # From a wheel or a checkout the package is a folder on disk; a zipped install is not
    # (papermill needs real files), nor is a namespace package without notebooks/__init__.py.
    if not isinstance(folder, Path) or not (folder / "account_health.ipynb").is_file():
        raise UsageError(f"notebooks not found in {folder}: pass a folder of notebooks with --notebooks DIR "
                         "(kit notebooks DIR writes one)")
    return folder


def default_out(data: str | Path, *, audience: str = "internal") -> Path:
    """``reports/<name of the data folder or workbook>``; for the client audience
    ``reports/<name>-client``: a client run's folder holds nothing but client deliverables,
    so it is never the internal run's."""
    p = Path(data)
    name = p.stem if p.suffix.lower() in {".xlsx", ".xlsm"} else p.resolve().name
    return Path("reports") / (f"{name}-client" if audience == "client" else name)


@dataclass
class RunResult:
    """What a run produced; ``exit_code`` follows the contract (0 ok, 1 some failed)."""

    out: Path
    model: PortfolioModel | None  # None when nothing changed and nothing was computed
    accounts: dict[str, dict] = field(default_factory=dict)
    portfolio: dict | None = None
    index: str = "index.html"  # the consultant's front page, relative to out (kit.run.layout)

    @property
    def failed(self) -> list[str]:
        return [a for a, r in self.accounts.items() if r["status"] != "ok"]

    @property
    def exit_code(self) -> int:
        bad = self.failed or (self.portfolio is not None and self.portfolio["status"] != "ok")
        return 1 if bad else 0


def _select(model: PortfolioModel, accounts: list[str] | None) -> list[str]:
    ids = list(model.figures.index)
    if not accounts:
        return ids
    unknown = [a for a in accounts if a not in model.figures.index]
    if unknown:
        raise UsageError(f"accounts: unknown account id(s) {', '.join(map(repr, unknown))}; "
                         f"ids are text as in accounts (e.g. {', '.join(map(repr, ids[:3]))})", param="accounts")
    return list(dict.fromkeys(accounts))


def _write_tables(tables: dict, out: Path, owned: set[str], *, parallel: bool = False) -> list[str]:
    """Write ``tables/`` (each file replaced whole), then remove the tables an earlier run
    of the kit wrote and this one no longer writes; no other file.  ``parallel``: large
    tables on two cores (:func:`kit.files.tables.write_csvs`; ``kit tables`` only: a
    whole ``kit run`` keeps its memory for the kernels)."""
    write_csvs({out / "tables" / f"{name}.csv": df for name, df in tables.items()}, parallel=parallel)
    written = [f"tables/{name}.csv" for name in tables]
    remove_stale(out, owned, set(written), under="tables/")
    return written


def _files(out: Path, owned: set[str], written: Iterable[str], *, manifest: str = MANIFEST) -> list[str]:
    """What the manifest records as the kit's: this run's files and the earlier runs'
    files still there (reports of accounts this run did not render)."""
    return sorted({p for p in owned if (out / p).is_file()} | set(written) | {manifest})


def _manifest(model: PortfolioModel, *, config_path, audience, result: RunResult | None, tables: list[str], command: str,
              files: list[str], notes: list[str] = ()) -> dict:
    return {
        "files": files,
        "notes": [printable(n) for n in (*model.portfolio.notes, *notes)],
        "kit_version": __version__,
        "command": command,
        "as_of": model.as_of.isoformat(),
        "analysis_quarter": model.t4q_label.split("-")[-1],
        "t4q": model.t4q_label,
        "audience": audience,
        "data": str(model.portfolio.source),
        "config_file": None if config_path is None else str(config_path),
        "config": model.settings.model_dump(),
        "inputs": dict(sorted(model.portfolio.hashes.items())),
        "input_encodings": dict(sorted(model.portfolio.encodings.items())),
        "questions": _questions_words(model),
        "question_bank_sha256": _bank_digest(model),
        "comparison": model.comparison,
        "tables": tables,
        "accounts": {} if result is None else result.accounts,
        "portfolio": None if result is None else result.portfolio,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _digest(*parts: object) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def _row_digests(df, key: str = "account_id") -> dict:
    """One digest per value of ``key``: the hashes of its rows, in order (vectorized)."""
    import hashlib

    import pandas as pd

    if df is None or len(df) == 0:
        return {}
    # text of list cells (none expected in long tables, but never fail on one)
    safe = df.apply(lambda s: s.map(repr)) if df.dtypes.eq(object).any() and df.map(lambda v: isinstance(v, list)).to_numpy().any() else df
    h = pd.Series(pd.util.hash_pandas_object(safe, index=False).to_numpy(), index=df.index)
    cols = ",".join(map(str, df.columns)).encode()
    return {k: hashlib.sha256(cols + g.to_numpy().tobytes()).hexdigest() for k, g in h.groupby(df[key].to_numpy(), sort=False)}


def _frame_bytes(df) -> bytes:
    import pandas as pd

    if df is None or len(df) == 0:
        return b""
    return ",".join(map(str, df.columns)).encode() + pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()


def _kit_digest() -> str:
    """The kit's own code and resources: a changed kit re-renders, whatever its version."""
    root = Path(__file__).resolve().parent.parent  # the kit package
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".css", ".j2", ".csv", ".json", ".yml"})
    return _digest(*(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() for p in files))


def fingerprints(model: PortfolioModel, ids: list[str], *, audience: str, nbdir: Path, extra: tuple = ()) -> dict:
    """What each report is made of, hashed: a report whose fingerprint is unchanged since
    the last run in the same folder is skipped.

    An account's fingerprint covers its own rows of every input table, its figures and
    its rows of every derived table, the portfolio's benchmark percentiles and the
    objectives in use, the settings, analysis date, audience, notebook file, and the kit's
    version and code, and ``extra`` (the branding files' bytes: a page embeds the logo).
    The portfolio's covers every input file's hash instead of one account's rows.
    """
    import json

    from kit.figures.benchmarks import portfolio_percentiles
    from kit.files.atomic import sha256_of

    settings = json.dumps(model.settings.model_dump(), sort_keys=True, default=str)
    common = _digest(__version__, _kit_digest(), model.as_of.isoformat(), settings, len(model.figures),
                     _frame_bytes(portfolio_percentiles(model.figures).reset_index()),
                     _frame_bytes(model.portfolio.table("objectives")), _frame_bytes(model.portfolio.table("questions")), *extra)
    acc_nb = sha256_of(nbdir / "account_health.ipynb")
    # the portfolio page says which accounts the run's tables hold (all, or the selection)
    out = {None: _digest(common, sha256_of(nbdir / "portfolio_health.ipynb"), json.dumps(model.portfolio.hashes, sort_keys=True),
                         json.dumps(_selection(model, ids)))}
    long_tables = [model.assessment.elements, model.assessment.comments, model.evidence, model.indicators, model.warnings,
                   model.recommendations, model.cross_sell, model.motion_table]
    if model.changes is not None:  # "since last quarter" is in every account report
        long_tables.append(model.changes.astype(str))
    inputs = [df for name, df in sorted(model.portfolio.tables.items()) if "account_id" in df.columns]
    digests = [_row_digests(df) for df in long_tables + inputs]
    fig = model.figures.loc[ids]
    rows = fig.astype(object).map(lambda v: repr(v) if isinstance(v, (list, tuple)) else v).reset_index()
    for acc, rec in zip(ids, rows.to_dict("records")):
        row = json.dumps(rec, sort_keys=True, default=str)
        out[acc] = _digest(common, acc_nb, audience, acc, row, *(d.get(acc, "") for d in digests))
    return out


def _selection(model: PortfolioModel, ids: list[str]) -> list[str] | None:
    """The accounts a run renders when it renders some of them (its tables hold those
    only), None when it renders every account."""
    return None if len(ids) == len(model.figures) else list(ids)


def _input_files(data: Path, config_path) -> list[Path]:
    """Every file a run may read: the workbook, or each file at the top of the data folder
    (tables, a client's questions and objectives), and the config file."""
    from kit.inputs.sources import folder_entries

    data = Path(data)
    # regular files only: a link or a pipe in the folder is refused by the loader, never read
    files = [data] if data.is_file() else [p for p in folder_entries(data) if p.is_file() and not p.is_symlink()] \
        if data.is_dir() else []
    return files + ([Path(config_path)] if config_path is not None else [])


def run_fingerprint(data, *, config_path, as_of, accounts, audience: str, nbdir: Path, extra: tuple = ()) -> str | None:
    """One digest of everything a run's outputs depend on, computed without loading the
    data: the bytes of every input file and of the notebooks, the arguments, and the
    kit's version and code, and ``extra`` (more options that change the outputs).  None
    when an input cannot be read (the run then reports it)."""
    from kit.files.atomic import sha256_of

    try:
        files = {str(p): sha256_of(p) for p in _input_files(data, config_path)}
        notebooks = [sha256_of(nbdir / name) for name in ("account_health.ipynb", "portfolio_health.ipynb")]
    except OSError:
        return None
    return _digest(__version__, _kit_digest(), sorted(files.items()), notebooks, str(as_of), accounts, audience, *extra)


def _compared_with(compare_to: Path | None) -> tuple:
    """What ``--compare-to`` brings into the outputs: the earlier run's summary, hashed."""
    from kit.files.atomic import sha256_of

    summary = None if compare_to is None else Path(compare_to) / "tables" / "account_summary.csv"
    try:
        return ("compare_to", sha256_of(summary)) if summary is not None else ()
    except OSError:
        return ("compare_to", "missing")  # the run itself says what is wrong


def _deliverables_part(opts: RunOptions, branding) -> tuple:
    """What ``--pdf``, ``--deck`` and the branding files bring into a run's fingerprint: a
    rerun with other flags, or a new logo under the same name, is not "unchanged".  Empty
    without them (the config file's own bytes are in the fingerprint already)."""
    flags = tuple(name for name, on in (("pdf", opts.pdf), ("deck", opts.deck)) if on)
    return flags + _branding_files(branding)


def _branding_files(branding) -> tuple:
    """The branding files' bytes, hashed (empty without a logo or a deck template)."""
    if branding is None or (branding.logo is None and branding.deck_template is None):
        return ()
    return ("branding", branding.digest())


def _unchanged_run(out: Path, fingerprint: str | None, audience: str) -> dict | None:
    """The last run's manifest when that run had the same fingerprint, rendered every report
    and left every output in place: nothing to do.  None otherwise."""
    m = read_manifest(out)
    if m is None:
        return None
    if fingerprint is None or m.get("run_fingerprint") != fingerprint or m.get("command") != "kit run":
        return None
    client = audience == "client"  # a client run has no portfolio report (kit.run.layout)
    records = list((m.get("accounts") or {}).values()) + ([] if client else [m.get("portfolio") or {"status": "missing"}])
    if any(r.get("status") != "ok" for r in records):
        return None  # failed reports are retried
    paths = [r.get("report") for r in records] + [r.get("notebook") for r in records] + list(m.get("tables") or [])
    paths += [r[k] for r in records for k in ("pdf", "deck") if k in r]  # the PDFs and decks it made
    paths.append(m.get("index", "index.html"))
    if audience == "internal":
        paths += [f"plans/{Path(r['report']).stem}.xlsx" for r in (m.get("accounts") or {}).values()]
    if not all(isinstance(p, str) and (out / p).is_file() for p in paths):
        return None
    return m


def _previous(out: Path) -> dict:
    """The last run's per-report records in this folder (empty when there is none)."""
    m = read_manifest(out) or {}
    prev = {acc: r for acc, r in (m.get("accounts") or {}).items()}
    if m.get("portfolio"):
        prev[None] = m["portfolio"]
    return prev


def _unchanged(job: Job, prev: dict, out: Path) -> bool:
    r = prev.get(job.key)
    return bool(r and r.get("status") == "ok" and r.get("fingerprint") == job.fingerprint
                and r.get("report") == job.rel_html and (out / job.rel_html).is_file()
                and (out / job.rel_nb).is_file())


def _jobs(model: PortfolioModel, out: Path, ids: list[str], stems: dict[str, str], *, data: Path,
          config_path: Path | None, audience: str, nbdir: Path, model_path: Path, fresh: bool,
          timeout: float | None, branding=None) -> list[Job]:
    """One job per report, its files where the layout puts them (:class:`~kit.run.layout.Layout`);
    a client run has no portfolio report."""
    from kit.report.branding import Branding, banner, confidential_mark, page_style

    branding = branding if branding is not None else Branding()
    layout = Layout(audience, stems)
    as_of = model.as_of.isoformat()
    cfg = None if config_path is None else str(Path(config_path).resolve())
    common = {"data_dir": str(data.resolve()), "as_of": as_of, "config_path": cfg, "model_path": str(model_path)}
    fps = fingerprints(model, ids, audience=audience, nbdir=nbdir, extra=_branding_files(branding))
    logo = banner(branding)
    jobs = []
    if layout.portfolio_page is not None:
        title = "Portfolio health assessment"
        # only when some accounts are selected: a notebook copied out before the parameter
        # existed (kit notebooks) then gets no "unknown parameter" warning on a whole run
        chosen = _selection(model, ids)
        selection = {} if chosen is None else {"accounts": chosen}
        jobs.append(Job(key=None, input=str(nbdir / "portfolio_health.ipynb"), output=str(out / layout.portfolio_notebook),
                        html=str(out / layout.portfolio_page), rel_html=layout.portfolio_page,
                        rel_nb=layout.portfolio_notebook, parameters={**common, **selection}, cwd=str(nbdir), title=title,
                        fingerprint=fps[None], fresh=fresh, timeout=timeout, banner=logo,
                        page_css=page_style(branding, title=title, confidential=confidential_mark("internal", None))))
    names = model.figures["account_name"]
    for acc in ids:
        name = str(names[acc])
        # the client's page is its quarterly business review; the title names it so (tab, PDF)
        title = f"Quarterly business review: {name}" if layout.client else f"Account health assessment: {name}"
        jobs.append(Job(
            key=acc, input=str(nbdir / "account_health.ipynb"), output=str(out / layout.notebook(acc)),
            html=str(out / layout.page(acc)), rel_html=layout.page(acc), rel_nb=layout.notebook(acc),
            # plain JSON types: the id stays a string
            parameters={**common, "account_id": str(acc), "audience": audience}, cwd=str(nbdir),
            title=title, fingerprint=fps[acc], fresh=fresh, timeout=timeout, banner=logo,
            page_css=page_style(branding, title=title, confidential=confidential_mark(audience, name))))
    return jobs


def _prepare(data, *, out, as_of, config, compare_to=None) -> tuple[PortfolioModel, Path]:
    out_path = Path(out) if out is not None else default_out(data)
    model = build_model(load_portfolio(data), load_config(config), as_of=as_of)
    return _with_changes(model, out=out_path, compare_to=compare_to), out_path


def _bank_digest(model: PortfolioModel) -> str:
    """The question bank in use, hashed (a changed bank changes what the scores mean)."""
    return _digest(_frame_bytes(model.portfolio.table("questions")))


def settings_changes(before: dict | None, model: PortfolioModel) -> list[dict]:
    """The settings and question bank that differ from an earlier run's manifest: a
    changed rule must never read as a changed account.  Empty when there is no earlier
    run (or it recorded no settings)."""
    if not before or not isinstance(before.get("config"), dict):
        return []
    now = model.settings.model_dump()
    out = [{"setting": k, "before": before["config"].get(k), "now": v} for k, v in now.items()
           if k in before["config"] and before["config"][k] != v]
    if before.get("question_bank_sha256") not in (None, _bank_digest(model)):
        out.append({"setting": "question bank", "before": before.get("questions"), "now": "a different question bank"
                    if before.get("questions") == _questions_words(model) else _questions_words(model)})
    return out


def _questions_words(model: PortfolioModel) -> str:
    return "client questions table" if model.portfolio.questions_supplied else "kit default question bank"


def _with_changes(model: PortfolioModel, *, out: Path, compare_to: Path | None) -> PortfolioModel:
    """The model with its quarter-over-quarter changes: against the analysis date one
    quarter earlier, recomputed from the same inputs and settings; or against the tables
    of an earlier run folder (``compare_to``).  Settings that changed since the run
    compared with (or the last run in ``out``) are recorded with them."""
    from kit.figures.changes import read_summary, with_quarter_changes

    if compare_to is None:
        return with_quarter_changes(model, comparison={"settings_changes": settings_changes(read_manifest(out), model)})
    summary = Path(compare_to) / "tables" / "account_summary.csv"
    if not summary.is_file():
        raise UsageError(f"compare_to: {printable(compare_to)} is not a run folder of the kit (no tables/account_summary.csv)",
                         param="compare_to")
    earlier = read_manifest(Path(compare_to)) or {}
    return with_quarter_changes(model, previous=read_summary(summary), comparison={
        "folder": str(compare_to), "previous_as_of": earlier.get("as_of"),
        "settings_changes": settings_changes(earlier, model)})


def tables_only(data: str | Path, *, out: str | Path | None = None, as_of=None, config: str | Path | None = None,
                accounts: list[str] | None = None, compare_to: str | Path | None = None) -> tuple[Path, PortfolioModel]:
    """``kit tables``: the figures only (``tables/`` and ``manifest.json``).

    Without ``compare_to``, the quarter-earlier figures are computed in a forked child
    while this process computes the current quarter's (see
    :func:`kit.figures.changes.previous_quarter_in_background`): the same tables, in
    less time when a second core is free.

    Raises
    ------
    InputError, UsageError
        Unusable input or arguments, an ``--out`` among the inputs, files in ``--out``
        the kit did not write and would overwrite, or another run writing there.
    """
    from kit.figures.changes import previous_quarter_in_background, with_quarter_changes
    from kit.figures.model import resolve_as_of
    from kit.run.deliverables import refuse_other_layout

    out_path = Path(out) if out is not None else default_out(data)
    check_out_folder(data, out_path)
    refuse_other_layout(out_path, Layout("internal", {}))  # tables list every account: never in a client run's folder
    if compare_to is None:
        # the quarter-earlier figures on the second core (a forked child) while this
        # process computes the current quarter's: the same figures as _prepare's
        portfolio, settings = load_portfolio(data), load_config(config)
        pending = previous_quarter_in_background(portfolio, settings, as_of=resolve_as_of(portfolio, as_of))
        model = build_model(portfolio, settings, as_of=as_of)
        model = with_quarter_changes(model, recomputed=pending(), comparison={
            "settings_changes": settings_changes(read_manifest(out_path), model)})
    else:
        model, _ = _prepare(data, out=out_path, as_of=as_of, config=config, compare_to=compare_to)
    ids = _select(model, accounts)
    tables = output_tables(model, ids if accounts else None)
    with RunLock(out_path, "kit tables"):
        owned = owned_files(out_path)
        refuse_foreign(out_path, [f"tables/{n}.csv" for n in tables] + [MANIFEST], owned)
        remove_temporaries(out_path)
        written = _write_tables(tables, out_path, owned, parallel=True)
        files = _files(out_path, owned, written)
        write_json(_manifest(model, config_path=config, audience=None, result=None, tables=written, command="kit tables",
                             files=files), out_path / MANIFEST)
    return out_path, model


def run(data: str | Path, **options: object) -> RunResult:
    """``kit run``: tables, one executed notebook and HTML report per account, the
    portfolio report, ``index.html`` and ``manifest.json``.

    Parameters
    ----------
    **options
        The fields of :class:`~kit.run.options.RunOptions` (``out``, ``as_of``, ``config``,
        ``accounts``, ``workers``, ``audience``, ``progress``, ``notebooks``, ``force``,
        ``executor``, ``scheduler``, ``fresh_kernels``, ``timeout``, ``compare_to``, ``pdf``,
        ``deck``), checked there:
    audience
        ``"internal"`` (default) or ``"client"``: the quarterly business review of each
        account, laid out one folder per account (each can be sent to its account as it
        is) with the consultant's index, notebooks and manifest in ``_consultant/``; no
        portfolio report, tables or plans (:mod:`kit.run.layout`).  Default ``out``:
        ``reports/<name>-client``.
    pdf
        Also print every page to PDF beside it (headless Chromium, nothing fetched:
        :mod:`kit.report.pdf`).
    deck
        Also write each account's PowerPoint deck (the QBR for the client audience, an
        account review internally: :mod:`kit.report.deck`).
    notebooks
        A folder with ``account_health.ipynb`` and ``portfolio_health.ipynb`` (default: the
        kit's own ``notebooks/``), for teams that keep adapted notebooks.
    force
        Render every report, even those unchanged since the last run in ``out``.
    executor, scheduler
        ``"local"``: ``workers`` spawn-started processes on this machine.  ``"dask"``: the
        renders go to the Dask cluster at ``scheduler`` (``tcp://host:8786``; None starts a
        local cluster of ``workers`` processes).  Dask workers must see the same paths
        (data, notebooks, run folder) and have the kit installed.
    fresh_kernels
        A new kernel for every notebook instead of one warm kernel per worker.
    compare_to
        An earlier run folder: ``tables/changes.csv`` compares with its tables instead of
        recomputing the previous quarter (for data restated since).
    timeout
        Seconds one notebook may take in all (default :data:`kit.engine.NOTEBOOK_TIMEOUT`);
        a notebook over it fails and its kernel is replaced.  Each cell also has
        :data:`kit.engine.CELL_TIMEOUT`.

    Raises
    ------
    InputError, UsageError
        Unusable input or arguments (nothing rendered).
    """
    return run_with(data, RunOptions(**options))


def run_with(data: str | Path, opts: RunOptions) -> RunResult:
    """:func:`run` with its options as one :class:`~kit.run.options.RunOptions`."""
    # Nothing changed since the last run in this folder: keep every output as it is,
    # without loading the data or starting a kernel.
    from kit.report.branding import load_branding
    from kit.run.deliverables import refuse_other_layout

    out_path = opts.out if opts.out is not None else default_out(data, audience=opts.audience)
    check_out_folder(data, out_path)
    nbdir = opts.notebooks if opts.notebooks is not None else notebooks_dir()
    # a missing logo or template is one clear error before anything renders
    branding = load_branding(load_config(opts.config), config_path=opts.config)
    with contextlib.ExitStack() as stack:
        # one run at a time in a folder: a second would remove files the first still uses
        lock = stack.enter_context(RunLock(out_path, "kit run"))
        if lock.stale:
            print(printable(f"note: an earlier {lock.stale.get('command', 'kit run')} into {out_path} (process "
                            f"{lock.stale.get('pid', '?')}) stopped before it finished; its unfinished files are redone"),
                  file=sys.stderr)
        refuse_other_layout(out_path, Layout(opts.audience, {}))
        extra = (*_compared_with(opts.compare_to), *_deliverables_part(opts, branding))
        fingerprint = run_fingerprint(data, config_path=opts.config, as_of=opts.as_of,
                                      accounts=None if opts.accounts is None else list(opts.accounts),
                                      audience=opts.audience, nbdir=nbdir, extra=extra)
        previous = None if opts.force else _unchanged_run(out_path, fingerprint, opts.audience)
        if previous is not None:
            return _kept(out_path, previous)
        pool = None
        if opts.executor == "local" and opts.workers > 1:
            # workers start their kernels while this process computes the figures
            from kit.run.engine import local_worker_init, warm_up

            ctx = multiprocessing.get_context("spawn")
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=opts.workers, mp_context=ctx,
                                                           initializer=local_worker_init, initargs=(opts.fresh_kernels,)))
            for _ in range(opts.workers):
                pool.submit(warm_up, opts.fresh_kernels)
        return _run(data, opts.but(out=out_path, notebooks=nbdir), pool=pool, fingerprint=fingerprint, branding=branding)


def _kept(out: Path, manifest: dict) -> RunResult:
    """The result of a run that had nothing to do: every report kept (``skipped``)."""
    def skipped(r: dict) -> dict:
        return {**r, "seconds": 0.0, "skipped": True, "rendered_seconds": r.get("rendered_seconds", r.get("seconds"))}

    portfolio = manifest.get("portfolio")
    result = RunResult(out=out, model=None, accounts={a: skipped(r) for a, r in manifest["accounts"].items()},
                       portfolio=None if portfolio is None else skipped(portfolio), index=manifest.get("index", "index.html"))
    manifest = {**manifest, "accounts": result.accounts, "portfolio": result.portfolio,
                "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    write_json(manifest, manifest_file(out))
    return result


def _run(data, opts: RunOptions, *, pool, fingerprint=None, branding=None) -> RunResult:
    from tqdm import tqdm

    from kit.figures.cache import save_model
    from kit.report.branding import Branding
    from kit.report.index_page import index_page
    from kit.run.deliverables import Deliverables

    branding = branding if branding is not None else Branding()
    model, out_path = _prepare(data, out=opts.out, as_of=opts.as_of, config=opts.config, compare_to=opts.compare_to)
    ids = _select(model, None if opts.accounts is None else list(opts.accounts))
    config, audience, accounts = opts.config, opts.audience, opts.accounts
    stems = report_stems(model.figures.index)  # from every id, so a subset run names files the same
    layout = Layout(audience, stems)
    out_path.mkdir(parents=True, exist_ok=True)
    prev = {} if opts.force else _previous(out_path)
    nbdir = opts.notebooks
    # the model file of this run only, in a folder of its own
    cache = run_cache(out_path)
    model_path = (cache / "model.pkl").resolve()
    jobs = _jobs(model, out_path, ids, stems, data=Path(data), config_path=config, audience=audience, nbdir=nbdir,
                 model_path=model_path, fresh=opts.fresh_kernels, timeout=opts.timeout, branding=branding)
    # tables list every account: an internal run's only (a client run's folder goes to clients)
    tables = output_tables(model, ids if accounts else None) if layout.writes_tables else {}
    plan_paths = {acc: layout.plan(acc) for acc in ids} if audience == "internal" else {}
    extras = Deliverables(model, layout, ids, out=out_path, pdf=opts.pdf, deck=opts.deck, branding=branding,
                          previous=prev, fingerprints={j.key: j.fingerprint for j in jobs})
    planned = ([f"tables/{n}.csv" for n in tables] + [j.rel_html for j in jobs] + [j.rel_nb for j in jobs]
               + list(plan_paths.values()) + extras.planned + [layout.index, layout.manifest])
    owned = owned_files(out_path)
    refuse_foreign(out_path, planned, owned)  # before anything is written
    refuse_links(out_path, planned)
    extras.check()  # --pdf without a browser: said before anything renders
    remove_temporaries(out_path, extra={str(Path(p).parent.as_posix()) for p in [*owned, *planned]})
    remove_caches(out_path)
    written = _write_tables(tables, out_path, owned) if layout.writes_tables else []
    result = RunResult(out=out_path, model=model, index=layout.index)
    save_model(model, model_path)
    for sub in layout.folders(ids):
        (out_path / sub).mkdir(parents=True, exist_ok=True)
    todo = [j for j in jobs if not _unchanged(j, prev, out_path)]
    todo_keys = {j.key for j in todo}
    plans = [acc for acc in ids if acc in todo_keys or not (out_path / "plans" / f"{stems[acc]}.xlsx").is_file()]
    # the plan is internal material: never in a client run; written while the workers render
    plan_errors: dict[str, str] = {}
    plan_notes: list[str] = []
    planner = threading.Thread(target=_write_plans,
                               args=(model, plans if audience == "internal" else [], out_path, stems, plan_errors, plan_notes))
    planner.start()
    bar = tqdm(total=len(todo), desc="Rendering reports", unit="report", disable=not opts.progress, file=sys.stderr)

    def record(r: dict, fingerprint: str, skipped: bool = False) -> None:
        key = r.pop("key")
        r = {**r, "fingerprint": fingerprint, "skipped": skipped}
        if key is None:
            result.portfolio = r
        else:
            result.accounts[key] = r
        if not skipped:
            bar.update(1)
        if r.get("error"):
            r["error"] = printable(r["error"])  # input text in an error never drives the terminal
        if r["status"] != "ok":
            bar.write(printable(f"failed: {'portfolio' if key is None else 'account ' + repr(key)}: {r['error']}"))

    for j in jobs:
        if j.key not in todo_keys:
            old = prev[j.key]
            record({"key": j.key, "status": "ok", "error": None, "seconds": 0.0, "report": j.rel_html,
                    "notebook": j.rel_nb, "rendered_seconds": old.get("rendered_seconds", old.get("seconds"))},
                   j.fingerprint, skipped=True)
    # Until this run ends, the manifest lists the reports it renders as unfinished: a run
    # killed half-way leaves nothing that a rerun would take for up to date.
    pending = {j.key: {"status": "rendering", "error": "the run stopped before this report was finished",
                       "report": j.rel_html, "notebook": j.rel_nb, "fingerprint": None} for j in todo}
    interim = RunResult(out=out_path, model=model, portfolio=pending.get(None, result.portfolio),
                        accounts={a: pending.get(a, result.accounts.get(a)) for a in ids})
    # every file this run may write is the kit's from now on, also if the run is killed
    write_json(_manifest(model, config_path=config, audience=audience, result=interim, tables=written, command="kit run",
                         files=sorted(set(_files(out_path, owned, written, manifest=layout.manifest)) | set(planned))),
               out_path / layout.manifest)
    by_key = {j.key: j.fingerprint for j in jobs}
    try:
        extras.start_decks()  # built in a thread while the workers render
        for r in _execute_jobs(todo, workers=opts.workers, executor=opts.executor, scheduler=opts.scheduler,
                               fresh=opts.fresh_kernels, pool=pool):
            r["rendered_seconds"] = r["seconds"]
            key = r["key"]
            record(r, by_key[key])
            extras.page_done(key, r["status"] == "ok")  # its PDF, while the workers render the next pages
        extras.finish({k: rec.get("status") == "ok" for k, rec in [*result.accounts.items(), (None, result.portfolio or {})]})
    finally:
        bar.close()
        planner.join()
        extras.close()
        remove_caches(out_path)
    for key, rec in [*result.accounts.items(), (None, result.portfolio)]:
        if rec is not None:
            rec.update(extras.record(key))
    for acc, err in [*plan_errors.items(), *extras.errors.items()]:
        # the report is there, but the plan (or PDF, or deck) is not: the account failed
        # (exit 1), and a rerun writes it again
        if acc is None:
            result.portfolio = {**(result.portfolio or {}), "status": "failed", "error": printable(err), "fingerprint": None}
        else:
            rec = result.accounts.get(acc) or {"report": layout.page(acc), "notebook": layout.notebook(acc)}
            result.accounts[acc] = {**rec, "status": "failed", "error": printable(err), "fingerprint": None}
        print(printable(f"kit run: {err}"), file=sys.stderr)
    for note in [*plan_notes, *extras.notes]:
        print(printable(f"note: {note}"), file=sys.stderr)
    result.accounts = {a: result.accounts[a] for a in ids if a in result.accounts}
    if layout.client:
        from kit.report.client_index import client_index_page

        page = client_index_page(model, result.accounts, ids=ids, stems=stems, branding=branding)
    else:
        page = index_page(model, result.accounts, result.portfolio, ids=ids, audience=audience, branding=branding)
    write_text(page, out_path / layout.index)
    done = written + [p for p in planned if (out_path / p).is_file()]
    manifest = _manifest(model, config_path=config, audience=audience, result=result, tables=written, command="kit run",
                         files=_files(out_path, owned, done, manifest=layout.manifest), notes=[*plan_notes, *extras.notes])
    write_json({**manifest, "run_fingerprint": fingerprint, "index": layout.index, "layout": audience},
               out_path / layout.manifest)
    return result


def _write_plans(model: PortfolioModel, ids: list[str], out: Path, stems: dict[str, str], errors: dict[str, str],
                 notes: list[str]) -> None:
    """Each account's Account Development Plan workbook (same fingerprint, same plan).
    A plan that cannot be written goes in ``errors`` (account -> message): that account
    fails; the other plans and the reports are still written."""
    for acc in ids:
        try:
            write_plan(account_plan(model, acc), out / "plans" / f"{stems[acc]}.xlsx", notes=notes)
        except Exception as exc:  # e.g. a locked or unwritable file: that plan only
            errors[acc] = f"plan workbook of account {acc!r} not written: {type(exc).__name__}: {exc}"


def _execute_jobs(jobs: list[Job], *, workers: int, executor: str, scheduler: str | None, fresh: bool, pool=None):
    """Yield each job's result as it finishes (``pool``: local workers already started)."""
    if not jobs:
        return
    from kit.run.engine import local_worker_init, worker_render

    if pool is not None:
        futures = [pool.submit(worker_render, job) for job in jobs]
        for fut in as_completed(futures):
            yield fut.result()
        return
    if executor == "dask":
        yield from _execute_dask(jobs, workers=workers, scheduler=scheduler)
        return
    if workers == 1:
        # in this process: a warm kernel of its own, shut down at the end
        from kit.run.engine import WarmKernel, render

        warm = None if fresh else WarmKernel()
        try:
            for job in jobs:
                yield render(job, warm)
        finally:
            if warm is not None:
                warm.close()
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=local_worker_init, initargs=(fresh,)) as pool:
        futures = [pool.submit(worker_render, job) for job in jobs]
        for fut in as_completed(futures):
            yield fut.result()


def _execute_dask(jobs: list[Job], *, workers: int, scheduler: str | None):
    from kit.run.engine import worker_render

    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError:
        raise UsageError("--executor dask needs the 'distributed' package (pip install 'dask[distributed]')") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as exc:
            raise UsageError(f"--scheduler {scheduler!r}: cannot reach the Dask scheduler ({exc})") from None
    try:
        futures = client.map(worker_render, jobs, pure=False)
        for fut in dask_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
