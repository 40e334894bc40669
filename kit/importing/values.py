"""Cell values as exports write them: dates in a locale's order, numbers with currency
symbols and either decimal mark, percentages, check boxes, Salesforce ids.

Pure functions of text; the formats tried are data (:data:`DATE_FORMATS`,
:data:`BLANK_WORDS`, :data:`TRUE_WORDS`), so a new export's habit is one line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from kit.periods import FIRST_YEAR, LAST_YEAR

__all__ = [
    "BLANK_WORDS",
    "DATE_FORMATS",
    "FALSE_WORDS",
    "MONTH_FORMATS",
    "TRUE_WORDS",
    "NumberFormat",
    "as_text",
    "clean_cell",
    "date_label",
    "enum_word",
    "fitting_date_formats",
    "header_key",
    "infer_number_format",
    "number_format_of",
    "parse_bool",
    "parse_date",
    "parse_number",
    "parse_period_text",
    "salesforce_id18",
    "strftime_of",
    "strip_time",
]

#: cell texts exports write for "no value"
BLANK_WORDS = frozenset({"", "-", "--", "\u2013", "\u2014", "n/a", "#n/a", "null", "(blank)", "[blank]", "-none-"})
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t", "x", "checked", "1.0"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", "unchecked", "0.0"})

#: date formats tried for a date column of unknown format, in this order (strptime, shown as)
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m-%d", "YYYY-MM-DD"),
    ("%Y/%m/%d", "YYYY/MM/DD"),
    ("%Y.%m.%d", "YYYY.MM.DD"),
    ("%m/%d/%Y", "MM/DD/YYYY"),
    ("%d/%m/%Y", "DD/MM/YYYY"),
    ("%d.%m.%Y", "DD.MM.YYYY"),
    ("%d-%m-%Y", "DD-MM-YYYY"),
    ("%m-%d-%Y", "MM-DD-YYYY"),
    ("%m/%d/%y", "MM/DD/YY"),
    ("%d/%m/%y", "DD/MM/YY"),
    ("%d.%m.%y", "DD.MM.YY"),
    ("%d %b %Y", "DD Mon YYYY"),
    ("%d-%b-%Y", "DD-Mon-YYYY"),
    ("%d-%b-%y", "DD-Mon-YY"),
    ("%b %d, %Y", "Mon DD, YYYY"),
    ("%b %d %Y", "Mon DD YYYY"),
    ("%d %B %Y", "DD Month YYYY"),
    ("%B %d, %Y", "Month DD, YYYY"),
)
#: month formats a period column may hold (a finance extract by month): read as the month's first day
MONTH_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m", "YYYY-MM"),
    ("%Y/%m", "YYYY/MM"),
    ("%m/%Y", "MM/YYYY"),
    ("%m.%Y", "MM.YYYY"),
    ("%b %Y", "Mon YYYY"),
    ("%B %Y", "Month YYYY"),
    ("%b-%Y", "Mon-YYYY"),
    ("%b-%y", "Mon-YY"),
)
_TOKENS = (("YYYY", "%Y"), ("YY", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("Mon", "%b"), ("Month", "%B"), ("MM", "%m"),
           ("M", "%m"), ("DD", "%d"), ("D", "%d"))

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_TIME = re.compile(r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)$")


def clean_cell(value: object) -> object:
    """A cell as compared and converted: text stripped (also no-break spaces and invisible
    marks), Unicode NFC, the words exports write for nothing (:data:`BLANK_WORDS`) as None;
    numbers, dates and booleans of a workbook as they are."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", _INVISIBLE.sub("", value)).strip().replace("\r\n", "\n").replace("\r", "\n")
        return None if text.lower() in BLANK_WORDS else text
    return value


