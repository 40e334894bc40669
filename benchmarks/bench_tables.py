"""Benchmark: how the figures (``kit tables``) scale with portfolio size.

Prints, for synthetic portfolios of growing size, the seconds to load + validate and to
compute every figure, and the ratio of time per account against the smallest size (a
ratio near 1 means linear scaling).  Run: ``make bench`` or
``python benchmarks/bench_tables.py [sizes...]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from kit.config import Settings
from kit.io import load_portfolio
from kit.model import build_model
from kit.synth import make_portfolio, write_portfolio
from kit.tables import output_tables


def bench(n: int, root: Path) -> tuple[float, float, int]:
    d = root / f"p{n}"
    write_portfolio(make_portfolio(n, seed=1), d)
    t0 = time.perf_counter()
    p = load_portfolio(d)
    t1 = time.perf_counter()
    output_tables(build_model(p, Settings()))
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, sum(len(t) for t in p.tables.values())


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        print(f"{'accounts':>8} {'rows':>9} {'load s':>8} {'figures s':>10} {'ms/account':>11} {'ratio vs first':>15}")
        for n in sizes:
            load, figs, rows = bench(n, Path(tmp))
            per = (load + figs) / n
            base = base or per
            print(f"{n:>8} {rows:>9} {load:>8.2f} {figs:>10.2f} {per * 1000:>11.1f} {per / base:>15.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [40, 200, 1000])
