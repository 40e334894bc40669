"""Batch execution: tables, executed notebooks, HTML reports, index and manifest.

``kit run`` computes every figure once (to write ``tables/``), then executes the
portfolio notebook and one account notebook per account with papermill and exports
each to self-contained HTML.  Kernels are started with the ipc transport in a private
folder (parallel kernels never race for TCP ports), shut down immediately, and run in
spawn-started worker processes with per-cell and start-up timeouts.  One failing
account is recorded in the manifest; the others still render.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from kit import __version__
from kit.config import load_config
from kit.errors import UsageError
from kit.io import load_portfolio, report_stems, write_csv, write_json, write_text
from kit.model import PortfolioModel, build_model
from kit.plan import account_plan, write_plan
from kit.tables import output_tables

__all__ = ["RunResult", "run", "tables_only", "notebooks_dir", "default_out", "IPCKernelManager", "KERNEL_NAME"]

#: Kernels are named explicitly: the Python 3 kernel of the environment running the kit.
KERNEL_NAME = "python3"
#: Per-cell execution timeout and kernel start-up timeout, in seconds.
CELL_TIMEOUT = 600
START_TIMEOUT = 120


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager on the ipc transport, its sockets in a private temporary folder."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        base = os.environ.get("KIT_IPC_DIR") or tempfile.mkdtemp(prefix="kit-")
        self.ip = os.path.join(base, "k")


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder of the kit checkout."""
    path = Path(__file__).resolve().parent.parent / "notebooks"
    if not (path / "account_health.ipynb").is_file():
        raise UsageError(f"notebooks not found in {path}: run the kit from its source checkout (pip install -e .)")
    return path


def default_out(data: str | Path) -> Path:
    """``reports/<name of the data folder or workbook>``."""
    p = Path(data)
    name = p.stem if p.suffix.lower() in {".xlsx", ".xlsm"} else p.resolve().name
    return Path("reports") / name


@dataclass
class RunResult:
    """What a run produced; ``exit_code`` follows the contract (0 ok, 1 some failed)."""

    out: Path
    model: PortfolioModel
    accounts: dict[str, dict] = field(default_factory=dict)
    portfolio: dict | None = None

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
        raise UsageError(f"--accounts: unknown account id(s) {', '.join(map(repr, unknown))}; "
                         f"ids are text as in accounts (e.g. {', '.join(map(repr, ids[:3]))})")
    return list(dict.fromkeys(accounts))


def _clean_outputs(out: Path) -> None:
    """Remove what an earlier run wrote here (only the kit's own outputs)."""
    for sub, pattern in (("accounts", "*.html"), ("notebooks", "*.ipynb"), ("tables", "*.csv"), ("plans", "*.xlsx")):
        for p in (out / sub).glob(pattern):
            p.unlink()
    for name in ("index.html", "portfolio.html", "manifest.json"):
        (out / name).unlink(missing_ok=True)


def _write_tables(model: PortfolioModel, out: Path, ids: list[str] | None) -> list[str]:
    written = []
    for name, df in output_tables(model, ids).items():
        write_csv(df, out / "tables" / f"{name}.csv")
        written.append(f"tables/{name}.csv")
    return written


