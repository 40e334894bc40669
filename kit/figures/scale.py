"""Whether the category rules fit the client's scale, and thresholds that would.

The default rules (Strategic from 1,000,000 of T4Q revenue and 3 buying centers, Core
from 2 buying centers) suit a large supplier; on a client whose largest account earns
341,000 every account is Core or Beachhead and the categories tell nothing.  This check
says so when one category holds most accounts with revenue (``category_dominant_share``)
or no account is Strategic, and suggests thresholds from the client's own distribution,
as ``config.yml`` lines to paste: the Strategic revenue threshold at the 90th percentile
of T4Q revenue, the buying-center thresholds at what the accounts actually have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from kit.config import Settings
from kit.figures.revenue import categorize
from kit.schema import CATEGORIES

__all__ = ["MIN_ACCOUNTS", "ScaleCheck", "check_category_scale", "round_figure"]

#: fewer accounts with revenue than this: too few to judge a distribution
MIN_ACCOUNTS = 5


@dataclass(frozen=True)
class ScaleCheck:
    """The category mix of the accounts with revenue and, when the rules do not fit,
    what does not fit and the settings suggested instead.

    Attributes
    ----------
    accounts : int
        Accounts that are not Greenfield (revenue in the last 12 quarters).
    mix : dict
        Category -> accounts (not Greenfield), under the settings in use.
    findings : list of str
        What does not fit, in words; empty when the rules fit.
    suggested : dict
        Setting -> suggested value (only those that change).
    suggested_mix : dict
        Category -> accounts under the suggested settings.
    """

    accounts: int
    mix: dict[str, int]
    findings: list[str] = field(default_factory=list)
    suggested: dict[str, float | int] = field(default_factory=dict)
    suggested_mix: dict[str, int] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return not self.findings

    def config_lines(self) -> list[str]:
        """The suggested settings as ``config.yml`` lines."""
        return [f"{k}: {v:.0f}" if float(v) == round(float(v)) else f"{k}: {v}" for k, v in self.suggested.items()]

    def describe(self) -> list[str]:
        """The finding and the suggestion in plain lines (for the console)."""
        if self.fits:
            return []
        lines = ["the category rules do not fit this client's scale: " + "; ".join(self.findings)]
        if self.suggested:
            mix = ", ".join(f"{c} {n}" for c, n in self.suggested_mix.items() if c != "Greenfield")
            lines.append(f"thresholds from the client's own distribution would give {mix}; to use them, "
                         "add these lines to config.yml (and pass it with --config):")
            lines += [f"    {line}" for line in self.config_lines()]
        return lines


def round_figure(v: float, digits: int = 2) -> float:
    """``v`` rounded to ``digits`` significant figures (341,234 -> 340,000)."""
    if v <= 0 or not math.isfinite(v):
        return float(v)
    return float(round(v, digits - 1 - math.floor(math.log10(v))))


def _mix(categories: pd.Series) -> dict[str, int]:
    counts = categories.value_counts()
    return {c: int(counts.get(c, 0)) for c in CATEGORIES if c != "Greenfield"}


def check_category_scale(revenue: pd.DataFrame, account_ids: list[str], *, quarter: int,
                         settings: Settings, data_start: int | None = None) -> ScaleCheck:
    """Check the category rules against the client's accounts as of ``quarter``.

    Parameters
    ----------
    revenue : DataFrame
        The validated revenue table cut at the analysis quarter.
    account_ids : list of str
        Every account.
    quarter : int
        The analysis quarter.
    settings : Settings
        The settings in use (category thresholds, ``category_dominant_share``).
    data_start : int, optional
        The data window's first quarter (default: the first quarter in ``revenue``): with
        fewer than 4 quarters of data no account can have revenue in each of the last 4.
    """
    s = settings
    cats = categorize(revenue, account_ids, quarter=quarter, settings=s)["category"]
    active = cats[cats != "Greenfield"]
    mix = _mix(active)
    n = len(active)
    if n < MIN_ACCOUNTS:  # too few accounts to speak of a distribution
        return ScaleCheck(accounts=n, mix=mix)
    findings = []
    top_cat = max(mix, key=mix.get)
    share = mix[top_cat] / n
    if share >= s.category_dominant_share:
        findings.append(f"{mix[top_cat]} of the {n} accounts with revenue ({share:.0%}) are {top_cat}")
    t4 = revenue[(revenue["quarter"] > quarter - 4) & (revenue["quarter"] <= quarter)]
    t4q = t4.groupby("account_id")["amount"].sum().reindex(active.index).fillna(0.0)

    def bcs(first: int) -> pd.Series:
        rows = revenue[(revenue["quarter"] >= first) & (revenue["quarter"] <= quarter)]
        per = rows.groupby(["account_id", "buying_center"])["amount"].sum()
        return (per > 0).groupby(level=0).sum().reindex(active.index).fillna(0)

    bc4, bc8 = bcs(quarter - 3), bcs(quarter - 7)
    start = data_start if data_start is not None else (int(revenue["quarter"].min()) if len(revenue) else quarter)
    in_data = min(4, quarter - start + 1)
    if mix["Strategic"] == 0:
        # which of the three conditions no account meets: that is what to change
        per_q = t4.groupby(["account_id", "quarter"])["amount"].sum()
        every_q = ((per_q > 0).groupby(level=0).sum() == 4).reindex(active.index).fillna(False)
        rich, broad = int((t4q >= s.strategic_min_revenue).sum()), int((bc4 >= s.strategic_min_buying_centers).sum())
        why = (f"{rich} reach {s.strategic_min_revenue:,.0f} of T4Q revenue (the largest has {t4q.max():,.0f}), "
               f"{broad} have revenue from {s.strategic_min_buying_centers} or more buying centers, "
               f"{int(every_q.sum())} have revenue in each of the last 4 quarters")
        if in_data < 4:
            why += f" (the data hold {in_data} of them, so none can)"
        findings.append(f"no account is Strategic: of the {n} accounts with revenue, {why}")
    if not findings:
        return ScaleCheck(accounts=n, mix=mix)

    suggested: dict[str, float | int] = {}
    paying = t4q[t4q > 0]
    if len(paying):
        p90 = round_figure(float(paying.quantile(0.9)))
        # lower when no account reaches the threshold, higher when too many do
        if (mix["Strategic"] == 0 and p90 < s.strategic_min_revenue) or (top_cat == "Strategic" and p90 > s.strategic_min_revenue):
            suggested["strategic_min_revenue"] = p90
    # a buying-center threshold few accounts can reach makes Strategic empty whatever the revenue
    bc_p90 = max(1, int(bc4.quantile(0.9)))
    if bc_p90 < s.strategic_min_buying_centers:
        suggested["strategic_min_buying_centers"] = bc_p90
    median8 = float(bc8.median())
    if top_cat == "Core" and math.ceil(median8) > s.core_min_buying_centers and share >= s.category_dominant_share:
        suggested["core_min_buying_centers"] = math.ceil(median8)  # half the accounts reach it
    if top_cat == "Beachhead" and max(1, math.floor(median8)) < s.core_min_buying_centers \
            and share >= s.category_dominant_share:
        suggested["core_min_buying_centers"] = max(1, math.floor(median8))
    if "core_min_buying_centers" in suggested:  # Strategic needs at least as many as Core
        suggested.setdefault("strategic_min_buying_centers", s.strategic_min_buying_centers)
        suggested["strategic_min_buying_centers"] = max(suggested["strategic_min_buying_centers"],
                                                        suggested["core_min_buying_centers"])
        if suggested["strategic_min_buying_centers"] == s.strategic_min_buying_centers:
            del suggested["strategic_min_buying_centers"]
    if not suggested:
        return ScaleCheck(accounts=n, mix=mix, findings=findings)
    trial = Settings(**(s.model_dump() | suggested))
    new = categorize(revenue, account_ids, quarter=quarter, settings=trial)["category"]
    return ScaleCheck(accounts=n, mix=mix, findings=findings, suggested=suggested,
                      suggested_mix=_mix(new[new != "Greenfield"]))
