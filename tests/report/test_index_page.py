"""index.html: every account a row with its figures, links, failures, escaping, the shared
stylesheet, and a self-contained page whose inline script sorts and filters the table."""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_markdown_cell, new_notebook

from kit.config import Settings
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio
from kit.report import AccountReport
from kit.report.blocks import fmt_num
from kit.report.export import notebook_to_html, stylesheet
from kit.report.index_page import index_page, report_hrefs
from kit.schema import ELEMENT_IDS

HOSTILE = "O'Brien & Sons <Holdings>"
SCRIPTY = '<script>alert("x")</script> Ltd'
#: A tiny portfolio whose names and ids need escaping.  Analysis quarter 2025Q4: one rater
#: scores every element 4 (health 75, green) or 2 (25, red): a complete index, which places
#: an account in a quadrant; revenue 100 against a target of 100 (hygienic) or 200 (not);
#: "plain" is not assessed (no health index, no quadrant).
HOSTILE_TABLES = {
    "accounts": [{"account_id": "../x", "account_name": HOSTILE, "industry": 'Retail & "Co" <b>'},
                 {"account_id": 'A&B"', "account_name": SCRIPTY, "industry": 'Retail & "Co" <b>'},
                 {"account_id": "plain", "account_name": "Plain Co", "industry": "Energy"}],
    "revenue": [{"account_id": a, "period": "2025Q4", "amount": "100"} for a in ("../x", 'A&B"', "plain")],
    "targets": [{"account_id": "../x", "period": "2025Q4", "revenue_target": "100"},
                {"account_id": 'A&B"', "period": "2025Q4", "revenue_target": "200"}],
    "assessment": [{"account_id": a, "assessed_on": "2025-11-15", "rater": "r1", "element": e, "score": s}
                   for a, s in (("../x", "4"), ('A&B"', "2")) for e in ELEMENT_IDS],
}
HOSTILE_REPORTS = {"../x": "accounts/x-1.html", 'A&B"': "accounts/A&B-2.html"}  # "plain" failed
COLUMNS = ["name", "id", "category", "revenue", "health", "rag", "quadrant", "warnings", "report"]


@pytest.fixture(scope="module")
def report(synth_portfolio) -> AccountReport:
    return AccountReport.load(synth_portfolio(6, 2), None)


@pytest.fixture(scope="module")
def hostile_model(tables_writer, tmp_path_factory):
    folder = tables_writer(tmp_path_factory.mktemp("hostile") / "data", HOSTILE_TABLES)
    return build_model(load_portfolio(folder), Settings())


def _hostile_page(model) -> str:
    accounts = {a: {"status": "ok", "report": r, "error": None} for a, r in HOSTILE_REPORTS.items()}
    accounts["plain"] = {"status": "failed", "report": None, "error": "KeyError: 'x' <b>bold</b>"}
    return index_page(model, accounts, {"status": "ok"}, ids=list(model.figures.index), audience="internal")


@pytest.fixture(scope="module")
def hostile_page(hostile_model) -> str:
    return _hostile_page(hostile_model)