def _manifest(model: PortfolioModel, *, config_path, audience, result: RunResult | None, tables: list[str], command: str) -> dict:
    return {
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
        "questions": "client questions table" if model.portfolio.questions_supplied else "kit default question bank",
        "tables": tables,
        "accounts": {} if result is None else result.accounts,
        "portfolio": None if result is None else result.portfolio,
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _render_job(job: dict) -> dict:
    """Execute one notebook and export it to HTML (runs in a worker process)."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from kit.export import notebook_to_html

    import logging

    logging.getLogger("papermill").setLevel(logging.WARNING)  # keep the console to the progress bar
    t0 = time.perf_counter()
    ipc = tempfile.mkdtemp(prefix="kit-")
    os.environ["KIT_IPC_DIR"] = ipc
    try:
        pm.execute_notebook(
            job["input"], job["output"], parameters=job["parameters"], kernel_name=KERNEL_NAME,
            progress_bar=False, cwd=job["cwd"], start_timeout=START_TIMEOUT, execution_timeout=CELL_TIMEOUT,
            kernel_manager_class=IPCKernelManager, shutdown_kernel="immediate",
        )
        nb = nbformat.read(job["output"], as_version=4)
        write_text(notebook_to_html(nb, title=job["title"]), Path(job["html"]))
        status, error = "ok", None
    except PapermillExecutionError as exc:
        status, error = "failed", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # any other failure of this one report; the run goes on
        status, error = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(ipc, ignore_errors=True)
    return {"key": job["key"], "status": status, "error": error, "seconds": round(time.perf_counter() - t0, 2),
            "report": job["rel_html"], "notebook": job["rel_nb"]}


def _jobs(model: PortfolioModel, out: Path, ids: list[str], stems: dict[str, str], *, data: Path,
          config_path: Path | None, audience: str, nbdir: Path) -> list[dict]:
    as_of = model.as_of.isoformat()
    cfg = None if config_path is None else str(Path(config_path).resolve())
    common = {"data_dir": str(data.resolve()), "as_of": as_of, "config_path": cfg}
    jobs = [{
        "key": None, "input": str(nbdir / "portfolio_health.ipynb"), "output": str(out / "notebooks" / "portfolio.ipynb"),
        "html": str(out / "portfolio.html"), "rel_html": "portfolio.html", "rel_nb": "notebooks/portfolio.ipynb",
        "parameters": dict(common), "cwd": str(nbdir), "title": "Portfolio health assessment",
    }]
    names = model.figures["account_name"]
    for acc in ids:
        stem = stems[acc]
        jobs.append({
            "key": acc, "input": str(nbdir / "account_health.ipynb"), "output": str(out / "notebooks" / f"account_{stem}.ipynb"),
            "html": str(out / "accounts" / f"{stem}.html"), "rel_html": f"accounts/{stem}.html", "rel_nb": f"notebooks/account_{stem}.ipynb",
            # plain JSON types: the id stays a string
            "parameters": {**common, "account_id": str(acc), "audience": audience}, "cwd": str(nbdir),
            "title": f"Account health assessment: {names[acc]}",
        })
    return jobs


def _prepare(data, *, out, as_of, config) -> tuple[PortfolioModel, Path]:
    model = build_model(load_portfolio(data), load_config(config), as_of=as_of)
    return model, Path(out) if out is not None else default_out(data)


def tables_only(data: str | Path, *, out: str | Path | None = None, as_of=None, config: str | Path | None = None,
                accounts: list[str] | None = None) -> tuple[Path, PortfolioModel]:
    """``kit tables``: the figures only (``tables/`` and ``manifest.json``)."""
    model, out_path = _prepare(data, out=out, as_of=as_of, config=config)
    ids = _select(model, accounts)
    out_path.mkdir(parents=True, exist_ok=True)
    _clean_outputs(out_path)
    written = _write_tables(model, out_path, ids if accounts else None)
    write_json(_manifest(model, config_path=config, audience=None, result=None, tables=written, command="kit tables"), out_path / "manifest.json")
    return out_path, model


def run(data: str | Path, *, out: str | Path | None = None, as_of=None, config: str | Path | None = None,
        accounts: list[str] | None = None, workers: int = 1, audience: str = "internal", progress: bool = True,
        notebooks: str | Path | None = None) -> RunResult:
    """``kit run``: tables, one executed notebook and HTML report per account, the
    portfolio report, ``index.html`` and ``manifest.json``.

    ``notebooks`` is a folder with ``account_health.ipynb`` and ``portfolio_health.ipynb``
    (default: the kit's own ``notebooks/``), for teams that keep adapted notebooks.

    Raises
    ------
    InputError, UsageError
        Unusable input or arguments (nothing rendered).
    """
    from tqdm import tqdm

    from kit.index import index_page
    from kit.report import AUDIENCES

    if audience not in AUDIENCES:
        raise UsageError(f"--audience must be one of {list(AUDIENCES)}, got {audience!r}")
    if workers < 1:
        raise UsageError(f"--workers must be 1 or more, got {workers}")
    model, out_path = _prepare(data, out=out, as_of=as_of, config=config)
    ids = _select(model, accounts)
    stems = report_stems(model.figures.index)  # from every id, so a subset run names files the same
    out_path.mkdir(parents=True, exist_ok=True)
    _clean_outputs(out_path)
    written = _write_tables(model, out_path, ids if accounts else None)
    if audience == "internal":  # the plan is internal material: never in a client run
        for acc in ids:
            write_plan(account_plan(model, acc), out_path / "plans" / f"{stems[acc]}.xlsx")
    result = RunResult(out=out_path, model=model)
    nbdir = Path(notebooks) if notebooks is not None else notebooks_dir()
    jobs = _jobs(model, out_path, ids, stems, data=Path(data), config_path=config, audience=audience, nbdir=nbdir)
    for sub in ("notebooks", "accounts"):
        (out_path / sub).mkdir(exist_ok=True)
    bar = tqdm(total=len(jobs), desc="Rendering reports", unit="report", disable=not progress, file=sys.stderr)

    def record(r: dict) -> None:
        key = r.pop("key")
        if key is None:
            result.portfolio = r
        else:
            result.accounts[key] = r
        bar.update(1)
        if r["status"] != "ok":
            bar.write(f"failed: {'portfolio' if key is None else 'account ' + repr(key)}: {r['error']}")

    try:
        if workers == 1:
            for job in jobs:
                record(_render_job(job))
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = [pool.submit(_render_job, job) for job in jobs]
                for fut in as_completed(futures):
                    record(fut.result())
    finally:
        bar.close()
    result.accounts = {a: result.accounts[a] for a in ids if a in result.accounts}
    write_text(index_page(model, result.accounts, result.portfolio, ids=ids, audience=audience), out_path / "index.html")
    write_json(_manifest(model, config_path=config, audience=audience, result=result, tables=written, command="kit run"),
               out_path / "manifest.json")
    return result
