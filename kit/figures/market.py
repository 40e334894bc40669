"""Segmentation by market position (the BCG matrix of seed 002)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.config import Settings

__all__ = ["BCG_RULES", "bcg_quadrant"]

#: (high growth, high share) -> quadrant: the segment rules as data.
BCG_RULES: dict[tuple[bool, bool], str] = {
    (True, True): "Star",
    (False, True): "Cash cow",
    (True, False): "Question mark",
    (False, False): "Dog",
}


def bcg_quadrant(accounts: pd.DataFrame, *, settings: Settings) -> pd.Series:
    """Star / Cash cow / Question mark / Dog per account; "unclassified" when growth or
    share is missing.  A value at or above its threshold counts as high."""
    g = accounts["market_growth"].astype(float)
    s = accounts["market_share"].astype(float)
    hi_g = (g >= settings.bcg_growth_threshold).to_numpy()
    hi_s = (s >= settings.bcg_share_threshold).to_numpy()
    labels = [BCG_RULES[(bool(a), bool(b))] for a, b in zip(hi_g, hi_s)]
    out = np.where(g.isna().to_numpy() | s.isna().to_numpy(), "unclassified", labels)
    return pd.Series(out, index=accounts["account_id"].to_numpy(), name="bcg_quadrant")