def _soup(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def _rows(page: str) -> dict[str, dict[str, object]]:
    """Per account id (the Id cell's text): its cells by column key (the Report column
    only when some row says more than "ok")."""
    table = _soup(page).find("table", id="accounts")
    keys = [th["data-key"] for th in table.thead.find_all("th")]
    assert keys in (COLUMNS, COLUMNS[:-1])
    out = {}
    for tr in table.tbody.find_all("tr"):
        cells = dict(zip(keys, tr.find_all("td"), strict=True))
        out[cells["id"].get_text()] = cells
    return out


# --- content ------------------------------------------------------------------------------
def test_index_page_links_and_failures(report):
    m = report.model
    ids = list(m.figures.index)
    accounts = {a: {"status": "ok", "report": f"accounts/{a}.html", "error": None} for a in ids}
    accounts[ids[1]] = {"status": "failed", "report": None, "error": "ValueError: <boom>"}
    page = index_page(m, accounts, {"status": "ok"}, ids=ids, audience="internal")
    assert 'href="portfolio.html"' in page and f'href="accounts/{ids[0]}.html"' in page
    assert "failed: ValueError: &lt;boom&gt;" in page and "1 account report(s) failed" in page
    rows = _rows(page)
    assert list(rows) == ids  # every account, in the order given
    for acc in ids:
        link = rows[acc]["name"].find("a")
        if acc == ids[1]:
            assert link is None and rows[acc]["report"].get_text() == "failed: ValueError: <boom>"
        else:
            assert link["href"] == f"accounts/{acc}.html" and rows[acc]["report"].get_text() == "ok"
    assert "Tables for BI tools are in tables/" in page


def test_every_account_row_shows_its_figures_and_raw_sort_values(report):
    f = report.model.figures
    ids = list(f.index)
    accounts = {a: {"status": "ok", "report": f"accounts/{a}.html", "error": None} for a in ids}
    rows = _rows(index_page(report.model, accounts, {"status": "ok"}, ids=ids, audience="client"))
    assert len(rows) == len(f) == 6
    for acc, row in f.iterrows():
        cells = rows[acc]
        assert cells["name"].get_text() == row["account_name"]
        assert cells["category"].get_text() == row["category"] == cells["category"]["data-value"]
        assert cells["health"].get_text() == fmt_num(row["health_index"])
        if math.isnan(row["health_index"]):
            assert cells["health"]["data-sort"] == ""
        else:  # the raw number, not the rounded text
            assert float(cells["health"]["data-sort"]) == row["health_index"]
        rag = row["health_rag"]
        assert cells["rag"].get_text() == (rag.upper() if isinstance(rag, str) else "not rated")
        assert cells["rag"]["data-sort"] == {"red": "1", "amber": "2", "green": "3"}.get(rag, "")
        quad = row["quadrant"] if isinstance(row["quadrant"], str) else None  # None or NaN when unknown
        assert cells["quadrant"].get_text() == (quad or "—")
        assert cells["warnings"].get_text() == cells["warnings"]["data-sort"] == str(int(row["n_warnings"]))


def test_hand_made_accounts_rows(hostile_model, hostile_page):
    f = hostile_model.figures
    assert f.loc["../x", "health_index"] == 75 and f.loc["../x", "quadrant"] == "Thriving"
    assert f.loc['A&B"', "health_index"] == 25 and f.loc['A&B"', "quadrant"] == "At risk"
    rows = _rows(hostile_page)
    assert list(rows) == ["../x", 'A&B"', "plain"]
    x, ab, plain = rows["../x"], rows['A&B"'], rows["plain"]
    assert (x["health"].get_text(), x["health"]["data-sort"], x["rag"].get_text()) == ("75", "75", "GREEN")
    assert x["rag"].find("span", class_="rag-green") is not None  # colour and word
    assert (ab["health"].get_text(), ab["health"]["data-sort"], ab["rag"].get_text()) == ("25", "25", "RED")
    assert (plain["health"].get_text(), plain["health"]["data-sort"], plain["rag"].get_text()) == ("—", "", "not rated")
    assert [r["quadrant"].get_text() for r in (x, ab, plain)] == ["Thriving", "At risk", "—"]
    assert [r["quadrant"]["data-value"] for r in (x, ab, plain)] == ["Thriving", "At risk", "none"]
    for acc, cells in rows.items():
        assert cells["warnings"].get_text() == str(int(f.loc[acc, "n_warnings"]))
        assert cells["category"].get_text() == f.loc[acc, "category"]


def test_links_to_reports_and_failures(hostile_page):
    soup, rows = _soup(hostile_page), _rows(hostile_page)
    assert rows["../x"]["name"].a["href"] == "accounts/x-1.html"
    assert rows['A&B"']["name"].a["href"] == "accounts/A&B-2.html"
    assert 'href="accounts/A&amp;B-2.html"' in hostile_page
    assert rows["plain"]["name"].a is None and rows["plain"]["name"].get_text() == "Plain Co"
    assert rows["plain"]["report"].get_text() == "failed: KeyError: 'x' <b>bold</b>"
    assert [a["href"] for a in soup.find_all("a")] == ["portfolio.html", "accounts/x-1.html", "accounts/A&B-2.html"]
    assert "1 account report(s) failed; see manifest.json." in soup.get_text()


def test_report_links_are_where_kit_run_writes_the_reports(hostile_model):
    """report_hrefs: the link the portfolio report gives an account's name, the path kit run
    writes its report to (Layout.page) and records in the manifest, which index.html links;
    an id that is no file name ("../x") gets a safe stem, the name stays escaped."""
    from kit.files.names import report_stems
    from kit.report import PortfolioReport
    from kit.run.layout import Layout

    ids = list(hostile_model.figures.index)
    layout = Layout("internal", report_stems(ids))
    hrefs = report_hrefs(hostile_model)
    assert hrefs == {a: layout.page(a) for a in ids}
    assert all(h.startswith("accounts/") and "/" not in h.removeprefix("accounts/") and ".." not in h for h in hrefs.values())
    assert report_hrefs(hostile_model, ['A&B"']) == {'A&B"': layout.page('A&B"')}
    html = PortfolioReport(model=hostile_model).accounts().html
    assert f'<a href="{hrefs["../x"]}">O&#x27;Brien &amp; Sons &lt;Holdings&gt;</a>' in html
    ab = hrefs['A&B"'].replace("&", "&amp;")
    assert f'<a href="{ab}">&lt;script&gt;' in html
    assert "<script>" not in html
    # a run of one account links that account only
    html = PortfolioReport(model=hostile_model, selected=("plain",)).accounts().html
    assert re.findall(r'<a href="([^"]*)"', html) == [hrefs["plain"]]


def test_portfolio_failure_message(hostile_model):
    ids = list(hostile_model.figures.index)
    accounts = {a: {"status": "ok", "report": f"accounts/{i}.html", "error": None} for i, a in enumerate(ids)}
    page = index_page(hostile_model, accounts, {"status": "failed", "error": "RuntimeError: <x>"}, ids=ids, audience="internal")
    assert 'href="portfolio.html"' not in page
    assert "Portfolio report failed: RuntimeError: &lt;x&gt;" in page
    assert "report(s) failed" not in page
    page = index_page(hostile_model, accounts, None, ids=ids, audience="internal")
    assert "Portfolio report failed: not rendered" in page


def test_text_from_inputs_is_escaped(hostile_page):
    soup, rows = _soup(hostile_page), _rows(hostile_page)
    assert "<Holdings>" not in hostile_page and "O&#39;Brien &amp; Sons &lt;Holdings&gt;" in hostile_page
    assert '<script>alert("x")' not in hostile_page and "&lt;script&gt;alert(&#34;x&#34;)" in hostile_page
    assert "<b>bold</b>" not in hostile_page
    assert rows["../x"]["name"].get_text() == HOSTILE
    assert rows['A&B"']["name"].get_text() == SCRIPTY
    assert len(soup.find_all("script")) == 1 and soup.find("b") is None


# --- self-contained: one stylesheet, inline script, nothing fetched ------------------------
def test_nothing_referenced_outside_the_page(hostile_page):
    soup = _soup(hostile_page)
    assert "http" not in hostile_page.lower()
    assert soup.find(["link", "img", "iframe", "object", "embed", "base"]) is None
    assert not soup.find_all(attrs={"src": True})
    assert "@import" not in hostile_page and "url(" not in hostile_page
    for a in soup.find_all(href=True):
        assert "//" not in a["href"] and ":" not in a["href"], a["href"]


def test_css_is_the_kit_stylesheet_the_reports_get(hostile_page):
    css = (Path(__file__).resolve().parents[2] / "kit" / "resources" / "kit.css").read_text(encoding="utf-8")
    assert stylesheet() == css
    styles = _soup(hostile_page).find_all("style")
    assert len(styles) == 1 and styles[0].string.strip() == css.strip()
    nb = new_notebook(cells=[new_markdown_cell("# A report")])
    nbformat.validate(nb)
    report_styles = _soup(notebook_to_html(nb, title="t")).find_all("style")
    assert len(report_styles) == 1 and report_styles[0].string.strip() == css.strip()
    for cls in (".kpis", ".kpi .value", ".kpi .label", ".kpi .trend", ".rag-green", ".rag-amber", ".rag-red",
                ".flag", ".muted", "td.ws-bought", "td.ws-pipeline", "td.ws-whitespace", "ol.recs", ".table-wrap",
                "table.accounts", "button.sort", ".filters", "dl.legend", "@media print"):
        assert cls in css, cls


def test_script_inline_and_controls_present(hostile_page):
    soup = _soup(hostile_page)
    (script,) = soup.find_all("script")
    assert not script.get("src") and "aria-sort" in script.string and "</" not in script.string
    heads = soup.find("table", id="accounts").thead.find_all("th")
    assert [th["data-type"] for th in heads] == ["text", "text", "num", "num", "num", "num", "text", "num", "text"]
    assert all(th.get("scope") == "col" for th in heads)
    form = soup.find("form", id="filters")
    assert form.has_attr("hidden")  # shown by the script: without JavaScript there is nothing to use
    assert form.find("input", id="f-text")["type"] == "search"
    cat_values = sorted({o["value"] for o in form.find("select", id="f-category").find_all("option")} - {""})
    assert cat_values == sorted({r["category"].get_text() for r in _rows(hostile_page).values()})
    quad = [(o["value"], o.get_text()) for o in form.find("select", id="f-quadrant").find_all("option")]
    assert quad == [("", "All quadrants"), ("Thriving", "Thriving"), ("At risk", "At risk"), ("none", "none")]
    assert soup.find(class_="shown").get_text() == "3 of 3 accounts shown"
    legend = [dt.get_text() for dt in soup.find("dl", class_="legend").find_all("dt")]
    assert legend == ["Category", "T4Q revenue", "Health index", "RAG", "Quadrant", "Warnings", "Report"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_script_is_valid_javascript(hostile_page, tmp_path):
    js = tmp_path / "index.js"
    js.write_text(_soup(hostile_page).find("script").string, encoding="utf-8")
    proc = subprocess.run(["node", "--check", str(js)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


# --- the script in a browser (headless chromium through playwright, when available) -------
CHROMIUM = os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no chromium at {CHROMIUM}")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def _page_opener(browser, html: str, path: Path):
    """``open_(hash='', js=True)`` for ``html`` written at ``path`` and opened from file://:
    the page and the list of script errors and non-file requests seen (contexts closed
    at the end)."""
    path.write_text(html, encoding="utf-8")
    contexts = []

    def open_(hash: str = "", js: bool = True):
        context = browser.new_context(java_script_enabled=js)
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"error: {e}"))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url))
        page.goto(path.as_uri() + hash, wait_until="load")
        return page, problems

    try:
        yield open_
    finally:
        for c in contexts:
            c.close()


