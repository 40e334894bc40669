"""The six leading health indicators of seed 001, per quarter and over T4Q.

new offerings proposed: opportunities created for an offering the account never bought
before that quarter; new executives met: executive contacts first met in the quarter;
new proposals: activities of type proposal; referrals to new buying centers: activities
of type referral into a buying center with no revenue before that quarter; advocates:
contacts willing to endorse, active at the end of the window; sole-sourced share:
non-competitive share of the value won (by close date).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.periods import quarter_end, quarter_label, quarter_of, quarter_start
from kit.schema import LEADING_INDICATORS_COLUMNS

__all__ = ["leading_indicators"]


def _q(dates: pd.Series) -> pd.Series:
    # built as float (not Series.map): an empty date column would keep its datetime dtype
    return pd.Series([np.nan if pd.isna(d) else quarter_of(d) for d in dates], index=dates.index, dtype=float)


def leading_indicators(revenue: pd.DataFrame, opportunities: pd.DataFrame, contacts: pd.DataFrame,
                       activities: pd.DataFrame, account_ids: list[str], *, quarter: int) -> pd.DataFrame:
    """Long table: per account, one row per quarter of T4Q and one row ``T4Q``."""
    quarters = list(range(quarter - 3, quarter + 1))
    bought = revenue[revenue["amount"] > 0]
    first_offer = bought.groupby(["account_id", "offering"])["quarter"].min()
    first_bc = bought.groupby(["account_id", "buying_center"])["quarter"].min()

    opp = opportunities.assign(q=_q(opportunities["created_on"]), cq=_q(opportunities["close_date"]))
    fo = [first_offer.get((a, o), np.inf) for a, o in zip(opp["account_id"], opp["offering"])]
    opp["new_offer"] = opp["offering"].notna() & (np.asarray(fo, dtype=float) >= opp["q"].astype(float))
    act = activities.assign(q=_q(activities["date"]))
    fb = [first_bc.get((a, b), np.inf) for a, b in zip(act["account_id"], act["buying_center"])]
    act["new_bc"] = act["buying_center"].notna() & (np.asarray(fb, dtype=float) >= act["q"].astype(float))
    con = contacts.assign(q=_q(contacts["first_met"]))

    rows = []
    for label, qs in [(quarter_label(q), [q]) for q in quarters] + [("T4Q", quarters)]:
        qset = set(qs)
        end = pd.Timestamp(quarter_end(max(qs)))
        start_last = pd.Timestamp(quarter_start(max(qs)))
        o_in = opp[opp["q"].isin(qset)]
        won = opp[opp["is_won"] & opp["cq"].isin(qset) & opp["competitive"].notna()]
        sole_v = won[~won["competitive"].astype(bool)].groupby("account_id")["amount"].sum()
        won_v = won.groupby("account_id")["amount"].sum()
        adv = con[con["advocate"].astype(bool) & (con["first_met"].isna() | (con["first_met"] <= end))
                  & (con["active"].astype(bool) | (con["last_contact"] >= start_last))]
        a_in = act[act["q"].isin(qset)]
        frame = pd.DataFrame({
            "new_offerings_proposed": o_in[o_in["new_offer"]].groupby("account_id").size(),
            "new_executives_met": con[(con["level"] == "executive") & con["q"].isin(qset)].groupby("account_id").size(),
            "new_proposals": a_in[a_in["type"] == "proposal"].groupby("account_id").size(),
            "referrals_to_new_buying_centers": a_in[(a_in["type"] == "referral") & a_in["new_bc"]].groupby("account_id").size(),
            "advocates": adv.groupby("account_id").size(),
        }).reindex(account_ids).fillna(0).astype(int)
        frame["sole_sourced_share"] = (sole_v.reindex(account_ids).fillna(0.0) / won_v.reindex(account_ids).where(lambda s: s > 0))
        frame["period"] = label
        rows.append(frame.rename_axis("account_id").reset_index())
    out = pd.concat(rows, ignore_index=True)
    order = {a: i for i, a in enumerate(account_ids)}
    out = out.sort_values(["account_id", "period"], key=lambda s: s.map(order) if s.name == "account_id" else s.map(lambda p: (p == "T4Q", p)), kind="stable")
    return out[list(LEADING_INDICATORS_COLUMNS)].reset_index(drop=True)
