"""KPIs (seed 002): NPS (pinned) and CSAT, revenue retention (gross and net), a
long-term value estimate, and account-manager load."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.figures.revenue import quarterly_net
from kit.periods import quarter_label, quarter_start

__all__ = [
    "account_manager_load",
    "lifetime_value",
    "nps",
    "portfolio_retention",
    "retention",
    "retention_trend",
    "survey_kpis",
]


def nps(scores: pd.Series) -> float:
    """Net promoter score of 0-10 answers (pinned).

    Percent promoters (9-10) minus percent detractors (0-6), -100..100; NaN when there
    are no answers.  Never a mean of the answers.
    """
    s = pd.Series(scores, dtype=float).dropna()
    if s.empty:
        return float("nan")
    return float(((s >= 9).mean() - (s <= 6).mean()) * 100.0)


def _nps_by_account(answers: pd.DataFrame) -> pd.Series:
    """:func:`nps` of each account's 0-10 answers, without a pandas call per account.

    The same arithmetic as :func:`nps`: (promoters / n - detractors / n) * 100 with n
    the answered count; counts are exact, so the figures are identical."""
    s = answers["score"].astype(float)
    by = answers["account_id"]
    counts = pd.DataFrame({"n": s.notna(), "pro": s >= 9, "det": s <= 6}).groupby(by).sum()
    n = counts["n"].astype(float)
    out = (counts["pro"] / n.where(n > 0) - counts["det"] / n.where(n > 0)) * 100.0
    return out.astype(float)


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
    nps_v = _nps_by_account(n).reindex(idx)
    nps_n = n.groupby("account_id").size().reindex(idx, fill_value=0).astype(int)
    csat = c.groupby("account_id")["score"].mean().reindex(idx)
    # share of 4-5 among all answers: counts divided as (s >= 4).mean() divides them
    top = (c["score"] >= 4).groupby(c["account_id"]).agg(["sum", "size"])
    csat_top = (top["sum"].astype(float) / top["size"]).reindex(idx)
    csat_n = c.groupby("account_id").size().reindex(idx, fill_value=0).astype(int)
    return pd.DataFrame({
        "nps": nps_v, "nps_n": nps_n, "nps_few": (nps_n > 0) & (nps_n < nps_min_responses),
        "csat": csat, "csat_top2_share": csat_top, "csat_n": csat_n,
    }, index=idx).assign(nps=lambda d: d["nps"].where(d["nps_n"] > 0, np.nan))


def retention(revenue_t4q: pd.Series, revenue_prior4: pd.Series) -> pd.DataFrame:
    """Gross and net revenue retention per account: T4Q against the four quarters before.

    Only accounts with positive prior-four-quarter revenue (the base) have retention.
    kept = max(T4Q revenue, 0); ``nrr`` = kept / base (expansion counts);
    ``grr`` = min(kept, base) / base (capped at 100%: only losses count).
    """
    base = revenue_prior4.where(revenue_prior4 > 0)
    kept = revenue_t4q.clip(lower=0)
    return pd.DataFrame({"grr": np.minimum(kept, base) / base, "nrr": kept / base}, index=revenue_t4q.index)


def portfolio_retention(revenue_t4q: pd.Series, revenue_prior4: pd.Series) -> dict[str, float]:
    """Portfolio GRR and NRR: sums over the accounts with a positive base (see
    :func:`retention`); new clients (no base) are left out, churned accounts count 0."""
    has_base = revenue_prior4 > 0
    base = revenue_prior4[has_base].sum()
    kept = revenue_t4q[has_base].clip(lower=0)
    if base <= 0:
        return {"grr": float("nan"), "nrr": float("nan"), "base": 0.0, "accounts": 0}
    return {"grr": float(np.minimum(kept, revenue_prior4[has_base]).sum() / base),
            "nrr": float(kept.sum() / base), "base": float(base), "accounts": int(has_base.sum())}


def retention_trend(revenue: pd.DataFrame, account_ids: list[str], *, quarter: int, quarters: int = 8) -> pd.DataFrame:
    """Portfolio GRR and NRR of the trailing four quarters ending at each of the last
    ``quarters`` quarters (rows whose prior four quarters fall before the data are left out)."""
    if revenue.empty:
        return pd.DataFrame(columns=["quarter", "period", "grr", "nrr"])
    first = int(revenue["quarter"].min())
    start = max(quarter - quarters + 1, first + 7)
    net = quarterly_net(revenue, account_ids, range(start - 7, quarter + 1))
    rows = []
    for q in range(start, quarter + 1):
        t4 = net[list(range(q - 3, q + 1))].sum(axis=1)
        prior = net[list(range(q - 7, q - 3))].sum(axis=1)
        r = portfolio_retention(t4, prior)
        rows.append({"quarter": q, "period": quarter_label(q), "grr": r["grr"], "nrr": r["nrr"]})
    return pd.DataFrame(rows, columns=["quarter", "period", "grr", "nrr"])


def lifetime_value(revenue: pd.DataFrame, account_ids: list[str], grr: pd.Series, *, quarter: int,
                   fallback_retention: float, discount_rate: float) -> pd.DataFrame:
    """A documented long-term value estimate per account.

    ``ltv`` = m x r / (1 + d - r): the present value of the margin of the years ahead,
    when the account keeps an annual margin m with probability r each year, discounted
    at d (sum over t >= 1 of m r^t / (1 + d)^t).

    - m = average annual net revenue x margin rate.  Average annual revenue is the net
      revenue of the last 12 quarters divided by the years the account had in them
      (from its first positive revenue, at least 1, at most 3); the margin rate is
      gross margin / revenue of the rows that carry gross_margin in those quarters
      (``ltv_basis`` "margin"), else 100% (``ltv_basis`` "revenue": the estimate is then
      in revenue, not margin).
    - r = the account's GRR (:func:`retention`), else ``fallback_retention`` (the
      portfolio GRR) for an account without prior-year revenue; clipped to 0..1.  When
      neither is known (the year before T4Q lies outside the data), r and the estimate
      are unknown (NaN), never 0.
    """
    idx = pd.Index(account_ids, name="account_id")
    win = revenue[(revenue["quarter"] > quarter - 12) & (revenue["quarter"] <= quarter)]
    total = win.groupby("account_id")["amount"].sum().reindex(idx, fill_value=0.0)
    first = revenue[(revenue["amount"] > 0) & (revenue["quarter"] <= quarter)].groupby("account_id")["quarter"].min().reindex(idx)
    years = ((quarter - first + 1).clip(lower=4, upper=12) / 4).fillna(3.0)
    annual = (total / years).clip(lower=0)
    with_m = win[win["gross_margin"].notna()]
    m_amt = (with_m["amount"] * with_m["gross_margin"]).groupby(with_m["account_id"]).sum().reindex(idx)
    m_rev = with_m.groupby("account_id")["amount"].sum().reindex(idx)
    rate = (m_amt / m_rev.where(m_rev > 0))
    basis = np.where(rate.notna(), "margin", "revenue")
    r = grr.reindex(idx).fillna(fallback_retention).clip(0, 1)
    margin = annual * rate.fillna(1.0)
    ltv = margin * r / (1 + discount_rate - r)
    # plain floats (NaN, not pd.NA, for unknown): the quarters may come as a nullable integer
    return pd.DataFrame({"annual_revenue": annual.astype(float), "margin_rate": rate, "ltv_retention": r,
                         "ltv": ltv.where(annual > 0, 0.0).astype(float), "ltv_basis": basis}, index=idx)


def account_manager_load(accounts: pd.DataFrame, categories: pd.Series, *, low: int, high: int) -> pd.DataFrame:
    """Accounts (not Greenfield) per account manager, flagged outside ``low``..``high``.

    Returns one row per account manager: ``account_manager``, ``accounts``, ``greenfield``
    (their Greenfield accounts, not counted), ``flag`` (``below``/``above``/empty).
    """
    am = accounts.set_index("account_id")["account_manager"]
    df = pd.DataFrame({"account_manager": am, "category": categories.reindex(am.index)}).dropna(subset=["account_manager"])
    counted = df[df["category"] != "Greenfield"].groupby("account_manager").size()
    green = df[df["category"] == "Greenfield"].groupby("account_manager").size()
    names = sorted(df["account_manager"].unique(), key=str)
    n = counted.reindex(names, fill_value=0).astype(int)
    flag = np.where(n < low, "below", np.where(n > high, "above", ""))
    return pd.DataFrame({"account_manager": names, "accounts": n.to_numpy(),
                         "greenfield": green.reindex(names, fill_value=0).astype(int).to_numpy(), "flag": flag})


def survey_prior(surveys: pd.DataFrame, account_ids: list[str], *, quarter: int) -> pd.DataFrame:
    """NPS and CSAT of the four quarters before the trailing four (what a decline is
    measured against): ``nps_prior``, ``csat_prior``, ``nps_prior_n``, ``csat_prior_n``."""
    t4_start = pd.Timestamp(quarter_start(quarter - 3))
    prior = survey_kpis(surveys, account_ids, start=pd.Timestamp(quarter_start(quarter - 7)),
                        end=t4_start - pd.Timedelta(days=1))
    return pd.DataFrame({"nps_prior": prior["nps"], "csat_prior": prior["csat"], "nps_prior_n": prior["nps_n"],
                         "csat_prior_n": prior["csat_n"]})


def account_manager_of(load: pd.DataFrame, account_managers: pd.Series) -> pd.DataFrame:
    """Per account, its manager's load and flag (:func:`account_manager_load`):
    ``am_load`` and ``am_load_flag``."""
    am_of = load.set_index("account_manager")
    loads, flags = am_of["accounts"].to_dict(), am_of["flag"].to_dict()
    return pd.DataFrame({"am_load": pd.array([loads.get(a) for a in account_managers], dtype="Int64"),
                         "am_load_flag": [flags.get(a, "") for a in account_managers]}, index=account_managers.index)