@pytest.fixture
def open_index(browser, hostile_page, tmp_path):
    """``open_index(js=True)``: the hand-made index.html opened from file://; returns the page
    and the list of script errors and non-file requests seen."""
    with _page_opener(browser, hostile_page, tmp_path / "index.html") as open_:
        yield open_


def _visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#accounts tbody tr", "trs => trs.filter(tr => !tr.hidden).map(tr => tr.cells[1].textContent)")


def test_browser_sorts_and_filters(open_index):
    page, problems = open_index()
    shown = page.locator(".shown")
    assert page.locator("#filters").is_visible() and shown.inner_text() == "3 of 3 accounts shown"
    assert not page.locator("#more").is_visible()  # a small index shows every row, as before
    health = page.get_by_role("button", name="Health index")
    health.click()
    assert _visible_ids(page) == ['A&B"', "../x", "plain"]  # 25, 75, missing last
    assert page.locator('th[data-key="health"]').get_attribute("aria-sort") == "ascending"
    health.click()
    assert _visible_ids(page) == ["../x", 'A&B"', "plain"]  # reversed, missing still last
    assert page.locator('th[data-key="health"]').get_attribute("aria-sort") == "descending"
    page.get_by_role("button", name="Account").click()
    assert _visible_ids(page) == ['A&B"', "../x", "plain"]  # "<script>…", "O'Brien…", "Plain Co"
    assert page.locator('th[data-key="health"]').get_attribute("aria-sort") is None
    page.fill("#f-text", "o'brien")
    assert _visible_ids(page) == ["../x"] and shown.inner_text() == "1 of 3 accounts shown"
    page.fill("#f-text", "at risk")  # quadrant text
    assert _visible_ids(page) == ['A&B"']
    page.fill("#f-text", "")
    page.select_option("#f-quadrant", "none")
    assert _visible_ids(page) == ["plain"]
    page.select_option("#f-quadrant", "")
    cat = page.eval_on_selector('#accounts tbody tr td[data-value]', "td => td.dataset.value")
    page.select_option("#f-category", cat)
    n_cat = sum(1 for r in _rows(page.content()).values() if r["category"].get_text() == cat)
    assert len(_visible_ids(page)) == n_cat and shown.inner_text() == f"{n_cat} of 3 accounts shown"
    page.get_by_role("button", name="Clear").click()
    page.wait_for_function("document.getElementById('shown-n').textContent === '3'")
    assert len(_visible_ids(page)) == 3
    assert not problems


