"""Concentration and coverage: HHI (pinned), decision-maker threading, stakeholder coverage."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

__all__ = ["concentration", "hhi", "hhi_by_group", "relationship_coverage", "revenue_shares", "stakeholder_map"]


def hhi(amounts: pd.Series) -> float:
    """Herfindahl-Hirschman index of shares (pinned): sum of squared percent shares,
    0-10,000.  Negative nets count as 0; NaN when there is no positive revenue."""
    pos = pd.Series(amounts, dtype=float).clip(lower=0)
    total = pos.sum()
    if total <= 0:
        return float("nan")
    return float(((pos / total * 100.0) ** 2).sum())


def _group_sums(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    # numpy's own sum of each slice: bit for bit what Series.sum gives per group
    # (a grouped sum adds in another order and may differ in the last bit)
    return np.array([values[s:e].sum() for s, e in zip(starts.tolist(), ends.tolist())], dtype=float)


def hhi_by_group(per: pd.Series) -> pd.Series:
    """:func:`hhi` of each group of ``per`` (groups: the first index level, rows of a
    group next to each other, as a groupby result), without a pandas call per group.

    The arithmetic is that of :func:`hhi` step by step (group total, percent shares,
    squares, their sum), so the figures are identical to ``per.groupby(level=0).apply(hhi)``.
    """
    keys = per.index.get_level_values(0)
    if not len(per):
        return pd.Series(dtype=float, index=keys[:0].unique())
    pos = pd.Series(per.to_numpy(dtype=float)).clip(lower=0).to_numpy()
    codes, uniques = pd.factorize(keys)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    total = _group_sums(pos, starts, ends)
    with np.errstate(divide="ignore", invalid="ignore"):
        squares = (pos / np.repeat(total, ends - starts) * 100.0) ** 2
    out = np.where(total > 0, _group_sums(squares, starts, ends), np.nan)
    return pd.Series(out, index=uniques.take(codes[starts]))


def concentration(revenue: pd.DataFrame, account_ids: list[str], *, quarter: int,
                  unknown: Collection[str] = ()) -> pd.DataFrame:
    """T4Q HHI and top share by buying center and by offering, per account.

    Per dimension (``buying_center``, ``offering``): ``hhi_<dim>``, ``top_share_<dim>``,
    ``top_<dim>`` (its name), ``top_amount_<dim>`` (its T4Q revenue), ``<dim>s_t4q``
    (how many have positive T4Q revenue) and ``effective_<dim>s`` = 10,000 / HHI (pinned).
    A dimension in ``unknown`` (e.g. revenue without buying centers) has all of them
    unknown (NaN): every row "Unspecified" would read as one buying center.
    """
    idx = pd.Index(account_ids, name="account_id")
    t4 = revenue[(revenue["quarter"] >= quarter - 3) & (revenue["quarter"] <= quarter)]
    out = {}
    for dim, name in (("buying_center", "buying_center"), ("offering", "offering")):
        per = t4.groupby(["account_id", dim])["amount"].sum().clip(lower=0)
        h = hhi_by_group(per).reindex(idx)
        out[f"hhi_{name}"] = h
        tot = per.groupby(level=0).sum()
        top = per.groupby(level=0).max() / tot.where(tot > 0)
        out[f"top_share_{name}"] = top.reindex(idx)
        top_name = per.groupby(level=0).idxmax().map(lambda k: k[1] if isinstance(k, tuple) else None)
        out[f"top_{name}"] = top_name.reindex(idx)
        out[f"top_amount_{name}"] = per.groupby(level=0).max().where(tot > 0).reindex(idx)
        out[f"{name}s_t4q"] = (per > 0).groupby(level=0).sum().reindex(idx).where(h.notna())
        out[f"effective_{name}s"] = 10_000.0 / h
        if dim in unknown:
            for key in (f"hhi_{name}", f"top_share_{name}", f"top_amount_{name}", f"{name}s_t4q", f"effective_{name}s"):
                out[key] = pd.Series(np.nan, index=idx)
            out[f"top_{name}"] = pd.Series(None, index=idx, dtype=object)
    return pd.DataFrame(out, index=idx)


def relationship_coverage(contacts: pd.DataFrame, revenue: pd.DataFrame, account_ids: list[str], *,
                          quarter: int, as_of: pd.Timestamp) -> pd.DataFrame:
    """Decision makers, executives, advocates and uncovered buying centers per account.

    decision_makers: active contacts with role decision_maker (<= 1 = single-threaded);
    uncovered_buying_centers: buying centers with T4Q revenue and no active executive
    contact; stakeholder_coverage: share of those buying centers that are covered.
    """
    idx = pd.Index(account_ids, name="account_id")
    known = contacts[contacts["first_met"].isna() | (contacts["first_met"] <= as_of)]
    active = known[known["active"].astype(bool)]
    dms = active[active["role"] == "decision_maker"].groupby("account_id").size().reindex(idx, fill_value=0)
    execs = active[active["level"] == "executive"]
    n_exec = execs.groupby("account_id").size().reindex(idx, fill_value=0)
    advocates = active[active["advocate"].astype(bool)].groupby("account_id").size().reindex(idx, fill_value=0)
    t4 = revenue[(revenue["quarter"] >= quarter - 3) & (revenue["quarter"] <= quarter)]
    bc_rev = t4.groupby(["account_id", "buying_center"])["amount"].sum()
    bcs = bc_rev[bc_rev > 0].reset_index()[["account_id", "buying_center"]]
    def pairs_of(df: pd.DataFrame) -> pd.MultiIndex:
        return pd.MultiIndex.from_arrays([df["account_id"].to_numpy(dtype=object), df["buying_center"].to_numpy(dtype=object)])

    covered, pairs = pairs_of(execs), pairs_of(bcs)
    # dtype bool even when empty: an empty float column would select columns, not rows
    bcs["covered"] = pd.Series(pairs.isin(covered) if len(bcs) else [], index=bcs.index, dtype=bool)
    open_bcs = bcs[~bcs["covered"]]
    found: dict[object, list] = {}  # one pass, not a grouped apply per account
    for a, b in zip(open_bcs["account_id"].tolist(), open_bcs["buying_center"].tolist()):
        found.setdefault(a, []).append(b)
    uncovered = pd.Series([sorted(found[a]) if a in found else None for a in idx.tolist()], index=idx, dtype=object)
    n_bcs = bcs.groupby("account_id").size().reindex(idx, fill_value=0)
    n_cov = bcs[bcs["covered"]].groupby("account_id").size().reindex(idx, fill_value=0)
    return pd.DataFrame({
        "decision_makers": dms.astype(int), "executives": n_exec.astype(int), "advocates": advocates.astype(int),
        "revenue_buying_centers": n_bcs.astype(int),
        "uncovered_buying_centers": uncovered.map(lambda v: v if isinstance(v, list) else []),
        "stakeholder_coverage": (n_cov / n_bcs.where(n_bcs > 0)),
    }, index=idx)


def revenue_shares(revenue: pd.DataFrame, account_id: str, *, quarter: int) -> pd.DataFrame:
    """One account's T4Q revenue share by buying center and by offering (the inputs of
    its HHI): ``dimension, name, amount, share``; negative nets count as 0."""
    t4 = revenue[(revenue["account_id"] == account_id) & (revenue["quarter"] >= quarter - 3) & (revenue["quarter"] <= quarter)]
    parts = []
    for dim in ("buying_center", "offering"):
        per = t4.groupby(dim)["amount"].sum().clip(lower=0)
        per = per[per > 0]
        total = per.sum()
        parts.append(pd.DataFrame({"dimension": dim, "name": per.index.astype(str), "amount": per.to_numpy(),
                                   "share": (per / total).to_numpy() if total > 0 else []}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["dimension", "share"], ascending=[True, False], kind="stable").reset_index(drop=True)


def stakeholder_map(contacts: pd.DataFrame, revenue: pd.DataFrame, account_id: str, *, quarter: int,
                    as_of: pd.Timestamp) -> pd.DataFrame:
    """One account's active contacts by buying center and level, beside each buying
    center's T4Q revenue: ``buying_center, revenue_t4q, executive, senior, manager, staff,
    (no level), decision_makers, advocates, executive_covered``.  Buying centers with
    revenue or contacts are listed, largest revenue first."""
    levels = ["executive", "senior", "manager", "staff"]
    c = contacts[(contacts["account_id"] == account_id) & contacts["active"].astype(bool)
                 & (contacts["first_met"].isna() | (contacts["first_met"] <= as_of))]
    c = c.assign(buying_center=c["buying_center"].fillna("Unspecified"), level=c["level"].fillna("(no level)"))
    t4 = revenue[(revenue["account_id"] == account_id) & (revenue["quarter"] >= quarter - 3) & (revenue["quarter"] <= quarter)]
    rev = t4.groupby("buying_center")["amount"].sum()
    bcs = sorted(set(rev[rev > 0].index) | set(c["buying_center"]), key=lambda b: (-float(rev.get(b, 0.0)), str(b)))
    grid = pd.crosstab(c["buying_center"], c["level"]) if len(c) else pd.DataFrame()
    cols = levels + (["(no level)"] if "(no level)" in grid.columns else [])
    grid = grid.reindex(index=bcs, columns=cols, fill_value=0) if len(bcs) else pd.DataFrame(columns=cols)
    out = grid.fillna(0).astype(int)
    out.insert(0, "revenue_t4q", [float(rev.get(b, 0.0)) for b in bcs])
    out["decision_makers"] = c[c["role"] == "decision_maker"].groupby("buying_center").size().reindex(bcs, fill_value=0).astype(int).to_numpy()
    out["advocates"] = c[c["advocate"].astype(bool)].groupby("buying_center").size().reindex(bcs, fill_value=0).astype(int).to_numpy()
    out["executive_covered"] = out["executive"] > 0
    out.index.name = "buying_center"
    return out.reset_index()


def relationship_signals(contacts: pd.DataFrame, activities: pd.DataFrame, idx: pd.Index, *, quarter: int,
                         executive_quarters: int) -> pd.DataFrame:
    """Per account: ``executive_contact_recent`` (an executive meeting, or an executive
    contact's last contact, in the last ``executive_quarters`` quarters) and
    ``key_supporters_left`` (advocates and decision makers no longer active who were in
    touch during the trailing four quarters), for the early warnings."""
    from kit.figures.grouping import lists_by_account
    from kit.periods import quarter_start

    recent = pd.Timestamp(quarter_start(quarter - executive_quarters + 1))
    em = activities[(activities["type"] == "executive_meeting") & (activities["date"] >= recent)]["account_id"]
    ec = contacts[(contacts["level"] == "executive") & (contacts["last_contact"] >= recent)]["account_id"]
    key = contacts[(contacts["advocate"].astype(bool) | (contacts["role"] == "decision_maker"))
                   & ~contacts["active"].astype(bool) & (contacts["last_contact"] >= pd.Timestamp(quarter_start(quarter - 3)))]
    names = key.assign(who=key["name"].fillna(key["contact_id"]))
    return pd.DataFrame({"executive_contact_recent": idx.isin(set(em) | set(ec)),
                         "key_supporters_left": lists_by_account(names["account_id"], names["who"], idx)}, index=idx)

