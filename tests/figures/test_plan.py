"""Planning outputs: the Account Development Plan (goals, stakeholder plan, actions, the
editable workbook) and the client-safe QBR view."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from kit.config import Settings
from kit.figures.model import build_model
from kit.figures.plan import ACTION_ROWS, account_plan, qbr_view, stakeholder_plan, write_plan
from kit.inputs.portfolio import load_portfolio
from kit.periods import parse_period, quarter_label
from kit.schema import ELEMENT_IDS

Q = parse_period("2025Q4")


def rev(acc, q, amount, bc, off):
    return {"account_id": acc, "period": quarter_label(q), "amount": str(amount), "buying_center": bc, "offering": off}


TABLES = {
    "accounts": [{"account_id": "A", "account_name": "Acme <b>&</b>"}],
    "revenue": ([rev("A", q, 100, "Finance", "Advisory") for q in range(Q - 7, Q + 1)]
                + [rev("A", Q, 300, "IT", "Cloud"), rev("A", Q, 50, "HR", "Advisory"), rev("A", Q - 1, 40, "IT", "Advisory")]),
    "contacts": [
        # Finance: an executive decision maker, last met long ago -> reconnect
        {"account_id": "A", "contact_id": "c1", "name": "Fay Exec", "title": "CFO", "level": "executive",
         "buying_center": "Finance", "role": "decision_maker", "active": "true", "last_contact": "2024-05-01"},
        # IT: only a senior contact -> an executive sponsor, introduced by Sam
        {"account_id": "A", "contact_id": "c2", "name": "Sam Senior", "level": "senior", "buying_center": "IT",
         "role": "influencer", "active": "true", "last_contact": "2025-11-01"},
        # HR: an advocate who left in T4Q -> a successor
        {"account_id": "A", "contact_id": "c3", "name": "Hal Gone", "level": "manager", "buying_center": "HR",
         "role": "coach", "advocate": "true", "active": "false", "last_contact": "2025-07-01"},
    ],
    "opportunities": [
        {"account_id": "A", "opportunity_id": "w1", "stage": "won", "amount": "250", "close_date": "2025-09-15",
         "buying_center": "IT", "offering": "Cloud", "competitive": "true"},
        {"account_id": "A", "opportunity_id": "w0", "stage": "won", "amount": "999", "close_date": "2024-01-15",
         "buying_center": "IT", "offering": "Cloud"},  # before the last four quarters
    ],
    "assessment": [
        {"account_id": "A", "assessed_on": "2025-11-01", "rater": "Rita Rater", "rater_role": "account_team",
         "element": e, "score": {"relationships": "1", "pipeline_health": "2.6"}.get(e, "4"),
         "comment": "secret note" if e == "relationships" else ""} for e in ELEMENT_IDS
    ] + [{"account_id": "A", "assessed_on": "2025-05-01", "rater": "Rita Rater", "element": e, "score": "3"} for e in ELEMENT_IDS],
    "surveys": ([{"account_id": "A", "date": "2024-06-01", "survey": "nps", "score": "10"}] * 5
                + [{"account_id": "A", "date": "2025-06-01", "survey": "nps", "score": "3"}] * 5),
}


@pytest.fixture(scope="module")
def model(tmp_path_factory, tables_writer):
    folder = tables_writer(tmp_path_factory.mktemp("plan") / "data", TABLES)
    return build_model(load_portfolio(folder), Settings(), as_of="2025-12-31")


def test_stakeholder_plan_rules(model):
    sp = stakeholder_plan(model, "A")
    who = dict(zip(sp["who"], sp["buying_center"]))
    # (1) IT has revenue and no executive: a sponsor, introduced by the senior contact there
    assert who["an executive sponsor; ask Sam Senior for an introduction"] == "IT"
    # HR has revenue and no contact at all
    assert who["an executive sponsor (no contact there yet)"] == "HR"
    # (2) the advocate who left needs a successor
    assert who["a successor to Hal Gone"] == "HR"
    # (4) an executive not met within 2 quarters
    assert who["Fay Exec, CFO"] == "Finance"
    assert sp["priority"].tolist() == list(range(1, len(sp) + 1))
    assert (sp["owner"] == "").all() and (sp["due"] == "").all()  # left to fill
    # (3) single-threaded (1 decision maker): a decision maker where revenue has none, largest first
    dm = sp[sp["who"] == "a decision maker"]["buying_center"].tolist()
    assert dm == ["IT", "HR"]


def test_account_plan_goals_are_the_recommendations(model):
    p = account_plan(model, "A")
    rec = model.recommendations[model.recommendations["account_id"] == "A"]
    assert p.goals["goal"].tolist() == rec["objective"].tolist()
    assert p.goals["why"].tolist() == rec["because"].tolist()
    assert len(p.actions) == ACTION_ROWS and (p.actions == "").all().all()


def test_plan_workbook_is_editable(model, tmp_path):
    p = account_plan(model, "A")
    path = write_plan(p, tmp_path / "plans" / "A.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Goals", "Stakeholders", "Actions"]
    goals = wb["Goals"]
    assert "Acme <b>&</b> (A)" in goals["A1"].value  # plain text in a workbook, not HTML
    assert [c.value for c in goals[2]] == ["Goal", "Why", "Source", "Owner", "Due", "Status"]
    assert goals.cell(row=3, column=1).value == p.goals["goal"].iloc[0]
    dv = goals.data_validations.dataValidation
    assert len(dv) == 1 and "in progress" in dv[0].formula1
    assert not list(tmp_path.glob("plans/.*.tmp"))  # written to a temporary name, then moved


def test_qbr_view_is_client_safe(model):
    q = qbr_view(model, "A")
    text = " ".join(q.partnership + q.challenges + q.next_steps) + q.progress.to_string() + q.wins.to_string()
    for internal in ("Rita Rater", "secret note", "competitive", "single", "warning", "Strategic", "Core", "Beachhead"):
        assert internal not in text, internal
    assert "competitive" not in q.wins.columns
    assert q.wins["amount"].tolist() == [250.0]  # the win of the last four quarters only
    assert any("Robustness of Our Relationships is rated 0 of 100" in c for c in q.challenges)
    assert any("NPS -100 against 100" in c for c in q.challenges)
    prog = q.progress.set_index("measure")
    assert prog.loc["Revenue in the quarter", "latest"] == 450 and prog.loc["Revenue in the quarter", "previous"] == 140
    assert prog.loc["Assessment health index (0-100)", "previous"] == pytest.approx(50.0)
    assert q.next_steps[0] == "Set up regular meetings between your leaders and ours"
    assert "Working together since at least" in q.partnership[0]


def test_qbr_view_revenue_of_a_quarter_before_the_data_is_unknown_not_zero(tmp_path, tables_writer):
    # the revenue data start in the analysis quarter: the quarter before is outside the data
    tables = {"accounts": [{"account_id": "A", "account_name": "Acme"}, {"account_id": "B", "account_name": "Beta"}],
              "revenue": [rev("A", Q, 300, "IT", "Cloud"), rev("B", Q, 10, "IT", "Cloud")]}
    m = build_model(load_portfolio(tables_writer(tmp_path / "data", tables)), Settings(), as_of="2025-12-31")
    prog = qbr_view(m, "A").progress.set_index("measure")
    row = prog.loc["Revenue in the quarter"]
    assert row["latest"] == 300
    assert pd.isna(row["previous"]) and pd.isna(row["change"])  # unknown, never 0 (nor a change of +300)


def test_qbr_view_revenue_of_a_quarter_without_revenue_inside_the_data_is_zero(tmp_path, tables_writer):
    # B started in the analysis quarter, but the data reach back: its quarter before is a known 0
    tables = {"accounts": [{"account_id": "A", "account_name": "Acme"}, {"account_id": "B", "account_name": "Beta"}],
              "revenue": [rev("A", Q - 1, 100, "IT", "Cloud"), rev("A", Q, 300, "IT", "Cloud"), rev("B", Q, 10, "IT", "Cloud")]}
    m = build_model(load_portfolio(tables_writer(tmp_path / "data", tables)), Settings(), as_of="2025-12-31")
    row = qbr_view(m, "B").progress.set_index("measure").loc["Revenue in the quarter"]
    assert row["previous"] == 0 and row["latest"] == 10 and row["change"] == 10