def test_browser_without_javascript_shows_the_plain_table(open_index):
    page, problems = open_index(js=False)
    assert not page.locator("#filters").is_visible()
    assert page.locator("#accounts tbody tr:visible").count() == 3
    assert page.locator(".shown").inner_text() == "3 of 3 accounts shown"
    assert page.get_by_role("link", name=HOSTILE).get_attribute("href") == "accounts/x-1.html"
    assert not problems


def test_segment_filters_only_for_segments_the_accounts_have(hostile_page):
    form = _soup(hostile_page).find("form", id="filters")
    industry = form.find("select", id="f-industry")
    assert [o["value"] for o in industry.find_all("option")] == ["", "Energy", 'Retail & "Co" <b>']
    assert form.find("select", id="f-region") is None and form.find("select", id="f-manager") is None
    rows = _soup(hostile_page).find("table", id="accounts").tbody.find_all("tr")
    assert [tr["data-industry"] for tr in rows] == ['Retail & "Co" <b>', 'Retail & "Co" <b>', "Energy"]
    assert '<b>"' not in hostile_page.split("<tbody>")[1]  # escaped in the attribute


def test_browser_filters_from_a_link_to_a_segment(open_index):
    """The portfolio report's segment summaries link to index.html#industry=<value>."""
    from urllib.parse import quote

    page, problems = open_index()
    page.evaluate("v => { location.hash = 'industry=' + v; }", quote('Retail & "Co" <b>', safe=""))
    page.wait_for_function("document.getElementById('shown-n').textContent === '2'")
    assert sorted(_visible_ids(page)) == ["../x", 'A&B"']
    assert page.locator("#f-industry").input_value() == 'Retail & "Co" <b>'
    page.evaluate("() => { location.hash = 'industry=Energy&category=nonsense'; }")  # an unknown value is ignored
    page.wait_for_function("document.getElementById('shown-n').textContent === '1'")
    assert _visible_ids(page) == ["plain"]
    assert not problems


