"""Quarter over quarter in the reports (issue 17): "Since last quarter" and the history of
an account, the portfolio's movers, and the QBR's progress in the client's words.

The figures come from :mod:`kit.figures.changes` (``model.changes``: each account's
headline figures a quarter earlier and now), :func:`kit.figures.tables.health_drivers`
and :mod:`kit.figures.history`; this module words them, and its charts are in
:mod:`kit.report.charts` (``plot_drivers``, ``plot_health_history``, ``plot_revenue_history``).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from kit.figures.assessment import assessment_cutoff
from kit.figures.early_warnings import rule_titles
from kit.figures.history import assessment_history, revenue_history
from kit.figures.model import PortfolioModel
from kit.figures.tables import health_drivers
from kit.figures.words import count
from kit.inputs.portfolio import Portfolio
from kit.periods import quarter_end
from kit.report import charts
from kit.report.blocks import Section, esc, figure_img, table
from kit.report.formats import headline_figures_in_words, shown_change
from kit.schema import ELEMENT_NAMES

__all__ = [
    "account_moves",
    "client_progress",
    "history",
    "movers",
    "settings_note",
    "since_last_quarter",
]

Money = Callable[[object], str]


# --- words -----------------------------------------------------------------------------------
def _change_rows(model: PortfolioModel, account_id: str) -> pd.DataFrame:
    c = model.changes
    if c is None:
        return pd.DataFrame(columns=["figure", "previous", "current", "change"]).set_index("figure")
    return c[c["account_id"] == account_id].set_index("figure")


def _ids(text: object) -> list[str]:
    return [w for w in str(text).split(";") if w] if isinstance(text, str) else []


def _since(model: PortfolioModel) -> str:
    info = model.comparison or {}
    when = info.get("previous_as_of")
    if info.get("basis") == "run folder":
        return f"the run of {when}" if when else "the earlier run compared with"
    return f"{when} (the quarter before, on today's data)" if when else "the quarter before"


def _moved(was: object, now: object, money: Money) -> str:
    """'up 262K (+10.5%)': the change only, its figures shown elsewhere on the page."""
    diff = float(now) - float(was)
    pct = f" ({diff / abs(float(was)):+.1%})" if float(was) != 0 else ""
    return f"{'up' if diff > 0 else 'down'} {money(abs(diff))}{pct}"


def account_moves(model: PortfolioModel, account_id: str, *, money: Money) -> list[str]:
    """The account's moves since the previous quarter, in words (internal wording): the
    changes only, as the figures themselves are on the first screen and in their sections
    (each figure in two places at most, issue 16)."""
    c = _change_rows(model, account_id)
    if c.empty or pd.isna(c["previous"]).all():
        return []
    f = model.figures.loc[account_id]
    out = []

    def pair(fig: str) -> tuple[object, object]:
        return (c.loc[fig, "previous"], c.loc[fig, "current"]) if fig in c.index else (None, None)

    was, now = pair("category")
    if isinstance(was, str) and isinstance(now, str) and was != now:
        reason = f.get("category_reason")
        reason = headline_figures_in_words(reason, f)
        out.append(f"Moved from {was} to {now}" + (f": {reason}." if isinstance(reason, str) and reason else "."))
    was, now = pair("quadrant")
    if isinstance(was, str) and isinstance(now, str) and was != now:
        out.append(f"Quadrant: from {was} to {now}.")
    was, now = pair("revenue_t4q")
    if pd.notna(was) and pd.notna(now) and was != now:
        out.append(f"Revenue over the last four quarters: {_moved(was, now, money)} on a quarter earlier.")
    was, now = pair("nps")
    if pd.notna(was) and pd.notna(now) and round(float(was)) != round(float(now)):
        # the rounded scores' difference, so that it adds up with the NPS printed in KPIs
        diff = round(float(now)) - round(float(was))
        out.append(f"NPS (last four quarters): {'up' if diff > 0 else 'down'} {abs(diff)} "
                   f"{'point' if abs(diff) == 1 else 'points'} on a quarter earlier.")
    was, now = pair("weighted_pipeline")
    if pd.notna(was) and pd.notna(now) and was != now:
        out.append(f"Weighted pipeline: {_moved(was, now, money)} on a quarter earlier.")
    return out


def settings_note(model: PortfolioModel) -> str:
    """Which settings and question bank changed since the run compared with ('' when none)."""
    changed = (model.comparison or {}).get("settings_changes") or []
    if not changed:
        return ""
    items = "; ".join(f"{c['setting']}: {c['before']} → {c['now']}" for c in changed)
    return ('<p class="flag">Settings changed since the run compared with, so some changes below come from the kit\'s '
            f"rules, not from the account: {esc(items)}.</p>")


def since_last_quarter(model: PortfolioModel, account_id: str, *, money: Money, internal: bool = True) -> Section:
    """Near the top of the account report: the moves in words, what moved the health
    index (drivers), warnings new and cleared."""
    if not internal:
        return client_progress(model, account_id, money=money)
    body = settings_note(model)
    moves = account_moves(model, account_id, money=money)
    acc = model.assessment.accounts.loc[account_id]
    change = acc.get("health_change")
    if pd.notna(change):
        n = int(acc.get("health_change_elements", 0))
        same = bool(acc.get("same_elements")) if pd.notna(acc.get("same_elements")) else True
        note = "" if same else f", over the {n} elements scored in both assessments"
        # the change of the printed indexes, as the summary and the assessment print it
        shown = shown_change(acc.get("health_now_common"), acc.get("health_before_common"))[2]
        shown = f"{float(change):+.1f}" if shown == "—" else shown
        moves.insert(0, f"Health index {shown} since the assessment of "
                        f"{pd.Timestamp(acc['previous_assessed_on']):%Y-%m-%d}{note}.")
    c = _change_rows(model, account_id)
    titles = rule_titles()
    new = _ids(c.loc["warnings_appeared", "current"]) if "warnings_appeared" in c.index else []
    gone = _ids(c.loc["warnings_cleared", "current"]) if "warnings_cleared" in c.index else []
    if not moves and not new and not gone:
        unknown = c.empty or pd.isna(c["previous"]).all()
        body += ("<p>No figures for the quarter before: the data starts later.</p>" if unknown else
                 "<p>Nothing moved since the quarter before.</p>")
        return Section("Since last quarter", body)
    body += f'<p class="muted">Compared with {esc(_since(model))}.</p>'
    if moves:
        body += "<ul>" + "".join(f"<li>{esc(m)}</li>" for m in moves) + "</ul>"
    if new or gone:
        body += "<p><strong>Warnings:</strong> " + "; ".join(
            [f"new: {esc(titles.get(w, w))}" for w in new] + [f"cleared: {esc(titles.get(w, w))}" for w in gone]) + ".</p>"
    drivers = health_drivers(model)
    mine = drivers[drivers["account_id"] == account_id]
    if mine["contribution"].notna().any():
        top = mine.dropna(subset=["contribution"]).sort_values("contribution", key=abs, ascending=False).iloc[0]
        alt = (f"Bars of each element's contribution to the health-index change of {float(change):+.1f} points; the "
               f"largest is {ELEMENT_NAMES[top['element']]} at {float(top['contribution']):+.1f}.")
        body += figure_img(charts.plot_drivers(mine), alt)
    return Section("Since last quarter", body)


def history(model: PortfolioModel, account_id: str, *, tables: Portfolio | None = None) -> Section:
    """The health index and every element across every assessment in the data, and
    revenue by quarter with targets (``tables``: the input tables to read, e.g. the
    account's own rows; the model's portfolio when None).  Where the data window starts
    is the portfolio's, not the account's."""
    p = model.portfolio if tables is None else tables
    hist = assessment_history(p.table("assessment"), p.table("questions"), account_id=account_id,
                              cutoff=model.assessment_cutoff, settings=model.settings)
    body = ""
    if len(hist) >= 2:
        first, last = hist.iloc[0], hist.iloc[-1]
        alt = (f"Line of the health index at {len(hist)} assessments, from {first['health_index']:.0f} on "
               f"{pd.Timestamp(first['assessed_on']):%Y-%m-%d} to {last['health_index']:.0f} on "
               f"{pd.Timestamp(last['assessed_on']):%Y-%m-%d}, with each element's score as a thin line.")
        body += figure_img(charts.plot_health_history(hist), alt)
    elif len(hist) == 1:
        body += "<p>One assessment in the data: the history starts with the next one.</p>"
    else:
        body += "<p>No assessment in the data for this account.</p>"
    revenue = model.portfolio.table("revenue")
    rev = revenue_history(p.table("revenue"), p.table("targets"), account_id=account_id, last_quarter=model.quarter,
                          first_quarter=int(revenue["quarter"].min()) if len(revenue) else None)
    if rev["revenue"].notna().any():
        known = rev.dropna(subset=["revenue"])
        alt = (f"Bars of revenue in each of {len(known)} quarters from {known['period'].iloc[0]} to "
               f"{known['period'].iloc[-1]}" + (", with the target as a line." if rev["target"].notna().any() else "."))
        body += figure_img(charts.plot_revenue_history(rev), alt)
    return Section("History", body)


def movers(model: PortfolioModel, *, money: Money, top: int = 5, limit: int = 15, held: str = "",
           link: Callable[[str], str] | None = None) -> Section:
    """The portfolio's movers since the quarter before: category and quadrant moves, new
    high-severity warnings (quarter over quarter, as tables/changes.csv); then, apart, the
    largest health-index changes since each account's previous assessment, which may be a
    year old (assessment to assessment: the index moves only when an account is assessed).
    Above ``limit`` moves of a kind, the moves are counted (from, to) and the ``limit``
    largest accounts named.  ``held``: the accounts tables/changes.csv holds when a run
    renders some of them ("only the 2 accounts selected for this run ..."); '' when it
    holds every account.  ``link``: an account id's name as HTML (escaped, linked to its
    report); None: the name, escaped."""
    every_change = f"tables/changes.csv holds {held}" if held else "every change is in tables/changes.csv"
    c = model.changes
    if c is None or c.empty or c["previous"].isna().all():
        return Section("Movers since last quarter", "<p>No figures for the quarter before: the data starts later.</p>")
    names = model.figures["account_name"]
    who = link or (lambda a: esc(names[a]))
    body = settings_note(model) + (f'<p class="muted">Quarter over quarter: compared with {esc(_since(model))}, as '
                                   "tables/changes.csv.</p>")
    revenue = model.figures["revenue_t4q"]
    quarterly = False
    for fig, label in (("category", "Category"), ("quadrant", "Quadrant")):
        rows = c[(c["figure"] == fig) & c["previous"].notna() & c["current"].notna() & (c["previous"] != c["current"])]
        if len(rows) > limit:  # thousands of accounts: the moves counted, the largest accounts named
            moves = rows.groupby(["previous", "current"]).size().sort_values(ascending=False, kind="stable")
            body += table(pd.DataFrame({"From": [a for a, _ in moves.index], "To": [b for _, b in moves.index],
                                        "Accounts": moves.to_numpy()}), numeric=["Accounts"],
                          caption=f"{label} moves: {len(rows)} accounts")
            rows = rows.assign(_rev=revenue.reindex(rows["account_id"]).to_numpy()).sort_values(
                "_rev", ascending=False, kind="stable", na_position="last").head(limit)
            label = f"{label} moves of the {limit} largest accounts that moved (by T4Q revenue; {every_change}):"
        elif len(rows):
            label = f"{label} moves"
        if len(rows):
            quarterly = True
            body += table(pd.DataFrame({"Account": [who(a) for a in rows["account_id"]], "From": rows["previous"].tolist(),
                                        "To": rows["current"].tolist()}), raw_html=["Account"], caption=label.rstrip(":"))
    high = {r.id for r in _high_rules()}
    new = c[(c["figure"] == "warnings_appeared") & c["current"].notna()]
    titles = rule_titles()
    rows = [[a, titles.get(w, w), revenue.get(a)] for a, ids in zip(new["account_id"], new["current"], strict=True)
            for w in _ids(ids) if w in high]
    if rows:
        quarterly = True
        df = pd.DataFrame(rows, columns=["Account", "New high-severity warning", "_rev"])
        caption = "New high-severity warnings"
        if len(df) > limit:
            caption += f": {len(df)}, the {limit} on the largest accounts shown (by T4Q revenue; {every_change})"
            df = df.sort_values("_rev", ascending=False, kind="stable", na_position="last").head(limit)
        body += table(df.drop(columns="_rev").assign(Account=lambda d: d["Account"].map(who)), raw_html=["Account"],
                      caption=caption)
    totals = (model.comparison or {}).get("previous_totals") or {}
    if totals:
        quarterly = True
        now = model.totals
        body += table(pd.DataFrame([["Revenue, last four quarters", money(totals.get("revenue_t4q")), money(now.get("revenue_t4q"))]],
                                   columns=["Portfolio", "A quarter earlier", "Now"]), numeric=["A quarter earlier", "Now"])
    if not quarterly:
        body += "<p>No category, quadrant or high-severity warning moved since the quarter before.</p>"
    return Section("Movers since last quarter", body + _assessment_movers(model, c, top=top, who=who))


def _counted_from(model: PortfolioModel) -> str:
    """Why an assessment may move the health index in one quarter and not the next: which
    assessments the quarter before already counts (scoring rule 4's grace window)."""
    info = model.comparison or {}
    grace = model.settings.assessment_grace_quarters
    if info.get("basis") == "recomputed" and info.get("previous_as_of") and grace > 0:
        before = assessment_cutoff(pd.Timestamp(info["previous_as_of"]), quarter=model.quarter - 1, grace_quarters=grace)
        return (f"the quarter before already counts the assessments dated up to {before:%Y-%m-%d} (workshops follow a "
                "quarter's close), and an assessment moves the index in the first quarter that counts it")
    return "an assessment moves the index in the first quarter that counts it"


def _assessment_movers(model: PortfolioModel, c: pd.DataFrame, *, top: int, who: Callable[[str], str]) -> str:
    """The largest health-index rises and falls since each account's previous assessment,
    with both dates: assessment to assessment, not quarter over quarter ('' when no
    account has two assessments)."""
    acc = model.assessment.accounts
    moved = acc["health_change"].dropna()
    if moved.empty:
        return ""
    rise = moved[moved > 0].sort_values(ascending=False, kind="stable").head(top)
    fall = moved[moved < 0].sort_values(kind="stable").head(top)
    picked = list(rise.items()) + list(fall.items())

    def day(v: object) -> str:
        return "—" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"

    body = "<h3>Health index since each account's previous assessment</h3>"
    hi = c[(c["figure"] == "health_index") & c["previous"].notna() & c["current"].notna()]
    in_quarter = int((pd.to_numeric(hi["current"], errors="coerce") != pd.to_numeric(hi["previous"], errors="coerce")).sum())
    body += (f'<p class="muted">Not quarter over quarter: each account\'s latest assessment against its previous one, '
             f"whenever that was ({count(len(moved), 'account')} with two assessments to compare). Quarter over quarter "
             f"(tables/changes.csv), the health index moved for {count(in_quarter, 'account')} since "
             f"{esc(_since(model))}: {esc(_counted_from(model))}.</p>")
    if not picked:
        return body + "<p>No health index moved between the two assessments.</p>"
    rows = [[who(a), day(acc.at[a, "previous_assessed_on"]), day(acc.at[a, "assessed_on"]), f"{v:+.1f}"] for a, v in picked]
    return body + table(pd.DataFrame(rows, columns=["Account", "Previous assessment", "Latest assessment",
                                                    "Health index change"]),
                        raw_html=["Account"], numeric=["Health index change"],
                        caption="Largest health-index changes since each account's previous assessment "
                                "(like with like: the elements scored both times)")


def _high_rules():
    from kit.figures.early_warnings import RULES

    return [r for r in RULES if r.severity == "high"]


def client_progress(model: PortfolioModel, account_id: str, *, money: Money) -> Section:
    """The QBR's "Progress since last quarter", in the client's words: our work together,
    your feedback, the plan, never the kit's internal labels."""
    c = _change_rows(model, account_id)
    if c.empty or pd.isna(c["previous"]).all():
        return Section("Progress since last quarter", "<p>This is our first review together in this form: the next "
                                                      "one will show how things moved.</p>")
    items = []

    def pair(fig: str) -> tuple[object, object]:
        return (c.loc[fig, "previous"], c.loc[fig, "current"]) if fig in c.index else (None, None)

    was, now = pair("revenue_t4q")
    if pd.notna(was) and pd.notna(now) and was != now:
        items.append(f"Our work together over the last twelve months: {money(now)} ({'up' if now > was else 'down'} "
                     f"from {money(was)} a quarter ago).")
    was, now = pair("nps")
    if pd.notna(was) and pd.notna(now) and round(float(was)) != round(float(now)):
        items.append(f"Your feedback (net promoter score, last twelve months): {float(now):+.0f}, "
                     f"{'up' if now > was else 'down'} from {float(was):+.0f} in the twelve months to "
                     f"{pd.Timestamp(quarter_end(model.quarter - 1)):%B %Y}.")
    acc = model.assessment.accounts.loc[account_id]
    if pd.notna(acc.get("health_change")):
        # the change of the whole scores as printed (67 after 66: 1 point), as "What went well" says it
        shown = shown_change(acc.get("health_now_common"), acc.get("health_before_common"), digits=0)[2]
        points = round(float(acc["health_change"])) if shown == "—" else int(shown)
        moved = ("did not move" if points == 0 else
                 f"{'rose' if points > 0 else 'fell'} {abs(points)} {'point' if abs(points) == 1 else 'points'}")
        items.append(f"The partnership score of our joint review {moved} since "
                     f"{pd.Timestamp(acc['previous_assessed_on']):%B %Y}.")
    if not items:
        return Section("Progress since last quarter", "<p>Steady since our last review.</p>")
    return Section("Progress since last quarter", "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
