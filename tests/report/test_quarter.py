"""The quarter-over-quarter sections (issue 17): moves in words, drivers, history, movers,
and the QBR's progress in the client's words."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.changes import with_quarter_changes
from kit.figures.history import revenue_history
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio
from kit.report import charts, quarter
from kit.report.blocks import esc
from kit.schema import CATEGORIES, QUADRANTS


def money(v: object) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):,.0f}"


@pytest.fixture(scope="module")
def model(sample_dir):
    return with_quarter_changes(build_model(load_portfolio(sample_dir), Settings()))


def _moved(model, figure: str) -> str:
    c = model.changes
    rows = c[(c["figure"] == figure) & c["previous"].notna() & (c["previous"] != c["current"])]
    if rows.empty:
        pytest.skip(f"no {figure} move in this portfolio")
    return rows["account_id"].iloc[0]


def test_a_category_move_is_said_with_its_reason(model):
    acc = _moved(model, "category")
    c = model.changes.set_index(["account_id", "figure"])
    html = quarter.since_last_quarter(model, acc, money=money).html
    assert f"Moved from {c.loc[(acc, 'category'), 'previous']} to {c.loc[(acc, 'category'), 'current']}: " in html


def test_warnings_new_and_cleared_are_named_in_words(model):
    c = model.changes
    rows = c[(c["figure"] == "warnings_appeared") & c["current"].fillna("").ne("")]
    acc = rows["account_id"].iloc[0]
    html = quarter.since_last_quarter(model, acc, money=money).html
    assert "new: " in html
    shown = re.search(r"<strong>Warnings:</strong>(.*?)</p>", html).group(1)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), shown  # no rule ids in front of a reader


def test_the_drivers_chart_draws_one_bar_per_element_scored_in_both(model):
    from kit.figures.tables import health_drivers

    d = health_drivers(model)
    acc = d.dropna(subset=["contribution"])["account_id"].iloc[0]
    mine = d[d["account_id"] == acc]
    fig = charts.plot_drivers(mine)
    bars = [p for p in fig.axes[0].patches]
    assert len(bars) == mine["contribution"].notna().sum()
    widths = sorted(abs(b.get_width()) for b in bars)
    assert widths[-1] == pytest.approx(mine["contribution"].abs().max())


def test_a_settings_change_is_said_beside_the_changes(model):
    changed = replace(model, comparison={**model.comparison,
                                         "settings_changes": [{"setting": "rag_green", "before": 70.0, "now": 75.0}]})
    acc = model.figures.index[0]
    assert "rag_green: 70.0 → 75.0" in quarter.since_last_quarter(changed, acc, money=money).html
    assert "rag_green" in quarter.movers(changed, money=money).html


def test_the_client_progress_speaks_the_clients_language(model):
    internal = [*CATEGORIES, *QUADRANTS, "T4Q", "hygiene", "quadrant", "whitespace", "warning", "crop rotation",
                "colonization", "health index"]
    for acc in model.figures.index:
        text = quarter.client_progress(model, acc, money=money).html
        for word in internal:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), (acc, word, text)


def test_movers_list_category_moves_from_and_to(model):
    acc = _moved(model, "category")
    html = quarter.movers(model, money=money).html
    assert "Category moves" in html and model.figures.loc[acc, "account_name"].split()[0] in html


def test_revenue_history_is_unknown_before_the_data_not_zero():
    revenue = pd.DataFrame({"account_id": ["A", "A"], "quarter": [8100, 8102], "amount": [10.0, 30.0]})
    targets = pd.DataFrame({"account_id": ["A"], "quarter": [8102], "revenue_target": [25.0]})
    h = revenue_history(revenue, targets, account_id="A", last_quarter=8102, quarters=4)
    assert pd.isna(h.loc[8099, "revenue"])  # before the data: unknown
    assert h.loc[8101, "revenue"] == 0.0  # inside the data, nothing billed: zero
    assert h.loc[8102, "target"] == 25.0 and pd.isna(h.loc[8100, "target"])


def test_history_shows_every_assessment(model):
    a = model.portfolio.table("assessment")
    acc = a.groupby("account_id")["assessed_on"].nunique().idxmax()
    html = quarter.history(model, acc).html
    n = a[a["account_id"] == acc]["assessed_on"].nunique()
    assert f"health index at {n} assessments" in html


def _table_after(html: str, marker: str) -> list[list[str]]:
    body = html.split(marker, 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body)]


def test_movers_say_the_health_index_changes_are_since_each_accounts_previous_assessment(model):
    """The health-index changes compare each account's latest assessment with its previous
    one (which may be a year old), not the quarter before as tables/changes.csv does: the
    section says which part is which, and gives both assessment dates on each row."""
    acc = model.assessment.accounts
    moved = acc["health_change"].dropna()
    if not (moved != 0).any():
        pytest.skip("no account with two assessments in this portfolio")
    html = quarter.movers(model, money=money, link=lambda a: f"<i>{esc(a)}</i>").html  # ids: easy to look up
    quarterly, since = html.split("<h3>Health index since each account's previous assessment</h3>")
    assert "Quarter over quarter: compared with" in quarterly and "Largest health-index" not in quarterly
    assert "rises and falls" not in html
    text = unescape(re.sub(r"<[^>]+>", " ", since))
    assert "Not quarter over quarter: each account's latest assessment against its previous one" in text
    assert (f"({len(moved)} account{'s' if len(moved) != 1 else ''} with two assessments to compare)"
            in text)
    c = model.changes[model.changes["figure"] == "health_index"].dropna(subset=["previous", "current"])
    in_quarter = int((c["current"].astype(float) != c["previous"].astype(float)).sum())
    assert f"the health index moved for {in_quarter} account" in text
    caption = ("Largest health-index changes since each account's previous assessment (like with like: the elements "
               "scored both times)")
    assert caption in text
    rows = _table_after(since, "</caption>")
    assert rows and all(len(r) == 4 for r in rows)
    for a, previous, latest, change in rows:
        assert previous == f"{acc.at[a, 'previous_assessed_on']:%Y-%m-%d}" and latest == f"{acc.at[a, 'assessed_on']:%Y-%m-%d}"
        assert previous < latest and change == f"{acc.at[a, 'health_change']:+.1f}"
    # the largest rises, then the largest falls
    expected = sorted(moved[moved > 0], reverse=True)[:5] + sorted(moved[moved < 0])[:5]
    assert [r[3] for r in rows] == [f"{v:+.1f}" for v in expected]


def test_movers_link_account_names_with_the_link_given(model):
    acc = _moved(model, "category")
    html = quarter.movers(model, money=money, link=lambda a: f'<a href="accounts/{esc(a)}.html">{esc(a)}</a>').html
    assert f'<a href="accounts/{acc}.html">{acc}</a>' in html
    plain = quarter.movers(model, money=money).html  # no link: the name, escaped
    assert esc(model.figures.loc[acc, "account_name"]) in plain and "<a href" not in plain
