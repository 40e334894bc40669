"""Benchmarks: anonymous portfolio percentiles of the key figures.

The portfolio report shows them; each account report shows its own value against the
same percentiles and its percentile rank, never another account's name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BENCHMARK_FIGURES", "benchmark_values", "percentile_rank", "portfolio_percentiles"]

#: figure column -> (label, kind): kind picks the number format (num, money, pct, pct1)
BENCHMARK_FIGURES: dict[str, tuple[str, str]] = {
    "health_index": ("Health index", "num"),
    "revenue_t4q": ("T4Q revenue", "money"),
    "revenue_growth": ("Revenue growth", "pct1"),
    "revenue_attainment": ("Revenue attainment", "pct"),
    "nrr": ("Net revenue retention", "pct"),
    "share_of_wallet": ("Share of wallet", "pct"),
    "pipeline_coverage": ("Pipeline coverage (x)", "num2"),
    "nps": ("NPS", "num"),
    "csat": ("CSAT", "num2"),
    "decision_makers": ("Decision makers", "num"),
}


def benchmark_values(figures: pd.DataFrame, column: str) -> pd.Series:
    """The values of one benchmark figure that count, per account (NaN: the account has
    none).  An incomplete health index is shown as incomplete and not compared: it
    counts for nothing here (scoring rule 7)."""
    if column not in figures:
        return pd.Series(np.nan, index=figures.index, dtype=float)
    vals = pd.to_numeric(figures[column], errors="coerce").astype(float)
    if column == "health_index" and "health_complete" in figures:
        vals = vals.where(figures["health_complete"].eq(True).fillna(False).astype(bool))
    return vals


def portfolio_percentiles(figures: pd.DataFrame) -> pd.DataFrame:
    """P10, P25, median, P75, P90 and n of each benchmark figure over the accounts that
    have it (index: figure column; :func:`benchmark_values`)."""
    rows = {}
    for col in BENCHMARK_FIGURES:
        vals = benchmark_values(figures, col).dropna()
        q = vals.quantile([0.1, 0.25, 0.5, 0.75, 0.9]) if len(vals) else pd.Series(np.nan, index=[0.1, 0.25, 0.5, 0.75, 0.9])
        rows[col] = {"p10": q[0.1], "p25": q[0.25], "median": q[0.5], "p75": q[0.75], "p90": q[0.9], "n": len(vals)}
    return pd.DataFrame.from_dict(rows, orient="index")


def percentile_rank(values: pd.Series, v: float) -> float:
    """Share of accounts below ``v`` (ties count half), 0-100; NaN when unknown."""
    vals = pd.to_numeric(values, errors="coerce").astype(float).dropna()
    if v is None or pd.isna(v) or vals.empty:
        return float("nan")
    return float(((vals < v).sum() + 0.5 * (vals == v).sum()) / len(vals) * 100)
