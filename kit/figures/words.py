"""Words for the figures' reasons and messages: counts with the right number, settings
and rules named as a reader says them (never a column name or a snake_case id)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

__all__ = ["count", "plural", "score_text"]

#: plurals that are not the word plus "s"
_IRREGULAR = {"opportunity": "opportunities", "is": "are", "has": "have", "was": "were"}


def plural(n: float, word: str) -> str:
    """``word`` in the number ``n`` calls for: "1 buying center", "2 buying centers".

    Only the last word of ``word`` changes ("buying center" -> "buying centers")."""
    if n == 1:
        return word
    head, _, last = word.rpartition(" ")
    many = _IRREGULAR.get(last, last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s"))
    return f"{head} {many}" if head else many


def count(n: float, word: str) -> str:
    """The count and its noun: "1 buying center", "3 decision makers", "0 raters"."""
    value = f"{n:,.0f}" if float(n) == round(float(n)) else f"{n:,.1f}"
    return f"{value} {plural(n, word)}"


def score_text(score: object, band: Callable[[float], object]) -> str:
    """A 0-100 score as printed beside its RAG band: a whole number, unless rounding would
    carry it into another band (69.96 is amber: "69.9", never "70 AMBER" beside a green
    threshold of 70); '—' when there is none.  ``band``: the settings' ``rag``."""
    if score is None or pd.isna(score):
        return "—"
    v = float(score)
    whole = round(v)
    if band(whole) == band(v):
        return f"{whole:.0f}"
    return f"{math.floor(v * 10) / 10:.1f}" if whole > v else f"{math.ceil(v * 10) / 10:.1f}"
