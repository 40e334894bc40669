"""The portfolio report of a large portfolio (issue 18): charts that aggregate or name only
the accounts that matter, lists that show the extremes, segment summaries linking to the
index page, and the full ranking in pages."""

from __future__ import annotations

import dataclasses
import math
import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from kit.config import Settings
from kit.report import PortfolioReport, charts
from kit.report import portfolio as pf
from kit.report.loading import load_model
from kit.schema import CATEGORIES, ELEMENT_IDS

N = 130


@pytest.fixture(scope="module")
def big(synth_portfolio) -> PortfolioReport:
    return PortfolioReport(model=load_model(synth_portfolio(N, 5)))


def _rows_after(html: str, marker: str) -> list[list[str]]:
    """The rows of the first table after ``marker`` (tags stripped)."""
    part = html.split(marker, 1)[1]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body)]


def _cells(html: str, heading: str) -> list[list[str]]:
    """The rows of the first table after ``<h3>heading</h3>``."""
    return _rows_after(html, f"<h3>{heading}</h3>")


def test_a_portfolio_is_large_above_the_full_detail_limit(big, sample_dir):
    assert big.large and len(big.fig) == N > pf.FULL_DETAIL
    assert not PortfolioReport(model=load_model(sample_dir)).large


def test_the_heatmap_shows_segment_means_and_the_weakest_accounts(big):
    el = big.model.assessment.elements
    wide = el.pivot(index="account_id", columns="element", values="score").reindex(columns=list(ELEMENT_IDS))
    seg = pf._segment_means(wide, big.fig)
    cat = big.fig.loc[wide.index, "category"]
    first = next(c for c in CATEGORIES if (cat == c).any())
    row = seg.loc[f"Category: {first} ({int((cat == first).sum())})"]
    np.testing.assert_allclose(row.to_numpy(float), wide[cat == first].mean().to_numpy(float))
    html = big.heatmap().html
    assert html.count("<img") == 2 and "tables/element_scores.csv" in html
    assert f"the {pf.HEATMAP_ACCOUNTS} accounts with the lowest complete health index" in html


def test_quadrant_names_only_the_largest_accounts_of_each_quadrant(big):
    html = big.quadrant().html
    f = big.fig[big.fig["quadrant"].notna()]
    for q, n in f["quadrant"].value_counts().items():
        if n > pf.NAMES_PER_QUADRANT:
            top = f[f["quadrant"] == q].sort_values("revenue_t4q", ascending=False, kind="stable").head(pf.NAMES_PER_QUADRANT)
            names = ", ".join(top["account_name"].astype(str)) + f" and {n - pf.NAMES_PER_QUADRANT} more"
            assert names in unescape(html)
    assert f"names the {pf.NAMED_IN_CHARTS} largest accounts" in html


def test_the_quadrant_sentence_names_all_four_quadrants(big):
    """The sentence under the chart counts every quadrant, so that they add up to the
    accounts placed (it had left Building out)."""
    import re

    html = unescape(big.quadrant().html)
    n = big.fig["quadrant"].value_counts()
    m = re.search(r"are coasting: .*?; ([\d,]+) at risk, ([\d,]+) building and ([\d,]+) thriving\.", html)
    assert m, html[:2000]
    got = [int(x.replace(",", "")) for x in m.groups()]
    assert got == [int(n.get("At risk", 0)), int(n.get("Building", 0)), int(n.get("Thriving", 0))]
    assert sum(got) + int(n.get("Coasting", 0)) == int(big.fig["quadrant"].notna().sum())


def test_the_ranking_pages_every_account_once_and_names_the_weakest(big):
    html = big.accounts().html
    f = big.fig
    rated = int(f["health_index"].notna().sum())
    assert 0 < rated < N  # the synthetic portfolio leaves some accounts unassessed
    pages = re.findall(r'<details class="page"( open)?><summary>(Ranks|Not ranked, no health index:) '
                       r"([\d,]+)–([\d,]+) of ([\d,]+)</summary>", html)
    ranks = [p for p in pages if p[1] == "Ranks"]
    rest = [p for p in pages if p[1] != "Ranks"]
    assert len(ranks) == math.ceil(rated / pf.PAGE_ROWS) and len(rest) == math.ceil((N - rated) / pf.PAGE_ROWS)
    assert pages[0][0] == " open" and not any(p[0] for p in pages[1:])
    assert ranks[-1][3] == ranks[-1][4] == str(rated)  # ranks count the ranked accounts only
    assert rest[-1][3] == rest[-1][4] == str(N - rated)
    ranked = html.split("Every account,", 1)[1]
    for acc in big.fig.index:
        assert ranked.count(f"<td>{acc}</td>") == 1
    weakest = _cells(html, "The 10 weakest accounts")
    f = big.fig[big.fig["health_complete"].eq(True)]
    expected = f.sort_values(["health_index", "revenue_t4q"], ascending=[True, True], kind="stable")
    assert [unescape(r[2]) for r in weakest] == [str(a) for a in expected.index[:10]]


