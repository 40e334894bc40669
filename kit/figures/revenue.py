"""Revenue figures: T4Q and growth, relationship categories, revenue motions, hygiene.

All functions take the validated revenue table already cut at the analysis quarter
(rows after it are not seen) and an analysis quarter index ``quarter`` (see
:mod:`kit.periods`).  T4Q = the four quarters ``quarter-3 .. quarter``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.figures.words import count
from kit.periods import quarter_label

__all__ = [
    "GREENFIELD_QUARTERS",
    "categorize",
    "hygiene",
    "motion_shares",
    "motion_table",
    "new_client_revenue",
    "quarterly_net",
    "revenue_figures",
    "revenue_motions",
    "revenue_split",
    "year_before_known",
]

#: Greenfield (pinned): no revenue in the 12 quarters (3 years) up to the analysis date.
GREENFIELD_QUARTERS = 12


def quarterly_net(revenue: pd.DataFrame, account_ids: list[str], quarters: range) -> pd.DataFrame:
    """Net revenue per account (rows) and quarter (columns), zeros where none."""
    sub = revenue[revenue["quarter"].isin(list(quarters))]
    grid = sub.groupby(["account_id", "quarter"])["amount"].sum().unstack(fill_value=0.0)
    return grid.reindex(index=account_ids, columns=list(quarters), fill_value=0.0).fillna(0.0)


def year_before_known(*, quarter: int, data_start: int | None) -> bool:
    """Whether the four quarters before T4Q lie inside the data window (which starts at
    ``data_start``, the first quarter present in revenue): figures that compare with
    them (growth, retention, the category a year earlier) are unknown otherwise."""
    return data_start is not None and quarter - 7 >= data_start


def revenue_figures(revenue: pd.DataFrame, account_ids: list[str], *, quarter: int,
                    data_start: int | None = None) -> pd.DataFrame:
    """T4Q revenue, the four quarters before, and growth per account.

    Growth = T4Q / prior four quarters - 1; empty when the prior quarters had no
    (positive net) revenue.  An account without revenue rows has T4Q revenue 0.
    When ``data_start`` (the data window's first quarter) is given and the prior four
    quarters begin before it, the prior revenue and growth are unknown (NaN), not 0:
    the data cannot know them.
    """
    net = quarterly_net(revenue, account_ids, range(quarter - 7, quarter + 1))
    t4q = net[list(range(quarter - 3, quarter + 1))].sum(axis=1)
    prior = net[list(range(quarter - 7, quarter - 3))].sum(axis=1)
    if data_start is not None and not year_before_known(quarter=quarter, data_start=data_start):
        prior = prior * np.nan
    growth = (t4q / prior.where(prior > 0)) - 1
    return pd.DataFrame({"revenue_t4q": t4q, "revenue_prior4": prior, "revenue_growth": growth}, index=pd.Index(account_ids, name="account_id"))


def _fmt_money(x: float) -> str:
    return f"{x:,.0f}"


def categorize(revenue: pd.DataFrame, account_ids: list[str], *, quarter: int, settings: Settings) -> pd.DataFrame:
    """Relationship category per account as of ``quarter``, with the reason in words.

    Rules (``domain.md``): Greenfield (pinned) no revenue in 12 quarters; Strategic
    T4Q >= strategic_min_revenue, >= 3 buying centers in T4Q, revenue in each of the last
    4 quarters; Core >= 2 buying centers in 8 quarters and revenue in >= 3 of the last 4;
    Beachhead otherwise.  "Revenue" in a quarter or buying center means positive net.
    """
    s = settings
    idx = pd.Index(account_ids, name="account_id")
    # (the T4Q sum below adds four cells in the order the frame's memory layout gives,
    # so this frame is built exactly as before: another layout may change the last bit)
    net12 = quarterly_net(revenue, account_ids, range(quarter - GREENFIELD_QUARTERS + 1, quarter + 1))
    last4 = net12[list(range(quarter - 3, quarter + 1))]
    t4q = last4.sum(axis=1)
    q_with_rev = (last4 > 0).sum(axis=1)

    # rows by account position and buying-center code: the grouping below runs on
    # integers (the same groups, rows in the same order, so the same sums)
    at = idx.get_indexer(revenue["account_id"])
    bc = pd.factorize(revenue["buying_center"])[0]
    q = revenue["quarter"].to_numpy(dtype=float, na_value=np.nan)
    amount = revenue["amount"].reset_index(drop=True)

    def bcs(first: int) -> np.ndarray:
        # buying centers with positive net revenue since ``first``, per account
        keep = (at >= 0) & (bc >= 0) & (q >= first) & (q <= quarter)
        per_bc = amount[keep].groupby([at[keep], bc[keep]]).sum()
        positive = per_bc.index.get_level_values(0).to_numpy()[per_bc.to_numpy() > 0]
        return np.bincount(positive, minlength=len(idx))

    bc4, bc8 = bcs(quarter - 3), bcs(quarter - 7)
    any12 = (net12 > 0).any(axis=1)
    label = quarter_label(quarter)
    cats, reasons = [], []
    # plain lists, not a Series lookup per account
    for any_rev, t4, n_bc4, n_bc8, n_q in zip(any12.tolist(), t4q.tolist(), bc4.tolist(), bc8.tolist(), q_with_rev.tolist()):
        if not any_rev:
            cats.append("Greenfield")
            reasons.append(f"no revenue in the {GREENFIELD_QUARTERS} quarters up to {label}")
            continue
        strategic = t4 >= s.strategic_min_revenue and n_bc4 >= s.strategic_min_buying_centers and n_q == 4
        if strategic:
            cats.append("Strategic")
            reasons.append(
                f"T4Q revenue {_fmt_money(t4)} (at least {_fmt_money(s.strategic_min_revenue)}) "
                f"from {count(n_bc4, 'buying center')}, revenue in each of the last 4 quarters"
            )
            continue
        why_not = []
        if t4 < s.strategic_min_revenue:
            why_not.append(f"T4Q revenue {_fmt_money(t4)} below {_fmt_money(s.strategic_min_revenue)}")
        if n_bc4 < s.strategic_min_buying_centers:
            why_not.append(f"{count(n_bc4, 'buying center')} in T4Q")
        if n_q < 4:
            why_not.append(f"revenue in {n_q} of the last 4 quarters")
        core = n_bc8 >= s.core_min_buying_centers and n_q >= s.core_min_quarters
        if core:
            cats.append("Core")
            reasons.append(
                f"revenue from {count(n_bc8, 'buying center')} in the last 8 quarters and in {n_q} of the "
                f"last 4 quarters; not Strategic: {', '.join(why_not)}"
            )
        else:
            cats.append("Beachhead")
            reasons.append(
                f"bought within 3 years but {count(n_bc8, 'buying center')} in the last 8 quarters and revenue in "
                f"{n_q} of the last 4 quarters"
            )
    return pd.DataFrame({"category": cats, "category_reason": reasons}, index=idx)


def revenue_motions(revenue: pd.DataFrame, *, lookback: int = 12) -> pd.DataFrame:
    """Each revenue row with its motion (pinned).

    continuation: the same buying center bought the same offering in one of the
    ``lookback`` quarters before the row's quarter; crop_rotation: the buying center
    bought before within the lookback, not this offering; colonization: the buying center
    had no revenue before within the lookback; baseline: rows in the data set's first
    quarter.  "Bought" = a row with a positive amount.
    """
    cols = ["account_id", "quarter", "period", "buying_center", "offering", "amount"]
    rows = revenue[cols].reset_index(drop=True)
    if rows.empty:
        return rows.assign(motion=pd.Series(dtype=object))
    q = rows["quarter"].astype("int64").to_numpy()
    first_q = int(q.min())
    # the keys as one integer per (account, buying center[, offering]): equal ids <=> equal keys
    codes = [pd.factorize(rows[k])[0].astype(np.int64) for k in ("account_id", "buying_center", "offering")]
    bc_id = pd.factorize(codes[0] * (int(codes[1].max(initial=0)) + 2) + codes[1])[0].astype(np.int64)
    offer_id = bc_id * (int(codes[2].max(initial=0)) + 2) + codes[2]
    bought = (rows["amount"] > 0).to_numpy()
    same_offer = _last_before(offer_id, q, bought)
    same_bc = _last_before(bc_id, q, bought)
    motion = np.where(
        q == first_q, "baseline",
        np.where(same_offer >= q - lookback, "continuation",
                 np.where(same_bc >= q - lookback, "crop_rotation", "colonization")),
    )
    return rows.assign(motion=motion)


def _last_before(key: np.ndarray, q: np.ndarray, bought: np.ndarray) -> np.ndarray:
    """Per row, the latest quarter before the row's quarter in which a row with the
    same key was bought (NaN: none): an as-of lookup done as a binary search over the
    sorted (key, quarter) purchases, in integers."""
    q0 = int(q.min())
    span = int(q.max()) - q0 + 2
    purchases = np.sort(key[bought] * span + (q[bought] - q0))  # sorted (np.unique hashes: slower)
    probe = key * span + (q - q0)
    pos = np.searchsorted(purchases, probe, side="left") - 1  # the last purchase before the probe
    found = purchases[np.maximum(pos, 0)] if len(purchases) else np.zeros(len(key), dtype=np.int64)
    hit = (pos >= 0) & (found // span == key)
    return np.where(hit, (found % span + q0).astype(float), np.nan)


def motion_table(motions: pd.DataFrame) -> pd.DataFrame:
    """``revenue_motions.csv``: amount per account, quarter and motion."""
    out = (motions.groupby(["account_id", "quarter", "motion"], sort=True)["amount"].sum().reset_index())
    # one label per distinct quarter, not per row
    labels = {q: quarter_label(int(q)) for q in out["quarter"].unique()}
    out["period"] = out["quarter"].map(lambda v: labels[v]) if out.empty else out["quarter"].map(labels)
    return out[["account_id", "period", "motion", "amount", "quarter"]]


def motion_shares(motions: pd.DataFrame, account_ids: list[str], *, quarter: int) -> pd.DataFrame:
    """Share of T4Q revenue by motion per account (empty when T4Q revenue <= 0)."""
    t4 = motions[(motions["quarter"] >= quarter - 3) & (motions["quarter"] <= quarter)]
    by = t4.groupby(["account_id", "motion"])["amount"].sum().unstack(fill_value=0.0)
    by = by.reindex(index=account_ids, columns=["baseline", "continuation", "crop_rotation", "colonization"], fill_value=0.0).fillna(0.0)
    total = by.sum(axis=1)
    shares = by.div(total.where(total > 0), axis=0)
    out = shares.add_suffix("_share")
    out["repeat_business_share"] = out["continuation_share"] + out["crop_rotation_share"]
    out.index.name = "account_id"
    return out


def new_client_revenue(revenue: pd.DataFrame, account_ids: list[str], *, quarter: int) -> pd.DataFrame:
    """New-client revenue: within the first 4 quarters after an account's first revenue,
    when that first revenue is after the data set's first quarter.

    Returns per account ``first_quarter``, ``is_new_client`` (its first-4-quarter window
    overlaps T4Q) and ``new_client_t4q`` (T4Q revenue that counts as new-client revenue).
    """
    idx = pd.Index(account_ids, name="account_id")
    if revenue.empty:
        return pd.DataFrame({"first_quarter": pd.NA, "is_new_client": False, "new_client_t4q": 0.0}, index=idx)
    data_first = int(revenue["quarter"].min())
    first = revenue[revenue["amount"] > 0].groupby("account_id")["quarter"].min().reindex(idx)
    rev = revenue.assign(first=revenue["account_id"].map(first))
    new_rows = rev[(rev["first"] > data_first) & (rev["quarter"] <= rev["first"] + 3)
                   & (rev["quarter"] >= quarter - 3) & (rev["quarter"] <= quarter)]
    new_t4q = new_rows.groupby("account_id")["amount"].sum().reindex(idx, fill_value=0.0)
    is_new = (first > data_first) & (first + 3 >= quarter - 3)
    return pd.DataFrame({"first_quarter": first, "is_new_client": is_new.fillna(False).astype(bool), "new_client_t4q": new_t4q}, index=idx)


def hygiene(figures: pd.DataFrame, revenue: pd.DataFrame, targets: pd.DataFrame, *, quarter: int, settings: Settings) -> pd.DataFrame:
    """Revenue attainment and the hygienic flag per account.

    Attainment = T4Q revenue / T4Q revenue target.  When targets exist for only some
    quarters of T4Q, revenue and targets of those quarters only are compared (like with
    like; ``target_quarters`` says how many of the 4 had a target).
    Hygienic: attainment >= ``hygiene_attainment``; without targets, T4Q growth >= 0
    (``hygiene_basis`` says which rule was used, "none" when neither can be judged).
    Margin attainment = gross margin (amount x gross_margin) / margin target over the
    same quarters, where both exist.
    """
    idx = figures.index
    in_t4q = (targets["quarter"] >= quarter - 3) & (targets["quarter"] <= quarter)
    t = targets[in_t4q]
    target = t.groupby("account_id")["revenue_target"].sum().reindex(idx)
    n_q = t.groupby("account_id")["quarter"].nunique().reindex(idx).fillna(0).astype(int)
    covered = pd.MultiIndex.from_arrays([t["account_id"].to_numpy(dtype=object), t["quarter"].astype(int).to_numpy()])
    rev4 = revenue[(revenue["quarter"] >= quarter - 3) & (revenue["quarter"] <= quarter)]
    if len(rev4):  # rows of the (account, quarter) pairs that have a target
        keys = pd.MultiIndex.from_arrays([rev4["account_id"].to_numpy(dtype=object), rev4["quarter"].astype(int).to_numpy()])
        rev4 = rev4[keys.isin(covered)]
    rev_tq = rev4.groupby("account_id")["amount"].sum().reindex(idx).fillna(0.0)
    attainment = rev_tq / target.where(target > 0)
    margin = (rev4["amount"] * rev4["gross_margin"]).groupby(rev4["account_id"]).sum(min_count=1).reindex(idx)
    m_target = t.groupby("account_id")["margin_target"].sum(min_count=1).reindex(idx)
    margin_att = margin / m_target.where(m_target > 0)
    growth = figures["revenue_growth"]
    basis = np.where(attainment.notna(), "target", np.where(growth.notna(), "growth", "none"))
    hyg = pd.Series(pd.NA, index=idx, dtype="boolean")
    hyg[attainment.notna()] = attainment[attainment.notna()] >= settings.hygiene_attainment
    use_growth = attainment.isna() & growth.notna()
    hyg[use_growth] = growth[use_growth] >= 0
    return pd.DataFrame({
        "revenue_target_t4q": target, "target_quarters": n_q, "revenue_attainment": attainment,
        "margin_t4q": margin, "margin_attainment": margin_att,
        "hygienic": hyg, "hygiene_basis": basis,
    }, index=idx)


def revenue_split(revenue: pd.DataFrame, *, quarter: int, quarters: int = 8) -> pd.DataFrame:
    """Portfolio revenue per quarter split into existing and new-client revenue (the
    80/20 view) for the last ``quarters`` quarters: ``quarter, period, existing,
    new_client, new_client_share``.  New-client revenue as in :func:`new_client_revenue`."""
    cols = ["quarter", "period", "existing", "new_client", "new_client_share"]
    if revenue.empty:
        return pd.DataFrame(columns=cols)
    data_first = int(revenue["quarter"].min())
    first = revenue[revenue["amount"] > 0].groupby("account_id")["quarter"].min()
    f = revenue["account_id"].map(first)
    is_new = (f > data_first) & (revenue["quarter"] <= f + 3)
    qs = list(range(max(quarter - quarters + 1, data_first), quarter + 1))
    total = revenue.groupby("quarter")["amount"].sum().reindex(qs, fill_value=0.0)
    new = revenue[is_new].groupby("quarter")["amount"].sum().reindex(qs, fill_value=0.0)
    out = pd.DataFrame({"quarter": qs, "period": [quarter_label(q) for q in qs],
                        "existing": (total - new).to_numpy(), "new_client": new.to_numpy()})
    tot = out["existing"] + out["new_client"]
    out["new_client_share"] = out["new_client"] / tot.where(tot > 0)
    return out[cols]
