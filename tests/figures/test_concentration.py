"""Concentration and coverage (pinned formulas): HHI of T4Q shares, decision-maker
threading, buying centers with revenue but no active executive contact."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.figures.concentration import concentration, hhi, relationship_coverage
from kit.inputs.portfolio import load_portfolio
from kit.periods import parse_period, quarter_label

Q = parse_period("2025Q4")
AS_OF = pd.Timestamp("2025-12-31")


def test_hhi_pinned():
    assert hhi(pd.Series([50.0, 50.0])) == pytest.approx(5000.0)     # 50^2 + 50^2
    assert hhi(pd.Series([123.0])) == pytest.approx(10000.0)         # 100^2
    assert hhi(pd.Series([7.0] * 4)) == pytest.approx(2500.0)        # 4 * 25^2
    assert hhi(pd.Series([600.0, 200.0, 200.0])) == pytest.approx(4400.0)  # 60^2 + 20^2 + 20^2
    assert hhi(pd.Series([100.0, -40.0])) == pytest.approx(10000.0)  # a negative net counts as 0
    assert math.isnan(hhi(pd.Series([0.0, -5.0])))


def rev(acc, k, amount, bc, off) -> dict:
    return {"account_id": acc, "period": quarter_label(Q - k), "amount": str(amount), "buying_center": bc, "offering": off}


REVENUE = [
    # T4Q of A: Finance 600, IT 200, HR 200 -> by offering Advisory 500, Training 500
    rev("A", 0, 400, "Finance", "Advisory"), rev("A", 3, 200, "Finance", "Training"),
    rev("A", 1, 200, "IT", "Training"), rev("A", 2, 100, "HR", "Advisory"), rev("A", 2, 100, "HR", "Training"),
    rev("A", 4, 9000, "Legal", "Advisory"),   # 5 quarters back: outside T4Q
    # B: one buying center and offering
    rev("B", 0, 50, "Finance", "Advisory"),
]
CONTACTS = [
    {"account_id": "A", "contact_id": "c1", "level": "executive", "buying_center": "Finance", "role": "decision_maker", "active": "true"},
    {"account_id": "A", "contact_id": "c2", "level": "senior", "buying_center": "IT", "role": "decision_maker", "active": "true", "advocate": "true"},
    {"account_id": "A", "contact_id": "c3", "level": "executive", "buying_center": "IT", "role": "decision_maker", "active": "false"},
    {"account_id": "A", "contact_id": "c4", "level": "executive", "buying_center": "HR", "role": "influencer", "active": "true",
     "first_met": "2026-02-01"},  # met after the analysis date: not yet known
    {"account_id": "A", "contact_id": "c5", "level": "staff", "buying_center": "HR", "role": "user"},  # blank active = active
    {"account_id": "B", "contact_id": "c1", "level": "executive", "buying_center": "Finance", "role": "decision_maker", "active": "true"},
]


@pytest.fixture
def tables(portfolio_dir):
    accounts = [{"account_id": a, "account_name": a} for a in ("A", "B", "C")]
    p = load_portfolio(portfolio_dir({"accounts": accounts, "revenue": REVENUE, "contacts": CONTACTS}))
    return p.table("revenue"), p.table("contacts"), p.account_ids


def test_concentration_by_buying_center_and_offering(tables):
    revenue, _, ids = tables
    c = concentration(revenue, ids, quarter=Q)
    assert c.loc["A", "hhi_buying_center"] == pytest.approx(4400.0)   # 60^2 + 20^2 + 20^2
    assert c.loc["A", "top_share_buying_center"] == pytest.approx(0.6)
    assert c.loc["A", "top_buying_center"] == "Finance"
    assert c.loc["A", "hhi_offering"] == pytest.approx(5000.0)        # 50^2 + 50^2
    assert c.loc["A", "top_share_offering"] == pytest.approx(0.5)
    assert c.loc["B", "hhi_buying_center"] == pytest.approx(10000.0)
    assert c.loc["B", "top_share_offering"] == pytest.approx(1.0)
    assert math.isnan(c.loc["C", "hhi_buying_center"])                # no revenue


def test_decision_makers_and_uncovered_buying_centers(tables):
    revenue, contacts, ids = tables
    cov = relationship_coverage(contacts, revenue, ids, quarter=Q, as_of=AS_OF)
    # A: active decision makers c1, c2 (c3 inactive) -> 2
    assert cov.loc["A", "decision_makers"] == 2
    # active executives known at as_of: c1 only (c3 inactive, c4 met later)
    assert cov.loc["A", "executives"] == 1
    assert cov.loc["A", "advocates"] == 1
    # buying centers with T4Q revenue: Finance, HR, IT; only Finance has an active executive
    assert cov.loc["A", "revenue_buying_centers"] == 3
    assert cov.loc["A", "uncovered_buying_centers"] == ["HR", "IT"]
    assert cov.loc["A", "stakeholder_coverage"] == pytest.approx(1 / 3)
    assert cov.loc["B", "decision_makers"] == 1  # single-threaded (<= 1)
    assert cov.loc["B", "uncovered_buying_centers"] == []
    assert cov.loc["C", "decision_makers"] == 0 and math.isnan(cov.loc["C", "stakeholder_coverage"])


def test_single_threaded_and_concentration_warnings(model_of):
    accounts = [{"account_id": a, "account_name": a} for a in ("A", "B", "C")]
    m = model_of({"accounts": accounts, "revenue": REVENUE, "contacts": CONTACTS}, as_of="2025-12-31")
    w = m.warnings
    fired = {(a, i) for a, i in zip(w["account_id"], w["warning_id"])}
    # A: HHI 4400 >= 2500 by buying center; 2 decision makers is not single-threaded
    assert ("A", "concentration_buying_center") in fired
    assert ("A", "single_threaded") not in fired
    assert ("B", "single_threaded") in fired and ("C", "single_threaded") in fired
    assert m.figures.loc["A", "decision_makers"] == 2


def test_coverage_when_no_account_has_t4q_revenue(tables):
    # regression: an empty set of revenue buying centers crashed (KeyError 'account_id')
    revenue, contacts, ids = tables
    cov = relationship_coverage(contacts, revenue, ids, quarter=Q + 8, as_of=AS_OF + pd.DateOffset(years=2))
    assert cov["revenue_buying_centers"].tolist() == [0, 0, 0]
    assert cov["uncovered_buying_centers"].tolist() == [[], [], []]
    assert cov["stakeholder_coverage"].isna().all()
    assert cov.loc["A", "decision_makers"] == 2  # contacts still count


def test_revenue_shares_are_the_hhi_inputs(tables):
    from kit.figures.concentration import revenue_shares

    revenue, _, _ = tables
    s = revenue_shares(revenue, "A", quarter=Q)
    bc = s[s["dimension"] == "buying_center"]
    assert bc["name"].tolist() == ["Finance", "HR", "IT"]  # largest share first, ties by name
    assert dict(zip(bc["name"], bc["share"])) == pytest.approx({"Finance": 0.6, "IT": 0.2, "HR": 0.2})
    off = s[s["dimension"] == "offering"]
    assert dict(zip(off["name"], off["amount"])) == {"Advisory": 500.0, "Training": 500.0}
    # the shares give back the HHI of the figures table
    assert ((bc["share"] * 100) ** 2).sum() == pytest.approx(concentration(revenue, ["A"], quarter=Q).loc["A", "hhi_buying_center"])
    assert revenue_shares(revenue, "C", quarter=Q).empty


def test_stakeholder_map_by_buying_center_and_level(tables):
    from kit.figures.concentration import stakeholder_map

    revenue, contacts, _ = tables
    m = stakeholder_map(contacts, revenue, "A", quarter=Q, as_of=AS_OF).set_index("buying_center")
    assert list(m.index) == ["Finance", "HR", "IT"]  # largest T4Q revenue first, then by name
    assert m.loc["Finance", "executive"] == 1 and m.loc["Finance", "executive_covered"]
    assert m.loc["IT", "senior"] == 1 and m.loc["IT", "executive"] == 0  # c3 is inactive
    assert not m.loc["IT", "executive_covered"] and m.loc["IT", "advocates"] == 1
    assert m.loc["HR", "staff"] == 1 and m.loc["HR", "executive"] == 0  # c4 met after the analysis date
    assert m.loc["Finance", "decision_makers"] == 1 and m.loc["IT", "decision_makers"] == 1
    assert m.loc["Finance", "revenue_t4q"] == 600.0


# --- the concentration flag (domain.md): HHI >= 5,000 or top share >= 0.6 ---------------------
def _flag_model(model_of, shares: dict[str, list[float]]):
    """One account per case, its T4Q revenue split over buying centers (and offerings) as given."""
    rows = []
    for acc, amounts in shares.items():
        for i, amount in enumerate(amounts):
            rows.append(rev(acc, 0, amount, f"BC{i}", f"Off{i}"))
    accounts = [{"account_id": a, "account_name": a} for a in shares]
    return model_of({"accounts": accounts, "revenue": rows}, as_of="2025-12-31")


@pytest.mark.parametrize("amounts, hhi_value, flagged", [
    ([50, 50], 5000, True),              # HHI exactly 5,000 (two even buying centers): flagged
    ([60, 20, 20], 4400, True),          # top share exactly 0.6, HHI below: flagged
    ([59, 21, 20], 3481 + 441 + 400, False),  # just below both
    ([25, 25, 25, 25], 2500, False),     # spread evenly over four: the old 2,500 flag fired here
    ([100], 10000, True),                # one buying center
])
def test_concentration_flag_edges(model_of, amounts, hhi_value, flagged):
    m = _flag_model(model_of, {"X": amounts})
    f = m.figures.loc["X"]
    assert f["hhi_buying_center"] == pytest.approx(hhi_value)
    assert f["effective_buying_centers"] == pytest.approx(10000 / hhi_value)
    assert f["buying_centers_t4q"] == len(amounts)
    fired = set(m.warnings["warning_id"])
    assert ("concentration_buying_center" in fired) is flagged
    assert ("concentration_offering" in fired) is flagged  # the same split by offering


def test_concentration_message_and_advice_follow_the_count(model_of):
    m = _flag_model(model_of, {"ONE": [100], "TWO": [50, 50]})
    w = m.warnings.set_index(["account_id", "warning_id"])["message"]
    one, two = w[("ONE", "concentration_buying_center")], w[("TWO", "concentration_buying_center")]
    assert one.startswith("all T4Q revenue (100) comes from one buying center, 'BC0'")
    assert "about 2.0 effective buying centers of the 2 buying centers with revenue (flag at 5,000)" in two
    r = m.recommendations.set_index(["account_id", "ref"])["objective"]
    # one buying center: win a second; several: grow the smaller ones, never "win a second" again
    assert r[("ONE", "concentration_buying_center")] == "Win revenue in a second buying center: today all of it comes from BC0"
    assert r[("TWO", "concentration_buying_center")].startswith("Grow the smaller buying centers: 50% of revenue comes from")
    assert "second" not in r[("TWO", "concentration_buying_center")]
    assert r[("ONE", "concentration_offering")].startswith("Propose a second offering")
    assert r[("TWO", "concentration_offering")].startswith("Grow the smaller offerings")


def test_concentration_flag_thresholds_come_from_the_settings(model_of):
    from kit.config import Settings

    rows = [rev("X", 0, a, f"BC{i}", f"Off{i}") for i, a in enumerate([25, 25, 25, 25])]
    m = model_of({"accounts": [{"account_id": "X", "account_name": "X"}], "revenue": rows}, as_of="2025-12-31",
                 settings=Settings(hhi_flag=2500))
    assert "concentration_buying_center" in set(m.warnings["warning_id"])
