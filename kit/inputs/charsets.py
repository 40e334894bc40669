"""Encodings and separators of CSV files as clients' tools write them."""

from __future__ import annotations

import codecs
import re

import numpy as np

from kit.errors import Problem

#: encodings a CSV file is read in (``Portfolio.encodings``), as the README names them
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte order mark (Excel 'CSV UTF-8')",
    "utf-16": "UTF-16 (Excel 'Unicode Text')",
    "cp1252": "Windows-1252 (Excel for Windows 'CSV (Comma delimited)')",
    "mac_roman": "Mac Roman (Excel for Mac 'CSV (Macintosh)')",
}


def _ascii_letters(b: np.ndarray, low: str, high: str) -> np.ndarray:
    return (b >= ord(low)) & (b <= ord(high))


def _reading_classes(encoding: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every byte: whether ``encoding`` reads it as a lower-case letter, an
    upper-case letter, or as undefined (the apostrophe counts as a letter of both
    cases: it sits inside words, as in O'Brien)."""
    lower, upper, undefined = (np.zeros(256, dtype=bool) for _ in range(3))
    for byte in range(256):
        try:
            ch = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            undefined[byte] = True
            continue
        lower[byte] = ch.islower() or ch == "\u2019"
        upper[byte] = ch.isupper() or ch == "\u2019"
    return lower, upper, undefined


def legacy_encoding(data: bytes) -> str:
    """Windows-1252 or Mac Roman, for bytes that are not UTF-8.

    1. Mac Roman when Windows-1252 leaves a byte of the file undefined.
    2. Else the evidence of the bytes inside words: a byte above 127 between two ASCII
       letters must read as a letter, lower-case when the next letter is ("Soci?t?" and
       "M?ller" are "Société" and "Müller" in the reading that gives "é" and "ü", not
       "SociÈtÈ" or "SociŽtŽ"), upper-case between upper-case ones.  Each counts +1
       for a reading that gives a letter of the right case (or an apostrophe), -1
       otherwise; the higher total wins.
    3. On a tie (no accented letters inside words, only dashes, quotes, symbols):
       Mac Roman when the lines end in CR only (as Excel for Mac's 'CSV (Macintosh)'
       writes them), else Windows-1252.
    Deterministic, and one vectorised pass over the bytes.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    cp_lower, cp_upper, cp_undefined = _reading_classes("cp1252")
    if cp_undefined[arr].any():
        return "mac_roman"
    mac_lower, mac_upper, _ = _reading_classes("mac_roman")
    pos = np.flatnonzero(arr[1:-1] >= 128) + 1
    before, byte, after = arr[pos - 1], arr[pos], arr[pos + 1]
    lower_before, upper_before = _ascii_letters(before, "a", "z"), _ascii_letters(before, "A", "Z")
    lower_after, upper_after = _ascii_letters(after, "a", "z"), _ascii_letters(after, "A", "Z")
    in_word = (lower_before | upper_before) & (lower_after | upper_after)
    in_lower_word = in_word & lower_after  # "Soci?t?", also "M?ller"
    in_upper_word = upper_before & upper_after  # "SOCI?T?"

    def score(lower: np.ndarray, upper: np.ndarray) -> int:
        fits = np.where(in_lower_word, lower[byte], np.where(in_upper_word, upper[byte], lower[byte] | upper[byte]))
        return int(np.where(fits, 1, -1)[in_word].sum())

    cp1252, mac_roman = score(cp_lower, cp_upper), score(mac_lower, mac_upper)
    if cp1252 != mac_roman:
        return "cp1252" if cp1252 > mac_roman else "mac_roman"
    counts = np.bincount(arr, minlength=256)
    return "mac_roman" if counts[ord("\r")] and not counts[ord("\n")] else "cp1252"


def mixed_encoding(name: str, data: bytes) -> Problem | None:
    """A problem when bytes that are not UTF-8 are mostly UTF-8 all the same (more
    non-ASCII characters decode as UTF-8 than fail): text in two encodings, such as
    Windows-1252 rows pasted into a UTF-8 file.  Reading it as either would garble one
    part, so it is refused, naming the line of the first byte that is not UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(re.findall("[^\x00-\x7f\ufffd]", text))
    if good <= bad:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(name, line, None, f"byte 0x{data[exc.start]:02x}",
                       "UTF-8 text throughout (this row is in another encoding than the rest of the file: "
                       "fix it, or save the file as 'CSV UTF-8')")
    return None


def as_utf8(name: str, data: bytes, problems: list[Problem]) -> tuple[bytes | None, str | None]:
    """The bytes to parse and the encoding assumed so far: UTF-16 (with its byte order
    mark) is transcoded here; UTF-8 is left as it is (the parser decodes it strictly and
    the legacy code pages are tried only when that fails, see :func:`read_csv_bytes`).
    Files that are not text at all are problems."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, None, None, f"byte {exc.start}",
                                    "UTF-16 text (the file starts like UTF-16 but is damaged; save it as 'CSV UTF-8')"))
            return None, None
    not_text = None
    if data.startswith(b"PK\x03\x04"):
        not_text = "this is a zip file, probably an Excel workbook renamed .csv: save it as 'CSV UTF-8', " \
                   "or give the .xlsx workbook itself to --data"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        not_text = "this is an old Excel .xls workbook renamed .csv: save it as 'CSV UTF-8'"
    elif b"\x00" in data:  # anywhere: a NUL deep in the file would end a cell silently
        at = data.index(b"\x00")
        line = data[:at].count(b"\n") + 1
        row = f" (the first on row {line})" if at >= 65536 else ""
        not_text = f"the file holds binary data, NUL bytes{row}: save it as 'CSV UTF-8'"
    if not_text:
        problems.append(Problem(name, None, None, None, f"comma-separated text ({not_text})"))
        return None, None
    return data, ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")


def separator_of(name: str, data: bytes, problems: list[Problem]) -> str | None:
    """The separator of the file's cells: a comma, or a tab when the header row holds
    tabs and no comma (Excel's 'Unicode Text' and 'Text (Tab delimited)').  Semicolons
    (Excel's 'CSV' where the decimal mark is a comma) are a problem: the numbers of such
    a file have decimal commas too."""
    first = re.split(rb"\r\n?|\n", data[:65536], maxsplit=1)[0]
    if b"," in first or (b"\t" not in first and b";" not in first):
        return ","
    if b"\t" in first:
        return "\t"
    problems.append(Problem(name, 1, None, None,
                            "comma-separated values (this file is separated by ';', as Excel writes CSV where the "
                            "decimal mark is a comma: save it as 'CSV UTF-8 (Comma delimited)' with '.' as the "
                            "decimal mark)"))
    return None
