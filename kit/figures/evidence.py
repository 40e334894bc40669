"""Evidence beside perception: what the data says about the elements it speaks to.

pipeline_health <- weighted pipeline coverage of the next-4-quarter target;
delivery_quality <- NPS and CSAT; relationships <- executive coverage of the buying
centers with revenue and decision-maker threading; value_of_work <- share of wallet and
unaddressed potential against open pipeline.  An element is "rated well, evidence weak"
when its score is green and its evidence is weak.
"""

from __future__ import annotations

import pandas as pd

from kit.config import Settings
from kit.figures.early_warnings import figure_rows
from kit.figures.words import count

__all__ = ["EVIDENCE_ELEMENTS", "evidence"]

EVIDENCE_ELEMENTS = ("pipeline_health", "delivery_quality", "relationships", "value_of_work")


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _pipeline(f: pd.Series, s: Settings) -> tuple[str, object]:
    cov = f.get("pipeline_coverage")
    if pd.isna(f.get("weighted_pipeline")):
        return "no data: supply opportunities.csv to see pipeline coverage", pd.NA
    if pd.isna(cov):
        return "no revenue target for the next 4 quarters: coverage unknown", pd.NA
    return (f"weighted pipeline {f['weighted_pipeline']:,.0f} covers {cov:.2f}x the next-4-quarter target "
            f"(weak below {s.pipeline_coverage_weak:g}x)"), bool(cov < s.pipeline_coverage_weak)


def _delivery(f: pd.Series, s: Settings) -> tuple[str, object]:
    parts, weak = [], []
    if pd.isna(f.get("nps_n")) and pd.isna(f.get("csat_n")):
        return "no data: supply surveys.csv to see NPS and CSAT", pd.NA
    if f.get("nps_n", 0) > 0:
        few = " - few responses" if f["nps_n"] < s.nps_min_responses else ""
        parts.append(f"NPS {f['nps']:.0f} (n={int(f['nps_n'])}{few})")
        weak.append(f["nps"] < s.nps_weak)
    if f.get("csat_n", 0) > 0:
        parts.append(f"CSAT {f['csat']:.2f} of 5 (n={int(f['csat_n'])})")
        weak.append(f["csat"] < s.csat_weak)
    if not parts:
        return "no NPS or CSAT answers in the last 4 quarters", pd.NA
    return "; ".join(parts), bool(any(weak))


def _relationships(f: pd.Series, s: Settings, has_contacts: bool) -> tuple[str, object]:
    if not has_contacts:
        return "no data: supply contacts.csv to see executive coverage and decision makers", pd.NA
    n_bc = int(f["revenue_buying_centers"])
    unc = f["uncovered_buying_centers"]
    dm = int(f["decision_makers"])
    text = (f"{n_bc - len(unc)} of {count(n_bc, 'buying center')} with revenue "
            f"{'has' if n_bc == 1 else 'have'} an active executive contact; {count(dm, 'active decision maker')}")
    return text, bool(len(unc) > 0 or dm <= s.single_threaded_max)


def _value(f: pd.Series, s: Settings) -> tuple[str, object]:
    if pd.isna(f.get("wallet_estimate")):
        return "no data: supply a wallet estimate per account (accounts.csv) to see share of wallet", pd.NA
    sow = f["share_of_wallet"]
    text = f"share of wallet {_pct(sow) if pd.notna(sow) else 'n/a'}; unaddressed potential {f['unaddressed_potential']:,.0f}"
    if pd.isna(f["open_pipeline"]):  # no opportunities: the 3x test cannot be made
        return text + " (no opportunities data to compare it with)", pd.NA
    flag = f["whitespace_flag"]
    return text + f" against open pipeline {f['open_pipeline']:,.0f}", pd.NA if flag is pd.NA else bool(flag)


def evidence(elements: pd.DataFrame, figures: pd.DataFrame, *, settings: Settings, has_contacts: bool) -> pd.DataFrame:
    """One row per account and evidence element: the evidence text, whether it is weak,
    the element's score and the "rated well, evidence weak" flag."""
    rows = []
    # a dict, not a Series lookup per account and element
    score = dict(zip(zip(elements["account_id"].tolist(), elements["element"].tolist()), elements["score"].tolist()))
    for acc, f in figure_rows(figures):
        for element, (text, weak) in {
            "pipeline_health": _pipeline(f, settings),
            "delivery_quality": _delivery(f, settings),
            "relationships": _relationships(f, settings, has_contacts),
            "value_of_work": _value(f, settings),
        }.items():
            sc = score.get((acc, element))
            rated_well = pd.notna(sc) and sc >= settings.rag_green
            rows.append({"account_id": acc, "element": element, "evidence": text, "evidence_weak": weak,
                         "score": sc, "rated_well_evidence_weak": bool(rated_well and weak is True)})
    return pd.DataFrame(rows, columns=["account_id", "element", "evidence", "evidence_weak", "score", "rated_well_evidence_weak"])
