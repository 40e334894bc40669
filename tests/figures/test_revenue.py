"""Revenue figures (pinned): T4Q and growth, categories, motions, new-client revenue,
hygiene.  Analysis quarter Q = 2025Q4 unless said otherwise; ``r(acc, k, ...)`` is a
revenue row k quarters before Q (k = 0 is Q itself, T4Q = k 0..3)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.revenue import (
    categorize,
    hygiene,
    motion_shares,
    motion_table,
    new_client_revenue,
    revenue_figures,
    revenue_motions,
)
from kit.inputs.portfolio import load_portfolio
from kit.periods import parse_period, quarter_label

Q = parse_period("2025Q4")


def r(acc: str, k: int, amount: float, bc: str = "Finance", off: str = "Advisory", **extra) -> dict:
    return {"account_id": acc, "period": quarter_label(Q - k), "amount": str(amount),
            "buying_center": bc, "offering": off, **extra}


def load(portfolio_dir, revenue, ids, **tables):
    accounts = [{"account_id": a, "account_name": f"Account {a}"} for a in ids]
    return load_portfolio(portfolio_dir({"accounts": accounts, "revenue": revenue, **tables}))


# --- T4Q and growth -------------------------------------------------------------------------
def test_t4q_and_growth(portfolio_dir):
    rev = ([r("A", k, 100) for k in range(4, 8)]          # prior four quarters: 400
           + [r("A", k, 150) for k in range(4)]        # T4Q 600 ...
           + [r("A", 0, -50, off="Training")]             # ... less a credit: 550
           + [r("A", 8, 999)]                             # 9 quarters back: in neither window
           + [r("B", k, 50) for k in range(4)])        # no prior revenue
    p = load(portfolio_dir, rev, ["A", "B", "C"])
    fig = revenue_figures(p.table("revenue"), p.account_ids, quarter=Q)
    assert fig.loc["A", "revenue_t4q"] == pytest.approx(550.0)
    assert fig.loc["A", "revenue_prior4"] == pytest.approx(400.0)
    assert fig.loc["A", "revenue_growth"] == pytest.approx(550 / 400 - 1)  # 0.375
    assert fig.loc["B", "revenue_t4q"] == pytest.approx(200.0)
    assert math.isnan(fig.loc["B", "revenue_growth"])   # prior four quarters had none
    assert fig.loc["C", "revenue_t4q"] == 0.0          # no revenue rows at all
    assert math.isnan(fig.loc["C", "revenue_growth"])


# --- categories -----------------------------------------------------------------------------
CATEGORY_CASES = {
    # revenue only 13 quarters ago (k = 12): outside the 12 quarters k = 0..11
    "green_13": [r("green_13", 12, 5000)],
    # revenue 12 quarters ago (k = 11): bought within 3 years, one buying center
    "beach_12": [r("beach_12", 11, 5000)],
    # exactly 1,000,000 from exactly 3 buying centers, revenue in each of the 4 quarters
    "strat_exact": [r("strat_exact", 3, 300_000, "Finance"), r("strat_exact", 2, 300_000, "Operations"),
                    r("strat_exact", 1, 300_000, "IT"), r("strat_exact", 0, 100_000, "Finance")],
    # one cent short of 1,000,000 -> Core (3 buying centers in 8 quarters, 4 of 4 quarters)
    "strat_short": [r("strat_short", 3, 300_000, "Finance"), r("strat_short", 2, 300_000, "Operations"),
                    r("strat_short", 1, 300_000, "IT"), r("strat_short", 0, 99_999.99, "Finance")],
    # 2,000,000 but only 2 buying centers in T4Q -> Core
    "two_bcs_rich": [r("two_bcs_rich", k, 500_000, bc) for k in range(4) for bc in ("Finance",)]
    + [r("two_bcs_rich", 0, 1, "IT")],
    # 3 buying centers and >= 1,000,000 but revenue in 3 of the last 4 quarters -> Core
    "three_quarters": [r("three_quarters", 3, 400_000, "Finance"), r("three_quarters", 2, 400_000, "Operations"),
                       r("three_quarters", 0, 400_000, "IT")],
    # exactly 2 buying centers in 8 quarters (one 7 quarters back), revenue in exactly 3 of 4
    "core_edge": [r("core_edge", 7, 10, "HR"), r("core_edge", 2, 10), r("core_edge", 1, 10), r("core_edge", 0, 10)],
    # 2 buying centers but only 2 of the last 4 quarters -> Beachhead
    "beach_2q": [r("beach_2q", 1, 10, "HR"), r("beach_2q", 0, 10)],
    # second buying center 8 quarters back (k = 8): outside the 8 quarters -> Beachhead
    "beach_bc9": [r("beach_bc9", 8, 10, "HR"), r("beach_bc9", 2, 10), r("beach_bc9", 1, 10), r("beach_bc9", 0, 10)],
}
EXPECTED_CATEGORY = {
    "green_13": "Greenfield", "beach_12": "Beachhead", "strat_exact": "Strategic", "strat_short": "Core",
    "two_bcs_rich": "Core", "three_quarters": "Core", "core_edge": "Core", "beach_2q": "Beachhead",
    "beach_bc9": "Beachhead", "no_rows": "Greenfield",
}


def test_categories_and_their_boundaries(portfolio_dir):
    ids = list(EXPECTED_CATEGORY)
    rev = [row for rows in CATEGORY_CASES.values() for row in rows]
    p = load(portfolio_dir, rev, ids)
    cats = categorize(p.table("revenue"), ids, quarter=Q, settings=Settings())
    assert cats["category"].to_dict() == EXPECTED_CATEGORY
    assert "1,000,000" in cats.loc["strat_exact", "category_reason"]
    assert "no revenue in the 12 quarters" in cats.loc["green_13", "category_reason"]


def test_category_thresholds_are_configurable(portfolio_dir):
    p = load(portfolio_dir, CATEGORY_CASES["strat_short"], ["strat_short"])
    s = Settings(strategic_min_revenue=999_999.99)
    assert categorize(p.table("revenue"), ["strat_short"], quarter=Q, settings=s)["category"].item() == "Strategic"


# --- motions --------------------------------------------------------------------------------
F = Q - 13  # the data set's first quarter


def m(acc: str, dq: int, amount: float, bc: str, off: str) -> dict:
    """A revenue row dq quarters after the data set's first quarter F."""
    return {"account_id": acc, "period": quarter_label(F + dq), "amount": str(amount), "buying_center": bc, "offering": off}