def as_text(value: object) -> str:
    """A cleaned cell as text (a workbook's whole number 1200.0 as ``1200``, a date as ISO)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def header_key(text: object) -> str:
    """A header as matched against a mapping: case, spacing, a byte order mark and the sort
    arrows of a formatted report do not matter ("Close Date ↑" is "close date")."""
    t = _INVISIBLE.sub("", str(text if text is not None else "")).replace("\u00a0", " ")
    t = re.sub(r"[\u2191\u2193\u25b2\u25bc]", "", t)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", t)).strip().casefold()


def enum_word(value: object) -> str:
    """An allowed value as compared: case, surrounding spaces, spaces or hyphens for underscores."""
    return re.sub(r"[\s\-]+", "_", str(value).strip().lower())


# --- dates ---------------------------------------------------------------------------------
def strftime_of(fmt: str) -> str:
    """A date format as strptime takes it: ``%d/%m/%Y`` as it is, ``DD/MM/YYYY`` turned into it."""
    if "%" in fmt:
        return fmt
    out, i = "", 0
    while i < len(fmt):
        for token, code in _TOKENS:
            if fmt.startswith(token, i):
                out += code
                i += len(token)
                break
        else:
            out += fmt[i]
            i += 1
    return out


def date_label(fmt: str) -> str:
    """A strptime format as users write it (``%d/%m/%Y`` -> ``DD/MM/YYYY``)."""
    labels = dict(DATE_FORMATS + MONTH_FORMATS)
    if fmt in labels:
        return labels[fmt]
    for token, code in (("%Y", "YYYY"), ("%y", "YY"), ("%B", "Month"), ("%b", "Mon"), ("%m", "MM"), ("%d", "DD")):
        fmt = fmt.replace(token, code)
    return fmt


def strip_time(text: str) -> str:
    """A date text without the time of day exports add ("3/31/2024 10:15 AM")."""
    return _TIME.sub("", text).strip() if ":" in text else text


def parse_date(value: object, fmt: str) -> dt.date | None:
    """A date from a workbook date or a text in ``fmt`` (strptime); None if it is not one or
    lies outside the years the kit supports."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.datetime.strptime(strip_time(value), fmt).date()
        except ValueError:
            return None
    else:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def fitting_date_formats(texts: list[str], formats: tuple[tuple[str, str], ...] = DATE_FORMATS) -> list[str]:
    """The formats (strptime) that read every text as a date, in :data:`DATE_FORMATS` order."""
    return [fmt for fmt, _ in formats if all(parse_date(t, fmt) is not None for t in texts)]


# --- numbers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class NumberFormat:
    """How a column writes numbers: its thousands separator and decimal mark (None: none)."""

    thousands: str | None = ","
    decimal: str | None = "."

    @property
    def example(self) -> str:
        return f"1{self.thousands or ''}234{(self.decimal + '56') if self.decimal else ''}"


