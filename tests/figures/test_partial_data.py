"""What the data cannot know is unknown, never zero: hand-made partial portfolios (revenue
only; revenue and opportunities; history starting mid-year; no contacts; no surveys)
checked table by table, as the run writes them (``output_tables``).

Every portfolio has the same three accounts, analysis quarter 2025Q4:
- ``A``: Finance and IT buy Advisory and Cloud each quarter it has;
- ``B``: one buying center (Legal) and one offering (Training);
- ``G``: never bought (Greenfield).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.coverage import data_coverage, data_limits
from kit.figures.model import build_model
from kit.figures.tables import output_tables
from kit.inputs.portfolio import load_portfolio
from kit.periods import parse_period, quarter_label
from kit.schema import ELEMENT_IDS

Q = parse_period("2025Q4")
AS_OF = "2025-12-31"
ACCOUNTS = [{"account_id": a, "account_name": f"Account {a}"} for a in ("A", "B", "G")]


def revenue(first_k: int) -> list[dict]:
    """Revenue from ``first_k`` quarters before the analysis quarter up to it."""
    rows = []
    for k in range(first_k, -1, -1):
        q = quarter_label(Q - k)
        rows += [{"account_id": "A", "period": q, "amount": "100", "buying_center": "Finance", "offering": "Advisory"},
                 {"account_id": "A", "period": q, "amount": "50", "buying_center": "IT", "offering": "Cloud"},
                 {"account_id": "B", "period": q, "amount": "80", "buying_center": "Legal", "offering": "Training"}]
    return rows


OPPORTUNITIES = [
    {"account_id": "A", "opportunity_id": "o1", "created_on": "2025-11-01", "close_date": "2026-03-31", "stage": "proposal",
     "amount": "300", "probability": "0.5", "buying_center": "IT", "offering": "Advisory", "competitive": "false"},
    {"account_id": "B", "opportunity_id": "o2", "created_on": "2025-10-01", "close_date": "2025-11-30", "stage": "won",
     "amount": "200", "probability": "1", "buying_center": "Legal", "offering": "Training", "competitive": "true"},
]
CONTACTS = [{"account_id": "A", "contact_id": "c1", "level": "executive", "buying_center": "Finance",
             "role": "decision_maker", "active": "true", "last_contact": "2025-11-01"}]
SURVEYS = [{"account_id": "A", "date": "2025-06-01", "survey": "nps", "score": "9"}]
ASSESSMENT = [{"account_id": "A", "assessed_on": "2025-11-15", "rater": "r1", "element": e, "score": "4"} for e in ELEMENT_IDS]
TARGETS = [{"account_id": "A", "period": quarter_label(Q - k), "revenue_target": "150"} for k in range(4)]


def _model(portfolio_dir, tables: dict):
    return build_model(load_portfolio(portfolio_dir(tables)), Settings(), as_of=AS_OF)


def _tables(model) -> dict[str, pd.DataFrame]:
    return {k: v.set_index("account_id") if "account_id" in v and k in ("account_summary", "account_figures") else v
            for k, v in output_tables(model).items()}


def _empty(df: pd.DataFrame, columns: list[str], rows=None) -> None:
    """The cells are empty (unknown), never 0 or False."""
    sub = df.loc[rows, columns] if rows is not None else df[columns]
    bad = {c: sub[c].tolist() for c in columns if not sub[c].isna().all()}
    assert not bad, bad


@pytest.fixture
def revenue_only(portfolio_dir):
    # nine months of history (2025Q2-2025Q4), as in a real CRM extract
    return _model(portfolio_dir, {"accounts": ACCOUNTS, "revenue": revenue(2)})


def test_revenue_only_account_summary(revenue_only):
    s = _tables(revenue_only)["account_summary"]
    # T4Q holds the three quarters of data: 3 x 150 for A
    assert s.loc["A", "revenue_t4q"] == 450 and s.loc["G", "revenue_t4q"] == 0
    # the year before T4Q is outside the data: growth is unknown, not -100% or 0
    _empty(s, ["revenue_growth", "revenue_attainment", "hygienic", "quadrant", "health_index", "health_rag",
               "health_complete", "decision_makers", "share_of_wallet", "open_pipeline", "weighted_pipeline",
               "nps", "nps_n", "csat"])
    # what revenue alone can say is there
    assert s.loc["A", "hhi_buying_center"] == pytest.approx(10000 * ((2 / 3) ** 2 + (1 / 3) ** 2))
    assert s.loc["B", "hhi_buying_center"] == 10000
    assert s.loc["A", "category"] == "Core" and s.loc["G", "category"] == "Greenfield"


def test_revenue_only_account_figures(revenue_only):
    f = _tables(revenue_only)["account_figures"]
    # G never bought: its long-term value is a true 0 whatever the retention
    assert f.loc["G", "ltv"] == 0
    _empty(f.drop(index="G"), ["ltv"])
    _empty(f, ["previous_category", "revenue_prior4", "grr", "nrr", "ltv_retention", "executives", "advocates",
               "stakeholder_coverage", "open_opportunities", "stale_opportunities", "next4_target", "pipeline_coverage",
               "win_rate_count", "won_value_t4q", "average_deal_size", "sole_sourced_share", "wallet_estimate",
               "unaddressed_potential", "whitespace_flag", "nps_few", "nps_prior", "csat_n", "csat_prior",
               "target_quarters", "revenue_target_t4q"])
    # unknown, not "Greenfield a year ago", and the reason says what is known
    assert "No quadrant" in f.loc["A", "quadrant_reason"]
    assert f.loc["A", "revenue_buying_centers"] == 2  # revenue tells this one
    assert f.loc["A", "uncovered_buying_centers"] == ""  # no contacts: no buying center is claimed uncovered


def test_revenue_only_indicators_elements_and_portfolio(revenue_only):
    t = _tables(revenue_only)
    ind = t["leading_indicators"]
    # every indicator's table is missing: all unknown, in every quarter and over T4Q
    _empty(ind, [c for c in ind.columns if c not in ("account_id", "period")])
    el = t["element_scores"]
    _empty(el, ["score", "rag", "n_raters", "spread", "perception_gap", "previous_score", "change"])
    port = t["portfolio"].iloc[0]
    assert port["revenue_t4q"] == 3 * (150 + 80)
    assert math.isnan(port["revenue_prior4"]) and math.isnan(port["revenue_growth"])
    assert math.isnan(port["grr"]) and math.isnan(port["nrr"]) and not port["year_before_known"]
    assert port["data_start"] == "2025Q2"
    assert t["retention"].empty  # no quarter with a year before it in the data


def test_revenue_only_warnings_and_recommendations(revenue_only):
    w = revenue_only.warnings
    # growth is unknown: no "flat or falling"; contacts, surveys, opportunities: silent
    assert set(w["warning_id"]) == {"concentration_buying_center", "concentration_offering", "not_assessed"}
    assert set(w[w["warning_id"] == "not_assessed"]["account_id"]) == {"A", "B"}  # G is Greenfield
    r = revenue_only.recommendations
    # no objective measured by a table that was not supplied ("executives: 0 (median 0)")
    assert not r["because"].str.contains("no data|median 0|: 0 ").any()
    assert (r[r["account_id"] == "A"]["objective"].iloc[0]).startswith("Assess the account")


def test_revenue_and_opportunities(portfolio_dir):
    m = _model(portfolio_dir, {"accounts": ACCOUNTS, "revenue": revenue(2), "opportunities": OPPORTUNITIES})
    s = _tables(m)["account_summary"]
    assert s.loc["A", "open_pipeline"] == 300 and s.loc["B", "open_pipeline"] == 0  # known zeros stay zeros
    assert s.loc["A", "weighted_pipeline"] == 150
    _empty(s, ["decision_makers", "share_of_wallet", "nps", "nps_n"])
    f = _tables(m)["account_figures"]
    assert f.loc["B", "won_value_t4q"] == 200 and f.loc["B", "sole_sourced_share"] == 0
    _empty(f, ["whitespace_flag", "pipeline_coverage", "executives"])  # no wallet, no targets, no contacts
    ind = m.indicators.set_index(["account_id", "period"])
    # "never bought before" in the first quarter of the data (2025Q2) and over T4Q: unknown
    assert ind.loc[("A", "2025Q2"), "new_offerings_proposed"] != ind.loc[("A", "2025Q2"), "new_offerings_proposed"]
    assert math.isnan(ind.loc[("A", "T4Q"), "new_offerings_proposed"])
    # 2025Q4: A was offered Advisory in IT, but Advisory was bought before (in Finance): not new
    assert ind.loc[("A", "2025Q4"), "new_offerings_proposed"] == 0
    assert math.isnan(ind.loc[("A", "2025Q4"), "new_executives_met"])  # no contacts
    assert "comfort_zone" not in set(m.warnings["warning_id"])  # proposals unknown: the rule cannot judge


def test_history_starting_mid_year(portfolio_dir):
    # five quarters (2024Q4-2025Q4): T4Q is whole, the four quarters before it are not
    tables = {"accounts": ACCOUNTS, "revenue": revenue(4), "opportunities": OPPORTUNITIES, "contacts": CONTACTS,
              "surveys": SURVEYS, "assessment": ASSESSMENT, "targets": TARGETS}
    m = _model(portfolio_dir, tables)
    f = m.figures
    assert f.loc["A", "revenue_t4q"] == 600
    assert math.isnan(f.loc["A", "revenue_prior4"]) and math.isnan(f.loc["A", "revenue_growth"])
    assert f["previous_category"].isna().all()  # not "Greenfield a year ago"
    assert math.isnan(f.loc["A", "grr"]) and math.isnan(f.loc["A", "ltv"])
    # with targets, hygiene is still judged, and the complete index places the account
    assert f.loc["A", "hygiene_basis"] == "target" and f.loc["A", "quadrant"] == "Thriving"
    assert f.loc["B", "hygiene_basis"] == "none" and pd.isna(f.loc["B", "quadrant"])
    # with the first quarter outside T4Q, the indicators of T4Q are known
    ind = m.indicators.set_index(["account_id", "period"])
    assert ind.loc[("A", "T4Q"), "new_offerings_proposed"] == 0
    limits = data_limits(m.portfolio, quarter=m.quarter)
    assert any("growth against the year before" in n for n in limits)
    assert not any("hold only" in n for n in limits)  # T4Q is whole


def test_no_contacts(portfolio_dir):
    tables = {"accounts": ACCOUNTS, "revenue": revenue(8), "opportunities": OPPORTUNITIES, "surveys": SURVEYS,
              "assessment": ASSESSMENT, "targets": TARGETS}
    m = _model(portfolio_dir, tables)
    t = _tables(m)
    _empty(t["account_summary"], ["decision_makers"])
    _empty(t["account_figures"], ["executives", "advocates", "stakeholder_coverage"])
    ind = t["leading_indicators"]
    _empty(ind, ["new_executives_met", "advocates"])
    assert ind["new_proposals"].isna().all()  # no activities either
    ev = m.evidence.set_index(["account_id", "element"])
    assert ev.loc[("A", "relationships"), "evidence"].startswith("no data: supply contacts.csv")
    assert pd.isna(ev.loc[("A", "relationships"), "evidence_weak"])
    assert not {"single_threaded", "key_supporter_left", "no_executive_contact"} & set(m.warnings["warning_id"])
    # growth is known here (two years of data): the revenue rules judge it
    assert m.figures.loc["A", "revenue_growth"] == 0 and "revenue_flat_or_falling" in set(m.warnings["warning_id"])
    # no objective measured by contacts is recommended
    recs = m.recommendations
    assert not recs["because"].str.contains("executive contacts|decision makers:|advocates willing").any()


def test_no_surveys(portfolio_dir):
    tables = {"accounts": ACCOUNTS, "revenue": revenue(8), "contacts": CONTACTS, "assessment": ASSESSMENT}
    m = _model(portfolio_dir, tables)
    s = _tables(m)["account_summary"]
    _empty(s, ["nps", "nps_n", "csat"])
    _empty(_tables(m)["account_figures"], ["nps_few", "nps_prior", "csat_n", "csat_prior", "csat_top2_share"])
    assert s.loc["A", "decision_makers"] == 1 and s.loc["B", "decision_makers"] == 0  # known zero: contacts supplied
    ev = m.evidence.set_index(["account_id", "element"])
    assert ev.loc[("A", "delivery_quality"), "evidence"].startswith("no data: supply surveys.csv")
    # surveys supplied but none for B: a true zero answers, NPS empty
    m2 = _model(portfolio_dir, dict(tables, surveys=SURVEYS))
    s2 = _tables(m2)["account_summary"]
    assert s2.loc["B", "nps_n"] == 0 and math.isnan(s2.loc["B", "nps"])


def test_data_coverage_counts_rows_and_dates(portfolio_dir):
    p = load_portfolio(portfolio_dir({"accounts": ACCOUNTS, "revenue": revenue(2), "contacts": CONTACTS}))
    cov = data_coverage(p).set_index("table")
    assert cov.loc["revenue", "rows"] == 9 and (cov.loc["revenue", "first"], cov.loc["revenue", "last"]) == ("2025Q2", "2025Q4")
    assert cov.loc["contacts", "supplied"] and cov.loc["contacts", "last"] == "2025-11-01"
    assert not cov.loc["surveys", "supplied"] and pd.isna(cov.loc["surveys", "rows"])  # unknown, not 0 rows
    mine = data_coverage(p, account_id="B").set_index("table")
    assert mine.loc["revenue", "rows"] == 3 and mine.loc["contacts", "rows"] == 0 and mine.loc["accounts", "rows"] == 1
    limits = data_limits(p, quarter=Q)
    assert any("hold only 3 quarters" in n for n in limits)
    assert any("first quarter of the data" in n for n in limits)
    assert any("no wallet estimates" in n for n in limits)


def test_revenue_without_buying_centers_leaves_their_concentration_unknown(portfolio_dir):
    rows = [{k: v for k, v in r.items() if k != "buying_center"} for r in revenue(8)]
    m = _model(portfolio_dir, {"accounts": ACCOUNTS, "revenue": rows})
    f = m.figures
    assert math.isnan(f.loc["A", "hhi_buying_center"]) and math.isnan(f.loc["A", "revenue_buying_centers"])
    assert f.loc["A", "hhi_offering"] == pytest.approx(10000 * ((2 / 3) ** 2 + (1 / 3) ** 2))
    assert "concentration_buying_center" not in set(m.warnings["warning_id"])
    assert any("names no buying centers" in n for n in data_limits(m.portfolio, quarter=m.quarter))
