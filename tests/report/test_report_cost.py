"""An account report's cost does not grow with the portfolio (issue 18): it reads its own
rows of each input table, cut once, and the whole portfolio's figures every report shows
the same are computed once per model.  Each shortcut gives exactly what it replaces."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kit.figures.history import revenue_history
from kit.figures.pipeline import portfolio_offerings, whitespace_matrix
from kit.report import AccountReport
from kit.report.loading import load_model, portfolio_wide

SECTIONS = ("header", "summary", "since_last_quarter", "history", "data_behind", "assessment", "indicators", "revenue",
            "concentration", "stakeholders", "pipeline", "whitespace", "kpis", "warnings", "recommendations", "plan",
            "benchmarks")


@pytest.fixture(scope="module")
def model(synth_portfolio):
    return load_model(synth_portfolio(30, 11))


def test_own_rows_are_the_account_rows_of_every_table(model):
    for acc in list(model.figures.index)[:10]:
        own = AccountReport(model=model, account_id=acc).own
        assert set(own.tables) == set(model.portfolio.tables)
        for name, df in model.portfolio.tables.items():
            expected = df[df["account_id"] == acc] if "account_id" in df.columns else df
            pd.testing.assert_frame_equal(own.table(name), expected)


def test_an_account_without_rows_gets_empty_tables_with_their_columns(model):
    bare = model.portfolio.tables["accounts"].iloc[:1].assign(account_id="new-one", account_name="New One")
    figures = pd.concat([model.figures, model.figures.iloc[:1].rename(index={model.figures.index[0]: "new-one"})])
    m = dataclasses.replace(model, figures=figures, portfolio=dataclasses.replace(
        model.portfolio, tables={**model.portfolio.tables, "accounts": pd.concat([model.portfolio.tables["accounts"], bare])}))
    own = AccountReport(model=m, account_id="new-one").own
    assert len(own.table("revenue")) == 0 and list(own.table("revenue").columns) == list(m.portfolio.table("revenue").columns)


def test_pages_are_the_same_with_and_without_the_shortcuts(model, monkeypatch):
    ids = list(model.figures.index)
    fast = {a: "".join(getattr(AccountReport(model=model, account_id=a), s)().html for s in SECTIONS) for a in ids}
    import kit.report.account as ka
    import kit.report.loading as kl

    monkeypatch.setattr(ka.AccountReport, "own", property(lambda self: self.model.portfolio))
    monkeypatch.setattr(ka.AccountReport, "own_model", property(lambda self: self.model))
    monkeypatch.setattr(kl._WIDE, "get", lambda model, name, compute: compute())
    slow = {a: "".join(getattr(AccountReport(model=model, account_id=a), s)().html for s in SECTIONS) for a in ids}
    assert fast == slow


def test_portfolio_wide_values_are_computed_once_per_model(model):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert portfolio_wide(model, "x-test", compute) == 1 and portfolio_wide(model, "x-test", compute) == 1
    other = dataclasses.replace(model)
    assert portfolio_wide(other, "x-test", compute) == 2  # another model: computed again
    assert len(calls) == 2


def test_whitespace_and_revenue_history_of_own_rows_equal_the_whole_tables(model):
    rev, opp = model.portfolio.table("revenue"), model.portfolio.table("opportunities")
    first = int(rev["quarter"].min())
    for acc in list(model.figures.index)[:8]:
        mine_rev, mine_opp = rev[rev["account_id"] == acc], opp[opp["account_id"] == acc]
        kw = {"quarter": model.quarter, "as_of": pd.Timestamp(model.as_of)}
        pd.testing.assert_frame_equal(
            whitespace_matrix(mine_rev, mine_opp, acc, offerings=portfolio_offerings(rev, opp), **kw),
            whitespace_matrix(rev, opp, acc, **kw))
        targets = model.portfolio.table("targets")
        pd.testing.assert_frame_equal(
            revenue_history(mine_rev, targets[targets["account_id"] == acc], account_id=acc, last_quarter=model.quarter,
                            first_quarter=first),
            revenue_history(rev, targets, account_id=acc, last_quarter=model.quarter))