MOTION_ROWS = [
    m("M", 0, 100, "Finance", "Advisory"),     # first quarter of the data: baseline
    m("M", 12, 10, "Finance", "Advisory"),     # same bc + offering exactly 12 quarters before: continuation
    m("M", 12, 20, "Finance", "Training"),     # Finance bought before, not Training: crop rotation
    m("M", 13, 30, "IT", "Advisory"),          # IT never bought before: colonization
    m("N", 0, 100, "Operations", "Advisory"),  # baseline
    m("N", 13, 40, "Operations", "Advisory"),  # only purchase 13 quarters earlier: colonization
    m("N", 13, 5, "Operations", "Training"),   # the same-quarter row does not count as "before"
    m("P", 5, 60, "HR", "Analytics"),          # first purchase of P: colonization
    m("P", 9, 70, "HR", "Analytics"),          # 4 quarters after: continuation
    m("P", 10, 80, "HR", "Training"),          # crop rotation
]


def test_revenue_motions(portfolio_dir):
    p = load(portfolio_dir, MOTION_ROWS, ["M", "N", "P"])
    mot = revenue_motions(p.table("revenue"), lookback=12)
    assert mot["motion"].tolist() == [
        "baseline", "continuation", "crop_rotation", "colonization",
        "baseline", "colonization", "colonization",
        "colonization", "continuation", "crop_rotation",
    ]
    # a shorter lookback (4 quarters) turns the 12-quarter continuation into colonization
    short = revenue_motions(p.table("revenue"), lookback=4)["motion"].tolist()
    assert short[1] == "colonization" and short[2] == "colonization" and short[8] == "continuation"


