"""The ten-element assessment (pinned scoring of domain.md), hand-computed.

Element score = (mean over raters of the rater element means - 1) / 4 * 100; a rater
element mean is the question-weighted mean of the rater's answered questions.  Default
bank weights used below: client_understanding.q1 = 2, client_understanding.q4 = 1.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.assessment import score_assessments, to_score
from kit.inputs.portfolio import load_portfolio
from kit.schema import ELEMENT_IDS

ACCOUNTS = [{"account_id": "A1", "account_name": "Acme"}, {"account_id": "A2", "account_name": "Beta"}]
# one revenue quarter, 2025Q3: the default analysis date is 2025-09-30
REVENUE = [{"account_id": "A1", "period": "2025Q3", "amount": "100"},
           {"account_id": "A2", "period": "2025Q3", "amount": "100"}]
LATEST = "2025-09-10"
AS_OF = pd.Timestamp("2025-09-30")


def rate(rater, element, score, *, role="account_team", q="", on=LATEST, account="A1") -> dict:
    return {"account_id": account, "assessed_on": on, "rater": rater, "element": element,
            "score": "" if score is None else str(score), "question_id": q, "rater_role": role}


def scored(portfolio_dir, rows, settings=None, as_of=AS_OF):
    """score_assessments on hand-written rows; elements indexed by (account, element)."""
    p = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows}))
    res = score_assessments(p.table("assessment"), p.table("questions"), p.account_ids,
                            as_of=as_of, settings=settings or Settings())
    return res.elements.set_index(["account_id", "element"]), res.accounts


def test_to_score():
    # (m - 1) / 4 * 100
    assert [to_score(m) for m in (1.0, 2.0, 3.0, 4.0, 5.0)] == [0.0, 25.0, 50.0, 75.0, 100.0]


def test_question_weights_and_equal_raters(portfolio_dir):
    rows = [
        # r1: (5*2 + 2*1) / (2 + 1) = 4.0
        rate("r1", "client_understanding", 5, q="client_understanding.q1"),
        rate("r1", "client_understanding", 2, q="client_understanding.q4"),
        # r2 answered one question only: 2.0, and weighs as much as r1
        rate("r2", "client_understanding", 2, q="client_understanding.q4"),
    ]
    el, _ = scored(portfolio_dir, rows)
    row = el.loc[("A1", "client_understanding")]
    # mean of rater means (4 + 2) / 2 = 3 -> (3 - 1) / 4 * 100 = 50
    # (pooling answers would give (10+2+2)/4 = 3.5 -> 62.5; unweighted r1 would give 43.75)
    assert row["score"] == pytest.approx(50.0)
    assert row["mean_rating"] == pytest.approx(3.0)
    assert row["n_raters"] == 2
    assert row["spread"] == pytest.approx(2.0)  # 4 - 2
    assert bool(row["raters_disagree"])
    assert row["rag"] == "amber"  # 50 is at least 50
    assert (row["range_low"], row["range_high"]) == (pytest.approx(25.0), pytest.approx(75.0))


def test_blank_answers_are_not_zeros(portfolio_dir):
    rows = [
        rate("r1", "client_understanding", 5, q="client_understanding.q1"),
        rate("r1", "client_understanding", None, q="client_understanding.q2"),  # not answered
        rate("r1", "client_understanding", 2, q="client_understanding.q4"),
        rate("r2", "client_understanding", None, q="client_understanding.q4"),  # answered nothing
    ]
    el, acc = scored(portfolio_dir, rows)
    row = el.loc[("A1", "client_understanding")]
    # r1 = (10 + 2) / 3 = 4.0 (a zero for q2 (w2) would give 12/5 = 2.4) -> 75
    assert row["score"] == pytest.approx(75.0)
    # r2 has no answered question: one rater, so no spread
    assert row["n_raters"] == 1
    assert math.isnan(row["spread"])
    assert not row["raters_disagree"]
    assert row["rag"] == "green"
    assert acc.loc["A1", "n_raters"] == 1


def test_perception_gap(portfolio_dir):
    rows = [
        rate("r1", "relationships", 4, role="account_team"),
        rate("r2", "relationships", 5, role="leadership"),
        rate("c1", "relationships", 2, role="client"),
        rate("c1", "value_of_work", 3, role="client"),        # client only
        rate("r1", "account_strategy", 4, role="account_team"),  # internal only
    ]
    el, acc = scored(portfolio_dir, rows)
    rel = el.loc[("A1", "relationships")]
    # internal (4 + 5) / 2 = 4.5, client 2 -> gap 2.5
    assert rel["perception_gap"] == pytest.approx(2.5)
    # all raters weigh the same: (4 + 5 + 2) / 3 = 11/3 -> (11/3 - 1) / 4 * 100 = 66.667
    assert rel["score"] == pytest.approx(200 / 3)
    assert rel["spread"] == pytest.approx(3.0)
    assert math.isnan(el.loc[("A1", "value_of_work"), "perception_gap"])
    assert el.loc[("A1", "value_of_work"), "score"] == pytest.approx(50.0)
    assert math.isnan(el.loc[("A1", "account_strategy"), "perception_gap"])
    assert bool(acc.loc["A1", "has_client_rater"])
    assert acc.loc["A1", "n_raters"] == 3


def test_spread_flag_at_threshold(portfolio_dir):
    rows = [
        rate("r1", "client_understanding", 4), rate("r2", "client_understanding", 2.5),  # spread 1.5
        rate("r1", "account_strategy", 4), rate("r2", "account_strategy", 3),            # spread 1.0
    ]
    el, _ = scored(portfolio_dir, rows)
    assert el.loc[("A1", "client_understanding"), "spread"] == pytest.approx(1.5)
    assert bool(el.loc[("A1", "client_understanding"), "raters_disagree"])  # at least 1.5
    assert not el.loc[("A1", "account_strategy"), "raters_disagree"]
    # a looser setting no longer flags 1.5
    el2, _ = scored(portfolio_dir, rows, settings=Settings(spread_flag=2.0))
    assert not el2.loc[("A1", "client_understanding"), "raters_disagree"]


def test_incomplete_health_index(portfolio_dir):
    rows = [rate("r1", "client_understanding", 5), rate("r1", "account_strategy", 3), rate("r1", "relationships", 1)]
    _, acc = scored(portfolio_dir, rows)
    # scores 100, 50, 0 -> mean of the existing scores = 50; 3 < 7 scored elements
    assert acc.loc["A1", "health_index"] == pytest.approx(50.0)
    assert acc.loc["A1", "n_scored"] == 3
    assert acc.loc["A1", "health_complete"] == False
    assert acc.loc["A1", "health_rag"] == "amber"


def test_complete_health_index_with_seven_elements(portfolio_dir):
    # seven elements rated 2, 3, 4, 5, 3, 3, 3 -> 25, 50, 75, 100, 50, 50, 50 -> 400 / 7
    ratings = [2, 3, 4, 5, 3, 3, 3]
    rows = [rate("r1", e, s) for e, s in zip(ELEMENT_IDS, ratings)]
    _, acc = scored(portfolio_dir, rows)
    assert acc.loc["A1", "n_scored"] == 7
    assert acc.loc["A1", "health_complete"] == True
    assert acc.loc["A1", "health_index"] == pytest.approx(400 / 7)
    # min_scored_elements is configurable
    _, acc8 = scored(portfolio_dir, rows, settings=Settings(min_scored_elements=8))
    assert acc8.loc["A1", "health_complete"] == False


def test_latest_assessment_and_trend(portfolio_dir):
    prev = "2025-03-10"
    rows = [
        rate("r1", "client_understanding", 2, on=prev),   # 25
        rate("r1", "relationships", 3, on=prev),          # 50
        rate("r1", "client_understanding", 4),            # 75
        rate("r1", "relationships", 3),                   # 50
        rate("r1", "value_of_work", 5),                   # 100 (new in the latest)
        rate("r1", "account_strategy", 1, on="2025-10-05"),  # after as_of: unseen
    ]
    el, acc = scored(portfolio_dir, rows)
    cu, rel, vow = (el.loc[("A1", e)] for e in ("client_understanding", "relationships", "value_of_work"))
    assert (cu["score"], cu["previous_score"], cu["change"]) == (75.0, 25.0, 50.0)
    assert (rel["score"], rel["previous_score"], rel["change"]) == (50.0, 50.0, 0.0)
    assert vow["score"] == 100.0 and math.isnan(vow["previous_score"]) and math.isnan(vow["change"])
    assert math.isnan(el.loc[("A1", "account_strategy"), "score"])
    a = acc.loc["A1"]
    assert a["assessed_on"] == pd.Timestamp(LATEST)
    assert a["previous_assessed_on"] == pd.Timestamp(prev)
    assert a["n_assessments"] == 2
    # latest (75 + 50 + 100) / 3 = 75; previous (25 + 50) / 2 = 37.5; change 37.5
    assert a["health_index"] == pytest.approx(75.0)
    assert a["previous_health_index"] == pytest.approx(37.5)
    assert a["health_change"] == pytest.approx(37.5)


def test_rows_after_as_of_are_ignored(portfolio_dir):
    rows = [rate("r1", "client_understanding", 4), rate("r1", "client_understanding", 1, on="2025-10-01", q="client_understanding.q1")]
    el, acc = scored(portfolio_dir, rows)
    assert el.loc[("A1", "client_understanding"), "score"] == pytest.approx(75.0)
    assert acc.loc["A1", "assessed_on"] == pd.Timestamp(LATEST) and acc.loc["A1", "n_assessments"] == 1
    # an earlier as_of sees no assessment at all
    el, acc = scored(portfolio_dir, rows, as_of=pd.Timestamp("2025-09-01"))
    assert el["n_raters"].sum() == 0 and math.isnan(acc.loc["A1", "health_index"])


def test_element_weights_and_rag_override(model_of):
    rows = [rate("r1", "client_understanding", 5), rate("r1", "pipeline_health", 2)]  # 100 and 25
    tables = {"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows}
    default = model_of(tables).figures.loc["A1"]
    assert default["health_index"] == pytest.approx(62.5)  # (100 + 25) / 2
    s = Settings(element_weights={"pipeline_health": 2}, rag_green=80, rag_amber=40)
    m = model_of(tables, settings=s)
    # (100 * 1 + 25 * 2) / 3 = 50 -> amber with amber >= 40
    assert m.figures.loc["A1", "health_index"] == pytest.approx(50.0)
    assert m.figures.loc["A1", "health_rag"] == "amber"
    assert default["health_rag"] == "amber"  # 62.5: at least 50, below 70
    el = m.assessment.elements.set_index(["account_id", "element"])
    assert el.loc[("A1", "client_understanding"), "rag"] == "green"   # 100 >= 80
    assert el.loc[("A1", "pipeline_health"), "rag"] == "red"          # 25 < 40


def test_zero_weight_element_counts_for_nothing(portfolio_dir):
    rows = [rate("r1", "client_understanding", 5), rate("r1", "pipeline_health", 2)]
    _, acc = scored(portfolio_dir, rows, settings=Settings(element_weights={"pipeline_health": 0}))
    assert acc.loc["A1", "health_index"] == pytest.approx(100.0)


def test_account_without_assessment_has_ten_empty_rows(model_of):
    m = model_of({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": [rate("r1", "client_understanding", 4)]})
    el = m.assessment.elements
    a2 = el[el["account_id"] == "A2"]
    assert a2["element"].tolist() == list(ELEMENT_IDS)
    assert a2["score"].isna().all() and a2["rag"].isna().all()
    assert (a2["n_raters"] == 0).all()
    f = m.figures.loc["A2"]
    assert math.isnan(f["health_index"]) and f["n_raters"] == 0 and pd.isna(f["quadrant"])
    # every account has its ten rows, in the pinned order
    assert len(el) == 2 * 10
    assert el["account_id"].tolist() == ["A1"] * 10 + ["A2"] * 10
