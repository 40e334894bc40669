"""An account's history: its health index and element scores at every assessment in the
data, and its revenue against target by quarter (the account report's history charts)."""

from __future__ import annotations

import pandas as pd

from kit.config import Settings
from kit.figures.assessment import element_scores, health_index, rater_element_means
from kit.periods import quarter_label

__all__ = ["assessment_history", "revenue_history"]


def assessment_history(assessment: pd.DataFrame, questions: pd.DataFrame, *, account_id: str, cutoff: pd.Timestamp | None,
                       settings: Settings) -> pd.DataFrame:
    """Every assessment of one account up to ``cutoff``, scored by the pinned rules.

    Returns
    -------
    DataFrame
        One row per assessment date (oldest first): ``assessed_on``, ``health_index``,
        ``health_complete`` and one column per element with its score (empty where that
        assessment did not score it).  No rows when the account was never assessed.
    """
    rows = assessment[assessment["account_id"] == account_id]
    if cutoff is not None:
        rows = rows[rows["assessed_on"] <= cutoff]
    if rows.empty or rows["score"].notna().sum() == 0:
        return pd.DataFrame(columns=["assessed_on", "health_index", "health_complete"])
    scores = element_scores(rater_element_means(rows, questions), settings=settings)
    health = health_index(scores, settings=settings).set_index("assessed_on")
    wide = scores.pivot_table(index="assessed_on", columns="element", values="score", aggfunc="first")
    out = health[["health_index", "health_complete"]].join(wide, how="left").sort_index()
    return out.reset_index()


def revenue_history(revenue: pd.DataFrame, targets: pd.DataFrame, *, account_id: str, last_quarter: int,
                    quarters: int = 8, first_quarter: int | None = None) -> pd.DataFrame:
    """Revenue and target of one account for the ``quarters`` quarters up to ``last_quarter``.

    ``first_quarter``: the first quarter of the portfolio's revenue data, when ``revenue``
    holds only some accounts' rows (None: the first quarter in ``revenue``).

    A quarter outside the data is unknown (empty), never zero; a quarter inside it with
    no revenue row has revenue 0.  The target is empty where none was set.

    Returns
    -------
    DataFrame
        ``quarter`` (index), ``period`` (label), ``revenue``, ``target``.
    """
    first_in_data = first_quarter if first_quarter is not None else revenue["quarter"].min() if len(revenue) else None
    span = range(last_quarter - quarters + 1, last_quarter + 1)
    mine = revenue[revenue["account_id"] == account_id].groupby("quarter")["amount"].sum()
    tgt = targets[targets["account_id"] == account_id].groupby("quarter")["revenue_target"].sum(min_count=1) \
        if len(targets) else pd.Series(dtype=float)
    out = pd.DataFrame({"quarter": list(span)})
    out["period"] = [quarter_label(q) for q in span]
    inside = [first_in_data is not None and q >= first_in_data for q in span]
    out["revenue"] = [float(mine.get(q, 0.0)) if ok else None for q, ok in zip(span, inside, strict=True)]
    out["target"] = [float(tgt[q]) if q in tgt.index and pd.notna(tgt[q]) else None for q in span]
    return out.set_index("quarter")
