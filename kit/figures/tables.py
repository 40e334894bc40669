"""The contract's output tables (``tables/*.csv``) from a :class:`~kit.model.PortfolioModel`.

Column sets and order come from :mod:`kit.schema`; numbers stay plain (rounding and
formatting happen in :func:`kit.files.tables.write_csv`).
"""

from __future__ import annotations

import pandas as pd

from kit.figures.model import PortfolioModel
from kit.schema import (
    ACCOUNT_FIGURES_COLUMNS,
    ACCOUNT_SUMMARY_COLUMNS,
    AM_LOAD_COLUMNS,
    CHANGES_COLUMNS,
    CROSS_SELL_COLUMNS,
    ELEMENT_SCORES_COLUMNS,
    HEALTH_DRIVERS_COLUMNS,
    LEADING_INDICATORS_COLUMNS,
    RECOMMENDATIONS_COLUMNS,
    REVENUE_MOTIONS_COLUMNS,
    WARNINGS_COLUMNS,
)

__all__ = ["account_figures", "account_summary", "element_scores", "health_drivers", "output_tables", "select_accounts"]


def account_summary(model: PortfolioModel) -> pd.DataFrame:
    """``account_summary.csv``: one row per account."""
    f = model.figures.reset_index()
    return f[list(ACCOUNT_SUMMARY_COLUMNS)]


def account_figures(model: PortfolioModel) -> pd.DataFrame:
    """``account_figures.csv``: every other per-account figure (lists joined by ``;``)."""
    f = model.figures.reset_index()[list(ACCOUNT_FIGURES_COLUMNS)]
    return f.assign(uncovered_buying_centers=f["uncovered_buying_centers"].map(lambda v: ";".join(v) if isinstance(v, list) else ""))


def element_scores(model: PortfolioModel) -> pd.DataFrame:
    """``element_scores.csv``: one row per account and element (latest assessment)."""
    return model.assessment.elements[list(ELEMENT_SCORES_COLUMNS)]


def select_accounts(df: pd.DataFrame, account_ids: list[str] | None) -> pd.DataFrame:
    """Rows of the chosen accounts only (all when None)."""
    return df if account_ids is None else df[df["account_id"].isin(account_ids)]


def health_drivers(model: PortfolioModel) -> pd.DataFrame:
    """Each element's contribution to the health-index change since the previous
    assessment (domain.md, scoring rule 6: like with like), for the accounts that have a
    previous assessment; the contributions of an account add up to its change.  An
    element scored in only one of the two assessments has an empty contribution."""
    e = model.assessment.elements
    had = model.assessment.accounts["previous_assessed_on"].notna()
    accounts = set(had[had].index)
    return e.loc[e["account_id"].isin(accounts), list(HEALTH_DRIVERS_COLUMNS)].reset_index(drop=True)


def output_tables(model: PortfolioModel, account_ids: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the run folder, by file stem; ``account_ids`` limits the rows
    (figures are always computed on the whole portfolio, so a subset gives the same
    numbers as a full run)."""
    tables = {
        "account_summary": (account_summary(model), ACCOUNT_SUMMARY_COLUMNS),
        "element_scores": (element_scores(model), ELEMENT_SCORES_COLUMNS),
        "warnings": (model.warnings, WARNINGS_COLUMNS),
        "revenue_motions": (model.motion_table, REVENUE_MOTIONS_COLUMNS),
        "leading_indicators": (model.indicators, LEADING_INDICATORS_COLUMNS),
        "evidence": (model.evidence, ("account_id", "element", "evidence", "evidence_weak", "score", "rated_well_evidence_weak")),
        "account_figures": (account_figures(model), ACCOUNT_FIGURES_COLUMNS),
        "recommendations": (model.recommendations, RECOMMENDATIONS_COLUMNS),
        "cross_sell": (model.cross_sell, CROSS_SELL_COLUMNS),
        "health_drivers": (health_drivers(model), HEALTH_DRIVERS_COLUMNS),
    }
    out = {name: select_accounts(df, account_ids).loc[:, list(cols)].reset_index(drop=True) for name, (df, cols) in tables.items()}
    # portfolio-wide tables: the same whatever accounts a run renders
    out["am_load"] = model.am_load.loc[:, list(AM_LOAD_COLUMNS)]
    out["retention"] = model.retention_trend.loc[:, ["period", "grr", "nrr"]]
    out["portfolio"] = pd.DataFrame([model.totals])
    if model.changes is not None:  # quarter over quarter, once computed (kit.figures.changes)
        out["changes"] = select_accounts(model.changes, account_ids).loc[:, list(CHANGES_COLUMNS)].reset_index(drop=True)
    return out