# --- the Report column: only when it says more than "ok" ------------------------------------
def test_the_report_column_only_when_it_says_more_than_ok(report):
    m = report.model
    ids = list(m.figures.index)

    def page(**changes: dict) -> BeautifulSoup:
        accounts = {a: {"status": "ok", "report": f"accounts/{a}.html", "error": None, **changes.get(a, {})} for a in ids}
        return _soup(index_page(m, accounts, {"status": "ok"}, ids=ids, audience="internal"))

    def columns(soup: BeautifulSoup) -> list[str]:
        return [th["data-key"] for th in soup.find("table", id="accounts").thead.find_all("th")]

    def legend(soup: BeautifulSoup) -> list[str]:
        return [dt.get_text() for dt in soup.find("dl", class_="legend").find_all("dt")]

    every_ok = page()
    assert columns(every_ok) == COLUMNS[:-1] and "Report" not in legend(every_ok)
    assert all(len(tr.find_all("td")) == len(COLUMNS) - 1 for tr in every_ok.find("tbody").find_all("tr"))
    assert not any(td.get_text() == "ok" for td in every_ok.find_all("td"))
    with_pdf = page(**{ids[0]: {"pdf": f"accounts/{ids[0]}.pdf"}})  # kit run --pdf: the column links the PDFs
    assert columns(with_pdf) == COLUMNS and legend(with_pdf)[-1] == "Report"
    assert _rows(str(with_pdf))[ids[0]]["report"].get_text() == "ok · PDF"
    failed = page(**{ids[2]: {"status": "failed", "report": None, "error": "boom"}})
    rows = _rows(str(failed))
    assert columns(failed) == COLUMNS and rows[ids[2]]["report"].get_text() == "failed: boom"
    assert rows[ids[0]]["report"].get_text() == "ok"


