"""Reports people can read (issue 16, part 2): a table of contents with working anchors,
links back to the index and portfolio on internal pages only, readable amounts, and no
headline figure repeated in more than two places."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from kit.report import AccountReport
from kit.report.blocks import esc
from kit.report.formats import compact_money, headline_figures_in_words, hygiene_words

SECTIONS = ("header", "summary", "since_last_quarter", "history", "data_behind", "assessment", "indicators", "revenue",
            "concentration", "stakeholders", "pipeline", "whitespace", "kpis", "warnings", "recommendations", "plan",
            "benchmarks")


@pytest.fixture(scope="module")
def data(synth_portfolio) -> Path:
    return synth_portfolio(5, 4)


def _page(report: AccountReport) -> str:
    return "".join(getattr(report, name)().html for name in SECTIONS)


@pytest.fixture(scope="module")
def pages(data) -> dict[str, str]:
    first = AccountReport.load(data, None)
    return {aud: _page(AccountReport(model=first.model, account_id=first.account_id, audience=aud))
            for aud in ("internal", "client")}, first


def test_the_table_of_contents_links_to_sections_that_exist(pages):
    (by, _) = pages
    page = by["internal"]
    links = re.findall(r'<nav class="toc">.*?</nav>', page, flags=re.DOTALL)
    assert len(links) == 1
    targets = re.findall(r'href="#([^"]+)"', links[0])
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert len(targets) >= 10 and set(targets) <= ids


def test_back_links_on_internal_pages_only(pages):
    (by, _) = pages
    assert 'href="../index.html"' in by["internal"] and 'href="../portfolio.html"' in by["internal"]
    assert "../index.html" not in by["client"] and "../portfolio.html" not in by["client"]
    assert '<nav class="toc">' not in by["client"]


@pytest.mark.parametrize(("value", "text"), [(2_468_000, "$2.47M"), (475_189, "$475K"), (999_700, "$1.00M"),
                                              (-36_466, "-$36.5K"), (12, "$12"), (None, "—")])
def test_readable_amounts(value, text):
    assert compact_money(value, "$") == text



def _shown(page: str, texts: set[str]) -> int:
    """How often any of ``texts`` is printed on ``page`` as a whole number (not the start or
    end of a longer one: 2.76M, 2,760,618 and 114% each stand alone)."""
    return sum(len(re.findall(rf"(?<![\d.,]){re.escape(t)}(?!\d|[.,]\d|[KMB])", page)) for t in texts)


def _without_other_cards(section: str, label: str) -> str:
    """A section without the KPI cards of other figures: a different figure may print the
    same text (NRR 113% beside attainment 113%), and it is not a repeat."""
    return re.sub(r'<div class="kpi">.*?</div>',
                  lambda m: m.group(0) if label in m.group(0).lower() else "", section, flags=re.DOTALL)


def _headline_forms(report: AccountReport) -> dict[str, tuple[str, set[str]]]:
    """Each headline figure of the first screen: (its card label, the ways it is printed)."""
    f = report.f
    forms = {}
    if abs(float(f["revenue_t4q"])) >= 1000:  # a small amount ("0") is no sign of a repeat
        forms["T4Q revenue"] = ("t4q revenue", {report._amount(f["revenue_t4q"]), report._money(f["revenue_t4q"])})
    if f["revenue_growth"] == f["revenue_growth"]:
        forms["growth"] = ("growth", {f"{float(f['revenue_growth']) * 100:.1f}%", f"{float(f['revenue_growth']):+.1%}"})
    if f["hygiene_basis"] == "target":
        forms["attainment"] = ("attainment", {f"{float(f['revenue_attainment']) * 100:.0f}%"})
    return forms


def test_headline_amounts_are_readable_and_t4q_revenue_appears_at_most_twice(pages):
    (by, report) = pages
    f = report.f
    for aud, page in by.items():
        shown = {report._amount(f["revenue_t4q"]), report._money(f["revenue_t4q"])}
        n = _shown(page, shown)
        assert 1 <= n <= 2, (aud, n)
    assert report._amount(f["revenue_t4q"]) in by["internal"].split("</section>")[0]  # the first screen, readable


def test_attainment_appears_at_most_twice(pages):
    (by, report) = pages
    f = report.f
    if f["hygiene_basis"] != "target":
        pytest.skip("no target")
    text = f"{float(f['revenue_attainment']) * 100:.0f}%"
    page = "".join(_without_other_cards(s + "</section>", "attainment") for s in by["internal"].split("</section>"))
    assert page.count(text) <= 2


def test_every_headline_figure_is_in_two_places_at_most_the_first_screen_one_of_them(data):
    first = AccountReport.load(data, None)
    for acc in first.model.figures.index:
        report = AccountReport(model=first.model, account_id=acc)
        sections = {name: getattr(report, name)().html for name in SECTIONS}
        # the benchmarks show where the account stands in words; their quartiles are the
        # portfolio's figures (with few accounts a median may be this account's own value)
        assert "This account stands" in sections["benchmarks"] and ">This account<" not in sections["benchmarks"]
        sections.pop("benchmarks")
        for figure, (label, texts) in _headline_forms(report).items():
            places = [name for name, html in sections.items() if _shown(_without_other_cards(html, label), texts)]
            assert places[:1] == ["header"] and len(places) <= 2, (acc, figure, places)
        if report.f["health_index"] == report.f["health_index"]:
            # the index as a reader meets it: "Health index 67" in a sentence or on a card
            score = re.escape(report._score(report.f["health_index"]))
            said = [name for name, html in sections.items()
                    if re.search(rf"(?i)health index</strong>\s*{score}\b|health index {score}\b|>{score} [A-Z]+<", html)]
            assert said[:1] == ["header"] and len(said) <= 2, (acc, said)


def test_the_summary_says_the_reasons_without_the_first_screens_figures(pages):
    (_, report) = pages
    f = report.f
    summary = report.summary().html
    assert f"{float(f['revenue_t4q']):,.0f}" not in summary and report._amount(f["revenue_t4q"]) not in summary
    assert "<strong>Hygiene:</strong> " in summary and ("hygienic" in summary or "cannot be judged" in summary)


def test_warnings_put_all_t4q_revenue_at_risk_in_words(pages):
    (_, report) = pages
    w = report.model.warnings
    mine = w[(w["account_id"] == report.account_id) & (w["revenue_at_risk"] == report.f["revenue_t4q"])]
    html = report.warnings().html
    assert html.count(">all</td>") == len(mine) and "whole T4Q revenue" in html
    assert f"{float(report.f['revenue_t4q']):,.0f}" not in html


def test_headline_figures_in_words_keeps_thresholds_and_other_figures():
    f = pd.Series({"revenue_t4q": 2_760_618.0, "revenue_growth": -0.032, "revenue_attainment": 1.138, "health_index": 67.4})
    cases = {
        "T4Q revenue 2,760,618 (at least 1,000,000) from 6 buying centers": "T4Q revenue of at least 1,000,000 from 6 buying centers",
        "not Strategic: T4Q revenue 2,760,618 below 3,000,000": "not Strategic: T4Q revenue below 3,000,000",
        "all T4Q revenue (2,760,618) comes from one buying center, 'IT'": "all T4Q revenue comes from one buying center, 'IT'",
        "T4Q revenue 2,760,618 (2025Q4-2026Q3) is -3.2% against 2,852,000 in the 4 quarters before":
            "T4Q revenue (2025Q4-2026Q3) is down against 2,852,000 in the 4 quarters before",
        "Thriving: revenue attainment 114% meets the 100% target, and the health index 67 is at or above 60.":
            "Thriving: revenue attainment meets the 100% target, and the health index is at or above 60.",
        "IT brought 2,760,618 in T4Q but has not bought Cloud": "IT brought all its T4Q revenue but has not bought Cloud",
        "unaddressed potential 6,143,382 is at least 3x the open pipeline 0": "unaddressed potential 6,143,382 is at least 3x the open pipeline 0",
        "T4Q revenue 12,760,618 is another account's": "T4Q revenue 12,760,618 is another account's",
    }
    for text, said in cases.items():
        assert headline_figures_in_words(text, f) == said
    assert headline_figures_in_words(None, f) is None


@pytest.mark.parametrize(("figures", "basis", "hygienic", "said"), [
    (True, "target", True, "hygienic (revenue attainment 114% of the T4Q target, at or above the 100% bar)"),
    (False, "target", False, "not hygienic (T4Q revenue below its target)"),
    (True, "growth", False, "not hygienic (no revenue targets, so judged by growth: -3.2% on the four quarters before)"),
    (False, "growth", True, "hygienic (no revenue targets, so judged by growth: T4Q revenue at or above the four quarters before)"),
    (False, "none", pd.NA, "cannot be judged: no revenue targets and no revenue for the four quarters before"),
])
def test_hygiene_words_one_wording_for_the_page_and_the_deck(figures, basis, hygienic, said):
    f = pd.Series({"hygiene_basis": basis, "hygienic": hygienic, "revenue_attainment": 1.138, "revenue_growth": -0.032})
    assert hygiene_words(f, bar=1.0, figures=figures) == said
    # a bar below the whole target is named: "its target" would be wrong
    on_target = pd.Series({**f.to_dict(), "hygiene_basis": "target", "hygienic": True})
    assert hygiene_words(on_target, bar=0.95, figures=False) == "hygienic (T4Q revenue at or above 95% of its target)"


def test_the_page_summary_and_the_internal_deck_say_hygiene_alike(pages):
    from kit.report.deck_content import Bullets, internal_deck

    (_, report) = pages
    bar = report.model.settings.hygiene_attainment
    deck = internal_deck(report.model, report.account_id)
    summary = next(s for s in deck.slides if s.title == "Summary")
    lines = [t for b in summary.blocks if isinstance(b, Bullets) for t, _ in b.items]
    assert f"Hygiene: {hygiene_words(report.f, bar=bar)}" in lines
    assert esc(hygiene_words(report.f, bar=bar, figures=False)) in report.summary().html
