"""The ten-element assessment: rater means, element scores, health index, trend.

Scoring (pinned, ``domain.md``):

1. rater element mean = weighted mean of the rater's answered questions of the element
   (weights from the question bank; a row without a question id weighs 1);
2. element score (0-100) = (mean over raters of the rater element means - 1) / 4 * 100,
   every rater weighing the same however many questions they answered;
3. health index = weighted mean of the element scores that exist (element weights from
   the settings); fewer than ``min_scored_elements`` scored elements = incomplete;
4. an assessment = an account's rows sharing one ``assessed_on`` date; the latest is
   scored, the one before gives the trend (which dates count, the grace window after the
   analysis date included, is the caller's ``as_of``: see :func:`assessment_cutoff`);
5. n_raters = raters with at least one answered question in the element;
6. the overall change compares like with like: over the elements scored in both
   assessments; element e contributes w_e x (score_e - previous_e) / (sum of w over the
   elements scored in both), and the contributions add up to the change (the health
   drivers);
7. an incomplete index places the account in no quadrant (:mod:`kit.figures.model`).

Rater spread = max - min of the rater element means (1-5 points; empty with one rater);
perception gap = mean of internal raters' means - mean of client raters' means (empty
unless both exist; raters without a role are in neither group).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.inputs.cells import plain
from kit.periods import quarter_of
from kit.schema import ELEMENT_IDS, INTERNAL_ROLES

__all__ = [
    "AssessmentResult",
    "assessment_cutoff",
    "assessment_dates",
    "element_scores",
    "health_drivers",
    "health_index",
    "rater_element_means",
    "score_assessments",
    "to_score",
]


def to_score(mean_rating: float | pd.Series) -> float | pd.Series:
    """A 1-5 mean rating on the 0-100 scale: ``(m - 1) / 4 * 100``."""
    return (mean_rating - 1.0) / 4.0 * 100.0


def _sorted_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(column, sort=True)``: codes in the order of the values (-1 =
    missing) and the distinct values.  A categorical column (a table's ``coded``
    columns) is renumbered from its codes: no pass over its text."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return pd.factorize(column, sort=True)
    codes = column.cat.codes.to_numpy()
    categories = column.cat.categories
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(categories)))
    present = categories.take(used)
    order = np.argsort(np.asarray(present, dtype=object), kind="stable")
    rank = np.full(len(categories) + 1, -1, dtype=np.intp)  # code -1 takes the last entry: missing
    rank[used.take(order)] = np.arange(len(used))
    return rank.take(codes), present.take(order)


def _group_codes(rows: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, dict[str, pd.Index]]:
    """Each key column as sorted integer codes (code order = value order, -1 = missing)
    and its distinct values."""
    codes, uniques = {}, {}
    for k in keys:
        codes[k], uniques[k] = _sorted_codes(rows[k])
    return pd.DataFrame(codes, index=rows.index), uniques


def _group_ids(codes: pd.DataFrame, sizes: list[int]) -> np.ndarray:
    """One integer per row for the tuple of its key codes, ordered as the tuples are
    (grouping on it = grouping on the keys, one hash pass instead of one per key)."""
    gid = np.zeros(len(codes), dtype=np.int64)
    for column, size in zip(codes.columns, sizes):
        size = max(size, 1)
        if len(gid) and int(gid.max()) >= (2 ** 62) // size:  # would overflow: renumber densely, in order
            gid = pd.factorize(gid, sort=True)[0].astype(np.int64)
        gid = gid * size + codes[column].to_numpy()
    return gid


def _key_values(codes: pd.Series, uniques: pd.Index) -> pd.Index:
    """Key codes back to the key values, typed as grouping on the values types them."""
    values = uniques.take(codes.to_numpy())
    return pd.Index(np.asarray(values)) if values.dtype == object else values


#: the keys of a rater's answers: account, workshop date, rater, element
_KEYS = ["account_id", "assessed_on", "rater", "element"]


def rater_element_means(rows: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """One row per account, date, rater and element with the rater's weighted mean.

    Blank scores are "not answered" and left out; a rater with no answered question in
    an element has no row for it.
    """
    return _rater_means(rows, questions, *_group_codes(rows, _KEYS))[0]


def _rater_means(rows: pd.DataFrame, questions: pd.DataFrame, codes: pd.DataFrame,
                 uniques: dict[str, pd.Index]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`rater_element_means` from the rows' key codes (:func:`_group_codes`), with
    the account and date codes of each of its rows."""
    weights = dict(zip(questions["question_id"], questions["weight"].astype(float)))
    keys = _KEYS
    who = ["account_id", "assessed_on", "rater"]
    # rows are grouped on integer ids built from the key codes: the same groups, in the
    # same order and with the rows in the same order as grouping on the key values
    complete = (codes >= 0).all(axis=1).to_numpy()  # a row with a missing key is in no group
    sizes = [len(uniques[k]) for k in keys]
    codes = codes.assign(_who=_group_ids(codes[who], sizes[:3]), _gid=_group_ids(codes, sizes))
    answered = rows["score"].notna().to_numpy() & complete
    if all(v == 1.0 for v in weights.values()):  # the usual bank: every answer weighs 1 (no lookup per row)
        w = pd.Series(1.0, index=rows.index[answered])
    else:
        w = rows.loc[answered, "question_id"].map(weights).astype(float).fillna(1.0)
    work = codes[answered].assign(ws=rows.loc[answered, "score"].astype(float) * w, w=w)
    g = work.groupby("_gid", sort=True).agg(
        ws=("ws", "sum"), w=("w", "sum"), n_answered=("w", "size"),
        **{k: (k, "first") for k in keys}, _who=("_who", "first"),
    ).reset_index(drop=True)
    g = g[g["w"] > 0]  # only zero-weight questions answered: nothing to average
    g["rater_mean"] = g["ws"] / g["w"]
    with_role = rows["rater_role"].notna().to_numpy() & complete
    roles = rows.loc[with_role, "rater_role"].groupby(codes.loc[with_role, "_who"].to_numpy()).first()
    g["rater_role"] = pd.Series(roles.reindex(g["_who"].to_numpy()).array, index=g.index)
    acc, day = g["account_id"].to_numpy().copy(), g["assessed_on"].to_numpy().copy()
    for k in keys:
        g[k] = _key_values(g[k], uniques[k])
    return g[keys + ["rater_role", "rater_mean", "n_answered"]].reset_index(drop=True), acc, day


