"""KPIs: NPS (pinned) and CSAT; BCG market-position quadrants; the health x hygiene
quadrant."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.config import Settings
from kit.kpis import nps, survey_kpis
from kit.market import bcg_quadrant
from kit.model import quadrant
from kit.periods import parse_period, quarter_label

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
        "assessment": [{"account_id": a, "assessed_on": "2025-11-15", "rater": "r1", "element": "relationships",
                        "score": str(s)} for a, (s, _) in plan.items()],
    }
    f = model_of(tables).figures
    assert f["quadrant"].iloc[:4].to_dict() == {"thriving": "Thriving", "coasting": "Coasting",
                                                "building": "Building", "at_risk": "At risk"}
    assert pd.isna(f.loc["unassessed", "quadrant"])  # no health index: no quadrant
    assert f.loc["coasting", "hygienic"] == True and f.loc["coasting", "health_index"] == 25.0  # noqa: E712
    assert "Coasting" in f.loc["coasting", "quadrant_reason"]
    # a health threshold of 80 makes 75 unhealthy: Thriving becomes Coasting
    f80 = model_of(tables, settings=Settings(health_threshold=80)).figures
    assert f80.loc["thriving", "quadrant"] == "Coasting"
