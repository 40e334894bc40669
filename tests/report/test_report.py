"""Report sections: the right account, escaped text, audience rules, numbers shown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.errors import UsageError
from kit.report import AccountReport, PortfolioReport, resolve_account_id
from kit.report.blocks import esc
from kit.report.formats import headline_figures_in_words


@pytest.fixture(scope="module")
def data(synth_portfolio) -> Path:
    return synth_portfolio(6, 2)


@pytest.fixture(scope="module")
def report(data) -> AccountReport:
    return AccountReport.load(data, None)


def test_default_account_is_the_first_and_said_so(report, data):
    first = pd.read_csv(data / "accounts.csv", dtype=str)["account_id"][0]
    assert report.account_id == first
    assert "No account_id given" in report.header().html


def test_numeric_account_id_from_papermill_cli_is_matched(report):
    ids = [i for i in report.model.figures.index if i.isdigit()]
    assert ids, "the sample should hold a zero-padded numeric id"
    assert resolve_account_id(report.model, int(ids[0])) == ids[0]
    with pytest.raises(UsageError, match="-r account_id"):
        resolve_account_id(report.model, "NOPE")


def test_bad_audience_names_the_valid_values(data):
    with pytest.raises(UsageError, match=r"\['internal', 'client'\]"):
        AccountReport.load(data, None, audience="board")


def test_assessment_section_shows_scores_and_flags(report):
    m = report.model
    for acc in m.figures.index:
        r = AccountReport(model=m, account_id=acc)
        html = r.assessment().html
        f = m.account(acc)
        if pd.isna(f["assessed_on"]):
            assert "No assessment" in html
            continue
        assert f"Health index {f['health_index']:,.0f}" in html
        el = m.assessment.elements[m.assessment.elements["account_id"] == acc]
        assert html.count("<tr>") >= 11  # header + ten elements
        if el["raters_disagree"].any():
            assert "raters disagree" in html


def test_client_audience_sections(report):
    client = AccountReport(model=report.model, account_id=report.account_id, audience="client")
    for internal_only in ("warnings", "benchmarks", "recommendations", "concentration", "stakeholders", "pipeline", "whitespace",
                          "indicators", "plan"):
        assert getattr(client, internal_only)().html == "", internal_only
    head = client.header().html
    assert "Category" not in head and "Quadrant" not in head
    assert "Perception gap" not in client.assessment().html
    rev = client.revenue().html  # our targets and margins are internal
    assert "target" not in rev.lower() and "Attainment" not in rev and "Margin" not in rev


def test_benchmarks_name_no_other_account(report):
    html = report.benchmarks().html
    others = [n for a, n in report.model.figures["account_name"].items() if a != report.account_id]
    assert not any(n in html for n in others)
    assert "Percentile" in html


def test_portfolio_sections_render(data):
    p = PortfolioReport.load(data)
    for sec in (p.header(), p.quadrant(), p.heatmap(), p.weakest(), p.categories(), p.market(),
                p.revenue(), p.retention(), p.warnings(), p.am_load(), p.accounts()):
        assert sec.html.startswith("<section>")
    assert "data:image/svg+xml;base64," in p.quadrant().html
    assert p.accounts().html.count("<tr>") == len(p.model.figures) + 1


ACCOUNT_SECTIONS = ("header", "summary", "recommendations", "plan", "assessment", "indicators", "revenue", "concentration", "stakeholders",
                    "pipeline", "whitespace", "kpis", "warnings", "benchmarks")


@pytest.fixture(scope="module")
def every_account(report):
    m = report.model
    return {a: AccountReport(model=m, account_id=a) for a in m.figures.index}


def test_recommended_objectives_are_listed_in_the_plan_and_pointed_to_once(every_account):
    """Issue 16: the same objectives were printed three times (summary, recommendations,
    plan); the plan's goals list them, the summary its top three, this section points."""
    for acc, r in every_account.items():
        html, plan, summary = r.recommendations().html, r.plan().html, r.summary().html
        recs = r.model.recommendations[r.model.recommendations["account_id"] == acc]
        for obj in recs["objective"]:
            assert esc(obj) in plan
            assert (esc(obj) in html) + (esc(obj) in plan) + (esc(obj) in summary) <= 2 or "objectives beyond" in html
        assert '<a href="#plan">' in html if len(recs) else True
        assert f"{esc(r.f['category'])} objectives beyond revenue" in html


def test_concentration_section_draws_the_shares_and_says_what_they_mean(every_account):
    from kit.figures.early_warnings import concentrated

    for r in every_account.values():
        html, f, s = r.concentration().html, r.f, r.model.settings
        if f["revenue_t4q"] <= 0:  # nothing to plot: no chart, the text says why
            assert "data:image" not in html and "No concentration to show" in html
            continue
        assert html.count("data:image/svg+xml;base64,") == 1
        assert f"{f['hhi_buying_center']:,.0f}" in html and f"{f['effective_buying_centers']:.1f} of" in html
        flags = {d: concentrated(f[f"hhi_{d}"], f[f"top_share_{d}"], settings=s) for d in ("buying_center", "offering")}
        assert ("concentrated by" in html or "comes from one" in html) == any(flags.values())
        # the advice follows the count: one buying center -> win a second; several -> grow the smaller
        if flags["buying_center"]:
            one = f["buying_centers_t4q"] == 1
            assert ("buying center, " in html and "win a second" in html) if one else "grow the smaller ones" in html