def _ranking_rows(html: str) -> list[list[str]]:
    """Every row of the ranking's tables after "Every account," (or of its one table), tags stripped."""
    part = html.split("Every account,", 1)[1] if "Every account," in html else html
    return [[unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", part) if "<td" in tr]


@pytest.mark.parametrize("n_accounts", [N, 30])
def test_accounts_without_a_health_index_are_listed_after_the_ranking_with_no_rank(big, n_accounts):
    """Unknown is never ranked as if known: ranks 1..n go to the accounts with a health
    index; the unassessed follow, by T4Q revenue, with a dash for a rank (a large portfolio
    in pages, a small one in one table)."""
    fig = big.fig.iloc[:n_accounts]
    report = PortfolioReport(model=dataclasses.replace(big.model, figures=fig))
    html = report.accounts().html
    rows = _ranking_rows(html)
    assert [r[2] for r in rows] == [str(a) for a in _expected_order(fig)]  # every account once, in order
    rated = fig["health_index"].notna()
    n = int(rated.sum())
    assert 0 < n < n_accounts
    assert [r[0] for r in rows] == [f"{i:,}" for i in range(1, n + 1)] + ["—"] * (n_accounts - n)
    assert all(fig.loc[r[2], "health_index"] == fig.loc[r[2], "health_index"] for r in rows[:n])  # not NaN
    assert all(r[5] == "—" and r[6] == "not rated" for r in rows[n:])
    revenue = fig.loc[[r[2] for r in rows[n:]], "revenue_t4q"].to_numpy()
    assert (np.diff(revenue) <= 0).all()
    words = "accounts have no health index (not assessed) and are not ranked"
    assert f"{n_accounts - n} {words}" in unescape(html)


def _expected_order(fig: pd.DataFrame) -> list[str]:
    complete = fig["health_complete"].eq(True).fillna(False).astype(bool)
    tier = np.where(complete, 0, np.where(fig["health_index"].notna(), 1, 2))
    return list(fig.assign(_t=tier).sort_values(["_t", "health_index", "revenue_t4q"], ascending=[True, False, False],
                                                na_position="last", kind="stable").index)


def test_account_names_link_to_their_reports_as_the_index_page_does(big):
    """Each account's name links to accounts/<stem>.html, the path kit run writes the report
    to and index.html links; names stay escaped (ids that are no file names: see
    test_index_page.py)."""
    from kit.files.names import report_stems
    from kit.run.layout import Layout

    hostile = big.fig.assign(account_name=[f'<b>A&B "{i}"</b>' for i in range(N)])
    report = PortfolioReport(model=dataclasses.replace(big.model, figures=hostile))
    layout = Layout("internal", report_stems(hostile.index))
    sections = {"ranking": report.accounts().html, "segments": report.segments().html,
                "warnings": report.warnings().html, "movers": report.movers().html}
    html = "".join(sections.values())
    assert "<b>" not in html
    for i, acc in enumerate(hostile.index):
        name = f"&lt;b&gt;A&amp;B &quot;{i}&quot;&lt;/b&gt;"
        # every account in the ranking (its every-account pages), linked to its report
        assert sections["ranking"].split("Every account,", 1)[1].count(f'<a href="{layout.page(acc)}">{name}</a>') == 1
    assert set(re.findall(r'<a href="(accounts/[^"]*)">', html)) <= {layout.page(a) for a in hostile.index}
    # the segments' strongest and weakest, the weakest accounts, the most serious warnings and the movers link too
    for key, heading in (("segments", "By category"), ("ranking", "The 10 weakest accounts"),
                         ("warnings", "The most serious warnings")):
        part = sections[key].split(f"<h3>{heading}</h3>", 1)[1].split("</table>", 1)[0]
        assert part.count('<a href="accounts/') >= 2, heading
    assert '<a href="accounts/' in sections["movers"]
    assert "An account's name links to its own report (in a kit run)." in unescape(sections["ranking"])


def test_strongest_and_weakest_of_a_segment_are_assessed_accounts(big):
    """An account without a health index is never a segment's strongest or weakest: each
    is the segment's highest or lowest health index among its assessed accounts."""
    fig = big.fig.copy()
    unassessed = fig["health_index"].isna()
    assert unassessed.any()
    fig.loc[unassessed, "account_name"] = [f"Unassessed {i}" for i in range(int(unassessed.sum()))]
    report = PortfolioReport(model=dataclasses.replace(big.model, figures=fig))
    for col, heading in (("category", "By category"), ("industry", "By industry"), ("region", "By region")):
        for row in _cells(report.segments().html, heading):
            segment, strongest, weakest = unescape(row[0]), unescape(row[-2]), unescape(row[-1])
            rated = fig[(fig[col] == segment) & ~unassessed]
            assert "Unassessed" not in strongest + weakest, (heading, segment)
            if rated.empty:
                assert strongest == weakest == "—"
                continue
            health = dict(zip(rated["account_name"], rated["health_index"]))
            assert health[strongest] == rated["health_index"].max() and health[weakest] == rated["health_index"].min()


def test_segments_sum_to_the_portfolio_and_link_to_the_index(big):
    html = big.segments().html
    rows = _cells(html, "By category")
    assert sum(int(r[1].replace(",", "")) for r in rows) == N
    assert [r[0] for r in rows] == [c for c in CATEGORIES if (big.fig["category"] == c).any()]
    assert 'href="index.html#category=Strategic"' in html or "Strategic" not in set(big.fig["category"])
    hostile = big.fig.assign(industry=['A&B "x" <i>'] * N)
    report = PortfolioReport(model=dataclasses.replace(big.model, figures=hostile))
    html = report.segments().html
    assert 'href="index.html#industry=A%26B%20%22x%22%20%3Ci%3E">A&amp;B &quot;x&quot; &lt;i&gt;</a>' in html
    assert "<i>" not in html


def test_segments_say_what_is_unknown(big):
    bare = big.fig.assign(industry=pd.NA, region=pd.NA)
    html = PortfolioReport(model=dataclasses.replace(big.model, figures=bare)).segments().html
    assert "Industry: unknown" in html and "Region: unknown" in html and "<h3>By category</h3>" in html


def test_account_manager_load_of_many_managers_is_a_distribution(big):
    s = big.model.settings
    am = pd.DataFrame({"account_manager": [f"AM {i:02d}" for i in range(40)],
                       "accounts": [3] * 10 + [7] * 25 + [15] * 5, "greenfield": [0] * 40, "flag": [""] * 40})
    am["flag"] = np.where(am["accounts"] < s.am_load_min, "below", np.where(am["accounts"] > s.am_load_max, "above", ""))
    fig = charts.plot_am_load_distribution(am, low=s.am_load_min, high=s.am_load_max)
    bars = fig.axes[0].containers[0]
    assert sorted(round(b.get_height()) for b in bars) == [5, 10, 25]
    html = PortfolioReport(model=dataclasses.replace(big.model, am_load=am)).am_load().html
    assert html.count("<img") == 1 and "15 of 40 account managers are outside" in html
    listed = re.findall(r"<td>(AM \d\d)</td>", html)
    assert len(listed) == pf.SEGMENT_ROWS and listed[:5] == [f"AM {i}" for i in range(35, 40)]  # furthest out first


def test_crowded_scatters_name_few_and_draw_points_as_one_picture():
    rng = np.random.default_rng(1)
    n = 400
    fig = pd.DataFrame({"health_index": rng.uniform(0, 100, n), "quadrant": rng.choice(["Thriving", "At risk"], n),
                        "hygiene_basis": "target", "revenue_attainment": rng.uniform(0.5, 1.5, n),
                        "revenue_growth": 0.0, "revenue_t4q": rng.uniform(1, 100, n),
                        "account_name": [f"Account {i}" for i in range(n)]})
    chart = charts.plot_quadrant(fig, settings=Settings(), max_labels=5)
    ax = chart.axes[0]
    names = [t.get_text() for t in ax.texts]
    assert 0 < len(names) <= 5
    assert set(names) <= set(fig.nlargest(5, "revenue_t4q")["account_name"])
    assert all(c.get_rasterized() for c in ax.collections)
    small = charts.plot_quadrant(fig.head(20), settings=Settings())
    assert not any(c.get_rasterized() for c in small.axes[0].collections)


def test_movers_count_the_moves_and_name_the_largest_accounts(big):
    from kit.report import quarter

    c = big.model.changes
    moved = c[(c["figure"] == "category") & c["previous"].notna() & c["current"].notna() & (c["previous"] != c["current"])]
    assert len(moved) > 3, "the synthetic portfolio should have category moves"
    html = quarter.movers(big.model, money=big._money, limit=3).html
    assert f"Category moves: {len(moved)} accounts" in html
    counts = _caption_rows(html, f"Category moves: {len(moved)} accounts")
    assert sum(int(r[2]) for r in counts) == len(moved)
    named = _caption_rows(html, "Category moves of the 3 largest accounts")
    rev = big.fig.loc[moved["account_id"], "revenue_t4q"].sort_values(ascending=False, kind="stable")
    assert [unescape(r[0]) for r in named] == big.fig.loc[rev.index[:3], "account_name"].astype(str).tolist()
    small = quarter.movers(big.model, money=big._money, limit=10_000).html
    assert len(_caption_rows(small, "Category moves")) == len(moved)


def _caption_rows(html: str, caption: str) -> list[list[str]]:
    """The rows of the table whose caption starts with ``caption``."""
    return _rows_after(html, f"<caption>{caption}")


def test_segments_of_revenue_only_data_leave_out_what_is_unknown(synth_portfolio, tmp_path):
    import shutil

    src = synth_portfolio(N, 5)
    for name in ("accounts.csv", "revenue.csv"):
        shutil.copy(src / name, tmp_path / name)
    report = PortfolioReport(model=load_model(tmp_path))
    html = report.segments().html
    rows = _cells(html, "By category")
    assert sum(int(r[1].replace(",", "")) for r in rows) == N
    assert "High-severity warning</th>" not in html and "Median health index" not in html
    assert "not judged for want of their tables: Single-threaded" in html
    assert "no assessment is scored" in html


def test_what_stands_out_names_the_revenue_behind_it(big, synth_portfolio, tmp_path):
    import shutil

    f = big.fig
    html = unescape(big.header().html)
    coasting = f[f["quadrant"] == "Coasting"]
    assert f"Coasting, on target for revenue but not healthy: {len(coasting)} accounts, " \
           f"{coasting['revenue_t4q'].sum():,.0f}" in html
    complete = f[f["health_complete"].eq(True)].sort_values(["health_index", "revenue_t4q"], ascending=[True, False],
                                                             kind="stable")
    assert f"Weakest assessed account: {complete['account_name'].iloc[0]} (" in html
    assert f"strongest: {complete['account_name'].iloc[-1]} (" in html
    src = synth_portfolio(N, 5)
    for name in ("accounts.csv", "revenue.csv"):
        shutil.copy(src / name, tmp_path / name)
    assert "What stands out" not in PortfolioReport(model=load_model(tmp_path)).header().html  # nothing it can know


def test_the_most_serious_warnings_name_each_account_once(big):
    html = big.warnings().html
    part = html.split("The most serious warnings", 1)[1]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    ids = [re.findall(r"<td[^>]*>(.*?)</td>", tr)[1] for tr in re.findall(r"<tr>(.*?)</tr>", body)]
    assert len(ids) == min(10, big.model.warnings["account_id"].nunique()) and len(set(ids)) == len(ids)


def test_market_position_says_what_the_colours_and_grey_mean(big, synth_portfolio, tmp_path):
    import shutil

    f, s = big.fig, big.model.settings
    html = unescape(big.market().html)
    drawn = f["market_share"].gt(0) & f["market_growth"].notna()
    rag = f.loc[drawn, "health_rag"]
    grey = int(rag.isna().sum() + rag.eq("incomplete").sum())
    assert grey, "the synthetic portfolio should have accounts without an assessment"
    assert (f"colour by health-index band ({int(rag.eq('green').sum())} green, {int(rag.eq('amber').sum())} amber, "
            f"{int(rag.eq('red').sum())} red, {grey} grey)") in html  # the alt text
    assert (f"Colour: the band of the account's health index, as in the ranking (green {s.rag_green:g} or more, amber "
            f"{s.rag_amber:g} to below {s.rag_green:g}, red below {s.rag_amber:g}).") in html
    assert f"Grey: {int(rag.isna().sum())} accounts without a health index (no scored assessment)" in html and "unknown, not low" in html
    # revenue data only: one colour, and nothing said about colours
    src = synth_portfolio(N, 5)
    for name in ("accounts.csv", "revenue.csv"):
        shutil.copy(src / name, tmp_path / name)
    bare = PortfolioReport(model=load_model(tmp_path)).market().html
    assert "Colour:" not in bare and "health-index band" not in bare and "Star" in bare


def test_market_position_greys_an_incomplete_health_index_and_says_why(big):
    f = big.fig
    drawn = f.index[f["market_share"].gt(0) & f["market_growth"].notna() & f["health_rag"].isin(["green", "amber", "red"])]
    one = drawn[0]
    fig = f.assign(health_complete=f["health_complete"].mask(f.index == one, False),
                   health_rag=f["health_rag"].mask(f.index == one, "incomplete"))
    html = unescape(PortfolioReport(model=dataclasses.replace(big.model, figures=fig)).market().html)
    s = big.model.settings
    assert f"and 1 account with an incomplete one (fewer than {s.min_scored_elements} elements scored)" in html
