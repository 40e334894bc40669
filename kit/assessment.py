"""The ten-element assessment: rater means, element scores, health index, trend.

Scoring (pinned, ``domain.md``):

1. rater element mean = weighted mean of the rater's answered questions of the element
   (weights from the question bank; a row without a question id weighs 1);
2. element score (0-100) = (mean over raters of the rater element means - 1) / 4 * 100,
   every rater weighing the same however many questions they answered;
3. health index = weighted mean of the element scores that exist (element weights from
   the settings); fewer than ``min_scored_elements`` scored elements = incomplete;
4. an assessment = an account's rows sharing one ``assessed_on`` date; the latest is
   scored, the one before gives the trend;
5. n_raters = raters with at least one answered question in the element.

Rater spread = max - min of the rater element means (1-5 points; empty with one rater);
perception gap = mean of internal raters' means - mean of client raters' means (empty
unless both exist; raters without a role are in neither group).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kit.config import Settings
from kit.schema import ELEMENT_IDS, INTERNAL_ROLES

__all__ = [
    "to_score", "rater_element_means", "element_scores", "health_index",
    "assessment_dates", "score_assessments", "AssessmentResult",
]


def to_score(mean_rating: float | pd.Series) -> float | pd.Series:
    """A 1-5 mean rating on the 0-100 scale: ``(m - 1) / 4 * 100``."""
    return (mean_rating - 1.0) / 4.0 * 100.0


def rater_element_means(rows: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """One row per account, date, rater and element with the rater's weighted mean.

    Blank scores are "not answered" and left out; a rater with no answered question in
    an element has no row for it.
    """
    weights = dict(zip(questions["question_id"], questions["weight"].astype(float)))
    answered = rows[rows["score"].notna()]
    w = answered["question_id"].map(weights).astype(float).fillna(1.0)
    work = pd.DataFrame({
        "account_id": answered["account_id"], "assessed_on": answered["assessed_on"],
        "rater": answered["rater"], "element": answered["element"],
        "ws": answered["score"].astype(float) * w, "w": w,
    })
    keys = ["account_id", "assessed_on", "rater", "element"]
    g = work.groupby(keys, sort=True).agg(ws=("ws", "sum"), w=("w", "sum"), n_answered=("w", "size")).reset_index()
    g = g[g["w"] > 0]  # only zero-weight questions answered: nothing to average
    g["rater_mean"] = g["ws"] / g["w"]
    roles = (rows.dropna(subset=["rater_role"]).groupby(["account_id", "assessed_on", "rater"])["rater_role"].first())
    g = g.join(roles, on=["account_id", "assessed_on", "rater"])
    return g[keys + ["rater_role", "rater_mean", "n_answered"]].reset_index(drop=True)


def element_scores(rater_means: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Element score, RAG, rater count, spread, range and perception gap per
    account, date and element."""
    keys = ["account_id", "assessed_on", "element"]
    rm = rater_means.assign(
        internal=rater_means["rater_role"].isin(INTERNAL_ROLES),
        client=rater_means["rater_role"].eq("client"),
    )
    g = rm.groupby(keys, sort=True)
    out = g["rater_mean"].agg(mean_rating="mean", n_raters="size", low="min", high="max").reset_index()
    internal = rm[rm["internal"]].groupby(keys)["rater_mean"].mean().rename("internal_mean")
    client = rm[rm["client"]].groupby(keys)["rater_mean"].mean().rename("client_mean")
    out = out.join(internal, on=keys).join(client, on=keys)
    out["score"] = to_score(out["mean_rating"])
    out["spread"] = (out["high"] - out["low"]).where(out["n_raters"] >= 2)
    out["perception_gap"] = out["internal_mean"] - out["client_mean"]
    out["raters_disagree"] = out["spread"].ge(settings.spread_flag) & out["spread"].notna()
    out["range_low"] = to_score(out["low"])
    out["range_high"] = to_score(out["high"])
    out["rag"] = out["score"].map(settings.rag)
    return out


