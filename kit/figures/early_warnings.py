"""Early warnings: a documented list of rules, each with a stable id and severity.

Each rule reads one account's row of figures (see :func:`kit.model.build_model`) and
returns the message with the numbers that fired it, or None.  Rules whose input table
was not supplied stay silent (the report says "no data" for that section instead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from kit.config import Settings
from kit.schema import ELEMENT_NAMES, WARNINGS_COLUMNS

__all__ = ["RULES", "WarningRule", "evaluate_warnings", "figure_rows"]


@dataclass(frozen=True)
class WarningRule:
    """One early-warning rule."""

    id: str
    severity: str  # high, medium, low
    title: str
    threshold: str  # the threshold in words, ``{key}`` fields filled from the settings
    needs: tuple[str, ...]  # input tables that must all be supplied (else the rule is silent)
    check: Callable[[pd.Series, Settings], str | None]
    needs_any: bool = False  # one of ``needs`` is enough

    def threshold_text(self, settings: Settings) -> str:
        """The threshold with the values in use (defaults or config.yml)."""
        return self.threshold.format(**settings.model_dump())

    def applies(self, supplied: set[str]) -> bool:
        """Whether the rule's input tables were supplied."""
        have = [n in supplied for n in self.needs]
        return any(have) if self.needs_any else all(have)


def _na(v) -> bool:
    return v is None or (not isinstance(v, (list, tuple)) and pd.isna(v))


def _conc(dim: str, label: str):
    def check(f: pd.Series, s: Settings) -> str | None:
        h, top = f[f"hhi_{dim}"], f[f"top_share_{dim}"]
        if _na(h):
            return None
        if h >= s.hhi_flag or (not _na(top) and top >= s.top_share_flag):
            return (f"T4Q revenue concentrated by {label}: HHI {h:,.0f} (flag at {s.hhi_flag:,.0f}), "
                    f"top {label} '{f[f'top_{dim}']}' {top:.0%} of revenue (flag at {s.top_share_flag:.0%})")
        return None
    return check


def _single(f, s):
    if f["decision_makers"] <= s.single_threaded_max:
        return (f"{int(f['decision_makers'])} active decision maker(s): single-threaded "
                f"(flag at {s.single_threaded_max} or fewer)")
    return None


def _supporter(f, s):
    left = f["key_supporters_left"]
    return (f"{len(left)} key supporter(s) (advocate or decision maker) no longer active, last contact within "
            f"the last 4 quarters: {', '.join(left)}") if left else None


def _comfort(f, s):
    if _na(f["revenue_t4q"]) or f["revenue_t4q"] <= 0:
        return None
    cr, co = f["crop_rotation_share"], f["colonization_share"]
    if (_na(cr) or cr <= 0) and (_na(co) or co <= 0) and f["new_offerings_proposed_t4q"] == 0:
        return (f"T4Q revenue {f['revenue_t4q']:,.0f} is all continuation or baseline: no crop-rotation or "
                "colonization revenue and 0 new-offering proposals in the last 4 quarters")
    return None


def _whitespace(f, s):
    if bool(f["whitespace_flag"]):
        return (f"unaddressed potential {f['unaddressed_potential']:,.0f} is at least "
                f"{s.whitespace_pipeline_ratio:g}x the open pipeline {f['open_pipeline']:,.0f}")
    return None


def _flat(f, s):
    g = f["revenue_growth"]
    if not _na(g) and g <= 0:
        return (f"T4Q revenue {f['revenue_t4q']:,.0f} is {g:+.1%} against {f['revenue_prior4']:,.0f} "
                f"in the 4 quarters before (flag at 0% or less)")
    return None


def _no_exec(f, s):
    if not f["executive_contact_recent"]:
        return f"no executive meeting or executive contact in the last {s.no_executive_contact_quarters} quarters"
    return None


def _decline(f, s):
    parts = []
    if not _na(f["nps"]) and not _na(f["nps_prior"]) and f["nps"] <= f["nps_prior"] - s.nps_decline:
        parts.append(f"NPS {f['nps']:.0f} from {f['nps_prior']:.0f} (flag at a drop of {s.nps_decline:g} points)")
    if not _na(f["csat"]) and not _na(f["csat_prior"]) and f["csat"] <= f["csat_prior"] - s.csat_decline:
        parts.append(f"CSAT {f['csat']:.2f} from {f['csat_prior']:.2f} (flag at a drop of {s.csat_decline:g})")
    return "; ".join(parts) + " (last 4 quarters vs the 4 before)" if parts else None


