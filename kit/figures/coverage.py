"""What the data behind a report hold: the tables supplied, their rows and date ranges,
and the limits of the data window that leave figures unknown.

Reports show it as "Data behind this report", so a reader knows which empty section or
"—" comes from a table that was not supplied or from history the data do not reach,
and not from the account.
"""

from __future__ import annotations

import pandas as pd

from kit.figures.revenue import year_before_known
from kit.inputs.portfolio import Portfolio
from kit.periods import quarter_label
from kit.schema import UNSPECIFIED

__all__ = ["INPUT_TABLES", "data_coverage", "data_limits"]

#: the client's tables, in the contract's order, with the columns their date range is read from
INPUT_TABLES: dict[str, tuple[str, ...]] = {
    "accounts": (),
    "revenue": ("quarter",),
    "targets": ("quarter",),
    "assessment": ("assessed_on",),
    "contacts": ("first_met", "last_contact"),
    "opportunities": ("created_on", "close_date"),
    "activities": ("date",),
    "surveys": ("date",),
}


def _range(df: pd.DataFrame, columns: tuple[str, ...]) -> tuple[str, str]:
    """First and last date (quarter labels for quarters) over ``columns``; '' when none."""
    if not columns or df.empty:
        return "", ""
    if columns == ("quarter",):
        q = df["quarter"].dropna()
        return (quarter_label(int(q.min())), quarter_label(int(q.max()))) if len(q) else ("", "")
    dates = pd.concat([pd.to_datetime(df[c]) for c in columns if c in df]).dropna()
    if dates.empty:
        return "", ""
    return f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"


def data_coverage(portfolio: Portfolio, *, account_id: object = None) -> pd.DataFrame:
    """One row per input table: ``table, supplied, rows, first, last``.

    ``rows`` and the date range count the whole portfolio, or one account's rows when
    ``account_id`` is given (``accounts`` then counts 1).  A table not supplied has
    ``rows`` empty (unknown), not 0.  The question bank is the client's or the kit's.
    """
    out = []
    for name, columns in INPUT_TABLES.items():
        supplied = portfolio.has(name)
        df = portfolio.table(name)
        if account_id is not None:
            df = df[df["account_id"] == account_id]
        first, last = _range(df, columns) if supplied else ("", "")
        out.append({"table": name, "supplied": supplied, "rows": len(df) if supplied else None,
                    "first": first, "last": last})
    frame = pd.DataFrame(out)
    frame["rows"] = frame["rows"].astype("Int64")
    return frame


def data_limits(portfolio: Portfolio, *, quarter: int) -> list[str]:
    """What the data window and the columns supplied leave unknown, in words (one
    sentence each; empty when nothing).  ``quarter``: the analysis quarter."""
    revenue = portfolio.table("revenue")
    revenue = revenue[revenue["quarter"] <= quarter]
    notes: list[str] = []
    if revenue.empty:
        return ["revenue.csv has no rows up to the analysis date."]
    start = int(revenue["quarter"].min())
    if start > quarter - 3:
        n = quarter - start + 1
        notes.append(f"Revenue starts in {quarter_label(start)}: the last four quarters (T4Q) hold only {n} quarter"
                     f"{'' if n == 1 else 's'} of data, so T4Q revenue covers those only.")
    if not year_before_known(quarter=quarter, data_start=start):
        notes.append(f"Revenue starts in {quarter_label(start)}, less than two years before the analysis quarter "
                     f"{quarter_label(quarter)}: growth against the year before, revenue retention, long-term value "
                     "and the category a year ago are unknown (shown as —), not zero.")
    if quarter - 3 <= start:
        notes.append(f"In {quarter_label(start)}, the first quarter of the data, every purchase looks new: offerings "
                     "proposed for the first time and referrals to new buying centers are unknown there and over T4Q.")
    for column, words in (("buying_center", "buying centers"), ("offering", "offerings")):
        if revenue[column].eq(UNSPECIFIED).all():
            notes.append(f"Revenue names no {words}: concentration by {words[:-1]} is unknown, and the categories "
                         f"count all revenue as one {words[:-1]}.")
    accounts = portfolio.table("accounts")
    if accounts["wallet_estimate"].isna().all():
        notes.append("accounts.csv has no wallet estimates: share of wallet and the whitespace test are unknown.")
    if (accounts["market_growth"].isna() | accounts["market_share"].isna()).all():
        notes.append("accounts.csv has no market growth and market share: no account has a market position.")
    return notes
