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
    # latest (75 + 50 + 100) / 3 = 75; previous (25 + 50) / 2 = 37.5; the change compares
    # like with like (rule 6): over the two elements scored in both, (75 + 50) / 2 = 62.5
    # against 37.5: +25 (not 75 - 37.5, which counts value_of_work, new in the latest)
    assert a["health_index"] == pytest.approx(75.0)
    assert a["previous_health_index"] == pytest.approx(37.5)
    assert a["health_change"] == pytest.approx(25.0)
    assert a["health_change_elements"] == 2 and not a["same_elements"]
    assert (a["health_before_common"], a["health_now_common"]) == (pytest.approx(37.5), pytest.approx(62.5))


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
    # two of ten elements: the index is incomplete, so it is not banded (rule 7); its band
    # is kept apart for the record
    assert m.figures.loc["A1", "health_rag"] == "incomplete" and m.figures.loc["A1", "health_band"] == "amber"
    assert default["health_band"] == "amber"  # 62.5: at least 50, below 70
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


# --- scoring rule 4: the grace window after the analysis date --------------------------------
@pytest.mark.parametrize("assessed_on, grace, as_of, counted", [
    ("2025-12-31", 1, "2025-09-30", True),    # the last day of the quarter after: counts
    ("2026-01-01", 1, "2025-09-30", False),   # a day later: outside the window
    ("2025-10-01", 0, "2025-09-30", False),   # no grace: only up to the analysis date
    ("2025-09-30", 0, "2025-09-30", True),
    ("2026-03-31", 2, "2025-09-30", True),    # two quarters of grace
    ("2025-12-31", 1, "2025-08-15", True),    # a mid-quarter analysis date: to the end of the next quarter
    ("2026-01-01", 1, "2025-08-15", False),
])
def test_grace_window_edges(model_of, assessed_on, grace, as_of, counted):
    rows = [rate("r1", e, 4, on=assessed_on) for e in ELEMENT_IDS] + [rate("r1", e, 2, on="2025-03-01") for e in ELEMENT_IDS]
    m = model_of({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows}, as_of=as_of,
                 settings=Settings(assessment_grace_quarters=grace))
    f = m.figures.loc["A1"]
    if counted:
        assert f["assessed_on"] == pd.Timestamp(assessed_on) and f["health_index"] == 75.0
        assert bool(f["assessment_in_grace"]) == (pd.Timestamp(assessed_on) > pd.Timestamp(as_of))
        assert pd.isna(f["next_assessed_on"])
    else:  # the earlier assessment is scored, and the later one is named for the report
        assert f["assessed_on"] == pd.Timestamp("2025-03-01") and f["health_index"] == 25.0
        assert f["next_assessed_on"] == pd.Timestamp(assessed_on) and not f["assessment_in_grace"]


def test_a_workshop_after_the_quarter_is_scored_and_the_report_says_so(model_of):
    from kit.report import AccountReport

    rows = [rate("r1", e, 4, on="2025-10-01") for e in ELEMENT_IDS] + [rate("r1", e, 3) for e in ELEMENT_IDS]
    m = model_of({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows})
    f = m.figures.loc["A1"]
    assert f["assessed_on"] == pd.Timestamp("2025-10-01") and f["previous_assessed_on"] == pd.Timestamp(LATEST)
    html = AccountReport(model=m, account_id="A1").summary().html
    assert "The assessment of 2025-10-01 is dated after the analysis date 2025-09-30 and counts" in html
    # not stale, and no warning that it is missing
    assert not {"stale_assessment", "not_assessed"} & set(m.warnings[m.warnings["account_id"] == "A1"]["warning_id"])


# --- scoring rule 6: like with like, and the drivers add up -----------------------------------
def test_health_drivers_and_like_for_like_change_by_hand(model_of):
    # weights: client_understanding 2, the others 1
    # previous (2025-03-01): CU 50, AS 25, VW 75             -> index (2*50 + 25 + 75) / 4 = 50
    # latest   (2025-09-10): CU 75, AS 50, RL 0 (VW unrated) -> index (2*75 + 50 + 0) / 4 = 50
    # naive change 50 - 50 = 0; like with like over CU and AS (weights 2 + 1 = 3):
    #   CU 2 x (75 - 50) / 3 = 16.667; AS 1 x (50 - 25) / 3 = 8.333; change 25
    #   before (2*50 + 25) / 3 = 41.667, now (2*75 + 50) / 3 = 66.667
    prev = "2025-03-01"
    rows = [rate("r1", "client_understanding", 3, on=prev), rate("r1", "account_strategy", 2, on=prev),
            rate("r1", "value_of_work", 4, on=prev),
            rate("r1", "client_understanding", 4), rate("r1", "account_strategy", 3), rate("r1", "relationships", 1)]
    s = Settings(element_weights={"client_understanding": 2})
    m = model_of({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows}, settings=s)
    f = m.figures.loc["A1"]
    assert (f["health_index"], f["previous_health_index"]) == (50.0, 50.0)
    assert f["health_change"] == pytest.approx(25.0) and f["health_change_elements"] == 2 and not f["same_elements"]
    assert f["health_before_common"] == pytest.approx(125 / 3) and f["health_now_common"] == pytest.approx(200 / 3)
    el = m.assessment.elements.set_index(["account_id", "element"])
    assert el.loc[("A1", "client_understanding"), "contribution"] == pytest.approx(50 / 3)
    assert el.loc[("A1", "account_strategy"), "contribution"] == pytest.approx(25 / 3)
    assert el.loc[("A1", "client_understanding"), "weight"] == 2.0
    for e in ("value_of_work", "relationships", "pipeline_health"):  # not scored in both: no contribution
        assert math.isnan(el.loc[("A1", e), "contribution"])
    assert el.loc["A1", "contribution"].sum() == pytest.approx(f["health_change"])


