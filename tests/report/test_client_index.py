"""The consultant's index of a client run (``_consultant/index.html``): a row per account
with its folder and deliverables; a column that would say the same on every row is left out."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from kit.config import Settings
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio
from kit.report.client_index import client_index_page


@pytest.fixture(scope="module")
def model(synth_portfolio):
    return build_model(load_portfolio(synth_portfolio(6, 2)), Settings())


def _table(page: str) -> tuple[list[str], dict[str, list[str]]]:
    table = BeautifulSoup(page, "html.parser").find("table", class_="accounts")
    heads = [th.get_text() for th in table.thead.find_all("th")]
    rows = {}
    for tr in table.tbody.find_all("tr"):
        cells = [td.get_text() for td in tr.find_all("td")]
        rows[cells[1]] = cells
    return heads, rows


def _page(model, **changes: dict) -> str:
    ids = list(model.figures.index)
    stems = {a: a for a in ids}
    accounts = {a: {"status": "ok", "error": None, "report": f"{a}/{a}.html", **changes.get(a, {})} for a in ids}
    return client_index_page(model, accounts, ids=ids, stems=stems)


def test_every_deliverable_ok_and_none_made_leaves_out_status_pdf_and_deck(model):
    heads, rows = _table(_page(model))
    assert heads == ["Account", "Id", "Folder to send", "Business review"]
    assert list(rows) == list(model.figures.index)
    assert all(cells[3] == "page" and len(cells) == 4 for cells in rows.values())


def test_a_failure_brings_the_status_column_and_pdfs_and_decks_their_own(model):
    ids = list(model.figures.index)
    page = _page(model, **{ids[0]: {"pdf": f"{ids[0]}/{ids[0]}.pdf", "deck": f"{ids[0]}/{ids[0]}.pptx"},
                           ids[1]: {"status": "failed", "error": "RuntimeError: <x>", "report": None}})
    heads, rows = _table(page)
    assert heads == ["Account", "Id", "Folder to send", "Business review", "PDF", "Deck", "Status"]
    assert rows[ids[0]][3:] == ["page", "PDF", "deck", "ok"]
    assert rows[ids[1]][3:] == ["—", "—", "—", "failed: RuntimeError: <x>"]
    assert rows[ids[2]][3:] == ["page", "—", "—", "ok"]
    assert "RuntimeError: &lt;x&gt;" in page and "1 account(s) failed" in page
    assert f'href="../{ids[0]}/{ids[0]}.pdf"' in page
