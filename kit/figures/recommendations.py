"""Recommendations: the few objectives that follow from an account's data.

Four sources, each a rule table (data, not code paths), and each candidate carries
``because``: the numbers behind it.

- warnings: every early warning that fired maps to an action (:data:`WARNING_ACTIONS`);
  priority by severity;
- elements: the weakest assessed elements below green map to an action
  (:data:`ELEMENT_ACTIONS`); red before amber;
- whitespace: cross-selling an offering that one buying center of the account already
  buys into another buying center with revenue that does not (and has no open
  opportunity for it), largest buying center first;
- category: the objectives beyond revenue of the account's relationship category
  (``objectives.csv``, which a client may replace), each with its measure, compared
  with the portfolio median (anonymous); an objective whose measure is below the
  median ranks higher.

Candidates are ranked by :data:`PRIORITY`; the list keeps at most
``max_recommendations``: the best candidate of each source first, then the rest by
priority.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.schema import CROSS_SELL_COLUMNS, ELEMENT_NAMES, RECOMMENDATIONS_COLUMNS

__all__ = [
    "CATEGORY_DESCRIPTIONS",
    "ELEMENT_ACTIONS",
    "MEASURES",
    "PRIORITY",
    "WARNING_ACTIONS",
    "cross_sell_candidates",
    "recommend",
]

#: what each relationship category means (seed 000, Figure 4)
CATEGORY_DESCRIPTIONS = {
    "Strategic": "has standardized on our offerings across its operations, invests consistently, and its "
                 "senior sponsors see us as the go-to partner",
    "Core": "uses our offerings across several organizations and spends regularly, but our share of wallet is "
            "lower and some executives favor competitors",
    "Beachhead": "has made one or a few purchases but no major investment yet; our relationships sit at "
                 "mid-management",
    "Greenfield": "has not bought from us in the last three years; the contacts we hold may be out of date",
}

#: warning id -> the action it calls for; ``{...}`` fields come from the account's figures
WARNING_ACTIONS: dict[str, str] = {
    "concentration_buying_center": "Reduce dependence on {top_buying_center}: win revenue in a second buying center",
    "concentration_offering": "Cross-sell beyond {top_offering}: propose a second offering where it fits",
    "single_threaded": "Multi-thread the account: build relationships with at least two more decision makers",
    "key_supporter_left": "Replace the lost supporter: find and win a new sponsor in the same buying center",
    "comfort_zone": "Leave the comfort zone: propose a new offering or enter a new buying center this quarter",
    "whitespace_vs_pipeline": "Turn whitespace into pipeline: qualify opportunities for the unaddressed potential",
    "revenue_flat_or_falling": "Find out why revenue is flat or falling and agree a plan to return to growth",
    "no_executive_contact": "Meet an executive sponsor this quarter",
    "nps_csat_decline": "Recover client satisfaction: review the survey answers with the delivery team and the client",
    "raters_disagree": "Discuss the elements the raters disagree on, with the evidence, before acting on them",
    "rated_well_evidence_weak": "Check the ratings that the data does not support and rescore them honestly",
    "stale_assessment": "Reassess the account with the team: the last assessment is out of date",
    "competitive_pressure": "Shape needs before the RFP to win more sole-sourced business",
}

#: element id -> the action that strengthens it
ELEMENT_ACTIONS: dict[str, str] = {
    "client_understanding": "Deepen client understanding: map the client's strategy, priorities and buying process",
    "account_strategy": "Write or refresh the account strategy and share it with the whole team",
    "value_of_work": "Quantify the value we deliver and agree the next value goals with the client",
    "relationships": "Broaden the relationships: more decision makers and executives across buying centers",
    "delivery_quality": "Raise delivery quality: review open issues and the satisfaction results with the client",
    "firm_as_partner": "Bring more of the firm to the client: specialists, leaders and ideas beyond the current work",
    "account_governance": "Set a governance rhythm: quarterly business reviews and an account plan reviewed each quarter",
    "leading_people": "Staff and develop the account team for the plan",
    "brand_marketing": "Raise our visibility at the client: references, thought leadership and events",
    "pipeline_health": "Build pipeline to cover the next four quarters' target",
}

#: measure -> (words, format): the figures an objective may point at
MEASURES: dict[str, tuple[str, str]] = {
    "executives": ("active executive contacts", "count"),
    "decision_makers": ("active decision makers", "count"),
    "stakeholder_coverage": ("buying centers with revenue that have an executive contact", "pct"),
    "advocates": ("advocates willing to endorse us", "count"),
    "average_deal_size": ("average won deal size (T4Q)", "money"),
    "revenue_buying_centers": ("buying centers with revenue (T4Q)", "count"),
    "share_of_wallet": ("share of wallet", "pct"),
    "revenue_t4q": ("T4Q revenue", "money"),
    "revenue_growth": ("revenue growth", "pct"),
    "open_pipeline": ("open pipeline", "money"),
    "colonization_share": ("revenue from new buying centers (T4Q)", "pct"),
    "crop_rotation_share": ("revenue from cross-sell (T4Q)", "pct"),
    "sole_sourced_share": ("sole-sourced share of value won (T4Q)", "pct"),
    "win_rate_count": ("win rate (T4Q)", "pct"),
}

#: ranking of candidates (higher first)
PRIORITY = {
    ("warning", "high"): 90, ("element", "red"): 80, ("warning", "medium"): 60, ("element", "amber"): 50,
    ("whitespace", ""): 45, ("category", "below median"): 55, ("category", ""): 40, ("warning", "low"): 30,
}


def _fmt(v: object, kind: str) -> str:
    if v is None or pd.isna(v):
        return "no data"
    if kind == "pct":
        return f"{float(v) * 100:.0f}%"
    if kind == "money":
        return f"{float(v):,.0f}"
    return f"{float(v):,.0f}" if float(v) == round(float(v)) else f"{float(v):,.1f}"


def _bought_by(pairs: pd.DataFrame) -> pd.DataFrame:
    """``account_id, offering, bought_by`` (the buying centers that bought it, sorted and
    joined), sorted by account and offering: one pass, not a grouped apply per cell."""
    p = pairs.sort_values(["account_id", "offering", "buying_center"], kind="stable")
    keys, joined = [], []
    for (acc, off), group in itertools.groupby(zip(p["account_id"].tolist(), p["offering"].tolist(),
                                                   p["buying_center"].tolist()), key=lambda r: (r[0], r[1])):
        keys.append((acc, off))
        joined.append(", ".join(sorted(r[2] for r in group)))
    return pd.DataFrame({"account_id": [k[0] for k in keys], "offering": [k[1] for k in keys], "bought_by": joined})


def cross_sell_candidates(revenue: pd.DataFrame, opportunities: pd.DataFrame, account_ids: list[str], *,
                          quarter: int, as_of: pd.Timestamp) -> pd.DataFrame:
    """Whitespace cells with a proven fit: an offering bought (T12Q) by one buying center of
    the account, not by another buying center that has revenue, with no open opportunity.

    Returns ``account_id, buying_center, offering, bc_revenue_t4q, bought_by`` sorted by
    account, then buying-center T4Q revenue (largest first).  "Unspecified" buying centers
    and offerings are left out (they name nothing to sell to).
    """
    cols = list(CROSS_SELL_COLUMNS)
    rev = revenue[(revenue["quarter"] > quarter - 12) & (revenue["quarter"] <= quarter) & (revenue["amount"] > 0)]
    rev = rev[(rev["buying_center"] != "Unspecified") & (rev["offering"] != "Unspecified")]
    rev = rev[rev["account_id"].isin(set(account_ids))]
    if rev.empty:
        return pd.DataFrame(columns=cols)
    pairs = rev[["account_id", "buying_center", "offering"]].drop_duplicates()
    t4 = revenue[(revenue["quarter"] > quarter - 4) & (revenue["quarter"] <= quarter)]
    bc_rev = t4.groupby(["account_id", "buying_center"])["amount"].sum()
    bcs = bc_rev[bc_rev > 0].rename("bc_revenue_t4q").reset_index()
    bcs = bcs[bcs["buying_center"] != "Unspecified"]
    offers = _bought_by(pairs)
    grid = bcs.merge(offers, on="account_id")
    done = pairs.assign(_done=True)
    o = opportunities
    open_ = o[o["is_open"] & (o["created_on"].isna() | (o["created_on"] <= as_of))][["account_id", "buying_center", "offering"]]
    piped = open_.dropna().drop_duplicates().assign(_piped=True)
    grid = grid.merge(done, on=["account_id", "buying_center", "offering"], how="left").merge(
        piped, on=["account_id", "buying_center", "offering"], how="left")
    grid = grid[grid["_done"].isna() & grid["_piped"].isna()]
    return grid.sort_values(["account_id", "bc_revenue_t4q", "offering"], ascending=[True, False, True], kind="stable")[cols].reset_index(drop=True)


def _frame(account_id: np.ndarray, source: str, ref: np.ndarray | list[str], objective: np.ndarray | list[str],
           because: np.ndarray | list[str], priority: list[int], block: int) -> pd.DataFrame:
    """Candidates of one source; ``block`` and ``seq`` keep the order in which the
    sources list them (warnings, elements, whitespace, category; rows as listed)."""
    n = len(objective)
    return pd.DataFrame({
        "account_id": pd.Series(account_id, dtype=object), "source": source,
        "ref": pd.Series(ref, dtype=object), "objective": pd.Series(objective, dtype=object),
        "because": pd.Series(because, dtype=object), "priority": pd.Series(priority, dtype="int64"),
        "block": block, "seq": np.arange(n),
    }, index=pd.RangeIndex(n))


def _warning_candidates(figures: pd.DataFrame, warnings: pd.DataFrame) -> pd.DataFrame:
    """Every fired warning that has an action, in the warnings' order."""
    w = warnings[warnings["warning_id"].isin(list(WARNING_ACTIONS))]
    tops = figures.reindex(columns=["top_buying_center", "top_offering"]).reindex(w["account_id"])

    def name(v: object) -> str:
        return v if isinstance(v, str) else "the largest one"

    objective = [WARNING_ACTIONS[wid].format(top_buying_center=name(bc), top_offering=name(of))
                 for wid, bc, of in zip(w["warning_id"].tolist(), tops["top_buying_center"].tolist(),
                                        tops["top_offering"].tolist())]
    priority = [PRIORITY[("warning", sev)] for sev in w["severity"].tolist()]
    return _frame(w["account_id"].to_numpy(), "warning", w["warning_id"].to_numpy(), objective,
                  w["message"].to_numpy(), priority, 0)


