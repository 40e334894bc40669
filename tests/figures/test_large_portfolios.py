"""The shortcuts that make large portfolios fast give the figures of the plain way.

- the quarter-earlier model of :mod:`kit.figures.changes` (``summary_only``, reusing the
  current model's assessment scoring when the same rows count) gives the changes a full
  model of the previous quarter gives;
- each warning rule's vectorised ``may_fire`` is a necessary condition of its check, so
  checking only those accounts fires the same warnings as checking every account;
- :class:`~kit.figures.early_warnings.FigureColumns` reads the values ``figure_rows`` gives.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kit.config import Settings
from kit.figures.changes import changes_between, previous_quarter_end, with_quarter_changes
from kit.figures.early_warnings import RULES, FigureColumns, evaluate_warnings, figure_rows, order_warnings
from kit.figures.indicators import leading_indicators
from kit.figures.model import _same_assessment_rows, build_model
from kit.figures.tables import account_summary
from kit.inputs.portfolio import load_portfolio
from kit.schema import WARNINGS_COLUMNS


@pytest.fixture(scope="module")
def portfolio(synth_portfolio):
    return load_portfolio(synth_portfolio(40, 7))


@pytest.mark.parametrize("grace", [1, 0])
def test_changes_equal_those_of_a_full_previous_quarter_model(portfolio, grace):
    """With the grace window the previous quarter counts the same assessment rows (the
    scoring is reused); without it, it does not (scored again): both as a full model."""
    settings = Settings(assessment_grace_quarters=grace)
    model = build_model(portfolio, settings)
    before = previous_quarter_end(model.as_of)
    full = build_model(portfolio, settings, as_of=before)
    cut = full.assessment_cutoff
    assert _same_assessment_rows(model, portfolio, settings, portfolio.table("assessment"), cut) == (grace == 1)
    expected = changes_between(account_summary(full), account_summary(model))
    got = with_quarter_changes(model).changes
    pd.testing.assert_frame_equal(got, expected)
    assert with_quarter_changes(model).comparison["previous_totals"] == {
        k: (None if v != v else float(v)) for k, v in full.totals.items() if k in ("revenue_t4q", "revenue_growth", "grr", "nrr")}


def test_reuse_needs_the_same_portfolio_and_settings(portfolio):
    model = build_model(portfolio, Settings())
    rows = portfolio.table("assessment")
    assert not _same_assessment_rows(model, portfolio, Settings(spread_flag=2.5), rows, model.assessment_cutoff)
    assert _same_assessment_rows(model, portfolio, Settings(), rows, model.assessment_cutoff)


def test_t4q_only_indicators_are_the_t4q_rows(portfolio):
    model = build_model(portfolio, Settings())
    args = (portfolio.table("revenue"), portfolio.table("opportunities"), portfolio.table("contacts"),
            portfolio.table("activities"), portfolio.account_ids)
    full = leading_indicators(*args, quarter=model.quarter, supplied=set(portfolio.tables), data_start=model.data_start)
    short = leading_indicators(*args, quarter=model.quarter, supplied=set(portfolio.tables), data_start=model.data_start,
                               t4q_only=True)
    pd.testing.assert_frame_equal(short, full[full["period"] == "T4Q"].reset_index(drop=True), check_dtype=False)


def _every_account(figures: pd.DataFrame, settings: Settings, supplied: set[str]) -> pd.DataFrame:
    """The warnings as every rule checked on every account gives them (no ``may_fire``)."""
    rows = []
    for acc, f in figure_rows(figures):
        for rule in RULES:
            if rule.applies(supplied) and (msg := rule.check(f, settings)):
                rows.append({"account_id": acc, "warning_id": rule.id, "severity": rule.severity, "message": msg,
                             "title": rule.title, "revenue_at_risk": rule.at_risk(f)})
    return order_warnings(pd.DataFrame(rows, columns=[*WARNINGS_COLUMNS, "title", "revenue_at_risk"])).reset_index(drop=True)


@pytest.mark.parametrize("drop", [(), ("contacts", "opportunities", "assessment", "targets")])
def test_may_fire_keeps_every_warning(synth_portfolio, tmp_path, drop):
    source = synth_portfolio(40, 7)
    for p in source.glob("*.csv"):
        if p.stem not in drop:
            (tmp_path / p.name).write_bytes(p.read_bytes())
    portfolio = load_portfolio(tmp_path)
    settings = Settings()
    model = build_model(portfolio, settings)
    supplied = set(portfolio.tables)
    figures = model.figures
    pd.testing.assert_frame_equal(evaluate_warnings(figures, settings=settings, supplied=supplied),
                                  _every_account(figures, settings, supplied))
    # and rule by rule: may_fire holds wherever the check fires
    for rule in RULES:
        if rule.may_fire is None or not rule.applies(supplied):
            continue
        may = rule.may_fire(figures, settings)
        fired = [bool(rule.check(f, settings)) for _, f in figure_rows(figures)]
        assert not any(f and not m for f, m in zip(fired, may, strict=True)), rule.id


def test_may_fire_on_unknown_figures():
    """Unknown (NaN) figures never make a rule fire, and may_fire leaves them out too."""
    figures = pd.DataFrame({"hhi_buying_center": [float("nan"), 6000.0], "top_share_buying_center": [0.9, float("nan")],
                            "revenue_growth": [float("nan"), 0.0], "sole_sourced_share": [None, 0.1]}, index=["a", "b"])
    rules = {r.id: r for r in RULES}
    s = Settings()
    assert rules["concentration_buying_center"].may_fire(figures, s).tolist() == [False, True]
    assert rules["revenue_flat_or_falling"].may_fire(figures, s).tolist() == [False, True]
    assert rules["competitive_pressure"].may_fire(figures, s).tolist() == [False, True]


def test_figure_columns_read_what_figure_rows_give(portfolio):
    figures = build_model(portfolio, Settings()).figures
    columns = FigureColumns(figures)
    for at, (acc, row) in enumerate(figure_rows(figures)):
        lazy = columns.row(at)
        assert columns.index[at] == acc and len(lazy) == len(row) and set(lazy) == set(row)
        for key, value in row.items():
            got = lazy[key]
            assert type(got) is type(value) and (got is value or got == value or (got != got and value != value)), key
        assert lazy.get("no such column", "x") == "x" and "no such column" not in lazy


def test_previous_quarter_in_a_forked_child_is_the_same(portfolio, forks):
    """``kit tables`` computes the quarter-earlier figures in a forked child: the same
    figures and totals as in the process (reusing the scoring or not)."""
    from kit.figures.changes import previous_quarter, previous_quarter_in_background

    model = build_model(portfolio, Settings())
    wait = previous_quarter_in_background(portfolio, Settings(), as_of=model.as_of)
    here, totals = previous_quarter(portfolio, Settings(), as_of=model.as_of, reuse=model)
    got = wait()
    if got is None:  # no fork here (not Linux, or one core): nothing to compare
        pytest.skip("no forked child on this machine")
    pd.testing.assert_frame_equal(got[0], here)
    assert got[1] == totals
    assert with_quarter_changes(model, recomputed=got).changes.equals(with_quarter_changes(model).changes)
