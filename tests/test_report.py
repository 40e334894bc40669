"""Report sections: the right account, escaped text, audience rules, numbers shown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.errors import UsageError
from kit.report import AccountReport, PortfolioReport, index_page, resolve_account_id


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
    assert client.warnings().html == "" and client.benchmarks().html == "" and client.relationships().html == ""
    head = client.header().html
    assert "Category" not in head and "Quadrant" not in head
    assert "Perception gap" not in client.assessment().html


def test_benchmarks_name_no_other_account(report):
    html = report.benchmarks().html
    others = [n for a, n in report.model.figures["account_name"].items() if a != report.account_id]
    assert not any(n in html for n in others)
    assert "Percentile" in html


def test_portfolio_sections_render(data):
    p = PortfolioReport.load(data)
    for sec in (p.header(), p.quadrant(), p.heatmap(), p.weakest(), p.segments(), p.revenue(), p.warnings(), p.accounts()):
        assert sec.html.startswith("<section>")
    assert "data:image/png;base64," in p.quadrant().html
    assert p.accounts().html.count("<tr>") == len(p.model.figures) + 1


def test_index_page_links_and_failures(report):
    m = report.model
    ids = list(m.figures.index)
    accounts = {a: {"status": "ok", "report": f"accounts/{a}.html", "error": None} for a in ids}
    accounts[ids[1]] = {"status": "failed", "report": None, "error": "ValueError: <boom>"}
    page = index_page(m, accounts, {"status": "ok"}, ids=ids, audience="internal")
    assert 'href="portfolio.html"' in page and f'href="accounts/{ids[0]}.html"' in page
    assert "failed: ValueError: &lt;boom&gt;" in page and "1 account report(s) failed" in page
