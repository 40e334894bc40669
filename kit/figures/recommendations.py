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

Every candidate checks its precondition on the account's figures, so a recommendation
never asks for what the account already has: the concentration advice follows the count
(one buying center: win a second; several: grow the smaller ones), the decision makers
and executive sponsor asked for are the ones missing, an element whose data are strong
asks for a review of the rating rather than for more of what the data show, and a
category objective the account already meets (its measure at or above ``met_at``) is
shown as met, not recommended; one whose measure is unknown (its table not supplied) is
not recommended either (:func:`objective_status`).

Candidates are ranked by :data:`PRIORITY`; the list keeps at most
``max_recommendations``: the best candidate of each source first, then the rest by
priority.
"""

from __future__ import annotations

import functools
import itertools
import string
from collections.abc import Callable, Collection, Mapping

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.figures.early_warnings import FigureColumns, figure_rows
from kit.figures.words import count, score_text
from kit.schema import CROSS_SELL_COLUMNS, ELEMENT_NAMES, RECOMMENDATIONS_COLUMNS

__all__ = [
    "CATEGORY_DESCRIPTIONS",
    "ELEMENT_ACTIONS",
    "MEASURES",
    "MEASURE_SOURCES",
    "PRIORITY",
    "WARNING_ACTIONS",
    "cross_sell_candidates",
    "objective_status",
    "recommend",
    "warning_action",
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

#: warning id -> the action it calls for; ``{...}`` fields come from the account's figures.
#: A dict holds variants, one of which :data:`ACTION_VARIANTS` picks (the action's precondition).
WARNING_ACTIONS: dict[str, str | dict[str, str]] = {
    # one buying center: win a second; several: grow the smaller ones (domain.md)
    "concentration_buying_center": {
        "one": "Win revenue in a second buying center: today all of it comes from {top_buying_center}",
        "several": "Grow the smaller buying centers: {top_share_buying_center} of revenue comes from {top_buying_center}, "
                   "about {effective_buying_centers} effective buying centers of {buying_centers_t4q}",
    },
    "concentration_offering": {
        "one": "Propose a second offering where it fits: today all revenue is {top_offering}",
        "several": "Grow the smaller offerings: {top_share_offering} of revenue is {top_offering}, about "
                   "{effective_offerings} effective offerings of {offerings_t4q}",
    },
    "single_threaded": "Multi-thread the account: win {decision_makers_needed}, for at least {dm_goal} active "
                       "({dm_now} today)",
    "key_supporter_left": "Replace the lost supporter: find and win a new sponsor in the same buying center",
    "comfort_zone": "Leave the comfort zone: propose a new offering or enter a new buying center this quarter",
    "whitespace_vs_pipeline": "Turn whitespace into pipeline: qualify opportunities for the unaddressed potential",
    "revenue_flat_or_falling": "Find out why revenue is flat or falling and agree a plan to return to growth",
    "no_executive_contact": {
        "lapsed": "Meet an executive contact again this quarter: none met in the last {no_executive_contact_quarters} quarters",
        "none": "Find and meet an executive sponsor this quarter: the account has no active executive contact",
        "unknown": "Meet an executive sponsor this quarter",
    },
    "nps_csat_decline": "Recover client satisfaction: review the survey answers with the delivery team and the client",
    "raters_disagree": "Discuss the elements the raters disagree on, with the evidence, before acting on them",
    "rated_well_evidence_weak": "Check the ratings that the data does not support and rescore them honestly",
    "stale_assessment": "Reassess the account with the team: the last assessment is out of date",
    "competitive_pressure": "Shape needs before the RFP to win more sole-sourced business",
    "not_assessed": "Assess the account: hold the ten-element workshop with the account team",
}

#: warning id -> which variant of its action the account's figures call for
ACTION_VARIANTS: dict[str, Callable[[Mapping[str, object]], str]] = {
    "concentration_buying_center": lambda f: "one" if f["buying_centers_t4q"] == 1 else "several",
    "concentration_offering": lambda f: "one" if f["offerings_t4q"] == 1 else "several",
    "no_executive_contact": lambda f: ("unknown" if _missing(f["executives"]) else "lapsed" if f["executives"] > 0 else "none"),
}


def _missing(v: object) -> bool:
    return v is None or (not isinstance(v, (list, tuple, str)) and pd.isna(v))


def warning_action(warning_id: str, f: Mapping[str, object], *, settings: Settings) -> str:
    """The action a fired warning calls for, worded on the account's figures ``f`` (a row
    of the model's figures): the variant its precondition picks, with the numbers."""
    action = WARNING_ACTIONS[warning_id]
    if isinstance(action, str) and _plain_text(action):  # nothing to word: most actions
        return action
    if isinstance(action, dict):
        action = action[ACTION_VARIANTS[warning_id](f)]

    def num(key: str, spec: str) -> str:
        v = f.get(key)
        return "?" if _missing(v) else format(float(v), spec)

    def name(key: str) -> str:
        v = f.get(key)
        return "the largest one" if _missing(v) else str(v)

    dm = f.get("decision_makers")
    have = 0 if _missing(dm) else int(dm)
    goal = settings.single_threaded_max + 1  # more than single_threaded_max: no longer single-threaded
    values = {
        "top_buying_center": lambda: name("top_buying_center"), "top_offering": lambda: name("top_offering"),
        "top_share_buying_center": lambda: num("top_share_buying_center", ".0%"),
        "top_share_offering": lambda: num("top_share_offering", ".0%"),
        "effective_buying_centers": lambda: num("effective_buying_centers", ".1f"),
        "effective_offerings": lambda: num("effective_offerings", ".1f"),
        "buying_centers_t4q": lambda: num("buying_centers_t4q", ".0f"), "offerings_t4q": lambda: num("offerings_t4q", ".0f"),
        "decision_makers_needed": lambda: count(max(goal - have, 1), "more decision maker" if have else "decision maker"),
        "dm_goal": lambda: goal, "dm_now": lambda: have,
        "no_executive_contact_quarters": lambda: settings.no_executive_contact_quarters,
    }
    # only the placeholders this action uses: a portfolio words ~100,000 of them
    return action.format(**{k: values[k]() for k in _fields(action)})


