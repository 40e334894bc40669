"""A run that renders some accounts (``kit run --accounts``): the portfolio report still
covers the whole portfolio, but its pointers to ``tables/`` and the index page say that
those hold only the selected accounts (issue 18)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from kit.errors import UsageError
from kit.figures.tables import output_tables
from kit.report import PortfolioReport
from kit.report import portfolio as pf
from kit.report.loading import load_model

N = 130


@pytest.fixture(scope="module")
def model(synth_portfolio):
    return load_model(synth_portfolio(N, 5))


@pytest.fixture(scope="module")
def picked(model) -> tuple[str, str]:
    # two accounts with warnings, so the run's warnings.csv is not empty either
    ids = model.warnings["account_id"].drop_duplicates()
    return (str(ids.iloc[0]), str(ids.iloc[1]))


def _page(report: PortfolioReport) -> str:
    """The text of every section that points to a file of the run folder."""
    sections = (report.quadrant(), report.heatmap(), report.warnings(), report.segments(), report.accounts())
    html = "".join(s.html for s in sections)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_files_of_a_run_with_accounts_hold_only_those(model, picked):
    # what the pointers describe: kit run writes tables/ with output_tables(model, ids)
    tables = output_tables(model, list(picked))
    for name in ("account_summary", "changes", "element_scores", "warnings"):
        assert set(tables[name]["account_id"]) <= set(picked) and len(tables[name]), name
    assert len(tables["account_summary"]) == 2
    assert len(output_tables(model)["account_summary"]) == N


def test_a_report_of_selected_accounts_says_the_files_hold_only_them(model, picked):
    report = PortfolioReport(model=model, selected=picked)
    assert report.large and len(report.fig) == N  # the report itself covers every account
    text = _page(report)
    only = f"only the 2 accounts selected for this run (kit run --accounts), not all {N}"
    assert f"tables/account_summary.csv and the index page hold {only}." in text  # the ranking
    assert f"tables/account_summary.csv holds {only}." in text  # the segments beyond the 15 shown
    assert f"tables/element_scores.csv holds the scores of {only}, each also in its own report." in text
    assert f"tables/warnings.csv holds the warnings of {only}." in text
    assert f"the index page lists {only}, each with its quadrant." in text
    assert f"filtered to its accounts (in a kit run); this run's index page holds {only}." in text  # the segment links
    for claim in (
        "Every account is in tables/account_summary.csv",
        "is in tables/account_summary.csv",
        "Every account's element scores",
        "Every warning is in",
        "lists every account",
    ):
        assert claim not in text
    # the report still lists every account: the assessed ones ranked, the others after them
    rated = int(model.figures["health_index"].notna().sum())
    assert 0 < rated < N
    html = report.accounts().html
    assert f"Ranks {rated - (rated - 1) % pf.PAGE_ROWS}–{rated} of {rated}</summary>" in html
    assert f"Not ranked, no health index: 1–{N - rated} of {N - rated}</summary>" in html


def test_only_the_selected_accounts_link_to_their_reports(model, picked):
    """The reports of a run of some accounts are those accounts' only: the others' names
    stay text, as the index page of that run lists the selected accounts only."""
    from kit.files.names import report_stems
    from kit.run.layout import Layout

    report = PortfolioReport(model=model, selected=picked)
    html = report.accounts().html + report.warnings().html + report.segments().html + report.movers().html
    layout = Layout("internal", report_stems(model.figures.index))  # where kit run writes them
    linked = re.findall(r'<a href="(accounts/[^"]*)">', html)
    assert set(linked) == {layout.page(a) for a in picked}
    ranking = report.accounts().html
    for acc in model.figures.index[:20]:
        name = pf.esc(model.figures.at[acc, "account_name"])
        if acc in picked:
            assert f'<a href="{layout.page(acc)}">{name}</a>' in ranking
        else:
            assert f"<td>{name}</td>" in ranking
    only = f"only the 2 accounts selected for this run (kit run --accounts), not all {N}"
    assert f"An account's name links to its own report (in a kit run; this run renders the reports of {only})." \
        in _page(report)


def test_a_report_of_every_account_says_the_files_hold_them_all(model, picked):
    every = _page(PortfolioReport(model=model))
    assert "Every account is in tables/account_summary.csv, and the index page sorts and filters them." in every
    assert re.search(r"every account with its [a-z ]+ is in tables/account_summary.csv\.", every)
    assert "Every account's element scores are in tables/element_scores.csv and in its own report." in every
    assert "Every warning is in tables/warnings.csv." in every
    assert "the index page lists every account with its quadrant." in every
    assert "selected for this run" not in every
    # every account named with --accounts is a run of every account
    assert _page(PortfolioReport(model=model, selected=tuple(model.figures.index))) == every


def test_the_selection_comes_through_load_and_is_checked(model, picked, synth_portfolio):
    report = PortfolioReport.load(synth_portfolio(N, 5), accounts=[picked[1], picked[0], picked[1]])
    assert report.selected == (picked[1], picked[0])  # once each, in the order given
    assert PortfolioReport.load(synth_portfolio(N, 5)).selected is None
    with pytest.raises(UsageError, match="accounts: unknown account id.*'NOPE'") as err:
        PortfolioReport(model=model, selected=("NOPE",))
    assert err.value.param == "accounts"


def test_the_movers_say_which_accounts_changes_csv_holds(model, picked):
    """Above 15 moves of a kind the movers name the largest and point to tables/changes.csv:
    in a run of some accounts that file holds only them."""
    only = f"only the 2 accounts selected for this run (kit run --accounts), not all {N}"
    whole = unescape(re.sub(r"<[^>]+>", " ", PortfolioReport(model=model).movers().html))
    some = unescape(re.sub(r"<[^>]+>", " ", PortfolioReport(model=model, selected=picked).movers().html))
    assert "every change is in tables/changes.csv" in whole and "selected for this run" not in whole
    assert f"tables/changes.csv holds {only}" in some and "every change is in" not in some
