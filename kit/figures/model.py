"""All figures of a portfolio, computed once: the model layer behind tables and reports.

:func:`build_model` runs every family of figures (revenue, assessment, concentration,
pipeline, KPIs, indicators, evidence, warnings) on a validated :class:`~kit.inputs.portfolio.Portfolio`
as of one analysis date and returns a :class:`PortfolioModel`.  Nothing here draws or
writes; :mod:`kit.tables` turns the model into the contract's CSV tables and
:mod:`kit.report` into reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.errors import UsageError
from kit.figures.assessment import AssessmentResult, assessment_cutoff, assessment_timing, score_assessments
from kit.figures.concentration import concentration, relationship_coverage, relationship_signals
from kit.figures.early_warnings import evaluate_warnings
from kit.figures.evidence import evidence
from kit.figures.grouping import lists_by_account
from kit.figures.indicators import leading_indicators
from kit.figures.kpis import (
    account_manager_load,
    account_manager_of,
    lifetime_value,
    portfolio_retention,
    retention,
    retention_trend,
    survey_kpis,
    survey_prior,
)
from kit.figures.market import bcg_quadrant
from kit.figures.pipeline import pipeline_figures
from kit.figures.quadrant import quadrant, quadrants
from kit.figures.recommendations import cross_sell_candidates, recommend
from kit.figures.revenue import (
    categorize,
    hygiene,
    motion_shares,
    motion_table,
    new_client_revenue,
    revenue_figures,
    revenue_motions,
    year_before_known,
)
from kit.figures.scale import ScaleCheck, check_category_scale
from kit.inputs.portfolio import Portfolio
from kit.periods import parse_as_of, quarter_end, quarter_label, quarter_of, quarter_start
from kit.schema import UNSPECIFIED

__all__ = ["UNKNOWN_WITHOUT", "PortfolioModel", "build_model", "quadrant", "resolve_as_of"]

#: per-account figures a table that was not supplied leaves unknown: empty in the tables,
#: "no data" in the reports, never 0 (``domain.md``: unknown is never zero)
UNKNOWN_WITHOUT: dict[str, tuple[str, ...]] = {
    "contacts": ("decision_makers", "executives", "advocates", "stakeholder_coverage"),
    "opportunities": ("open_pipeline", "weighted_pipeline", "open_opportunities", "stale_opportunities",
                      "pipeline_coverage", "win_rate_count", "win_rate_value", "won_value_t4q", "average_deal_size",
                      "sole_sourced_share", "whitespace_flag", "new_offerings_proposed_t4q"),
    "surveys": ("nps", "nps_n", "nps_few", "nps_prior", "csat", "csat_top2_share", "csat_n", "csat_prior"),
    "targets": ("revenue_target_t4q", "target_quarters", "next4_target", "pipeline_coverage"),
}

@dataclass(frozen=True)
class PortfolioModel:
    """Every figure of one portfolio as of one date.

    Attributes
    ----------
    figures : DataFrame
        One row per account (index account_id, in accounts.csv order), every per-account
        figure: the ``account_summary.csv`` columns and more.
    elements, evidence, indicators, warnings, motions, motion_table : DataFrame
        Long tables (see the modules that compute them).
    recommendations, cross_sell, am_load, retention_trend : DataFrame
        Ranked objectives per account, cross-sell whitespace, accounts per account
        manager, portfolio GRR/NRR by quarter.
    totals : dict
        Portfolio figures: revenue, growth, existing vs new-client split, GRR and NRR.
    data_start : int or None
        The data window's first quarter (the first quarter present in revenue); figures
        that need a period before it are unknown.
    assessment_cutoff : Timestamp
        The last assessment date that counts (the analysis date plus the grace window).
    scale : ScaleCheck
        Whether the category rules fit the client's scale, with suggested thresholds
        (:func:`kit.figures.scale.check_category_scale`).
    changes, comparison : DataFrame, dict or None
        Quarter over quarter (:func:`kit.figures.changes.with_quarter_changes`): each
        account's headline figures a quarter earlier and now, and what was compared
        (``basis``: "recomputed" or "run folder", ``previous_as_of``, ``settings_changes``).
    """

    portfolio: Portfolio
    settings: Settings
    as_of: dt.date
    quarter: int
    figures: pd.DataFrame
    assessment: AssessmentResult
    evidence: pd.DataFrame
    indicators: pd.DataFrame
    warnings: pd.DataFrame
    motions: pd.DataFrame
    motion_table: pd.DataFrame
    recommendations: pd.DataFrame
    cross_sell: pd.DataFrame
    am_load: pd.DataFrame
    retention_trend: pd.DataFrame
    totals: dict
    data_start: int | None = None
    assessment_cutoff: pd.Timestamp | None = None
    scale: ScaleCheck | None = None
    # quarter over quarter (kit.figures.changes.with_quarter_changes): the changes table and
    # what it compares with; None until computed
    changes: pd.DataFrame | None = None
    comparison: dict | None = None

    @property
    def t4q_label(self) -> str:
        """``2025Q4-2026Q3`` style label of the trailing four quarters."""
        return f"{quarter_label(self.quarter - 3)}-{quarter_label(self.quarter)}"

    def account(self, account_id: str) -> pd.Series:
        """One account's figures (raises UsageError for an unknown id)."""
        if account_id not in self.figures.index:
            raise UsageError(f"account_id {account_id!r} is not in accounts")
        return self.figures.loc[account_id]