def _element_candidates(elements: pd.DataFrame, account_order: pd.Series) -> pd.DataFrame:
    """The two weakest scored elements below green of each account, weakest first."""
    e = elements[elements["score"].notna() & elements["rag"].isin(["red", "amber"])]
    e = e.assign(_acc=e["account_id"].map(account_order)).dropna(subset=["_acc"])
    # (score, element) is unique within an account: the order is the same in any sort
    e = e.sort_values(["_acc", "score", "element"], kind="stable")
    e = e[e.groupby("_acc", sort=False).cumcount() < 2]
    because = [f"{ELEMENT_NAMES[el]} scored {sc:.0f} of 100 ({rag})"
               + ("" if pd.isna(ch) else f", {ch:+.0f} since the previous assessment")
               for el, sc, rag, ch in zip(e["element"].tolist(), e["score"].tolist(), e["rag"].tolist(), e["change"].tolist())]
    return _frame(e["account_id"].to_numpy(), "element", e["element"].to_numpy(),
                  [ELEMENT_ACTIONS[el] for el in e["element"].tolist()], because,
                  [PRIORITY[("element", rag)] for rag in e["rag"].tolist()], 1)


def _whitespace_candidates(cross: pd.DataFrame) -> pd.DataFrame:
    """The first cross-sell cell of each account (largest buying center first)."""
    c = cross.groupby("account_id", sort=False).head(1)
    bcs, offers = c["buying_center"].tolist(), c["offering"].tolist()
    because = [f"{of} is bought by {by}; {bc} brought {rev:,.0f} in T4Q but has neither bought nor been offered {of}"
               for bc, of, by, rev in zip(bcs, offers, c["bought_by"].tolist(), c["bc_revenue_t4q"].tolist())]
    return _frame(c["account_id"].to_numpy(), "whitespace",
                  [f"{bc} x {of}" for bc, of in zip(bcs, offers)],
                  [f"Cross-sell {of} into {bc}" for bc, of in zip(bcs, offers)],
                  because, [PRIORITY[("whitespace", "")]] * len(c), 2)


