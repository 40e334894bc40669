"""Quarter arithmetic.

A quarter is held as one integer, ``year * 4 + (quarter - 1)``, so "the four quarters
before" is plain subtraction and no calendar library is needed in the metrics.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

__all__ = [
    "QUARTER_RE", "parse_period", "parse_period_series", "quarter_label", "quarter_of",
    "quarter_start", "quarter_end", "parse_as_of",
]

QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")
#: an ISO date, optionally with the time of day Excel adds ("2025-09-30 00:00:00")
ISO_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def quarter_of(date: dt.date | pd.Timestamp) -> int:
    """Quarter index of a date."""
    return date.year * 4 + (date.month - 1) // 3


def quarter_label(q: int) -> str:
    """``2025Q3`` for a quarter index."""
    return f"{q // 4}Q{q % 4 + 1}"


def quarter_start(q: int) -> dt.date:
    """First day of a quarter."""
    return dt.date(q // 4, (q % 4) * 3 + 1, 1)


def quarter_end(q: int) -> dt.date:
    """Last day of a quarter."""
    return quarter_start(q + 1) - dt.timedelta(days=1)


def parse_period(value: str) -> int | None:
    """Quarter index of a quarter label (``2025Q3``) or ISO date; None if neither."""
    if value is None:
        return None
    text = str(value).strip()
    m = QUARTER_RE.match(text)
    if m:
        return int(m.group(1)) * 4 + int(m.group(2)) - 1
    m = ISO_DATE_RE.match(text)
    if not m:
        return None
    try:  # the whole text must be a real date and time of day ("99:99" is not)
        return quarter_of(dt.datetime.fromisoformat(text))
    except ValueError:
        return None


def parse_period_series(values: pd.Series) -> pd.Series:
    """Quarter index per value (nullable Int64); unparseable values become <NA>."""
    uniq = {v: parse_period(v) for v in values.dropna().unique()}
    return values.map(uniq).astype("Int64")


def parse_as_of(value: str | dt.date | None) -> dt.date | None:
    """An analysis date from a date, an ISO date string or a quarter label.

    A quarter label means the last day of that quarter.  Raises ValueError otherwise.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = QUARTER_RE.match(text)
    if m:
        return quarter_end(int(m.group(1)) * 4 + int(m.group(2)) - 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"as_of {value!r} is not a date: expected an ISO date like 2025-09-30 "
            "or a quarter label like 2025Q3"
        ) from None
