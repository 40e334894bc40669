"""What goes on each slide of an account's deck, as plain data (no PowerPoint here).

Two decks, both taken from the model (:class:`~kit.figures.model.PortfolioModel`) and the
planning views of :mod:`kit.figures.plan`:

- :func:`client_deck`, the quarterly business review, in the client's language: our
  partnership, progress since last quarter, the ten elements as a chart, key measures,
  what went well, what to improve together, next steps for both sides.  Built from
  :func:`~kit.figures.plan.qbr_view` and client-safe figures only; none of the
  consultant's words (categories, quadrants, warnings, motions, pipeline, the tool).
- :func:`internal_deck`, the account review: summary, health against hygiene, revenue by
  quarter and motion, the warnings that matter, the plan's goals and who to meet.

:mod:`kit.report.deck` draws a :class:`Deck` with python-pptx.  Nothing is computed here
that belongs to the figures: the few selections made here (the last eight quarters of
revenue, elements that improved, the weakest elements' next steps) are marked where
they are made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from kit.figures.model import PortfolioModel
from kit.figures.plan import CLIENT_STEPS, account_plan, qbr_view
from kit.periods import quarter_end, quarter_label
from kit.report.branding import confidential_mark
from kit.report.client_words import CLIENT_ELEMENT_NAMES
from kit.report.formats import compact_money, hygiene_words
from kit.schema import ELEMENT_IDS, ELEMENT_NAMES

__all__ = [
    "CLIENT_ELEMENT_NAMES",
    "Bullets",
    "Cards",
    "Chart",
    "Deck",
    "Series",
    "Slide",
    "Table",
    "client_deck",
    "compact_money",
    "internal_deck",
]

#: next steps on each side for a weak element: (what we will do, what we ask of the client)
SIDE_STEPS: dict[str, tuple[str, str]] = {
    "client_understanding": ("Hold a working session to learn your strategy and priorities for the year ahead",
                             "Share your strategy and next year's priorities with our team"),
    "account_strategy": ("Propose a joint plan of where our work supports your goals",
                         "Review the joint plan with us and name what matters most"),
    "value_of_work": ("Agree with you how we measure the value of our work, and report against it",
                      "Tell us which outcomes you measure our work by"),
    "relationships": ("Set up regular meetings between our leaders and yours",
                      "Name the leaders on your side who should meet ours"),
    "delivery_quality": ("Review open delivery issues and the survey results with you, with an action for each",
                         "Walk us through what needs to improve in our delivery"),
    "firm_as_partner": ("Introduce our specialists on the topics that matter most to you",
                        "Tell us where you would value more of our expertise"),
    "account_governance": ("Set a quarterly review rhythm with agreed measures",
                           "Confirm who joins the quarterly review on your side"),
    "leading_people": ("Confirm the team on your work and its continuity for the next quarter",
                       "Tell us how our team works with yours, and what to change"),
    "brand_marketing": ("Share insights and events from our firm that fit your agenda",
                        "Tell us which topics you want to hear about"),
    "pipeline_health": ("Plan with you the work for the coming quarters",
                        "Share the initiatives you are planning, so we can prepare"),
}
_STEPS_ALWAYS = ("Send you the summary of this review and the agreed actions within a week",
                 "Confirm your priorities and success measures for the next quarter")

#: Okabe-Ito colours, as in the charts of the pages (kit.report.charts)
RAG_COLOURS = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00", None: "#9E9E9E"}
MOTION_COLOURS = {"baseline": "#B0BEC5", "continuation": "#1F4E79", "crop_rotation": "#4F9DD9", "colonization": "#F28E2B"}
MOTION_NAMES = {"baseline": "Baseline", "continuation": "Continuation", "crop_rotation": "Crop rotation",
                "colonization": "Colonization"}
#: quarters of revenue a deck's chart shows
CHART_QUARTERS = 8


# -- the deck as data ------------------------------------------------------------------
@dataclass(frozen=True)
class Bullets:
    """Paragraphs, each ``(text, level)``; ``heading`` above them (optional)."""

    items: list[tuple[str, int]]
    heading: str = ""


@dataclass(frozen=True)
class Table:
    """A table of text; ``numeric`` columns are right-aligned; ``widths`` are relative."""

    columns: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    colour: str | None = None
    point_colours: list[str] | None = None


@dataclass(frozen=True)
class Chart:
    """A native chart: ``kind`` is ``"bar"`` (horizontal), ``"column"`` or ``"column_stacked"``."""

    kind: str
    categories: list[str]
    series: list[Series]
    title: str = ""
    number_format: str = "#,##0"
    maximum: float | None = None
    legend: bool = False
    data_labels: bool = False
    caption: str = ""


@dataclass(frozen=True)
class Cards:
    """Headline figures: ``(label, value, note)``."""

    items: list[tuple[str, str, str]]


Block = Bullets | Table | Chart | Cards


@dataclass(frozen=True)
class Slide:
    """One slide: ``kind`` ``"title"`` (title and subtitle) or ``"content"`` (title and
    one to three blocks side by side); ``notes`` go to the speaker notes."""

    title: str
    kind: str = "content"
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    notes: str = ""


@dataclass(frozen=True)
class Deck:
    title: str
    account_name: str
    confidential: str
    slides: list[Slide]


# -- words and numbers -----------------------------------------------------------------
def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, (str, list)) and pd.isna(v))


def _num(v: object, digits: int = 0) -> str:
    return "—" if _missing(v) else f"{float(v):,.{digits}f}"


def _signed(v: object, digits: int = 0) -> str:
    """``+5``, ``-3``; ``0`` for no change at the precision shown (never ``-0``)."""
    if _missing(v):
        return "—"
    x = round(float(v), digits)
    return f"{0:.{digits}f}" if x == 0 else f"{x:+,.{digits}f}"


def _pct(v: object, digits: int = 0) -> str:
    return "—" if _missing(v) else f"{float(v) * 100:.{digits}f}%"


def _quarter_words(q: int) -> str:
    """``Q3 2026`` (how a client writes a quarter)."""
    return f"Q{q % 4 + 1} {q // 4}"


def _date_words(d: object) -> str:
    """``26 August 2026`` (no platform-specific strftime flags)."""
    t = pd.Timestamp(d)
    return f"{t.day} {t:%B %Y}"


def _words(v: object) -> str:
    """Text of a figure that may be missing ('' then)."""
    return "" if _missing(v) else str(v)


def _quarterly_revenue(model: PortfolioModel, account_id: str) -> pd.DataFrame:
    """The account's revenue by quarter and motion, the last :data:`CHART_QUARTERS`
    quarters to the analysis quarter (a selection of ``model.motion_table``; quarters
    without revenue are shown as 0)."""
    mt = model.motion_table
    mine = mt[(mt["account_id"] == account_id) & (mt["quarter"] <= model.quarter)
              & (mt["quarter"] > model.quarter - CHART_QUARTERS)]
    quarters = list(range(model.quarter - CHART_QUARTERS + 1, model.quarter + 1))
    if model.data_start is not None:
        quarters = [q for q in quarters if q >= model.data_start]
    wide = mine.pivot_table(index="quarter", columns="motion", values="amount", aggfunc="sum").reindex(quarters)
    return wide.fillna(0.0)


def _elements(model: PortfolioModel, account_id: str) -> pd.DataFrame:
    el = model.assessment.elements
    mine = el[el["account_id"] == account_id].set_index("element")
    return mine.reindex([e for e in ELEMENT_IDS if e in mine.index])


def _money_axis(values) -> str:
    """An axis number format for amounts: thousands (K) or millions (M) past 100,000."""
    top = max([abs(float(v)) for v in values if not _missing(v)] or [0.0])
    return '#,##0.0,,"M"' if top >= 10_000_000 else '#,##0,"K"' if top >= 100_000 else "#,##0"


def _element_chart(model: PortfolioModel, account_id: str, *, names: dict[str, str], title: str) -> Chart | None:
    el = _elements(model, account_id)
    if el.empty or el["score"].notna().sum() == 0:
        return None
    scores = [None if _missing(v) else round(float(v), 1) for v in el["score"]]
    colours = [RAG_COLOURS.get(r if isinstance(r, str) else None) for r in el["rag"]]
    series = [Series("Latest assessment", scores, point_colours=colours)]
    if el["previous_score"].notna().any():
        series.append(Series("Previous assessment", [None if _missing(v) else round(float(v), 1) for v in el["previous_score"]],
                             colour="#B0BEC5"))
    s = model.settings
    return Chart("bar", [names[e] for e in el.index], series, title=title, number_format="0", maximum=100,
                 legend=len(series) > 1, data_labels=True,
                 caption=f"Score 0-100; green at {s.rag_green:g} or more, amber at {s.rag_amber:g} or more, red below.")


# -- the client's deck: the quarterly business review ----------------------------------
def client_deck(model: PortfolioModel, account_id: str, *, firm_name: str = "") -> Deck:
    """The quarterly business review of one account, for the client.

    Parameters
    ----------
    model : PortfolioModel
        The portfolio's figures.
    account_id : str
        The account.
    firm_name : str
        The consultant's firm ('' to leave it out), named on the title slide.

    Returns
    -------
    Deck
        Title, our partnership, progress since last quarter, the ten elements, key
        measures, what went well, what to improve together, next steps.
    """
    m, s = model, model.settings
    f = m.account(account_id)
    q = qbr_view(m, account_id)
    name = str(f["account_name"])
    money = lambda v: compact_money(v, s.currency)
    quarter = _quarter_words(m.quarter)
    by = f" · prepared by {firm_name}" if firm_name else ""
    slides = [Slide(title="Quarterly business review", kind="title",
                    subtitle=f"{name}\n{quarter} (quarter ending {_date_words(quarter_end(m.quarter))}){by}")]

    # our partnership
    slides.append(Slide(title="Our partnership", blocks=[Bullets([(t, 0) for t in q.partnership]
                                                                  or [("Our partnership review starts with this quarter.", 0)])]))

    # progress since last quarter, said plainly when there is nothing to compare with
    labels = {"Revenue in the quarter": f"Our work with you in the quarter ({_quarter_words(m.quarter)} against "
                                        f"{_quarter_words(m.quarter - 1)})",
              "Assessment health index (0-100)": "Partnership score in our joint assessment (0-100)",
              "NPS, last 4 quarters (-100..100)": "Net Promoter Score, last four quarters (-100 to 100)",
              "CSAT, last 4 quarters (1-5)": "Satisfaction (CSAT), last four quarters (1-5)"}
    fmt = {"money": money, "num": _num, "num2": lambda v: _num(v, 2)}
    rows, plain = [], []
    for r in q.progress.itertuples(index=False):
        measure = labels.get(r.measure, r.measure)
        show = fmt.get(r.kind, _num)
        if _missing(r.previous):  # unknown (before the data starts, no earlier survey), never 0
            rows.append([measure, "no earlier figure", show(r.latest), "—"])
            plain.append(f"{measure}: no earlier figure to compare with yet.")
        else:
            digits = 2 if r.kind == "num2" else 0
            # the change of the numbers as shown, so that before + change = now on the slide
            change = money(r.change) if r.kind == "money" else _signed(
                round(float(r.latest), digits) - round(float(r.previous), digits), digits)
            if r.kind == "money" and not _missing(r.change) and float(r.change) > 0:
                change = "+" + change
            rows.append([measure, show(r.previous), show(r.latest), change])
    blocks: list[Block] = []
    if rows:
        blocks.append(Table(["Measure", "Before", "Now", "Change"], rows, numeric=(1, 2, 3), widths=(2.6, 1, 1, 1.2)))
    rev = _quarterly_revenue(m, account_id)
    if len(rev):
        totals = [round(float(v), 2) for v in rev.sum(axis=1)]
        blocks.append(Chart("column", [_quarter_words(int(x)) for x in rev.index],
                            [Series("Our work with you", totals, colour=s.accent_colour)],
                            title="Our work with you, by quarter" + (f" ({s.currency.strip()})" if s.currency.strip() else ""),
                            number_format=_money_axis(totals)))
    notes = ("Before: revenue the quarter before; partnership score the previous joint assessment; NPS and CSAT the four "
             "quarters before.")
    if plain:
        notes += " " + " ".join(plain)
    if not rows:
        blocks = [Bullets([("This is our first review together: there is no earlier quarter to compare with yet.", 0)])]
    slides.append(Slide(title="Progress since last quarter", blocks=blocks, notes=notes))

    # the ten elements
    chart = _element_chart(m, account_id, names=CLIENT_ELEMENT_NAMES, title="")  # the slide's title says it
    if chart is None:
        slides.append(Slide(title="Our joint assessment", blocks=[Bullets([(
            "We have not yet assessed the partnership together; we propose a joint assessment before the next review.", 0)])]))
    else:
        el = _elements(m, account_id).dropna(subset=["score"])
        hi, lo = el["score"].idxmax(), el["score"].idxmin()
        when = "" if _missing(f["assessed_on"]) else f" of {_date_words(f['assessed_on'])}"
        side = [(f"Our joint assessment{when} rates the partnership {_num(f['health_index'])} of 100.", 0),
                (f"Strongest: {CLIENT_ELEMENT_NAMES[hi]} ({el.loc[hi, 'score']:.0f}).", 0),
                (f"Most room to grow: {CLIENT_ELEMENT_NAMES[lo]} ({el.loc[lo, 'score']:.0f}).", 0)]
        if _missing(f["previous_health_index"]):
            side.append(("This is our first joint assessment: the next one will show the change.", 0))
        else:
            side.append((f"Change since the previous assessment: {_signed(f['health_change'])} points.", 0))
        slides.append(Slide(title="How we rate our partnership", blocks=[chart, Bullets(side)]))

    # key measures
    cards = [("Our work with you, last four quarters", money(f["revenue_t4q"]),
              "" if _missing(f["revenue_growth"]) else f"{_signed(float(f['revenue_growth']) * 100, 1)}% on the year before")]
    if f["nps_n"] > 0:
        cards.append(("Net Promoter Score", _num(f["nps"]), f"{int(f['nps_n'])} answers"
                      + ("" if _missing(f["nps_prior"]) else f"; {_num(f['nps_prior'])} the year before")))
    if f["csat_n"] > 0:
        cards.append(("Satisfaction (1-5)", _num(f["csat"], 2), f"{int(f['csat_n'])} answers"
                      + ("" if _missing(f["csat_prior"]) else f"; {_num(f['csat_prior'], 2)} the year before")))
        cards.append(("Satisfied or very satisfied", _pct(f["csat_top2_share"]), "answers of 4 or 5 of 5"))
    if not _missing(f["health_index"]):
        cards.append(("Partnership score", _num(f["health_index"]), "joint assessment, 0-100"))
    slides.append(Slide(title="Key measures", blocks=[Cards(cards)]))

    # what went well: new work started, measures that rose, elements that improved
    wins: list[tuple[str, int]] = []
    for r in q.wins.itertuples(index=False):
        wins.append((f"New work started: {r.offering} for {r.buying_center} ({pd.Timestamp(r.closed):%B %Y})", 0))
    # the rise only: the scores themselves are on the key measures and in our joint assessment
    rose = {"Assessment health index (0-100)": "Our partnership score in the joint assessment",
            "NPS, last 4 quarters (-100..100)": "Your Net Promoter Score over the last four quarters",
            "CSAT, last 4 quarters (1-5)": "Your satisfaction score (CSAT, 1-5) over the last four quarters"}
    for r in q.progress.itertuples(index=False):
        if not _missing(r.change) and not _missing(r.previous) and float(r.change) > 0 and r.kind != "money":
            digits = 2 if r.kind == "num2" else 0
            # the difference of the numbers as printed, so that it adds up with them
            diff = round(float(r.latest), digits) - round(float(r.previous), digits)
            if diff <= 0:
                continue
            by = f"{diff:.2f}" if digits else f"{diff:.0f} {'point' if diff == 1 else 'points'}"
            wins.append((f"{rose.get(r.measure, labels.get(r.measure, r.measure))} rose by {by}", 0))
    el = _elements(m, account_id)
    improved = el[el["change"] > 0].sort_values("change", ascending=False).head(2)  # a selection, not a figure
    for e, r in improved.iterrows():
        wins.append((f"{CLIENT_ELEMENT_NAMES[e]} improved by {r['change']:.0f} points since the previous assessment", 0))
    if not wins:
        wins = [("No new work started and no measure rose this quarter; the next steps below aim to change that.", 0)]
    slides.append(Slide(title="What went well", blocks=[Bullets(wins[:7])]))

    # what to improve together: weak elements in the client's words, and the surveys' declines
    weak = el[el["rag"] == "red"].sort_values("score").head(3)
    improve = [(f"{CLIENT_ELEMENT_NAMES[e]}: {r['score']:.0f} of 100 in our joint assessment", 0) for e, r in weak.iterrows()]
    improve += [(c, 0) for c in q.challenges if not any(n in c for n in ELEMENT_NAMES.values())]
    if not improve:
        improve = [("No area of our joint assessment is weak; we keep the same rhythm of reviews.", 0)]
    slides.append(Slide(title="What to improve together", blocks=[Bullets(improve)]))

    # next steps for both sides: the weakest elements' steps (the same two the QBR view picks)
    focus = el[el["rag"].isin(["red", "amber"])].sort_values("score").head(2).index
    ours = [SIDE_STEPS[e][0] for e in focus] + [_STEPS_ALWAYS[0]]
    yours = [SIDE_STEPS[e][1] for e in focus] + [_STEPS_ALWAYS[1]]
    slides.append(Slide(title="Next steps", blocks=[
        Bullets([(t, 0) for t in ours], heading="We will"),
        Bullets([(t, 0) for t in yours], heading="We ask you to"),
        # the QBR view's steps for these same elements are the two columns above, said per side
        Bullets([(t.rstrip("."), 0) for t in q.next_steps if t not in {CLIENT_STEPS[e] for e in focus}]
                + [(f"Meet for our next business review after {_quarter_words(m.quarter + 1)}", 0)], heading="Together")]))
    return Deck(title=f"Quarterly business review: {name}", account_name=name,
                confidential=confidential_mark("client", name), slides=slides)


# -- the consultant's deck: the account review -----------------------------------------
def internal_deck(model: PortfolioModel, account_id: str, *, firm_name: str = "") -> Deck:
    """The internal account review of one account.

    Returns
    -------
    Deck
        Title, summary, health against hygiene, revenue by quarter and motion, the
        warnings that matter, the plan's goals, who to meet next.
    """
    m, s = model, model.settings
    f = m.account(account_id)
    name = str(f["account_name"])
    money = lambda v: compact_money(v, s.currency)
    by = f" · {firm_name}" if firm_name else ""
    slides = [Slide(title="Account review", kind="title",
                    subtitle=f"{name} ({account_id})\nAnalysis date {m.as_of:%Y-%m-%d} · T4Q {m.t4q_label}{by}")]

    # summary
    items = [(f"Category: {f['category']}" + ("" if f["previous_category"] == f["category"]
                                                else f" (from {f['previous_category']} a year ago)"), 0),
             (_words(f["category_reason"]), 1),
             (f"Quadrant: {_words(f['quadrant']) or 'not assessed'}", 0), (_words(f["quadrant_reason"]), 1)]
    items = [(t, level) for t, level in items if t]
    if _missing(f["health_index"]):
        items.append(("Health index: not assessed", 0))
    else:
        trend = ("no earlier assessment" if _missing(f["previous_health_index"])
                 else f"{_signed(f['health_change'])} since {pd.Timestamp(f['previous_assessed_on']):%Y-%m-%d}")
        items.append((f"Health index {_num(f['health_index'])} ({str(f['health_rag']).upper()}; {trend})", 0))
    # the same words as the account page's summary (one source: kit.report.formats)
    items.append((f"Hygiene: {hygiene_words(f, bar=s.hygiene_attainment)}", 0))
    revenue = f"T4Q revenue {money(f['revenue_t4q'])}, growth {_pct(f['revenue_growth'], 1)}"
    items.append((f"{revenue}; {int(f['n_warnings'])} early warning(s)", 0))
    slides.append(Slide(title="Summary", blocks=[Bullets(items)]))

    # health against hygiene
    chart = _element_chart(m, account_id, names=ELEMENT_NAMES, title="The ten elements (score 0-100)")
    side = [(f"Health index {_num(f['health_index'])}: healthy at {s.health_threshold:g} or more", 0),
            # the attainment is on the summary and revenue slides: here the verdict in words
            (f"Hygiene: {hygiene_words(f, bar=s.hygiene_attainment, figures=False)}", 0),
            (f"Quadrant: {_words(f['quadrant']) or 'not assessed'}", 0)]
    if f["raters_disagree_elements"]:
        side.append(("Raters disagree on: " + ", ".join(ELEMENT_NAMES.get(e, e) for e in f["raters_disagree_elements"]), 0))
    slides.append(Slide(title="Health against hygiene",
                        blocks=[chart, Bullets(side)] if chart is not None else [Bullets([("No assessment yet.", 0)] + side)]))

    # revenue by quarter and motion
    rev = _quarterly_revenue(m, account_id)
    if len(rev):
        motions = [c for c in MOTION_COLOURS if c in rev.columns]
        slides.append(Slide(title="Revenue by quarter and motion", blocks=[Chart(
            "column_stacked", [quarter_label(int(x)) for x in rev.index],
            [Series(MOTION_NAMES[c], [round(float(v), 2) for v in rev[c]], colour=MOTION_COLOURS[c]) for c in motions],
            title=f"Revenue, last {len(rev)} quarters", legend=True, number_format=_money_axis(rev.sum(axis=1))),
            Cards([("T4Q revenue", money(f["revenue_t4q"]), f"growth {_pct(f['revenue_growth'], 1)}"),
                   ("Attainment", _pct(f["revenue_attainment"]), "of the T4Q target"),
                   ("Repeat business", _pct(f["repeat_business_share"]), "continuation + crop rotation")])]))

    # the warnings that matter: most serious first (the order the figures give them)
    w = m.warnings[m.warnings["account_id"] == account_id].head(6)
    if len(w):
        titles = w["title"] if "title" in w.columns else w["warning_id"]
        table = Table(["Severity", "Warning", "What fired it"],
                      [[str(sev).upper(), str(t), str(msg)] for sev, t, msg in zip(w["severity"], titles, w["message"])],
                      widths=(0.8, 1.6, 4))
        slides.append(Slide(title="The warnings that matter", blocks=[table],
                            notes=f"{int(f['n_warnings'])} early warning(s) in all; the report lists every one."))
    else:
        slides.append(Slide(title="The warnings that matter", blocks=[Bullets([("No early warning fired.", 0)])]))

    # the plan: goals and who to meet
    plan = account_plan(m, account_id)
    goals = plan.goals.head(5)
    slides.append(Slide(title="The plan: goals", blocks=[
        Table(["Goal", "Why (the numbers)", "From"], [[str(r.goal), str(r.why), str(r.source)] for r in goals.itertuples()],
              widths=(2.6, 3.4, 1.1)) if len(goals) else Bullets([("No goal recommended.", 0)])]))
    st = plan.stakeholders.head(6)
    slides.append(Slide(title="Who to meet next", blocks=[
        Table(["#", "Buying center", "Level", "Who", "Why"],
              [[str(r.priority), str(r.buying_center), str(r.level), str(r.who), str(r.why)] for r in st.itertuples()],
              numeric=(0,), widths=(0.4, 1.2, 1, 2.4, 2.6))
        if len(st) else Bullets([("No gap in the stakeholder map calls for a meeting.", 0)])]))
    return Deck(title=f"Account review: {name}", account_name=name, confidential=confidential_mark("internal", name),
                slides=slides)