# --- thousands of accounts: the first 200 matching rows shown, sorting and filtering all -------
BIG = 5000
LOWEST, NEEDLE = 4321, 4567  # the lowest health index, and the one "Zephyr" name: far beyond row 200


@pytest.fixture(scope="module")
def big_model(hostile_model):
    """The hand-made model with 5,000 made-up accounts (every 10th unassessed; industries
    Retail and Energy in turn; categories in turn)."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from kit.schema import CATEGORIES

    i = np.arange(BIG)
    health = np.where(i % 10 == 9, np.nan, 1 + (i * 37) % 99).astype(float)
    health[LOWEST] = 0.5
    rag = ["" if np.isnan(h) else "green" if h >= 70 else "amber" if h >= 50 else "red" for h in health]
    fig = pd.DataFrame({
        "account_name": [f"Zephyr {k}" if k == NEEDLE else f"Account {k:04d}" for k in i],
        "category": [CATEGORIES[k % 4] for k in i], "revenue_t4q": ((i * 7919) % 100_000).astype(float),
        "health_index": health, "health_rag": [r or None for r in rag],
        "quadrant": [None if np.isnan(h) else "Thriving" if h >= 50 else "At risk" for h in health],
        "n_warnings": i % 5, "industry": np.where(i % 2 == 0, "Retail", "Energy"),
        "region": "EMEA", "account_manager": [f"Manager {k % 40}" for k in i],
    }, index=pd.Index([f"B{k:04d}" for k in i], name="account_id"))
    return dataclasses.replace(hostile_model, figures=fig)


@pytest.fixture(scope="module")
def big_page(big_model) -> str:
    ids = list(big_model.figures.index)
    accounts = {a: {"status": "ok", "report": f"accounts/{a}.html", "error": None} for a in ids}
    return index_page(big_model, accounts, {"status": "ok"}, ids=ids, audience="internal")


@pytest.fixture
def open_big(browser, big_page, tmp_path):
    """``open_big(hash='', js=True)``: the 5,000-account index.html opened from file://."""
    with _page_opener(browser, big_page, tmp_path / "index.html") as open_:
        yield open_


def _shown_ids(page) -> list[str]:
    return page.eval_on_selector_all("#accounts tbody tr", "trs => trs.map(tr => tr.cells[1].textContent)")


def _health_order(f, *, descending: bool) -> list[str]:
    """Ids by health index, missing last whatever the direction, ties in page order."""
    known = f[f["health_index"].notna()]
    order = known.assign(_o=range(len(known))).sort_values(["health_index", "_o"], ascending=[not descending, True])
    return list(order.index) + list(f.index[f["health_index"].isna()])


