"""Revenue figures: T4Q and growth, relationship categories, revenue motions, hygiene.

All functions take the validated revenue table already cut at the analysis quarter
(rows after it are not seen) and an analysis quarter index ``quarter`` (see
:mod:`kit.periods`).  T4Q = the four quarters ``quarter-3 .. quarter``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.periods import quarter_label

__all__ = [
    "quarterly_net", "revenue_figures", "categorize", "revenue_motions", "motion_shares",
    "motion_table", "new_client_revenue", "revenue_split", "hygiene", "GREENFIELD_QUARTERS",
]

#: Greenfield (pinned): no revenue in the 12 quarters (3 years) up to the analysis date.
GREENFIELD_QUARTERS = 12


def quarterly_net(revenue: pd.DataFrame, account_ids: list[str], quarters: range) -> pd.DataFrame:
    """Net revenue per account (rows) and quarter (columns), zeros where none."""
    sub = revenue[revenue["quarter"].isin(list(quarters))]
    grid = sub.groupby(["account_id", "quarter"])["amount"].sum().unstack(fill_value=0.0)
    return grid.reindex(index=account_ids, columns=list(quarters), fill_value=0.0).fillna(0.0)


def revenue_figures(revenue: pd.DataFrame, account_ids: list[str], *, quarter: int) -> pd.DataFrame:
    """T4Q revenue, the four quarters before, and growth per account.

    Growth = T4Q / prior four quarters - 1; empty when the prior quarters had no
    (positive net) revenue.  An account without revenue rows has T4Q revenue 0.
    """
    net = quarterly_net(revenue, account_ids, range(quarter - 7, quarter + 1))
    t4q = net[list(range(quarter - 3, quarter + 1))].sum(axis=1)
    prior = net[list(range(quarter - 7, quarter - 3))].sum(axis=1)
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
    net12 = quarterly_net(revenue, account_ids, range(quarter - GREENFIELD_QUARTERS + 1, quarter + 1))
    last4 = net12[list(range(quarter - 3, quarter + 1))]
    t4q = last4.sum(axis=1)
    q_with_rev = (last4 > 0).sum(axis=1)

    def bcs(first: int) -> pd.Series:
        sub = revenue[(revenue["quarter"] >= first) & (revenue["quarter"] <= quarter)]
        per_bc = sub.groupby(["account_id", "buying_center"])["amount"].sum()
        return (per_bc > 0).groupby(level=0).sum().reindex(idx, fill_value=0)

    bc4, bc8 = bcs(quarter - 3), bcs(quarter - 7)
    any12 = (net12 > 0).any(axis=1)
    label = quarter_label(quarter)
    cats, reasons = [], []
    for acc in account_ids:
        if not any12[acc]:
            cats.append("Greenfield")
            reasons.append(f"no revenue in the {GREENFIELD_QUARTERS} quarters up to {label}")
            continue
        strategic = t4q[acc] >= s.strategic_min_revenue and bc4[acc] >= s.strategic_min_buying_centers and q_with_rev[acc] == 4
        if strategic:
            cats.append("Strategic")
            reasons.append(
                f"T4Q revenue {_fmt_money(t4q[acc])} (at least {_fmt_money(s.strategic_min_revenue)}) "
                f"from {bc4[acc]} buying centers, revenue in each of the last 4 quarters"
            )
            continue
        why_not = []
        if t4q[acc] < s.strategic_min_revenue:
            why_not.append(f"T4Q revenue {_fmt_money(t4q[acc])} below {_fmt_money(s.strategic_min_revenue)}")
        if bc4[acc] < s.strategic_min_buying_centers:
            why_not.append(f"{bc4[acc]} buying center(s) in T4Q")
        if q_with_rev[acc] < 4:
            why_not.append(f"revenue in {q_with_rev[acc]} of the last 4 quarters")
        core = bc8[acc] >= s.core_min_buying_centers and q_with_rev[acc] >= s.core_min_quarters
        if core:
            cats.append("Core")
            reasons.append(
                f"revenue from {bc8[acc]} buying centers in the last 8 quarters and in {q_with_rev[acc]} of the "
                f"last 4 quarters; not Strategic: {', '.join(why_not)}"
            )
        else:
            cats.append("Beachhead")
            reasons.append(
                f"bought within 3 years but {bc8[acc]} buying center(s) in the last 8 quarters and revenue in "
                f"{q_with_rev[acc]} of the last 4 quarters"
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
    rows = revenue[cols].reset_index(drop=True).assign(_row=lambda d: np.arange(len(d)))
    if rows.empty:
        return rows.assign(motion=pd.Series(dtype=object)).drop(columns="_row")
    first_q = int(rows["quarter"].min())
    bought = rows[rows["amount"] > 0]

    def last_before(keys: list[str]) -> pd.Series:
        # latest purchase quarter strictly before the row's quarter, same keys
        left = rows[keys + ["quarter", "_row"]].assign(quarter=lambda d: d["quarter"].astype("int64")).sort_values("quarter")
        right = (bought[keys + ["quarter"]].drop_duplicates()
                 .assign(quarter=lambda d: d["quarter"].astype("int64"), last_q=lambda d: d["quarter"])
                 .sort_values("quarter"))
        merged = pd.merge_asof(left, right, on="quarter", by=keys, allow_exact_matches=False, direction="backward")
        return merged.set_index("_row")["last_q"].reindex(rows["_row"])

    q = rows["quarter"].astype("int64").to_numpy()
    same_offer = last_before(["account_id", "buying_center", "offering"]).to_numpy(dtype=float)
    same_bc = last_before(["account_id", "buying_center"]).to_numpy(dtype=float)
    motion = np.where(
        q == first_q, "baseline",
        np.where(same_offer >= q - lookback, "continuation",
                 np.where(same_bc >= q - lookback, "crop_rotation", "colonization")),
    )
    return rows.drop(columns="_row").assign(motion=motion)


def motion_table(motions: pd.DataFrame) -> pd.DataFrame:
    """``revenue_motions.csv``: amount per account, quarter and motion."""
    out = (motions.groupby(["account_id", "quarter", "motion"], sort=True)["amount"].sum().reset_index())
    out["period"] = out["quarter"].map(lambda v: quarter_label(int(v)))
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
    covered = set(zip(t["account_id"], t["quarter"].astype(int)))
    rev4 = revenue[(revenue["quarter"] >= quarter - 3) & (revenue["quarter"] <= quarter)]
    rev4 = rev4[[(a, int(q)) in covered for a, q in zip(rev4["account_id"], rev4["quarter"])]] if len(rev4) else rev4
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