def _disagree(f, s):
    els = f["raters_disagree_elements"]
    if els:
        return f"raters disagree (spread >= {s.spread_flag:g} points) on: " + ", ".join(ELEMENT_NAMES[e] for e in els)
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
        return (f"latest assessment {f['assessed_on']:%Y-%m-%d} is {int(age)} quarters old "
                f"(stale after {s.stale_assessment_quarters})")
    return None


def _competitive(f, s):
    sole = f["sole_sourced_share"]
    if not _na(sole) and sole < s.sole_sourced_min:
        return (f"only {sole:.0%} of the {f['won_value_t4q']:,.0f} won in the last 4 quarters was sole-sourced "
                f"(flag below {s.sole_sourced_min:.0%})")
    return None


RULES: tuple[WarningRule, ...] = (
    WarningRule("concentration_buying_center", "medium", "Revenue concentrated in one buying center",
                "HHI >= {hhi_flag:,.0f} or top share >= {top_share_flag:.0%} (hhi_flag, top_share_flag)", ("revenue",), _conc("buying_center", "buying center")),
    WarningRule("concentration_offering", "medium", "Revenue concentrated in one offering",
                "HHI >= {hhi_flag:,.0f} or top share >= {top_share_flag:.0%} (hhi_flag, top_share_flag)", ("revenue",), _conc("offering", "offering")),
    WarningRule("single_threaded", "high", "Single-threaded", "<= {single_threaded_max} active decision maker(s) (single_threaded_max)", ("contacts",), _single),
    WarningRule("key_supporter_left", "high", "Key supporter left",
                "an advocate or decision maker inactive, last contact within the last 4 quarters", ("contacts",), _supporter),
    WarningRule("comfort_zone", "medium", "Comfort zone",
                "no crop rotation or colonization revenue and no new-offering proposal in T4Q", ("revenue", "opportunities"), _comfort),
    WarningRule("whitespace_vs_pipeline", "medium", "Whitespace far above pipeline",
                "unaddressed potential >= {whitespace_pipeline_ratio:g}x open pipeline (whitespace_pipeline_ratio)", ("opportunities",), _whitespace),
    WarningRule("revenue_flat_or_falling", "medium", "Revenue flat or falling", "T4Q growth <= 0", ("revenue",), _flat),
    WarningRule("no_executive_contact", "high", "No executive contact",
                "no executive meeting or contact in {no_executive_contact_quarters} quarters (no_executive_contact_quarters)",
                ("contacts", "activities"), _no_exec, needs_any=True),
    WarningRule("nps_csat_decline", "medium", "NPS or CSAT decline",
                "NPS down >= {nps_decline:g} points or CSAT down >= {csat_decline:g} (nps_decline, csat_decline)", ("surveys",), _decline),
    WarningRule("raters_disagree", "low", "Raters disagree", "spread >= {spread_flag:g} points (spread_flag)", ("assessment",), _disagree),
    WarningRule("rated_well_evidence_weak", "medium", "Rated well, evidence weak",
                "element green (score >= {rag_green:g}) while its data is weak (rag_green)", ("assessment",), _evidence),
    WarningRule("stale_assessment", "low", "Stale assessment", "older than {stale_assessment_quarters} quarters (stale_assessment_quarters)", ("assessment",), _stale),
    WarningRule("competitive_pressure", "medium", "Competitive pressure",
                "sole-sourced share of won value < {sole_sourced_min:.0%} (sole_sourced_min)", ("opportunities",), _competitive),
)


def figure_rows(figures: pd.DataFrame) -> Iterator[tuple[object, dict[str, object]]]:
    """``(account_id, {column: value})`` per account, in order.

    A rule reads ``f["column"]`` from the dict as it would from a row Series, but no
    Series is built per account (``iterrows`` dominates the time on large portfolios).
    """
    columns = list(figures.columns)
    values = [figures[c].tolist() for c in columns]
    for acc, row in zip(figures.index, zip(*values) if columns else ((),) * len(figures)):
        yield acc, dict(zip(columns, row))


def evaluate_warnings(figures: pd.DataFrame, *, settings: Settings, supplied: set[str]) -> pd.DataFrame:
    """warnings.csv: one row per fired rule and account, in rule order."""
    rules = [rule for rule in RULES if rule.applies(supplied)]
    rows = []
    for acc, f in figure_rows(figures):
        for rule in rules:
            msg = rule.check(f, settings)
            if msg:
                rows.append({"account_id": acc, "warning_id": rule.id, "severity": rule.severity, "message": msg})
    return pd.DataFrame(rows, columns=list(WARNINGS_COLUMNS))
