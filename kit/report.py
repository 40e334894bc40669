"""Report structure: the sections of the account and portfolio reports.

The notebooks call these, one section per cell.  Each method returns a
:class:`~kit.html.Section` (HTML, escaped at the source) built from the model layer
(:mod:`kit.model`); charts come from :mod:`kit.charts`.  An account report uses that
account's rows only; the portfolio appears in it as anonymous percentiles.  With
``audience="client"`` internal material (warnings, rater comments, perception gaps,
categories and segment labels, pipeline, benchmarks) is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit import charts
from kit.config import load_config
from kit.errors import UsageError
from kit.html import Section, esc, figure_img, fmt_money, fmt_num, fmt_pct, kpis, rag_badge, table
from kit.io import load_portfolio
from kit.model import PortfolioModel, build_model
from kit.periods import quarter_label
from kit.pipeline import whitespace_matrix
from kit.schema import CATEGORIES, ELEMENT_IDS, ELEMENT_NAMES, QUADRANTS
from kit.warnings import RULES

__all__ = ["AUDIENCES", "load_model", "resolve_account_id", "AccountReport", "PortfolioReport"]

AUDIENCES = ("internal", "client")
INDICATOR_NAMES = {
    "new_offerings_proposed": "New offerings proposed (never bought before)",
    "new_executives_met": "New executives met",
    "new_proposals": "New proposals submitted",
    "referrals_to_new_buying_centers": "Internal referrals to new buying centers",
    "advocates": "Advocates (willing to endorse)",
    "sole_sourced_share": "Sole-sourced share of value won",
}
INDICATOR_SOURCES = {
    "new_offerings_proposed": "opportunities", "new_executives_met": "contacts", "new_proposals": "activities",
    "referrals_to_new_buying_centers": "activities", "advocates": "contacts", "sole_sourced_share": "opportunities",
}


def load_model(data_dir: str | Path, *, as_of: str | dt.date | None = None, config_path: str | Path | None = None) -> PortfolioModel:
    """Load, validate and compute a portfolio (the one call behind every report)."""
    return build_model(load_portfolio(data_dir), load_config(config_path), as_of=as_of)


def resolve_account_id(model: PortfolioModel, account_id: object) -> str:
    """The account id as a string.

    None gives the first account; a number (papermill's CLI ``-p`` turns ``00123`` into
    ``123``) is matched to the one id that equals it once leading zeros are dropped.
    """
    ids = list(model.figures.index)
    if account_id is None:
        return ids[0]
    text = str(account_id)
    if text in model.figures.index:
        return text
    if isinstance(account_id, (int, np.integer)) or text.isdigit():
        matches = [i for i in ids if i.isdigit() and i.lstrip("0") == text.lstrip("0")]
        if len(matches) == 1:
            return matches[0]
    sample = ", ".join(repr(i) for i in ids[:5])
    raise UsageError(f"account_id {text!r} is not in accounts (ids are text, e.g. {sample}; "
                     "with the papermill CLI pass it with -r account_id <id> so it stays text)")


def _check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise UsageError(f"audience must be one of {list(AUDIENCES)}, got {audience!r}")
    return audience


def _signed(v: object, digits: int = 0) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):+.{digits}f}"


def _no_data(table_name: str) -> str:
    return f'<p class="muted">No data: {esc(table_name)}.csv was not supplied.</p>'


def _percentile_rank(values: pd.Series, v: float) -> float:
    vals = values.dropna()
    if pd.isna(v) or vals.empty:
        return np.nan
    return float(((vals < v).sum() + 0.5 * (vals == v).sum()) / len(vals) * 100)


@dataclass
class AccountReport:
    """The sections of one account's health assessment."""

    model: PortfolioModel
    account_id: str
    audience: str = "internal"
    note: str = ""

    @classmethod
    def load(cls, data_dir: str | Path, account_id: object = None, *, as_of: str | dt.date | None = None,
             config_path: str | Path | None = None, audience: str = "internal") -> "AccountReport":
        """Load the portfolio and pick one account (None: the first in accounts)."""
        _check_audience(audience)
        model = load_model(data_dir, as_of=as_of, config_path=config_path)
        acc = resolve_account_id(model, account_id)
        note = "" if account_id is not None else "No account_id given: showing the first account of the portfolio."
        return cls(model=model, account_id=acc, audience=audience, note=note)

    # -- helpers --------------------------------------------------------------------------
    @property
    def f(self) -> pd.Series:
        return self.model.account(self.account_id)

    @property
    def internal(self) -> bool:
        return self.audience == "internal"

    def _mine(self, df: pd.DataFrame) -> pd.DataFrame:
        return df[df["account_id"] == self.account_id]

    # -- sections -------------------------------------------------------------------------
    def header(self) -> Section:
        """Name, analysis date, headline figures, category and quadrant with reasons."""
        f, m = self.f, self.model
        cards = [("T4Q revenue", fmt_money(f["revenue_t4q"])), ("Revenue growth", fmt_pct(f["revenue_growth"], 1))]
        if pd.notna(f["health_index"]):
            inc = "" if bool(f["health_complete"]) else " (incomplete)"
            cards.insert(0, ("Health index", f"{f['health_index']:.0f} {str(f['health_rag']).upper()}{inc}"))
        if self.internal:
            cards = [("Category", f["category"]), ("Quadrant", f["quadrant"] or "not assessed")] + cards
            cards.append(("Warnings", str(int(f["n_warnings"]))))
        parts = [f'<p class="muted">Account id {esc(self.account_id)} · analysis date {m.as_of:%Y-%m-%d} · '
                 f'trailing four quarters (T4Q) {esc(m.t4q_label)} · audience: {esc(self.audience)}</p>']
        if self.note:
            parts.append(f'<p class="muted">{esc(self.note)}</p>')
        parts.append(kpis(cards))
        if self.internal:
            moved = (f"moved from {f['previous_category']} a year ago" if f["previous_category"] != f["category"]
                     else f"the same as a year ago ({quarter_label(m.quarter - 4)})")
            parts.append(f"<p><strong>Category: {esc(f['category'])}</strong>, {esc(f['category_reason'])}; {esc(moved)}.</p>")
            parts.append(f"<p><strong>Quadrant:</strong> {esc(f['quadrant_reason'])}</p>")
            growth, share = f["market_growth"], f["market_share"]
            parts.append(f"<p><strong>Market position:</strong> {esc(f['bcg_quadrant'])} (market growth {fmt_pct(growth)}, "
                         f"relative share {fmt_num(share, 2)}).</p>")
        return Section(str(f["account_name"]), "".join(parts), level=1)

    def assessment(self) -> Section:
        """Ten-element chart and table: score, RAG, raters, disagreement, perception gap,
        change since the previous assessment, evidence beside the rating."""
        f, s = self.f, self.model.settings
        title = "Assessment: the ten elements"
        if not self.model.portfolio.has("assessment"):
            return Section(title, _no_data("assessment"))
        if pd.isna(f["assessed_on"]):
            return Section(title, f'<p class="muted">No assessment of this account on or before {self.model.as_of:%Y-%m-%d}.</p>')
        el = self._mine(self.model.assessment.elements).copy()
        ev = self._mine(self.model.evidence).set_index("element")
        prev = "" if pd.isna(f["previous_assessed_on"]) else (
            f"; previous assessment {f['previous_assessed_on']:%Y-%m-%d}: health index "
            f"{fmt_num(f['previous_health_index'])}, change {_signed(f['health_change'])}")
        complete = "" if bool(f["health_complete"]) else (
            f' <span class="flag">⚑ incomplete: {int(f["n_scored"])} of 10 elements scored '
            f"(at least {s.min_scored_elements} needed)</span>")
        head = (f"<p>Assessment of {f['assessed_on']:%Y-%m-%d} by {int(f['n_raters'])} rater(s)"
                f"{' including the client' if f['has_client_rater'] and self.internal else ''}. "
                f"<strong>Health index {fmt_num(f['health_index'])}</strong> {rag_badge(f['health_rag'])}{complete}{esc(prev)}.</p>")
        img = figure_img(charts.plot_elements(el, settings=s), "Element scores with the raters' range")
        rows = []
        for r in el.itertuples(index=False):
            row = {"Element": ELEMENT_NAMES[r.element], "Score": fmt_num(r.score), "RAG": rag_badge(r.rag),
                   "Previous": fmt_num(r.previous_score), "Change": _signed(r.change)}
            if self.internal:
                row["Raters"] = str(r.n_raters)
                row["Spread (1-5)"] = fmt_num(r.spread, 2) + (' <span class="flag">⚑ raters disagree</span>' if r.raters_disagree else "")
                gap = r.perception_gap
                flag = ' <span class="flag">⚑ gap</span>' if pd.notna(gap) and abs(gap) >= s.perception_gap_flag else ""
                row["Perception gap (internal - client)"] = _signed(gap, 2) + flag
                if r.element in ev.index:
                    e = ev.loc[r.element]
                    weak = ' <span class="flag">⚑ rated well, evidence weak</span>' if e["rated_well_evidence_weak"] else ""
                    row["Evidence"] = esc(e["evidence"]) + weak
                else:
                    row["Evidence"] = ""
            rows.append(row)
        df = pd.DataFrame(rows)
        order = ["Element", "Score", "RAG", "Raters", "Spread (1-5)", "Perception gap (internal - client)", "Previous", "Change", "Evidence"]
        df = df[[c for c in order if c in df.columns]]
        raw = ["RAG", "Spread (1-5)", "Perception gap (internal - client)", "Evidence"]
        body = head + img + table(df, raw_html=raw, numeric=["Score", "Raters", "Previous", "Change"])
        body += ('<p class="muted">Score = (mean of the raters\' element means - 1) / 4 x 100; every rater weighs the same. '
                 f"RAG: green at {s.rag_green:g} or more, amber at {s.rag_amber:g} or more. "
                 f"Raters disagree at a spread of {s.spread_flag:g} points or more.</p>")
        if self.internal:
            com = self._mine(self.model.assessment.comments)
            if len(com):
                c = com.assign(element=com["element"].map(ELEMENT_NAMES))[["element", "rater", "rater_role", "comment"]]
                body += "<h3>Rater comments (internal)</h3>" + table(c.rename(columns=str.capitalize))
        return Section(title, body)

    def indicators(self) -> Section:
        """The six leading health indicators per quarter and over T4Q."""
        ind = self._mine(self.model.indicators).set_index("period")
        cols = list(ind.index)
        rows = []
        for key, name in INDICATOR_NAMES.items():
            if not self.model.portfolio.has(INDICATOR_SOURCES[key]):
                rows.append([name] + ["no data"] * len(cols))
                continue
            fmt = (lambda v: fmt_pct(v)) if key == "sole_sourced_share" else (lambda v: fmt_num(v))
            rows.append([name] + [fmt(ind.loc[p, key]) for p in cols])
        df = pd.DataFrame(rows, columns=["Indicator"] + cols)
        note = ('<p class="muted">Seed questions of a healthy account: are we proposing new offerings, meeting new '
                "executives, submitting proposals, getting referred to new buying centers, earning advocates and "
                "sole-sourced business? Advocates are counted at the end of each period.</p>")
        return Section("Leading health indicators", table(df, numeric=cols) + note)

    def revenue(self) -> Section:
        """Revenue by motion, hygiene against targets, concentration."""
        f, m = self.f, self.model
        mine = self._mine(m.motion_table)
        cards = [("T4Q revenue", fmt_money(f["revenue_t4q"])), ("Prior 4 quarters", fmt_money(f["revenue_prior4"])),
                 ("Growth", fmt_pct(f["revenue_growth"], 1))]
        if f["hygiene_basis"] == "target":
            cards += [("T4Q target", fmt_money(f["revenue_target_t4q"])), ("Attainment", fmt_pct(f["revenue_attainment"]))]
        if pd.notna(f["margin_attainment"]):
            cards.append(("Margin attainment", fmt_pct(f["margin_attainment"])))
        body = kpis(cards)
        if f["hygiene_basis"] == "target" and f["target_quarters"] < 4:
            body += (f"<p>Revenue targets exist for {int(f['target_quarters'])} of the last 4 quarters: attainment compares "
                     "revenue and targets of those quarters only.</p>")
        if f["hygiene_basis"] == "growth":
            body += "<p>No revenue targets for the last four quarters: hygiene is judged by growth against the four quarters before.</p>"
        if len(mine):
            body += figure_img(charts.plot_revenue_motions(mine, title="Revenue by quarter and motion"), "Revenue by quarter and motion")
        else:
            body += '<p class="muted">No revenue rows for this account.</p>'
        shares = pd.DataFrame([
            ["Continuation (retention)", fmt_pct(f["continuation_share"])],
            ["Crop rotation (cross-sell)", fmt_pct(f["crop_rotation_share"])],
            ["Colonization (new buying centers)", fmt_pct(f["colonization_share"])],
            ["Repeat business (continuation + crop rotation)", fmt_pct(f["repeat_business_share"])],
        ], columns=["Share of T4Q revenue", "Value"])
        body += table(shares, numeric=["Value"])
        if self.internal:
            conc = pd.DataFrame([
                ["Buying center", fmt_num(f["hhi_buying_center"]), esc(f["top_buying_center"]), fmt_pct(f["top_share_buying_center"])],
                ["Offering", fmt_num(f["hhi_offering"]), esc(f["top_offering"]), fmt_pct(f["top_share_offering"])],
            ], columns=["Concentration by", "HHI (0-10,000)", "Largest", "Its share"])
            body += table(conc, raw_html=["Largest"], numeric=["HHI (0-10,000)", "Its share"])
        if bool(f["is_new_client"]):
            body += f"<p>New client: first revenue in {quarter_label(int(f['first_quarter']))}; new-client revenue in T4Q {fmt_money(f['new_client_t4q'])}.</p>"
        return Section("Revenue and hygiene", body)

    def relationships(self) -> Section:
        """Stakeholder coverage, pipeline and whitespace (internal)."""
        if not self.internal:
            return Section("", "")
        f, m = self.f, self.model
        body = ""
        if m.portfolio.has("contacts"):
            unc = f["uncovered_buying_centers"]
            body += kpis([("Decision makers", str(int(f["decision_makers"]))), ("Executives", str(int(f["executives"]))),
                          ("Advocates", str(int(f["advocates"]))), ("Exec. coverage", fmt_pct(f["stakeholder_coverage"]))])
            if unc:
                body += f"<p>Buying centers with revenue but no active executive contact: {esc(', '.join(unc))}.</p>"
        else:
            body += _no_data("contacts")
        if m.portfolio.has("opportunities"):
            body += kpis([("Open pipeline", fmt_money(f["open_pipeline"])), ("Weighted", fmt_money(f["weighted_pipeline"])),
                          ("Coverage of next 4Q target", fmt_num(f["pipeline_coverage"], 2)), ("Win rate (count)", fmt_pct(f["win_rate_count"])),
                          ("Sole-sourced share", fmt_pct(f["sole_sourced_share"])), ("Stale open opps", str(int(f["stale_opportunities"])))])
            wm = whitespace_matrix(m.portfolio.table("revenue")[lambda d: d["quarter"] <= m.quarter], m.portfolio.table("opportunities"),
                                   self.account_id, quarter=m.quarter, as_of=pd.Timestamp(m.as_of))
            if len(wm):
                body += "<h3>Whitespace: buying centers x offerings</h3>" + table(wm.reset_index().rename(columns={"buying_center": "Buying center"}))
                body += '<p class="muted">bought = revenue in the last 12 quarters; pipeline = an open opportunity; whitespace = neither.</p>'
        else:
            body += _no_data("opportunities")
        if pd.notna(f["wallet_estimate"]):
            body += (f"<p>Share of wallet {fmt_pct(f['share_of_wallet'])}; unaddressed potential {fmt_money(f['unaddressed_potential'])} "
                     f"against open pipeline {fmt_money(f['open_pipeline'])}.</p>")
        return Section("Relationships, pipeline and whitespace", body)

    def kpis(self) -> Section:
        """NPS (with n) and CSAT over T4Q against the four quarters before."""
        f, s = self.f, self.model.settings
        if not self.model.portfolio.has("surveys"):
            return Section("Client KPIs", _no_data("surveys"))
        few = " (few responses)" if f["nps_few"] else ""
        df = pd.DataFrame([
            ["NPS (-100..100)", f"{fmt_num(f['nps'])} (n={int(f['nps_n'])}){few}", fmt_num(f["nps_prior"])],
            ["CSAT mean (1-5)", f"{fmt_num(f['csat'], 2)} (n={int(f['csat_n'])})", fmt_num(f["csat_prior"], 2)],
            ["CSAT share of 4-5", fmt_pct(f["csat_top2_share"]), ""],
        ], columns=["KPI", "Last 4 quarters", "4 quarters before"])
        note = f'<p class="muted">NPS = % promoters (9-10) - % detractors (0-6); fewer than {s.nps_min_responses} answers is marked "few responses".</p>'
        return Section("Client KPIs", table(df) + note)

    def warnings(self) -> Section:
        """Early warnings with the numbers that fired them (internal only)."""
        if not self.internal:
            return Section("", "")
        w = self._mine(self.model.warnings)
        if w.empty:
            return Section("Early warnings", "<p>No early warning fired.</p>")
        titles = {r.id: r.title for r in RULES}
        df = pd.DataFrame({"Severity": w["severity"].str.upper(), "Warning": w["warning_id"].map(titles),
                           "What fired it": w["message"], "Rule id": w["warning_id"]})
        return Section("Early warnings", table(df))

    def benchmarks(self) -> Section:
        """This account against anonymous portfolio percentiles (internal only)."""
        if not self.internal:
            return Section("", "")
        fig, f = self.model.figures, self.f
        rows = []
        for col, name, fmt in [("health_index", "Health index", fmt_num), ("revenue_t4q", "T4Q revenue", fmt_money),
                               ("revenue_growth", "Revenue growth", lambda v: fmt_pct(v, 1)),
                               ("revenue_attainment", "Revenue attainment", fmt_pct), ("nps", "NPS", fmt_num),
                               ("share_of_wallet", "Share of wallet", fmt_pct)]:
            vals = fig[col].astype(float)
            q = vals.quantile([0.25, 0.5, 0.75]) if vals.notna().any() else pd.Series([np.nan] * 3, index=[0.25, 0.5, 0.75])
            rank = _percentile_rank(vals, f[col])
            rows.append([name, fmt(f[col]), fmt(q[0.25]), fmt(q[0.5]), fmt(q[0.75]), "—" if pd.isna(rank) else f"{rank:.0f}"])
        df = pd.DataFrame(rows, columns=["Figure", "This account", "Portfolio P25", "Median", "P75", "Percentile"])
        note = f'<p class="muted">Percentiles over the {len(fig)} accounts of the portfolio; no other account is named.</p>'
        return Section("Benchmarks against the portfolio", table(df) + note)


