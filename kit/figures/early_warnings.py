"""Early warnings: a documented list of rules, each with a stable id and severity.

Each rule reads one account's row of figures (see :func:`kit.model.build_model`) and
returns the message with the numbers that fired it, or None.  Rules whose input table
was not supplied stay silent (the report says "no data" for that section instead), and
so does a rule whose figure is unknown.  Each fired warning carries the revenue it puts
at risk (the account's T4Q revenue, or the concentrated part of it), and the warnings of
an account are ordered by severity, then by that revenue, then in rule order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.config import Settings
from kit.figures.words import count
from kit.schema import ELEMENT_NAMES, WARNINGS_COLUMNS

__all__ = ["RULES", "SEVERITY_ORDER", "FigureColumns", "WarningRule", "concentrated", "evaluate_warnings", "figure_rows",
           "order_warnings", "rule_titles"]

#: most serious first
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _t4q(f) -> float:
    """The revenue a warning about the whole account puts at risk: its T4Q revenue."""
    v = f["revenue_t4q"]
    return 0.0 if _na(v) else max(float(v), 0.0)


@dataclass(frozen=True)
class WarningRule:
    """One early-warning rule."""

    id: str
    severity: str  # high, medium, low
    title: str  # the rule's name in words: what a reader sees, never the id
    threshold: str  # the threshold in words, ``{key}`` fields filled from the settings
    needs: tuple[str, ...]  # input tables that must all be supplied (else the rule is silent)
    check: Callable[[pd.Series, Settings], str | None]
    needs_any: bool = False  # one of ``needs`` is enough
    keys: tuple[str, ...] = ()  # the settings (config.yml keys) behind the threshold
    at_risk: Callable[[pd.Series], float] = _t4q  # the revenue the warning puts at risk
    # the accounts the rule may fire for, as one vectorised test over the figures (a
    # necessary condition of ``check``; None: every account): ``check`` then words only
    # those, not all the accounts of a large portfolio one by one
    may_fire: Callable[[pd.DataFrame, Settings], np.ndarray] | None = None

    def threshold_text(self, settings: Settings) -> str:
        """The threshold with the values in use (defaults or config.yml)."""
        return self.threshold.format(**settings.model_dump())

    def applies(self, supplied: set[str]) -> bool:
        """Whether the rule's input tables were supplied."""
        have = [n in supplied for n in self.needs]
        return any(have) if self.needs_any else all(have)


def _na(v) -> bool:
    return v is None or (not isinstance(v, (list, tuple)) and pd.isna(v))


def concentrated(hhi: float, top_share: float, *, settings: Settings) -> bool:
    """The concentration flag (``domain.md``): HHI at or above ``hhi_flag`` (default 5,000:
    fewer than two effective buying centers) or the top share at or above
    ``top_share_flag``; never on an unknown HHI."""
    if _na(hhi):
        return False
    return bool(hhi >= settings.hhi_flag or (not _na(top_share) and top_share >= settings.top_share_flag))


def _conc(dim: str, label: str):
    def check(f: pd.Series, s: Settings) -> str | None:
        h, top = f[f"hhi_{dim}"], f[f"top_share_{dim}"]
        if not concentrated(h, top, settings=s):
            return None
        n, name = f[f"{dim}s_t4q"], f[f"top_{dim}"]
        if n == 1:  # the advice differs: win a second one, not grow the smaller ones
            return (f"all T4Q revenue ({f['revenue_t4q']:,.0f}) comes from one {label}, '{name}' "
                    f"(HHI 10,000; flag at {s.hhi_flag:,.0f} or a top share of {s.top_share_flag:.0%})")
        return (f"T4Q revenue concentrated by {label}: HHI {h:,.0f}, about {f[f'effective_{dim}s']:.1f} effective "
                f"{label}s of the {count(n, label)} with revenue (flag at {s.hhi_flag:,.0f}); '{name}' brings "
                f"{top:.0%} of it (flag at {s.top_share_flag:.0%})")
    return check