def element_scores(rater_means: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Element score, RAG, rater count, spread, range and perception gap per
    account, date and element."""
    keys = ["account_id", "assessed_on", "element"]
    # grouped on integer ids of the keys (see rater_element_means)
    codes, uniques = _group_codes(rater_means, keys)
    complete = (codes >= 0).all(axis=1).to_numpy()
    rm = codes.assign(
        _gid=_group_ids(codes, [len(uniques[k]) for k in keys]), rater_mean=rater_means["rater_mean"],
        internal=rater_means["rater_role"].isin(INTERNAL_ROLES), client=rater_means["rater_role"].eq("client"),
    )[complete]
    out = rm.groupby("_gid", sort=True).agg(
        **{k: (k, "first") for k in keys},
        mean_rating=("rater_mean", "mean"), n_raters=("rater_mean", "size"), low=("rater_mean", "min"),
        high=("rater_mean", "max"),
    )
    for name, part in (("internal_mean", rm[rm["internal"]]), ("client_mean", rm[rm["client"]])):
        out[name] = part.groupby("_gid")["rater_mean"].mean().reindex(out.index)
    out = out.reset_index(drop=True)
    for k in keys:
        out[k] = _key_values(out[k], uniques[k])
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


def assessment_cutoff(as_of: pd.Timestamp, *, quarter: int, grace_quarters: int) -> pd.Timestamp:
    """The last date an assessment may carry to count at the analysis date (scoring rule 4).

    Workshops are held after a quarter closes, so an assessment dated up to
    ``grace_quarters`` quarters after the analysis quarter counts: the last day of
    quarter ``quarter + grace_quarters``.  With no grace, the analysis date itself.
    """
    from kit.periods import quarter_end

    if grace_quarters <= 0:
        return pd.Timestamp(as_of)
    return max(pd.Timestamp(as_of), pd.Timestamp(quarter_end(quarter + grace_quarters)))


def health_drivers(elements: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Each element's contribution to the change of the health index (scoring rule 6).

    Over the elements scored in both the latest and the previous assessment ("like with
    like"): contribution_e = w_e x (score_e - previous_e) / (sum of w over those
    elements); the contributions of an account add up to its change.  Elements not scored
    in both have no contribution.  Returns ``elements`` with ``weight``, ``in_both`` and
    ``contribution`` added (a new frame).
    """
    w = elements["element"].map(settings.element_weights).astype(float)
    both = elements["score"].notna() & elements["previous_score"].notna()
    denom = w.where(both, 0.0).groupby(elements["account_id"], sort=False).transform("sum")
    contribution = (w * (elements["score"] - elements["previous_score"])).where(both) / denom.where(denom > 0)
    return elements.assign(weight=w, in_both=both, contribution=contribution)


def _like_for_like(elements: pd.DataFrame, idx: pd.Index) -> pd.DataFrame:
    """Per account: the change over the elements scored in both assessments (the sum of
    the contributions), how many elements that is, the weighted means of both
    assessments over them, and whether both scored the same elements."""
    e = elements
    acc = e["account_id"]
    wb = e["weight"].where(e["in_both"], 0.0)
    denom = wb.groupby(acc, sort=False).sum().reindex(idx)
    now = (wb * e["score"].fillna(0.0)).groupby(acc, sort=False).sum().reindex(idx) / denom.where(denom > 0)
    before = (wb * e["previous_score"].fillna(0.0)).groupby(acc, sort=False).sum().reindex(idx) / denom.where(denom > 0)
    change = e["contribution"].groupby(acc, sort=False).sum(min_count=1).reindex(idx)
    n_both = e["in_both"].groupby(acc, sort=False).sum().reindex(idx).fillna(0).astype(int)
    scored_now, scored_before = e["score"].notna(), e["previous_score"].notna()
    differ = (scored_now != scored_before).groupby(acc, sort=False).sum().reindex(idx).fillna(0)
    return pd.DataFrame({"health_change": change, "health_change_elements": n_both,
                         "health_now_common": now, "health_before_common": before,
                         "same_elements": differ.eq(0)}, index=idx)


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


def _dates_from_codes(codes: pd.DataFrame, uniques: dict[str, pd.Index]) -> pd.DataFrame | None:
    """:func:`assessment_dates` of rows already cut at the analysis date, from their key
    codes (no second pass over the account ids); None when an account or date is
    missing somewhere (then the general function decides)."""
    acc, day = codes["account_id"].to_numpy(), codes["assessed_on"].to_numpy()
    if not len(acc) or (acc < 0).any() or (day < 0).any():
        return None
    n_days = len(uniques["assessed_on"])
    pairs = acc.astype(np.int64) * n_days + day
    span = len(uniques["account_id"]) * n_days
    if span <= 4 * len(pairs) + 1024:  # distinct (account, date), sorted: marks when dense enough
        pairs = np.flatnonzero(np.bincount(pairs, minlength=span))
    else:  # else a sort (np.unique hashes: slower)
        pairs = np.sort(pairs)
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    pair_acc, pair_day = pairs // n_days, pairs % n_days
    starts = np.flatnonzero(np.r_[True, pair_acc[1:] != pair_acc[:-1]])
    ends = np.r_[starts[1:], len(pairs)] - 1  # each account's last (latest) date
    has_prev = ends > starts
    dates = uniques["assessed_on"]
    index = pd.Index(_key_values(pd.Series(pair_acc[ends]), uniques["account_id"]), name="account_id")
    latest = pd.Series(dates.take(pair_day[ends]), index=index, name="assessed_on")
    prev = pd.Series(dates.take(pair_day[ends[has_prev] - 1]), index=index[has_prev], name="previous_assessed_on")
    count = pd.Series(ends - starts + 1, index=index, name="n_assessments")
    return pd.concat([latest, prev, count], axis=1)


@dataclass(frozen=True)
class AssessmentResult:
    """Scored assessments of a portfolio.

    Attributes
    ----------
    elements : DataFrame
        One row per account and element (all accounts, all ten elements) for the latest
        assessment: score, rag, n_raters, spread, perception_gap, previous_score, change,
        raters_disagree, range_low/high (0-100), mean_rating; weight, in_both and
        contribution (:func:`health_drivers`).
    accounts : DataFrame
        Per account: assessed_on, previous_assessed_on, health_index, health_rag,
        health_complete, n_scored, previous_health_index, n_raters; health_change (like
        with like: over the elements scored in both assessments, the sum of the
        elements' ``contribution``), health_change_elements (how many), health_now_common
        and health_before_common (the two weighted means over them: their difference is
        the change) and same_elements (both assessments scored the same elements).
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
    seen = assessment[assessment["assessed_on"] <= as_of]
    # the key columns coded once, for the dates, the means and the latest rows
    codes, uniques = _group_codes(seen, _KEYS)
    from_codes = _dates_from_codes(codes, uniques)
    dates = (assessment_dates(assessment, as_of=as_of) if from_codes is None else from_codes).reindex(idx)
    means, means_acc, means_day = _rater_means(seen, questions, codes, uniques)
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
    elements = health_drivers(elements.reset_index(), settings=settings)

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
    # like with like (rule 6): the change over the elements scored in both, not the
    # difference of two indexes over different elements
    like = _like_for_like(elements, idx)
    has_prev = accounts["previous_health_index"].notna()
    accounts["health_change"] = like["health_change"].where(has_prev)
    accounts["health_change_elements"] = like["health_change_elements"].where(has_prev, 0).astype(int)
    accounts["health_now_common"] = like["health_now_common"].where(has_prev)
    accounts["health_before_common"] = like["health_before_common"].where(has_prev)
    accounts["same_elements"] = like["same_elements"].astype("boolean").where(has_prev, pd.NA)
    if from_codes is None:
        latest_means = pick(means, "assessed_on")
    else:  # the rows of each account's latest date, by codes (no second pass over the ids)
        latest_day = np.full(len(uniques["account_id"]), -2, dtype=np.int64)
        listed = from_codes.index.isin(idx)
        latest_day[uniques["account_id"].get_indexer(from_codes.index[listed])] = \
            uniques["assessed_on"].get_indexer(from_codes.loc[listed, "assessed_on"])
        latest_means = means[means_day == latest_day[means_acc]].reset_index(drop=True)
    accounts["n_raters"] = latest_means.groupby("account_id")["rater"].nunique().reindex(idx).fillna(0).astype(int)
    accounts["has_client_rater"] = latest_means[latest_means["rater_role"].eq("client")].groupby("account_id").size().reindex(idx).fillna(0).gt(0)

    if from_codes is None:
        latest_rows = seen[seen["assessed_on"].eq(seen["account_id"].map(dates["assessed_on"]))]
    else:  # rows of each account's latest date (accounts of account_ids only), by codes
        latest_rows = seen[codes["assessed_on"].to_numpy() == latest_day[codes["account_id"].to_numpy()]]
    comments = latest_rows[latest_rows["comment"].notna()][["account_id", "rater", "rater_role", "element", "question_id", "comment"]]
    # the coded columns as text again (kit.schema.TableRule.coded)
    comments = comments.assign(**{c: plain(comments[c]) for c in comments.columns})
    return AssessmentResult(elements=elements, accounts=accounts, raters=latest_means, comments=comments.reset_index(drop=True))


def _age_quarters(assessed_on: pd.Series, quarter: int) -> pd.Series:
    """Quarters from each assessment to the analysis quarter (NaN: not assessed)."""
    if assessed_on.empty:  # keeps the dtype an element-wise map gives
        return assessed_on.map(lambda d: np.nan if pd.isna(d) else quarter - quarter_of(d))
    age = quarter - (assessed_on.dt.year * 4 + (assessed_on.dt.month - 1) // 3).astype(float)
    # whole numbers when every account has one, as an element-wise map gives
    return age.astype("int64") if age.notna().all() else age


def assessment_timing(assessment: pd.DataFrame, assessed_on: pd.Series, *, as_of: pd.Timestamp, cutoff: pd.Timestamp,
                      quarter: int) -> pd.DataFrame:
    """When each account's scored assessment falls (scoring rule 4): whether it was taken
    in the grace window after the analysis date, the window's end, the first assessment
    after it (not scored in this run; the report says so) and its age in quarters.

    ``assessed_on``: the scored assessment's date per account (the index: account ids)."""
    idx = assessed_on.index
    out = pd.DataFrame(index=idx)
    out["assessment_in_grace"] = assessed_on.notna() & (assessed_on > as_of)
    out["assessment_window_end"] = cutoff
    later = assessment[assessment["assessed_on"] > cutoff].groupby("account_id")["assessed_on"].min()
    out["next_assessed_on"] = later.reindex(idx) if len(later) else pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
    out["assessment_age_quarters"] = _age_quarters(assessed_on, quarter)
    return out