def test_motion_shares_of_t4q(portfolio_dir):
    p = load(portfolio_dir, MOTION_ROWS, ["M", "N", "P", "Z"])
    rev = p.table("revenue")
    mot = revenue_motions(rev)
    shares = motion_shares(mot, p.account_ids, quarter=Q)  # T4Q = F+10 .. F+13
    # M in T4Q: continuation 10, crop rotation 20, colonization 30 -> total 60
    assert shares.loc["M", "continuation_share"] == pytest.approx(10 / 60)
    assert shares.loc["M", "crop_rotation_share"] == pytest.approx(20 / 60)
    assert shares.loc["M", "colonization_share"] == pytest.approx(30 / 60)
    assert shares.loc["M", "baseline_share"] == 0.0
    assert shares.loc["M", "repeat_business_share"] == pytest.approx(0.5)
    # P in T4Q: only the crop rotation of 80 (F+10)
    assert shares.loc["P", "crop_rotation_share"] == pytest.approx(1.0)
    # Z has no revenue: shares undefined
    assert shares.loc["Z"].isna().all()
    table = motion_table(mot)
    row = table[(table["account_id"] == "N") & (table["motion"] == "colonization")]
    assert row["period"].tolist() == [quarter_label(F + 13)] and row["amount"].tolist() == [45.0]


def test_new_client_revenue(portfolio_dir):
    rev = [
        r("OLD", 13, 100), r("OLD", 0, 100),       # first revenue in the data set's first quarter
        r("NEW", 2, 10), r("NEW", 1, 20), r("NEW", 0, 30),
        # first revenue 6 quarters back: its first 4 quarters are k 6..3, T4Q overlaps at k 3
        r("NEW2", 6, 1), r("NEW2", 3, 7), r("NEW2", 2, 1000),
    ]
    p = load(portfolio_dir, rev, ["OLD", "NEW", "NEW2", "NONE"])
    out = new_client_revenue(p.table("revenue"), p.account_ids, quarter=Q)
    assert out["is_new_client"].to_dict() == {"OLD": False, "NEW": True, "NEW2": True, "NONE": False}
    assert out.loc["NEW", "new_client_t4q"] == pytest.approx(60.0)   # 10 + 20 + 30
    assert out.loc["NEW2", "new_client_t4q"] == pytest.approx(7.0)   # k 3 only; k 2 is 5 quarters in
    assert out.loc["OLD", "new_client_t4q"] == 0.0
    assert out.loc["NEW", "first_quarter"] == Q - 2


# --- hygiene --------------------------------------------------------------------------------
def _targets(acc: str, per_quarter: float, ks=range(4)) -> list[dict]:
    return [{"account_id": acc, "period": quarter_label(Q - k), "revenue_target": str(per_quarter)} for k in ks]


def test_hygiene(portfolio_dir):
    rev = ([r(a, k, 150, gross_margin="0.3") for a in ("ON", "MISS") for k in range(4)]  # T4Q 600 each
           + [r("FLAT", k, 100) for k in range(8)]                                    # growth 0
           + [r("DOWN", k, 90 if k < 4 else 100) for k in range(8)]                   # growth -0.1
           + [r("NEWBIE", 0, 10)])                                                     # no prior, no target
    targets = (_targets("ON", 150) + _targets("MISS", 175)
               + [{"account_id": "ON", "period": quarter_label(Q + 1), "revenue_target": "999"}])  # not in T4Q
    targets[0]["margin_target"] = "200"  # ON: margin target 200 over T4Q (one quarter carries it)
    ids = ["ON", "MISS", "FLAT", "DOWN", "NEWBIE"]
    p = load(portfolio_dir, rev, ids, targets=targets)
    fig = revenue_figures(p.table("revenue"), ids, quarter=Q)
    h = hygiene(fig, p.table("revenue"), p.table("targets"), quarter=Q, settings=Settings())
    # ON: 600 / (4 * 150) = 1.0 -> hygienic (at least 1.0)
    assert h.loc["ON", "revenue_attainment"] == pytest.approx(1.0)
    assert h.loc["ON", "hygienic"] == True
    assert h.loc["ON", "hygiene_basis"] == "target"
    # ON margin: 600 * 0.3 = 180 against 200 -> 0.9
    assert h.loc["ON", "margin_t4q"] == pytest.approx(180.0)
    assert h.loc["ON", "margin_attainment"] == pytest.approx(0.9)
    # MISS: 600 / 700 = 0.857
    assert h.loc["MISS", "revenue_attainment"] == pytest.approx(600 / 700)
    assert h.loc["MISS", "hygienic"] == False
    # without targets: growth >= 0
    assert h.loc["FLAT", "hygiene_basis"] == "growth" and h.loc["FLAT", "hygienic"] == True
    assert fig.loc["DOWN", "revenue_growth"] == pytest.approx(360 / 400 - 1)
    assert h.loc["DOWN", "hygiene_basis"] == "growth" and h.loc["DOWN", "hygienic"] == False
    assert math.isnan(h.loc["FLAT", "revenue_attainment"])
    # neither targets nor prior revenue: cannot be judged
    assert h.loc["NEWBIE", "hygiene_basis"] == "none" and pd.isna(h.loc["NEWBIE", "hygienic"])