def resolve_as_of(portfolio: Portfolio, as_of: str | dt.date | None) -> dt.date:
    """The analysis date: as given, else the end of the last quarter present in revenue."""
    try:
        date = parse_as_of(as_of)
    except ValueError as exc:
        raise UsageError(str(exc), param="as_of") from None
    if date is not None:
        return date
    q = portfolio.table("revenue")["quarter"]
    if q.dropna().empty:
        raise UsageError("as_of: revenue has no rows, so there is no default analysis date: give one", param="as_of")
    return quarter_end(int(q.max()))


def build_model(portfolio: Portfolio, settings: Settings, *, as_of: str | dt.date | None = None,
                summary_only: bool = False, reuse: PortfolioModel | None = None) -> PortfolioModel:
    """Compute every figure of the portfolio as of ``as_of`` (default: end of the last
    revenue quarter).  Rows dated after the analysis date are not seen.

    Parameters
    ----------
    portfolio : Portfolio
        The validated inputs.
    settings : Settings
        Thresholds and weights.
    as_of : str or date, optional
        The analysis date (default: :func:`resolve_as_of`).
    summary_only : bool
        Compute only what the quarter-over-quarter comparison of
        :mod:`kit.figures.changes` reads: the headline figures of
        :data:`kit.figures.changes.CHANGE_FIGURES`, the warnings (and every figure a rule
        reads) and the portfolio totals.  Cross-sell, recommendations, the retention
        trend, the category scale check, account-manager load, long-term value, the
        category a year earlier and the indicators other than the last four quarters are
        left out (empty tables, absent columns).
    reuse : PortfolioModel, optional
        A model of the same portfolio and settings at another date (the current quarter's,
        when the previous quarter's is built): its assessment scoring is taken as it is
        when exactly the same assessment rows count at both dates (with the grace window
        the usual case), instead of grouping every answer of the portfolio again.

    Returns
    -------
    PortfolioModel
    """
    s = settings
    date = resolve_as_of(portfolio, as_of)
    ts = pd.Timestamp(date)
    Q = quarter_of(date)
    accounts = portfolio.table("accounts")
    ids = accounts["account_id"].tolist()
    idx = pd.Index(ids, name="account_id")
    revenue = portfolio.table("revenue")
    revenue = revenue[revenue["quarter"] <= Q]
    # the data window starts at the first quarter present in revenue: what needs a period
    # before it (growth, retention, the category a year ago) is unknown, not 0
    data_start = int(revenue["quarter"].min()) if len(revenue) else None
    year_known = year_before_known(quarter=Q, data_start=data_start)
    targets = portfolio.table("targets")
    opportunities = portfolio.table("opportunities")
    if "is_open" not in opportunities:
        opportunities = opportunities.assign(is_open=pd.Series(dtype=bool), is_won=pd.Series(dtype=bool))
    contacts = portfolio.table("contacts")
    contacts = contacts[contacts["first_met"].isna() | (contacts["first_met"] <= ts)]
    activities = portfolio.table("activities")
    activities = activities[activities["date"] <= ts]
    surveys = portfolio.table("surveys")

    f = accounts.set_index("account_id")[["account_name", "industry", "region", "account_manager",
                                           "market_growth", "market_share"]].copy()
    f["bcg_quadrant"] = bcg_quadrant(accounts, settings=s).reindex(idx)
    f = f.join(categorize(revenue, ids, quarter=Q, settings=s))
    if not summary_only:  # the category a year earlier: no headline figure or warning reads it
        prev_cat = categorize(revenue, ids, quarter=Q - 4, settings=s)["category"]
        f["previous_category"] = prev_cat if year_known else pd.Series(np.nan, index=idx, dtype=object)
    figs = revenue_figures(revenue, ids, quarter=Q, data_start=data_start)
    f = f.join(figs)
    f = f.join(hygiene(figs, revenue, targets, quarter=Q, settings=s))

    # workshops follow the quarter's close: assessments up to the grace window count (rule 4)
    cutoff = assessment_cutoff(ts, quarter=Q, grace_quarters=s.assessment_grace_quarters)
    assessment = portfolio.table("assessment")
    if reuse is not None and _same_assessment_rows(reuse, portfolio, settings, assessment, cutoff):
        result = reuse.assessment  # the same rows scored the same way: the same result
    else:
        result = score_assessments(assessment, portfolio.table("questions"), ids, as_of=cutoff, settings=s)
        if not portfolio.has("assessment"):  # how many raters rated an element: unknown, not 0
            result = dataclasses.replace(result, elements=result.elements.assign(n_raters=np.nan))
    f = f.join(result.accounts)
    f = f.join(assessment_timing(assessment, f["assessed_on"], as_of=ts, cutoff=cutoff, quarter=Q))
    q = quadrants(f, settings=s)
    f["quadrant"], f["health_band"], f["health_rag"] = q["quadrant"], q["health_band"], q["health_rag"]
    f["quadrant_reason"] = q["quadrant_reason"]

    motions = revenue_motions(revenue, lookback=s.motion_lookback_quarters)
    f = f.join(motion_shares(motions, ids, quarter=Q))
    f = f.join(new_client_revenue(revenue, ids, quarter=Q))
    # a dimension the revenue never names (every row "Unspecified") is unknown, not one
    unnamed = [d for d in ("buying_center", "offering") if len(revenue) and revenue[d].eq(UNSPECIFIED).all()]
    f = f.join(concentration(revenue, ids, quarter=Q, unknown=unnamed))
    f = f.join(relationship_coverage(contacts, revenue, ids, quarter=Q, as_of=ts))
    if "buying_center" in unnamed:
        f[["revenue_buying_centers", "stakeholder_coverage"]] = np.nan
    f = f.join(pipeline_figures(opportunities, targets, accounts, f["revenue_t4q"], quarter=Q, as_of=ts, settings=s))

    t4_start, t4_end = pd.Timestamp(quarter_start(Q - 3)), ts
    f = f.join(survey_kpis(surveys, ids, start=t4_start, end=t4_end, nps_min_responses=s.nps_min_responses))
    f = f.join(survey_prior(surveys, ids, quarter=Q))
    # the periods messages name ("NPS -7 in 2025Q4-2026Q3, from 9 in 2024Q4-2025Q3")
    f["t4q_period"] = f"{quarter_label(Q - 3)}-{quarter_label(Q)}"
    f["prior4_period"] = f"{quarter_label(Q - 7)}-{quarter_label(Q - 4)}"
    n_exec = s.no_executive_contact_quarters
    f["executive_window"] = quarter_label(Q) if n_exec == 1 else f"{quarter_label(Q - n_exec + 1)}-{quarter_label(Q)}"

    f = f.join(retention(f["revenue_t4q"], f["revenue_prior4"]))
    port_ret = portfolio_retention(f["revenue_t4q"], f["revenue_prior4"])
    # no portfolio GRR (the year before T4Q is outside the data): the retention of a new
    # client, and so its long-term value, is unknown, not 0
    if summary_only:  # neither a headline figure nor a warning reads long-term value or load
        am = pd.DataFrame()
    else:
        f = f.join(lifetime_value(revenue, ids, f["grr"], quarter=Q, fallback_retention=port_ret["grr"],
                                  discount_rate=s.ltv_discount_rate))
        am = account_manager_load(accounts, f["category"], low=s.am_load_min, high=s.am_load_max)
        f = f.join(account_manager_of(am, f["account_manager"]))

    ind = leading_indicators(revenue, opportunities, contacts, activities, ids, quarter=Q,
                             supplied=set(portfolio.tables), data_start=data_start, t4q_only=summary_only)
    t4 = ind[ind["period"] == "T4Q"].set_index("account_id")
    f["new_offerings_proposed_t4q"] = t4["new_offerings_proposed"]

    f = f.join(relationship_signals(contacts, activities, idx, quarter=Q, executive_quarters=s.no_executive_contact_quarters))

    # before evidence and warnings read them: a missing table's figures are unknown
    for table, columns in UNKNOWN_WITHOUT.items():
        if not portfolio.has(table):
            for col in columns:  # unknown, not zero (a flag: NA, not False)
                f[col] = pd.array([pd.NA] * len(f), dtype="boolean") if f[col].dtype in (bool, "boolean") else np.nan
    if not portfolio.has("contacts"):  # without contacts no buying center is known to lack an executive
        f["uncovered_buying_centers"] = pd.Series([[] for _ in range(len(f))], index=idx, dtype=object)

    el = result.elements
    disagree = el[el["raters_disagree"]]
    f["raters_disagree_elements"] = lists_by_account(disagree["account_id"], disagree["element"], idx)
    ev = evidence(el, f, settings=s, has_contacts=portfolio.has("contacts"))
    weak = ev[ev["rated_well_evidence_weak"]]
    f["evidence_weak_elements"] = lists_by_account(weak["account_id"], weak["element"], idx)

    supplied = set(portfolio.tables)
    warns = evaluate_warnings(f, settings=s, supplied=supplied)
    # text (or object when no warning fired at all, as a grouped join gives)
    f["warnings"] = pd.Series([";".join(w) for w in lists_by_account(warns["account_id"], warns["warning_id"], idx)], index=idx,
                              dtype=object if warns.empty else "str")
    f["n_warnings"] = warns.groupby("account_id").size().reindex(idx, fill_value=0).astype(int)
    if summary_only:
        cross = recs = pd.DataFrame()
    else:
        cross = cross_sell_candidates(revenue, opportunities, ids, quarter=Q, as_of=ts)
        recs = recommend(f, el, warns, cross, portfolio.table("objectives"), settings=s, evidence=ev, supplied=supplied)
    # min_count: a prior year outside the data sums to unknown, not to 0
    t4q, prior, new = f["revenue_t4q"].sum(), f["revenue_prior4"].sum(min_count=1), f["new_client_t4q"].sum()
    totals = {
        "accounts": len(f), "revenue_t4q": float(t4q), "revenue_prior4": float(prior),
        "revenue_growth": float(t4q / prior - 1) if prior > 0 else float("nan"),
        # the data window's first quarter as a label (portfolio.csv); year_before_known: growth,
        # retention and the category a year ago can be computed
        "data_start": quarter_label(data_start) if data_start is not None else None, "year_before_known": year_known,
        "new_client_t4q": float(new), "existing_t4q": float(t4q - new),
        "new_client_share": float(new / t4q) if t4q > 0 else float("nan"),
        "grr": port_ret["grr"], "nrr": port_ret["nrr"], "retention_base_accounts": port_ret["accounts"],
    }
    return PortfolioModel(
        portfolio=portfolio, settings=s, as_of=date, quarter=Q, figures=f, assessment=result,
        evidence=ev, indicators=ind, warnings=warns, motions=motions,
        motion_table=pd.DataFrame() if summary_only else motion_table(motions),
        recommendations=recs, cross_sell=cross, am_load=am,
        retention_trend=pd.DataFrame() if summary_only else retention_trend(revenue, ids, quarter=Q), totals=totals,
        data_start=data_start, assessment_cutoff=cutoff,
        scale=None if summary_only else check_category_scale(revenue, ids, quarter=Q, settings=s, data_start=data_start),
    )


def _same_assessment_rows(model: PortfolioModel, portfolio: Portfolio, settings: Settings, assessment: pd.DataFrame,
                          cutoff: pd.Timestamp) -> bool:
    """Whether ``model`` (same portfolio and settings) scored exactly the assessment rows
    dated up to ``cutoff``: the rows between the two cutoffs are none (an assessment's
    rows are those up to its cutoff, so equal counts are equal sets)."""
    if model.portfolio is not portfolio or model.settings != settings or model.assessment_cutoff is None:
        return False
    lo, hi = sorted((pd.Timestamp(cutoff), pd.Timestamp(model.assessment_cutoff)))
    dates = assessment["assessed_on"]
    return not bool(((dates > lo) & (dates <= hi)).any())
