"""The account report's sections (one notebook cell each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit.figures.benchmarks import BENCHMARK_FIGURES, percentile_rank, portfolio_percentiles
from kit.figures.concentration import revenue_shares, stakeholder_map
from kit.figures.early_warnings import RULES
from kit.figures.model import PortfolioModel
from kit.figures.pipeline import pipeline_stages, whitespace_matrix
from kit.figures.plan import account_plan, qbr_view
from kit.figures.recommendations import CATEGORY_DESCRIPTIONS, MEASURES
from kit.files.names import report_stems
from kit.periods import quarter_label
from kit.report import charts
from kit.report.blocks import Section, esc, figure_img, fmt_num, fmt_pct, kpis, rag_badge, status_grid, table, trend
from kit.report.formats import (
    INDICATOR_NAMES,
    INDICATOR_SOURCES,
    SEVERITY_ORDER,
    SOURCE_WORDS,
    Formats,
    motion_takeaway,
    no_data,
    signed,
)
from kit.report.loading import check_audience, model_for, resolve_account_id
from kit.schema import ELEMENT_NAMES


@dataclass
class AccountReport(Formats):
    """The sections of one account's health assessment."""

    model: PortfolioModel
    account_id: str
    audience: str = "internal"
    note: str = ""

    @classmethod
    def load(cls, data_dir: str | Path, account_id: object = None, *, as_of: str | dt.date | None = None,
             config_path: str | Path | None = None, audience: str = "internal",
             model_path: str | Path | None = None) -> AccountReport:
        """Load the portfolio and pick one account (None: the first in accounts).

        ``model_path`` (set by ``kit run``) is the portfolio's figures computed once for
        the whole run; None computes them here from ``data_dir``."""
        check_audience(audience)
        model = model_for(data_dir, as_of=as_of, config_path=config_path, model_path=model_path)
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
        cards = [("T4Q revenue", self._money(f["revenue_t4q"])), ("Revenue growth", fmt_pct(f["revenue_growth"], 1))]
        if pd.notna(f["health_index"]):
            inc = "" if bool(f["health_complete"]) else " (incomplete)"
            cards.insert(0, ("Health index", f"{f['health_index']:.0f} {str(f['health_rag']).upper()}{inc}"))
        if self.internal:
            cards = [("Category", f["category"]), ("Quadrant", f["quadrant"] or "not assessed")] + cards
            cards.append(("Warnings", str(int(f["n_warnings"]))))
        parts = [(f'<p class="muted">Account id {esc(self.account_id)} · analysis date {m.as_of:%Y-%m-%d} · '
                 f'trailing four quarters (T4Q) {esc(m.t4q_label)} · audience: {esc(self.audience)}</p>')]
        if self.note:
            parts.append(f'<p class="muted">{esc(self.note)}</p>')
        parts.append(kpis(cards))
        if self.internal:
            growth, share = f["market_growth"], f["market_share"]
            parts.append(f"<p><strong>Market position:</strong> {esc(f['bcg_quadrant'])} (market growth {fmt_pct(growth)}, "
                         f"relative share {fmt_num(share, 2)}).</p>")
        return Section(str(f["account_name"]), "".join(parts), level=1)

    def summary(self) -> Section:
        """Executive summary (internal): category and why, quadrant and why, health index
        with trend, hygiene, the three most serious warnings, the three recommended
        objectives.  For the client audience: the QBR view (partnership review, progress
        against last quarter, KPIs, wins, challenges, next steps)."""
        if not self.internal:
            return self._qbr()
        f, m = self.f, self.model
        items = []
        moved = (f"moved from {f['previous_category']} a year ago" if f["previous_category"] != f["category"]
                 else "the same as a year ago")
        items.append(f"<li><strong>Category: {esc(f['category'])}</strong> ({esc(moved)}): {esc(f['category_reason'])}.</li>")
        items.append(f"<li><strong>Quadrant:</strong> {esc(f['quadrant_reason'])}</li>")
        if pd.notna(f["health_index"]):
            trend_txt = ("no earlier assessment" if pd.isna(f["previous_health_index"])
                         else f"{signed(f['health_change'])} since {f['previous_assessed_on']:%Y-%m-%d}")
            inc = "" if bool(f["health_complete"]) else ", incomplete"
            items.append(f"<li><strong>Health index {fmt_num(f['health_index'])}</strong> {rag_badge(f['health_rag'])} "
                         f"({esc(trend_txt)}{esc(inc)}).</li>")
        else:
            items.append("<li><strong>Health index:</strong> not assessed.</li>")
        if f["hygiene_basis"] == "target":
            hyg = f"revenue attainment {fmt_pct(f['revenue_attainment'])} of the T4Q target ({'hygienic' if f['hygienic'] else 'not hygienic'})"
        elif f["hygiene_basis"] == "growth":
            hyg = f"no targets; T4Q growth {fmt_pct(f['revenue_growth'], 1)} ({'hygienic' if f['hygienic'] else 'not hygienic'})"
        else:
            hyg = "cannot be judged: no targets and no prior-year revenue"
        items.append(f"<li><strong>Hygiene:</strong> {esc(hyg)}; T4Q revenue {esc(self._money(f['revenue_t4q']))}.</li>")
        body = f'<ul class="summary">{"".join(items)}</ul>'
        w = self._mine(m.warnings)
        w = w.assign(_sev=w["severity"].map(SEVERITY_ORDER)).sort_values("_sev", kind="stable").head(3)
        titles = {r.id: r.title for r in RULES}
        if len(w):
            lis = "".join(f"<li><strong>{esc(r.severity.upper())}: {esc(titles[r.warning_id])}</strong> — {esc(r.message)}</li>"
                          for r in w.itertuples(index=False))
            more = int(f["n_warnings"]) - len(w)
            body += (f"<h3>Most serious warnings</h3><ol>{lis}</ol>"
                     + (f'<p class="muted">{more} more in Early warnings below.</p>' if more > 0 else ""))
        else:
            body += "<h3>Most serious warnings</h3><p>No early warning fired.</p>"
        rec = self._mine(m.recommendations).head(3)
        if len(rec):
            lis = "".join(f'<li><strong>{esc(r.objective)}</strong><span class="because">{esc(r.because)}</span></li>'
                          for r in rec.itertuples(index=False))
            body += f'<h3>Recommended objectives</h3><ol class="recs">{lis}</ol>'
        return Section("Executive summary", body)

    def _qbr(self) -> Section:
        m = self.model
        q = qbr_view(m, self.account_id)
        body = "<h3>Partnership review</h3>" + "".join(f"<p>{esc(t)}</p>" for t in q.partnership)
        fmt = {"money": self._money, "num": fmt_num, "num2": lambda v: fmt_num(v, 2)}
        prog = pd.DataFrame({
            "Measure": q.progress["measure"],
            "Before": [fmt[k](v) for k, v in zip(q.progress["kind"], q.progress["previous"])],
            "Latest": [fmt[k](v) for k, v in zip(q.progress["kind"], q.progress["latest"])],
            "Change": [trend(a, b, digits=2 if k == "num2" else 0, what="before") for k, a, b in
                       zip(q.progress["kind"], q.progress["latest"], q.progress["previous"])],
        })
        body += ("<h3>Progress against last quarter</h3>" + table(prog, numeric=["Before", "Latest"])
                 + f'<p class="muted">Revenue: {esc(quarter_label(m.quarter))} against {esc(quarter_label(m.quarter - 1))}; '
                   "assessment: the latest against the one before; NPS and CSAT: the last four quarters against the four before.</p>")
        if len(q.wins):
            wins = q.wins.assign(closed=q.wins["closed"].dt.strftime("%Y-%m-%d")).rename(
                columns={"closed": "Closed", "offering": "Offering", "buying_center": "Area", "amount": "Value"})
            body += "<h3>Wins in the last four quarters</h3>" + table(wins, formats={"Value": self._money}, numeric=["Value"])
        else:
            body += "<h3>Wins in the last four quarters</h3><p>No new work closed in the last four quarters.</p>"
        body += "<h3>Challenges</h3>" + ("<ul>" + "".join(f"<li>{esc(c)}</li>" for c in q.challenges) + "</ul>"
                                          if q.challenges else "<p>No element of the assessment is red.</p>")
        body += "<h3>Next steps</h3><ol>" + "".join(f"<li>{esc(t)}</li>" for t in q.next_steps) + "</ol>"
        return Section("Quarterly business review", body)

    def plan(self) -> Section:
        """Account Development Plan (internal): goals with the numbers behind them, the
        stakeholder plan (who to meet next), and actions with owner and date to fill.
        ``kit run`` also writes it as an editable workbook in the run folder's plans/."""
        if not self.internal:
            return Section("", "")
        p = account_plan(self.model, self.account_id)
        goals = p.goals.rename(columns={"goal": "Goal", "why": "Why (the numbers)", "source": "From",
                                        "owner": "Owner", "due": "Due", "status": "Status"})
        body = "<h3>Goals</h3>" + table(goals)
        st = p.stakeholders.rename(columns={"priority": "#", "buying_center": "Buying center", "level": "Level", "who": "Who to meet",
                                            "why": "Why", "owner": "Owner", "due": "Due"})
        body += "<h3>Stakeholder plan: who to meet next</h3>" + (
            table(st, numeric=["#"]) if len(st) else "<p>No gap in the stakeholder map calls for a meeting.</p>")
        acts = p.actions.rename(columns={"action": "Action", "goal": "Goal", "owner": "Owner", "due": "Due", "status": "Status"})
        body += "<h3>Actions</h3>" + table(acts.head(3))
        stem = report_stems(self.model.figures.index)[self.account_id]
        body += (f'<p>The editable plan: <a href="../plans/{esc(stem)}.xlsx">plans/{esc(stem)}.xlsx</a> '
                 "(written by <code>kit run</code> for the internal audience; goals, stakeholders and actions with owner, "
                 "due date and a status drop-down).</p>")
        return Section("Account Development Plan", body)

    def assessment(self) -> Section:
        """Ten-element chart and table: score, RAG, raters, disagreement, perception gap,
        change since the previous assessment, evidence beside the rating."""
        f, s = self.f, self.model.settings
        title = "Assessment: the ten elements"
        if not self.model.portfolio.has("assessment"):
            return Section(title, no_data("assessment"))
        if pd.isna(f["assessed_on"]):
            return Section(title, f'<p class="muted">No assessment of this account on or before {self.model.as_of:%Y-%m-%d}.</p>')
        el = self._mine(self.model.assessment.elements).copy()
        ev = self._mine(self.model.evidence).set_index("element")
        prev = "" if pd.isna(f["previous_assessed_on"]) else (
            f"; previous assessment {f['previous_assessed_on']:%Y-%m-%d}: health index "
            f"{fmt_num(f['previous_health_index'])}, change {signed(f['health_change'])}")
        complete = "" if bool(f["health_complete"]) else (
            f' <span class="flag">⚑ incomplete: {int(f["n_scored"])} of 10 elements scored '
            f"(at least {s.min_scored_elements} needed)</span>")
        head = (f"<p>Assessment of {f['assessed_on']:%Y-%m-%d} by {int(f['n_raters'])} rater(s)"
                f"{' including the client' if f['has_client_rater'] and self.internal else ''}. "
                f"<strong>Health index {fmt_num(f['health_index'])}</strong> {rag_badge(f['health_rag'])}{complete}{esc(prev)}.</p>")
        img = figure_img(charts.plot_elements(el, settings=s), "Element scores with the raters' range")
        scored = el.dropna(subset=["score"])
        if len(scored):
            hi, lo = scored.loc[scored["score"].idxmax()], scored.loc[scored["score"].idxmin()]
            n_red = int((scored["rag"] == "red").sum())
            img += (f"<p>Strongest: {esc(ELEMENT_NAMES[hi['element']])} ({hi['score']:.0f}); weakest: "
                    f"{esc(ELEMENT_NAMES[lo['element']])} ({lo['score']:.0f}); {n_red} of {len(scored)} scored elements red.</p>")
        rows = []
        for r in el.itertuples(index=False):
            row = {"Element": ELEMENT_NAMES[r.element], "Score": fmt_num(r.score), "RAG": rag_badge(r.rag),
                   "Previous": fmt_num(r.previous_score), "Change": signed(r.change)}
            if self.internal:
                row["Raters"] = str(r.n_raters)
                row["Spread (1-5)"] = fmt_num(r.spread, 2) + (' <span class="flag">⚑ raters disagree</span>' if r.raters_disagree else "")
                gap = r.perception_gap
                flag = ' <span class="flag">⚑ gap</span>' if pd.notna(gap) and abs(gap) >= s.perception_gap_flag else ""
                row["Perception gap (internal - client)"] = signed(gap, 2) + flag
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
        """The six leading health indicators per quarter and over T4Q (internal only: they
        measure our selling, e.g. referrals and sole-sourced wins)."""
        if not self.internal:
            return Section("", "")
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

    def recommendations(self) -> Section:
        """The recommended objectives, each with the numbers behind it, and the category's
        objectives beyond revenue (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m = self.f, self.model
        recs = self._mine(m.recommendations)
        items = "".join(
            f'<li><strong>{esc(r.objective)}</strong><span class="because">'
            f'{esc(f["category"] + " objective" if r.source == "category" else SOURCE_WORDS[r.source])}: {esc(r.because)}</span></li>'
            for r in recs.itertuples(index=False))
        body = (f'<ol class="recs">{items}</ol>' if items else "<p>No recommendation: nothing in the data calls for one.</p>")
        body += ('<p class="muted">From the early warnings (high severity first), the weakest elements (red before amber), '
                 "cross-sell whitespace and the category's objectives; the best of each source first, then by priority.</p>")
        obj = m.portfolio.table("objectives")
        mine = obj[obj["category"] == f["category"]]
        if len(mine):
            desc = CATEGORY_DESCRIPTIONS.get(f["category"], "")
            rows = []
            for o in mine.itertuples(index=False):
                measure = o.measure if isinstance(o.measure, str) else None
                words, kind = MEASURES[measure] if measure else ("", "")
                rows.append({"Objective": o.objective, "Theme": (o.theme or "").replace("_", " "),
                             "Measure": words, "This account": self._fmt_measure_m(f.get(measure), kind) if measure else "",
                             "Portfolio median": self._fmt_measure_m(m.figures[measure].median(), kind) if measure else ""})
            body += (f"<h3>{esc(f['category'])} objectives beyond revenue</h3>"
                     f"<p>A {esc(f['category'])} account {esc(desc)}.</p>"
                     + table(pd.DataFrame(rows), numeric=["This account", "Portfolio median"]))
        return Section("Recommended objectives", body)

    def revenue(self) -> Section:
        """Revenue by motion over time, hygiene against targets, repeat business."""
        f, m = self.f, self.model
        mine = self._mine(m.motion_table)
        cards = [("T4Q revenue", self._money(f["revenue_t4q"]), trend(f["revenue_t4q"], f["revenue_prior4"])),
                 ("Growth", fmt_pct(f["revenue_growth"], 1))]
        # our revenue targets and margins are internal: the client sees revenue and growth only
        if f["hygiene_basis"] == "target" and self.internal:
            cards += [("T4Q target", self._money(f["revenue_target_t4q"])), ("Attainment", fmt_pct(f["revenue_attainment"]))]
        if pd.notna(f["margin_attainment"]) and self.internal:
            cards.append(("Margin attainment", fmt_pct(f["margin_attainment"])))
        body = kpis(cards)
        if self.internal and f["hygiene_basis"] == "target" and f["target_quarters"] < 4:
            body += (f"<p>Revenue targets exist for {int(f['target_quarters'])} of the last 4 quarters: attainment compares "
                     "revenue and targets of those quarters only.</p>")
        if self.internal and f["hygiene_basis"] == "growth":
            body += "<p>No revenue targets for the last four quarters: hygiene is judged by growth against the four quarters before.</p>"
        if len(mine):
            body += figure_img(charts.plot_revenue_motions(mine, title="Revenue by quarter and motion"), "Revenue by quarter and motion")
            body += f"<p>{esc(motion_takeaway(f))}</p>"
        else:
            body += '<p class="muted">No revenue rows for this account.</p>'
        shares = pd.DataFrame([
            ["Continuation (retention)", fmt_pct(f["continuation_share"])],
            ["Crop rotation (cross-sell)", fmt_pct(f["crop_rotation_share"])],
            ["Colonization (new buying centers)", fmt_pct(f["colonization_share"])],
            ["Baseline (first quarter of the data)", fmt_pct(f["baseline_share"])],
            ["Repeat business (continuation + crop rotation)", fmt_pct(f["repeat_business_share"])],
        ], columns=["Share of T4Q revenue", "Value"])
        body += table(shares, numeric=["Value"])
        body += (f'<p class="muted">Motions (pinned): continuation = the same buying center bought the same offering in the '
                 f"{m.settings.motion_lookback_quarters} quarters before; crop rotation = the buying center bought before, not "
                 "this offering; colonization = no revenue from the buying center before.</p>")
        if bool(f["is_new_client"]):
            body += f"<p>New client: first revenue in {quarter_label(int(f['first_quarter']))}; new-client revenue in T4Q {esc(self._money(f['new_client_t4q']))}.</p>"
        return Section("Revenue and hygiene" if self.internal else "Revenue", body)

    def concentration(self) -> Section:
        """T4Q revenue shares by buying center and offering, with HHI (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m, s = self.f, self.model, self.model.settings
        shares = revenue_shares(m.portfolio.table("revenue")[lambda d: d["quarter"] <= m.quarter], self.account_id, quarter=m.quarter)
        body = figure_img(charts.plot_concentration(shares, top_share_flag=s.top_share_flag), "Share of T4Q revenue by buying center and offering")
        conc = pd.DataFrame([
            ["Buying center", fmt_num(f["hhi_buying_center"]), f["top_buying_center"], fmt_pct(f["top_share_buying_center"])],
            ["Offering", fmt_num(f["hhi_offering"]), f["top_offering"], fmt_pct(f["top_share_offering"])],
        ], columns=["Concentration by", "HHI (0-10,000)", "Largest", "Its share"])
        body += table(conc, numeric=["HHI (0-10,000)", "Its share"])
        if pd.notna(f["hhi_buying_center"]):
            flagged = [d for d in ("buying_center", "offering")
                       if f[f"hhi_{d}"] >= s.hhi_flag or f[f"top_share_{d}"] >= s.top_share_flag]
            words = {"buying_center": "buying center", "offering": "offering"}
            take = (f"Revenue is concentrated by {' and by '.join(words[d] for d in flagged)}." if flagged
                    else "Revenue is spread: neither buying centers nor offerings reach the concentration flags.")
            body += f"<p>{esc(take)}</p>"
        body += (f'<p class="muted">HHI (pinned) = sum of squared percent shares of T4Q revenue, 0-10,000; flagged at '
                 f"{s.hhi_flag:,.0f} or a top share of {s.top_share_flag:.0%}.</p>")
        return Section("Concentration", body)

    def stakeholders(self) -> Section:
        """Active contacts by buying center and level; decision makers, advocates and the
        buying centers with revenue but no executive contact (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m = self.f, self.model
        title = "Relationships and stakeholders"
        if not m.portfolio.has("contacts"):
            return Section(title, no_data("contacts"))
        body = kpis([("Decision makers", str(int(f["decision_makers"]))), ("Executives", str(int(f["executives"]))),
                     ("Advocates", str(int(f["advocates"]))), ("Exec. coverage", fmt_pct(f["stakeholder_coverage"]))])
        smap = stakeholder_map(m.portfolio.table("contacts"), m.portfolio.table("revenue")[lambda d: d["quarter"] <= m.quarter],
                               self.account_id, quarter=m.quarter, as_of=pd.Timestamp(m.as_of))
        if len(smap):
            t = smap.assign(revenue_t4q=smap["revenue_t4q"].map(self._money),
                            executive_covered=np.where(smap["revenue_t4q"] <= 0, "no revenue",
                                                       np.where(smap["executive_covered"], "yes", "⚑ no")))
            t = t.rename(columns={"buying_center": "Buying center", "revenue_t4q": "T4Q revenue", "executive": "Executive",
                                  "senior": "Senior", "manager": "Manager", "staff": "Staff", "decision_makers": "Decision makers",
                                  "advocates": "Advocates", "executive_covered": "Executive contact"})
            body += "<h3>Active contacts by buying center and level</h3>" + table(t, numeric=[c for c in t.columns if c not in ("Buying center", "Executive contact")])
        unc = f["uncovered_buying_centers"]
        take = (f"{len(unc)} buying center(s) with revenue have no active executive contact: {', '.join(unc)}." if unc
                else "Every buying center with T4Q revenue has an active executive contact.")
        if f["decision_makers"] <= m.settings.single_threaded_max:
            take += f" Single-threaded: {int(f['decision_makers'])} active decision maker(s)."
        body += f"<p>{esc(take)}</p>"
        return Section(title, body)

    def pipeline(self) -> Section:
        """Open pipeline by stage (funnel), coverage, win rates, deal size (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m = self.f, self.model
        if not m.portfolio.has("opportunities"):
            return Section("Pipeline", no_data("opportunities"))
        body = kpis([("Open pipeline", self._money(f["open_pipeline"]), f"{int(f['open_opportunities'])} open"),
                     ("Weighted", self._money(f["weighted_pipeline"])),
                     ("Coverage of next 4Q target", "—" if pd.isna(f["pipeline_coverage"]) else f"{f['pipeline_coverage']:.2f}x",
                      "" if pd.isna(f["next4_target"]) else f"target {self._money(f['next4_target'])}"),
                     ("Win rate (count / value)", f"{fmt_pct(f['win_rate_count'])} / {fmt_pct(f['win_rate_value'])}"),
                     ("Average deal won", self._money(f["average_deal_size"])),
                     ("Sole-sourced share of won", fmt_pct(f["sole_sourced_share"])),
                     ("Stale open opps", str(int(f["stale_opportunities"])), "close date passed")])
        stages = pipeline_stages(m.portfolio.table("opportunities"), self.account_id, as_of=pd.Timestamp(m.as_of))
        body += figure_img(charts.plot_pipeline_funnel(stages), "Open pipeline by stage")
        cov = f["pipeline_coverage"]
        if pd.notna(cov):
            take = (f"Weighted pipeline covers {cov:.2f}x the next four quarters' target"
                    f"{'' if cov >= m.settings.pipeline_coverage_weak else ', short of full cover'}.")
        else:
            take = "No revenue target for the next four quarters, so pipeline coverage is unknown."
        body += f"<p>{esc(take)}</p>"
        body += ('<p class="muted">Weighted = amount x probability (blank probability counts 0). Win rates, won value and '
                 "the sole-sourced share are over opportunities closed in T4Q. Stale = open with a close date in the past.</p>")
        return Section("Pipeline", body)

    def whitespace(self) -> Section:
        """The buying center x offering grid, share of wallet, unaddressed potential against
        open pipeline (the 3x test) and cross-sell candidates (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m, s = self.f, self.model, self.model.settings
        body = ""
        if pd.notna(f["wallet_estimate"]):
            ratio = f["unaddressed_potential"] / f["open_pipeline"] if f["open_pipeline"] > 0 else np.nan
            body += kpis([("Share of wallet", fmt_pct(f["share_of_wallet"]), f"wallet {self._money(f['wallet_estimate'])}"),
                          ("Unaddressed potential", self._money(f["unaddressed_potential"])),
                          ("Potential / open pipeline", "no pipeline" if pd.isna(ratio) else f"{ratio:.1f}x",
                           f"flag at {s.whitespace_pipeline_ratio:g}x")])
        else:
            body += '<p class="muted">No wallet estimate for this account: share of wallet and unaddressed potential unknown.</p>'
        wm = whitespace_matrix(m.portfolio.table("revenue")[lambda d: d["quarter"] <= m.quarter], m.portfolio.table("opportunities"),
                               self.account_id, quarter=m.quarter, as_of=pd.Timestamp(m.as_of))
        if len(wm):
            n = wm.stack().value_counts()
            body += status_grid(wm, corner="Buying center \\ offering",
                                words={"bought": "bought", "pipeline": "in pipeline", "whitespace": "open"})
            body += (f"<p>{int(n.get('bought', 0))} buying center x offering cells bought in the last 12 quarters, "
                     f"{int(n.get('pipeline', 0))} in pipeline, {int(n.get('whitespace', 0))} open.</p>")
        cs = self._mine(m.cross_sell)
        if len(cs):
            t = cs.head(8).rename(columns={"buying_center": "Buying center", "offering": "Offering not yet sold there",
                                           "bc_revenue_t4q": "Its T4Q revenue", "bought_by": "Already bought by"}).drop(columns="account_id")
            body += "<h3>Cross-sell candidates</h3>" + table(t, formats={"Its T4Q revenue": self._money}, numeric=["Its T4Q revenue"])
        return Section("Whitespace", body)

    def kpis(self) -> Section:
        """KPI tiles with their trend: NPS (with n) and CSAT against the four quarters
        before; for the internal audience also retention, repeat business and long-term value."""
        f, s = self.f, self.model.settings
        cards = []
        if self.model.portfolio.has("surveys"):
            few = ", few responses" if f["nps_few"] else ""
            cards += [("NPS (-100..100)", f"{fmt_num(f['nps'])}", f"n={int(f['nps_n'])}{few}; {trend(f['nps'], f['nps_prior'])}".strip("; ")),
                      ("CSAT (1-5)", fmt_num(f["csat"], 2), f"n={int(f['csat_n'])}; {trend(f['csat'], f['csat_prior'], digits=2)}".strip("; ")),
                      ("CSAT share of 4-5", fmt_pct(f["csat_top2_share"]))]
        if self.internal:
            cards += [("Gross revenue retention", fmt_pct(f["grr"])), ("Net revenue retention", fmt_pct(f["nrr"])),
                      ("Repeat business", fmt_pct(f["repeat_business_share"]), "share of T4Q revenue"),
                      ("Long-term value", self._money(f["ltv"]), f"{f['ltv_basis']} basis, r = {fmt_pct(f['ltv_retention'])}")]
            if pd.notna(f["revenue_attainment"]):
                cards.append(("Target attainment", fmt_pct(f["revenue_attainment"])))
        if not cards:
            return Section("Client KPIs", no_data("surveys"))
        body = kpis(cards)
        notes = [(f"NPS = % promoters (9-10) - % detractors (0-6) over the last 4 quarters, with its number of answers; "
                 f"fewer than {s.nps_min_responses} answers is marked 'few responses'. Trends compare with the 4 quarters before.")]
        if self.internal:
            notes.append("GRR = min(T4Q, prior 4 quarters) / prior 4 quarters; NRR = T4Q / prior 4 quarters. Long-term value = "
                         f"annual margin m x r / (1 + d - r) with retention r = GRR and discount d = {s.ltv_discount_rate:g}.")
        if not self.model.portfolio.has("surveys"):
            notes.insert(0, "No surveys.csv: NPS and CSAT unknown.")
        body += "".join(f'<p class="muted">{esc(n)}</p>' for n in notes)
        return Section("KPIs" if self.internal else "Client KPIs", body)

    def warnings(self) -> Section:
        """Early warnings with the numbers that fired them (internal only)."""
        if not self.internal:
            return Section("", "")
        w = self._mine(self.model.warnings)
        w = w.assign(_sev=w["severity"].map(SEVERITY_ORDER)).sort_values("_sev", kind="stable")  # most serious first
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
        pct = portfolio_percentiles(fig)
        rows = []
        for col, (name, kind) in BENCHMARK_FIGURES.items():
            p, rank = pct.loc[col], percentile_rank(fig[col], f[col])
            rows.append([name, self._fmt_kind_m(f[col], kind), self._fmt_kind_m(p["p25"], kind), self._fmt_kind_m(p["median"], kind),
                         self._fmt_kind_m(p["p75"], kind), "—" if pd.isna(rank) else f"{rank:.0f}"])
        df = pd.DataFrame(rows, columns=["Figure", "This account", "Portfolio P25", "Median", "P75", "Percentile"])
        best = df[df["Percentile"] != "—"]
        note = f'<p class="muted">Percentiles over the {len(fig)} accounts of the portfolio; no other account is named.</p>'
        take = ""
        if len(best):
            ranks = best.assign(r=best["Percentile"].astype(float))
            hi, lo = ranks.sort_values("r").iloc[-1], ranks.sort_values("r").iloc[0]
            take = (f"<p>Highest against the portfolio: {esc(hi['Figure'])} (percentile {hi['Percentile']}); "
                    f"lowest: {esc(lo['Figure'])} (percentile {lo['Percentile']}).</p>")
        return Section("Benchmarks against the portfolio", table(df, numeric=list(df.columns[1:])) + take + note)
