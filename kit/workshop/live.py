"""The live views of the assessment workshop: who has answered, the scores so far, where
raters disagree and the element scores, for ``notebooks/workshop.ipynb``.

The pure DataFrame functions (:func:`workshop_rows`, :func:`answer_progress`,
:func:`rater_means`, :func:`scores_so_far`, :func:`disagreement`, :func:`final_scores`)
work on the rows that ``kit ingest`` (:mod:`kit.ingest`) added to ``assessment.csv``;
:class:`WorkshopReport` turns them into the notebook's sections.  The figures come from
:mod:`kit.assessment` (pinned scoring, spread, perception gap).  The questionnaires and
the input tables are :mod:`kit.questionnaire`'s; the loop is in the README ("Assessment
workshop").
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kit.errors import UsageError
from kit.schema import ELEMENT_IDS, ELEMENT_NAMES, INTERNAL_ROLES
from kit.workshop.common import (
    ASSESSMENT_COLUMNS,
    LOCK_PREFIX,
    WORKBOOK_SUFFIXES,
    WorkshopInputs,
    check_date,
    load_inputs,
    read_raters,
    resolve_account,
    role_words,
)
from kit.workshop.questionnaire import read_questionnaire

if TYPE_CHECKING:  # kit.html and the settings load matplotlib and pydantic: only when a report is made
    from kit.config import Settings
    from kit.report.blocks import Section

__all__ = [
    "WorkshopReport",
    "answer_progress",
    "disagreement",
    "expected_raters",
    "expected_raters_of",
    "final_scores",
    "rater_means",
    "scores_so_far",
    "workshop_rows",
]


# ---------------------------------------------------------------------------------------
# the workshop views (pure DataFrame functions)
# ---------------------------------------------------------------------------------------
def expected_raters(path: str | Path, *, account_id: str | None = None, assessed_on: str | None = None) -> pd.DataFrame:
    """Who is expected to answer: a raters CSV (:func:`~kit.questionnaire.read_raters`) or a folder of
    questionnaires made by the kit (those of ``account_id`` and ``assessed_on`` when
    given; other workbooks there are left out).

    Returns
    -------
    DataFrame
        rater, rater_role.
    """
    path = Path(path)
    if path.is_dir():
        rows = []
        for f in sorted(path.iterdir()):
            if f.suffix.lower() not in WORKBOOK_SUFFIXES or f.name.startswith((LOCK_PREFIX, ".")):
                continue
            q, _problems = read_questionnaire(f)
            if q is None:
                continue
            if account_id is not None and q.account_id != account_id:
                continue
            if assessed_on is not None and q.assessed_on != assessed_on:
                continue
            rows.append({"rater": q.rater, "rater_role": q.rater_role})
        return pd.DataFrame(rows, columns=["rater", "rater_role"]).drop_duplicates("rater").reset_index(drop=True)
    raters = read_raters(path)
    return pd.DataFrame([{"rater": r.name, "rater_role": r.role} for r in raters], columns=["rater", "rater_role"])


def workshop_rows(assessment: pd.DataFrame | None, account_id: str,
                  assessed_on: object = None) -> tuple[pd.Timestamp | None, pd.DataFrame]:
    """One workshop's rows: the account's rows of ``assessed_on`` (default: its latest date).

    Returns
    -------
    date, rows
        The date (None when the account has no rows and no date was given) and the rows.
    """
    columns = list(ASSESSMENT_COLUMNS)
    if assessment is None:
        day = None if assessed_on is None else pd.Timestamp(check_date(assessed_on))
        return day, pd.DataFrame(columns=columns)
    mine = assessment[assessment["account_id"] == account_id]
    days = mine["assessed_on"].dt.normalize()
    if assessed_on is None:
        day = days.max() if len(mine) else None
    else:
        day = pd.Timestamp(check_date(assessed_on))
    if day is None or pd.isna(day):
        return None, mine.iloc[0:0]
    return pd.Timestamp(day), mine[days == day].assign(assessed_on=pd.Timestamp(day))


def answer_progress(rows: pd.DataFrame, questions: pd.DataFrame, expected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who has answered: one row per rater (expected raters first, in their order).

    Returns
    -------
    DataFrame
        rater, rater_role, status (answered, waiting, answered (not on the list)),
        answered (questions with a score), questions (in the bank), share, elements
        (elements with an answer), comments.
    """
    n_questions = len(questions)
    cols = ["rater", "rater_role", "status", "answered", "questions", "share", "elements", "comments"]
    stats = {}
    for rater, g in rows.groupby("rater", sort=False):
        answered = g["score"].notna()
        roles = g["rater_role"].dropna()
        stats[rater] = {"rater": rater, "rater_role": roles.iloc[0] if len(roles) else None,
                        "answered": int(answered.sum()), "elements": int(g.loc[answered, "element"].nunique()),
                        "comments": int(g["comment"].notna().sum())}
    out = []
    listed = [] if expected is None else list(expected.itertuples(index=False))
    for r in listed:
        got = stats.get(r.rater)
        out.append({**(got or {"rater": r.rater, "rater_role": r.rater_role, "answered": 0, "elements": 0, "comments": 0}),
                    "status": "answered" if got else "waiting"})
    names = {r.rater for r in listed}
    for rater in sorted(set(stats) - names):
        out.append({**stats[rater], "status": "answered" if expected is None else "answered (not on the list)"})
    df = pd.DataFrame(out, columns=cols)
    df["questions"] = n_questions
    df["share"] = df["answered"] / n_questions if n_questions else np.nan
    return df[cols].reset_index(drop=True)


