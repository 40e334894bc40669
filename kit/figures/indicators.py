"""The six leading health indicators of seed 001, per quarter and over T4Q.

new offerings proposed: opportunities created for an offering the account never bought
before that quarter; new executives met: executive contacts first met in the quarter;
new proposals: activities of type proposal; referrals to new buying centers: activities
of type referral into a buying center with no revenue before that quarter; advocates:
contacts willing to endorse, active at the end of the window; sole-sourced share:
non-competitive share of the value won (by close date).

What the data cannot know is unknown (NaN), never 0: an indicator whose table was not
supplied (:data:`INDICATOR_SOURCES`), and the two that judge "new" against earlier
revenue (:data:`NEEDS_HISTORY`) in the data window's first quarter, in quarters before
it and in a T4Q that holds them (everything there would look new).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from kit.periods import quarter_end, quarter_label, quarter_start
from kit.schema import LEADING_INDICATORS_COLUMNS

__all__ = ["INDICATOR_SOURCES", "NEEDS_HISTORY", "leading_indicators"]

#: the input table each indicator is counted from
INDICATOR_SOURCES: dict[str, str] = {
    "new_offerings_proposed": "opportunities", "new_executives_met": "contacts", "new_proposals": "activities",
    "referrals_to_new_buying_centers": "activities", "advocates": "contacts", "sole_sourced_share": "opportunities",
}
#: indicators that call something "new" by the revenue before it: unknown without that history
NEEDS_HISTORY = ("new_offerings_proposed", "referrals_to_new_buying_centers")


def _q(dates: pd.Series) -> pd.Series:
    """Quarter index of each date (:func:`kit.periods.quarter_of`), NaN where missing."""
    d = pd.to_datetime(dates)  # an empty column of another dtype too
    # float: missing dates are NaN
    return (d.dt.year * 4 + (d.dt.month - 1) // 3).astype(float)


def _first_quarter(first: pd.Series, a: pd.Series, b: pd.Series) -> np.ndarray:
    """``first[(a, b)]`` per row (a first purchase quarter), inf where there is none."""
    if not len(a):
        return np.empty(0, dtype=float)
    keys = pd.MultiIndex.from_arrays([a.to_numpy(dtype=object), b.to_numpy(dtype=object)])
    return first.reindex(keys).to_numpy(dtype=float, na_value=np.inf)


def leading_indicators(revenue: pd.DataFrame, opportunities: pd.DataFrame, contacts: pd.DataFrame,
                       activities: pd.DataFrame, account_ids: list[str], *, quarter: int,
                       supplied: Collection[str] | None = None, data_start: int | None = None,
                       t4q_only: bool = False) -> pd.DataFrame:
    """Long table: per account, one row per quarter of T4Q and one row ``T4Q``.

    ``supplied`` (the input tables supplied; None: all) blanks the indicators of the
    tables missing; ``data_start`` (the data window's first quarter) blanks the
    indicators of :data:`NEEDS_HISTORY` in windows that reach it or lie before it.
    ``t4q_only``: the ``T4Q`` rows only (what the quarter-earlier model of
    :mod:`kit.figures.changes` reads), a quarter of the work.
    """
    quarters = list(range(quarter - 3, quarter + 1))
    bought = revenue[revenue["amount"] > 0]
    first_offer = bought.groupby(["account_id", "offering"])["quarter"].min()
    first_bc = bought.groupby(["account_id", "buying_center"])["quarter"].min()

    opp = opportunities.assign(q=_q(opportunities["created_on"]), cq=_q(opportunities["close_date"]))
    fo = _first_quarter(first_offer, opp["account_id"], opp["offering"])
    opp["new_offer"] = opp["offering"].notna() & (fo >= opp["q"].astype(float))
    act = activities.assign(q=_q(activities["date"]))
    fb = _first_quarter(first_bc, act["account_id"], act["buying_center"])
    act["new_bc"] = act["buying_center"].notna() & (fb >= act["q"].astype(float))
    con = contacts.assign(q=_q(contacts["first_met"]))

    # each row's account as its position in account_ids (-1: not one of them): counts
    # are then bincounts, sums are grouped on integers (same rows, same order, same sums)
    idx = pd.Index(account_ids)
    n = len(idx)
    opp_at, con_at, act_at = (idx.get_indexer(t["account_id"]) for t in (opp, con, act))

    def count(at: np.ndarray, mask: pd.Series | np.ndarray) -> np.ndarray:
        keep = np.asarray(mask, dtype=bool) & (at >= 0)
        return np.bincount(at[keep], minlength=n)

    def total(at: np.ndarray, mask: pd.Series, values: pd.Series) -> pd.Series:
        keep = mask.to_numpy(dtype=bool) & (at >= 0)
        return values[keep].groupby(at[keep]).sum().reindex(range(n))

    columns: dict[str, list[np.ndarray]] = {c: [] for c in LEADING_INDICATORS_COLUMNS[2:]}
    windows = ([] if t4q_only else [(quarter_label(q), [q]) for q in quarters]) + [("T4Q", quarters)]
    missing = {k for k, table in INDICATOR_SOURCES.items() if supplied is not None and table not in supplied}
    for _label, qs in windows:
        qset = set(qs)
        end = pd.Timestamp(quarter_end(max(qs)))
        start_last = pd.Timestamp(quarter_start(max(qs)))
        o_in = opp["q"].isin(qset)
        won = opp["is_won"] & opp["cq"].isin(qset) & opp["competitive"].notna()
        sole_v = total(opp_at, won & ~opp["competitive"].fillna(False).astype(bool), opp["amount"]).fillna(0.0)
        won_v = total(opp_at, won, opp["amount"])
        adv = (con["advocate"].astype(bool) & (con["first_met"].isna() | (con["first_met"] <= end))
               & (con["active"].astype(bool) | (con["last_contact"] >= start_last)))
        a_in = act["q"].isin(qset)
        columns["new_offerings_proposed"].append(count(opp_at, o_in & opp["new_offer"]))
        columns["new_executives_met"].append(count(con_at, (con["level"] == "executive") & con["q"].isin(qset)))
        columns["new_proposals"].append(count(act_at, a_in & (act["type"] == "proposal")))
        columns["referrals_to_new_buying_centers"].append(count(act_at, a_in & (act["type"] == "referral") & act["new_bc"]))
        columns["advocates"].append(count(con_at, adv))
        columns["sole_sourced_share"].append((sole_v / won_v.where(won_v > 0)).to_numpy(dtype=float))
        no_history = data_start is not None and min(qs) <= data_start
        for key in columns:
            if key in missing or (no_history and key in NEEDS_HISTORY):
                columns[key][-1] = np.full(n, np.nan)
    # account by account, the quarters in order and then T4Q
    out = pd.DataFrame({
        "account_id": idx.repeat(len(windows)),
        "period": np.tile(np.array([label for label, _ in windows], dtype=object), n),
        **{c: np.column_stack(v).ravel() for c, v in columns.items()},
    })
    return out[list(LEADING_INDICATORS_COLUMNS)].reset_index(drop=True)
