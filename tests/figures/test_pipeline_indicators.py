"""Pipeline, whitespace, leading health indicators and the evidence beside ratings,
on one hand-made portfolio.  Analysis quarter Q = 2025Q4, as_of 2025-12-31, so T4Q is
2025Q1..2025Q4 and the next four quarters are 2026Q1..2026Q4."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.model import build_model
from kit.figures.pipeline import whitespace_matrix
from kit.inputs.portfolio import load_portfolio

AS_OF = "2025-12-31"


def opp(oid, stage, amount, *, prob="", created="", close="", bc="", off="", competitive="", acc="A") -> dict:
    return {"account_id": acc, "opportunity_id": oid, "stage": stage, "amount": str(amount), "probability": prob,
            "created_on": created, "close_date": close, "buying_center": bc, "offering": off, "competitive": competitive}


TABLES = {
    "accounts": [
        {"account_id": "A", "account_name": "Acme", "wallet_estimate": "10000"},
        {"account_id": "B", "account_name": "Beta", "wallet_estimate": "4000"},
        {"account_id": "C", "account_name": "Gamma", "wallet_estimate": "3000"},
        {"account_id": "D", "account_name": "Delta"},
    ],
    "revenue": [
        {"account_id": "A", "period": "2024Q1", "amount": "300", "buying_center": "Finance", "offering": "Advisory"},
        {"account_id": "A", "period": "2025Q3", "amount": "1000", "buying_center": "Finance", "offering": "Advisory"},
        {"account_id": "B", "period": "2025Q4", "amount": "1000", "buying_center": "IT", "offering": "Training"},
        {"account_id": "C", "period": "2025Q4", "amount": "1000", "buying_center": "IT", "offering": "Training"},
    ],
    "targets": (
        [{"account_id": "A", "period": f"2026Q{i}", "revenue_target": "500"} for i in (1, 2, 3, 4)]
        + [{"account_id": "A", "period": "2025Q4", "revenue_target": "999"},    # T4Q, not the next 4
           {"account_id": "A", "period": "2027Q1", "revenue_target": "777"}]    # 5 quarters ahead
    ),
    "opportunities": [
        # open: 1000 at 0.5, for Training (never bought): a new offering proposed in 2025Q4
        opp("o1", "proposal", 1000, prob="0.5", created="2025-10-05", close="2026-03-31", bc="IT", off="Training"),
        # open, blank probability (weighs 0), close date passed: stale; Advisory was bought in 2024Q1
        opp("o2", "qualify", 400, created="2025-04-10", close="2025-11-30", bc="Finance", off="Advisory"),
        # won in T4Q: 600 sole-sourced (2025Q2), 400 competitive (2025Q3); lost 1000 competitive
        opp("o3", "won", 600, created="2025-02-01", close="2025-06-15", bc="HR", off="Analytics", competitive="false"),
        opp("o4", "Won", 400, created="2024-11-01", close="2025-09-01", bc="Finance", off="Advisory", competitive="true"),
        opp("o5", "lost", 1000, created="2024-12-01", close="2025-08-01", bc="Finance", off="Training", competitive="true"),
        # created after the analysis date: not in the pipeline
        opp("o6", "proposal", 5000, prob="0.9", created="2026-01-15", bc="IT", off="Training"),
        # won before T4Q: not in the win rate
        opp("o7", "won", 10000, created="2023-01-01", close="2024-06-01", competitive="false"),
        # B: open 1000 at 1.0 -> unaddressed 4000 - 1000 = 3000, exactly 3 x 1000
        opp("b1", "negotiate", 1000, prob="1", created="2025-11-01", acc="B"),
        # C: open 1000 -> unaddressed 3000 - 1000 = 2000 < 3000
        opp("c1", "negotiate", 1000, prob="1", created="2025-11-01", acc="C"),
    ],
    "contacts": [
        {"account_id": "A", "contact_id": "e1", "level": "executive", "buying_center": "Finance", "first_met": "2025-05-01",
         "advocate": "true", "active": "true", "role": "decision_maker"},
        {"account_id": "A", "contact_id": "e2", "level": "executive", "buying_center": "Finance", "first_met": "2023-01-01",
         "active": "true", "role": "decision_maker"},
        {"account_id": "A", "contact_id": "s1", "level": "senior", "first_met": "2025-07-01", "advocate": "true", "active": "false"},
        {"account_id": "A", "contact_id": "e3", "level": "executive", "first_met": "2026-01-10", "advocate": "true"},
    ],
    "activities": [
        {"account_id": "A", "date": "2025-03-01", "type": "proposal"},
        {"account_id": "A", "date": "2025-10-01", "type": "proposal"},
        {"account_id": "A", "date": "2024-10-01", "type": "proposal"},                            # before T4Q
        {"account_id": "A", "date": "2025-08-20", "type": "referral", "buying_center": "HR"},       # new buying center
        {"account_id": "A", "date": "2025-08-21", "type": "referral", "buying_center": "Finance"},  # bought since 2024Q1
        {"account_id": "A", "date": "2026-01-05", "type": "proposal"},                            # after as_of
    ],
    "assessment": [
        {"account_id": "A", "assessed_on": "2025-11-20", "rater": "r1", "element": "pipeline_health", "score": "5"},
    ],
}


@pytest.fixture(scope="module")
def model(tmp_path_factory, tables_writer):
    folder = tables_writer(tmp_path_factory.mktemp("pipeline"), TABLES)
    return build_model(load_portfolio(folder), Settings(), as_of=AS_OF)


def test_open_and_weighted_pipeline(model):
    a = model.figures.loc["A"]
    assert a["open_pipeline"] == pytest.approx(1400.0)     # o1 1000 + o2 400 (o6 not yet created)
    assert a["weighted_pipeline"] == pytest.approx(500.0)  # 1000 * 0.5 + 400 * 0 (blank probability)
    assert a["open_opportunities"] == 2
    assert a["stale_opportunities"] == 1                   # o2 closes 2025-11-30, before as_of
    assert model.figures.loc["D", "open_pipeline"] == 0.0


def test_coverage_against_next_four_quarter_target(model):
    a = model.figures.loc["A"]
    assert a["next4_target"] == pytest.approx(2000.0)      # 4 x 500 (2026Q1..Q4)
    assert a["pipeline_coverage"] == pytest.approx(0.25)   # 500 / 2000
    assert math.isnan(model.figures.loc["B", "pipeline_coverage"])  # no target ahead


def test_win_rates_and_sole_sourced_share(model):
    a = model.figures.loc["A"]
    # closed in T4Q: o3 won 600, o4 won 400, o5 lost 1000
    assert a["win_rate_count"] == pytest.approx(2 / 3)
    assert a["win_rate_value"] == pytest.approx(1000 / 2000)
    assert a["won_value_t4q"] == pytest.approx(1000.0)
    assert a["average_deal_size"] == pytest.approx(500.0)
    assert a["sole_sourced_share"] == pytest.approx(0.6)   # 600 of 1000 won was not competitive


def test_share_of_wallet_and_whitespace_flag(model):
    f = model.figures
    assert f.loc["A", "share_of_wallet"] == pytest.approx(0.1)           # 1000 / 10000
    assert f.loc["A", "unaddressed_potential"] == pytest.approx(9000.0)
    assert bool(f.loc["A", "whitespace_flag"])                           # 9000 >= 3 x 1400
    assert f.loc["B", "unaddressed_potential"] == pytest.approx(3000.0)
    assert bool(f.loc["B", "whitespace_flag"])                           # exactly 3 x 1000 counts
    assert not f.loc["C", "whitespace_flag"]                             # 2000 < 3 x 1000
    # no wallet estimate: the flag is unknown (empty), not False
    assert pd.isna(f.loc["D", "whitespace_flag"]) and math.isnan(f.loc["D", "share_of_wallet"])
    fired = set(model.warnings.loc[model.warnings["warning_id"] == "whitespace_vs_pipeline", "account_id"])
    assert fired == {"A", "B"}


def test_leading_indicators(model):
    ind = model.indicators.set_index(["account_id", "period"])
    t4q = ind.loc[("A", "T4Q")]
    assert t4q["new_offerings_proposed"] == 2   # o1 Training (2025Q4), o3 Analytics (2025Q1)
    assert t4q["new_executives_met"] == 1       # e1 (2025-05-01); e2 met earlier, e3 after as_of
    assert t4q["new_proposals"] == 2            # 2025-03-01 and 2025-10-01
    assert t4q["referrals_to_new_buying_centers"] == 1  # HR
    assert t4q["advocates"] == 1                # e1 (s1 inactive, e3 not met yet)
    assert t4q["sole_sourced_share"] == pytest.approx(0.6)
    assert ind.loc[("A", "2025Q4"), "new_offerings_proposed"] == 1
    assert ind.loc[("A", "2025Q1"), "new_offerings_proposed"] == 1
    assert ind.loc[("A", "2025Q2"), "new_executives_met"] == 1
    assert ind.loc[("A", "2025Q2"), "sole_sourced_share"] == pytest.approx(1.0)  # o3
    assert ind.loc[("A", "2025Q3"), "sole_sourced_share"] == pytest.approx(0.0)  # o4
    # one row per quarter of T4Q and one T4Q row, per account, in accounts order
    assert model.indicators["period"].tolist()[:5] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "T4Q"]
    assert model.indicators["account_id"].unique().tolist() == ["A", "B", "C", "D"]
    assert model.figures.loc["A", "new_offerings_proposed_t4q"] == 2


def test_rated_well_but_evidence_weak(model):
    ev = model.evidence.set_index(["account_id", "element"])
    row = ev.loc[("A", "pipeline_health")]
    # rated 5 -> 100 (green), coverage 0.25 < 1.0 -> weak
    assert row["score"] == 100.0 and row["evidence_weak"] is True and row["rated_well_evidence_weak"]
    assert "0.25x" in row["evidence"]
    assert model.figures.loc["A", "evidence_weak_elements"] == ["pipeline_health"]
    assert "rated_well_evidence_weak" in model.figures.loc["A", "warnings"].split(";")


def test_whitespace_matrix(model):
    p = model.portfolio
    ws = whitespace_matrix(p.table("revenue"), p.table("opportunities"), "A", quarter=model.quarter,
                           as_of=pd.Timestamp(AS_OF))
    assert ws.loc["Finance", "Advisory"] == "bought"     # T12Q revenue
    assert ws.loc["IT", "Training"] == "pipeline"        # o1 open
    assert ws.loc["Finance", "Training"] == "whitespace"
    assert list(ws.index) == ["Finance", "IT"]


def test_pipeline_stages_for_the_funnel(model):
    from kit.figures.pipeline import pipeline_stages

    st = pipeline_stages(model.portfolio.table("opportunities"), "A", as_of=pd.Timestamp(AS_OF))
    # open at as_of: o1 proposal (p 0.5) and o2 qualify (no probability: last); o6 created later
    assert st["stage"].tolist() == ["proposal", "qualify"]
    assert st["n"].tolist() == [1, 1]
    assert st["amount"].tolist() == [1000.0, 400.0] and st["weighted"].tolist() == [500.0, 0.0]
    assert pipeline_stages(model.portfolio.table("opportunities"), "D", as_of=pd.Timestamp(AS_OF)).empty
