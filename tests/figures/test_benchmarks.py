"""Anonymous benchmarks: portfolio percentiles and an account's percentile rank."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.figures.benchmarks import BENCHMARK_FIGURES, percentile_rank, portfolio_percentiles


def test_percentile_rank_hand_computed():
    vals = pd.Series([10.0, 20.0, 20.0, 40.0, None])
    assert percentile_rank(vals, 20.0) == pytest.approx((1 + 0.5 * 2) / 4 * 100)  # 1 below, 2 ties -> 50
    assert percentile_rank(vals, 5.0) == 0.0 and percentile_rank(vals, 50.0) == 100.0
    assert math.isnan(percentile_rank(vals, float("nan"))) and math.isnan(percentile_rank(pd.Series([], dtype=float), 1.0))


def test_portfolio_percentiles_over_accounts_that_have_the_figure():
    fig = pd.DataFrame({c: [float("nan")] * 5 for c in BENCHMARK_FIGURES})
    fig["health_index"] = [10.0, 20.0, 30.0, 40.0, None]
    pct = portfolio_percentiles(fig)
    row = pct.loc["health_index"]
    assert row["n"] == 4 and row["median"] == 25.0 and row["p25"] == pytest.approx(17.5) and row["p75"] == pytest.approx(32.5)
    assert pct.loc["nps", "n"] == 0 and math.isnan(pct.loc["nps", "median"])
    assert list(pct.index) == list(BENCHMARK_FIGURES)
