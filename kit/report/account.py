"""The account report's sections (one notebook cell each)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kit.figures.benchmarks import BENCHMARK_FIGURES, benchmark_values, percentile_rank, portfolio_percentiles
from kit.figures.concentration import revenue_shares, stakeholder_map
from kit.figures.coverage import data_coverage, data_limits
from kit.figures.early_warnings import concentrated, order_warnings
from kit.figures.model import PortfolioModel
from kit.figures.pipeline import pipeline_stages, portfolio_offerings, whitespace_matrix
from kit.figures.plan import account_plan
from kit.figures.recommendations import CATEGORY_DESCRIPTIONS, MEASURES, objective_status
from kit.figures.words import count
from kit.files.names import report_stems
from kit.inputs.portfolio import Portfolio
from kit.periods import quarter_label
from kit.report import charts, quarter
from kit.report.blocks import Section, esc, figure_img, fmt_num, fmt_pct, kpis, rag_badge, status_grid, table, trend
from kit.report.client_words import CLIENT_BANDS, CLIENT_ELEMENT_NAMES
from kit.report.formats import (
    INDICATOR_NAMES,
    INDICATOR_SOURCES,
    SOURCE_WORDS,
    Formats,
    compact_money,
    data_panel,
    headline_figures_in_words,
    hygiene_words,
    motion_takeaway,
    no_data,
    rounded_parts,
    shown_change,
    signed,
)
from kit.report.loading import check_audience, model_for, portfolio_wide, resolve_account_id
from kit.schema import ELEMENT_NAMES

#: objective themes as a reader says them
THEME_WORDS = {"relationships": "relationships", "referenceability": "referenceability", "deal_size": "deal size",
               "breadth": "breadth of presence", "insight": "insight", "revenue": "revenue"}
#: rater roles as a reader says them
ROLE_WORDS = {"account_team": "account team", "leadership": "leadership", "delivery": "delivery", "client": "client"}
#: the internal report's table of contents: (section id, title), in the notebook's order
CONTENTS = (("summary", "Executive summary"), ("since", "Since last quarter"), ("history", "History"),
            ("assessment", "Assessment: the ten elements"),
            ("indicators", "Leading health indicators"), ("revenue", "Revenue and hygiene"),
            ("concentration", "Concentration"), ("stakeholders", "Relationships and stakeholders"),
            ("pipeline", "Pipeline"), ("whitespace", "Whitespace"), ("kpis", "KPIs"), ("warnings", "Early warnings"),
            ("recommendations", "Recommended objectives"), ("plan", "Account Development Plan"),
            ("benchmarks", "Benchmarks against the portfolio"), ("data", "Data behind this report"))


def _anchored(key: str):
    """Give the section a method returns the id the table of contents links to."""
    def wrap(method):
        def section(self, *args, **kwargs):
            sec = method(self, *args, **kwargs)
            sec.anchor = key
            return sec
        section.__name__, section.__doc__, section.__qualname__ = method.__name__, method.__doc__, method.__qualname__
        return section
    return wrap


def _rows_by_account(portfolio: Portfolio) -> dict[str, dict[str, np.ndarray]]:
    """Per input table with an account column: account id -> the positions of its rows, in
    table order (``df.take`` of them is ``df[df["account_id"] == id]``)."""
    return {name: df.groupby(df["account_id"].to_numpy(), sort=False).indices
            for name, df in portfolio.tables.items() if "account_id" in df.columns}


@dataclass
class AccountReport(Formats):
    """The sections of one account's health assessment."""

    model: PortfolioModel
    account_id: str
    audience: str = "internal"
    note: str = ""
    # this account's rows of the input tables, cut once per report (see ``own``)
    _own: Portfolio | None = field(default=None, init=False, repr=False, compare=False)

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

    @property
    def own(self) -> Portfolio:
        """The portfolio's input tables cut to this account's rows (tables without an
        account column whole), for the figures of one account: they select the account's
        rows themselves, so the result is the same, but each table of thousands of
        accounts is scanned once per report instead of once per section.  Never for a
        figure of the whole portfolio (the data window, the offerings on offer)."""
        if self._own is None:
            p = self.model.portfolio
            # where each account's rows are, found once per model (not once per report)
            rows = portfolio_wide(self.model, "rows_by_account", lambda: _rows_by_account(p))
            none = np.empty(0, dtype=np.intp)
            tables = {name: df.take(rows[name].get(self.account_id, none)) if name in rows else df
                      for name, df in p.tables.items()}
            self._own = dataclasses.replace(p, tables=tables)
        return self._own

    @property
    def own_model(self) -> PortfolioModel:
        """The model with :attr:`own` as its portfolio: for figures of this one account
        that read the input tables (the plan), never for the whole portfolio's."""
        return dataclasses.replace(self.model, portfolio=self.own)

    def _health_words(self) -> str:
        """'67 AMBER', or '72 incomplete' for an index scored on too few elements (rule 7)."""
        f = self.f
        if pd.isna(f["health_index"]):
            return "not assessed"
        if not bool(f["health_complete"]):
            return f"{self._score(f['health_index'])} incomplete"
        return f"{self._score(f['health_index'])} {str(f['health_rag']).upper()}"

    def _health_trend(self, *, values: bool = True) -> str:
        """The change since the previous assessment, like with like (rule 6), with printed
        numbers that add up: '+1.6 since 2026-02-10: 65.6 to 67.2' (``values``); without
        the before and now ('+1.6 since 2026-02-10') where the index itself is shown
        nearby (the first screen's card)."""
        f = self.f
        if pd.isna(f["previous_health_index"]):
            return "no earlier assessment"
        if pd.isna(f["health_change"]):
            return f"no element scored in both this and the assessment of {f['previous_assessed_on']:%Y-%m-%d}"
        before, now, change = shown_change(f["health_now_common"], f["health_before_common"])
        text = f"{change} since {f['previous_assessed_on']:%Y-%m-%d}" + (f": {before} to {now}" if values else "")
        if bool(f["same_elements"]):
            return text
        n = int(f["health_change_elements"])
        if not values:
            return text + f" over the {count(n, 'element')} scored in both assessments"
        return (text + f" over the {count(n, 'element')} scored in both, as the two assessments scored different "
                f"elements (the index of {f['previous_assessed_on']:%Y-%m-%d} was {fmt_num(f['previous_health_index'])})")

    def _part_money(self, v: object) -> str:
        """A part of the account's T4Q revenue in a table (a buying center's, the revenue a
        warning puts at risk); 'all' when it is the whole of it: the account's amount is on
        the first screen and in Revenue."""
        t4q = self.f["revenue_t4q"]
        if v is not None and pd.notna(v) and pd.notna(t4q) and float(t4q) > 0 and round(float(v)) == round(float(t4q)):
            return "all"
        return self._money(v)

    def _words(self, text: object) -> object:
        """A sentence from the figures with this account's headline figures said in words
        (they are on the first screen and in their own section)."""
        return headline_figures_in_words(text, self.f)

    def _assessment_dates_note(self) -> str:
        """The grace window used (rule 4) and an assessment left out of this run, in words."""
        f, m = self.f, self.model
        notes = []
        if bool(f.get("assessment_in_grace", False)):
            notes.append(f"The assessment of {f['assessed_on']:%Y-%m-%d} is dated after the analysis date "
                         f"{m.as_of:%Y-%m-%d} and counts: workshops follow the quarter's close, and assessments up to "
                         f"{count(m.settings.assessment_grace_quarters, 'quarter')} after it (to "
                         f"{f['assessment_window_end']:%Y-%m-%d}) are scored.")
        later = f.get("next_assessed_on")
        if later is not None and pd.notna(later):
            notes.append(f"An assessment of {later:%Y-%m-%d} lies after this run's window (up to "
                         f"{f['assessment_window_end']:%Y-%m-%d}) and is not scored; run with a later analysis date "
                         "to score it.")
        return " ".join(notes)

    # -- sections -------------------------------------------------------------------------
    def header(self) -> Section:
        """The page's title and first screen: name, analysis date, headline figures (the
        internal report: category, quadrant, market position, the table of contents and
        links back to the index and the portfolio)."""
        if not self.internal:
            return self._client_header()
        f, m = self.f, self.model
        short = m.data_start is not None and m.data_start > m.quarter - 3
        cards = [("Category", f["category"]), ("Quadrant", f["quadrant"] or "not assessed")]
        if pd.notna(f["health_index"]):
            cards.append(("Health index", self._health_words(),
                          "" if bool(f["health_complete"]) else f"{int(f['n_scored'])} of 10 elements scored"))
        cards += [("T4Q revenue", self._amount(f["revenue_t4q"]),
                   f"{m.quarter - m.data_start + 1} of 4 quarters in the data" if short else ""),
                  ("Revenue growth", fmt_pct(f["revenue_growth"], 1), self._no_year_before())]
        if f["hygiene_basis"] == "target":  # the other half of the quadrant, beside the health index
            cards.append(("Revenue attainment", fmt_pct(f["revenue_attainment"]),
                          f"of the T4Q target: {'hygienic' if f['hygienic'] else 'not hygienic'}"))
        cards.append(("Warnings", str(int(f["n_warnings"]))))
        parts = [('<nav class="backlinks"><a href="../index.html">All accounts</a> · '
                  '<a href="../portfolio.html">Portfolio report</a></nav>'),
                 (f'<p class="muted">Account id {esc(self.account_id)} · analysis date {m.as_of:%Y-%m-%d} · '
                  f'trailing four quarters (T4Q) {esc(m.t4q_label)}</p>')]
        if self.note:
            parts.append(f'<p class="muted">{esc(self.note)}</p>')
        parts.append(kpis(cards))
        growth, share = f["market_growth"], f["market_share"]
        if f["bcg_quadrant"] == "unclassified":
            parts.append('<p><strong>Market position:</strong> not classified: accounts.csv gives no market growth '
                         "and relative market share for this account.</p>")
        else:
            parts.append(f"<p><strong>Market position:</strong> {esc(f['bcg_quadrant'])} (market growth "
                         f"{fmt_pct(growth)}, relative share {fmt_num(share, 2)}).</p>")
        parts.append('<nav class="toc"><strong>Contents</strong><ol>'
                     + "".join(f'<li><a href="#{key}">{esc(title)}</a></li>' for key, title in CONTENTS) + "</ol></nav>")
        return Section(f"Account health assessment: {f['account_name']}", "".join(parts), level=1, anchor="top")

    def _client_header(self) -> Section:
        """The QBR's title and headline figures, in the client's words."""
        f, m = self.f, self.model
        cards = [("Our work with you, last twelve months", self._amount(f["revenue_t4q"])),
                 ("Change on the twelve months before",
                  "—" if pd.isna(f["revenue_growth"]) else f"{float(f['revenue_growth']):+.1%}")]
        if pd.notna(f["health_index"]):
            cards.append(("Partnership score in our joint review (0-100)", self._score(f["health_index"])))
        body = (f'<p class="muted">Quarterly business review for the quarter ending {m.as_of:%d %B %Y}.</p>'
                + (f'<p class="muted">{esc(self.note)}</p>' if self.note else "") + kpis(cards))
        return Section(f"Quarterly business review: {f['account_name']}", body, level=1, anchor="top")

    @_anchored("summary")
    def summary(self) -> Section:
        """Executive summary (internal): category and why, quadrant and why, health index
        with trend, hygiene, the three most serious warnings, the three recommended
        objectives.  For the client audience: the QBR view (partnership review, progress
        against last quarter, KPIs, wins, challenges, next steps)."""
        if not self.internal:
            return self._qbr()
        f, m = self.f, self.model
        items = []
        if pd.isna(f["previous_category"]):  # the year before is outside the data: not Greenfield
            moved = f"the category a year ago is {self._no_year_before() or 'unknown'}"
        else:
            moved = (f"moved from {f['previous_category']} a year ago" if f["previous_category"] != f["category"]
                     else "the same as a year ago")
        # the reasons without the figures the cards above show (each figure in two places at most)
        items.append(f"<li><strong>Category: {esc(f['category'])}</strong> ({esc(moved)}): "
                     f"{esc(self._words(f['category_reason']))}.</li>")
        items.append(f"<li><strong>Quadrant:</strong> {esc(self._words(f['quadrant_reason']))}</li>")
        dates_note = self._assessment_dates_note()
        if pd.notna(f["health_index"]):
            inc = ("" if bool(f["health_complete"]) else
                   f"; incomplete: {int(f['n_scored'])} of 10 elements scored, at least {m.settings.min_scored_elements} "
                   "needed, so no band and no quadrant")
            items.append(f"<li><strong>Health index</strong> {rag_badge(f['health_rag'])} "
                         f"({esc(self._health_trend(values=False))}{esc(inc)}).{(' ' + esc(dates_note)) if dates_note else ''}</li>")
        else:
            items.append(f"<li><strong>Health index:</strong> not assessed.{(' ' + esc(dates_note)) if dates_note else ''}</li>")
        hyg = hygiene_words(f, bar=m.settings.hygiene_attainment, figures=False)
        items.append(f"<li><strong>Hygiene:</strong> {esc(hyg)}.</li>")
        body = f'<ul class="summary">{"".join(items)}</ul>'
        # most serious first: by severity, then by the revenue at risk (the model's order)
        w = order_warnings(self._mine(m.warnings)).head(3)
        if len(w):
            lis = "".join(f"<li><strong>{esc(r.severity.upper())}: {esc(r.title)}</strong> — {esc(self._words(r.message))}</li>"
                          for r in w.itertuples(index=False))
            more = int(f["n_warnings"]) - len(w)
            body += (f"<h3>Most serious warnings</h3><ol>{lis}</ol>"
                     + (f'<p class="muted">{more} more in Early warnings below.</p>' if more > 0 else ""))
        else:
            body += "<h3>Most serious warnings</h3><p>No early warning fired.</p>"
        rec = self._mine(m.recommendations).head(3)
        if len(rec):
            lis = "".join(f'<li><strong>{esc(r.objective)}</strong><span class="because">{esc(self._words(r.because))}</span></li>'
                          for r in rec.itertuples(index=False))
            body += (f'<h3>Recommended objectives</h3><ol class="recs">{lis}</ol>'
                     '<p class="muted">They are the goals of the Account Development Plan below.</p>')
        return Section("Executive summary", body)

    @_anchored("since")
    def since_last_quarter(self) -> Section:
        """What moved since the quarter before, and why (internal); the QBR's progress in
        the client's words (client)."""
        # amounts in words where precision does not matter (2.47M), as on the first screen
        return quarter.since_last_quarter(self.model, self.account_id, money=self._amount, internal=self.internal)

    @_anchored("history")
    def history(self) -> Section:
        """The health index and each element at every assessment; revenue by quarter with
        targets (internal: the client sees its progress in the QBR's own words)."""
        if not self.internal:
            return Section("", "")
        return quarter.history(self.model, self.account_id, tables=self.own)

    @_anchored("data")
    def data_behind(self) -> Section:
        """Data behind this report (internal): the tables supplied, this account's rows
        and dates in each, what stays empty for want of a missing table, and the limits
        of the data window that leave figures unknown (shown as —, never 0)."""
        if not self.internal:
            return Section("", "")
        m = self.model
        cov = data_coverage(self.own, account_id=self.account_id)
        bank = "the client's questions.csv" if m.portfolio.questions_supplied else "the kit's default question bank"
        limits = portfolio_wide(m, "data_limits", lambda: tuple(data_limits(m.portfolio, quarter=m.quarter)))
        return Section("Data behind this report", data_panel(cov, list(limits),
                                                             scope="this account", questions=bank))

    def _qbr(self) -> Section:
        """The QBR in the client's words: the same content as the client's deck (one source:
        kit.report.deck_content), on the page."""
        from kit.report.deck_content import Bullets, client_deck  # the deck's content, not its rendering

        deck = client_deck(self.model, self.account_id)
        wanted = ("Our partnership", "What went well", "What to improve together", "Next steps")
        body = ""
        for slide in deck.slides:
            if slide.title not in wanted:
                continue
            body += f"<h3>{esc(slide.title)}</h3>"
            for block in slide.blocks:
                if not isinstance(block, Bullets):
                    continue
                if block.heading:
                    body += f"<h4>{esc(block.heading)}</h4>"
                body += "<ul>" + "".join(f"<li>{esc(t)}</li>" for t, _ in block.items) + "</ul>"
        return Section("Our partnership this quarter", body)

    @_anchored("plan")
    def plan(self) -> Section:
        """Account Development Plan (internal): goals with the numbers behind them, the
        stakeholder plan (who to meet next), and actions with owner and date to fill.
        ``kit run`` also writes it as an editable workbook in the run folder's plans/."""
        if not self.internal:
            return Section("", "")
        p = account_plan(self.own_model, self.account_id)
        goals = p.goals.assign(why=p.goals["why"].map(self._words)).rename(columns={"goal": "Goal", "why": "Why (the numbers)", "source": "From",
                                        "owner": "Owner", "due": "Due", "status": "Status"})
        body = "<h3>Goals</h3>" + table(goals)
        st = p.stakeholders.rename(columns={"priority": "#", "buying_center": "Buying center", "level": "Level", "who": "Who to meet",
                                            "why": "Why", "owner": "Owner", "due": "Due"})
        if not self.model.portfolio.has("contacts"):
            missing = no_data("contacts", "the stakeholder gaps (buying centers without an executive, decision makers, "
                                          "supporters who left) that the plan turns into meetings")
        else:
            missing = ""
        more = (f'<p class="muted">{count(len(st) - 5, "more meeting")} in the editable plan below.</p>'
                if len(st) > 5 else "")
        body += "<h3>Stakeholder plan: who to meet next</h3>" + (
            table(st.head(5), numeric=["#"]) + more if len(st) else "" if missing else
            "<p>No gap in the stakeholder map calls for a meeting.</p>") + missing
        acts = p.actions.rename(columns={"action": "Action", "goal": "Goal", "owner": "Owner", "due": "Due", "status": "Status"})
        body += "<h3>Actions</h3>" + table(acts.head(3))
        stem = portfolio_wide(self.model, "stems", lambda: report_stems(self.model.figures.index))[self.account_id]
        body += (f'<p>The editable plan: <a href="../plans/{esc(stem)}.xlsx">plans/{esc(stem)}.xlsx</a> '
                 "(written by <code>kit run</code> for the internal audience; goals, stakeholders and actions with owner, "
                 "due date and a status drop-down).</p>")
        return Section("Account Development Plan", body)

    @_anchored("assessment")
    def assessment(self) -> Section:
        """Ten-element chart and table: score, RAG, raters, disagreement, perception gap,
        change since the previous assessment, evidence beside the rating."""
        if not self.internal:
            return self._client_assessment()
        f, s = self.f, self.model.settings
        title = "Assessment: the ten elements"
        if not self.model.portfolio.has("assessment"):
            return Section(title, no_data("assessment"))
        if pd.isna(f["assessed_on"]):
            later = self._assessment_dates_note()
            return Section(title, f'<p class="muted">No assessment of this account up to '
                                  f'{f["assessment_window_end"]:%Y-%m-%d}.{(" " + esc(later)) if later else ""}</p>')
        el = self._mine(self.model.assessment.elements).copy()
        ev = self._mine(self.model.evidence).set_index("element")
        has_prev = pd.notna(f["previous_assessed_on"])
        prev = "" if not has_prev else f" Change since the previous assessment: {self._health_trend()}."
        complete = "" if bool(f["health_complete"]) else (
            f' <span class="flag">⚑ incomplete: {int(f["n_scored"])} of 10 elements scored '
            f"(at least {s.min_scored_elements} needed): no band and no quadrant</span>")
        dates_note = self._assessment_dates_note()
        head = (f"<p>Assessment of {f['assessed_on']:%Y-%m-%d} by {count(int(f['n_raters']), 'rater')}"
                f"{' including the client' if f['has_client_rater'] and self.internal else ''}. "
                f"<strong>Health index {self._score(f['health_index'])}</strong> {rag_badge(f['health_rag'])}{complete}."
                f"{esc(prev)}{(' ' + esc(dates_note)) if dates_note else ''}</p>")
        scored = el.dropna(subset=["score"])
        take = ""
        if len(scored):
            hi, lo = scored.loc[scored["score"].idxmax()], scored.loc[scored["score"].idxmin()]
            n_red = int((scored["rag"] == "red").sum())
            take = (f"Strongest: {ELEMENT_NAMES[hi['element']]} ({hi['score']:.0f}); weakest: "
                    f"{ELEMENT_NAMES[lo['element']]} ({lo['score']:.0f}); {n_red} of {len(scored)} scored elements red.")
        alt = ("Horizontal bars of the ten element scores (0-100) in RAG colours, each with the raters' lowest-to-highest "
               f"range. {take}")
        img = figure_img(charts.plot_elements(el, settings=s), alt) + (f"<p>{esc(take)}</p>" if take else "")
        # the overall change and its drivers as printed add up (rule 6)
        printed_change = shown_change(f["health_now_common"], f["health_before_common"])[2] if has_prev else "—"
        parts = (rounded_parts(el["contribution"].tolist(), float(printed_change)) if printed_change != "—"
                 else [float("nan")] * len(el))
        rows, evidence = [], []
        for r, part in zip(el.itertuples(index=False), parts):
            # the change of the printed scores, so that previous + change = score as printed
            # (a score printed with a decimal, to stay in its band, keeps it in the change)
            now, before = self._score(r.score), self._score(r.previous_score)
            digits = max(len(x.partition(".")[2]) for x in (now, before))
            change = "—" if "—" in (now, before) else f"{float(now) - float(before):+.{digits}f}"
            row = {"Element": ELEMENT_NAMES[r.element], "Score": now, "RAG": rag_badge(r.rag),
                   "Previous": before, "Change": change}
            if has_prev:
                row["Contribution to the index change"] = signed(part, 1)
            if self.internal:
                row["Raters"] = str(r.n_raters)
                row["Spread (1-5)"] = fmt_num(r.spread, 2) + (' <span class="flag">⚑ raters disagree</span>' if r.raters_disagree else "")
                gap = r.perception_gap
                flag = ' <span class="flag">⚑ gap</span>' if pd.notna(gap) and abs(gap) >= s.perception_gap_flag else ""
                row["Perception gap (internal - client)"] = signed(gap, 2) + flag
                if r.element in ev.index:
                    e = ev.loc[r.element]
                    weak = ' <span class="flag">⚑ rated well, evidence weak</span>' if e["rated_well_evidence_weak"] else ""
                    evidence.append({"Element": ELEMENT_NAMES[r.element], "Evidence beside the rating": esc(e["evidence"]) + weak})
            rows.append(row)
        df = pd.DataFrame(rows)
        order = ["Element", "Score", "RAG", "Raters", "Spread (1-5)", "Perception gap (internal - client)", "Previous",
                 "Change", "Contribution to the index change"]
        df = df[[c for c in order if c in df.columns]].rename(
            columns={"Perception gap (internal - client)": "Perception gap", "Contribution to the index change": "Contribution"})
        raw = ["RAG", "Spread (1-5)", "Perception gap"]
        body = head + img + table(df, raw_html=raw, numeric=["Score", "Raters", "Previous", "Change", "Contribution"])
        # the evidence in a table of its own: full width, one line or two a row, not a narrow column
        if evidence:
            body += table(pd.DataFrame(evidence), raw_html=["Evidence beside the rating"])
        body += ('<p class="muted">Score = (mean of the raters\' element means - 1) / 4 x 100; every rater weighs the same. '
                 f"RAG: green at {s.rag_green:g} or more, amber at {s.rag_amber:g} or more. "
                 f"Raters disagree at a spread of {s.spread_flag:g} points or more. Perception gap = internal raters' "
                 "mean - the client's. Contribution = the element's part of the index change."
                 + (" The index change compares like with like: over the elements scored in both assessments; each "
                    "element's contribution = its weight x its change / the weights of those elements, and the "
                    "contributions add up to the change." if has_prev else "") + "</p>")
        if self.internal:
            com = self._mine(self.model.assessment.comments)
            if len(com):
                c = pd.DataFrame({"Element": com["element"].map(ELEMENT_NAMES), "Rater": com["rater"],
                                  "Role": com["rater_role"].map(ROLE_WORDS), "Comment": com["comment"]})
                body += "<h3>Rater comments (internal)</h3>" + table(c)
        return Section(title, body)

    def _client_assessment(self) -> Section:
        """Our joint review of the partnership, in the client's words: each area's score,
        how it reads and its change (no method labels, no raters)."""
        f, s = self.f, self.model.settings
        title = "How we rate our partnership"
        if not self.model.portfolio.has("assessment") or pd.isna(f["assessed_on"]):
            return Section(title, "<p>We have not yet reviewed the partnership together; we propose a joint review "
                                  "before the next business review.</p>")
        el = self._mine(self.model.assessment.elements).copy()
        shown = el.assign(element=el["element"].map(CLIENT_ELEMENT_NAMES))
        fig = charts.plot_elements(shown, settings=s)
        for ax in fig.axes:  # the chart's words in the client's words
            leg = ax.get_legend()
            if leg is not None:
                for t in leg.get_texts():
                    words = {"green": "strong", "amber": "solid", "red": "to improve"}
                    t.set_text(words.get(t.get_text(), "range of the individual ratings"))
            for t in ax.texts:
                t.set_text(t.get_text().replace(" GREEN", "").replace(" AMBER", "").replace(" RED", ""))
            ax.set_xlabel("score (0-100)")
            ax.set_title("")
            ax.set_title("Our partnership, area by area", loc="left")
        rows = []
        for r in el.itertuples(index=False):
            now, before = self._score(r.score), self._score(r.previous_score)
            digits = max(len(x.partition(".")[2]) for x in (now, before))
            rows.append({"Area": CLIENT_ELEMENT_NAMES[r.element], "Score (0-100)": now,
                         "How it reads": CLIENT_BANDS.get(r.rag, "not scored") if isinstance(r.rag, str) else "not scored",
                         "Previous": before,
                         "Change": "—" if "—" in (now, before) else f"{float(now) - float(before):+.{digits}f}"})
        df = pd.DataFrame(rows)
        if df["Previous"].eq("—").all():
            df = df.drop(columns=["Previous", "Change"])
        head = (f"<p>Our joint review of {f['assessed_on']:%d %B %Y} scores the partnership "
                f"<strong>{esc(self._score(f['health_index']))} of 100</strong>.</p>" if pd.notna(f["health_index"]) else
                f"<p>Our joint review of {f['assessed_on']:%d %B %Y}, area by area.</p>")
        alt = "Bars of the ten areas of our partnership, each scored 0-100 in our joint review."
        body = head + figure_img(fig, alt) + table(df, numeric=[c for c in ("Score (0-100)", "Previous", "Change") if c in df])
        body += (f'<p class="muted">Each area is scored 0-100 from the ratings of both teams: strong at {s.rag_green:g} '
                 f"or more, solid at {s.rag_amber:g} or more, below that an area to improve together.</p>")
        return Section(title, body)

    @_anchored("indicators")
    def indicators(self) -> Section:
        """The six leading health indicators per quarter and over T4Q (internal only: they
        measure our selling, e.g. referrals and sole-sourced wins)."""
        if not self.internal:
            return Section("", "")
        m = self.model
        ind = self._mine(m.indicators).set_index("period")
        cols = list(ind.index)
        rows, missing = [], []
        for key, name in INDICATOR_NAMES.items():
            source = INDICATOR_SOURCES[key]
            if not m.portfolio.has(source):
                rows.append([name] + ["no data"] * len(cols))
                missing.append(source)
                continue
            fmt = (lambda v: fmt_pct(v)) if key == "sole_sourced_share" else (lambda v: fmt_num(v))
            rows.append([name] + [fmt(ind.loc[p, key]) for p in cols])
        df = pd.DataFrame(rows, columns=["Indicator"] + cols)
        notes = []
        if missing:
            tables = sorted(set(missing), key=missing.index)
            notes.append(f"No data: supply {' and '.join(t + '.csv' for t in tables)} to see the indicators marked "
                         "'no data'.")
        if m.data_start is not None and m.data_start >= m.quarter - 3:
            notes.append(f"— in {quarter_label(m.data_start)} and over T4Q: that is the first quarter of the revenue data, "
                         "where every offering and buying center looks new, so new offerings proposed and referrals "
                         "to new buying centers are unknown there.")
        notes.append("Seed questions of a healthy account: are we proposing new offerings, meeting new executives, "
                     "submitting proposals, getting referred to new buying centers, earning advocates and sole-sourced "
                     "business? Advocates are counted at the end of each period; — where the share has no won value.")
        return Section("Leading health indicators", table(df, numeric=cols)
                       + "".join(f'<p class="muted">{esc(n)}</p>' for n in notes))

    @_anchored("recommendations")
    def recommendations(self) -> Section:
        """The recommended objectives, each with the numbers behind it, and the category's
        objectives beyond revenue (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m = self.f, self.model
        recs = self._mine(m.recommendations)
        # the objectives themselves are the plan's goals (with the numbers behind them) and
        # the summary's top three: said once more here, they would be read three times
        sources = ", ".join(dict.fromkeys(f["category"] + " objective" if r.source == "category" else SOURCE_WORDS[r.source]
                                          for r in recs.itertuples(index=False)))
        body = (f"<p>{count(len(recs), 'recommended objective')} ({esc(sources)}): the goals of the "
                '<a href="#plan">Account Development Plan</a>, each with the numbers behind it.</p>' if len(recs) else
                "<p>No recommendation: nothing in the data calls for one.</p>")
        body += ('<p class="muted">From the early warnings (high severity first), the weakest elements (red before amber), '
                 "cross-sell whitespace and the category's objectives; the best of each source first, then by priority.</p>")
        # each objective checked on the account's figures: met, open, or no data to tell
        mine = objective_status(m.figures, m.portfolio.table("objectives"), supplied=set(m.portfolio.tables),
                                account_ids=[self.account_id])
        if len(mine):
            desc = CATEGORY_DESCRIPTIONS.get(f["category"], "")
            rows = []
            for o in mine.itertuples(index=False):
                measure = o.measure if isinstance(o.measure, str) else None
                words, kind = MEASURES[measure] if measure else ("", "")
                if o.status == "met":
                    status = f"met (at {self._fmt_measure_m(o.met_at, kind)} or more)"
                elif o.status == "no data":
                    status = o.because.split(": ", 1)[1]
                else:
                    status = "recommended" if (recs["objective"] == o.objective).any() else "open"
                rows.append({"Objective": o.objective, "Theme": THEME_WORDS.get(o.theme, o.theme or ""),
                             "Measure": words, "This account": self._fmt_measure_m(o.value, kind) if measure else "",
                             "Portfolio median": self._fmt_measure_m(o.median, kind) if measure else "",
                             "Status": status})
            n_met = int((mine["status"] == "met").sum())
            body += (f"<h3>{esc(f['category'])} objectives beyond revenue</h3>"
                     f"<p>A {esc(f['category'])} account {esc(desc)}."
                     + (f" It already meets {count(n_met, 'objective')} of the {len(mine)}: shown as met, not "
                        "recommended." if n_met else "") + "</p>"
                     + table(pd.DataFrame(rows), numeric=["This account", "Portfolio median"]))
        return Section("Recommended objectives", body)

    @_anchored("revenue")
    def revenue(self) -> Section:
        """Revenue by motion over time, hygiene against targets, repeat business."""
        f, m = self.f, self.model
        if not self.internal:
            return self._client_revenue()
        mine = self._mine(m.motion_table)
        cards = [("T4Q revenue", self._amount(f["revenue_t4q"]), trend(f["revenue_t4q"], f["revenue_prior4"])),
                 ("Growth", fmt_pct(f["revenue_growth"], 1), self._no_year_before())]
        # our revenue targets and margins are internal: the client sees revenue and growth only
        if f["hygiene_basis"] == "target" and self.internal:
            cards += [("T4Q target", self._amount(f["revenue_target_t4q"])), ("Attainment", fmt_pct(f["revenue_attainment"]))]
        if pd.notna(f["margin_attainment"]) and self.internal:
            cards.append(("Margin attainment", fmt_pct(f["margin_attainment"])))
        body = kpis(cards)
        if self.internal and f["hygiene_basis"] == "target" and f["target_quarters"] < 4:
            body += (f"<p>Revenue targets exist for {int(f['target_quarters'])} of the last 4 quarters: attainment compares "
                     "revenue and targets of those quarters only.</p>")
        if self.internal and f["hygiene_basis"] == "growth":
            body += "<p>No revenue targets for the last four quarters: hygiene is judged by growth against the four quarters before.</p>"
        if self.internal and f["hygiene_basis"] == "none":
            why = self._no_year_before() or "no revenue in the four quarters before"
            body += (f"<p>Hygiene cannot be judged: no revenue targets for the last four quarters, and growth against "
                     f"the four quarters before is {esc(why)}.</p>")
        if len(mine):
            take = motion_takeaway(f)
            quarters = mine["period"].nunique()
            body += figure_img(charts.plot_revenue_motions(mine, title="Revenue by quarter and motion"),
                               f"Stacked bars of the account's revenue in each of {quarters} quarters, by motion. {take}")
            body += f"<p>{esc(take)}</p>"
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

    def _client_revenue(self) -> Section:
        """Our work together by quarter (one bar a quarter, no internal breakdown)."""
        from matplotlib.figure import Figure

        from kit.report.deck_content import _quarterly_revenue

        m = self.model
        rev = _quarterly_revenue(m, self.account_id).sum(axis=1)
        if rev.empty or not (rev > 0).any():
            return Section("Our work together", "<p>No work invoiced in the quarters shown.</p>")
        fig = Figure(figsize=(7, 2.6), layout="constrained")
        ax = fig.subplots()
        labels = [f"Q{q % 4 + 1} {q // 4}" for q in rev.index]
        ax.bar(labels, rev.to_numpy(float), color=m.settings.accent_colour or "#1F4E79")
        ax.yaxis.set_major_formatter(lambda v, _: compact_money(v))
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
        ax.set_title("Our work with you by quarter" + (f" ({m.settings.currency.strip()})" if m.settings.currency.strip() else ""),
                     fontsize=9, loc="left")
        alt = "Bars of our work with you in each quarter: " + "; ".join(
            f"{lab} {self._amount(v)}" for lab, v in zip(labels, rev)) + "."
        return Section("Our work together", figure_img(fig, alt))

    @_anchored("concentration")
    def concentration(self) -> Section:
        """T4Q revenue shares by buying center and offering, with HHI (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m, s = self.f, self.model, self.model.settings
        shares = revenue_shares(self.own.table("revenue")[lambda d: d["quarter"] <= m.quarter], self.account_id, quarter=m.quarter)
        words = {"buying_center": "buying center", "offering": "offering"}
        known = [d for d in words if pd.notna(f[f"hhi_{d}"])]
        # a dimension the revenue never names is unknown: no bars, no "one buying center"
        shares = shares[shares["dimension"].isin(known)]
        if shares.empty:
            why = ("no revenue in the last four quarters" if f["revenue_t4q"] <= 0
                   else "the revenue names no buying centers or offerings")
            return Section("Concentration", f'<p class="muted">No concentration to show: {esc(why)}.</p>')
        rows, takes = [], []
        for d in words:
            if d not in known:
                rows.append([words[d].capitalize(), "—", "—", "unknown: the revenue names none", "—"])
                continue
            n = int(f[f"{d}s_t4q"])
            rows.append([words[d].capitalize(), fmt_num(f[f"hhi_{d}"]), f"{f[f'effective_{d}s']:.1f} of {n}",
                         f[f"top_{d}"], fmt_pct(f[f"top_share_{d}"])])
            if concentrated(f[f"hhi_{d}"], f[f"top_share_{d}"], settings=s):
                # the advice follows the count (domain.md): one -> win a second; several -> grow the smaller
                takes.append(f"All T4Q revenue comes from one {words[d]}, {f[f'top_{d}']}: win a second." if n == 1 else
                             f"Revenue is concentrated by {words[d]}: {f[f'top_{d}']} brings {fmt_pct(f[f'top_share_{d}'])}, "
                             f"about {f[f'effective_{d}s']:.1f} effective {words[d]}s of {n}; grow the smaller ones.")
        conc = pd.DataFrame(rows, columns=["Concentration by", "HHI (0-10,000)", "Effective number (of those with revenue)",
                                           "Largest", "Its share"])
        take = " ".join(takes) or "Revenue is spread: neither buying centers nor offerings reach the concentration flags."
        alt = ("Horizontal bars of each buying center's and each offering's share of the account's revenue in the last "
               f"four quarters, with a dashed line at the {s.top_share_flag:.0%} flag. {take}")
        body = figure_img(charts.plot_concentration(shares, top_share_flag=s.top_share_flag), alt)
        body += table(conc, numeric=["HHI (0-10,000)", "Effective number (of those with revenue)", "Its share"])
        body += f"<p>{esc(take)}</p>"
        body += (f'<p class="muted">HHI (pinned) = sum of squared percent shares of T4Q revenue, 0-10,000; effective number '
                 f"= 10,000 / HHI. Flagged at an HHI of {s.hhi_flag:,.0f} (fewer than {10_000 / s.hhi_flag:.1f} effective) "
                 f"or a top share of {s.top_share_flag:.0%}.</p>" if s.hhi_flag > 0 else
                 f'<p class="muted">HHI (pinned) = sum of squared percent shares of T4Q revenue, 0-10,000; flagged at any '
                 f"HHI or a top share of {s.top_share_flag:.0%}.</p>")
        return Section("Concentration", body)

    @_anchored("stakeholders")
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
        smap = stakeholder_map(self.own.table("contacts"), self.own.table("revenue")[lambda d: d["quarter"] <= m.quarter],
                               self.account_id, quarter=m.quarter, as_of=pd.Timestamp(m.as_of))
        if len(smap):
            t = smap.assign(revenue_t4q=smap["revenue_t4q"].map(self._part_money),
                            executive_covered=np.where(smap["revenue_t4q"] <= 0, "no revenue",
                                                       np.where(smap["executive_covered"], "yes", "⚑ no")))
            t = t.rename(columns={"buying_center": "Buying center", "revenue_t4q": "T4Q revenue", "executive": "Executive",
                                  "senior": "Senior", "manager": "Manager", "staff": "Staff", "decision_makers": "Decision makers",
                                  "advocates": "Advocates", "executive_covered": "Executive contact"})
            body += "<h3>Active contacts by buying center and level</h3>" + table(t, numeric=[c for c in t.columns if c not in ("Buying center", "Executive contact")])
        unc = f["uncovered_buying_centers"]
        n_bc = f["revenue_buying_centers"]
        if pd.isna(n_bc):
            take = "The revenue names no buying centers, so executive coverage by buying center is unknown."
        elif n_bc == 0:
            take = "No buying center has revenue in the last four quarters."
        elif unc:
            take = (f"{count(len(unc), 'buying center')} with revenue {'has' if len(unc) == 1 else 'have'} no active "
                    f"executive contact: {', '.join(unc)}.")
        else:
            take = "Every buying center with T4Q revenue has an active executive contact."
        if f["decision_makers"] <= m.settings.single_threaded_max:
            take += f" Single-threaded: {count(int(f['decision_makers']), 'active decision maker')}."
        body += f"<p>{esc(take)}</p>"
        return Section(title, body)

    @_anchored("pipeline")
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
        if len(stages):  # a funnel with nothing in it is not drawn
            alt = ("Funnel of the open pipeline by stage, open value with the weighted value inside: "
                   + "; ".join(f"{r.stage} {self._money(r.amount)}" for r in stages.itertuples(index=False)) + ".")
            body += figure_img(charts.plot_pipeline_funnel(stages), alt)
        else:
            body += ('<p class="muted">No open opportunity at the analysis date: an open opportunity would show here '
                     "as a funnel by stage.</p>")
        cov = f["pipeline_coverage"]
        if pd.notna(cov):
            take = (f"Weighted pipeline covers {cov:.2f}x the next four quarters' target"
                    f"{'' if cov >= m.settings.pipeline_coverage_weak else ', short of full cover'}.")
        elif not m.portfolio.has("targets"):
            take = "No data: supply targets.csv to see the pipeline's coverage of the next four quarters' target."
        else:
            take = "No revenue target for the next four quarters, so pipeline coverage is unknown."
        body += f"<p>{esc(take)}</p>"
        body += ('<p class="muted">Weighted = amount x probability (blank probability counts 0). Win rates, won value and '
                 "the sole-sourced share are over opportunities closed in T4Q. Stale = open with a close date in the past.</p>")
        return Section("Pipeline", body)

    @_anchored("whitespace")
    def whitespace(self) -> Section:
        """The buying center x offering grid, share of wallet, unaddressed potential against
        open pipeline (the 3x test) and cross-sell candidates (internal only)."""
        if not self.internal:
            return Section("", "")
        f, m, s = self.f, self.model, self.model.settings
        body = ""
        if pd.notna(f["wallet_estimate"]):
            pipe = f["open_pipeline"]
            ratio = f["unaddressed_potential"] / pipe if pd.notna(pipe) and pipe > 0 else np.nan
            ratio_text = ("no data" if pd.isna(pipe) else "no open pipeline" if pd.isna(ratio) else f"{ratio:.1f}x")
            body += kpis([("Share of wallet", fmt_pct(f["share_of_wallet"]), f"wallet {self._money(f['wallet_estimate'])}"),
                          ("Unaddressed potential", self._money(f["unaddressed_potential"])),
                          ("Potential / open pipeline", ratio_text,
                           "supply opportunities.csv" if pd.isna(pipe) else f"flag at {s.whitespace_pipeline_ratio:g}x")])
        else:
            body += ('<p class="muted">No data: no wallet estimate for this account in accounts.csv, so share of wallet, '
                     "unaddressed potential and the 3x test are unknown.</p>")
        offerings = portfolio_wide(m, "offerings", lambda: portfolio_offerings(m.portfolio.table("revenue")[
            lambda d: d["quarter"] <= m.quarter], m.portfolio.table("opportunities")))
        wm = whitespace_matrix(self.own.table("revenue")[lambda d: d["quarter"] <= m.quarter], self.own.table("opportunities"),
                               self.account_id, quarter=m.quarter, as_of=pd.Timestamp(m.as_of), offerings=offerings)
        if len(wm):
            n = wm.stack().value_counts()
            has_opps = m.portfolio.has("opportunities")
            body += status_grid(wm, corner="Buying center \\ offering",
                                words={"bought": "bought", "pipeline": "in pipeline", "whitespace": "open"})
            body += (f"<p>{int(n.get('bought', 0))} buying center x offering cells bought in the last 12 quarters, "
                     + (f"{int(n.get('pipeline', 0))} in pipeline, " if has_opps else "")
                     + f"{int(n.get('whitespace', 0))} open.</p>")
            if not has_opps:
                body += ('<p class="muted">No data: supply opportunities.csv to see which open cells are already in the '
                         "pipeline.</p>")
        cs = self._mine(m.cross_sell)
        if len(cs):
            t = cs.head(5).rename(columns={"buying_center": "Buying center", "offering": "Offering not yet sold there",
                                           "bc_revenue_t4q": "Its T4Q revenue", "bought_by": "Already bought by"}).drop(columns="account_id")
            body += "<h3>Cross-sell candidates</h3>" + table(t, formats={"Its T4Q revenue": self._part_money},
                                                             numeric=["Its T4Q revenue"])
        return Section("Whitespace", body)

    @_anchored("kpis")
    def kpis(self) -> Section:
        """KPI tiles with their trend: NPS (with n) and CSAT against the four quarters
        before; for the internal audience also retention, repeat business and long-term value."""
        f, s = self.f, self.model.settings
        cards = []
        if self.model.portfolio.has("surveys"):
            few = ", few responses" if f["nps_few"] else ""
            # the client reads the year before in its own words (Progress compares with a quarter ago)
            before = "the 4 quarters before" if self.internal else "the twelve months before"
            names = (("NPS (-100..100)", "CSAT (1-5)", "CSAT share of 4-5") if self.internal else
                     ("Net Promoter Score (-100 to 100)", "Satisfaction, CSAT (1-5)", "Satisfied or very satisfied (4-5)"))
            cards += [(names[0], f"{fmt_num(f['nps'])}",
                       f"n={int(f['nps_n'])}{few}; {trend(f['nps'], f['nps_prior'], what=before)}".strip("; ")),
                      (names[1], fmt_num(f["csat"], 2),
                       f"n={int(f['csat_n'])}; {trend(f['csat'], f['csat_prior'], digits=2, what=before)}".strip("; ")),
                      (names[2], fmt_pct(f["csat_top2_share"]))]
        if self.internal:
            # retention and the long-term value built on it need the year before T4Q
            why = self._no_year_before() or ("no revenue in the 4 quarters before" if pd.isna(f["grr"]) else "")
            ltv_note = (f"{f['ltv_basis']} basis, r = {fmt_pct(f['ltv_retention'])}" if pd.notna(f["ltv"])
                        else self._no_year_before() or "unknown: no retention to apply")
            cards += [("Gross revenue retention", fmt_pct(f["grr"]), why), ("Net revenue retention", fmt_pct(f["nrr"]), why),
                      ("Repeat business", fmt_pct(f["repeat_business_share"]), "share of T4Q revenue"),
                      ("Long-term value", self._amount(f["ltv"]), ltv_note)]
        if not cards:
            return Section("Client KPIs", no_data("surveys"))
        body = kpis(cards)
        notes = [(f"NPS = % promoters (9-10) - % detractors (0-6) over the last 4 quarters, with its number of answers; "
                 f"fewer than {s.nps_min_responses} answers is marked 'few responses'. Trends compare with the 4 quarters before.")]
        if self.internal:
            notes.append("GRR = min(T4Q, prior 4 quarters) / prior 4 quarters; NRR = T4Q / prior 4 quarters. Long-term value = "
                         f"annual margin m x r / (1 + d - r) with retention r = GRR and discount d = {s.ltv_discount_rate:g}.")
        if not self.model.portfolio.has("surveys"):
            notes[0] = "No data: supply surveys.csv to see NPS and CSAT."
        body += "".join(f'<p class="muted">{esc(n)}</p>' for n in notes)
        return Section("KPIs" if self.internal else "Your feedback", body)

    @_anchored("warnings")
    def warnings(self) -> Section:
        """Early warnings with the numbers that fired them (internal only)."""
        if not self.internal:
            return Section("", "")
        # most serious first: severity, then the revenue the warning puts at risk
        w = order_warnings(self._mine(self.model.warnings))
        if w.empty:
            return Section("Early warnings", "<p>No early warning fired.</p>")
        # a warning about the whole account puts all its T4Q revenue at risk: "all", not the
        # same amount on every row (the first screen and Revenue show it)
        df = pd.DataFrame({"Severity": w["severity"].str.upper(), "Warning": w["title"],
                           "What fired it": w["message"].map(self._words),
                           "Revenue at risk": w["revenue_at_risk"].map(self._part_money)})
        note = ('<p class="muted">Most serious first: by severity, then by the revenue at risk: "all" is the account\'s '
                "whole T4Q revenue; for concentration, the revenue of the largest buying center or offering. The first "
                "screen's figures (T4Q revenue, growth, attainment, health index) are said in words here.</p>")
        return Section("Early warnings", table(df, numeric=["Revenue at risk"]) + note)

    @_anchored("benchmarks")
    def benchmarks(self) -> Section:
        """This account against anonymous portfolio percentiles (internal only)."""
        if not self.internal:
            return Section("", "")
        fig = self.model.figures
        pct = portfolio_wide(self.model, "percentiles", lambda: portfolio_percentiles(fig))
        rows, missing = [], []
        for col, (name, kind) in BENCHMARK_FIGURES.items():
            p = pct.loc[col]
            if p["n"] == 0:  # no account has it: nothing to benchmark against
                missing.append(name)
                continue
            values = benchmark_values(fig, col)
            mine = values.get(self.account_id)
            rank = percentile_rank(values, mine)
            # where the account stands, in words: its own figure is on the first screen and in
            # its section, and a third copy here would be one too many (issue 16)
            rows.append([name, "—" if pd.isna(rank) else f"{rank:.0f}", _standing(mine, p), self._fmt_kind_m(p["p25"], kind),
                         self._fmt_kind_m(p["median"], kind), self._fmt_kind_m(p["p75"], kind), int(p["n"])])
        if not rows:
            return Section("Benchmarks against the portfolio",
                           '<p class="muted">No figure of the benchmark set exists for any account, so there is nothing '
                           "to compare with.</p>")
        df = pd.DataFrame(rows, columns=["Figure", "Percentile", "This account stands", "Portfolio P25", "Median", "P75",
                                         "Accounts"])
        best = df[df["Percentile"] != "—"]
        # short: on a long report this note is what spills onto a ninth printed page
        note = ('<p class="muted">Percentiles over the accounts that have each figure (an incomplete health index is not '
                "compared); no other account is named. Each figure's own value is in its section."
                + (f" Not benchmarked, no account has them: {esc(', '.join(missing))}." if missing else "") + "</p>")
        if len(best) >= 2:
            ranks = best.assign(r=best["Percentile"].astype(float)).sort_values("r", kind="stable")
            hi, lo = ranks.iloc[-1], ranks.iloc[0]
            take = (f"<p>Highest against the portfolio: {esc(hi['Figure'])} (percentile {hi['Percentile']}); "
                    f"lowest: {esc(lo['Figure'])} (percentile {lo['Percentile']}).</p>")
        elif len(best) == 1:
            take = (f"<p>Only {esc(best.iloc[0]['Figure'])} can be ranked for this account: percentile "
                    f"{best.iloc[0]['Percentile']}.</p>")
        else:
            take = "<p>This account has none of the figures the portfolio is benchmarked on.</p>"
        return Section("Benchmarks against the portfolio",
                       table(df, numeric=["Percentile", "Portfolio P25", "Median", "P75", "Accounts"]) + take + note)


def _standing(value: object, p: pd.Series) -> str:
    """Where a value stands against the portfolio's quartiles, in words ('—' when unknown)."""
    if value is None or pd.isna(value):
        return "—"
    v = float(value)
    if v > p["p75"]:
        return "above P75"
    if v >= p["median"]:
        return "above the median" if v > p["median"] else "at the median"
    return "below P25" if v < p["p25"] else "below the median"