def _category_candidates(figures: pd.DataFrame, objectives: pd.DataFrame, medians: pd.Series) -> pd.DataFrame:
    """The objectives of each account's category with its measure against the median."""
    cat = figures["category"]
    obj = objectives.reset_index(drop=True).rename_axis("_obj").reset_index()
    pairs = pd.DataFrame({"account_id": figures.index, "category": cat.to_numpy(), "_acc": np.arange(len(figures))})
    pairs = pairs.dropna(subset=["category"])
    # objectives in their listed order within each account
    m = pairs.merge(obj[["_obj", "category", "objective", "measure"]], on="category", how="inner")
    m = m.sort_values(["_acc", "_obj"], kind="stable")
    measure = [v if isinstance(v, str) else None for v in m["measure"].tolist()]
    # each account's value of its objective's measure (None: not a figure)
    value = np.empty(len(m), dtype=object)
    value[:] = None
    acc_pos = m["_acc"].to_numpy()
    for key in set(filter(None, measure)):
        if key not in figures.columns:
            continue
        rows = np.flatnonzero(np.array([k == key for k in measure], dtype=bool))
        value[rows] = figures[key].to_numpy(dtype=object)[acc_pos[rows]]
    because, priority = [], []
    median_of = medians.to_dict()  # a dict lookup per row, not a Series lookup
    for c, key, v in zip(m["category"].tolist(), measure, value):
        text, pri = f"an objective of every {c} account", PRIORITY[("category", "")]
        if key:
            words, kind = MEASURES[key]
            med = median_of.get(key)
            text = f"{words}: {_fmt(v, kind)} (portfolio median {_fmt(med, kind)})"
            if v is not None and not pd.isna(v) and med is not None and not pd.isna(med) and float(v) < float(med):
                pri = PRIORITY[("category", "below median")]
        because.append(text)
        priority.append(pri)
    return _frame(m["account_id"].to_numpy(), "category", m["category"].to_numpy(), m["objective"].to_numpy(),
                  because, priority, 3)