def test_printed_change_adds_up(model_of):
    from kit.report import AccountReport
    from kit.report.formats import rounded_parts, shown_change

    # printed numbers add up even where rounding each would not (65.64 -> 65.6, 67.26 -> 67.3)
    before, now, change = shown_change(67.26, 65.64)
    assert (before, now, change) == ("65.6", "67.3", "+1.7")
    assert shown_change(None, 5) == ("5.0", "—", "—")
    parts = rounded_parts([0.34, 0.33, 0.33, float("nan")], 1.0)
    assert sum(p for p in parts[:3]) == pytest.approx(1.0) and math.isnan(parts[3])
    assert rounded_parts([1.06, 1.06, 1.06], 3.2) == [1.1, 1.1, 1.0]  # 3.18 printed 3.2: the parts say 3.2 too
    # in the report: before + change = now, and the contributions add up to the change
    prev = "2025-03-01"
    rows = ([rate("r1", e, 3, on=prev) for e in ELEMENT_IDS[:7]] + [rate("r2", e, 4, on=prev) for e in ELEMENT_IDS[:2]]
            + [rate("r1", e, 4) for e in ELEMENT_IDS[:7]] + [rate("r2", e, 2) for e in ELEMENT_IDS[:3]])
    m = model_of({"accounts": ACCOUNTS, "revenue": REVENUE, "assessment": rows})
    f = m.figures.loc["A1"]
    html = AccountReport(model=m, account_id="A1").assessment().html
    b, n, c = shown_change(f["health_now_common"], f["health_before_common"])
    assert f"{c} since {prev}: {b} to {n}" in html
    assert float(b) + float(c) == pytest.approx(float(n))
    from bs4 import BeautifulSoup

    tab = BeautifulSoup(html, "html.parser").find("table")
    heads = [th.get_text() for th in tab.thead.find_all("th")]
    col = heads.index("Contribution")
    cells = [tr.find_all("td")[col].get_text() for tr in tab.tbody.find_all("tr")]
    shown = [float(x) for x in cells if x != "—"]
    assert len(shown) == 7 and sum(shown) == pytest.approx(float(c))  # the seven elements scored in both


def _plain_table(coded: pd.DataFrame) -> pd.DataFrame:
    from kit.inputs.cells import plain

    return coded.assign(**{c: plain(coded[c]) for c in coded.columns})


def test_coded_columns_give_the_figures_of_plain_text(sample_dir):
    """The assessment's ids and elements are typed as categoricals (``TableRule.coded``):
    scored from their codes, the figures are those of the same table as plain text."""
    from kit.figures.assessment import assessment_cutoff
    from kit.schema import TABLES

    p = load_portfolio(sample_dir)
    a = p.tables["assessment"]
    for c in TABLES["assessment"].coded:
        assert isinstance(a[c].dtype, pd.CategoricalDtype), c
    assert a["account_id"].cat.categories.dtype == object and str(a["element"].cat.categories.dtype) == "str"
    plain = _plain_table(a)
    assert plain["account_id"].dtype == object and str(plain["element"].dtype) == "str"
    cutoff = assessment_cutoff(pd.Timestamp("2026-06-30"), quarter=2026 * 4 + 1, grace_quarters=1)
    got = score_assessments(a, p.tables["questions"], p.account_ids, as_of=cutoff, settings=Settings())
    want = score_assessments(plain, p.tables["questions"], p.account_ids, as_of=cutoff, settings=Settings())
    for part in ("elements", "accounts", "raters", "comments"):
        pd.testing.assert_frame_equal(getattr(got, part), getattr(want, part), obj=part)
    assert not any(isinstance(t, pd.CategoricalDtype) for t in got.comments.dtypes)


def test_sorted_codes_are_those_of_factorize():
    """Codes renumbered from a categorical in the order of the values: missing cells,
    unused categories, categories first seen out of order, enums typed alike."""
    import numpy as np

    from kit.figures.assessment import _sorted_codes
    from kit.inputs.cells import as_codes, enum_word

    raw = pd.Series(pd.Categorical(["b", "a", None, "Client", "c", "b", "client"],
                                   categories=["b", "zz", "a", "Client", "c", "client"]))
    for fn, dtype in ((lambda v: v, object), (enum_word, "str")):
        coded = as_codes(raw, fn, dtype=dtype)
        codes, uniques = _sorted_codes(coded)
        plain = pd.Series([None if v is None or v != v else fn(v) for v in raw.astype(object)], dtype=dtype)
        want_codes, want_uniques = pd.factorize(plain, sort=True)
        assert np.array_equal(codes, want_codes) and list(uniques) == list(want_uniques)
        assert uniques.dtype == want_uniques.dtype
    # "Client" and "client" type alike: one category
    assert list(as_codes(raw, enum_word, dtype="str").cat.categories) == ["b", "zz", "a", "client", "c"]
