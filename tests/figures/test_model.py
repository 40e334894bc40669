"""build_model: the whole model on the seeded synthetic sample (order, reproducibility,
default analysis date) and on hand-made inputs (an explicit as_of in the past, optional
tables missing)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from kit.config import Settings
from kit.errors import InputError, UsageError
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio
from kit.periods import parse_period
from kit.schema import ACCOUNT_SUMMARY_COLUMNS, ELEMENT_IDS


@pytest.fixture(scope="module")
def sample_model(sample_dir):
    return build_model(load_portfolio(sample_dir), Settings())


def _raw(sample_dir, name: str) -> pd.DataFrame:
    return pd.read_csv(sample_dir / f"{name}.csv", dtype=str, keep_default_na=False)


# --- the synthetic sample -------------------------------------------------------------------
def test_figures_for_every_account_in_accounts_order(sample_dir, sample_model):
    ids = _raw(sample_dir, "accounts")["account_id"].tolist()
    assert len(ids) == 12
    assert sample_model.figures.index.tolist() == ids
    assert any(i.startswith("0") for i in ids)  # leading-zero ids survive as text
    missing = set(ACCOUNT_SUMMARY_COLUMNS) - {"account_id"} - set(sample_model.figures.columns)
    assert not missing
    el = sample_model.assessment.elements
    assert len(el) == 12 * len(ELEMENT_IDS)
    assert el["account_id"].unique().tolist() == ids


def test_default_as_of_is_end_of_last_revenue_quarter(sample_dir, sample_model):
    last = max(parse_period(p) for p in _raw(sample_dir, "revenue")["period"])
    assert last == parse_period("2026Q3")  # make_portfolio's default end quarter
    assert sample_model.as_of == dt.date(2026, 9, 30)
    assert sample_model.quarter == last
    assert sample_model.t4q_label == "2025Q4-2026Q3"


def test_t4q_matches_an_independent_sum(sample_dir, sample_model):
    raw = _raw(sample_dir, "revenue")
    q = raw["period"].map(parse_period)
    Q = sample_model.quarter
    in_t4q = raw[(q >= Q - 3) & (q <= Q)]
    expected = in_t4q.assign(amount=in_t4q["amount"].astype(float)).groupby("account_id")["amount"].sum()
    got = sample_model.figures["revenue_t4q"]
    expected = expected.reindex(got.index, fill_value=0.0)
    pd.testing.assert_series_equal(got, expected, check_names=False, check_exact=False, rtol=1e-12)
    # Greenfield accounts have no revenue in T4Q
    green = sample_model.figures["category"] == "Greenfield"
    assert green.any() and (got[green] == 0).all()


def test_rerun_gives_identical_tables(sample_dir, sample_model):
    again = build_model(load_portfolio(sample_dir), Settings())
    pd.testing.assert_frame_equal(again.figures, sample_model.figures)
    for name in ("evidence", "indicators", "warnings", "motions", "motion_table"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(sample_model, name))
    pd.testing.assert_frame_equal(again.assessment.elements, sample_model.assessment.elements)


def test_account_lookup(sample_model):
    first = sample_model.figures.index[0]
    assert sample_model.account(first)["account_name"] == sample_model.figures.loc[first, "account_name"]
    with pytest.raises(UsageError):
        sample_model.account("no such account")


# --- hand-made inputs -----------------------------------------------------------------------
ACCOUNTS = [{"account_id": "A", "account_name": "Acme"}]
QUARTERS = ["2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]


def _revenue(amounts) -> list[dict]:
    return [{"account_id": "A", "period": p, "amount": str(a), "buying_center": "Finance", "offering": "Advisory"}
            for p, a in zip(QUARTERS, amounts)]


def test_explicit_past_as_of_ignores_later_rows(model_of):
    tables = {
        "accounts": ACCOUNTS,
        "revenue": _revenue([1, 2, 4, 8, 16, 32, 64]),
        "assessment": [
            {"account_id": "A", "assessed_on": "2025-05-01", "rater": "r1", "element": "relationships", "score": "3"},
            {"account_id": "A", "assessed_on": "2025-08-01", "rater": "r1", "element": "relationships", "score": "5"},
        ],
        "surveys": [{"account_id": "A", "date": "2025-04-01", "survey": "nps", "score": "10"},
                    {"account_id": "A", "date": "2025-07-01", "survey": "nps", "score": "0"}],
        "contacts": [{"account_id": "A", "contact_id": "c1", "role": "decision_maker", "first_met": "2024-01-01"},
                     {"account_id": "A", "contact_id": "c2", "role": "decision_maker", "first_met": "2025-07-15"}],
        "opportunities": [{"account_id": "A", "opportunity_id": "o1", "stage": "open", "amount": "100",
                           "probability": "0.5", "created_on": "2025-07-02"}],
    }
    latest = model_of(tables).figures.loc["A"]
    # default as_of 2026-03-31: T4Q = 2025Q2..2026Q1 = 8 + 16 + 32 + 64 = 120
    assert latest["revenue_t4q"] == 120.0
    m = model_of(tables, as_of="2025-06-30")
    f = m.figures.loc["A"]
    assert m.as_of == dt.date(2025, 6, 30) and m.quarter == parse_period("2025Q2")
    # T4Q = 2024Q3..2025Q2 = 1 + 2 + 4 + 8 = 15; nothing before it, so no growth
    assert f["revenue_t4q"] == 15.0 and math.isnan(f["revenue_growth"])
    # workshops follow the quarter's close: the 2025-08-01 assessment lies within the grace
    # window (up to 2025-09-30, one quarter after 2025Q2) and is scored (5 -> 100), the
    # 2025-05-01 one gives the trend; without grace, only the 2025-05-01 one counts
    assert f["health_index"] == 100.0 and f["previous_health_index"] == 50.0 and bool(f["assessment_in_grace"])
    no_grace = model_of(tables, as_of="2025-06-30", settings=Settings(assessment_grace_quarters=0)).figures.loc["A"]
    assert no_grace["health_index"] == 50.0 and not no_grace["assessment_in_grace"]
    assert no_grace["next_assessed_on"] == pd.Timestamp("2025-08-01")  # the report says it is left out
    assert f["nps"] == 100.0 and f["nps_n"] == 1   # the 2025-07-01 answer is unseen
    assert f["decision_makers"] == 1          # c2 was met after as_of
    assert f["open_pipeline"] == 0.0          # o1 was created after as_of
    assert set(m.motions["period"]) == set(QUARTERS[:4])
    # a quarter label means its last day
    assert model_of(tables, as_of="2025Q2").as_of == dt.date(2025, 6, 30)


def test_bad_as_of_is_a_usage_error(model_of):
    with pytest.raises(UsageError, match="2025Q3"):
        model_of({"accounts": ACCOUNTS, "revenue": _revenue([1])}, as_of="yesterday")


def test_a_revenue_table_without_rows_is_an_input_error(model_of):
    # revenue is required: a header with no rows is almost always a failed export, so it is
    # reported (it used to give an all-Greenfield portfolio when --as-of was given)
    tables = {"accounts": ACCOUNTS, "revenue": "account_id,period,amount\n"}
    with pytest.raises(InputError, match="revenue.csv: expected at least one row"):
        model_of(tables, as_of="2025-12-31")


def test_only_required_tables(model_of):
    # regression: build_model crashed (datetime cast) when assessment, opportunities or
    # activities were not supplied
    m = model_of({"accounts": ACCOUNTS, "revenue": _revenue([10, 10, 10, 10, 10, 10, 10])})
    f = m.figures.loc["A"]
    # as_of 2026-03-31: T4Q 2025Q2..2026Q1 = 40; the four before (2024Q2..2025Q1) begin
    # before the data (2024Q3): growth against them is unknown, not 40 / 30 - 1
    assert f["revenue_t4q"] == 40.0 and math.isnan(f["revenue_prior4"]) and math.isnan(f["revenue_growth"])
    assert math.isnan(f["health_index"]) and pd.isna(f["quadrant"])
    assert math.isnan(f["decision_makers"]) and math.isnan(f["open_pipeline"])  # unknown, not zero
    assert m.assessment.elements["n_raters"].isna().all() and len(m.assessment.elements) == 10
    assert m.indicators.loc[m.indicators["period"] == "T4Q", "new_offerings_proposed"].isna().all()
    # rules whose tables are missing stay silent
    assert not {"single_threaded", "no_executive_contact", "raters_disagree"} & set(m.warnings["warning_id"])