def test_the_large_page_holds_every_row_for_a_browser_without_javascript(big_page, open_big):
    assert len(_soup(big_page).find("table", id="accounts").tbody.find_all("tr")) == BIG
    page, problems = open_big(js=False)
    assert page.eval_on_selector_all("#accounts tbody tr", "trs => trs.filter(tr => tr.offsetParent).length") == BIG
    assert page.locator(".shown").inner_text() == f"{BIG:,} of {BIG:,} accounts shown"
    assert not page.locator("#more").is_visible() and not page.locator("#filters").is_visible()
    assert not problems


def test_browser_shows_the_first_200_rows_and_more_on_request(big_model, open_big):
    page, problems = open_big()
    ids = list(big_model.figures.index)
    assert _shown_ids(page) == ids[:200]
    assert page.locator(".shown").inner_text() == "Showing 200 of 5,000 accounts; sorting and filtering cover them all"
    assert page.locator("#more").is_visible() and page.locator("#more-text").inner_text() == "Showing 200 of 5,000 accounts."
    page.get_by_role("button", name="Show 200 more").click()
    assert _shown_ids(page) == ids[:400]
    assert page.locator(".shown").inner_text().startswith("Showing 400 of 5,000 accounts")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")  # a printout lists every account
    assert len(_shown_ids(page)) == BIG
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert _shown_ids(page) == ids[:400]
    page.get_by_role("button", name="Show all 5,000").click()
    assert _shown_ids(page) == ids
    assert page.locator(".shown").inner_text() == "5,000 of 5,000 accounts shown" and not page.locator("#more").is_visible()
    assert not problems


def test_browser_sorts_and_filters_every_account_not_only_those_shown(big_model, open_big):
    f = big_model.figures
    page, problems = open_big()
    health = page.get_by_role("button", name="Health index")
    health.click()
    assert _shown_ids(page) == _health_order(f, descending=False)[:200]
    assert _shown_ids(page)[0] == f"B{LOWEST:04d}"  # row 4,322 of the page: sorted over every account
    health.click()
    assert _shown_ids(page) == _health_order(f, descending=True)[:200]
    page.select_option("#f-category", "Core")  # a filter keeps the order
    core = [a for a in _health_order(f, descending=True) if f.loc[a, "category"] == "Core"]
    assert _shown_ids(page) == core[:200]
    assert page.locator(".shown").inner_text() == (
        f"Showing 200 of {len(core):,} matching accounts (of 5,000); sorting and filtering cover them all")
    assert page.locator("#show-all").inner_text() == f"Show all {len(core):,}"
    page.select_option("#f-category", "")
    page.fill("#f-text", "zephyr")  # a name in row 4,568
    page.wait_for_function("document.getElementById('shown-n').textContent === '1'")
    assert _shown_ids(page) == [f"B{NEEDLE:04d}"] and page.locator(".shown").inner_text() == "1 of 5,000 accounts shown"
    assert not page.locator("#more").is_visible()
    page.get_by_role("button", name="Clear").click()
    page.wait_for_function("document.getElementById('shown-n').textContent === '5,000'")
    assert len(_shown_ids(page)) == 200
    assert not problems


def test_browser_opens_a_large_index_filtered_from_a_link(big_model, open_big):
    """The portfolio report's segment links (index.html#industry=Retail) on 5,000 accounts."""
    f = big_model.figures
    page, problems = open_big("#industry=Retail&category=Strategic")
    page.wait_for_function("document.getElementById('f-industry').value === 'Retail'")
    expected = [a for a in f.index if f.loc[a, "industry"] == "Retail" and f.loc[a, "category"] == "Strategic"]
    assert page.locator("#shown-n").inner_text() == f"{len(expected):,}"
    assert _shown_ids(page) == expected[:200] and len(expected) > 200
    assert page.locator(".shown").inner_text().startswith(f"Showing 200 of {len(expected):,} matching accounts")
    page.evaluate("() => { location.hash = 'q=zephyr'; }")
    page.wait_for_function("document.getElementById('shown-n').textContent === '1'")
    assert _shown_ids(page) == [f"B{NEEDLE:04d}"]
    assert not problems