def rater_means(rows: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """Each rater's element mean of one workshop's rows (:func:`kit.assessment.rater_element_means`,
    question-weighted, blanks left out); an empty table when nothing is answered yet."""
    from kit.figures.assessment import rater_element_means

    if not len(rows) or not rows["score"].notna().any():
        return pd.DataFrame(columns=["account_id", "assessed_on", "rater", "element", "rater_role", "rater_mean", "n_answered"])
    return rater_element_means(rows, questions)


def scores_so_far(rater_means: pd.DataFrame) -> pd.DataFrame:
    """Per element (the ten, in the pinned order) each rater's element mean (1-5) so far.

    Returns
    -------
    DataFrame
        Index element; one column per rater (in the order of ``rater_means``), then ``mean``
        (mean of the rater means) and ``n_raters``.
    """
    raters = list(dict.fromkeys(rater_means["rater"]))
    wide = rater_means.pivot_table(index="element", columns="rater", values="rater_mean", aggfunc="first", sort=False)
    wide = wide.reindex(index=list(ELEMENT_IDS), columns=raters).astype(float)
    wide.columns = list(wide.columns)
    wide.index.name = "element"
    wide["mean"] = wide[raters].mean(axis=1) if raters else np.nan
    wide["n_raters"] = wide[raters].notna().sum(axis=1).astype(int) if raters else 0
    return wide


def _element_table(rater_means: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """:func:`kit.assessment.element_scores` of one workshop, for all ten elements."""
    from kit.figures.assessment import element_scores

    cols = ["element", "score", "rag", "n_raters", "mean_rating", "low", "high", "spread", "internal_mean", "client_mean",
            "perception_gap", "raters_disagree", "range_low", "range_high"]
    if len(rater_means):
        scored = element_scores(rater_means, settings=settings).set_index("element")
    else:
        scored = pd.DataFrame(columns=cols[1:], index=pd.Index([], name="element"))
    out = scored.reindex(list(ELEMENT_IDS))
    out.index.name = "element"
    out = out.reset_index()
    out["n_raters"] = out["n_raters"].fillna(0).astype(int)
    out["raters_disagree"] = out["raters_disagree"].astype("boolean").fillna(False).astype(bool)
    for c in ("score", "mean_rating", "low", "high", "spread", "internal_mean", "client_mean", "perception_gap",
              "range_low", "range_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out[cols]


def disagreement(rater_means: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Elements in the order to discuss them: largest rater spread first, then the largest
    internal vs client gap (spread and gap from :func:`kit.assessment.element_scores`).

    Returns
    -------
    DataFrame
        element, n_raters, low, high, spread, internal_mean, client_mean, perception_gap,
        raters_disagree, gap_flag, why (in words); elements nobody answered last.
    """
    el = _element_table(rater_means, settings)
    el["gap_flag"] = el["perception_gap"].abs().ge(settings.perception_gap_flag) & el["perception_gap"].notna()
    el["_spread"] = el["spread"].fillna(-1.0)
    el["_gap"] = el["perception_gap"].abs().fillna(-1.0)
    el["_answered"] = el["n_raters"] > 0
    el["_order"] = np.arange(len(el))
    el = el.sort_values(["_answered", "_spread", "_gap", "_order"], ascending=[False, False, False, True], kind="stable")

    def why(r) -> str:
        parts = []
        if r.n_raters == 0:
            return "not answered yet"
        if r.raters_disagree:
            parts.append(f"raters disagree: {r.low:.1f} to {r.high:.1f}")
        if r.gap_flag:
            side = "internal raters higher" if r.perception_gap > 0 else "client higher"
            parts.append(f"{side} by {abs(r.perception_gap):.1f} points")
        return "; ".join(parts)

    el["why"] = [why(r) for r in el.itertuples(index=False)]
    cols = ["element", "n_raters", "low", "high", "spread", "internal_mean", "client_mean", "perception_gap",
            "raters_disagree", "gap_flag", "why"]
    return el[cols].reset_index(drop=True)


def final_scores(rater_means: pd.DataFrame, *, settings: Settings) -> tuple[pd.DataFrame, dict[str, object]]:
    """The workshop's element scores (pinned scoring of :mod:`kit.assessment`) and its
    health index.

    Returns
    -------
    elements, health
        ``elements``: the ten elements with score, rag, n_raters, spread,
        perception_gap, range_low/high; ``health``: health_index, n_scored,
        health_complete, health_rag (health_index None without scores).
    """
    from kit.figures.assessment import health_index

    el = _element_table(rater_means, settings)
    scored = el.dropna(subset=["score"])
    health: dict[str, object] = {"health_index": None, "n_scored": 0, "health_complete": False, "health_rag": None}
    if len(scored):
        h = health_index(scored.assign(account_id="_", assessed_on="_"), settings=settings).iloc[0]
        health = {"health_index": float(h["health_index"]), "n_scored": int(h["n_scored"]),
                  "health_complete": bool(h["health_complete"]), "health_rag": h["health_rag"]}
    return el, health


# ---------------------------------------------------------------------------------------
# the workshop notebook's sections
# ---------------------------------------------------------------------------------------
class WorkshopReport:
    """The workshop notebook's sections for one account's workshop.

    Built by :meth:`load`; each method returns a :class:`~kit.html.Section` (all input
    text escaped).  Rerun the notebook after each ``kit ingest`` to see new answers.
    """

    def __init__(self, inputs: WorkshopInputs, account_id: str, day: pd.Timestamp | None, rows: pd.DataFrame,
                 expected: pd.DataFrame | None, settings: Settings):
        self.inputs, self.account_id, self.day, self.rows = inputs, account_id, day, rows
        self.expected, self.settings = expected, settings
        self.means = rater_means(rows, inputs.questions)
        self.progress_table = answer_progress(rows, inputs.questions, expected)

    @classmethod
    def load(cls, data_dir: str | Path, account_id: object = None, *, assessed_on: object = None,
             expected_raters: str | Path | None = None, config_path: str | Path | None = None) -> WorkshopReport:
        """Read the data and select the workshop.

        Parameters
        ----------
        data_dir : str or Path
            The data folder ``kit ingest`` adds the answers to (or a workbook).
        account_id : str, optional
            The account; None = the account with the most recent assessment.
        assessed_on : str, optional
            The workshop date (ISO); None = the account's latest assessment.
        expected_raters : str or Path, optional
            A raters CSV (rater, role) or the folder of questionnaires: who should answer.
        config_path : str or Path, optional
            A config.yml (thresholds: RAG, spread and gap flags).
        """
        from kit.config import load_config

        inputs = load_inputs(data_dir)
        settings = load_config(config_path)
        a = inputs.assessment
        if account_id is None:
            if a is None or not len(a):
                raise UsageError("no assessment rows yet: set account_id to the account of the workshop")
            account_id = a.sort_values("assessed_on", kind="stable")["account_id"].iloc[-1]
        acc = resolve_account(inputs, account_id)
        day, rows = workshop_rows(a, acc, assessed_on)
        expected = None
        if expected_raters is not None:
            expected = expected_raters_of(expected_raters, acc, day)
        return cls(inputs, acc, day, rows, expected, settings)

    # -- helpers -----------------------------------------------------------------------
    @property
    def account_name(self) -> str:
        return self.inputs.account_name(self.account_id)

    def _waiting(self) -> list[str]:
        p = self.progress_table
        return p.loc[p["status"] == "waiting", "rater"].tolist()

    def _nothing(self) -> str | None:
        from kit.report.blocks import esc

        if self.means.empty:
            when = f" on {self.day:%Y-%m-%d}" if self.day is not None else ""
            return (f'<p class="muted">No answers ingested yet for {esc(self.account_name)}{esc(when)}. '
                    "Run <code>kit ingest</code> on the returned questionnaires, then run this notebook again.</p>")
        return None

    # -- sections ----------------------------------------------------------------------
    def header(self) -> Section:
        """The workshop: account, date, raters who answered (internal and client) and who is awaited."""
        from kit.report.blocks import Section, esc, kpis

        p = self.progress_table
        answered = p[p["status"] != "waiting"]
        n_client = int((answered["rater_role"] == "client").sum())
        when = f"{self.day:%Y-%m-%d}" if self.day is not None else "no answers yet"
        if self.expected is not None:
            on_list = int((p["status"] == "answered").sum())
            extra = len(answered) - on_list
            count = f"{on_list} of {len(self.expected)}" + (f" (+{extra})" if extra else "")
        else:
            count = str(len(answered))
        cards = [("raters answered" + (" of those expected" if self.expected is not None else ""), count),
                 ("internal / client", f"{len(answered) - n_client} / {n_client}"),
                 ("answers", f"{int(self.rows['score'].notna().sum()) if len(self.rows) else 0}"),
                 ("elements with answers", f"{self.means['element'].nunique() if len(self.means) else 0} of {len(ELEMENT_IDS)}")]
        waiting = self._waiting()
        body = (f"<p>Account <strong>{esc(self.account_name)}</strong> (id {esc(self.account_id)}), workshop of "
                f"{esc(when)}; question bank: {esc(self.inputs.bank_name)}.</p>" + kpis(cards))
        if waiting:
            body += f"<p>Waiting for: {esc(', '.join(waiting))}.</p>"
        others = p.loc[p["status"] == "answered (not on the list)", "rater"].tolist()
        if others:
            body += f"<p>Answered but not on the list of expected raters: {esc(', '.join(others))}.</p>"
        return Section(f"Assessment workshop: {self.account_name}", body)

    def progress(self) -> Section:
        """Who has answered: per rater the questions answered, elements covered, comments."""
        from kit.report.blocks import Section, fmt_pct, table

        title = "Who has answered"
        p = self.progress_table
        if not len(p):
            return Section(title, self._nothing() or "")
        df = pd.DataFrame({
            "Rater": p["rater"], "Role": p["rater_role"].fillna("").map(role_words), "Status": p["status"],
            "Answered": [f"{a} of {q}" for a, q in zip(p["answered"], p["questions"])],
            "Share": p["share"].map(fmt_pct), "Elements": p["elements"].map(lambda n: f"{n} of {len(ELEMENT_IDS)}"),
            "Comments": p["comments"],
        })
        note = ('<p class="muted">A blank answer is "not answered", never zero. Rerun the notebook after each '
                "<code>kit ingest</code> to update.</p>")
        return Section(title, table(df, numeric=["Answered", "Share", "Comments"]) + note)

    def scores_so_far(self) -> Section:
        """Per element the raters' element means so far (1-5), internal and client marked."""
        from kit.report import charts
        from kit.report.blocks import Section, esc, figure_img, fmt_num, table

        title = "Scores as they come in"
        empty = self._nothing()
        if empty:
            return Section(title, empty)
        wide = scores_so_far(self.means)
        roles = self.means.drop_duplicates("rater").set_index("rater")["rater_role"]
        raters = [c for c in wide.columns if c not in ("mean", "n_raters")]
        df = pd.DataFrame({"Element": [ELEMENT_NAMES[e] for e in wide.index]})
        for r in raters:
            role = roles.get(r)
            label = f"{r} ({'client' if role == 'client' else role_words(role) if isinstance(role, str) else 'no role'})"
            df[label] = [fmt_num(v, 1) for v in wide[r]]
        df["Mean (1-5)"] = [fmt_num(v, 1) for v in wide["mean"]]
        df["Score so far (0-100)"] = [fmt_num((v - 1) / 4 * 100) if pd.notna(v) else "—" for v in wide["mean"]]
        fig = charts.plot_rater_scores(self.means)
        img = figure_img(fig, "Each rater's element mean per element")
        note = (f'<p class="muted">Each cell: the rater\'s mean of their answered questions of the element '
                f"(question-weighted), 1-5; '—' not answered. {esc(len(raters))} rater(s) so far.</p>")
        return Section(title, img + table(df, numeric=list(df.columns[1:])) + note)

    def disagreement(self) -> Section:
        """Where to start the discussion: elements ordered by rater spread, then by the gap
        between internal raters and the client."""
        from kit.report import charts
        from kit.report.blocks import Section, esc, figure_img, fmt_num, table

        title = "Where raters disagree: what to discuss first"
        empty = self._nothing()
        if empty:
            return Section(title, empty)
        s = self.settings
        d = disagreement(self.means, settings=s)
        first = d[(d["why"] != "") & (d["n_raters"] > 0)].head(3)
        lead = ("<p>Discuss first: " + "; ".join(f"<strong>{esc(ELEMENT_NAMES[r.element])}</strong> ({esc(r.why)})"
                                                  for r in first.itertuples(index=False)) + ".</p>") if len(first) else (
            "<p>No element reaches the disagreement or gap thresholds: raters broadly agree.</p>")
        df = pd.DataFrame({
            "Element": d["element"].map(ELEMENT_NAMES), "Raters": d["n_raters"],
            "Lowest": d["low"].map(lambda v: fmt_num(v, 1)), "Highest": d["high"].map(lambda v: fmt_num(v, 1)),
            "Spread (1-5)": d["spread"].map(lambda v: fmt_num(v, 2)),
            "Internal mean": d["internal_mean"].map(lambda v: fmt_num(v, 1)),
            "Client mean": d["client_mean"].map(lambda v: fmt_num(v, 1)),
            "Gap (internal - client)": d["perception_gap"].map(lambda v: "—" if pd.isna(v) else f"{v:+.2f}"),
            "Why discuss": d["why"],
        })
        order = d["element"].tolist()
        img = figure_img(charts.plot_rater_scores(self.means, order=order,
                                                  title="Rater element means, most disagreement first"),
                         "Rater element means ordered by spread")
        has_client = bool((self.means["rater_role"] == "client").any())
        has_internal = bool(self.means["rater_role"].isin(INTERNAL_ROLES).any())
        if has_client and has_internal:
            img += figure_img(charts.plot_perception_gap(d, flag=s.perception_gap_flag), "Internal vs client gap per element")
        else:
            img += ('<p class="muted">No internal vs client gap yet: it needs answers from internal raters and from '
                    "at least one client rater.</p>")
        note = (f'<p class="muted">Spread = highest - lowest rater mean (1-5 points); raters disagree at '
                f"{s.spread_flag:g} or more. Gap = internal raters' mean - client raters' mean; marked at "
                f"{s.perception_gap_flag:g} points or more.</p>")
        numeric = [c for c in df.columns if c not in ("Element", "Why discuss")]
        return Section(title, lead + img + table(df, numeric=numeric) + note)

    def element_scores(self) -> Section:
        """The element scores and health index of the workshop (pinned scoring), provisional
        while expected raters have not answered."""
        from kit.report import charts
        from kit.report.blocks import Section, esc, figure_img, fmt_num, rag_badge, table

        title = "Element scores"
        empty = self._nothing()
        if empty:
            return Section(title, empty)
        s = self.settings
        el, health = final_scores(self.means, settings=s)
        waiting = self._waiting()
        status = (f'<p class="flag">⚑ Provisional: waiting for {esc(", ".join(waiting))}.</p>' if waiting else
                  "<p>Everyone expected has answered: these are the workshop's scores.</p>" if self.expected is not None else
                  "<p>Scores of everyone who has answered so far.</p>")
        if health["health_index"] is not None:
            complete = "" if health["health_complete"] else (
                f' <span class="flag">⚑ incomplete: {health["n_scored"]} of 10 elements scored '
                f"(at least {s.min_scored_elements} needed)</span>")
            status += (f"<p><strong>Health index {fmt_num(health['health_index'])}</strong> "
                       f"{rag_badge(health['health_rag'])}{complete}</p>")
        img = figure_img(charts.plot_elements(el, settings=s), "Element scores with the raters' range")
        df = pd.DataFrame({
            "Element": el["element"].map(ELEMENT_NAMES), "Score": el["score"].map(fmt_num),
            "RAG": el["rag"].map(rag_badge), "Raters": el["n_raters"],
            "Spread (1-5)": el["spread"].map(lambda v: fmt_num(v, 2)),
            "Gap (internal - client)": el["perception_gap"].map(lambda v: "—" if pd.isna(v) else f"{v:+.2f}"),
        })
        note = ('<p class="muted">Score = (mean of the raters\' element means - 1) / 4 x 100; every rater weighs the same. '
                f"RAG: green at {s.rag_green:g} or more, amber at {s.rag_amber:g} or more.</p>")
        return Section(title, status + img + table(df, raw_html=["RAG"], numeric=["Score", "Raters", "Spread (1-5)",
                                                                                   "Gap (internal - client)"]) + note)


def expected_raters_of(path: str | Path, account_id: str, day: pd.Timestamp | None) -> pd.DataFrame:
    """:func:`expected_raters` for one workshop (the date as ISO text when known)."""
    return expected_raters(path, account_id=account_id, assessed_on=None if day is None else f"{day:%Y-%m-%d}")
