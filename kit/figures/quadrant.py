"""The health x hygiene quadrant (Thriving, Coasting, Building, At risk), its reason in
words, and the health index's band shown as incomplete when too few elements are scored
(scoring rule 7)."""

from __future__ import annotations

import pandas as pd

from kit.config import Settings
from kit.figures.early_warnings import figure_rows

__all__ = ["QUADRANT_RULES", "quadrant", "quadrant_reason", "quadrants"]

#: (healthy, hygienic) -> quadrant
QUADRANT_RULES: dict[tuple[bool, bool], str] = {
    (True, True): "Thriving",
    (False, True): "Coasting",
    (True, False): "Building",
    (False, False): "At risk",
}


def quadrant(health_index: float, healthy_at: float, hygienic, complete: object = True) -> str | None:
    """Health x hygiene quadrant, None when either side is unknown or the health index is
    incomplete (scoring rule 7)."""
    if pd.isna(health_index) or hygienic is None or hygienic is pd.NA or complete is pd.NA or not complete:
        return None
    return QUADRANT_RULES[(bool(health_index >= healthy_at), bool(hygienic))]


def quadrant_reason(f: pd.Series | dict, s: Settings) -> str:
    if pd.isna(f["health_index"]):
        return "No quadrant: the account has no scored assessment."
    if not bool(f["health_complete"]):
        return (f"No quadrant: the health index is incomplete ({int(f['n_scored'])} of 10 elements scored, "
                f"at least {s.min_scored_elements} needed).")
    health = (f"the health index {f['health_index']:.0f} is "
              f"{'at or above' if f['health_index'] >= s.health_threshold else 'below'} {s.health_threshold:g}")
    if f["hygiene_basis"] == "target":
        hyg = (f"revenue attainment {f['revenue_attainment']:.0%} "
               f"{'meets' if f['hygienic'] else 'misses'} the {s.hygiene_attainment:.0%} target")
    elif f["hygiene_basis"] == "growth":
        hyg = (f"without revenue targets, T4Q growth of {f['revenue_growth']:+.1%} is "
               f"{'at or above' if f['hygienic'] else 'below'} zero")
    else:
        return f"No quadrant: there are no revenue targets and no prior-year revenue to judge hygiene; {health}."
    if f["quadrant"] in ("Thriving", "At risk"):
        joint = "and"
    else:
        joint = "but"
    return f"{f['quadrant']}: {hyg}, {joint} {health}."


def quadrants(f: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Per account: ``quadrant``, its ``quadrant_reason``, and the health index's
    ``health_band`` kept while ``health_rag`` reads "incomplete" for an incomplete index
    (never banded as if complete, rule 7).  ``f``: the figures so far."""
    s = settings
    out = pd.DataFrame(index=f.index)
    out["quadrant"] = [quadrant(h, s.health_threshold, y, c)
                       for h, y, c in zip(f["health_index"], f["hygienic"], f["health_complete"], strict=True)]
    out["health_band"] = f["health_rag"]
    incomplete = f["health_index"].notna() & f["health_complete"].eq(False).fillna(False).astype(bool)
    out["health_rag"] = f["health_rag"].where(~incomplete, "incomplete")
    # the columns quadrant_reason reads (a missing one fails loudly, never silently)
    reason_of = f[["health_index", "health_complete", "n_scored", "hygiene_basis", "revenue_attainment", "hygienic",
                   "revenue_growth"]].assign(quadrant=out["quadrant"])
    out["quadrant_reason"] = [quadrant_reason(row, s) for _, row in figure_rows(reason_of)]
    return out