@functools.cache
def _plain_text(text: str) -> bool:
    """Whether ``text.format(...)`` is ``text`` itself (no field, no doubled brace)."""
    return "{" not in text and "}" not in text


@functools.cache
def _fields(text: str) -> tuple[str, ...]:
    return tuple(field for _, field, _, _ in string.Formatter().parse(text) if field)


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

#: measure -> the input table it is counted from: without it the measure is unknown
MEASURE_SOURCES: dict[str, str] = {
    "executives": "contacts", "decision_makers": "contacts", "stakeholder_coverage": "contacts", "advocates": "contacts",
    "average_deal_size": "opportunities", "open_pipeline": "opportunities", "open_opportunities": "opportunities",
    "sole_sourced_share": "opportunities", "win_rate_count": "opportunities", "share_of_wallet": "accounts",
    "revenue_buying_centers": "revenue", "revenue_t4q": "revenue", "revenue_growth": "revenue",
    "colonization_share": "revenue", "crop_rotation_share": "revenue",
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
    "open_opportunities": ("open opportunities", "count"),
    "colonization_share": ("revenue from new buying centers (T4Q)", "pct"),
    "crop_rotation_share": ("revenue from cross-sell (T4Q)", "pct"),
    "sole_sourced_share": ("sole-sourced share of value won (T4Q)", "pct"),
    "win_rate_count": ("win rate (T4Q)", "pct"),
}

