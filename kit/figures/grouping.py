"""Grouping helpers the figure families share."""

from __future__ import annotations

import pandas as pd

__all__ = ["lists_by_account"]


def lists_by_account(keys: pd.Series, values: pd.Series, idx: pd.Index) -> pd.Series:
    """The values of each account as a list (in row order; [] for none), one pass
    instead of a grouped apply per account."""
    found: dict[object, list] = {}
    for k, v in zip(keys.tolist(), values.tolist()):
        found.setdefault(k, []).append(v)
    return pd.Series([found.get(a, []) for a in idx.tolist()], index=idx, dtype=object)
