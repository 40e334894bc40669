"""Benchmark: `kit run --workers 2` against the loop a user would write, and a rerun.

The loop: for the portfolio and each account, the papermill CLI (a kernel per notebook)
then `jupyter nbconvert --to html --no-input`, one after another.  `kit run`: the figures
computed once, two spawn-started workers with one warm kernel each, HTML exported in the
worker.  Then `kit run` again with nothing changed (every report skipped).

Prints the seconds and the ratios measured in this one run, and checks that the reports
carry the same content: every output of every cell of the loop's executed notebooks
equals the kit's (text, HTML and embedded images).

Usage: python benchmarks/bench_run.py [--data data/sample] [--loop-accounts N]
(``--loop-accounts`` times the loop on the first N accounts only and scales it to all;
the default runs the whole loop.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _outputs(path: Path) -> list:
    """Every output of every code cell, without execution counts or timing metadata."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for c in nb.cells:
        if c.cell_type != "code" or "injected-parameters" in c.metadata.get("tags", []):
            continue
        for o in c.get("outputs", []):
            out.append({k: v for k, v in o.items() if k not in ("execution_count", "metadata")})
    return out


def loop(data: Path, work: Path, ids: list[str]) -> float:
    """The user's loop; returns seconds."""
    nbdir = ROOT / "notebooks"
    t0 = time.perf_counter()
    jobs = [("portfolio", nbdir / "portfolio_health.ipynb", [])]
    jobs += [(f"account_{i}", nbdir / "account_health.ipynb", ["-r", "account_id", acc]) for i, acc in enumerate(ids)]
    for name, nb, extra in jobs:
        out = work / f"{name}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(nb), str(out), "-p", "data_dir", str(data.resolve()), *extra,
                        "-k", "python3", "--cwd", str(nbdir)], check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                       check=True, capture_output=True)
    return time.perf_counter() - t0


def kit_run(data: Path, out: Path, *extra: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "kit"), "run", "--data", str(data), "--out", str(out), "--workers", "2", "--no-progress",
                    *extra], check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--loop-accounts", type=int, default=None, help="time the loop on this many accounts and scale")
    a = ap.parse_args()
    data = Path(a.data)
    ids = pd.read_csv(data / "accounts.csv", dtype=str, keep_default_na=False)["account_id"].tolist()
    n_loop = len(ids) if a.loop_accounts is None else min(a.loop_accounts, len(ids))
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "loop").mkdir()
        t_loop = loop(data, tmp / "loop", ids[:n_loop])
        t_loop_all = t_loop * (len(ids) + 1) / (n_loop + 1)
        t_kit = kit_run(data, tmp / "kit", "--force")
        t_rerun = kit_run(data, tmp / "kit")
        manifest = json.loads((tmp / "kit" / "manifest.json").read_text())
        skipped = sum(1 for r in manifest["accounts"].values() if r.get("skipped"))
        same = all(
            _outputs(tmp / "loop" / f"account_{i}.ipynb") == _outputs(tmp / "kit" / manifest["accounts"][acc]["notebook"])
            for i, acc in enumerate(ids[:n_loop]))
        same_portfolio = _outputs(tmp / "loop" / "portfolio.ipynb") == _outputs(tmp / "kit" / "notebooks" / "portfolio.ipynb")
        shutil.rmtree(tmp / "loop", ignore_errors=True)
    print(f"portfolio: {data} ({len(ids)} accounts, {len(ids) + 1} reports), 2 workers")
    scaled = "" if n_loop == len(ids) else f" (timed on {n_loop} accounts + portfolio, scaled to {len(ids)})"
    print(f"loop (papermill CLI + nbconvert CLI per report): {t_loop_all:8.1f} s{scaled}")
    print(f"kit run --workers 2:                              {t_kit:8.1f} s")
    print(f"kit run again, nothing changed:                   {t_rerun:8.1f} s  ({skipped} of {len(ids)} accounts skipped)")
    speedup, rerun_share = t_loop_all / t_kit, t_rerun / t_kit
    print(f"speed-up over the loop: {speedup:.1f}x   target >= 10x   {'PASS' if speedup >= 10 else 'FAIL'}")
    print(f"rerun / first run:      {rerun_share:.1%}   target < 10%   {'PASS' if rerun_share < 0.10 else 'FAIL'}")
    print(f"same report content (every cell output equal): accounts {'yes' if same else 'NO'}, "
          f"portfolio {'yes' if same_portfolio else 'NO'}")


if __name__ == "__main__":
    main()
