"""Benchmark: `kit run` on large portfolios, and rendering against its in-process floor (issue 18).

Two parts, measured in this one run and printed as ratios:

1. **The floor.** On ``--data`` (default the 40-account sample): the same sections as the
   notebooks (their code cells' ``report.<section>()`` calls, read from the notebooks),
   rendered in plain Python processes without a kernel, papermill or nbconvert: the
   figures computed once, written to a model file, then ``--workers`` spawn-started
   processes render every report's sections and write their HTML.  Then ``kit run
   --force`` on the same data with the same workers.  Target: kit run within 1.5x of the
   floor.
2. **Scale.** For each size (default 200, 2,000 and 5,000 synthetic accounts, made once
   and cached as in ``bench_tables.py``): ``kit run --workers 2`` in a fresh folder, its
   whole process tree's peak memory (the sum of the resident memory of the CLI, its
   workers and their kernels, sampled every 0.2 s), the portfolio and index page sizes
   and each account report's seconds (from the manifest).  Targets: peak under 2 GB and
   the portfolio page under 3 MB at 5,000 accounts; an account report at the largest
   size within 1.2x of one on ``--data`` (medians).  ``--render N`` renders the
   portfolio and N accounts only (spread over the portfolio) instead of every account:
   the peak memory and the per-report cost are measured all the same, in minutes rather
   than an hour.

Usage: ``python benchmarks/bench_scale.py [SIZES ...] [--workers 2] [--render N]
[--data data/sample] [--cache DIR] [--skip-floor]``.  Exit status 1 on a missed target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tables import DEFAULT_CACHE, ensure_portfolio

BIN = Path(sys.executable).parent
MB = 1024 * 1024

# The floor, in a child process of its own (as kit run is): figures once, then the
# notebooks' sections in spawn-started workers, each writing its report's HTML.
FLOOR = r"""
import json, re, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

def sections(notebook):
    import nbformat
    nb = nbformat.read(notebook, as_version=4)
    return [m.group(1) for c in nb.cells if c.cell_type == "code"
            for m in [re.fullmatch(r"report\.(\w+)\(\)", c.source.strip())] if m]

def init(model_path):
    global MODEL
    from kit.figures.cache import load_model_file
    MODEL = load_model_file(model_path)

def render(job):
    from kit.report import AccountReport, PortfolioReport
    key, names, out = job
    t0 = time.perf_counter()
    report = PortfolioReport(model=MODEL) if key is None else AccountReport(model=MODEL, account_id=key)
    html = "".join(getattr(report, n)().html for n in names)
    Path(out).write_text(html, encoding="utf-8")
    return time.perf_counter() - t0

