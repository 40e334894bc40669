"""Number formats that follow the settings, and the takeaways in words, for every section."""

from __future__ import annotations

import math
import re

import pandas as pd

from kit.figures.early_warnings import SEVERITY_ORDER  # noqa: F401  (one ordering for every page)
from kit.figures.indicators import INDICATOR_SOURCES  # noqa: F401  (the report's import of it)
from kit.figures.model import PortfolioModel
from kit.figures.words import score_text
from kit.periods import quarter_label
from kit.report.blocks import esc, fmt_money, fmt_num, fmt_pct, table

INDICATOR_NAMES = {
    "new_offerings_proposed": "New offerings proposed (never bought before)",
    "new_executives_met": "New executives met",
    "new_proposals": "New proposals submitted",
    "referrals_to_new_buying_centers": "Internal referrals to new buying centers",
    "advocates": "Advocates (willing to endorse)",
    "sole_sourced_share": "Sole-sourced share of value won",
}

#: what each optional table lets a report show: "no data: supply contacts.csv to see ..."
TABLE_SHOWS: dict[str, str] = {
    "targets": "revenue attainment, hygiene against target and pipeline coverage",
    "assessment": "the ten elements, the health index, its trend and the health x hygiene quadrant",
    "contacts": "decision makers, executives, advocates and executive coverage",
    "opportunities": "the pipeline, win rates, deal size and new-offering proposals",
    "activities": "proposals, referrals and executive meetings",
    "surveys": "NPS and CSAT",
}


def signed(v: object, digits: int = 0) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):+.{digits}f}"


