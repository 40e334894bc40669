"""The portfolio report's sections (one notebook cell each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit.figures.benchmarks import BENCHMARK_FIGURES, portfolio_percentiles
from kit.figures.early_warnings import RULES
from kit.figures.model import PortfolioModel
from kit.figures.revenue import revenue_split
from kit.periods import quarter_label
from kit.report import charts
from kit.report.blocks import Section, esc, figure_img, fmt_num, fmt_pct, kpis, rag_badge, table, trend
from kit.report.formats import Formats
from kit.report.loading import model_for
from kit.schema import BCG_QUADRANTS, CATEGORIES, ELEMENT_IDS, ELEMENT_NAMES, MOTIONS, QUADRANTS


@dataclass
class PortfolioReport(Formats):
    """The sections of the portfolio health assessment."""

    model: PortfolioModel

    @classmethod
    def load(cls, data_dir: str | Path, *, as_of: str | dt.date | None = None, config_path: str | Path | None = None,
             model_path: str | Path | None = None) -> PortfolioReport:
        """Load and compute the portfolio (``model_path``: as in :meth:`AccountReport.load`)."""
        return cls(model=model_for(data_dir, as_of=as_of, config_path=config_path, model_path=model_path))

    @property
    def fig(self) -> pd.DataFrame:
        return self.model.figures

    def header(self) -> Section:
        """Headline figures: revenue, growth, existing vs new-client split, quadrants."""
        f, m = self.fig, self.model
        t = m.totals
        share = t["new_client_share"]
        cards = [("Accounts", str(len(f))), ("T4Q revenue", self._money(t["revenue_t4q"]), trend(t["revenue_t4q"], t["revenue_prior4"])),
                 ("Growth", fmt_pct(t["revenue_growth"], 1)),
                 ("Existing / new-client", f"{fmt_pct(1 - share)} / {fmt_pct(share)}" if pd.notna(share) else "—"),
                 ("GRR / NRR", f"{fmt_pct(t['grr'])} / {fmt_pct(t['nrr'])}"),
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
        body = figure_img(charts.plot_quadrant(f, settings=s), "Health index against revenue attainment")
        body += (f"<p>{int(counts['Coasting'])} account(s) are coasting: on target for revenue but not healthy, the case "
                 f"the assessment exists to expose; {int(counts['At risk'])} are at risk and {int(counts['Thriving'])} thriving.</p>")
        body += table(df, numeric=["Accounts"])
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
        means = wide.mean()
        low = means.idxmin()
        red_accounts = int((wide < self.model.settings.rag_amber).any(axis=1).sum())
        take = (f"{ELEMENT_NAMES[low]} is the weakest element across accounts (mean {means[low]:.0f}); "
                f"{red_accounts} of {len(wide)} assessed accounts have at least one red element. "
                "Accounts are ordered by health index, strongest first.")
        return Section("Element scores by account", figure_img(charts.plot_element_heatmap(wide), "Heatmap of element scores by account")
                       + f"<p>{esc(take)}</p>")

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
        first = t.iloc[0]
        take = (f"Weakest across the portfolio: {first['Element']} (mean {first['Mean score']:.0f}, red in "
                f"{int(first['Accounts red'])} of {int(first['Accounts scored'])} accounts).")
        return Section("Weakest elements across the portfolio", img + f"<p>{esc(take)}</p>"
                       + table(t, formats={"Mean score": fmt_num}, numeric=list(t.columns[1:])))

    def categories(self) -> Section:
        """Relationship category mix and its movement since a year earlier."""
        f = self.fig
        cat = f.groupby("category").agg(accounts=("account_name", "size"), revenue=("revenue_t4q", "sum"),
                                        health=("health_index", "median")).reindex(list(CATEGORIES))
        total = f["revenue_t4q"].sum()
        cat = cat.assign(accounts=cat["accounts"].fillna(0), share=cat["revenue"] / total if total > 0 else np.nan).reset_index()
        t1 = table(cat.rename(columns={"category": "Category", "accounts": "Accounts", "revenue": "T4Q revenue",
                                       "share": "Share of revenue", "health": "Median health index"}),
                   formats={"T4Q revenue": self._money, "Share of revenue": fmt_pct, "Median health index": fmt_num, "Accounts": fmt_num},
                   numeric=["Accounts", "T4Q revenue", "Share of revenue", "Median health index"])
        counts = pd.DataFrame({"a_year_ago": f["previous_category"].value_counts().reindex(list(CATEGORIES), fill_value=0),
                               "now": f["category"].value_counts().reindex(list(CATEGORIES), fill_value=0)})
        img = figure_img(charts.plot_category_migration(counts), "Accounts per category a year ago and now")
        up_order = {c: i for i, c in enumerate(CATEGORIES)}  # Strategic first: a lower index is a better category
        moved = f[f["previous_category"] != f["category"]]
        ups = int(sum(up_order[a] < up_order[b] for a, b in zip(moved["category"], moved["previous_category"])))
        take = (f"{len(moved)} of {len(f)} accounts changed category since {quarter_label(self.model.quarter - 4)}: "
                f"{ups} moved up, {len(moved) - ups} moved down.")
        move = pd.crosstab(f["previous_category"], f["category"]).reindex(index=list(CATEGORIES), columns=list(CATEGORIES), fill_value=0)
        t2 = table(move.reset_index().rename(columns={"previous_category": "A year ago \\ now"}), numeric=list(CATEGORIES))
        return Section("Relationship categories", t1 + img + f"<p>{esc(take)}</p><h3>Movement since a year ago</h3>" + t2)

    def market(self) -> Section:
        """Market position (BCG) matrix: accounts by market growth and relative share."""
        f, s = self.fig, self.model.settings
        img = figure_img(charts.plot_market_position(f[["market_share", "market_growth", "revenue_t4q"]],
                                                     growth_threshold=s.bcg_growth_threshold, share_threshold=s.bcg_share_threshold),
                         "Accounts by market growth and relative market share")
        g = f.groupby("bcg_quadrant").agg(accounts=("account_name", "size"), revenue=("revenue_t4q", "sum"),
                                          health=("health_index", "median")).reindex(list(BCG_QUADRANTS)).reset_index()
        g["accounts"] = g["accounts"].fillna(0)
        t = table(g.rename(columns={"bcg_quadrant": "Market position", "accounts": "Accounts", "revenue": "T4Q revenue",
                                    "health": "Median health index"}),
                  formats={"Accounts": fmt_num, "T4Q revenue": self._money, "Median health index": fmt_num},
                  numeric=["Accounts", "T4Q revenue", "Median health index"])
        known = g[g["bcg_quadrant"] != "unclassified"].dropna(subset=["revenue"])
        if len(known) and known["revenue"].sum() > 0:
            top = known.sort_values("revenue", ascending=False).iloc[0]
            t += (f"<p>Most T4Q revenue comes from {esc(top['bcg_quadrant'])} accounts ({esc(self._money(top['revenue']))}, "
                  f"{fmt_pct(top['revenue'] / f['revenue_t4q'].sum())} of the portfolio).</p>")
        note = (f'<p class="muted">Star: growth and share high; Cash cow: share high, growth low; Question mark: growth high, '
                f"share low; Dog: both low. High = at or above market growth {s.bcg_growth_threshold:.0%} and relative share "
                f"{s.bcg_share_threshold:g} (1.0 = equal to the largest competitor). Unclassified: growth or share missing.</p>")
        return Section("Market position", img + t + note)

    def revenue(self) -> Section:
        """Portfolio revenue by motion over time, and existing vs new-client revenue (80/20)."""
        m = self.model
        mt = m.motion_table
        if mt.empty:
            return Section("Revenue by motion", '<p class="muted">No revenue rows.</p>')
        t4 = mt[mt["quarter"] >= m.quarter - 3].groupby("motion")["amount"].sum().reindex(list(MOTIONS), fill_value=0.0)
        total = t4.sum()
        df = pd.DataFrame({"Motion": t4.index, "T4Q revenue": t4.values, "Share": t4.values / total if total > 0 else np.nan})
        img = figure_img(charts.plot_revenue_motions(mt, title="Portfolio revenue by quarter and motion"), "Portfolio revenue by motion")
        body = img
        if total > 0:
            grow = (t4.get("crop_rotation", 0) + t4.get("colonization", 0)) / total
            body += (f"<p>{fmt_pct(t4.get('continuation', 0) / total)} of T4Q revenue continues earlier purchases; cross-sell "
                     f"and new buying centers bring {fmt_pct(grow)}.</p>")
        body += table(df, formats={"T4Q revenue": self._money, "Share": fmt_pct}, numeric=["T4Q revenue", "Share"])
        split = revenue_split(m.portfolio.table("revenue")[lambda d: d["quarter"] <= m.quarter], quarter=m.quarter)
        t = m.totals
        share = t["new_client_share"]
        body += "<h3>Existing vs new-client revenue (the 80/20 view)</h3>"
        body += kpis([("Existing clients (T4Q)", self._money(t["existing_t4q"]), fmt_pct(1 - share) if pd.notna(share) else ""),
                      ("New clients (T4Q)", self._money(t["new_client_t4q"]), fmt_pct(share) if pd.notna(share) else "")])
        body += figure_img(charts.plot_revenue_split(split), "Existing and new-client revenue by quarter")
        if pd.notna(share):
            verdict = ("close to" if 0.1 <= share <= 0.3 else "below" if share < 0.1 else "above")
            body += (f"<p>New clients bring {share:.0%} of T4Q revenue, {verdict} the rule of thumb of about 20% "
                     "(seed 002: roughly 80% of revenue from existing clients).</p>")
        body += ('<p class="muted">New-client revenue = revenue within the first 4 quarters after an account\'s first revenue, '
                 "when that is after the data's first quarter.</p>")
        return Section("Revenue by motion and the 80/20 split", body)

    def retention(self) -> Section:
        """Portfolio gross and net revenue retention, now and over recent quarters."""
        m = self.model
        t = m.totals
        body = kpis([("Gross revenue retention", fmt_pct(t["grr"]), f"{t['retention_base_accounts']} accounts with a base"),
                     ("Net revenue retention", fmt_pct(t["nrr"]))])
        body += figure_img(charts.plot_retention(m.retention_trend), "Portfolio GRR and NRR by quarter")
        f = self.fig
        churned = int(((f["revenue_prior4"] > 0) & (f["revenue_t4q"] <= 0)).sum())
        shrank = int(((f["revenue_prior4"] > 0) & (f["grr"] < 1) & (f["revenue_t4q"] > 0)).sum())
        body += f"<p>{churned} account(s) with revenue a year ago have none in T4Q; {shrank} more bought less.</p>"
        body += ('<p class="muted">Over accounts with revenue in the 4 quarters before T4Q (the base): GRR = sum of min(T4Q, base) '
                 "/ sum of base (only losses count); NRR = sum of T4Q / sum of base (expansion counts). New clients are left out.</p>")
        return Section("Retention", body)

    def warnings(self) -> Section:
        """Early warnings across accounts: how often each rule fired, and where."""
        w, s, f = self.model.warnings, self.model.settings, self.fig
        counts = w.groupby("warning_id").size()
        df = pd.DataFrame([{"Rule id": r.id, "Warning": r.title, "Severity": r.severity, "Accounts": int(counts.get(r.id, 0)),
                            "Threshold": r.threshold_text(s)} for r in RULES])
        body = table(df, numeric=["Accounts"])
        sev = w.assign(high=w["severity"] == "high").groupby("account_id").agg(n=("warning_id", "size"), high=("high", "sum"))
        top = sev.sort_values(["high", "n"], ascending=False, kind="stable").head(10)
        if len(top):
            t = pd.DataFrame({"Account": f.loc[top.index, "account_name"].to_numpy(), "Id": top.index,
                              "High severity": top["high"].astype(int).to_numpy(), "Warnings": top["n"].to_numpy(),
                              "Rules": f.loc[top.index, "warnings"].str.replace(";", ", ").to_numpy()})
            body += "<h3>Accounts with the most serious warnings</h3>" + table(t, numeric=["High severity", "Warnings"])
        body += (f"<p>{int((f['n_warnings'] > 0).sum())} of {len(f)} accounts have at least one warning; "
                 f"{int(w['severity'].eq('high').sum())} high-severity warnings in all.</p>")
        return Section("Early warnings across accounts", body)

    def am_load(self) -> Section:
        """Accounts per account manager (Greenfield not counted), flagged outside the range."""
        s, am = self.model.settings, self.model.am_load
        if am.empty:
            return Section("Account-manager load", '<p class="muted">No account_manager in accounts.csv.</p>')
        img = figure_img(charts.plot_am_load(am[["account_manager", "accounts"]], low=s.am_load_min, high=s.am_load_max),
                         "Accounts per account manager")
        t = am.assign(flag=am["flag"].map({"below": f"⚑ below {s.am_load_min}", "above": f"⚑ above {s.am_load_max}"}).fillna(""))
        t = t.rename(columns={"account_manager": "Account manager", "accounts": "Accounts (not Greenfield)",
                              "greenfield": "Greenfield (not counted)", "flag": "Flag"})
        out = int((am["flag"] != "").sum())
        take = (f"{out} of {len(am)} account managers are outside the {s.am_load_min}-{s.am_load_max} range." if out
                else f"Every account manager is within {s.am_load_min}-{s.am_load_max} accounts.")
        return Section("Account-manager load", img + table(t, numeric=["Accounts (not Greenfield)", "Greenfield (not counted)"]) + f"<p>{esc(take)}</p>")

    def benchmarks(self) -> Section:
        """Percentiles of the key figures: the anonymous benchmarks account reports reuse."""
        pct = portfolio_percentiles(self.fig)
        rows = [[label, self._fmt_kind_m(pct.loc[c, "p10"], kind), self._fmt_kind_m(pct.loc[c, "p25"], kind), self._fmt_kind_m(pct.loc[c, "median"], kind),
                 self._fmt_kind_m(pct.loc[c, "p75"], kind), self._fmt_kind_m(pct.loc[c, "p90"], kind), int(pct.loc[c, "n"])]
                for c, (label, kind) in BENCHMARK_FIGURES.items()]
        df = pd.DataFrame(rows, columns=["Figure", "P10", "P25", "Median", "P75", "P90", "Accounts"])
        note = ('<p class="muted">Each account report shows its own value against these percentiles and its percentile rank '
                "(share of accounts below it), without naming any other account.</p>")
        return Section("Benchmarks", table(df, numeric=list(df.columns[1:])) + note)

    def accounts(self) -> Section:
        """Every account in one ranking table: by health index (unassessed accounts last),
        then T4Q revenue."""
        f = self.fig.reset_index().sort_values(["health_index", "revenue_t4q"], ascending=[False, False],
                                               na_position="last", kind="stable")
        df = pd.DataFrame({
            "Rank": range(1, len(f) + 1),
            "Account": f["account_name"], "Id": f["account_id"], "Category": f["category"], "Market position": f["bcg_quadrant"],
            "Health index": f["health_index"].map(fmt_num), "RAG": f["health_rag"].map(rag_badge), "Quadrant": f["quadrant"],
            "T4Q revenue": f["revenue_t4q"].map(self._money), "Growth": f["revenue_growth"].map(lambda v: fmt_pct(v, 1)),
            "Attainment": f["revenue_attainment"].map(fmt_pct), "NPS (n)": [f"{fmt_num(a)} ({int(b)})" for a, b in zip(f["nps"], f["nps_n"])],
            "Warnings": f["n_warnings"],
        })
        return Section("All accounts, ranked by health index",
                       table(df, raw_html=["RAG"], numeric=["Rank", "Health index", "T4Q revenue", "Growth", "Attainment", "Warnings"]))
