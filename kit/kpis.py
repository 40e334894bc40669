"""Client KPIs: NPS (pinned) and CSAT, per account over a window of dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["nps", "survey_kpis"]


def nps(scores: pd.Series) -> float:
    """Net promoter score of 0-10 answers (pinned).

    Percent promoters (9-10) minus percent detractors (0-6), -100..100; NaN when there
    are no answers.  Never a mean of the answers.
    """
    s = pd.Series(scores, dtype=float).dropna()
    if s.empty:
        return float("nan")
    return float(((s >= 9).mean() - (s <= 6).mean()) * 100.0)


def survey_kpis(surveys: pd.DataFrame, account_ids: list[str], *, start: pd.Timestamp, end: pd.Timestamp,
                nps_min_responses: int = 5) -> pd.DataFrame:
    """NPS with its n, and CSAT (mean of 1-5 answers and share of 4-5) per account.

    Only answers dated ``start`` .. ``end`` (inclusive) count.  ``nps_few`` marks an NPS
    from fewer than ``nps_min_responses`` answers.
    """
    idx = pd.Index(account_ids, name="account_id")
    win = surveys[(surveys["date"] >= start) & (surveys["date"] <= end)]
    n = win[win["survey"] == "nps"]
    c = win[win["survey"] == "csat"]
    nps_v = n.groupby("account_id")["score"].apply(nps).reindex(idx)
    nps_n = n.groupby("account_id").size().reindex(idx, fill_value=0).astype(int)
    csat = c.groupby("account_id")["score"].mean().reindex(idx)
    csat_top = c.groupby("account_id")["score"].apply(lambda s: float((s >= 4).mean())).reindex(idx)
    csat_n = c.groupby("account_id").size().reindex(idx, fill_value=0).astype(int)
    return pd.DataFrame({
        "nps": nps_v, "nps_n": nps_n, "nps_few": (nps_n > 0) & (nps_n < nps_min_responses),
        "csat": csat, "csat_top2_share": csat_top, "csat_n": csat_n,
    }, index=idx).assign(nps=lambda d: d["nps"].where(d["nps_n"] > 0, np.nan))
