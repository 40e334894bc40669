"""Early warnings: every rule of domain.md fires on an account built to trip it, with the
numbers that fired it and the threshold in use, and stays silent on a healthy account."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.early_warnings import RULES
from kit.periods import parse_period, quarter_label
from kit.schema import ELEMENT_IDS

Q = parse_period("2025Q4")  # analysis quarter: as_of 2025-12-31
ALL_IDS = [r.id for r in RULES]


def rev(acc, q, amount, bc, off):
    return {"account_id": acc, "period": quarter_label(q), "amount": str(amount), "buying_center": bc, "offering": off}


def _tables() -> dict:
    rows = []
    bcs = ["Finance", "IT", "HR", "Legal", "Sales"]
    offers = ["Advisory", "Cloud", "Training", "Analytics", "Support"]
    for q in range(Q - 7, Q + 1):
        grow = 100 if q <= Q - 4 else 120
        for bc, off in zip(bcs, offers):  # OK: 5 equal buying centers and offerings, growing
            rows.append(rev("OK", q, grow, bc, off))
        rows.append(rev("W", q, 100 if q <= Q - 4 else 80, "Finance", "Advisory"))  # W: one pair, falling
    rows.append(rev("OK", Q, 30, "Finance", "Cloud"))  # crop rotation in T4Q: out of the comfort zone
    contacts = [
        {"account_id": "OK", "contact_id": "c1", "name": "Ada", "level": "executive", "buying_center": "Finance",
         "role": "decision_maker", "advocate": "true", "last_contact": "2025-11-01", "active": "true"},
        {"account_id": "OK", "contact_id": "c2", "name": "Bo", "level": "senior", "buying_center": "IT",
         "role": "decision_maker", "advocate": "false", "last_contact": "2025-10-01", "active": "true"},
        {"account_id": "W", "contact_id": "c3", "name": "Cy", "level": "manager", "buying_center": "Finance",
         "role": "decision_maker", "advocate": "false", "last_contact": "2025-10-01", "active": "true"},
        {"account_id": "W", "contact_id": "c4", "name": "Dee Supporter", "level": "senior", "buying_center": "Finance",
         "role": "influencer", "advocate": "true", "last_contact": "2025-06-01", "active": "false"},
    ]
    opportunities = [
        {"account_id": "OK", "opportunity_id": "o1", "created_on": "2025-10-01", "close_date": "2026-03-31",
         "stage": "proposal", "amount": "500", "probability": "0.5", "buying_center": "HR", "offering": "Cloud",
         "competitive": "false"},
        {"account_id": "OK", "opportunity_id": "o2", "created_on": "2025-02-01", "close_date": "2025-06-30",
         "stage": "won", "amount": "200", "probability": "1", "buying_center": "IT", "offering": "Cloud", "competitive": "false"},
        {"account_id": "W", "opportunity_id": "o3", "created_on": "2025-09-01", "close_date": "2026-06-30",
         "stage": "qualify", "amount": "1000", "probability": "0.2", "buying_center": "Finance", "offering": "Advisory",
         "competitive": "true"},
        {"account_id": "W", "opportunity_id": "o4", "created_on": "2025-01-15", "close_date": "2025-05-30",
         "stage": "won", "amount": "300", "probability": "1", "buying_center": "Finance", "offering": "Advisory",
         "competitive": "true"},
    ]
    surveys = ([{"account_id": "OK", "date": d, "survey": "nps", "score": "9"} for d in ("2024-06-01", "2025-06-01")]
               + [{"account_id": "W", "date": "2024-06-01", "survey": "nps", "score": "10"} for _ in range(5)]
               + [{"account_id": "W", "date": "2025-06-01", "survey": "nps", "score": "0"} for _ in range(5)]
               + [{"account_id": "W", "date": "2024-06-01", "survey": "csat", "score": "5"},
                  {"account_id": "W", "date": "2025-06-01", "survey": "csat", "score": "3"}])
    assessment = []
    for acc, date in (("OK", "2025-11-15"), ("W", "2025-03-01")):
        for rater, role in (("r1", "account_team"), ("r2", "leadership")):
            for e in ELEMENT_IDS:
                score = "3.5" if acc == "OK" else "4"
                if acc == "W" and e == "client_understanding":
                    score = "1" if rater == "r1" else "5"  # spread 4 points: raters disagree
                if acc == "W" and e == "relationships":
                    score = "5"  # green, but one decision maker and no executive: evidence weak
                assessment.append({"account_id": acc, "assessed_on": date, "rater": rater, "rater_role": role,
                                   "element": e, "score": score})
    activities = [{"account_id": "OK", "date": "2025-12-01", "type": "executive_meeting"}]
    return {
        "accounts": [{"account_id": "OK", "account_name": "Healthy", "wallet_estimate": "700"},
                     {"account_id": "W", "account_name": "Worrying", "wallet_estimate": "1000000"}],
        "revenue": rows, "contacts": contacts, "opportunities": opportunities, "surveys": surveys,
        "assessment": assessment, "activities": activities,
    }


@pytest.fixture(scope="module")
def fired(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model
    from kit.inputs.portfolio import load_portfolio

    folder = tables_writer(tmp_path_factory.mktemp("warn") / "data", _tables())
    model = build_model(load_portfolio(folder), Settings(), as_of="2025-12-31")
    return model, model.warnings.set_index(["account_id", "warning_id"])["message"]


#: W's warnings, most serious first: high, then medium by the revenue at risk (all 320:
#: W's whole T4Q revenue, and its one buying center and offering), then low; ties in rule order
W_ORDER = ["single_threaded", "key_supporter_left", "no_executive_contact", "concentration_buying_center",
           "concentration_offering", "comfort_zone", "whitespace_vs_pipeline", "revenue_flat_or_falling",
           "nps_csat_decline", "rated_well_evidence_weak", "competitive_pressure", "raters_disagree", "stale_assessment"]


def test_every_rule_fires_on_the_worrying_account(fired):
    model, _msg = fired
    got = model.warnings[model.warnings["account_id"] == "W"]["warning_id"].tolist()
    assert got == W_ORDER  # every rule but not_assessed (W is assessed), most serious first
    assert set(got) == set(ALL_IDS) - {"not_assessed"}
    w = model.warnings[model.warnings["account_id"] == "W"]
    assert (w["revenue_at_risk"] == 320).all() and w["title"].str.contains("_").sum() == 0


def test_no_rule_fires_on_the_healthy_account(fired):
    model, _ = fired
    assert model.warnings[model.warnings["account_id"] == "OK"].empty
    assert model.figures.loc["OK", "warnings"] == ""
    assert model.figures.loc["W", "warnings"] == ";".join(W_ORDER)
    assert model.figures.loc["W", "n_warnings"] == 13


@pytest.mark.parametrize("wid, parts", [
    ("concentration_buying_center", ["all T4Q revenue (320) comes from one buying center, 'Finance'",
                                     "HHI 10,000; flag at 5,000 or a top share of 60%"]),
    ("concentration_offering", ["one offering, 'Advisory'", "HHI 10,000"]),
    ("single_threaded", ["1 active decision maker:", "(flag at 1 or fewer)"]),
    ("key_supporter_left", ["1 key supporter (advocate", "Dee Supporter"]),
    ("comfort_zone", ["T4Q revenue 320", "0 new-offering proposals"]),
    ("whitespace_vs_pipeline", ["unaddressed potential 999,680", "3x the open pipeline 1,000"]),
    ("revenue_flat_or_falling", ["T4Q revenue 320 (2025Q1-2025Q4) is -20.0% against 400",
                                 "(2024Q1-2024Q4; flag at 0% or less)"]),
    ("no_executive_contact", ["last 2 quarters (2025Q3-2025Q4)"]),
    # NPS "from what period": both periods and both n named
    ("nps_csat_decline", ["NPS -100 in 2025Q1-2025Q4 (n=5), from 100 in 2024Q1-2024Q4 (n=5; flag at a drop of 10 points)",
                          "CSAT 3.00 in 2025Q1-2025Q4 (n=1), from 5.00 in 2024Q1-2024Q4 (n=1; flag at a drop of 0.3)"]),
    ("raters_disagree", ["spread of 1.5 points or more) on 1 element:", "Client Understanding"]),
    ("rated_well_evidence_weak", ["score >= 70", "Robustness of Our Relationships"]),
    ("stale_assessment", ["2025-03-01 is 3 quarters old", "(stale after 2)"]),
    ("competitive_pressure", ["only 0% of the 300 won", "(flag below 20%)"]),
])
def test_messages_carry_the_numbers_and_the_threshold(fired, wid, parts):
    _, msg = fired
    text = msg[("W", wid)]
    for part in parts:
        assert part in text, (wid, text)


def test_rules_have_stable_unique_ids_and_known_severities():
    assert len(set(ALL_IDS)) == len(ALL_IDS) == 14
    assert {r.severity for r in RULES} <= {"high", "medium", "low"}
    for r in RULES:  # names and thresholds a reader sees: words, never ids or setting keys
        assert "_" not in r.title and "_" not in r.threshold_text(Settings()), r.id
        assert set(r.keys) <= set(Settings.model_fields), r.id


def test_threshold_text_uses_the_settings_in_use():
    s = Settings(hhi_flag=3000, top_share_flag=0.5, stale_assessment_quarters=4)
    by_id = {r.id: r for r in RULES}
    assert by_id["concentration_buying_center"].threshold_text(s).startswith("HHI >= 3,000 or top share >= 50%")
    assert "older than 4 quarters" in by_id["stale_assessment"].threshold_text(s)
    for rule in RULES:  # every template formats with the defaults
        assert "{" not in rule.threshold_text(Settings())


def test_thresholds_from_config_change_what_fires(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model
    from kit.inputs.portfolio import load_portfolio

    folder = tables_writer(tmp_path_factory.mktemp("warn2") / "data", _tables())
    s = Settings(stale_assessment_quarters=3, single_threaded_max=0, sole_sourced_min=0.0)
    model = build_model(load_portfolio(folder), s, as_of="2025-12-31")
    got = set(model.warnings[model.warnings["account_id"] == "W"]["warning_id"])
    assert {"stale_assessment", "single_threaded", "competitive_pressure"}.isdisjoint(got)
    assert "concentration_buying_center" in got


def test_rules_stay_silent_without_their_tables(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model
    from kit.inputs.portfolio import load_portfolio

    t = _tables()
    only = {k: t[k] for k in ("accounts", "revenue", "activities")}
    folder = tables_writer(tmp_path_factory.mktemp("warn3") / "data", only)
    model = build_model(load_portfolio(folder), Settings(), as_of="2025-12-31")
    got = set(model.warnings["warning_id"])
    # revenue rules fire; contact, survey, opportunity and assessment rules need their tables,
    # except no_executive_contact which activities alone can answer; not_assessed fires on
    # every account with T4Q revenue and no scored assessment, the more so without any
    assert got == {"concentration_buying_center", "concentration_offering", "revenue_flat_or_falling", "no_executive_contact",
                   "not_assessed"}
    assert set(model.warnings[model.warnings["warning_id"] == "not_assessed"]["account_id"]) == {"OK", "W"}
    assert set(model.warnings[model.warnings["warning_id"] == "no_executive_contact"]["account_id"]) == {"W"}


# --- not_assessed, and the order of the warnings ---------------------------------------------
def test_not_assessed_fires_on_every_revenue_account_without_a_scored_assessment(model_of):
    q = quarter_label(Q)
    rows = [{"account_id": a, "period": q, "amount": amt} for a, amt in (("BIG", "900"), ("SMALL", "100"), ("PART", "50"))]
    rows.append({"account_id": "NONE", "period": quarter_label(Q - 4), "amount": "100"})  # none in T4Q
    rows.append({"account_id": "NONE", "period": quarter_label(Q - 4), "amount": "-100"})
    accounts = [{"account_id": a, "account_name": a} for a in ("BIG", "SMALL", "PART", "NONE", "GREEN")]
    # PART has an incomplete index (two elements): scored, so not "not assessed"
    assessment = [{"account_id": "PART", "assessed_on": "2025-11-15", "rater": "r", "element": e, "score": "3"}
                  for e in ELEMENT_IDS[:2]]
    m = model_of({"accounts": accounts, "revenue": rows, "assessment": assessment}, as_of="2025-12-31")
    na = m.warnings[m.warnings["warning_id"] == "not_assessed"]
    assert list(na["account_id"]) == ["BIG", "SMALL"]
    assert na.iloc[0]["message"].startswith("Beachhead account with T4Q revenue 900 and no scored assessment on record")
    assert list(na["revenue_at_risk"]) == [900.0, 100.0]


def test_warnings_are_ordered_by_severity_then_revenue_at_risk():
    from kit.figures.early_warnings import order_warnings

    w = pd.DataFrame({"account_id": ["a", "a", "a", "b", "b"],
                      "warning_id": ["raters_disagree", "not_assessed", "single_threaded", "comfort_zone", "concentration_offering"],
                      "severity": ["low", "medium", "high", "medium", "medium"],
                      "message": [""] * 5, "title": [""] * 5, "revenue_at_risk": [900.0, 900.0, 900.0, 50.0, 2000.0]})
    per_account = order_warnings(w)
    assert list(zip(per_account["account_id"], per_account["warning_id"])) == [
        ("a", "single_threaded"), ("a", "not_assessed"), ("a", "raters_disagree"),
        ("b", "concentration_offering"), ("b", "comfort_zone")]
    across = order_warnings(w, by_account=False)
    assert list(across["warning_id"]) == ["single_threaded", "concentration_offering", "not_assessed", "comfort_zone",
                                          "raters_disagree"]
