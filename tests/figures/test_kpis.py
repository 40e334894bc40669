"""KPIs: NPS (pinned) and CSAT; BCG market-position quadrants; the health x hygiene
quadrant."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.kpis import nps, survey_kpis
from kit.figures.market import bcg_quadrant
from kit.figures.quadrant import quadrant
from kit.periods import parse_period, quarter_label
from kit.schema import ELEMENT_IDS

Q = parse_period("2025Q4")  # analysis quarter of the model tests below: as_of 2025-12-31


# --- NPS and CSAT ---------------------------------------------------------------------------
def test_nps_pinned():
    # promoters 10, 9 = 2/6; detractors 6, 0 = 2/6; 8 and 7 passive -> 33.3 - 33.3 = 0
    assert nps(pd.Series([10, 9, 8, 7, 6, 0])) == pytest.approx(0.0)
    # promoters 3/4 = 75%, detractors 1/4 = 25% -> 50
    assert nps(pd.Series([10, 10, 9, 6])) == pytest.approx(50.0)
    assert nps(pd.Series([9, 9])) == 100.0
    assert nps(pd.Series([0, 6])) == -100.0
    # not the mean: mean of [8, 8] is 8, NPS is 0 (all passives)
    assert nps(pd.Series([8, 8])) == 0.0
    assert math.isnan(nps(pd.Series([], dtype=float)))


def _surveys(acc: str, kind: str, scores: list[int], date: str = "2025-11-01") -> list[dict]:
    return [{"account_id": acc, "date": date, "survey": kind, "score": s} for s in scores]


def test_survey_kpis_window_n_and_few_flag():
    rows = (_surveys("A", "nps", [10, 9, 8, 7, 6, 0])           # n 6, NPS 0
            + _surveys("B", "nps", [10, 10, 9, 6])              # n 4 < 5: few responses, NPS 50
            + _surveys("B", "nps", [0, 0], date="2024-12-31")   # before the window: unseen
            + _surveys("C", "nps", [9, 9, 9, 9, 0])             # n 5: not few; 80 - 20 = 60
            + _surveys("A", "csat", [5, 4, 3, 2])               # mean 3.5, top-2 share 2/4
            + _surveys("C", "csat", [5], date="2026-01-01"))    # after the window: unseen
    df = pd.DataFrame(rows).assign(date=lambda d: pd.to_datetime(d["date"]), score=lambda d: d["score"].astype(float))
    out = survey_kpis(df, ["A", "B", "C", "D"], start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-12-31"))
    assert out["nps"].iloc[:3].tolist() == pytest.approx([0.0, 50.0, 60.0])
    assert out["nps_n"].tolist() == [6, 4, 5, 0]
    assert out["nps_few"].tolist() == [False, True, False, False]
    assert math.isnan(out.loc["D", "nps"])
    assert out.loc["A", "csat"] == pytest.approx(3.5)
    assert out.loc["A", "csat_top2_share"] == pytest.approx(0.5)
    assert out.loc["A", "csat_n"] == 4
    assert math.isnan(out.loc["C", "csat"]) and out.loc["C", "csat_n"] == 0
    # a configured minimum of 4 responses no longer marks B
    out4 = survey_kpis(df, ["B"], start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-12-31"), nps_min_responses=4)
    assert not out4.loc["B", "nps_few"]


def test_nps_in_the_model_uses_t4q_window(model_of):
    tables = {
        "accounts": [{"account_id": "A", "account_name": "Acme"}],
        "revenue": [{"account_id": "A", "period": "2025Q4", "amount": "1"}],
        # T4Q window: 2025-01-01 .. 2025-12-31; the 2024 answers form the prior NPS
        "surveys": (_surveys("A", "nps", [10, 10, 9, 6], date="2025-03-01")
                    + _surveys("A", "nps", [0, 0, 10], date="2024-06-01")),
    }
    f = model_of(tables).figures.loc["A"]
    assert f["nps"] == pytest.approx(50.0) and f["nps_n"] == 4 and bool(f["nps_few"])
    # prior: promoters 1/3, detractors 2/3 -> -33.3
    assert f["nps_prior"] == pytest.approx(-100 / 3)


# --- BCG ------------------------------------------------------------------------------------
def test_bcg_quadrants_and_thresholds():
    accounts = pd.DataFrame({
        "account_id": ["star", "cow", "qm", "dog", "edge", "no_g", "no_s"],
        "market_growth": [0.20, 0.05, 0.15, 0.00, 0.10, None, 0.3],
        "market_share": [1.5, 2.0, 0.5, 0.2, 1.0, 1.2, None],
    })
    out = bcg_quadrant(accounts, settings=Settings())
    assert out.to_dict() == {
        "star": "Star", "cow": "Cash cow", "qm": "Question mark", "dog": "Dog",
        "edge": "Star",                              # exactly 0.10 and 1.0 count as high
        "no_g": "unclassified", "no_s": "unclassified",
    }
    # thresholds are configurable: with growth 0.25 the edge account is a Cash cow
    assert bcg_quadrant(accounts, settings=Settings(bcg_growth_threshold=0.25))["edge"] == "Cash cow"


# --- health x hygiene quadrant --------------------------------------------------------------
def test_quadrant_function():
    assert quadrant(60.0, 60.0, True) == "Thriving"  # at the threshold counts as healthy
    assert quadrant(59.9, 60.0, True) == "Coasting"
    assert quadrant(60.0, 60.0, False) == "Building"
    assert quadrant(10.0, 60.0, False) == "At risk"
    assert quadrant(float("nan"), 60.0, True) is None
    assert quadrant(70.0, 60.0, pd.NA) is None


def test_quadrants_on_hand_made_accounts(model_of):
    # health: a single rater rating one element 4 (-> 75, healthy) or 2 (-> 25, not healthy)
    # hygiene: T4Q revenue 100 against a T4Q target of 100 (met) or 200 (missed)
    plan = {"thriving": (4, 100), "coasting": (2, 100), "building": (4, 200), "at_risk": (2, 200)}
    ids = list(plan) + ["unassessed"]
    tables = {
        "accounts": [{"account_id": a, "account_name": a.title()} for a in ids],
        "revenue": [{"account_id": a, "period": quarter_label(Q), "amount": "100"} for a in ids],
        "targets": [{"account_id": a, "period": quarter_label(Q), "revenue_target": str(t)} for a, (_, t) in plan.items()],
        # every element rated s: a complete index (an incomplete one places no account, rule 7)
        "assessment": [{"account_id": a, "assessed_on": "2025-11-15", "rater": "r1", "element": e,
                        "score": str(s)} for a, (s, _) in plan.items() for e in ELEMENT_IDS],
    }
    f = model_of(tables).figures
    assert f["quadrant"].iloc[:4].to_dict() == {"thriving": "Thriving", "coasting": "Coasting",
                                                "building": "Building", "at_risk": "At risk"}
    assert pd.isna(f.loc["unassessed", "quadrant"])  # no health index: no quadrant
    assert f.loc["coasting", "hygienic"] == True and f.loc["coasting", "health_index"] == 25.0
    assert "Coasting" in f.loc["coasting", "quadrant_reason"]
    # a health threshold of 80 makes 75 unhealthy: Thriving becomes Coasting
    f80 = model_of(tables, settings=Settings(health_threshold=80)).figures
    assert f80.loc["thriving", "quadrant"] == "Coasting"
    # six of ten elements scored (fewer than 7): incomplete, so no quadrant and no band
    six = dict(tables, assessment=[r for r in tables["assessment"] if r["element"] in ELEMENT_IDS[:6]])
    f6 = model_of(six).figures
    assert f6["quadrant"].iloc[:4].isna().all() and (f6["health_rag"].iloc[:4] == "incomplete").all()
    assert f6.loc["thriving", "quadrant_reason"] == ("No quadrant: the health index is incomplete "
                                                     "(6 of 10 elements scored, at least 7 needed).")
    assert quadrant(75.0, 60.0, True, False) is None


# --- retention, long-term value, account-manager load ---------------------------------------
def test_retention_per_account_hand_computed():
    from kit.figures.kpis import retention

    t4q = pd.Series({"grow": 150.0, "shrink": 60.0, "churn": 0.0, "credit": -20.0, "new": 90.0})
    prior = pd.Series({"grow": 100.0, "shrink": 100.0, "churn": 50.0, "credit": 40.0, "new": 0.0})
    r = retention(t4q, prior)
    assert r.loc["grow", "nrr"] == pytest.approx(1.5) and r.loc["grow", "grr"] == pytest.approx(1.0)
    assert r.loc["shrink", "nrr"] == pytest.approx(0.6) and r.loc["shrink", "grr"] == pytest.approx(0.6)
    assert r.loc["churn", "nrr"] == 0.0 and r.loc["churn", "grr"] == 0.0
    assert r.loc["credit", "nrr"] == 0.0  # a net credit keeps nothing, never negative retention
    assert math.isnan(r.loc["new", "nrr"]) and math.isnan(r.loc["new", "grr"])  # no base


def test_portfolio_retention_hand_computed():
    from kit.figures.kpis import portfolio_retention

    t4q = pd.Series({"a": 150.0, "b": 60.0, "c": 0.0, "new": 500.0})
    prior = pd.Series({"a": 100.0, "b": 100.0, "c": 50.0, "new": 0.0})
    r = portfolio_retention(t4q, prior)
    # base 250; kept 150 + 60 + 0 = 210 -> NRR 0.84; GRR (100 + 60 + 0) / 250 = 0.64; new client left out
    assert r["nrr"] == pytest.approx(0.84) and r["grr"] == pytest.approx(0.64)
    assert r["accounts"] == 3 and r["base"] == 250.0
    empty = portfolio_retention(pd.Series({"x": 5.0}), pd.Series({"x": 0.0}))
    assert math.isnan(empty["grr"]) and empty["accounts"] == 0


def _rev_rows(acc: str, quarters: range, amount: float, margin: str = "") -> list[dict]:
    return [{"account_id": acc, "period": quarter_label(q), "amount": str(amount), "buying_center": "Finance",
             "offering": "Advisory", "gross_margin": margin} for q in quarters]


def test_lifetime_value_hand_computed(model_of):
    # L: 12 quarters of 100 at 40% margin, steady -> annual 400, m = 160, r = 1 (GRR)
    #    LTV = 160 x 1 / (1 + 0.1 - 1) = 1,600
    # H: 6 quarters (from Q-5) of 50, no margin data -> years 1.5, annual 200, revenue basis;
    #    prior 4 quarters Q-7..Q-4 hold 2 x 50 = 100, T4Q 200 -> GRR 1 -> 200 / 0.1 = 2,000
    # S: prior 4 quarters 400, T4Q 200 -> GRR 0.5; 8 quarters of revenue -> years 2, annual 300;
    #    margin 50% -> m 150; LTV = 150 x 0.5 / (1.1 - 0.5) = 125
    rows = (_rev_rows("L", range(Q - 11, Q + 1), 100, "0.4") + _rev_rows("H", range(Q - 5, Q + 1), 50)
            + _rev_rows("S", range(Q - 7, Q - 3), 100, "0.5") + _rev_rows("S", range(Q - 3, Q + 1), 50, "0.5"))
    accounts = [{"account_id": a, "account_name": a} for a in ("L", "H", "S", "G")]
    f = model_of({"accounts": accounts, "revenue": rows}).figures
    assert f.loc["L", "annual_revenue"] == pytest.approx(400) and f.loc["L", "margin_rate"] == pytest.approx(0.4)
    assert f.loc["L", "ltv"] == pytest.approx(1600) and f.loc["L", "ltv_basis"] == "margin"
    assert f.loc["H", "annual_revenue"] == pytest.approx(200) and f.loc["H", "ltv_basis"] == "revenue"
    assert f.loc["H", "ltv"] == pytest.approx(2000)
    assert f.loc["S", "grr"] == pytest.approx(0.5) and f.loc["S", "ltv"] == pytest.approx(125)
    assert f.loc["G", "ltv"] == 0.0  # no revenue, no value


def test_lifetime_value_of_a_new_client_uses_the_portfolio_grr(model_of):
    # N bought only in T4Q (no base): r = portfolio GRR = S's 0.5 (the only account with a base)
    rows = _rev_rows("S", range(Q - 7, Q - 3), 100) + _rev_rows("S", range(Q - 3, Q + 1), 50) + _rev_rows("N", range(Q - 3, Q + 1), 100)
    f = model_of({"accounts": [{"account_id": "S", "account_name": "S"}, {"account_id": "N", "account_name": "N"}],
                  "revenue": rows}).figures
    assert math.isnan(f.loc["N", "grr"]) and f.loc["N", "ltv_retention"] == pytest.approx(0.5)
    assert f.loc["N", "ltv"] == pytest.approx(400 * 0.5 / 0.6)


def test_account_manager_load_counts_non_greenfield_accounts():
    from kit.figures.kpis import account_manager_load

    accounts = pd.DataFrame({"account_id": [f"a{i}" for i in range(14)],
                             "account_manager": ["Ann"] * 4 + ["Bob"] * 9 + [None]})
    cats = pd.Series(["Core"] * 3 + ["Greenfield"] + ["Strategic"] * 9 + ["Core"], index=accounts["account_id"])
    load = account_manager_load(accounts, cats, low=5, high=8).set_index("account_manager")
    assert load.loc["Ann", "accounts"] == 3 and load.loc["Ann", "greenfield"] == 1 and load.loc["Ann", "flag"] == "below"
    assert load.loc["Bob", "accounts"] == 9 and load.loc["Bob", "flag"] == "above"
    assert list(load.index) == ["Ann", "Bob"]  # an account without a manager is not counted


def test_retention_trend_over_quarters(model_of):
    rows = _rev_rows("A", range(Q - 9, Q + 1), 100)
    f = model_of({"accounts": [{"account_id": "A", "account_name": "A"}], "revenue": rows})
    trend = f.retention_trend
    # the first quarter with four full prior quarters is Q-2 (data from Q-9)
    assert trend["period"].tolist() == [quarter_label(q) for q in range(Q - 2, Q + 1)]
    assert trend["grr"].tolist() == [1.0, 1.0, 1.0] and trend["nrr"].tolist() == [1.0, 1.0, 1.0]
    assert f.totals["grr"] == 1.0 and f.totals["retention_base_accounts"] == 1