def shown_change(now: object, before: object, digits: int = 1) -> tuple[str, str, str]:
    """Before, now and the change as printed, the change computed from the printed
    numbers so that they always add up (65.64 -> 65.6, 67.25 -> 67.3: +1.7, not +1.6)."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return fmt_num(before, digits), fmt_num(now, digits), "—"
    a, b = round(float(before), digits), round(float(now), digits)
    return f"{a:,.{digits}f}", f"{b:,.{digits}f}", f"{b - a:+.{digits}f}"


def rounded_parts(values: list[float], total: float, digits: int = 1) -> list[float]:
    """``values`` rounded to ``digits`` so that they add up to ``total`` rounded to the
    same digits (largest remainder: the parts whose rounding lost most get the steps).
    NaN parts stay NaN and count for nothing."""
    scale = 10 ** digits
    known = [i for i, v in enumerate(values) if v is not None and not pd.isna(v)]
    out = [float("nan")] * len(values)
    if not known:
        return out
    units = [values[i] * scale for i in known]
    floors = [math.floor(u) for u in units]
    target = round(float(total) * scale)
    steps = target - sum(floors)
    order = sorted(range(len(known)), key=lambda j: units[j] - floors[j], reverse=steps > 0)
    for j in order[:abs(steps)]:
        floors[j] += 1 if steps > 0 else -1
    for j, i in enumerate(known):
        out[i] = floors[j] / scale
    return out

SOURCE_WORDS = {"warning": "early warning", "element": "weak element", "whitespace": "whitespace", "category": "category objective"}


def _fmt_measure(v: object, kind: str, money=fmt_money) -> str:
    if kind == "money":
        return money(v)
    if kind == "pct":
        return fmt_pct(v)
    return fmt_num(v, 0 if kind == "money" or v is None or pd.isna(v) or float(v) == round(float(v)) else 1)


def data_panel(coverage: pd.DataFrame, limits: list[str], *, scope: str, questions: str) -> str:
    """The "Data behind this report" panel: each table supplied or not, its rows and date
    range (``coverage``: :func:`kit.figures.coverage.data_coverage`), what stays empty
    for want of a missing one, and the limits of the data window (``limits``)."""
    rows = []
    for r in coverage.itertuples(index=False):
        span = f"{r.first} to {r.last}" if r.first and r.first != r.last else r.first
        rows.append({"Table": f"{r.table}.csv", "Supplied": "yes" if r.supplied else "no",
                     f"Rows ({scope})": "" if pd.isna(r.rows) else f"{int(r.rows):,}", "Dates": span,
                     "Empty for want of it": "" if r.supplied or r.table not in TABLE_SHOWS else TABLE_SHOWS[r.table]})
    body = table(pd.DataFrame(rows), numeric=[f"Rows ({scope})"])
    notes = [f"Question bank: {questions}."] + list(limits)
    return body + "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"


def motion_takeaway(f: pd.Series) -> str:
    """One sentence on the T4Q revenue mix by motion."""
    shares = {"continuation": f["continuation_share"], "crop rotation (cross-sell)": f["crop_rotation_share"],
              "colonization (new buying centers)": f["colonization_share"], "baseline": f["baseline_share"]}
    known = {k: v for k, v in shares.items() if pd.notna(v)}
    if not known:
        return "No T4Q revenue, so no motion mix."
    top = max(known, key=known.get)
    growth = known.get("crop rotation (cross-sell)", 0) + known.get("colonization (new buying centers)", 0)
    return (f"Most T4Q revenue is {top} ({known[top]:.0%}); cross-sell and new buying centers bring {growth:.0%}.")


def no_data(table_name: str, what: str | None = None) -> str:
    """"No data: supply contacts.csv to see decision makers, ..." (the section is empty for
    want of that table; what it would show, from :data:`TABLE_SHOWS` unless given)."""
    shows = what or TABLE_SHOWS.get(table_name, "this section")
    return f'<p class="muted">No data: supply {esc(table_name)}.csv to see {esc(shows)}.</p>'


def _known(v: object) -> bool:
    return v is not None and not isinstance(v, str) and not pd.isna(v)


def hygiene_words(f: pd.Series, *, bar: float, figures: bool = True) -> str:
    """Hygiene in words: the verdict and the rule behind it, for the account page and the
    internal deck alike.

    Parameters
    ----------
    f : pd.Series
        The account's figures (``hygiene_basis``, ``hygienic``, ``revenue_attainment``,
        ``revenue_growth``).
    bar : float
        The attainment that counts as hygienic (``Settings.hygiene_attainment``).
    figures : bool
        True: with the attainment or growth that decided it ("hygienic: revenue attainment
        114% of the T4Q target, at or above the 100% bar)"); False: in words only, where
        the figure is shown nearby ("hygienic (T4Q revenue at or above its target)").

    Returns
    -------
    str
        Plain text, not escaped.
    """
    basis, hygienic = f.get("hygiene_basis"), f.get("hygienic")
    verdict = "hygienic" if hygienic is True or (hygienic is not None and hygienic is not pd.NA and bool(hygienic)) \
        else "not hygienic"
    if basis == "target":
        side = "at or above" if verdict == "hygienic" else "below"
        if figures:
            return f"{verdict} (revenue attainment {fmt_pct(f['revenue_attainment'])} of the T4Q target, {side} the {bar:.0%} bar)"
        # "its target" is exact only when the bar is the whole target
        goal = "its target" if bar == 1 else f"{bar:.0%} of its target"
        return f"{verdict} (T4Q revenue {side} {goal})"
    if basis == "growth":
        if figures:
            return f"{verdict} (no revenue targets, so judged by growth: {fmt_pct(f['revenue_growth'], 1)} on the four quarters before)"
        side = "at or above" if verdict == "hygienic" else "below"
        return f"{verdict} (no revenue targets, so judged by growth: T4Q revenue {side} the four quarters before)"
    return "cannot be judged: no revenue targets and no revenue for the four quarters before"


def headline_figures_in_words(text: object, f: pd.Series) -> object:
    """A sentence from the figures (a category or quadrant reason, a warning's message, a
    recommendation's reason) with the account's headline figures (T4Q revenue, growth,
    attainment, health index) taken out and referred to in words: the first screen and
    their own section show them, and a figure read six times on a page is noise (issue 16).

    "T4Q revenue 2,760,618 (at least 1,000,000)" reads "T4Q revenue of at least 1,000,000";
    "revenue attainment 114% meets the 100% target" reads "revenue attainment meets the 100%
    target".  Thresholds and other figures stay.  Anything but text comes back as it is.
    """
    if not isinstance(text, str):
        return text
    out = text
    t4q = f.get("revenue_t4q")
    if _known(t4q):
        a = re.escape(f"{float(t4q):,.0f}")
        end = r"(?![\d.,]\d)"  # not the start of a longer number
        out = re.sub(rf"T4Q revenue {a} \(at least ([^)]*)\)", r"T4Q revenue of at least \1", out)
        out = re.sub(rf" \({a}\)", "", out)  # "all T4Q revenue (2,760,618) comes from one ..."
        out = re.sub(rf"brought {a} in T4Q", "brought all its T4Q revenue", out)  # the only buying center
        out = re.sub(rf"T4Q revenue:? {a}{end}", "T4Q revenue", out)
    growth = f.get("revenue_growth")
    if _known(growth):
        g = re.escape(f"{float(growth):+.1%}")
        out = re.sub(rf"T4Q growth of {g} is", "T4Q growth is", out)
        out = re.sub(rf" is {g} against", " is down against" if float(growth) < 0 else " is flat against", out)
    att = f.get("revenue_attainment")
    if _known(att):
        out = re.sub(rf"revenue attainment {re.escape(f'{float(att):.0%}')} ", "revenue attainment ", out)
    hi = f.get("health_index")
    if _known(hi):
        out = re.sub(rf"the health index {re.escape(f'{float(hi):.0f}')} is", "the health index is", out)
    return out


def _fmt_kind(v: object, kind: str, money=fmt_money) -> str:
    return {"money": money, "pct": fmt_pct, "pct1": lambda x: fmt_pct(x, 1), "num2": lambda x: fmt_num(x, 2)}.get(kind, fmt_num)(v)


class Formats:
    """Number formats that follow the settings (the currency before amounts)."""

    model: PortfolioModel

    def _money(self, v: object) -> str:
        """An amount with thousands separators and the configured currency."""
        text = fmt_money(v)
        return text if text == "—" or not self.model.settings.currency else f"{self.model.settings.currency}{text}"

    def _amount(self, v: object) -> str:
        """An amount where precision does not matter (headlines, sentences): 2.47M, with
        the configured currency; tables keep :meth:`_money`."""
        return compact_money(v, self.model.settings.currency or "")

    def _score(self, v: object) -> str:
        """A 0-100 score as printed beside its band (never rounded into the next band)."""
        return score_text(v, self.model.settings.rag)

    def _no_year_before(self) -> str:
        """Why figures that compare with the year before T4Q are unknown ('' when known)."""
        start = self.model.data_start
        if self.model.totals.get("year_before_known", True) or start is None:
            return ""
        return f"unknown: revenue data start in {quarter_label(start)}"

    def _fmt_kind_m(self, v: object, kind: str) -> str:
        return _fmt_kind(v, kind, money=self._money)

    def _fmt_measure_m(self, v: object, kind: str) -> str:
        return _fmt_measure(v, kind, money=self._money)


def compact_money(v: object, currency: str = "") -> str:
    """An amount to three significant figures where precision does not matter: 2.47M,
    475K, 9,870; '—' when missing (tables keep plain numbers: :func:`fmt_money`)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    x = float(v)
    sign, a = ("-" if x < 0 else ""), abs(x)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= limit * 0.9995:  # 999,600 reads 1.00M, not 1000K
            n = max(a / limit, 1.0)
            text = f"{n:.2f}" if n < 9.995 else f"{n:.1f}" if n < 99.95 else f"{n:.0f}"
            return f"{sign}{currency}{text}{suffix}"
    return f"{sign}{currency}{a:,.0f}"