def _top_amount(dim: str) -> Callable[[pd.Series], float]:
    def at_risk(f) -> float:
        v = f[f"top_amount_{dim}"]
        return 0.0 if _na(v) else float(v)
    return at_risk


def _single(f, s):
    dm = f["decision_makers"]
    if not _na(dm) and dm <= s.single_threaded_max:
        return (f"{count(dm, 'active decision maker')}: single-threaded "
                f"(flag at {s.single_threaded_max} or fewer)")
    return None


def _supporter(f, s):
    left = f["key_supporters_left"]
    return (f"{count(len(left), 'key supporter')} (advocate or decision maker) no longer active, last contact "
            f"within the last 4 quarters: {', '.join(left)}") if left else None


def _comfort(f, s):
    if _na(f["revenue_t4q"]) or f["revenue_t4q"] <= 0:
        return None
    cr, co = f["crop_rotation_share"], f["colonization_share"]
    # proposals unknown (the first quarter of the data is in T4Q): the rule cannot judge
    if (_na(cr) or cr <= 0) and (_na(co) or co <= 0) and not _na(f["new_offerings_proposed_t4q"]) \
            and f["new_offerings_proposed_t4q"] == 0:
        return (f"T4Q revenue {f['revenue_t4q']:,.0f} is all continuation or baseline: no crop-rotation or "
                "colonization revenue and 0 new-offering proposals in the last 4 quarters")
    return None


def _whitespace(f, s):
    if not _na(f["whitespace_flag"]) and bool(f["whitespace_flag"]):
        return (f"unaddressed potential {f['unaddressed_potential']:,.0f} is at least "
                f"{s.whitespace_pipeline_ratio:g}x the open pipeline {f['open_pipeline']:,.0f}")
    return None


def _flat(f, s):
    g = f["revenue_growth"]
    if not _na(g) and g <= 0:
        return (f"T4Q revenue {f['revenue_t4q']:,.0f} ({f['t4q_period']}) is {g:+.1%} against "
                f"{f['revenue_prior4']:,.0f} in the 4 quarters before ({f['prior4_period']}; flag at 0% or less)")
    return None


def _no_exec(f, s):
    if not f["executive_contact_recent"]:
        return (f"no executive meeting or executive contact in the last {s.no_executive_contact_quarters} quarters "
                f"({f['executive_window']})")
    return None


def _decline(f, s):
    parts = []
    now, before = f["t4q_period"], f["prior4_period"]
    if not _na(f["nps"]) and not _na(f["nps_prior"]) and f["nps"] <= f["nps_prior"] - s.nps_decline:
        parts.append(f"NPS {f['nps']:.0f} in {now} (n={f['nps_n']:.0f}), from {f['nps_prior']:.0f} in {before} "
                     f"(n={f['nps_prior_n']:.0f}; flag at a drop of {s.nps_decline:g} points)")
    if not _na(f["csat"]) and not _na(f["csat_prior"]) and f["csat"] <= f["csat_prior"] - s.csat_decline:
        parts.append(f"CSAT {f['csat']:.2f} in {now} (n={f['csat_n']:.0f}), from {f['csat_prior']:.2f} in {before} "
                     f"(n={f['csat_prior_n']:.0f}; flag at a drop of {s.csat_decline:g})")
    return "; ".join(parts) if parts else None


def _disagree(f, s):
    els = f["raters_disagree_elements"]
    if els:
        return (f"raters disagree (spread of {s.spread_flag:g} points or more) on {count(len(els), 'element')}: "
                + ", ".join(ELEMENT_NAMES[e] for e in els))
    return None


def _evidence(f, s):
    els = f["evidence_weak_elements"]
    if els:
        return (f"rated green (score >= {s.rag_green:g}) but the data is weak for: "
                + ", ".join(ELEMENT_NAMES[e] for e in els))
    return None


def _stale(f, s):
    age = f["assessment_age_quarters"]
    if not _na(age) and age > s.stale_assessment_quarters:
        return (f"latest assessment {f['assessed_on']:%Y-%m-%d} is {count(age, 'quarter')} old "
                f"(stale after {s.stale_assessment_quarters})")
    return None