def test_stakeholder_section_has_one_row_per_buying_center(every_account):
    from kit.figures.concentration import stakeholder_map

    for acc, r in every_account.items():
        m = r.model
        smap = stakeholder_map(m.portfolio.table("contacts"), m.portfolio.table("revenue"), acc,
                               quarter=m.quarter, as_of=pd.Timestamp(m.as_of))
        html = r.stakeholders().html
        assert html.count("<tr>") == (len(smap) + 1 if len(smap) else 0)
        if r.f["uncovered_buying_centers"]:
            assert "no active executive contact" in html


def test_pipeline_whitespace_and_kpi_sections(every_account):
    for r in every_account.values():
        f = r.f
        pipe = r.pipeline().html
        # no funnel without open opportunities: the text says what would fill it
        assert ("data:image/svg+xml;base64," in pipe) == (f["open_opportunities"] > 0)
        assert f"{f['open_pipeline']:,.0f}" in pipe
        ws = r.whitespace().html
        n_cells = ws.count('class="ws ws-')
        assert n_cells == ws.count("ws-bought") + ws.count("ws-pipeline") + ws.count("ws-whitespace")
        k = r.kpis().html
        assert "Gross revenue retention" in k and "Long-term value" in k and f"n={int(f['nps_n'])}" in k


def test_client_kpis_leave_out_the_internal_figures(report):
    client = AccountReport(model=report.model, account_id=report.account_id, audience="client")
    html = client.kpis().html
    assert "NPS" in html and "Gross revenue retention" not in html and "Long-term value" not in html


def test_account_sections_name_no_other_account(every_account):
    names = every_account[next(iter(every_account))].model.figures["account_name"]
    for acc, r in every_account.items():
        page = "".join(getattr(r, s)().html for s in ACCOUNT_SECTIONS)
        for other, name in names.items():
            if other != acc and name != names[acc]:
                assert esc(name) not in page, (acc, other)


def test_portfolio_roll_ups(data):
    p = PortfolioReport.load(data)
    f = p.model.figures
    cats = p.categories().html
    assert "Movement since a year ago" in cats and "changed category since" in cats
    market = p.market().html
    for q in ("Star", "Cash cow", "Question mark", "Dog"):
        assert q in market
    ret = p.retention().html
    assert f"{p.model.totals['grr'] * 100:.0f}%" in ret
    rev = p.revenue().html
    assert "80/20" in rev and "New clients" in rev
    am = p.am_load().html
    assert all(esc(n) in am for n in f["account_manager"].dropna().unique())
    w = p.warnings().html
    assert "The most serious warnings" in w or f["n_warnings"].sum() == 0
    assert "_" not in w.replace("data-", "")  # rule names in words, never their ids


def test_executive_summary_comes_with_the_reasons_and_top_three(every_account):
    for acc, r in every_account.items():
        html, f = r.summary().html, r.f
        assert html.startswith('<section id="summary"><h2>Executive summary</h2>')
        # the reasons, with the first screen's figures said in words (issue 16: two places at most)
        for reason in (f["category_reason"], f["quadrant_reason"]):
            assert esc(headline_figures_in_words(reason, f)) in html
        assert f"{float(f['revenue_t4q']):,.0f}" not in html or f["revenue_t4q"] == 0
        n_w = min(3, int(f["n_warnings"]))
        assert html.count("<li><strong>HIGH:") + html.count("<li><strong>MEDIUM:") + html.count("<li><strong>LOW:") == n_w
        recs = r.model.recommendations[r.model.recommendations["account_id"] == acc].head(3)
        for obj in recs["objective"]:
            assert esc(obj) in html


def test_client_summary_is_the_qbr_without_internal_items(report):
    client = AccountReport(model=report.model, account_id=report.account_id, audience="client")
    html = client.summary().html
    # the QBR in the client's words (issue 16): the same content as the client's deck
    for part in ("Our partnership", "What went well", "What to improve together", "Next steps", "We will", "We ask you to"):
        assert part in html
    assert "Quarterly business review: " in client.header().html
    internal = AccountReport(model=report.model, account_id=report.account_id)
    for hidden in ("Category", "Quadrant", "warning", "Recommended objectives"):
        assert hidden not in html, hidden
    assert client.plan().html == ""
    assert "Account Development Plan" in internal.plan().html
    com = report.model.assessment.comments
    for text in com[com["account_id"] == report.account_id]["comment"]:
        assert esc(text) not in "".join(getattr(client, s)().html for s in ACCOUNT_SECTIONS + ("summary", "plan"))


def test_amounts_carry_the_configured_currency(data):
    from kit.config import Settings
    from kit.figures.model import build_model
    from kit.inputs.portfolio import load_portfolio

    model = build_model(load_portfolio(data), Settings(currency="€"))
    acc = model.figures.index[0]
    r = AccountReport(model=model, account_id=acc)
    f = r.f
    from kit.report.formats import compact_money

    # the first screen gives the amount in a readable form (issue 16); tables keep plain numbers
    assert compact_money(f["revenue_t4q"], "€") in r.header().html
    p = PortfolioReport(model=model)
    assert f"€{model.totals['revenue_t4q']:,.0f}" in p.header().html
    plain = AccountReport.load(data, acc)
    assert "€" not in plain.header().html  # default: no currency