@dataclass
class PortfolioReport:
    """The sections of the portfolio health assessment."""

    model: PortfolioModel

    @classmethod
    def load(cls, data_dir: str | Path, *, as_of: str | dt.date | None = None, config_path: str | Path | None = None) -> "PortfolioReport":
        """Load and compute the portfolio."""
        return cls(model=load_model(data_dir, as_of=as_of, config_path=config_path))

    @property
    def fig(self) -> pd.DataFrame:
        return self.model.figures

    def header(self) -> Section:
        """Headline figures: revenue, growth, existing vs new-client split, quadrants."""
        f, m = self.fig, self.model
        t4q, prior = f["revenue_t4q"].sum(), f["revenue_prior4"].sum()
        new = f["new_client_t4q"].sum()
        cards = [("Accounts", str(len(f))), ("T4Q revenue", fmt_money(t4q)),
                 ("Growth", fmt_pct(t4q / prior - 1, 1) if prior > 0 else "—"),
                 ("Existing / new-client", f"{fmt_pct(1 - new / t4q) if t4q > 0 else '—'} / {fmt_pct(new / t4q) if t4q > 0 else '—'}"),
                 ("Median health index", fmt_num(f["health_index"].median())), ("Warnings", str(int(f["n_warnings"].sum())))]
        body = (f'<p class="muted">Analysis date {m.as_of:%Y-%m-%d} · T4Q {esc(m.t4q_label)} · source {esc(m.portfolio.source.name)}</p>'
                + kpis(cards)
                + '<p class="muted">Existing vs new-client revenue: seed 002\'s rule of thumb is about 80/20. New-client revenue = revenue '
                  "within the first 4 quarters after an account's first revenue, when that is after the data's first quarter.</p>")
        return Section("Portfolio overview", body)

    def quadrant(self) -> Section:
        """Health x hygiene: the scatter and the count per quadrant."""
        f, s = self.fig, self.model.settings
        counts = f["quadrant"].value_counts().reindex(list(QUADRANTS), fill_value=0)
        df = pd.DataFrame({"Quadrant": counts.index, "Accounts": counts.values,
                           "Meaning": ["healthy and hygienic", "hygienic, not healthy: revenue on target, poor health",
                                       "healthy, not yet hygienic", "neither healthy nor hygienic"]})
        plotted = f.dropna(subset=["health_index", "revenue_attainment"])
        left = len(f) - len(plotted)
        body = figure_img(charts.plot_quadrant(f, settings=s), "Health index against revenue attainment") + table(df, numeric=["Accounts"])
        if left:
            body += f'<p class="muted">{left} account(s) not plotted: no scored assessment or no revenue target.</p>'
        return Section("Health x hygiene", body)

    def heatmap(self) -> Section:
        """Accounts x elements heatmap of the latest scores."""
        el = self.model.assessment.elements
        wide = el.pivot(index="account_id", columns="element", values="score").reindex(columns=list(ELEMENT_IDS))
        # strongest first, so the weak accounts sit together at the bottom
        order = self.fig["health_index"].sort_values(ascending=False, kind="stable").index
        wide = wide.reindex(order).dropna(how="all")
        if wide.empty:
            return Section("Element scores by account", '<p class="muted">No assessment scored.</p>')
        names = self.fig["account_name"].astype(str).str.slice(0, 28)
        wide.index = [f"{names[a]} ({a})" for a in wide.index]
        return Section("Element scores by account", figure_img(charts.plot_element_heatmap(wide), "Heatmap of element scores by account"))

    def weakest(self) -> Section:
        """Elements ranked by mean score across the portfolio."""
        el, s = self.model.assessment.elements, self.model.settings
        g = el.groupby("element")
        summ = pd.DataFrame({"mean_score": g["score"].mean(), "n_accounts": g["score"].count(),
                             "red": g["rag"].apply(lambda r: int((r == "red").sum())),
                             "disagree": g["raters_disagree"].sum()}).reindex(list(ELEMENT_IDS)).reset_index()
        if summ["n_accounts"].sum() == 0:
            return Section("Weakest elements", '<p class="muted">No assessment scored.</p>')
        img = figure_img(charts.plot_weakest_elements(summ, settings=s), "Mean element scores, weakest at the bottom")
        t = summ.sort_values("mean_score").assign(element=lambda d: d["element"].map(ELEMENT_NAMES))
        t = t.rename(columns={"element": "Element", "mean_score": "Mean score", "n_accounts": "Accounts scored",
                              "red": "Accounts red", "disagree": "Raters disagree"})
        return Section("Weakest elements across the portfolio", img + table(t, formats={"Mean score": fmt_num}, numeric=list(t.columns[1:])))

    def segments(self) -> Section:
        """Relationship categories (with movement since last year) and market position."""
        f = self.fig
        cat = f.groupby("category").agg(accounts=("account_name", "size"), revenue=("revenue_t4q", "sum"),
                                        health=("health_index", "median")).reindex(list(CATEGORIES))
        total = f["revenue_t4q"].sum()
        cat = cat.assign(share=cat["revenue"] / total if total > 0 else np.nan).reset_index()
        t1 = table(cat.rename(columns={"category": "Category", "accounts": "Accounts", "revenue": "T4Q revenue",
                                       "share": "Share of revenue", "health": "Median health index"}),
                   formats={"T4Q revenue": fmt_money, "Share of revenue": fmt_pct, "Median health index": fmt_num, "Accounts": lambda v: fmt_num(v)},
                   numeric=["Accounts", "T4Q revenue", "Share of revenue", "Median health index"])
        move = pd.crosstab(f["previous_category"], f["category"]).reindex(index=list(CATEGORIES), columns=list(CATEGORIES), fill_value=0)
        t2 = table(move.reset_index().rename(columns={"previous_category": "A year ago \\ now"}))
        bcg = f["bcg_quadrant"].value_counts().rename_axis("Market position").reset_index(name="Accounts")
        return Section("Relationship categories and market position",
                       t1 + "<h3>Movement since a year ago</h3>" + t2 + "<h3>Market position (BCG)</h3>" + table(bcg, numeric=["Accounts"]))

    def revenue(self) -> Section:
        """Portfolio revenue by motion over time, repeat business."""
        mt = self.model.motion_table
        if mt.empty:
            return Section("Revenue by motion", '<p class="muted">No revenue rows.</p>')
        t4 = mt[mt["quarter"] >= self.model.quarter - 3].groupby("motion")["amount"].sum()
        total = t4.sum()
        df = pd.DataFrame({"Motion": t4.index, "T4Q revenue": t4.values, "Share": t4.values / total if total > 0 else np.nan})
        img = figure_img(charts.plot_revenue_motions(mt, title="Portfolio revenue by quarter and motion"), "Portfolio revenue by motion")
        return Section("Revenue by motion", img + table(df, formats={"T4Q revenue": fmt_money, "Share": fmt_pct}, numeric=["T4Q revenue", "Share"]))

    def warnings(self) -> Section:
        """How often each early warning fired."""
        w, s = self.model.warnings, self.model.settings
        counts = w.groupby("warning_id").size()
        df = pd.DataFrame([{"Rule id": r.id, "Warning": r.title, "Severity": r.severity, "Accounts": int(counts.get(r.id, 0)),
                            "Default threshold": r.threshold} for r in RULES])
        load = self.fig[self.fig["category"] != "Greenfield"].groupby("account_manager").size()
        flags = load[(load < s.am_load_min) | (load > s.am_load_max)]
        am = pd.DataFrame({"Account manager": load.index, "Accounts (not Greenfield)": load.values,
                           "Flag": ["outside %d-%d" % (s.am_load_min, s.am_load_max) if a in flags.index else "" for a in load.index]})
        return Section("Early warnings and account-manager load", table(df, numeric=["Accounts"]) + "<h3>Account-manager load</h3>" + table(am))

    def accounts(self) -> Section:
        """Every account in one table."""
        f = self.fig.reset_index()
        df = pd.DataFrame({
            "Account": f["account_name"], "Id": f["account_id"], "Category": f["category"], "Market position": f["bcg_quadrant"],
            "Health index": f["health_index"].map(fmt_num), "RAG": f["health_rag"].map(rag_badge), "Quadrant": f["quadrant"],
            "T4Q revenue": f["revenue_t4q"].map(fmt_money), "Growth": f["revenue_growth"].map(lambda v: fmt_pct(v, 1)),
            "Attainment": f["revenue_attainment"].map(fmt_pct), "NPS (n)": [f"{fmt_num(a)} ({int(b)})" for a, b in zip(f["nps"], f["nps_n"])],
            "Warnings": f["n_warnings"],
        })
        return Section("All accounts", table(df, raw_html=["RAG"], numeric=["Health index", "T4Q revenue", "Growth", "Attainment", "Warnings"]))


_INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;margin:0;background:#f7f8fa}
main{max-width:1100px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .4em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #d9dee3;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}tr:nth-child(even) td{background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#6b7785}.flag{color:#b3261e;font-weight:600}
.rag-green,.rag-amber,.rag-red{padding:1px 6px;border-radius:3px;font-size:.85em;font-weight:600;border:1px solid}
.rag-green{color:#1b5e20;background:#e8f5e9}.rag-amber{color:#7a5200;background:#fff4d6}.rag-red{color:#b3261e;background:#fdecea}
"""


def index_page(model: PortfolioModel, accounts: dict[str, dict], portfolio: dict | None, *, ids: list[str], audience: str) -> str:
    """``index.html``: links to the portfolio report and every account report, with each
    account's category, health index, quadrant and warnings count (self-contained)."""
    f = model.figures
    rows = []
    for acc in ids:
        r, row = accounts.get(acc, {}), f.loc[acc]
        ok = r.get("status") == "ok"
        name = esc(row["account_name"])
        link = f'<a href="{esc(r["report"])}">{name}</a>' if ok else name
        status = "ok" if ok else f'<span class="flag">failed: {esc(r.get("error") or "not rendered")}</span>'
        rows.append(
            f"<tr><td>{link}</td><td>{esc(acc)}</td><td>{esc(row['category'])}</td>"
            f'<td class="num">{fmt_num(row["health_index"])}</td><td>{rag_badge(row["health_rag"])}</td>'
            f"<td>{esc(row['quadrant'] or '—')}</td><td class=\"num\">{int(row['n_warnings'])}</td><td>{status}</td></tr>")
    if portfolio and portfolio.get("status") == "ok":
        plink = '<p><a href="portfolio.html"><strong>Portfolio health assessment</strong></a></p>'
    else:
        err = esc((portfolio or {}).get("error") or "not rendered")
        plink = f'<p class="flag">Portfolio report failed: {err}</p>'
    n_failed = sum(1 for a in ids if accounts.get(a, {}).get("status") != "ok")
    failed = f'<p class="flag">{n_failed} account report(s) failed; see manifest.json.</p>' if n_failed else ""
    head = ("<tr><th>Account</th><th>Id</th><th>Category</th><th>Health index</th><th>RAG</th>"
            "<th>Quadrant</th><th>Warnings</th><th>Report</th></tr>")
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Account health assessments: {esc(model.portfolio.source.name)}</title><style>{_INDEX_CSS}</style></head><body><main>"
        f"<h1>Account health assessments</h1><p class=\"muted\">{esc(model.portfolio.source.name)} · analysis date "
        f"{model.as_of:%Y-%m-%d} · T4Q {esc(model.t4q_label)} · audience {esc(audience)} · kit {esc(__import__('kit').__version__)}</p>"
        f"{plink}{failed}<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
        "<p class=\"muted\">Tables for BI tools are in tables/; manifest.json records inputs, settings and each report's status.</p>"
        "</main></body></html>"
    )