def _not_assessed(f, s):
    """Every account with T4Q revenue that is not Greenfield and has no scored assessment."""
    if _na(f["revenue_t4q"]) or f["revenue_t4q"] <= 0 or f["category"] == "Greenfield" or not _na(f["health_index"]):
        return None
    later = f["next_assessed_on"]
    after = ("" if _na(later) else
             f"; the assessment of {later:%Y-%m-%d} falls after this run's assessment window "
             f"(rerun with a later analysis date to score it)")
    return (f"{f['category']} account with T4Q revenue {f['revenue_t4q']:,.0f} and no scored assessment on record "
            f"(assessments dated up to {f['assessment_window_end']:%Y-%m-%d} count){after}")


def _competitive(f, s):
    sole = f["sole_sourced_share"]
    if not _na(sole) and sole < s.sole_sourced_min:
        return (f"only {sole:.0%} of the {f['won_value_t4q']:,.0f} won in the last 4 quarters was sole-sourced "
                f"(flag below {s.sole_sourced_min:.0%})")
    return None


def _known(s: pd.Series) -> pd.Series:
    """A figure as float64 numbers (NaN where unknown), for the vectorised tests below."""
    return pd.to_numeric(s, errors="coerce").astype(float)


def _truthy(s: pd.Series) -> np.ndarray:
    """``bool(v)`` of every cell, as a rule's ``if v:`` reads a list (lists are never NaN)."""
    return np.fromiter((bool(v) for v in s.tolist()), dtype=bool, count=len(s))


def _may_conc(dim: str):
    def may_fire(f: pd.DataFrame, s: Settings) -> np.ndarray:
        h, top = _known(f[f"hhi_{dim}"]), _known(f[f"top_share_{dim}"])
        return ((h >= s.hhi_flag) | (top >= s.top_share_flag)).to_numpy() & h.notna().to_numpy()
    return may_fire


def _may_comfort(f: pd.DataFrame, s: Settings) -> np.ndarray:
    cr, co = _known(f["crop_rotation_share"]), _known(f["colonization_share"])
    quiet = ~(cr > 0) & ~(co > 0)  # NaN or at most 0, as the rule reads them
    return ((_known(f["revenue_t4q"]) > 0) & quiet & (_known(f["new_offerings_proposed_t4q"]) == 0)).to_numpy()


def _may_decline(f: pd.DataFrame, s: Settings) -> np.ndarray:
    nps, csat = _known(f["nps"]), _known(f["csat"])
    return ((nps <= _known(f["nps_prior"]) - s.nps_decline) | (csat <= _known(f["csat_prior"]) - s.csat_decline)).to_numpy()


def _may_not_assessed(f: pd.DataFrame, s: Settings) -> np.ndarray:
    # ~(== "Greenfield"), not != : an unknown category compares unequal either way, as in the rule
    greenfield = (f["category"] == "Greenfield").to_numpy(dtype=bool, na_value=False)
    return ((_known(f["revenue_t4q"]) > 0) & f["health_index"].isna()).to_numpy() & ~greenfield


