"""Benchmark: one million revenue rows load and score within memory (issue 7).

The portfolio is ``kit synth``'s 5,000 accounts (assessments, contacts, opportunities,
activities, surveys, targets) with its revenue replaced by an order-line extract of
exactly 1,000,000 rows: ISO dates over 16 quarters, 6 buying centers, 8 offerings, 2%
credits, gross margins.  It is made once into a cache folder (keyed by the generator's
source), then ``kit tables`` runs on it in a fresh Python process: load and validate
every table, score every account, write ``tables/``.

Printed: input rows, seconds, peak memory of the child (``ru_maxrss``) and its share of
this machine's memory, and PASS/FAIL against ``--target-mb`` (default 4,096 MB: a
laptop's share; exit status 1 on a miss or a failed run).

Usage: ``python benchmarks/bench_large.py [--rows 1000000] [--cache DIR] [--fresh]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "kit-bench-cache"
ACCOUNTS = 5_000

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from kit.cli import main
code = main(["tables", "--data", sys.argv[1], "--out", sys.argv[2]])
print(json.dumps({"code": code, "seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def order_lines(accounts: list[str], rows: int, *, seed: int = 5):
    """``rows`` revenue lines as a sales system exports them (vectorized, seeded)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    acc = np.asarray(accounts, dtype=object)[rng.integers(0, len(accounts), rows)]
    start = np.datetime64("2022-10-01")
    days = rng.integers(0, 16 * 91, rows)  # 16 quarters back from 2026-09-30
    dates = (start + days.astype("timedelta64[D]")).astype(str)
    centers = np.array(["Finance", "IT", "Operations", "HR", "Marketing", "Legal"], dtype=object)
    offerings = np.array(["Advisory", "Analytics", "Implementation", "Managed Services", "Training", "Cloud",
                          "Security", "Support"], dtype=object)
    amount = np.round(rng.lognormal(7.5, 1.0, rows), 2)
    amount[rng.random(rows) < 0.02] *= -1  # credits
    return pd.DataFrame({
        "account_id": acc, "period": dates, "amount": amount,
        "buying_center": centers[rng.integers(0, len(centers), rows)],
        "offering": offerings[rng.integers(0, len(offerings), rows)],
        "gross_margin": np.round(rng.uniform(0.15, 0.55, rows), 3),
    })


def ensure_portfolio(cache: Path, rows: int, *, fresh: bool) -> Path:
    import pandas as pd

    key = hashlib.sha1((ROOT / "kit" / "synth.py").read_bytes() + Path(__file__).read_bytes()).hexdigest()[:8]
    folder = cache / f"large-{rows}-{key}"
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    if (folder / ".complete").is_file():
        return folder
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"making the portfolio ({ACCOUNTS:,} accounts, {rows:,} revenue rows) in {folder} ...", flush=True)
    subprocess.run([sys.executable, "-m", "kit.cli", "synth", "--accounts", str(ACCOUNTS), "--seed", "5",
                    "--out", str(tmp)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    ids = pd.read_csv(tmp / "accounts.csv", dtype=str)["account_id"].tolist()
    order_lines(ids, rows).to_csv(tmp / "revenue.csv", index=False)
    (tmp / ".complete").write_text("")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


def machine_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="revenue rows (default 1,000,000)")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--fresh", action="store_true", help="make the portfolio again")
    ap.add_argument("--target-mb", type=float, default=4096.0, help="peak memory target (default 4096 MB)")
    a = ap.parse_args()
    data = ensure_portfolio(a.cache, a.rows, fresh=a.fresh)
    n_rows = {p.stem: sum(1 for _ in p.open("rb")) - 1 for p in sorted(data.glob("*.csv"))}
    with tempfile.TemporaryDirectory(prefix="kit-large-") as out:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, str(data), out], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n")
        print("FAIL: kit tables did not finish")
        return 1
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    total = machine_mb()
    print(f"input rows: {', '.join(f'{k} {v:,}' for k, v in n_rows.items())} ({sum(n_rows.values()):,} in all)")
    print(f"kit tables: {wall:.1f} s (process), peak memory {res['peak_mb']:,.0f} MB = "
          f"{res['peak_mb'] / total:.1%} of this machine's {total:,.0f} MB")
    ok = res["code"] == 0 and res["peak_mb"] <= a.target_mb
    print(f"{'PASS' if ok else 'FAIL'}: {n_rows.get('revenue', 0):,} revenue rows loaded and scored, peak "
          f"{res['peak_mb']:,.0f} MB (target at most {a.target_mb:,.0f} MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
