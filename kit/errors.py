"""User-facing errors: bad input is reported, never raised as a traceback."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "InputError", "UsageError"]


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
            shown = str(self.value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            text += f": value {shown!r}"
        return f"{text}: expected {self.expected}"


class InputError(Exception):
    """The input cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        ordered = sorted(self.problems, key=lambda p: (p.file, p.row or 0))
        return "\n".join([head, *(f"  - {p}" for p in ordered)])


class UsageError(Exception):
    """A bad argument (unknown account id, bad --as-of, ...)."""