RULES: tuple[WarningRule, ...] = (
    WarningRule("concentration_buying_center", "medium", "Revenue concentrated by buying center",
                "HHI >= {hhi_flag:,.0f} or top share >= {top_share_flag:.0%}", ("revenue",), _conc("buying_center", "buying center"),
                keys=("hhi_flag", "top_share_flag"), at_risk=_top_amount("buying_center"),
                may_fire=_may_conc("buying_center")),
    WarningRule("concentration_offering", "medium", "Revenue concentrated by offering",
                "HHI >= {hhi_flag:,.0f} or top share >= {top_share_flag:.0%}", ("revenue",), _conc("offering", "offering"),
                keys=("hhi_flag", "top_share_flag"), at_risk=_top_amount("offering"), may_fire=_may_conc("offering")),
    WarningRule("single_threaded", "high", "Single-threaded", "{single_threaded_max} or fewer active decision makers",
                ("contacts",), _single, keys=("single_threaded_max",),
                may_fire=lambda f, s: (_known(f["decision_makers"]) <= s.single_threaded_max).to_numpy()),
    WarningRule("key_supporter_left", "high", "Key supporter left",
                "an advocate or decision maker inactive, last contact within the last 4 quarters", ("contacts",), _supporter,
                may_fire=lambda f, s: _truthy(f["key_supporters_left"])),
    WarningRule("comfort_zone", "medium", "Comfort zone",
                "no cross-sell or new-buying-center revenue and no new-offering proposal in the last 4 quarters",
                ("revenue", "opportunities"), _comfort, may_fire=_may_comfort),
    WarningRule("whitespace_vs_pipeline", "medium", "Whitespace far above pipeline",
                "unaddressed potential >= {whitespace_pipeline_ratio:g}x open pipeline", ("opportunities",), _whitespace,
                keys=("whitespace_pipeline_ratio",),
                may_fire=lambda f, s: f["whitespace_flag"].astype(object).fillna(False).astype(bool).to_numpy()),
    WarningRule("revenue_flat_or_falling", "medium", "Revenue flat or falling",
                "growth of the last 4 quarters against the 4 before <= 0%", ("revenue",), _flat,
                may_fire=lambda f, s: (_known(f["revenue_growth"]) <= 0).to_numpy()),
    WarningRule("no_executive_contact", "high", "No executive contact",
                "no executive meeting or contact in {no_executive_contact_quarters} quarters",
                ("contacts", "activities"), _no_exec, needs_any=True, keys=("no_executive_contact_quarters",)),
    WarningRule("nps_csat_decline", "medium", "NPS or CSAT decline",
                "NPS down >= {nps_decline:g} points or CSAT down >= {csat_decline:g}, last 4 quarters against the 4 before",
                ("surveys",), _decline, keys=("nps_decline", "csat_decline"), may_fire=_may_decline),
    WarningRule("raters_disagree", "low", "Raters disagree", "rater spread >= {spread_flag:g} points on an element",
                ("assessment",), _disagree, keys=("spread_flag",),
                may_fire=lambda f, s: _truthy(f["raters_disagree_elements"])),
    WarningRule("rated_well_evidence_weak", "medium", "Rated well, evidence weak",
                "element green (score >= {rag_green:g}) while its data is weak", ("assessment",), _evidence,
                keys=("rag_green",), may_fire=lambda f, s: _truthy(f["evidence_weak_elements"])),
    WarningRule("stale_assessment", "low", "Stale assessment", "older than {stale_assessment_quarters} quarters",
                ("assessment",), _stale, keys=("stale_assessment_quarters",),
                may_fire=lambda f, s: (_known(f["assessment_age_quarters"]) > s.stale_assessment_quarters).to_numpy()),
    WarningRule("competitive_pressure", "medium", "Competitive pressure",
                "sole-sourced share of won value < {sole_sourced_min:.0%}", ("opportunities",), _competitive,
                keys=("sole_sourced_min",),
                may_fire=lambda f, s: (_known(f["sole_sourced_share"]) < s.sole_sourced_min).to_numpy()),
    # an account that earns revenue and was never assessed: nothing else prompts the workshop
    WarningRule("not_assessed", "medium", "Not assessed",
                "T4Q revenue, not Greenfield, and no scored assessment (the grace window included)", ("revenue",),
                _not_assessed, keys=("assessment_grace_quarters",), may_fire=_may_not_assessed),
)


def rule_titles() -> dict[str, str]:
    """Rule id -> its name in words (what a reader sees)."""
    return {r.id: r.title for r in RULES}


def figure_rows(figures: pd.DataFrame) -> Iterator[tuple[object, dict[str, object]]]:
    """``(account_id, {column: value})`` per account, in order.

    A rule reads ``f["column"]`` from the dict as it would from a row Series, but no
    Series is built per account (``iterrows`` dominates the time on large portfolios).
    """
    columns = list(figures.columns)
    values = [figures[c].tolist() for c in columns]
    for acc, row in zip(figures.index, zip(*values) if columns else ((),) * len(figures)):
        yield acc, dict(zip(columns, row))


