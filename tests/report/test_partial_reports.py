"""The reports on partial data, read as a consultant reads them: unknown is "—" or "no
data: supply ...", never 0; no chart with nothing to plot; benchmarks and rankings over
figures that exist; rule names and figures in words; the data behind each report."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from kit.config import Settings
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio
from kit.periods import parse_period, quarter_label
from kit.report import AccountReport, PortfolioReport
from kit.report.blocks import rag_badge
from kit.schema import ELEMENT_IDS

Q = parse_period("2025Q4")
ACCOUNT_SECTIONS = ("header", "summary", "data_behind", "assessment", "indicators", "revenue", "concentration",
                    "stakeholders", "pipeline", "whitespace", "kpis", "warnings", "recommendations", "plan", "benchmarks")
PORTFOLIO_SECTIONS = ("header", "data_behind", "quadrant", "heatmap", "weakest", "categories", "market", "revenue",
                      "retention", "warnings", "am_load", "benchmarks", "accounts")


def _revenue_only() -> dict:
    """Six accounts, nine months of revenue (2025Q2-2025Q4), nothing else."""
    rows = []
    for i in range(6):
        for k in range(3):
            for bc in ("Finance", "IT")[: 1 + i % 2]:
                rows.append({"account_id": f"A{i}", "period": quarter_label(Q - k), "amount": str(1000 * (i + 1)),
                             "buying_center": bc, "offering": "Advisory"})
    return {"accounts": [{"account_id": f"A{i}", "account_name": f"Account {i}"} for i in range(6)], "revenue": rows}


@pytest.fixture(scope="module")
def model(tmp_path_factory, tables_writer):
    folder = tables_writer(tmp_path_factory.mktemp("partial") / "data", _revenue_only())
    return build_model(load_portfolio(folder), Settings())


def _text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["pre", "code"]):  # config.yml lines to paste are meant as keys
        tag.decompose()
    return soup.get_text(" ")


def _pages(model) -> tuple[dict[str, str], dict[str, str]]:
    acc = AccountReport(model=model, account_id="A1")
    port = PortfolioReport(model=model)
    return ({s: getattr(acc, s)().html for s in ACCOUNT_SECTIONS}, {s: getattr(port, s)().html for s in PORTFOLIO_SECTIONS})


def test_unknown_reads_as_no_data_never_zero(model):
    acc, _ = _pages(model)
    assert "No data: supply contacts.csv to see decision makers, executives, advocates" in acc["stakeholders"]
    assert "No data: supply opportunities.csv" in acc["pipeline"]
    assert "No data: supply assessment.csv" in acc["assessment"]
    kpis = _text(acc["kpis"])
    assert "r = 0%" not in kpis and "unknown: revenue data start in 2025Q2" in kpis
    summary = _text(acc["summary"])
    assert "moved from Greenfield" not in summary and "the category a year ago is unknown" in summary
    header = _text(acc["header"])
    assert "3 of 4 quarters in the data" in header and "▲" not in _text(acc["revenue"])  # no trend against nothing
    ind = _text(acc["indicators"])
    assert "no data" in ind and not re.search(r"\b0\b", ind.split("No data:")[0].split("Indicator")[1])


def test_no_chart_with_nothing_to_plot(model):
    acc, port = _pages(model)
    for section in ("quadrant", "market", "retention", "heatmap", "weakest"):
        assert "data:image" not in port[section], section
    assert "No account can be placed" in port["quadrant"] and "complete health index" in port["quadrant"]
    assert "market growth and relative market share" in port["market"]
    assert "Revenue for the year before T4Q would fill this section" in port["retention"]
    assert "data:image" not in acc["pipeline"]


def test_benchmarks_and_ranking_only_over_figures_that_exist(model):
    acc, port = _pages(model)
    assert "Only T4Q revenue can be ranked for this account" in acc["benchmarks"]
    assert "Highest against the portfolio" not in acc["benchmarks"]
    bench = BeautifulSoup(port["benchmarks"], "html.parser").find("tbody")
    assert [tr.find("td").get_text() for tr in bench.find_all("tr")] == ["T4Q revenue"]
    assert "<h2>All accounts, ranked by T4Q revenue</h2>" in port["accounts"]
    assert "Not shown, unknown for every account: Market position, Health index, RAG, Quadrant" in port["accounts"]


def test_the_data_behind_each_report(model):
    acc, port = _pages(model)
    for html, scope in ((acc["data_behind"], "this account"), (port["data_behind"], "portfolio")):
        soup = BeautifulSoup(html, "html.parser")
        rows = {tr.find_all("td")[0].get_text(): [td.get_text() for td in tr.find_all("td")]
                for tr in soup.find("tbody").find_all("tr")}
        assert rows["revenue.csv"][1] == "yes" and rows["revenue.csv"][3] == "2025Q2 to 2025Q4"
        assert rows["contacts.csv"][1] == "no" and rows["contacts.csv"][2] == ""  # rows unknown, not 0
        assert "decision makers" in rows["contacts.csv"][4]
        assert f"Rows ({scope})" in html
        assert "less than two years before the analysis quarter" in html
    assert BeautifulSoup(acc["data_behind"], "html.parser").find("tbody").find_all("tr")[1].find_all("td")[2].get_text() == "6"


def test_words_not_ids_or_column_names(model, sample_dir):
    sample = build_model(load_portfolio(sample_dir), Settings())
    for m in (model, sample):
        for acc_id in list(m.figures.index)[:4]:
            acc = AccountReport(model=m, account_id=acc_id)
            text = " ".join(_text(getattr(acc, s)().html) for s in ACCOUNT_SECTIONS)
            assert "(s)" not in text, acc_id
            snake = set(re.findall(r"\b[a-z]+_[a-z_]+\b", text))
            assert not snake, (acc_id, snake)
        port = PortfolioReport(model=m)
        text = " ".join(_text(getattr(port, s)().html) for s in PORTFOLIO_SECTIONS)
        assert "(s)" not in text and not set(re.findall(r"\b[a-z]+_[a-z_]+\b", text))


def test_every_chart_says_what_it_shows(sample_dir):
    m = build_model(load_portfolio(sample_dir), Settings())
    acc = AccountReport(model=m, account_id=m.figures.index[0])
    port = PortfolioReport(model=m)
    pages = [getattr(acc, s)().html for s in ACCOUNT_SECTIONS] + [getattr(port, s)().html for s in PORTFOLIO_SECTIONS]
    alts = [img["alt"] for html in pages for img in BeautifulSoup(html, "html.parser").find_all("img")]
    assert len(alts) >= 8
    for alt in alts:  # what it shows and what it says, with the numbers: not a generic label
        assert len(alt) > 60 and re.search(r"\d", alt), alt


def test_an_incomplete_index_is_shown_as_incomplete(tmp_path_factory, tables_writer):
    t = _revenue_only()
    t["assessment"] = [{"account_id": "A1", "assessed_on": "2025-11-15", "rater": "r", "element": e, "score": "5"}
                       for e in ELEMENT_IDS[:5]]
    folder = tables_writer(tmp_path_factory.mktemp("incomplete") / "data", t)
    m = build_model(load_portfolio(folder), Settings())
    f = m.figures.loc["A1"]
    assert f["health_index"] == 100 and f["health_rag"] == "incomplete" and f["health_band"] == "green"
    assert "INCOMPLETE" in rag_badge(f["health_rag"]) and "GREEN" not in rag_badge(f["health_rag"])
    r = AccountReport(model=m, account_id="A1")
    assert "100 incomplete" in r.header().html and "5 of 10 elements scored" in r.header().html
    assert "100 GREEN" not in r.header().html
    port = PortfolioReport(model=m)
    assert "100 (incomplete)" in port.accounts().html
    # not benchmarked: no complete index in the portfolio
    assert "Health index" not in BeautifulSoup(port.benchmarks().html, "html.parser").find("tbody").get_text()