def recommend(figures: pd.DataFrame, elements: pd.DataFrame, warnings: pd.DataFrame, cross_sell: pd.DataFrame,
              objectives: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """The ranked recommended objectives of every account (``recommendations.csv``).

    Parameters
    ----------
    figures : DataFrame
        Per-account figures (index account_id), as built by :func:`kit.model.build_model`.
    elements, warnings : DataFrame
        Element scores and fired warnings (long, with ``account_id``).
    cross_sell : DataFrame
        :func:`cross_sell_candidates`.
    objectives : DataFrame
        ``category, theme, objective, measure`` (the kit's or the client's).
    """
    medians = pd.Series({m: pd.to_numeric(figures[m], errors="coerce").median() for m in MEASURES if m in figures})
    order = pd.Series(np.arange(len(figures)), index=figures.index)
    cands = pd.concat([
        _warning_candidates(figures, warnings), _element_candidates(elements, order),
        _whitespace_candidates(cross_sell), _category_candidates(figures, objectives, medians),
    ], ignore_index=True)
    cands["acc"] = cands["account_id"].map(order)
    cands = cands.dropna(subset=["acc"])  # only the accounts of the figures
    return _select(cands, settings.max_recommendations)


def _select(cands: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The best candidate of each source first (so warnings, elements, whitespace and the
    category each get a say), then the rest by priority; duplicates dropped; ranked by
    priority.  ``cands`` holds every account's candidates (``acc``: account order)."""
    ranked = cands.assign(neg=-cands["priority"]).sort_values(["acc", "neg", "block", "seq"], kind="stable")
    # the same objective twice: the better-placed one stays
    unique = ranked[~ranked.duplicated(["acc", "objective"])]
    best = unique[~unique.duplicated(["acc", "source"])]
    picked = best.index[best.groupby("acc", sort=False).cumcount().to_numpy() < limit]
    n_best = pd.Series(1, index=picked).groupby(unique.loc[picked, "acc"].to_numpy()).sum()
    rest = unique[~unique.index.isin(picked)]
    room = limit - rest["acc"].map(n_best).fillna(0)
    picked = picked.append(rest.index[rest.groupby("acc", sort=False).cumcount() < room])
    out = unique[unique.index.isin(picked)]  # still in priority order within each account
    if out.empty:
        return pd.DataFrame([], columns=list(RECOMMENDATIONS_COLUMNS)).astype({"rank": int, "priority": int})
    rank = out.groupby("acc", sort=False).cumcount() + 1
    return pd.DataFrame({
        "account_id": out["account_id"].tolist(), "rank": rank.astype(int).tolist(), "source": out["source"].tolist(),
        "ref": out["ref"].tolist(), "objective": out["objective"].tolist(), "because": out["because"].tolist(),
        "priority": out["priority"].astype(int).tolist(),
    }, columns=list(RECOMMENDATIONS_COLUMNS))
