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
from kit.figures.early_warnings import FigureColumns
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
    columns = FigureColumns(figures)
    ids = columns.index
    n = len(ids)
    rows = [columns.row(at) for at in range(n)]
    # per element, the texts of every account, then account by account as the table lists them
    words = {
        "pipeline_health": [_pipeline(f, settings) for f in rows],
        "delivery_quality": [_delivery(f, settings) for f in rows],
        "relationships": [_relationships(f, settings, has_contacts) for f in rows],
        "value_of_work": [_value(f, settings) for f in rows],
    }
    out: dict[str, list] = {c: [] for c in ("account_id", "element", "evidence", "evidence_weak", "score",
                                            "rated_well_evidence_weak")}
    for element, texts in words.items():
        sc = _scores(elements, element, figures.index)
        out["account_id"].append(ids)
        out["element"].append([element] * n)
        out["evidence"].append([t for t, _ in texts])
        out["evidence_weak"].append([w for _, w in texts])
        out["score"].append(sc)
        out["rated_well_evidence_weak"].append([
            bool(v is not None and pd.notna(v) and v >= settings.rag_green and w is True) for v, (_, w) in zip(sc, texts)])
    # account by account, the elements in order (interleaved); lists of cells, as rows gave them
    cells = {c: [v for group in zip(*parts) for v in group] for c, parts in out.items()}
    if not n:  # no accounts: the columns typed as before (a frame of no records)
        return pd.DataFrame([], columns=list(cells))
    # columns of cells are typed as rows of the same cells are (checked on the sample and
    # partial portfolios), without a dict per row
    return pd.DataFrame(cells)


def _scores(elements: pd.DataFrame, element: str, index: pd.Index) -> list:
    """The element's score of each account of ``index`` (None where it has no row; the
    last row of an account counts, as a dict built row by row keeps it)."""
    part = elements.loc[elements["element"].eq(element).to_numpy(dtype=bool, na_value=False), ["account_id", "score"]]
    part = part.drop_duplicates("account_id", keep="last")
    at = pd.Index(part["account_id"]).get_indexer(index)
    values = part["score"].tolist()
    return [values[i] if i >= 0 else None for i in at.tolist()]
