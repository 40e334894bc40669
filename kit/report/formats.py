"""Number formats that follow the settings, and the takeaways in words, for every section."""

from __future__ import annotations

import pandas as pd

from kit.figures.model import PortfolioModel
from kit.report.blocks import esc, fmt_money, fmt_num, fmt_pct

INDICATOR_NAMES = {
    "new_offerings_proposed": "New offerings proposed (never bought before)",
    "new_executives_met": "New executives met",
    "new_proposals": "New proposals submitted",
    "referrals_to_new_buying_centers": "Internal referrals to new buying centers",
    "advocates": "Advocates (willing to endorse)",
    "sole_sourced_share": "Sole-sourced share of value won",
}
INDICATOR_SOURCES = {
    "new_offerings_proposed": "opportunities", "new_executives_met": "contacts", "new_proposals": "activities",
    "referrals_to_new_buying_centers": "activities", "advocates": "contacts", "sole_sourced_share": "opportunities",
}


def signed(v: object, digits: int = 0) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):+.{digits}f}"


SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
SOURCE_WORDS = {"warning": "early warning", "element": "weak element", "whitespace": "whitespace", "category": "category objective"}


def _fmt_measure(v: object, kind: str, money=fmt_money) -> str:
    if kind == "money":
        return money(v)
    if kind == "pct":
        return fmt_pct(v)
    return fmt_num(v, 0 if kind == "money" or v is None or pd.isna(v) or float(v) == round(float(v)) else 1)


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


def no_data(table_name: str) -> str:
    return f'<p class="muted">No data: {esc(table_name)}.csv was not supplied.</p>'


def _fmt_kind(v: object, kind: str, money=fmt_money) -> str:
    return {"money": money, "pct": fmt_pct, "pct1": lambda x: fmt_pct(x, 1), "num2": lambda x: fmt_num(x, 2)}.get(kind, fmt_num)(v)


class Formats:
    """Number formats that follow the settings (the currency before amounts)."""

    model: PortfolioModel

    def _money(self, v: object) -> str:
        """An amount with thousands separators and the configured currency."""
        text = fmt_money(v)
        return text if text == "—" or not self.model.settings.currency else f"{self.model.settings.currency}{text}"

    def _fmt_kind_m(self, v: object, kind: str) -> str:
        return _fmt_kind(v, kind, money=self._money)

    def _fmt_measure_m(self, v: object, kind: str) -> str:
        return _fmt_measure(v, kind, money=self._money)