def test_hygiene_threshold_is_configurable(portfolio_dir):
    p = load(portfolio_dir, [r("A", k, 90) for k in range(4)], ["A"], targets=_targets("A", 100))
    fig = revenue_figures(p.table("revenue"), ["A"], quarter=Q)
    # attainment 360 / 400 = 0.9
    strict = hygiene(fig, p.table("revenue"), p.table("targets"), quarter=Q, settings=Settings())
    loose = hygiene(fig, p.table("revenue"), p.table("targets"), quarter=Q, settings=Settings(hygiene_attainment=0.9))
    assert strict.loc["A", "hygienic"] == False and loose.loc["A", "hygienic"] == True


def test_attainment_with_targets_for_only_some_quarters_compares_like_with_like():
    # T4Q = 2025Q4..2026Q3; revenue 100 per quarter; targets only for 2026Q2 and 2026Q3 (80 each)
    # like with like: (100 + 100) / (80 + 80) = 1.25, not 400 / 160 = 2.5
    from kit.config import Settings
    from kit.figures.revenue import hygiene, revenue_figures
    from kit.periods import parse_period

    q = parse_period("2026Q3")
    rev = pd.DataFrame({"account_id": "A", "quarter": [q - 3, q - 2, q - 1, q], "amount": 100.0,
                        "gross_margin": 0.5, "buying_center": "X", "offering": "Y"})
    tgt = pd.DataFrame({"account_id": "A", "quarter": [q - 1, q], "revenue_target": 80.0, "margin_target": 40.0})
    figs = revenue_figures(rev, ["A"], quarter=q)
    h = hygiene(figs, rev, tgt, quarter=q, settings=Settings())
    assert h.loc["A", "revenue_attainment"] == pytest.approx(1.25)
    assert h.loc["A", "target_quarters"] == 2
    assert h.loc["A", "margin_attainment"] == pytest.approx(100 / 80)  # 200 x 0.5 / 80
    assert bool(h.loc["A", "hygienic"]) is True


def test_revenue_split_existing_vs_new_client(portfolio_dir):
    from kit.figures.revenue import revenue_split

    # E: revenue from the data's first quarter F (existing); N: first revenue at F+2, so
    # F+2..F+5 is new-client revenue and F+6 is existing again
    rows = ([m("E", dq, 100, "Finance", "Advisory") for dq in range(8)]
            + [m("N", dq, 50, "IT", "Advisory") for dq in range(2, 8)])
    p = load(portfolio_dir, rows, ["E", "N"])
    s = revenue_split(p.table("revenue"), quarter=F + 7, quarters=8).set_index("quarter")
    assert s.loc[F, "existing"] == 100 and s.loc[F, "new_client"] == 0
    assert s.loc[F + 2, "new_client"] == 50 and s.loc[F + 5, "new_client"] == 50
    assert s.loc[F + 6, "new_client"] == 0 and s.loc[F + 6, "existing"] == 150
    assert s.loc[F + 3, "new_client_share"] == pytest.approx(50 / 150)
    assert list(s["period"])[:1] == [quarter_label(F)]
