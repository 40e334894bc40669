"""Whitespace and pipeline: open and weighted pipeline, coverage, win rate, sole-sourced
share, share of wallet, unaddressed potential, and the whitespace matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.periods import quarter_end, quarter_start

__all__ = ["open_opportunities", "pipeline_figures", "pipeline_stages", "portfolio_offerings", "whitespace_matrix"]


def open_opportunities(opportunities: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """Opportunities open at ``as_of`` (stage not won/lost, created on or before it)."""
    o = opportunities
    return o[o["is_open"] & (o["created_on"].isna() | (o["created_on"] <= as_of))]


def pipeline_figures(opportunities: pd.DataFrame, targets: pd.DataFrame, accounts: pd.DataFrame,
                     revenue_t4q: pd.Series, *, quarter: int, as_of: pd.Timestamp, settings: Settings) -> pd.DataFrame:
    """Pipeline and whitespace figures per account.

    open_pipeline = sum of open amounts; weighted_pipeline = sum amount x probability
    (a blank probability counts 0); pipeline_coverage = weighted / next-4-quarter revenue
    target; win rates (count and value) and sole-sourced share of won value over T4Q by
    close date; share_of_wallet = T4Q revenue / wallet_estimate; unaddressed_potential =
    wallet_estimate - T4Q revenue, flagged when >= ratio x open pipeline (the flag is
    unknown, NA, without a wallet estimate).
    """
    idx = revenue_t4q.index
    op = open_opportunities(opportunities, as_of=as_of)
    amount = op["amount"].fillna(0.0)
    open_v = amount.groupby(op["account_id"]).sum().reindex(idx, fill_value=0.0)
    weighted = (amount * op["probability"].fillna(0.0)).groupby(op["account_id"]).sum().reindex(idx, fill_value=0.0)
    stale = op[op["close_date"].notna() & (op["close_date"] < as_of)].groupby("account_id").size().reindex(idx, fill_value=0)
    nxt = targets[(targets["quarter"] > quarter) & (targets["quarter"] <= quarter + 4)] if len(targets) else targets
    next_target = nxt.groupby("account_id")["revenue_target"].sum().reindex(idx) if len(nxt) else pd.Series(np.nan, index=idx)
    start, end = pd.Timestamp(quarter_start(quarter - 3)), pd.Timestamp(quarter_end(quarter))
    closed = opportunities[~opportunities["is_open"] & opportunities["close_date"].between(start, end)]
    won = closed[closed["is_won"]]
    n_closed = closed.groupby("account_id").size().reindex(idx, fill_value=0)
    n_won = won.groupby("account_id").size().reindex(idx, fill_value=0)
    v_closed = closed["amount"].fillna(0).groupby(closed["account_id"]).sum().reindex(idx, fill_value=0.0)
    v_won = won["amount"].fillna(0).groupby(won["account_id"]).sum().reindex(idx, fill_value=0.0)
    known = won[won["competitive"].notna()]
    sole = known[~known["competitive"].astype(bool)]["amount"].fillna(0).groupby(known[~known["competitive"].astype(bool)]["account_id"]).sum().reindex(idx, fill_value=0.0)
    known_v = known["amount"].fillna(0).groupby(known["account_id"]).sum().reindex(idx, fill_value=0.0)
    wallet = accounts.set_index("account_id")["wallet_estimate"].reindex(idx).astype(float)
    unaddressed = wallet - revenue_t4q
    return pd.DataFrame({
        "open_pipeline": open_v, "weighted_pipeline": weighted,
        "open_opportunities": op.groupby("account_id").size().reindex(idx, fill_value=0).astype(int),
        "stale_opportunities": stale.astype(int),
        "next4_target": next_target,
        "pipeline_coverage": weighted / next_target.where(next_target > 0),
        "win_rate_count": n_won / n_closed.where(n_closed > 0),
        "win_rate_value": v_won / v_closed.where(v_closed > 0),
        "won_value_t4q": v_won,
        "average_deal_size": v_won / n_won.where(n_won > 0),
        "sole_sourced_share": sole / known_v.where(known_v > 0),
        "wallet_estimate": wallet,
        "share_of_wallet": revenue_t4q / wallet.where(wallet > 0),
        "unaddressed_potential": unaddressed,
        # unknown (NA), never False, without a wallet estimate to compare with
        "whitespace_flag": ((unaddressed >= settings.whitespace_pipeline_ratio * open_v) & unaddressed.gt(0))
        .astype("boolean").where(unaddressed.notna(), pd.NA),
    }, index=idx)


def whitespace_matrix(revenue: pd.DataFrame, opportunities: pd.DataFrame, account_id: str, *,
                      quarter: int, as_of: pd.Timestamp, offerings: list | None = None) -> pd.DataFrame:
    """Buying centers x offerings of one account: "bought" (T12Q revenue), "pipeline"
    (an open opportunity) or "whitespace".  The columns are every offering of the
    portfolio: ``offerings`` (:func:`portfolio_offerings`) when the tables given hold only
    some accounts' rows."""
    rev = revenue[(revenue["account_id"] == account_id) & (revenue["quarter"] > quarter - 12)
                  & (revenue["quarter"] <= quarter) & (revenue["amount"] > 0)]
    op = open_opportunities(opportunities[opportunities["account_id"] == account_id], as_of=as_of)
    bcs = sorted(set(rev["buying_center"]) | set(op["buying_center"].dropna()))
    offers = portfolio_offerings(revenue, opportunities) if offerings is None else list(offerings)
    bought = set(zip(rev["buying_center"], rev["offering"]))
    piped = set(zip(op["buying_center"], op["offering"]))
    cells = [["bought" if (b, o) in bought else "pipeline" if (b, o) in piped else "whitespace" for o in offers] for b in bcs]
    return pd.DataFrame(cells, index=pd.Index(bcs, name="buying_center"), columns=offers)


def portfolio_offerings(revenue: pd.DataFrame, opportunities: pd.DataFrame) -> list:
    """Every offering in revenue or opportunities, sorted: the whitespace matrix's columns."""
    return sorted(set(revenue["offering"]) | set(opportunities["offering"].dropna()))


def pipeline_stages(opportunities: pd.DataFrame, account_id: str, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """One account's open pipeline by stage, for the funnel: ``stage, n, amount,
    weighted, probability`` (mean probability), earliest stage (lowest mean probability)
    first; stages without probabilities last, by name."""
    op = open_opportunities(opportunities[opportunities["account_id"] == account_id], as_of=as_of)
    if op.empty:
        return pd.DataFrame(columns=["stage", "n", "amount", "weighted", "probability"])
    op = op.assign(stage=op["stage"].fillna("(no stage)"), amount=op["amount"].fillna(0.0),
                   weighted=op["amount"].fillna(0.0) * op["probability"].fillna(0.0))
    g = op.groupby("stage")
    out = pd.DataFrame({"n": g.size(), "amount": g["amount"].sum(), "weighted": g["weighted"].sum(),
                        "probability": g["probability"].mean()}).reset_index()
    out["_none"] = out["probability"].isna()
    out = out.sort_values(["_none", "probability", "stage"], kind="stable").drop(columns="_none")
    return out.reset_index(drop=True).astype({"n": int})