_CURRENCY = re.compile(r"^(?:[A-Z]{3}\s*|[$€£¥₹₩₽₺₪₫฿₦₱]\s*|R\$\s*|CHF\s*)+|(?:\s*[A-Z]{3}|\s*[$€£¥₹₩₽₺₪₫฿₦₱]|\s*CHF)+$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def _bare(text: str) -> tuple[str, bool, bool] | None:
    """A number text without currency, sign marks and percent: (digits and separators,
    negative, percent); None when something else is left."""
    t = text.strip().replace("\u2212", "-")
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    t = _CURRENCY.sub("", t).strip()
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    percent = t.endswith("%")
    t = t.rstrip("%").strip()
    if t.endswith("-"):  # 1,200.00- (SAP)
        negative, t = True, t[:-1].strip()
    if t[:1] in "+-":
        negative, t = negative or t[0] == "-", t[1:].strip()
    t = _CURRENCY.sub("", t).strip()
    t = _SPACES.sub(" ", t)
    if not t or not re.fullmatch(r"[\d.,' ]*\d[\d.,' ]*", t):
        return None
    return t, negative, percent


def number_format_of(example: str) -> NumberFormat | None:
    """The format a mapping declares by example: ``1,234.56``, ``1.234,56``, ``1 234,56``,
    ``1'234.56``, ``1234.56``, ``1234,56`` (None: not such an example)."""
    bare = _bare(example)
    if bare is None:
        return None
    seps = [c for c in bare[0] if not c.isdigit()]
    if not seps:
        return NumberFormat(None, None)
    last = seps[-1]
    digits_after = len(bare[0]) - bare[0].rindex(last) - 1
    if len(set(seps)) == 1 and len(seps) > 1:  # 1,234,567: thousands only
        return NumberFormat(last, None)
    if len(set(seps)) == 1:
        # one separator: a decimal mark unless three digits follow ("1,234": thousands)
        return NumberFormat(last, None) if digits_after == 3 and last in ", '" and last != "." else NumberFormat(None, last)
    thousands = seps[0]
    if thousands == last or seps.count(last) > 1:
        return None
    return NumberFormat(thousands, last)


def infer_number_format(texts: list[str]) -> tuple[NumberFormat | None, bool]:
    """The format of a column's numbers from its texts: (format, whether it was a guess).

    A text with both a comma and a point, a single separator not followed by three digits,
    or a separator used twice shows which is the decimal mark; when none does ("1,200"
    only) the English ``1,234.56`` is taken and flagged as a guess.  None: the texts
    disagree (some with a decimal comma, some with a decimal point).
    """
    votes: set[str] = set()
    saw_separator = False
    for text in texts:
        bare = _bare(text)
        if bare is None:
            continue
        t = bare[0].replace(" ", "").replace("'", "")
        has_comma, has_point = "," in t, "." in t
        if has_comma or has_point:
            saw_separator = True
        if has_comma and has_point:
            votes.add("," if t.rindex(",") > t.rindex(".") else ".")
        elif has_comma or has_point:
            mark = "," if has_comma else "."
            if t.count(mark) > 1:
                votes.add("." if mark == "," else ",")  # repeated: the thousands separator
            elif len(t) - t.index(mark) - 1 != 3:
                votes.add(mark)
    if len(votes) > 1:
        return None, False
    if votes == {","}:
        return NumberFormat(".", ","), False
    return NumberFormat(",", "."), (not votes and saw_separator)


def _number_pattern(fmt: NumberFormat) -> re.Pattern:
    """Digits grouped by the format's thousands separator (in threes) or not grouped at all,
    then the decimal mark and digits: "1.234,56" is no number in the format 1,234.56."""
    sep = re.escape(fmt.thousands) if fmt.thousands else None
    whole = rf"(?:\d{{1,3}}(?:{sep}\d{{3}})+|\d+)" if sep else r"\d+"
    fraction = rf"(?:{re.escape(fmt.decimal)}\d+)?" if fmt.decimal else ""
    lead = rf"|{re.escape(fmt.decimal)}\d+" if fmt.decimal else ""
    return re.compile(rf"{whole}{fraction}{lead}")


def parse_number(value: object, fmt: NumberFormat) -> tuple[float | None, bool]:
    """(number, whether it carried a percent sign); None when the cell is not a number in ``fmt``."""
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        return float(value), False
    if not isinstance(value, str):
        return None, False
    bare = _bare(value)
    if bare is None:
        return None, False
    t, negative, percent = bare
    t = t.replace(" ", "").replace("'", "")  # spaces and apostrophes only ever group thousands
    if fmt.thousands in (" ", "'"):
        fmt = NumberFormat(None, fmt.decimal)
    if not _number_pattern(fmt).fullmatch(t):
        return None, percent
    if fmt.thousands:
        t = t.replace(fmt.thousands, "")
    if fmt.decimal:
        t = t.replace(fmt.decimal, ".")
    number = float(t)
    return (-number if negative else number), percent


def parse_bool(value: object) -> bool | None:
    """True / False from a check box, a word or 1/0; None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return True if value == 1 else False if value == 0 else None
    low = str(value).strip().lower()
    return True if low in TRUE_WORDS else False if low in FALSE_WORDS else None


# --- ids -----------------------------------------------------------------------------------
_SF_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Z0-5]{3})?")
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id18(text: str) -> str | None:
    """The 18-character form of a Salesforce id (15 characters, case-sensitive, get their
    3-character checksum; 18 stay as they are); None when ``text`` is not an id."""
    if not _SF_ID.fullmatch(text):
        return None
    if len(text) == 18:
        return text
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(text[chunk * 5:chunk * 5 + 5]) if "A" <= ch <= "Z")
        suffix += _SF_SUFFIX[bits]
    return text + suffix


# --- periods -------------------------------------------------------------------------------
_QUARTER_PATTERNS = (
    re.compile(r"(?P<y>\d{4})\s*[-/ ]?\s*Q(?P<q>[1-4])", re.IGNORECASE),
    re.compile(r"Q(?P<q>[1-4])\s*[-/ ]?\s*(?:FY)?\s*(?P<y>\d{4})", re.IGNORECASE),
)


def parse_period_text(value: object, date_format: str | None) -> tuple[str | None, str]:
    """A period cell as the contract writes it: ``2025Q3`` for a quarter ("2025Q3",
    "Q3-2025", "2025 Q3"), an ISO date for a date (in ``date_format``) or a month ("2025-09",
    "Sep 2025": its first day).  Returns (text or None, what it was: quarter/date/month)."""
    if isinstance(value, (dt.date, dt.datetime)):
        day = parse_date(value, "%Y-%m-%d")
        return (day.isoformat() if day else None), "date"
    text = as_text(value)
    for pattern in _QUARTER_PATTERNS:
        m = pattern.fullmatch(text.strip())
        if m and FIRST_YEAR <= int(m.group("y")) <= LAST_YEAR:
            return f"{int(m.group('y'))}Q{m.group('q')}", "quarter"
    if date_format:
        day = parse_date(text, date_format)
        if day is not None:
            return day.isoformat(), "date"
    for fmt, _ in MONTH_FORMATS:
        day = parse_date(text, fmt)
        if day is not None:
            return day.isoformat(), "month"
    return None, ""
