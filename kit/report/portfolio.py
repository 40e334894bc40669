"""The portfolio report's sections (one notebook cell each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import UsageError
from kit.figures.benchmarks import BENCHMARK_FIGURES, benchmark_values, portfolio_percentiles
from kit.figures.coverage import data_coverage, data_limits
from kit.figures.early_warnings import RULES, SEVERITY_ORDER, order_warnings
from kit.figures.model import PortfolioModel
from kit.figures.revenue import revenue_split
from kit.figures.words import count
from kit.periods import quarter_label
from kit.report import charts, quarter
from kit.report.blocks import Section, esc, figure_img, fmt_num, fmt_pct, kpis, rag_badge, table, trend
from kit.report.formats import Formats, data_panel, no_data
from kit.report.index_page import report_hrefs
from kit.report.loading import model_for
from kit.schema import BCG_QUADRANTS, CATEGORIES, ELEMENT_IDS, ELEMENT_NAMES, MOTIONS, QUADRANTS

#: Up to this many accounts every chart names every account it can and every list is shown
#: whole.  Above it (hundreds or thousands of accounts) charts aggregate or name only the
#: accounts that matter, lists show the extremes, and the rest is a click away: the page
#: then grows with the number of segments, not with the accounts squared.
FULL_DETAIL = 50
#: Names a chart writes in a large portfolio: the largest accounts by T4Q revenue.
NAMED_IN_CHARTS = 15
#: Accounts in the heatmap of a large portfolio: the weakest by health index.
HEATMAP_ACCOUNTS = 20
#: Names listed per quadrant in a large portfolio (the largest by T4Q revenue).
NAMES_PER_QUADRANT = 5
#: Rows of the full ranking shown (and printed) at once; the rest page in the browser.
PAGE_ROWS = 100
#: Segments a segment summary lists before the rest (largest by T4Q revenue first).
SEGMENT_ROWS = 15
#: Above this many account managers the load is drawn as a distribution, not a bar each.
AM_BARS = 30
#: The segment summaries: (column of accounts.csv, heading, filter key of index.html).
SEGMENTS = (("category", "Category", "category"), ("industry", "Industry", "industry"),
            ("region", "Region", "region"), ("account_manager", "Account manager", "manager"))


def _names(accounts: pd.DataFrame, *, limit: int | None) -> str:
    """The accounts' names, comma-separated; with ``limit``, the largest by T4Q revenue and
    how many more."""
    if limit is None or len(accounts) <= limit:
        return ", ".join(accounts["account_name"].astype(str))
    top = accounts.sort_values("revenue_t4q", ascending=False, kind="stable", na_position="last").head(limit)
    return ", ".join(top["account_name"].astype(str)) + f" and {len(accounts) - limit} more"


def _segment_means(wide: pd.DataFrame, fig: pd.DataFrame) -> pd.DataFrame:
    """Mean element scores per segment (category, industry, region), rows labelled
    "Industry: Retail (212)": the element heatmap of a portfolio too large to draw by account."""
    rows = {}
    for col, heading, _ in SEGMENTS[:3]:
        if col not in fig or fig[col].isna().all():
            continue
        seg = fig.loc[wide.index, col]
        # largest first, ties by name: the same rows on every run
        sizes = seg.value_counts(sort=False).sort_index().sort_values(ascending=False, kind="stable")
        order = [c for c in CATEGORIES if c in sizes.index] if col == "category" else list(sizes.index[:SEGMENT_ROWS])
        means = wide.groupby(seg.to_numpy()).mean()
        for value in order:
            rows[f"{heading}: {str(value)[:28]} ({int(sizes[value])})"] = means.loc[value]
    return pd.DataFrame(rows).T.reindex(columns=wide.columns)


@dataclass
class PortfolioReport(Formats):
    """The sections of the portfolio health assessment.

    The report always covers the whole portfolio.  ``selected``: the accounts a ``kit run
    --accounts`` renders; that run's per-account files (``tables/account_summary.csv``,
    ``changes.csv``, ``element_scores.csv``, ``warnings.csv``, ...) and its index page hold
    those accounts only, and the report says so where it points to them.  None: every
    account (a run without ``--accounts``).
    """

    model: PortfolioModel
    selected: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.selected is None:
            return
        ids = tuple(dict.fromkeys(str(a) for a in self.selected))
        unknown = [a for a in ids if a not in self.model.figures.index]
        if unknown:
            raise UsageError(f"accounts: unknown account id(s) {', '.join(map(repr, unknown))}", param="accounts")
        # none, or every account: the files hold every account
        self.selected = ids if 0 < len(ids) < len(self.model.figures) else None

    @property
    def large(self) -> bool:
        """More accounts than a chart can name or a page can list (:data:`FULL_DETAIL`)."""
        return len(self.model.figures) > FULL_DETAIL

    @classmethod
    def load(cls, data_dir: str | Path, *, as_of: str | dt.date | None = None, config_path: str | Path | None = None,
             model_path: str | Path | None = None, accounts: Iterable[str] | None = None) -> PortfolioReport:
        """Load and compute the portfolio (``model_path``: as in :meth:`AccountReport.load`;
        ``accounts``: the accounts a ``kit run --accounts`` renders, see :class:`PortfolioReport`)."""
        return cls(model=model_for(data_dir, as_of=as_of, config_path=config_path, model_path=model_path),
                   selected=None if accounts is None else tuple(accounts))

    @property
    def fig(self) -> pd.DataFrame:
        return self.model.figures

    def _only_selected(self) -> str:
        """The accounts a run's per-account files hold when the run renders some of them
        ('' when it renders every account): "only the 2 accounts selected for this run
        (kit run --accounts), not all 40"."""
        if self.selected is None:
            return ""
        return (f"only the {count(len(self.selected), 'account')} selected for this run (kit run --accounts), not all "
                f"{len(self.fig):,}")

    @cached_property
    def _hrefs(self) -> dict[str, str]:
        """Account id -> the link to its report, as index.html links it, for the accounts
        whose reports this run renders (every account, or the selected ones)."""
        return report_hrefs(self.model, self.selected)

    def _account(self, acc: str) -> str:
        """The account's name as HTML: escaped, and linked to its own report when the run
        renders it (plain text otherwise)."""
        text = esc(self.fig.at[acc, "account_name"])
        href = self._hrefs.get(acc)
        return f'<a href="{esc(href)}">{text}</a>' if href else text

    def _links_note(self) -> str:
        """What an account's linked name leads to, said once under the tables that link them."""
        only = self._only_selected()
        return ("An account's name links to its own report (in a kit run"
                + (f"; this run renders the reports of {only}" if only else "") + ").")

    def _no_assessment(self) -> str:
        """Why there is no element score to show."""
        m = self.model
        if not m.portfolio.has("assessment"):
            return no_data("assessment")
        return f'<p class="muted">No assessment scored up to {m.assessment_cutoff:%Y-%m-%d}.</p>'

    def movers(self) -> Section:
        """The largest moves since the quarter before (category and quadrant moves, new
        high-severity warnings), then the largest health-index changes since each account's
        previous assessment; account names link to their reports."""
        return quarter.movers(self.model, money=self._amount, held=self._only_selected(), link=self._account)

    def data_behind(self) -> Section:
        """Data behind this report: the tables supplied, their rows and date ranges, what
        stays empty for want of a missing table, and the limits of the data window."""
        m = self.model
        cov = data_coverage(m.portfolio)
        bank = "the client's questions.csv" if m.portfolio.questions_supplied else "the kit's default question bank"
        return Section("Data behind this report", data_panel(cov, data_limits(m.portfolio, quarter=m.quarter),
                                                             scope="portfolio", questions=bank))

    def header(self) -> Section:
        """Headline figures: revenue, growth, existing vs new-client split, quadrants."""
        f, m = self.fig, self.model
        t = m.totals
        share = t["new_client_share"]
        why = self._no_year_before()
        complete = benchmark_values(f, "health_index")
        cards = [("Accounts", f"{len(f):,}"), ("T4Q revenue", self._money(t["revenue_t4q"]), trend(t["revenue_t4q"], t["revenue_prior4"])),
                 ("Growth", fmt_pct(t["revenue_growth"], 1), why),
                 ("Existing / new-client", f"{fmt_pct(1 - share)} / {fmt_pct(share)}" if pd.notna(share) else "—"),
                 ("GRR / NRR", f"{fmt_pct(t['grr'])} / {fmt_pct(t['nrr'])}", why),
                 ("Median health index", fmt_num(complete.median()),
                  f"{count(int(complete.notna().sum()), 'account')} with a complete index" if complete.notna().any()
                  else "no complete assessment"),
                 ("Warnings", f"{int(f['n_warnings'].sum()):,}", f"on {count(int((f['n_warnings'] > 0).sum()), 'account')}")]
        body = (f'<p class="muted">Analysis date {m.as_of:%Y-%m-%d} · T4Q {esc(m.t4q_label)} · source {esc(m.portfolio.source.name)}</p>'
                + kpis(cards) + self._stands_out()
                + '<p class="muted">Existing vs new-client revenue: seed 002\'s rule of thumb is about 80/20. New-client revenue = revenue '
                  "within the first 4 quarters after an account's first revenue, when that is after the data's first quarter.</p>")
        return Section("Portfolio health assessment", body, level=1)

    def _stands_out(self) -> str:
        """What stands out, with the revenue behind it: the coasting accounts, the accounts
        no assessment covers, and the weakest and strongest assessed accounts by name
        (each said only when the data can know it)."""
        f = self.fig
        total = f["revenue_t4q"].sum()

        def part(mask: pd.Series) -> str:
            rev = f.loc[mask, "revenue_t4q"].sum()
            return f"{count(int(mask.sum()), 'account')}, {self._money(rev)}" + (f" ({fmt_pct(rev / total)} of T4Q revenue)"
                                                                                 if total > 0 else "")
        items = []
        coasting = f["quadrant"].eq("Coasting")
        if coasting.any():
            items.append(f"Coasting, on target for revenue but not healthy: {part(coasting)}.")
        at_risk = f["quadrant"].eq("At risk")
        if at_risk.any():
            items.append(f"At risk, neither healthy nor hygienic: {part(at_risk)}.")
        if self.model.portfolio.has("assessment"):
            unassessed = f["health_index"].isna() & f["revenue_t4q"].gt(0)
            if unassessed.any():
                items.append(f"No scored assessment, with revenue: {part(unassessed)}.")
        ranked = f[f["health_complete"].eq(True).fillna(False).astype(bool)].sort_values(
            ["health_index", "revenue_t4q"], ascending=[True, False], kind="stable")
        if len(ranked) >= 2:
            def who(a: str) -> str:
                r = f.loc[a]
                return (f"{r['account_name']} ({r['category']}, {self._money(r['revenue_t4q'])}, health index "
                        f"{self._score(r['health_index'])})")
            items.append(f"Weakest assessed account: {who(ranked.index[0])}; strongest: {who(ranked.index[-1])}.")
        if not items:
            return ""
        return "<h3>What stands out</h3><ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"

    def quadrant(self) -> Section:
        """Health x hygiene: the scatter and the count per quadrant."""
        f, s = self.fig, self.model.settings
        counts = f["quadrant"].value_counts().reindex(list(QUADRANTS), fill_value=0)
        placed = f[f["quadrant"].notna()]
        names = {q: _names(placed[placed["quadrant"] == q], limit=NAMES_PER_QUADRANT if self.large else None)
                 for q in QUADRANTS}
        df = pd.DataFrame({"Quadrant": counts.index, "Accounts": counts.values,
                           "Meaning": ["healthy and hygienic", "hygienic, not healthy: revenue on target, poor health",
                                       "healthy, not yet hygienic", "neither healthy nor hygienic"],
                           "Which": [names[q] for q in QUADRANTS]})
        # why the others have no quadrant: each reason counted
        no_health = f["health_index"].isna()
        incomplete = f["health_index"].notna() & f["health_complete"].eq(False).fillna(False).astype(bool)
        no_hygiene = ~no_health & ~incomplete & f["quadrant"].isna()
        reasons = [(int(no_health.sum()), "no scored assessment"
                    + ("" if self.model.portfolio.has("assessment") else " (no assessment.csv)")),
                   (int(incomplete.sum()), f"an incomplete health index (fewer than {s.min_scored_elements} elements scored)"),
                   (int(no_hygiene.sum()), "no revenue target and no year before to judge hygiene")]
        why_not = "; ".join(f"{k:,} with {r}" for k, r in reasons if k)
        if placed.empty:
            body = (f'<p class="muted">No account can be placed ({esc(why_not)}). An account needs a complete health '
                    "index (the assessment) and a hygiene verdict (revenue targets, or revenue for the year before) to "
                    "be placed; the chart is drawn once one has both.</p>")
            return Section("Health x hygiene", body)
        chart = charts.plot_quadrant(f, settings=s, max_labels=NAMED_IN_CHARTS if self.large else None)
        n = {q: f"{int(counts[q]):,}" for q in ("Thriving", "Coasting", "Building", "At risk")}
        alt = (f"Scatter of {count(len(placed), 'account')} by health index and revenue against the hygiene bar, one "
               f"marker per quadrant: {n['Thriving']} thriving, {n['Coasting']} coasting, "
               f"{n['Building']} building, {n['At risk']} at risk.")
        body = figure_img(chart, alt)
        coasting = int(counts["Coasting"])
        # every quadrant named, so that the four add up to the accounts placed
        body += (f"<p>{count(coasting, 'account')} {'is' if coasting == 1 else 'are'} coasting: on target for revenue "
                 f"but not healthy, the case the assessment exists to expose; {n['At risk']} at risk, "
                 f"{n['Building']} building and {n['Thriving']} thriving.</p>")
        body += table(df, formats={"Accounts": fmt_num}, numeric=["Accounts"])
        notes = []
        if why_not:
            notes.append(f"Not placed: {why_not}.")
        left_out = getattr(chart, "kit_left_out", [])
        if self.large:
            only = self._only_selected()
            notes.append(f"The chart names the {NAMED_IN_CHARTS} largest accounts by T4Q revenue"
                         + (f" ({len(left_out)} of them found no room)" if left_out else "")
                         + "; the table names the largest of each quadrant, and the index page lists "
                         + (f"{only}, each with its quadrant." if only else "every account with its quadrant."))
        elif left_out:
            notes.append(f"{count(len(left_out), 'name')} not written on the chart for lack of room (the table lists "
                         "every account by quadrant).")
        notes.append("Hollow markers: no revenue target, so hygiene is growth against the four quarters before.")
        body += "".join(f'<p class="muted">{esc(n)}</p>' for n in notes)
        return Section("Health x hygiene", body)

    def heatmap(self) -> Section:
        """Accounts x elements heatmap of the latest scores."""
        el = self.model.assessment.elements
        wide = el.pivot(index="account_id", columns="element", values="score").reindex(columns=list(ELEMENT_IDS))
        # strongest first, so the weak accounts sit together at the bottom
        order = self.fig["health_index"].sort_values(ascending=False, kind="stable").index
        wide = wide.reindex(order).dropna(how="all")
        if wide.empty:
            return Section("Element scores by account", self._no_assessment())
        if len(wide) > FULL_DETAIL:
            return self._heatmap_large(wide)
        names = self.fig["account_name"].astype(str).str.slice(0, 28)
        wide.index = [f"{names[a]} ({a})" for a in wide.index]
        means = wide.mean()
        low = means.idxmin()
        red_accounts = int((wide < self.model.settings.rag_amber).any(axis=1).sum())
        take = (f"{ELEMENT_NAMES[low]} is the weakest element across accounts (mean {self._score(means[low])}); "
                f"{red_accounts} of {len(wide)} assessed accounts have at least one red element. "
                "Accounts are ordered by health index, strongest first.")
        alt = (f"Heatmap of the ten element scores of {count(len(wide), 'assessed account')}, cells coloured by RAG "
               f"band. {take}")
        return Section("Element scores by account",
                       figure_img(charts.plot_element_heatmap(wide, settings=self.model.settings), alt) + f"<p>{esc(take)}</p>")

    def _heatmap_large(self, wide: pd.DataFrame) -> Section:
        """The element heatmap of a large portfolio: mean scores by segment, then the
        weakest accounts by health index (every account's scores are in tables/)."""
        f, s = self.fig, self.model.settings
        seg = _segment_means(wide, f)
        means = wide.mean()
        low = means.idxmin()
        red_accounts = int((wide < s.rag_amber).any(axis=1).sum())
        take = (f"{ELEMENT_NAMES[low]} is the weakest element across accounts (mean {self._score(means[low])}); "
                f"{red_accounts} of {len(wide)} assessed accounts have at least one red element.")
        body = figure_img(charts.plot_element_heatmap(seg, settings=s, title="Mean element scores by segment (accounts)"),
                          f"Heatmap of the mean of each element score by category, industry and region, cells coloured "
                          f"by RAG band. {take}") + f"<p>{esc(take)}</p>"
        # complete indexes only: an index on three elements is not comparable
        rated = f.loc[wide.index]
        health = rated.loc[rated["health_complete"].eq(True).fillna(False).astype(bool), "health_index"].dropna()
        health = health.sort_values(kind="stable")
        weakest = wide.loc[health.index[:HEATMAP_ACCOUNTS]]
        if len(weakest):
            names = f["account_name"].astype(str).str.slice(0, 28)
            weakest = weakest.set_axis([f"{names[a]} ({a})" for a in weakest.index])
            body += figure_img(charts.plot_element_heatmap(weakest, settings=s,
                                                           title=f"The {len(weakest)} weakest accounts by health index"),
                               f"Heatmap of the ten element scores of the {len(weakest)} accounts with the lowest complete "
                               "health index, weakest at the top, cells coloured by RAG band.")
        only = self._only_selected()
        where = (f"tables/element_scores.csv holds the scores of {only}, each also in its own report" if only else
                 "Every account's element scores are in tables/element_scores.csv and in its own report")
        body += (f'<p class="muted">{len(wide)} accounts are assessed: too many to draw one row each. '
                 f"{esc(where)}.</p>")
        return Section("Element scores by account", body)

    def weakest(self) -> Section:
        """Elements ranked by mean score across the portfolio."""
        el, s = self.model.assessment.elements, self.model.settings
        g = el.groupby("element")
        summ = pd.DataFrame({"mean_score": g["score"].mean(), "n_accounts": g["score"].count(),
                             "red": g["rag"].apply(lambda r: int((r == "red").sum())),
                             "disagree": g["raters_disagree"].sum()}).reindex(list(ELEMENT_IDS)).reset_index()
        if summ["n_accounts"].sum() == 0:
            return Section("Weakest elements across the portfolio", self._no_assessment())
        t = summ.sort_values("mean_score").assign(element=lambda d: d["element"].map(ELEMENT_NAMES))
        t = t.rename(columns={"element": "Element", "mean_score": "Mean score", "n_accounts": "Accounts scored",
                              "red": "Accounts red", "disagree": "Raters disagree"})
        first = t.iloc[0]
        take = (f"Weakest across the portfolio: {first['Element']} (mean {self._score(first['Mean score'])}, red in "
                f"{int(first['Accounts red'])} of {int(first['Accounts scored'])} accounts).")
        img = figure_img(charts.plot_weakest_elements(summ, settings=s),
                         f"Bars of the mean score of each element across the assessed accounts, weakest at the top. {take}")
        return Section("Weakest elements across the portfolio", img + f"<p>{esc(take)}</p>"
                       + table(t, formats={"Mean score": self._score}, numeric=list(t.columns[1:])))

    def categories(self) -> Section:
        """Relationship category mix and its movement since a year earlier."""
        f = self.fig
        cat = f.groupby("category").agg(accounts=("account_name", "size"), revenue=("revenue_t4q", "sum"),
                                        health=("health_index", "median")).reindex(list(CATEGORIES))
        total = f["revenue_t4q"].sum()
        cat = cat.assign(accounts=cat["accounts"].fillna(0), share=cat["revenue"] / total if total > 0 else np.nan).reset_index()
        if f["health_index"].isna().all():  # a column of dashes says nothing
            cat = cat.drop(columns="health")
        t1 = table(cat.rename(columns={"category": "Category", "accounts": "Accounts", "revenue": "T4Q revenue",
                                       "share": "Share of revenue", "health": "Median health index"}),
                   formats={"T4Q revenue": self._money, "Share of revenue": fmt_pct, "Median health index": fmt_num, "Accounts": fmt_num},
                   numeric=["Accounts", "T4Q revenue", "Share of revenue", "Median health index"])
        scale = self._scale_check()
        if f["previous_category"].isna().all():
            # the year before lies outside the data: no movement to show, never "from Greenfield"
            why = self._no_year_before() or "unknown"
            return Section("Relationship categories", t1 + scale
                           + f'<p class="muted">Movement since a year ago: {esc(why)}; the category a year ago needs '
                             "the four quarters before T4Q in the data.</p>")
        counts = pd.DataFrame({"a_year_ago": f["previous_category"].value_counts().reindex(list(CATEGORIES), fill_value=0),
                               "now": f["category"].value_counts().reindex(list(CATEGORIES), fill_value=0)})
        up_order = {c: i for i, c in enumerate(CATEGORIES)}  # Strategic first: a lower index is a better category
        moved = f[f["previous_category"] != f["category"]]
        ups = int(sum(up_order[a] < up_order[b] for a, b in zip(moved["category"], moved["previous_category"])))
        take = (f"{len(moved)} of {len(f)} accounts changed category since {quarter_label(self.model.quarter - 4)}: "
                f"{ups} moved up, {len(moved) - ups} moved down.")
        img = figure_img(charts.plot_category_migration(counts),
                         "Paired bars of the accounts per category a year ago and now: "
                         + ", ".join(f"{c} {int(a)} then {int(b)}" for c, a, b in
                                     zip(counts.index, counts["a_year_ago"], counts["now"])) + f". {take}")
        move = pd.crosstab(f["previous_category"], f["category"]).reindex(index=list(CATEGORIES), columns=list(CATEGORIES), fill_value=0)
        t2 = table(move.reset_index().rename(columns={"previous_category": "A year ago \\ now"}), numeric=list(CATEGORIES))
        return Section("Relationship categories", t1 + scale + img + f"<p>{esc(take)}</p><h3>Movement since a year ago</h3>" + t2)

    def _scale_check(self) -> str:
        """Whether the category rules fit the client's scale, with the thresholds the
        client's own distribution suggests and the config.yml lines to paste."""
        sc = self.model.scale
        if sc is None or sc.fits:
            return ""
        body = ('<div class="callout"><p><strong>The categories do not fit this client\'s scale:</strong> '
                + esc("; ".join(sc.findings)) + ".</p>")
        if sc.suggested:
            mix = ", ".join(f"{c} {n}" for c, n in sc.suggested_mix.items())
            body += (f"<p>Thresholds from the client's own distribution (the Strategic revenue threshold at the 90th "
                     f"percentile of T4Q revenue, buying centers as the accounts have them) would give {esc(mix)}. "
                     "To use them, add these lines to <code>config.yml</code> and rerun with <code>--config</code>:</p>"
                     f"<pre>{esc(chr(10).join(sc.config_lines()))}</pre>")
        return body + "</div>"

    def market(self) -> Section:
        """Market position (BCG) matrix: accounts by market growth and relative share."""
        f, s = self.fig, self.model.settings
        classified = f["bcg_quadrant"] != "unclassified"
        if not classified.any():  # nothing to plot: say what would fill the chart
            return Section("Market position", '<p class="muted">No data: no account has a market position. Supply each '
                                              "account's market growth and relative market share in accounts.csv to place "
                                              "the accounts in the market-position matrix (Star, Cash cow, Question mark, "
                                              "Dog).</p>")
        chart = charts.plot_market_position(
            f[["market_share", "market_growth", "revenue_t4q", "account_name", "health_index", "health_complete"]],
            growth_threshold=s.bcg_growth_threshold, share_threshold=s.bcg_share_threshold, settings=s,
            max_labels=NAMED_IN_CHARTS if self.large else None)
        mix = f.loc[classified, "bcg_quadrant"].value_counts()
        colour, key = self._market_colours()
        alt = (f"Bubble chart of {count(int(classified.sum()), 'account')} by relative market share (log scale) and market "
               "growth, bubble area by T4Q revenue" + (f", colour by health-index band ({colour})" if colour else "")
               + ", named: " + ", ".join(f"{q} {int(mix.get(q, 0))}" for q in BCG_QUADRANTS[:4]) + ".")
        img = figure_img(chart, alt) + key
        left_out = getattr(chart, "kit_left_out", [])
        if self.large:
            img += (f'<p class="muted">The chart names the {NAMED_IN_CHARTS} largest accounts by T4Q revenue'
                    + (f" ({len(left_out)} of them found no room)" if left_out else "") + ".</p>")
        elif left_out:
            img += (f'<p class="muted">{count(len(left_out), "bubble")} left unnamed for lack of room: '
                    f"{esc(', '.join(f.loc[left_out, 'account_name'].astype(str)))}.</p>")
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
            t += (f"<p>The largest share of T4Q revenue comes from {esc(top['bcg_quadrant'])} accounts ({esc(self._money(top['revenue']))}, "
                  f"{fmt_pct(top['revenue'] / f['revenue_t4q'].sum())} of the portfolio).</p>")
        note = (f'<p class="muted">Star: growth and share high; Cash cow: share high, growth low; Question mark: growth high, '
                f"share low; Dog: both low. High = at or above market growth {s.bcg_growth_threshold:.0%} and relative share "
                f"{s.bcg_share_threshold:g} (1.0 = equal to the largest competitor). Unclassified: growth or share missing.</p>")
        return Section("Market position", img + t + note)

    def _market_colours(self) -> tuple[str, str]:
        """The market-position bubbles' colours counted, for the alt text, and what they
        mean, under the chart ('' and '' when no bubble has a health index: one colour)."""
        f, s = self.fig, self.model.settings
        drawn = f["market_share"].astype(float).gt(0) & f["market_growth"].notna()
        band = f.loc[drawn, "health_rag"]  # "incomplete" for an incomplete index: never banded
        n = {b: int(band.eq(b).sum()) for b in ("green", "amber", "red")}
        if not sum(n.values()):
            return "", ""
        no_index, incomplete = int(band.isna().sum()), int(band.eq("incomplete").sum())
        grey = [f"{count(no_index, 'account')} without a health index (no scored assessment)"] if no_index else []
        if incomplete:
            grey.append(f"{count(incomplete, 'account')} with an incomplete one (fewer than {s.min_scored_elements} "
                        "elements scored)")
        colour = ", ".join(f"{v} {b}" for b, v in n.items()) + (f", {no_index + incomplete} grey" if grey else "")
        key = (f"Colour: the band of the account's health index, as in the ranking (green {s.rag_green:g} or more, amber "
               f"{s.rag_amber:g} to below {s.rag_green:g}, red below {s.rag_amber:g})."
               + (f" Grey: {' and '.join(grey)}: their health is unknown, not low." if grey else ""))
        return colour, f'<p class="muted">{esc(key)}</p>'

    def revenue(self) -> Section:
        """Portfolio revenue by motion over time, and existing vs new-client revenue (80/20)."""
        m = self.model
        mt = m.motion_table
        if mt.empty:
            return Section("Revenue by motion", '<p class="muted">No revenue rows.</p>')
        t4 = mt[mt["quarter"] >= m.quarter - 3].groupby("motion")["amount"].sum().reindex(list(MOTIONS), fill_value=0.0)
        total = t4.sum()
        df = pd.DataFrame({"Motion": [charts.MOTION_WORDS[k] for k in t4.index], "T4Q revenue": t4.values,
                           "Share": t4.values / total if total > 0 else np.nan})
        take = ""
        if total > 0:
            grow = (t4.get("crop_rotation", 0) + t4.get("colonization", 0)) / total
            take = (f"{fmt_pct(t4.get('continuation', 0) / total)} of T4Q revenue continues earlier purchases; cross-sell "
                    f"and new buying centers bring {fmt_pct(grow)}.")
        img = figure_img(charts.plot_revenue_motions(mt, title="Portfolio revenue by quarter and motion"),
                         f"Stacked bars of the portfolio's revenue per quarter by motion. {take}")
        body = img + (f"<p>{take}</p>" if take else "")
        body += table(df, formats={"T4Q revenue": self._money, "Share": fmt_pct}, numeric=["T4Q revenue", "Share"])
        split = revenue_split(m.portfolio.table("revenue")[lambda d: d["quarter"] <= m.quarter], quarter=m.quarter)
        t = m.totals
        share = t["new_client_share"]
        body += "<h3>Existing vs new-client revenue (the 80/20 view)</h3>"
        body += kpis([("Existing clients (T4Q)", self._money(t["existing_t4q"]), fmt_pct(1 - share) if pd.notna(share) else ""),
                      ("New clients (T4Q)", self._money(t["new_client_t4q"]), fmt_pct(share) if pd.notna(share) else "")])
        if len(split):
            body += figure_img(charts.plot_revenue_split(split),
                               f"Stacked bars of the portfolio's revenue in each of the last {count(len(split), 'quarter')}, "
                               "existing clients and new clients, with the new-client share above each bar.")
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
        why = self._no_year_before()
        if why:  # retention needs the year before T4Q: nothing to show, and no 0% either
            return Section("Retention", f'<p class="muted">Revenue retention is {esc(why)}: gross and net retention '
                                        "compare T4Q with the four quarters before, which the data do not reach. Revenue "
                                        "for the year before T4Q would fill this section.</p>")
        body = kpis([("Gross revenue retention", fmt_pct(t["grr"]), f"{count(t['retention_base_accounts'], 'account')} with a base"),
                     ("Net revenue retention", fmt_pct(t["nrr"]))])
        trend_rows = m.retention_trend.dropna(subset=["grr", "nrr"], how="all")
        if len(trend_rows):
            last = trend_rows.iloc[-1]
            body += figure_img(charts.plot_retention(m.retention_trend),
                               f"Lines of the portfolio's gross and net revenue retention over {count(len(trend_rows), 'quarter')}, "
                               f"against 100%: GRR {fmt_pct(last['grr'])} and NRR {fmt_pct(last['nrr'])} in {last['period']}.")
        f = self.fig
        churned = int(((f["revenue_prior4"] > 0) & (f["revenue_t4q"] <= 0)).sum())
        shrank = int(((f["revenue_prior4"] > 0) & (f["grr"] < 1) & (f["revenue_t4q"] > 0)).sum())
        body += (f"<p>{count(churned, 'account')} with revenue a year ago {'has' if churned == 1 else 'have'} none in T4Q; "
                 f"{shrank} more bought less.</p>")
        body += ('<p class="muted">Over accounts with revenue in the 4 quarters before T4Q (the base): GRR = sum of min(T4Q, base) '
                 "/ sum of base (only losses count); NRR = sum of T4Q / sum of base (expansion counts). New clients are left out.</p>")
        return Section("Retention", body)

    def warnings(self) -> Section:
        """Early warnings across accounts: how often each rule fired, and where."""
        w, s, f = self.model.warnings, self.model.settings, self.fig
        counts = w.groupby("warning_id").size()
        supplied = set(self.model.portfolio.tables)
        # rule names in words, most serious first; a rule whose tables are missing says so
        rules = sorted(RULES, key=lambda r: SEVERITY_ORDER[r.severity])
        # a rule that cannot judge any account says so, never "0": its table is missing, or
        # (falling revenue) the year before T4Q lies outside the data
        no_year = self._no_year_before()

        def fired(r) -> object:
            if not r.applies(supplied):
                return "no data"
            if r.id == "revenue_flat_or_falling" and no_year:
                return "unknown"
            return int(counts.get(r.id, 0))

        df = pd.DataFrame([{"Warning": r.title, "Severity": r.severity, "Accounts": fired(r),
                            "Threshold": r.threshold_text(s)} for r in rules])
        body = table(df, numeric=["Accounts"])
        # one row per account (its most serious warning): ten accounts to look at, not one account five times
        top = order_warnings(w, by_account=False).drop_duplicates("account_id").head(10)
        only = self._only_selected()
        every = f"tables/warnings.csv holds the warnings of {only}" if only else "Every warning is in tables/warnings.csv"
        if len(top):
            t = pd.DataFrame({"Account": [self._account(a) for a in top["account_id"]], "Id": top["account_id"].to_numpy(),
                              "Severity": top["severity"].str.upper().to_numpy(), "Warning": top["title"].to_numpy(),
                              "What fired it": top["message"].to_numpy(),
                              "Revenue at risk": top["revenue_at_risk"].map(self._money).to_numpy()})
            body += ("<h3>The most serious warnings</h3>"
                     '<p class="muted">One row per account, its most serious warning; by severity, then by the revenue '
                     "each puts at risk (the account's T4Q revenue, or for concentration the largest buying center's or "
                     f"offering's). {esc(every)}.</p>"
                     + table(t, raw_html=["Account"], numeric=["Revenue at risk"]))
        n_acc = int((f["n_warnings"] > 0).sum())
        body += (f"<p>{n_acc} of {len(f)} accounts have at least one warning; "
                 f"{count(int(w['severity'].eq('high').sum()), 'high-severity warning')} in all.</p>")
        return Section("Early warnings across accounts", body)

    def am_load(self) -> Section:
        """Accounts per account manager (Greenfield not counted), flagged outside the range."""
        s, am = self.model.settings, self.model.am_load
        if am.empty:  # nothing to plot: say what would fill it
            return Section("Account-manager load", '<p class="muted">No data: accounts.csv names no account manager. '
                                                   "An account manager per account would show each manager's load "
                                                   f"against the {s.am_load_min}-{s.am_load_max} range.</p>")
        out_n = int((am["flag"] != "").sum())
        if len(am) > AM_BARS:
            return self._am_load_large(am, out_n)
        img = figure_img(charts.plot_am_load(am[["account_manager", "accounts"]], low=s.am_load_min, high=s.am_load_max),
                         f"Bars of the accounts (not Greenfield) of each of {count(len(am), 'account manager')} against "
                         f"the target range {s.am_load_min}-{s.am_load_max}: {out_n} outside it.")
        t = am.assign(flag=am["flag"].map({"below": f"⚑ below {s.am_load_min}", "above": f"⚑ above {s.am_load_max}"}).fillna(""))
        t = t.rename(columns={"account_manager": "Account manager", "accounts": "Accounts (not Greenfield)",
                              "greenfield": "Greenfield (not counted)", "flag": "Flag"})
        out = int((am["flag"] != "").sum())
        take = (f"{out} of {len(am)} account managers are outside the {s.am_load_min}-{s.am_load_max} range." if out
                else f"Every account manager is within {s.am_load_min}-{s.am_load_max} accounts.")
        return Section("Account-manager load", img + table(t, numeric=["Accounts (not Greenfield)", "Greenfield (not counted)"]) + f"<p>{esc(take)}</p>")

    def _am_load_large(self, am: pd.DataFrame, out_n: int) -> Section:
        """Account-manager load of hundreds of managers: how many carry each load, and the
        managers furthest outside the range by name (all of them in tables/am_load.csv)."""
        s = self.model.settings
        img = figure_img(charts.plot_am_load_distribution(am[["account_manager", "accounts"]], low=s.am_load_min,
                                                          high=s.am_load_max),
                         f"Bars of how many of the {len(am)} account managers carry each number of accounts (not "
                         f"Greenfield), against the target range {s.am_load_min}-{s.am_load_max}: {out_n} outside it.")
        if not out_n:
            return Section("Account-manager load", img + f"<p>Every one of the {len(am)} account managers is within "
                                                         f"{s.am_load_min}-{s.am_load_max} accounts.</p>")
        away = (am["accounts"] - s.am_load_max).clip(lower=0) + (s.am_load_min - am["accounts"]).clip(lower=0)
        worst = am.assign(_away=away)[am["flag"] != ""].sort_values(["_away", "account_manager"], ascending=[False, True],
                                                                    kind="stable").head(SEGMENT_ROWS)
        t = worst.drop(columns="_away").assign(flag=worst["flag"].map({"below": f"⚑ below {s.am_load_min}",
                                                                       "above": f"⚑ above {s.am_load_max}"}))
        t = t.rename(columns={"account_manager": "Account manager", "accounts": "Accounts (not Greenfield)",
                              "greenfield": "Greenfield (not counted)", "flag": "Flag"})
        take = f"{out_n} of {len(am)} account managers are outside the {s.am_load_min}-{s.am_load_max} range."
        more = (f" The {len(worst)} furthest outside it are listed; every manager's load is in tables/am_load.csv."
                if out_n > len(worst) else "")
        return Section("Account-manager load", img + f"<p>{esc(take)}{esc(more)}</p>"
                       + table(t, numeric=["Accounts (not Greenfield)", "Greenfield (not counted)"]))

    def segments(self) -> Section:
        """Summaries by segment (category, industry, region, account manager): accounts,
        revenue, health, the accounts at risk, and the strongest and weakest account of
        each; a segment's accounts are a click away on the index page."""
        f = self.fig
        parts, shown_any = [], False
        has_health = f["health_index"].notna().any()
        total = f["revenue_t4q"].sum()
        for col, heading, key in SEGMENTS:
            if col not in f or f[col].isna().all():
                parts.append(f'<p class="muted">{esc(heading)}: unknown, accounts.csv has no {esc(col)} column '
                             "or no value in it.</p>")
                continue
            shown_any = True
            t, more = self._segment_table(col, heading, key, has_health=has_health, total=total)
            parts.append(f"<h3>By {esc(heading.lower())}</h3>" + t + more)
        if not shown_any:
            return Section("Segments", "".join(parts))
        supplied = set(self.model.portfolio.tables)
        no_high = [r.title for r in RULES if r.severity == "high" and not r.applies(supplied)]
        health = ("Strongest and weakest: by health index, among the segment's assessed accounts. At risk: neither "
                  "healthy nor hygienic (the health x hygiene quadrant). " if has_health else
                  "Health, the strongest and weakest accounts and those at risk are left out: no assessment is scored. ")
        only = self._only_selected()
        index = f"; this run's index page holds {esc(only)}" if only else ""
        note = ('<p class="muted">A segment\'s name links to the index page filtered to its accounts (in a kit run)'
                + index + ". "
                + (esc(self._links_note()) + " " if has_health else "")
                + health + "High-severity warning: accounts with at least one"
                + (f" (not judged for want of their tables: {esc(', '.join(no_high))})" if no_high else "") + ".</p>")
        return Section("Segments", "".join(parts) + note)

    def _segment_table(self, col: str, heading: str, key: str, *, has_health: bool, total: float) -> tuple[str, str]:
        from urllib.parse import quote

        f = self.fig
        seg = f[col].astype(object).where(f[col].notna(), "(none)")
        w = self.model.warnings
        high = f.index.isin(w.loc[w["severity"].eq("high"), "account_id"].unique())
        g = f.assign(_seg=seg, _risk=f["quadrant"].eq("At risk"), _high=high)
        agg = g.groupby("_seg", sort=False).agg(accounts=("account_name", "size"), revenue=("revenue_t4q", "sum"),
                                               health=("health_index", "median"), risk=("_risk", "sum"),
                                               warned=("_high", "sum"))
        if col == "category":
            agg = agg.reindex([c for c in CATEGORIES if c in agg.index] + [c for c in agg.index if c not in CATEGORIES])
        else:
            agg = agg.sort_values(["revenue", "accounts"], ascending=False, kind="stable")
        shown = agg.head(SEGMENT_ROWS)
        # assessed accounts only: an account without a health index is neither strongest nor weakest
        ranked = g.dropna(subset=["health_index"]).sort_values("health_index", kind="stable")
        ranked = ranked.assign(_id=ranked.index)
        weakest = ranked.groupby("_seg", sort=False)["_id"].first().map(self._account)
        strongest = ranked.groupby("_seg", sort=False)["_id"].last().map(self._account)

        def link(v: object) -> str:
            text = esc(v)
            return text if v == "(none)" else f'<a href="index.html#{key}={esc(quote(str(v), safe=""))}">{text}</a>'

        df = pd.DataFrame({heading: [link(v) for v in shown.index], "Accounts": shown["accounts"].to_numpy(),
                           "T4Q revenue": shown["revenue"].to_numpy(),
                           "Share of revenue": shown["revenue"].to_numpy() / total if total > 0 else np.nan,
                           "Median health index": shown["health"].to_numpy(), "At risk": shown["risk"].to_numpy(),
                           "High-severity warning": shown["warned"].to_numpy(),
                           "Strongest": [strongest.get(v, "—") for v in shown.index],
                           "Weakest": [weakest.get(v, "—") for v in shown.index]})
        if not has_health:
            df = df.drop(columns=["Median health index", "Strongest", "Weakest", "At risk"])
        supplied = set(self.model.portfolio.tables)
        if not any(r.applies(supplied) for r in RULES if r.severity == "high"):
            df = df.drop(columns="High-severity warning")  # no rule could fire: unknown, not 0
        # a segment of thousands may hold a small share: one decimal, never a column of "0%"
        t = table(df, raw_html=[heading, "Strongest", "Weakest"], formats={"T4Q revenue": self._money, "Share of revenue": lambda v: fmt_pct(v, 1),
                                                   "Median health index": fmt_num, "Accounts": fmt_num},
                  numeric=["Accounts", "T4Q revenue", "Share of revenue", "Median health index", "At risk", "High-severity warning"])
        more = ""
        if len(agg) > len(shown):
            rest = agg.iloc[len(shown):]
            only = self._only_selected()
            where = (f"tables/account_summary.csv holds {only}" if only else
                     f"every account with its {heading.lower()} is in tables/account_summary.csv")
            more = (f'<p class="muted">{count(len(rest), heading.lower())} more ({count(int(rest["accounts"].sum()), "account")}, '
                    f"{esc(self._money(rest['revenue'].sum()))} of T4Q revenue): {esc(where)}.</p>")
        return t, more

    def benchmarks(self) -> Section:
        """Percentiles of the key figures: the anonymous benchmarks account reports reuse."""
        pct = portfolio_percentiles(self.fig)
        # only figures that exist: a row of dashes benchmarks nothing
        have = [(c, label, kind) for c, (label, kind) in BENCHMARK_FIGURES.items() if pct.loc[c, "n"] > 0]
        missing = [label for c, (label, _) in BENCHMARK_FIGURES.items() if pct.loc[c, "n"] == 0]
        rows = [[label, self._fmt_kind_m(pct.loc[c, "p10"], kind), self._fmt_kind_m(pct.loc[c, "p25"], kind), self._fmt_kind_m(pct.loc[c, "median"], kind),
                 self._fmt_kind_m(pct.loc[c, "p75"], kind), self._fmt_kind_m(pct.loc[c, "p90"], kind), int(pct.loc[c, "n"])]
                for c, label, kind in have]
        df = pd.DataFrame(rows, columns=["Figure", "P10", "P25", "Median", "P75", "P90", "Accounts"])
        note = ('<p class="muted">Over the accounts that have each figure (an incomplete health index is not compared). '
                "Each account report shows its own value against these percentiles and its percentile rank "
                "(share of accounts below it), without naming any other account."
                + (f" Not benchmarked, no account has them: {esc(', '.join(missing))}." if missing else "") + "</p>")
        return Section("Benchmarks", table(df, numeric=list(df.columns[1:])) + note)

    def accounts(self) -> Section:
        """Every account in one ranking table: by health index (complete indexes first,
        then incomplete ones), then T4Q revenue; the accounts without a health index after
        them, by T4Q revenue and with no rank (unknown is not ranked as if known).  By T4Q
        revenue alone when no account has a health index.  A column unknown for every
        account is left out and named."""
        fig = self.fig
        has_health = fig["health_index"].notna()
        tier = np.where(fig["health_complete"].eq(True).fillna(False).to_numpy(dtype=bool), 0, np.where(has_health, 1, 2))
        f = fig.assign(_tier=tier).reset_index().sort_values(["_tier", "health_index", "revenue_t4q"],
                                                            ascending=[True, False, False], na_position="last", kind="stable")
        # tier 2 sorts last: the first n_ranked rows are the accounts with a health index
        n_ranked = int(has_health.sum()) if has_health.any() else len(f)
        nps = (["" if pd.isna(b) else f"{fmt_num(a)} ({int(b)})" for a, b in zip(f["nps"], f["nps_n"])])
        health = [self._score(v) + ("" if c is True or pd.isna(v) else " (incomplete)")
                  for v, c in zip(f["health_index"], f["health_complete"].astype(object))]
        df = pd.DataFrame({
            "Rank": [f"{i:,}" for i in range(1, n_ranked + 1)] + ["—"] * (len(f) - n_ranked),
            "Account": [self._account(a) for a in f["account_id"]], "Id": f["account_id"], "Category": f["category"],
            "Market position": f["bcg_quadrant"].where(f["bcg_quadrant"] != "unclassified", "—"),
            "Health index": health, "RAG": f["health_rag"].map(rag_badge), "Quadrant": f["quadrant"].fillna("—"),
            "T4Q revenue": f["revenue_t4q"].map(self._money), "Growth": f["revenue_growth"].map(lambda v: fmt_pct(v, 1)),
            "Attainment": f["revenue_attainment"].map(fmt_pct), "NPS (n)": nps,
            "Warnings": f["n_warnings"],
        })
        unknown = {"Market position": (fig["bcg_quadrant"] == "unclassified").all(),
                   "Health index": not has_health.any(), "RAG": not has_health.any(), "Quadrant": fig["quadrant"].isna().all(),
                   "Growth": fig["revenue_growth"].isna().all(), "Attainment": fig["revenue_attainment"].isna().all(),
                   "NPS (n)": fig["nps_n"].isna().all()}
        dropped = [c for c, gone in unknown.items() if gone]
        df = df.drop(columns=dropped)
        unranked = len(f) - n_ranked
        if has_health.any():
            title = "All accounts, ranked by health index"
            note = "Complete health indexes first, then incomplete ones; ties by T4Q revenue."
            if unranked:
                note += (f" {self._not_ranked(unranked)}: they follow the ranked accounts, by T4Q revenue, with no rank.")
        else:
            title = "All accounts, ranked by T4Q revenue"
            note = "No account has a health index, so the ranking is by T4Q revenue."
        if dropped:
            note += f" Not shown, unknown for every account: {', '.join(dropped)}."
        note += " " + self._links_note()
        numeric = ["Rank", "Health index", "T4Q revenue", "Growth", "Attainment", "Warnings"]
        raw = ["Account", "RAG"]
        if len(df) <= FULL_DETAIL:
            return Section(title, table(df, raw_html=raw, numeric=numeric) + f'<p class="muted">{esc(note)}</p>')
        return Section(title, self._ranking_pages(df, f, n_ranked=n_ranked, numeric=numeric, raw=raw, note=note))

    @staticmethod
    def _not_ranked(n: int) -> str:
        return (f"{n:,} {'account has' if n == 1 else 'accounts have'} no health index (not assessed) and "
                f"{'is' if n == 1 else 'are'} not ranked")

    def _ranking_pages(self, df: pd.DataFrame, ranked: pd.DataFrame, *, n_ranked: int, numeric: list[str],
                       raw: list[str], note: str) -> str:
        """The ranking of a large portfolio: the weakest assessed accounts first, then every
        ranked account in pages of :data:`PAGE_ROWS` (``<details>``: no script; a printout
        shows the first page), then the accounts not ranked (no health index) in pages of
        their own, with the CSV and the index page for sorting and filtering."""
        body = ""
        complete = ranked["health_complete"].eq(True).fillna(False).to_numpy(dtype=bool)
        if complete.any():
            weakest = df[complete].iloc[::-1].head(10)
            body += (f"<h3>The {len(weakest)} weakest accounts</h3>"
                     + table(weakest, raw_html=raw, numeric=numeric))
        unranked = len(df) - n_ranked
        body += f"<h3>Every account, {PAGE_ROWS} to a page</h3>"
        if unranked:
            body += (f'<p class="muted">{n_ranked:,} ranked by health index; {esc(self._not_ranked(unranked))}: they are '
                     "listed after the ranking, by T4Q revenue.</p>")
        opened = False
        for part, words in ((df.iloc[:n_ranked], "Ranks {a}–{b} of {n}"),
                            (df.iloc[n_ranked:], "Not ranked, no health index: {a}–{b} of {n}")):
            for start in range(0, len(part), PAGE_ROWS):
                page = part.iloc[start:start + PAGE_ROWS]
                summary = words.format(a=f"{start + 1:,}", b=f"{start + len(page):,}", n=f"{len(part):,}")
                body += (f'<details class="page"{"" if opened else " open"}><summary>{esc(summary)}</summary>'
                         + table(page, raw_html=raw, numeric=numeric) + "</details>")
                opened = True
        only = self._only_selected()
        note += (f" Open a page to see its accounts; the printed report shows the first {PAGE_ROWS}. "
                 + (f"tables/account_summary.csv and the index page hold {only}." if only else
                    "Every account is in tables/account_summary.csv, and the index page sorts and filters them."))
        return body + f'<p class="muted">{esc(note)}</p>'
