"""Recommendations and category objectives: which objectives follow from an account's
category, weakest elements, warnings and whitespace, each with the numbers behind it;
objectives.csv as client-changeable data."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.config import Settings
from kit.errors import InputError
from kit.figures.early_warnings import RULES
from kit.figures.recommendations import ELEMENT_ACTIONS, MEASURES, WARNING_ACTIONS, cross_sell_candidates
from kit.inputs.portfolio import load_portfolio
from kit.inputs.resources import load_default_objectives
from kit.periods import parse_period, quarter_label
from kit.schema import CATEGORIES, ELEMENT_IDS, OBJECTIVE_MEASURES

Q = parse_period("2025Q4")


def rev(acc, q, amount, bc, off):
    return {"account_id": acc, "period": quarter_label(q), "amount": str(amount), "buying_center": bc, "offering": off}


# --- the rule tables are complete --------------------------------------------------------
def test_every_warning_and_element_has_an_action():
    assert set(WARNING_ACTIONS) == {r.id for r in RULES}
    assert set(ELEMENT_ACTIONS) == set(ELEMENT_IDS)
    assert set(MEASURES) == set(OBJECTIVE_MEASURES)


def test_default_objectives_cover_every_category_with_a_measure():
    obj = load_default_objectives()
    assert set(obj["category"]) == set(CATEGORIES)
    for cat in CATEGORIES:
        mine = obj[obj["category"] == cat]
        assert 3 <= len(mine) <= 6, cat
        # seed 000: goals beyond revenue (relationships, referenceability, deal size, breadth)
        assert mine["theme"].isin(["relationships", "referenceability", "deal_size", "breadth"]).any()
    assert obj["measure"].dropna().isin(OBJECTIVE_MEASURES).all()


# --- a client's objectives.csv ------------------------------------------------------------
def _base() -> dict:
    return {"accounts": [{"account_id": "A", "account_name": "A"}], "revenue": [rev("A", Q, 100, "Finance", "Advisory")]}


def test_client_objectives_replace_the_categories_they_name(portfolio_dir):
    t = _base() | {"objectives": [
        {"category": "beachhead", "theme": "deal_size", "objective": "Double the deal size", "measure": "average_deal_size"},
        {"category": "Beachhead", "objective": "Meet the CFO"},
    ]}
    obj = load_portfolio(portfolio_dir(t)).table("objectives")
    beach = obj[obj["category"] == "Beachhead"]
    assert beach["objective"].tolist() == ["Double the deal size", "Meet the CFO"]  # the kit's Beachhead rows are gone
    default = load_default_objectives()
    for cat in ("Strategic", "Core", "Greenfield"):  # untouched categories keep the kit's objectives
        assert obj[obj["category"] == cat]["objective"].tolist() == default[default["category"] == cat]["objective"].tolist()


def test_bad_objectives_file_lists_every_problem(portfolio_dir):
    t = _base() | {"objectives": [
        {"category": "Platinum", "theme": "deal_size", "objective": "x", "measure": "average_deal_size"},
        {"category": "Core", "theme": "vibes", "objective": "", "measure": "happiness"},
    ]}
    with pytest.raises(InputError) as exc:
        load_portfolio(portfolio_dir(t))
    text = str(exc.value)
    for part in ("objectives.csv", "row 2", "category", "Platinum", "row 3", "theme", "vibes", "objective",
                 "measure", "happiness"):
        assert part in text, part


# --- cross-sell whitespace ------------------------------------------------------------------
def _cross_tables() -> dict:
    rows = [rev("A", Q - 1, 500, "Finance", "Advisory"), rev("A", Q - 1, 300, "Finance", "Cloud"),
            rev("A", Q, 200, "IT", "Advisory"), rev("A", Q, 900, "HR", "Training"),
            rev("A", Q, 50, "Unspecified", "Support"), rev("A", Q - 14, 10, "Legal", "Cloud")]
    opps = [{"account_id": "A", "opportunity_id": "o1", "stage": "proposal", "amount": "10", "probability": "0.5",
             "buying_center": "IT", "offering": "Cloud"}]
    return {"accounts": [{"account_id": "A", "account_name": "A"}], "revenue": rows, "opportunities": opps}


def test_cross_sell_candidates(portfolio_dir):
    p = load_portfolio(portfolio_dir(_cross_tables()))
    c = cross_sell_candidates(p.table("revenue"), p.table("opportunities"), ["A"], quarter=Q,
                              as_of=pd.Timestamp("2025-12-31"))
    got = list(zip(c["buying_center"], c["offering"]))
    # HR (900 in T4Q) first; IT already has Cloud in pipeline; Unspecified and the Legal
    # purchase outside 12 quarters name nothing to sell
    assert got == [("HR", "Advisory"), ("HR", "Cloud"), ("Finance", "Training"), ("IT", "Training")]
    assert c.iloc[0]["bought_by"] == "Finance, IT" and c.iloc[0]["bc_revenue_t4q"] == 900


# --- ranked recommendations on a whole model --------------------------------------------------
@pytest.fixture(scope="module")
def model(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model

    t = _cross_tables()
    t["accounts"] = [{"account_id": "A", "account_name": "A", "wallet_estimate": "100000"},
                     {"account_id": "B", "account_name": "B"}]
    t["revenue"] = t["revenue"] + [rev("B", q, 1000, bc, "Advisory") for q in range(Q - 3, Q + 1)
                                   for bc in ("Finance", "IT", "HR", "Legal", "Sales")]
    t["assessment"] = [{"account_id": "A", "assessed_on": "2025-11-01", "rater": "r", "element": e,
                        "score": {"pipeline_health": "1", "brand_marketing": "3"}.get(e, "4")} for e in ELEMENT_IDS]
    t["contacts"] = [{"account_id": "A", "contact_id": "c", "level": "executive", "buying_center": "HR",
                      "role": "decision_maker", "active": "true", "last_contact": "2025-11-01"}]
    folder = tables_writer(tmp_path_factory.mktemp("rec") / "data", t)
    return build_model(load_portfolio(folder), Settings(max_recommendations=12), as_of="2025-12-31")


def test_recommendations_rank_and_cite_their_numbers(model):
    r = model.recommendations
    a = r[r["account_id"] == "A"].reset_index(drop=True)
    assert a["rank"].tolist() == list(range(1, len(a) + 1)) and 3 <= len(a) <= 12
    assert a["priority"].is_monotonic_decreasing
    # each source gets a say: warning, element, whitespace and category all appear
    assert set(a["source"]) == {"warning", "element", "whitespace", "category"}
    first = a.iloc[0]
    # a high-severity warning (single-threaded) ranks first, citing its numbers
    assert (first["source"], first["ref"]) == ("warning", "single_threaded")
    assert "1 active decision maker: single-threaded" in first["because"]
    # the action asks for what is missing: one more decision maker, not "two more"
    assert first["objective"] == "Multi-thread the account: win 1 more decision maker, for at least 2 active (1 today)"
    el = a[a["source"] == "element"]
    assert el["ref"].tolist() == ["pipeline_health", "brand_marketing"]  # red before amber, weakest first
    assert "Pipeline Health scored 0 of 100 (red)" in el.iloc[0]["because"]
    assert "Our Brand, Marketing and Communications scored 50 of 100 (amber)" in el.iloc[1]["because"]
    cat = a[a["source"] == "category"]
    assert len(cat) >= 1 and (cat["ref"] == model.figures.loc["A", "category"]).all()
    assert "portfolio median" in cat.iloc[0]["because"]


def test_whitespace_recommendation_names_the_cell(model):
    r = model.recommendations
    ws = r[(r["account_id"] == "A") & (r["source"] == "whitespace")]
    assert ws["objective"].tolist() == ["Cross-sell Advisory into HR"]
    assert "Advisory is bought by Finance, IT; HR brought 900 in T4Q" in ws.iloc[0]["because"]


def test_every_account_gets_at_least_one_category_objective(model):
    r = model.recommendations
    for acc in model.figures.index:
        mine = r[r["account_id"] == acc]
        assert (mine["source"] == "category").any(), acc
    b = r[r["account_id"] == "B"]
    assert set(b["ref"][b["source"] == "category"]) == {model.figures.loc["B", "category"]}


def test_max_recommendations_is_respected(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model

    folder = tables_writer(tmp_path_factory.mktemp("rec2") / "data", _cross_tables())
    m = build_model(load_portfolio(folder), Settings(max_recommendations=2), as_of="2025-12-31")
    r = m.recommendations
    # the two best candidates of different sources, by priority
    assert len(r) == 2 and r["source"].nunique() == 2 and r["priority"].is_monotonic_decreasing


# --- every recommendation checks its precondition -------------------------------------------
def _pre_tables() -> dict:
    """Four Core accounts (Finance and IT, every quarter), each tripping one precondition."""
    rows = [rev(a, q, 100, bc, "Advisory") for a in ("DM0", "DM1", "EXEC", "NOEXEC")
            for q in range(Q - 7, Q + 1) for bc in ("Finance", "IT")]

    def contact(acc, cid, **kw):
        return {"account_id": acc, "contact_id": cid, "active": "true", "first_met": "2020-01-01"} | kw

    contacts = [
        contact("DM1", "d", role="decision_maker", level="senior", last_contact="2025-11-01"),
        # EXEC: two executives, both lapsed (last contact a year ago): meet them again
        contact("EXEC", "e1", level="executive", role="influencer", last_contact="2024-12-01"),
        contact("EXEC", "e2", level="executive", role="influencer", last_contact="2024-12-01"),
        contact("NOEXEC", "m", level="manager", role="user", last_contact="2025-11-01"),
    ]
    accounts = [{"account_id": a, "account_name": a} for a in ("DM0", "DM1", "EXEC", "NOEXEC")]
    return {"accounts": accounts, "revenue": rows, "contacts": contacts}


@pytest.fixture(scope="module")
def pre_model(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model

    folder = tables_writer(tmp_path_factory.mktemp("pre") / "data", _pre_tables())
    return build_model(load_portfolio(folder), Settings(max_recommendations=12), as_of="2025-12-31")


def _actions(model, acc) -> dict[str, str]:
    """Warning id -> its action, for one account."""
    r = model.recommendations
    mine = r[r["account_id"] == acc]
    return dict(zip(mine["ref"], mine["objective"]))


def test_single_threaded_asks_only_for_the_missing_decision_makers(pre_model):
    assert _actions(pre_model, "DM0")["single_threaded"] == (
        "Multi-thread the account: win 2 decision makers, for at least 2 active (0 today)")
    assert _actions(pre_model, "DM1")["single_threaded"] == (
        "Multi-thread the account: win 1 more decision maker, for at least 2 active (1 today)")


def test_executive_sponsor_only_where_none_is_active(pre_model):
    # EXEC has two active executives it has not met lately: meet them, not "find a sponsor"
    assert _actions(pre_model, "EXEC")["no_executive_contact"].startswith("Meet an executive contact again this quarter")
    assert _actions(pre_model, "NOEXEC")["no_executive_contact"].startswith("Find and meet an executive sponsor")


def test_an_objective_already_met_is_shown_as_met_and_not_recommended(pre_model):
    from kit.figures.recommendations import objective_status

    st = objective_status(pre_model.figures, pre_model.portfolio.table("objectives"), supplied=set(pre_model.portfolio.tables))
    execs = st[st["objective"] == "Build deeper relationships with senior executives"].set_index("account_id")
    # Core objective met at 2 active executives: EXEC has 2, the others none
    assert execs.loc["EXEC", "status"] == "met" and "met at 2" in execs.loc["EXEC", "because"]
    assert execs.loc["NOEXEC", "status"] == "open"
    r = pre_model.recommendations
    assert "Build deeper relationships with senior executives" not in r[r["account_id"] == "EXEC"]["objective"].tolist()
    assert "Build deeper relationships with senior executives" in r[r["account_id"] == "NOEXEC"]["objective"].tolist()
    # no opportunities.csv: a deal-size objective cannot be measured, so it is not recommended
    deal = st[st["objective"] == "Win an enterprise-wide agreement"]
    assert (deal["status"] == "no data").all() and deal["because"].str.contains("needs opportunities.csv").all()
    assert not pre_model.recommendations["objective"].eq("Win an enterprise-wide agreement").any()


def test_a_weak_element_with_strong_data_asks_for_a_review_not_for_more(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model

    t = _pre_tables()
    # DM1 rates Robustness of Our Relationships red (25); the data: 2 buying centers, both
    # with an active executive, 2 decision makers: strong.  NOEXEC rates it red too, and its
    # data are weak (no executive, no decision maker): it gets the action.
    t["contacts"] += [
        {"account_id": "DM1", "contact_id": "x1", "level": "executive", "buying_center": "Finance",
         "role": "decision_maker", "active": "true", "last_contact": "2025-11-01"},
        {"account_id": "DM1", "contact_id": "x2", "level": "executive", "buying_center": "IT",
         "role": "influencer", "active": "true", "last_contact": "2025-11-01"},
    ]
    t["assessment"] = [{"account_id": a, "assessed_on": "2025-11-15", "rater": "r", "element": e,
                        "score": "2" if e == "relationships" else "5"} for a in ("DM1", "NOEXEC") for e in ELEMENT_IDS]
    folder = tables_writer(tmp_path_factory.mktemp("pre2") / "data", t)
    m = build_model(load_portfolio(folder), Settings(max_recommendations=12), as_of="2025-12-31")
    r = m.recommendations.set_index(["account_id", "ref"])
    strong = r.loc[("DM1", "relationships")]
    assert strong["objective"].startswith("Review the Robustness of Our Relationships rating with the team")
    assert "the data: 2 of 2 buying centers with revenue have an active executive contact" in strong["because"]
    assert r.loc[("NOEXEC", "relationships"), "objective"] == ELEMENT_ACTIONS["relationships"]


def test_cross_sell_without_opportunities_does_not_claim_it_was_never_offered(tmp_path_factory, tables_writer):
    from kit.figures.model import build_model

    t = _cross_tables()
    del t["opportunities"]
    folder = tables_writer(tmp_path_factory.mktemp("pre3") / "data", t)
    m = build_model(load_portfolio(folder), Settings(max_recommendations=12), as_of="2025-12-31")
    ws = m.recommendations[m.recommendations["source"] == "whitespace"].iloc[0]
    assert "not bought" in ws["because"] and "been offered" not in ws["because"].replace("whether it was offered", "")


def test_not_assessed_asks_for_the_assessment_first(pre_model):
    r = pre_model.recommendations
    first = r[r["account_id"] == "DM0"].iloc[0]
    # high warnings (90) outrank it; it outranks the medium ones (60) and the category (40, 55)
    assert "not_assessed" in set(r[r["account_id"] == "DM0"]["ref"])
    na = r[(r["account_id"] == "DM0") & (r["ref"] == "not_assessed")].iloc[0]
    assert na["objective"] == "Assess the account: hold the ten-element workshop with the account team"
    assert na["priority"] == 85 and first["priority"] >= 85