def health_index(scores: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Health index per account and date from its element scores.

    Weighted mean of the element scores that exist (elements of weight 0 count for
    nothing); ``n_scored`` elements with a score; complete when n_scored is at least
    ``min_scored_elements``.
    """
    w = scores["element"].map(settings.element_weights).astype(float)
    work = scores.assign(ws=scores["score"] * w, w=w.where(scores["score"].notna(), 0.0))
    g = work.groupby(["account_id", "assessed_on"], sort=True)
    out = g.agg(ws=("ws", "sum"), w=("w", "sum"), n_scored=("score", "count")).reset_index()
    out["health_index"] = (out["ws"] / out["w"].where(out["w"] > 0))
    out["health_complete"] = out["n_scored"] >= settings.min_scored_elements
    out["health_rag"] = out["health_index"].map(settings.rag)
    return out[["account_id", "assessed_on", "health_index", "n_scored", "health_complete", "health_rag"]]


def assessment_dates(assessment: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """Latest and previous assessment date per account (dates after ``as_of`` unseen)."""
    seen = assessment[assessment["assessed_on"] <= as_of]
    dates = seen[["account_id", "assessed_on"]].drop_duplicates().sort_values(["account_id", "assessed_on"])
    latest = dates.groupby("account_id")["assessed_on"].max().rename("assessed_on")
    # transform (not .map(latest)): an empty table keeps its datetime dtype
    is_prev = dates["assessed_on"] < dates.groupby("account_id")["assessed_on"].transform("max")
    prev = dates[is_prev].groupby("account_id")["assessed_on"].max().rename("previous_assessed_on")
    count = dates.groupby("account_id").size().rename("n_assessments")
    return pd.concat([latest, prev, count], axis=1)


@dataclass(frozen=True)
class AssessmentResult:
    """Scored assessments of a portfolio.

    Attributes
    ----------
    elements : DataFrame
        One row per account and element (all accounts, all ten elements) for the latest
        assessment: score, rag, n_raters, spread, perception_gap, previous_score, change,
        raters_disagree, range_low/high (0-100), mean_rating.
    accounts : DataFrame
        Per account: assessed_on, previous_assessed_on, health_index, health_rag,
        health_complete, n_scored, previous_health_index, health_change, n_raters.
    raters : DataFrame
        Rater element means of the latest assessments (for charts and audit).
    comments : DataFrame
        Rater comments of the latest assessments (internal material).
    """

    elements: pd.DataFrame
    accounts: pd.DataFrame
    raters: pd.DataFrame
    comments: pd.DataFrame


def score_assessments(assessment: pd.DataFrame, questions: pd.DataFrame, account_ids: list[str], *,
                      as_of: pd.Timestamp, settings: Settings) -> AssessmentResult:
    """Score every account's latest assessment and its trend against the previous one."""
    idx = pd.Index(account_ids, name="account_id")
    dates = assessment_dates(assessment, as_of=as_of).reindex(idx)
    means = rater_element_means(assessment[assessment["assessed_on"] <= as_of], questions)
    scores = element_scores(means, settings=settings)
    health = health_index(scores, settings=settings)

    def pick(df: pd.DataFrame, col: str) -> pd.DataFrame:
        wanted = dates[col].dropna()
        key = pd.MultiIndex.from_arrays([wanted.index, wanted.values])
        return df.set_index(["account_id", "assessed_on"]).loc[lambda d: d.index.isin(key)].reset_index()

    cur, prev = pick(scores, "assessed_on"), pick(scores, "previous_assessed_on")
    grid = pd.MultiIndex.from_product([idx, list(ELEMENT_IDS)], names=["account_id", "element"])
    elements = cur.drop(columns="assessed_on").set_index(["account_id", "element"]).reindex(grid)
    elements["previous_score"] = prev.set_index(["account_id", "element"])["score"].reindex(grid)
    elements["change"] = elements["score"] - elements["previous_score"]
    elements["n_raters"] = elements["n_raters"].fillna(0).astype(int)
    elements["raters_disagree"] = elements["raters_disagree"].fillna(False).astype(bool)
    elements = elements.reset_index()

    h_cur = pick(health, "assessed_on").set_index("account_id").reindex(idx)
    h_prev = pick(health, "previous_assessed_on").set_index("account_id").reindex(idx)
    accounts = pd.DataFrame({
        "assessed_on": dates["assessed_on"], "previous_assessed_on": dates["previous_assessed_on"],
        "n_assessments": dates["n_assessments"].fillna(0).astype(int),
        "health_index": h_cur["health_index"], "health_rag": h_cur["health_rag"],
        "health_complete": h_cur["health_complete"].astype("boolean"),
        "n_scored": h_cur["n_scored"].fillna(0).astype(int),
        "previous_health_index": h_prev["health_index"],
    }, index=idx)
    accounts["health_change"] = accounts["health_index"] - accounts["previous_health_index"]
    latest_means = pick(means, "assessed_on")
    accounts["n_raters"] = latest_means.groupby("account_id")["rater"].nunique().reindex(idx).fillna(0).astype(int)
    accounts["has_client_rater"] = latest_means[latest_means["rater_role"].eq("client")].groupby("account_id").size().reindex(idx).fillna(0).gt(0)

    seen = assessment[assessment["assessed_on"] <= as_of]
    latest_rows = seen[seen["assessed_on"].eq(seen["account_id"].map(dates["assessed_on"]))]
    comments = latest_rows[latest_rows["comment"].notna()][["account_id", "rater", "rater_role", "element", "question_id", "comment"]]
    return AssessmentResult(elements=elements, accounts=accounts, raters=latest_means, comments=comments.reset_index(drop=True))
