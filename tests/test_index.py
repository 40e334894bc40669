"""index.html: links, failures, escaping; self-contained."""

from __future__ import annotations

import pytest

from kit.index import index_page
from kit.report import AccountReport


@pytest.fixture(scope="module")
def report(synth_portfolio) -> AccountReport:
    return AccountReport.load(synth_portfolio(6, 2), None)


def test_index_page_links_and_failures(report):
    m = report.model
    ids = list(m.figures.index)
    accounts = {a: {"status": "ok", "report": f"accounts/{a}.html", "error": None} for a in ids}
    accounts[ids[1]] = {"status": "failed", "report": None, "error": "ValueError: <boom>"}
    page = index_page(m, accounts, {"status": "ok"}, ids=ids, audience="internal")
    assert 'href="portfolio.html"' in page and f'href="accounts/{ids[0]}.html"' in page
    assert "failed: ValueError: &lt;boom&gt;" in page and "1 account report(s) failed" in page