if __name__ == "__main__":
    data, out, workers, nbdir = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    t0 = time.perf_counter()
    from kit.config import load_config
    from kit.figures.cache import save_model
    from kit.figures.changes import with_quarter_changes
    from kit.figures.model import build_model
    from kit.inputs.portfolio import load_portfolio
    model = with_quarter_changes(build_model(load_portfolio(data), load_config(None)))
    out.mkdir(parents=True, exist_ok=True)
    save_model(model, out / "model.pkl")
    t_model = time.perf_counter() - t0
    acc, port = sections(nbdir / "account_health.ipynb"), sections(nbdir / "portfolio_health.ipynb")
    jobs = [(None, port, str(out / "portfolio.html"))] + [(a, acc, str(out / f"{i}.html")) for i, a in enumerate(model.figures.index)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=init, initargs=(str(out / "model.pkl"),)) as pool:
        per = list(pool.map(render, jobs))
    print(json.dumps({"seconds": time.perf_counter() - t0, "model_seconds": t_model, "reports": len(jobs),
                      "account_median": sorted(per[1:])[len(per[1:]) // 2]}))
"""


def tree_peak(cmd: list[str], **kw) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run ``cmd``; seconds, peak resident memory of its whole process tree (bytes), result."""
    import psutil

    peak = 0
    done = threading.Event()

    def sample(pid: int) -> None:
        nonlocal peak
        try:
            root = psutil.Process(pid)
        except psutil.Error:
            return
        while not done.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
            done.wait(0.2)

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    watcher = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
    watcher.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    done.set()
    watcher.join()
    return seconds, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def kit_run(data: Path, out: Path, *, workers: int, accounts: list[str] | None = None) -> dict:
    cmd = [str(BIN / "kit"), "run", "--data", str(data), "--out", str(out), "--workers", str(workers), "--no-progress",
           "--force"]
    if accounts:
        cmd += ["--accounts", *accounts]
    seconds, peak, res = tree_peak(cmd)
    if res.returncode != 0:
        sys.exit(f"kit run failed on {data}:\n{res.stderr[-2000:]}")
    m = json.loads((out / "manifest.json").read_text())
    per = [r["seconds"] for r in m["accounts"].values()]
    pages = [os.path.getsize(out / r["report"]) for r in m["accounts"].values()]
    return {"seconds": seconds, "peak": peak, "reports": len(per) + 1, "account_median": statistics.median(per),
            "portfolio_seconds": m["portfolio"]["seconds"], "portfolio_bytes": os.path.getsize(out / "portfolio.html"),
            "index_bytes": os.path.getsize(out / "index.html"), "page_median": statistics.median(pages)}


def floor(data: Path, work: Path, *, workers: int) -> dict:
    script = work / "floor.py"
    script.write_text(FLOOR, encoding="utf-8")
    nbdir = ROOT / "notebooks"
    res = subprocess.run([sys.executable, str(script), str(data), str(work / "floor"), str(workers), str(nbdir)],
                         capture_output=True, text=True, cwd=work)
    if res.returncode != 0:
        sys.exit(f"the in-process floor failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _spread(ids: list[str], n: int) -> list[str]:
    """``n`` account ids spread evenly over the portfolio (first and last included)."""
    if n >= len(ids):
        return ids
    step = (len(ids) - 1) / max(n - 1, 1)
    return list(dict.fromkeys(ids[round(i * step)] for i in range(n)))


def _ids(data: Path) -> list[str]:
    import pandas as pd

    return pd.read_csv(data / "accounts.csv", dtype=str, keep_default_na=False)["account_id"].tolist()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", nargs="*", type=int, default=[200, 2000, 5000])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--render", type=int, default=None, metavar="N",
                   help="render the portfolio and N accounts per size (default: every account)")
    p.add_argument("--data", type=Path, default=ROOT / "data" / "sample", help="the small portfolio (floor, per-report base)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--skip-floor", action="store_true", help="skip part 1 (the floor)")
    a = p.parse_args(argv)
    print(f"kit run at scale: {os.cpu_count()} CPU(s), {a.workers} worker(s), Python {sys.version.split()[0]}")
    misses = []
    with tempfile.TemporaryDirectory(prefix="kit-bench-scale-") as tmp:
        tmp = Path(tmp)
        base = kit_run(a.data, tmp / "base", workers=a.workers)
        if not a.skip_floor:
            fl = floor(a.data, tmp, workers=a.workers)
            ratio = base["seconds"] / fl["seconds"]
            print(f"\n1. {a.data} ({base['reports']} reports), {a.workers} workers, one after the other:")
            print(f"   in-process floor (figures once, sections in {a.workers} plain processes): {fl['seconds']:6.1f} s "
                  f"(figures {fl['model_seconds']:.1f} s; an account's sections {fl['account_median']:.2f} s, median)")
            print(f"   kit run --workers {a.workers} --force:                                 {base['seconds']:6.1f} s "
                  f"(an account report {base['account_median']:.2f} s in its worker, median)")
            ok = ratio <= 1.5
            misses += [] if ok else ["floor"]
            print(f"   kit run / floor: {ratio:.2f}x   target <= 1.5x   {'PASS' if ok else 'FAIL'}")
        print(f"\n2. synthetic portfolios (seed {a.seed}), kit run --workers {a.workers} in a new folder"
              + (f", rendering the portfolio and {a.render} accounts" if a.render else ", every report"))
        print("accounts  reports  seconds  peak tree MB  portfolio.html  index.html  account page  s/account report")
        print(f"{len(_ids(a.data)):8d} {base['reports']:8d} {base['seconds']:8.1f} {base['peak'] / MB:13.0f} "
              f"{base['portfolio_bytes'] / MB:12.2f} MB {base['index_bytes'] / MB:8.2f} MB {base['page_median'] / 1024:9.0f} KB "
              f"{base['account_median']:12.2f}   ({a.data.name})")
        rows = {}
        for n in a.sizes:
            data, _ = ensure_portfolio(a.cache, n, a.seed, fresh=False)
            pick = _spread(_ids(data), a.render) if a.render else None
            r = rows[n] = kit_run(data, tmp / f"n{n}", workers=a.workers, accounts=pick)
            print(f"{n:8d} {r['reports']:8d} {r['seconds']:8.1f} {r['peak'] / MB:13.0f} {r['portfolio_bytes'] / MB:12.2f} MB "
                  f"{r['index_bytes'] / MB:8.2f} MB {r['page_median'] / 1024:9.0f} KB {r['account_median']:12.2f}")
        if rows:
            top = max(rows)
            r = rows[top]
            cost = r["account_median"] / base["account_median"]
            checks = [("peak memory of the whole run", r["peak"] / MB, 2048, "MB"),
                      ("portfolio page", r["portfolio_bytes"] / MB, 3, "MB"),
                      ("account report cost vs the small portfolio", cost, 1.2, "x")]
            print()
            for what, value, limit, unit in checks:
                ok = value <= limit
                misses += [] if ok else [what]
                print(f"{top} accounts: {what}: {value:.2f} {unit}   target <= {limit:g} {unit}   {'PASS' if ok else 'FAIL'}")
            if len(rows) >= 2:
                lo = min(rows)
                grow = (rows[top]["portfolio_bytes"] / rows[lo]["portfolio_bytes"]) / (top / lo)
                print(f"portfolio page growth {lo} -> {top} accounts: {grow:.2f} of linear "
                      f"({rows[lo]['portfolio_bytes'] / MB:.2f} -> {rows[top]['portfolio_bytes'] / MB:.2f} MB); "
                      f"portfolio report {rows[lo]['portfolio_seconds']:.1f} -> {rows[top]['portfolio_seconds']:.1f} s")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