class FigureColumns:
    """The figures of a portfolio read one account at a time, without building a dict or
    a Series per account: each column is turned into a list once, when a rule first reads
    it, and :meth:`row` gives a mapping over one account's cells of those lists (the same
    values :func:`figure_rows` gives)."""

    def __init__(self, figures: pd.DataFrame) -> None:
        self._figures = figures
        self._names = frozenset(figures.columns)
        self._lists: dict[str, list] = {}
        self.index = figures.index.tolist()

    def column(self, name: str) -> list:
        """The column as a list (made once)."""
        values = self._lists.get(name)
        if values is None:
            if name not in self._names:
                raise KeyError(name)
            values = self._lists[name] = self._figures[name].tolist()
        return values

    def row(self, position: int) -> _FigureRow:
        """The account at ``position`` as a read-only mapping of its figures."""
        return _FigureRow(self, position)


class _FigureRow(Mapping):
    """One account of :class:`FigureColumns`: ``row["column"]`` and ``row.get("column")``."""

    __slots__ = ("_at", "_columns")

    def __init__(self, columns: FigureColumns, at: int) -> None:
        self._columns, self._at = columns, at

    def __getitem__(self, name: str) -> object:
        # the column lists looked up directly: rules read ~2 million cells of 20,000 accounts
        values = self._columns._lists.get(name)
        if values is None:
            values = self._columns.column(name)
        return values[self._at]

    def __contains__(self, name: object) -> bool:
        return name in self._columns._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns._figures.columns)

    def __len__(self) -> int:
        return len(self._columns._names)


def order_warnings(warnings: pd.DataFrame, *, by_account: bool = True) -> pd.DataFrame:
    """Warnings most serious first: by severity, then by the revenue they put at risk
    (largest first), then in rule order; within each account (``by_account``, accounts in
    the order they come) or across the portfolio.  A new frame."""
    rule_pos = {r.id: i for i, r in enumerate(RULES)}
    acc_pos = pd.Series(range(len(warnings)), index=warnings.index).groupby(warnings["account_id"], sort=False).transform("min")
    w = warnings.assign(_acc=acc_pos if by_account else 0, _sev=warnings["severity"].map(SEVERITY_ORDER),
                        _risk=-warnings["revenue_at_risk"].astype(float), _rule=warnings["warning_id"].map(rule_pos))
    return w.sort_values(["_acc", "_sev", "_risk", "_rule"], kind="stable").drop(columns=["_acc", "_sev", "_risk", "_rule"])


def evaluate_warnings(figures: pd.DataFrame, *, settings: Settings, supplied: set[str]) -> pd.DataFrame:
    """warnings.csv (and for the reports ``title`` and ``revenue_at_risk``): one row per
    fired rule and account, accounts in order, each account's most serious first
    (:func:`order_warnings`)."""
    rules = [rule for rule in RULES if rule.applies(supplied)]
    columns = FigureColumns(figures)
    found = []
    # rule by rule over the accounts it may fire for (its vectorised test), then account
    # by account as before: the same rows as checking every rule on every account
    for k, rule in enumerate(rules):
        if rule.may_fire is None or not len(figures):
            candidates = range(len(figures))
        else:
            candidates = np.flatnonzero(np.asarray(rule.may_fire(figures, settings), dtype=bool)).tolist()
        for at in candidates:
            f = columns.row(at)
            msg = rule.check(f, settings)
            if msg:
                found.append((at, k, msg, rule.at_risk(f)))
    found.sort(key=lambda r: (r[0], r[1]))  # accounts in order, rules in order (as checked before)
    ids = columns.index
    rows = [{"account_id": ids[at], "warning_id": rules[k].id, "severity": rules[k].severity, "message": msg,
             "title": rules[k].title, "revenue_at_risk": risk} for at, k, msg, risk in found]
    out = pd.DataFrame(rows, columns=[*WARNINGS_COLUMNS, "title", "revenue_at_risk"])
    return order_warnings(out).reset_index(drop=True)
