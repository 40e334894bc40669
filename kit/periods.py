"""Quarter arithmetic.

A quarter is held as one integer, ``year * 4 + (quarter - 1)``, so "the four quarters
before" is plain subtraction and no calendar library is needed in the metrics.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

__all__ = [
    "FIRST_YEAR",
    "ISO_DATE_RE",
    "LAST_YEAR",
    "QUARTER_RE",
    "date_hint",
    "in_supported_range",
    "parse_as_of",
    "parse_period",
    "parse_period_series",
    "period_hint",
    "quarter_end",
    "quarter_label",
    "quarter_of",
    "quarter_start",
]

#: The years a period, a date or the analysis date may fall in.  Outside them a date is
#: a typing slip (9999, 0001), and the quarter arithmetic (the quarter after 9999Q4,
#: pandas timestamps before 1677) would fail later with an internal error.
FIRST_YEAR = 1900
LAST_YEAR = 2199
RANGE_TEXT = f"between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31"


def in_supported_range(year: int) -> bool:
    """Whether a year lies in the supported range (:data:`FIRST_YEAR` to :data:`LAST_YEAR`)."""
    return FIRST_YEAR <= year <= LAST_YEAR

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
        year = int(m.group(1))
        return year * 4 + int(m.group(2)) - 1 if in_supported_range(year) else None
    m = ISO_DATE_RE.match(text)
    if not m:
        return None
    try:  # the whole text must be a real date and time of day ("99:99" is not)
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return quarter_of(when) if in_supported_range(when.year) else None


def parse_period_series(values: pd.Series) -> pd.Series:
    """Quarter index per value (nullable Int64); unparseable values become <NA>."""
    uniq = {v: parse_period(v) for v in values.dropna().unique()}
    return values.map(uniq).astype("Int64")


# --- hints for values that are not dates or periods (error messages only) ---------------
_ISO_LIKE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_TZ_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})")
_YMD_RE = re.compile(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})")
_DMY_RE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_EXCEL_SERIAL_RE = re.compile(r"[1-9]\d{4}(?:\.0+)?")
_WORDY_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y")
_QUARTER_FIRST_RE = re.compile(r"[Qq]([1-4])[\s/\-]*(\d{4})")
_QUARTER_RANGE_RE = re.compile(r"\d{4}\s*-?\s*[Qq]\d+")
_FISCAL_RE = re.compile(r"FY\s*'?\d{2,4}.*", re.IGNORECASE)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _out_of_range(text: str) -> str:
    """The hint for a well-formed quarter or date outside the supported years ('' otherwise)."""
    m = QUARTER_RE.match(text) or re.match(r"^\s*(\d{4})-\d{2}-\d{2}", text)
    if m and not in_supported_range(int(m.group(1))):
        return f" (a date {RANGE_TEXT}: is the year {m.group(1)} a typing slip?)"
    return ""


def date_hint(value: str) -> str:
    """What to write instead of a text that is not an ISO date, for error messages:
    e.g. ``" (write 2025-09-15)"`` for ``15/09/2025``; ``""`` when nothing fits."""
    text = str(value).strip()
    far = _out_of_range(text)
    if far:
        return far
    if _ISO_LIKE_RE.fullmatch(text):
        return " (not a date in the calendar)"
    m = _ISO_TZ_RE.fullmatch(text)
    if m:
        return f" (without a time zone, like {m.group(1)})"
    if _ISO_LIKE_RE.match(text):
        return " (nothing after the date but a time of day, like 2025-09-30 00:00:00)"
    m = _YMD_RE.fullmatch(text)
    if m:
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return f" (write {iso})" if iso else " (not a date in the calendar)"
    m = _DMY_RE.fullmatch(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day_first, month_first = _iso(year, b, a), _iso(year, a, b)
        if day_first and month_first and day_first != month_first:
            return f" (is it {day_first} or {month_first}? write the date as YYYY-MM-DD)"
        iso = day_first or month_first
        return f" (write {iso})" if iso else " (not a date in the calendar)"
    if _EXCEL_SERIAL_RE.fullmatch(text):
        n = int(float(text))
        if 20000 <= n <= 80000:
            iso = (dt.date(1899, 12, 30) + dt.timedelta(days=n)).isoformat()
            return f" (if {n} is an Excel date number, write {iso}: format the column as a date, yyyy-mm-dd)"
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        return " (a full date with the day, like 2025-09-01)"
    if re.fullmatch(r"\d{4}", text):
        return f" (a full date with month and day, like {text}-06-30)"
    cleaned = re.sub(r"[,.]", " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    for fmt in _WORDY_FORMATS:
        try:
            return f" (write {dt.datetime.strptime(cleaned, fmt).date().isoformat()})"
        except ValueError:
            continue
    return ""


def period_hint(value: str) -> str:
    """What to write instead of a text that is not a period, for error messages:
    e.g. ``" (write 2025Q3)"`` for ``Q3 2025``; ``""`` when nothing fits."""
    text = str(value).strip()
    far = _out_of_range(text)
    if far:
        return far
    m = _QUARTER_FIRST_RE.fullmatch(text)
    if m:
        return f" (write {m.group(2)}Q{m.group(1)})"
    if _QUARTER_RANGE_RE.fullmatch(text):
        return " (quarters are Q1 to Q4)"
    if _FISCAL_RE.fullmatch(text):
        return " (a fiscal quarter? write the calendar quarter, like 2025Q3)"
    if re.fullmatch(r"\d{4}", text):
        return f" (a quarter of the year, like {text}Q1)"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f" (the quarter, like {m.group(1)}Q{(int(m.group(2)) - 1) // 3 + 1}, or a full date)"
    return date_hint(text)


def parse_as_of(value: str | dt.date | None) -> dt.date | None:
    """An analysis date from a date, an ISO date string or a quarter label.

    A quarter label means the last day of that quarter.  Raises ValueError otherwise.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        value = value.date() if isinstance(value, dt.datetime) else value
        if not in_supported_range(value.year):
            raise ValueError(f"as_of: {value.isoformat()} is out of range: expected a date {RANGE_TEXT}")
        return value
    text = str(value).strip()
    m = QUARTER_RE.match(text)
    try:
        date = (dt.date(int(m.group(1)), int(m.group(2)) * 3, 1) if m else dt.date.fromisoformat(text))
    except ValueError:
        date = None
    if date is None:
        raise ValueError(
            f"as_of: {str(value)[:40]!r} is not a date: expected an ISO date like 2025-09-30 "
            "or a quarter label like 2025Q3"
        )
    if not in_supported_range(date.year):
        raise ValueError(f"as_of: {str(value)[:40]!r} is out of range: expected a date {RANGE_TEXT}")
    return quarter_end(quarter_of(date)) if m else date
