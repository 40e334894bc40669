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

import pandas as pd

from kit.config import Settings
from kit.schema import CROSS_SELL_COLUMNS, ELEMENT_NAMES, RECOMMENDATIONS_COLUMNS

__all__ = [
    "WARNING_ACTIONS", "ELEMENT_ACTIONS", "MEASURES", "PRIORITY",
    "cross_sell_candidates", "recommend", "CATEGORY_DESCRIPTIONS",
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
    offers = pairs.groupby(["account_id", "offering"])["buying_center"].apply(lambda s: ", ".join(sorted(s))).rename("bought_by").reset_index()
    grid = bcs.merge(offers, on="account_id")
    done = pairs.assign(_done=True)
    o = opportunities
    open_ = o[o["is_open"] & (o["created_on"].isna() | (o["created_on"] <= as_of))][["account_id", "buying_center", "offering"]]
    piped = open_.dropna().drop_duplicates().assign(_piped=True)
    grid = grid.merge(done, on=["account_id", "buying_center", "offering"], how="left").merge(
        piped, on=["account_id", "buying_center", "offering"], how="left")
    grid = grid[grid["_done"].isna() & grid["_piped"].isna()]
    return grid.sort_values(["account_id", "bc_revenue_t4q", "offering"], ascending=[True, False, True], kind="stable")[cols].reset_index(drop=True)


def _candidates(acc: str, f: pd.Series, elements: pd.DataFrame, warnings: pd.DataFrame, cross: pd.DataFrame,
                objectives: pd.DataFrame, medians: pd.Series, s: Settings) -> list[dict]:
    out: list[dict] = []
    for w in warnings.itertuples(index=False):
        text = WARNING_ACTIONS.get(w.warning_id)
        if text is None:
            continue
        fields = {k: (f.get(k) if isinstance(f.get(k), str) else "the largest one") for k in ("top_buying_center", "top_offering")}
        out.append({"source": "warning", "ref": w.warning_id, "objective": text.format(**fields),
                    "because": w.message, "priority": PRIORITY[("warning", w.severity)]})
    scored = elements.dropna(subset=["score"])
    weak = scored[scored["rag"].isin(["red", "amber"])].sort_values(["score", "element"]).head(2)
    for e in weak.itertuples(index=False):
        change = "" if pd.isna(e.change) else f", {e.change:+.0f} since the previous assessment"
        out.append({"source": "element", "ref": e.element, "objective": ELEMENT_ACTIONS[e.element],
                    "because": f"{ELEMENT_NAMES[e.element]} scored {e.score:.0f} of 100 ({e.rag}){change}",
                    "priority": PRIORITY[("element", e.rag)]})
    for c in cross.head(1).itertuples(index=False):
        out.append({"source": "whitespace", "ref": f"{c.buying_center} x {c.offering}",
                    "objective": f"Cross-sell {c.offering} into {c.buying_center}",
                    "because": (f"{c.offering} is bought by {c.bought_by}; {c.buying_center} brought "
                                f"{c.bc_revenue_t4q:,.0f} in T4Q but has neither bought nor been offered {c.offering}"),
                    "priority": PRIORITY[("whitespace", "")]})
    mine = objectives[objectives["category"] == f["category"]]
    for o in mine.itertuples(index=False):
        measure = o.measure if isinstance(o.measure, str) else None
        because, key = f"an objective of every {f['category']} account", ("category", "")
        if measure:
            words, kind = MEASURES[measure]
            v, med = f.get(measure), medians.get(measure)
            because = f"{words}: {_fmt(v, kind)} (portfolio median {_fmt(med, kind)})"
            if v is not None and not pd.isna(v) and med is not None and not pd.isna(med) and float(v) < float(med):
                key = ("category", "below median")
        out.append({"source": "category", "ref": f["category"], "objective": o.objective, "because": because,
                    "priority": PRIORITY[key]})
    return out


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
    el_g, w_g, cs_g = (dict(list(d.groupby("account_id", sort=False))) for d in (elements, warnings, cross_sell))
    empty_el, empty_w, empty_cs = elements.iloc[:0], warnings.iloc[:0], cross_sell.iloc[:0]
    rows = []
    for acc, f in figures.iterrows():
        cands = _candidates(acc, f, el_g.get(acc, empty_el), w_g.get(acc, empty_w), cs_g.get(acc, empty_cs),
                            objectives, medians, settings)
        rows += _select(acc, cands, settings.max_recommendations)
    out = pd.DataFrame(rows, columns=list(RECOMMENDATIONS_COLUMNS))
    out["rank"] = out["rank"].astype(int)
    out["priority"] = out["priority"].astype(int)
    return out


def _select(acc: str, cands: list[dict], limit: int) -> list[dict]:
    """The best candidate of each source first (so warnings, elements, whitespace and the
    category each get a say), then the rest by priority; duplicates dropped; ranked by
    priority."""
    order = sorted(range(len(cands)), key=lambda i: (-cands[i]["priority"], i))
    unique, seen = [], set()
    for i in order:
        if cands[i]["objective"] not in seen:
            seen.add(cands[i]["objective"])
            unique.append(i)
    firsts = list(dict.fromkeys({cands[i]["source"]: i for i in reversed(unique)}.values()))
    picked = sorted(firsts, key=unique.index)[:limit]
    picked += [i for i in unique if i not in picked][: limit - len(picked)]
    picked.sort(key=unique.index)
    return [{"account_id": acc, "rank": rank, **cands[i]} for rank, i in enumerate(picked, start=1)]
