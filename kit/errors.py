"""User-facing errors: bad input is reported, never raised as a traceback."""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass

__all__ = ["SHOWN_PER_COLUMN", "InputError", "Problem", "UsageError", "printable", "short_repr"]

# C0 and C1 control characters (but newline and tab), DEL, and the invisible format
# characters that reorder or hide text on a terminal (bidi overrides and isolates)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: object) -> str:
    """Text safe to print on a terminal or write to a log: control characters (an ESC
    sequence retitles or recolours the user's terminal) shown as escapes like ``\\x1b``."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = _SHORT.maxset = 4
_SHORT.maxlevel = 2


def short_repr(value: object) -> object:
    """A value as quoted in a message: text cut to 60 characters; a list or mapping (a
    config value can be huge) as a short summary that never builds the whole text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value if not isinstance(value, str) or len(value) <= 200 else value[:200]
    return _SHORT.repr(value)


@dataclass(frozen=True)
class Problem:
    """One problem in the input: where it is and what was expected."""

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        text = ", ".join(where)
        if self.value is not None:
            shown = str(short_repr(self.value))
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            text += f": value {shown!r}"  # repr: control characters shown as escapes
        return printable(f"{text}: expected {self.expected}")


#: problems shown per file and column; the rest are counted (a column of a million bad
#: cells is one mistake, not a million lines to read)
SHOWN_PER_COLUMN = 20


class KitError(Exception):
    """Base of the kit's own errors: what a user can fix (the CLI shows the message, exit 2)."""


class InputError(KitError):
    """The input cannot be used; carries every problem found.

    ``problems`` holds every problem; :meth:`report` lists them by file and row, at
    most ``limit`` per file and column, and counts the others with their rows.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self, limit: int | None = SHOWN_PER_COLUMN) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        ordered = sorted(self.problems, key=lambda p: (p.file, p.row or 0))
        lines = [head]
        shown: dict[tuple[str, str | None], int] = {}
        hidden: dict[tuple[str, str | None], list[int]] = {}
        for i, p in enumerate(ordered):
            key = (p.file, p.column)
            if limit is not None and p.row is not None and shown.get(key, 0) >= limit:
                hidden.setdefault(key, []).append(p.row)
            else:
                shown[key] = shown.get(key, 0) + 1
                lines.append(f"  - {p}")
            last_of_file = i + 1 == len(ordered) or ordered[i + 1].file != p.file
            if last_of_file:
                for (file, column), rows in hidden.items():
                    where = f"{file}, column {column}" if column else file
                    lines.append(f"  - ... and {len(rows):,} more in {where} (rows {min(rows):,} to {max(rows):,})")
                hidden.clear()
        return "\n".join(lines)


class UsageError(KitError):
    """A bad argument (unknown account id, bad as_of, ...).

    A library function's message names its parameter (``"workers: must be 1 or more"``)
    and sets ``param``; :meth:`for_cli` says the same with the command line's flag.
    """

    def __init__(self, message: str, *, param: str | None = None):
        super().__init__(message)
        self.param = param

    def __reduce__(self):  # picklable with its keyword (errors cross worker processes)
        return (_usage_error, (str(self), self.param))

    def for_cli(self) -> str:
        """The message with the parameter named as its flag (``--workers: must be ...``)."""
        text = str(self)
        if self.param and text.startswith(f"{self.param}:"):
            return "--" + self.param.replace("_", "-") + text[len(self.param):]
        return text


def _usage_error(message: str, param: str | None) -> UsageError:
    return UsageError(message, param=param)