#: ranking of candidates (higher first)
PRIORITY = {
    ("warning", "high"): 90, ("element", "red"): 80, ("warning", "medium"): 60, ("element", "amber"): 50,
    ("whitespace", ""): 45, ("category", "below median"): 55, ("category", ""): 40, ("warning", "low"): 30,
    # an account earning revenue that nobody assessed: assess it before acting on the rest
    ("warning", "not_assessed"): 85,
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


def _warning_candidates(figures: pd.DataFrame, warnings: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Every fired warning that has an action, in the warnings' order, the action worded
    on the account's figures (:func:`warning_action`)."""
    w = warnings[warnings["warning_id"].isin(list(WARNING_ACTIONS))]
    # each account's figures read through column lists (no dict per account); an account
    # not in the figures reads as unknown figures, as a reindexed row does
    columns = FigureColumns(figures)
    at = figures.index.get_indexer(pd.Index(w["account_id"])) if figures.index.is_unique else None
    if at is None or (at < 0).any():
        rows = dict(figure_rows(figures.reindex(pd.unique(w["account_id"]))))
        read = [rows[acc] for acc in w["account_id"].tolist()]
    else:
        read = [columns.row(i) for i in at.tolist()]
    objective = [warning_action(wid, f, settings=settings) for f, wid in zip(read, w["warning_id"].tolist())]
    # a rule's own priority (not_assessed: the assessment comes before acting on the rest)
    priority = [PRIORITY.get(("warning", wid), PRIORITY[("warning", sev)])
                for wid, sev in zip(w["warning_id"].tolist(), w["severity"].tolist())]
    return _frame(w["account_id"].to_numpy(), "warning", w["warning_id"].to_numpy(), objective,
                  w["message"].to_numpy(), priority, 0)


def _element_candidates(elements: pd.DataFrame, account_order: pd.Series, evidence: pd.DataFrame | None,
                        settings: Settings) -> pd.DataFrame:
    """The two weakest scored elements below green of each account, weakest first.

    Precondition: an element whose data are strong (its evidence not weak) is not asked
    for more of what the data already show; the action is to review the rating."""
    e = elements[elements["score"].notna() & elements["rag"].isin(["red", "amber"])]
    e = e.assign(_acc=e["account_id"].map(account_order)).dropna(subset=["_acc"])
    # (score, element) is unique within an account: the order is the same in any sort
    e = e.sort_values(["_acc", "score", "element"], kind="stable")
    e = e[e.groupby("_acc", sort=False).cumcount() < 2]
    strong: dict[tuple[object, str], str] = {}
    if evidence is not None and len(evidence):
        ok = evidence[evidence["evidence_weak"].map(lambda v: v is False or v is np.False_)]
        strong = dict(zip(zip(ok["account_id"].tolist(), ok["element"].tolist()), ok["evidence"].tolist()))
    because, objective = [], []
    for acc, el, sc, rag, ch in zip(e["account_id"].tolist(), e["element"].tolist(), e["score"].tolist(),
                                    e["rag"].tolist(), e["change"].tolist()):
        text = (f"{ELEMENT_NAMES[el]} scored {score_text(sc, settings.rag)} of 100 ({rag})"
                + ("" if pd.isna(ch) else f", {ch:+.0f} since the previous assessment"))
        if (acc, el) in strong:
            objective.append(f"Review the {ELEMENT_NAMES[el]} rating with the team: the data do not show the weakness")
            text += f"; the data: {strong[(acc, el)]}"
        else:
            objective.append(ELEMENT_ACTIONS[el])
        because.append(text)
    return _frame(e["account_id"].to_numpy(), "element", e["element"].to_numpy(), objective, because,
                  [PRIORITY[("element", rag)] for rag in e["rag"].tolist()], 1)


def _whitespace_candidates(cross: pd.DataFrame, supplied: Collection[str] | None) -> pd.DataFrame:
    """The first cross-sell cell of each account (largest buying center first)."""
    c = cross.groupby("account_id", sort=False).head(1)
    bcs, offers = c["buying_center"].tolist(), c["offering"].tolist()
    # without opportunities, whether it was offered is unknown: the text does not claim it
    offered = supplied is None or "opportunities" in supplied
    because = [f"{of} is bought by {by}; {bc} brought {rev:,.0f} in T4Q but "
               + (f"has neither bought nor been offered {of}" if offered
                  else f"has not bought {of} (no opportunities data to tell whether it was offered)")
               for bc, of, by, rev in zip(bcs, offers, c["bought_by"].tolist(), c["bc_revenue_t4q"].tolist())]
    return _frame(c["account_id"].to_numpy(), "whitespace",
                  [f"{bc} x {of}" for bc, of in zip(bcs, offers)],
                  [f"Cross-sell {of} into {bc}" for bc, of in zip(bcs, offers)],
                  because, [PRIORITY[("whitespace", "")]] * len(c), 2)


def _no_data(measure: str) -> str:
    """What a reader is told when an objective's measure is unknown."""
    if measure == "share_of_wallet":
        return "no data: needs a wallet estimate per account in accounts.csv"
    return f"no data: needs {MEASURE_SOURCES.get(measure, 'more')}.csv"


def objective_status(figures: pd.DataFrame, objectives: pd.DataFrame, *, supplied: Collection[str] | None = None,
                     account_ids: Collection[object] | None = None) -> pd.DataFrame:
    """Each account's category objectives checked on its figures.

    One row per account (of ``account_ids``; None: all) and objective of its category, in
    the objectives' order: ``account_id, category, theme, objective, measure, value,
    median`` (over the portfolio's accounts that have the figure), ``met_at``, ``status``
    and ``because``.  status: ``met`` (the measure is at or above ``met_at``: shown as met,
    never recommended), ``open`` (to pursue; below the median or not), ``no data`` (the
    measure's table, or the wallet estimate, was not supplied: not recommended, the
    report says what would measure it).  An objective without a measure is ``open``.
    """
    cols = ["account_id", "category", "theme", "objective", "measure", "value", "median", "met_at", "status", "because"]
    medians = {m: pd.to_numeric(figures[m], errors="coerce").median() for m in MEASURES if m in figures}
    f = figures if account_ids is None else figures[figures.index.isin(list(account_ids))]
    obj = objectives.reset_index(drop=True)
    if "met_at" not in obj:
        obj = obj.assign(met_at=np.nan)
    # plain tuples and dicts: one lookup per account and objective, no pandas call (5,000 accounts)
    by_cat: dict[str, list[tuple]] = {}
    for c, th, o, ms, met in zip(obj["category"].tolist(), obj["theme"].tolist(), obj["objective"].tolist(),
                                 obj["measure"].tolist(), obj["met_at"].tolist()):
        by_cat.setdefault(c, []).append((th if isinstance(th, str) else None, o, ms if isinstance(ms, str) else None,
                                         float(met) if met is not None and pd.notna(met) else np.nan))
    used = {ms for items in by_cat.values() for _, _, ms, _ in items if ms and ms in f}
    values = {ms: dict(zip(f.index, f[ms].tolist())) for ms in used}
    wallet = dict(zip(f.index, f["wallet_estimate"].tolist())) if "wallet_estimate" in f else {}
    rows = []
    for acc, cat in zip(f.index.tolist(), f["category"].tolist()):
        for theme, objective, measure, met_at in by_cat.get(cat, []) if isinstance(cat, str) else []:
            if measure is None:
                rows.append([acc, cat, theme, objective, None, np.nan, np.nan, met_at, "open",
                             f"an objective of every {cat} account"])
                continue
            words, kind = MEASURES[measure]
            v = values[measure].get(acc, np.nan) if measure in values else np.nan
            v = np.nan if v is None or v is pd.NA else v
            med = medians.get(measure, np.nan)
            source = MEASURE_SOURCES.get(measure)
            missing_table = supplied is not None and source != "accounts" and source not in supplied
            no_wallet = measure == "share_of_wallet" and pd.isna(wallet.get(acc, np.nan))
            if pd.isna(v) and (missing_table or no_wallet):
                rows.append([acc, cat, theme, objective, measure, np.nan, med, met_at, "no data",
                             f"{words}: {_no_data(measure)}"])
                continue
            value = "none yet" if pd.isna(v) else _fmt(v, kind)
            text = f"{words}: {value} (portfolio median {_fmt(med, kind)})"
            met = pd.notna(v) and pd.notna(met_at) and float(v) >= met_at
            if met:
                text += f"; met at {_fmt(met_at, kind)}"
            rows.append([acc, cat, theme, objective, measure, v, med, met_at, "met" if met else "open", text])
    return pd.DataFrame(rows, columns=cols)


def _category_candidates(figures: pd.DataFrame, objectives: pd.DataFrame, supplied: Collection[str] | None) -> pd.DataFrame:
    """The open objectives of each account's category (:func:`objective_status`), with the
    measure against the median; met and unmeasurable ones are left out."""
    st = objective_status(figures, objectives, supplied=supplied)
    st = st[st["status"] == "open"]
    below = [pd.notna(v) and pd.notna(m) and float(v) < float(m) for v, m in zip(st["value"].tolist(), st["median"].tolist())]
    priority = [PRIORITY[("category", "below median" if b else "")] for b in below]
    return _frame(st["account_id"].to_numpy(), "category", st["category"].to_numpy(), st["objective"].to_numpy(),
                  st["because"].to_numpy(), priority, 3)


def recommend(figures: pd.DataFrame, elements: pd.DataFrame, warnings: pd.DataFrame, cross_sell: pd.DataFrame,
              objectives: pd.DataFrame, *, settings: Settings, evidence: pd.DataFrame | None = None,
              supplied: Collection[str] | None = None) -> pd.DataFrame:
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
        ``category, theme, objective, measure, met_at`` (the kit's or the client's).
    settings : Settings
        The settings in use (``max_recommendations``, thresholds the actions name).
    evidence : DataFrame, optional
        :func:`kit.figures.evidence.evidence`: an element whose data are strong is not
        asked for more of the same.
    supplied : collection of str, optional
        The input tables supplied (None: all): an objective whose measure's table is
        missing is not recommended.
    """
    order = pd.Series(np.arange(len(figures)), index=figures.index)
    cands = pd.concat([
        _warning_candidates(figures, warnings, settings), _element_candidates(elements, order, evidence, settings),
        _whitespace_candidates(cross_sell, supplied), _category_candidates(figures, objectives, supplied),
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
