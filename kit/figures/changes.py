"""Quarter over quarter: what changed in each account's headline figures since the
previous quarter (domain.md, "Quarter over quarter"; ``tables/changes.csv``).

"Previous" is what the same inputs and settings give with the analysis date one quarter
earlier (what ``kit tables --as-of <previous quarter>`` gives), so the comparison is
reproducible from the data alone; or, with ``--compare-to``, the tables of an earlier run
folder as they were written (a client whose data was restated since).  Both sides are
``account_summary`` tables, so the comparison is one pure function of two DataFrames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kit.periods import quarter_end, quarter_of
from kit.schema import CHANGES_COLUMNS

if TYPE_CHECKING:
    from kit.figures.model import PortfolioModel

__all__ = ["CHANGE_FIGURES", "TEXT_FIGURES", "changes_between", "previous_quarter_end", "read_summary",
           "with_quarter_changes"]

#: the headline figures compared, in the order the table lists them (account_summary columns)
CHANGE_FIGURES: tuple[str, ...] = (
    "health_index", "category", "quadrant", "revenue_t4q", "revenue_growth", "nps", "weighted_pipeline", "warnings",
)
#: figures that are text: their change is empty (``warnings`` says which appeared and cleared)
TEXT_FIGURES = frozenset({"category", "quadrant", "warnings"})


def previous_quarter_end(as_of: dt.date) -> dt.date:
    """The analysis date one quarter earlier: the last day of the quarter before the one
    ``as_of`` falls in (2026-09-30 and 2026-08-15 both give 2026-06-30)."""
    return quarter_end(quarter_of(as_of) - 1)


def _number(v: object) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    text = str(v).strip()
    return text or None


def _warning_ids(v: object) -> list[str]:
    text = _text(v)
    return [w for w in text.split(";") if w] if text else []


def changes_between(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """One row per account of ``current`` and headline figure: previous, current, change.

    Parameters
    ----------
    previous, current : DataFrame
        ``account_summary`` tables (an ``account_id`` column and the columns of
        :data:`CHANGE_FIGURES`; cells may be text, as read back from a CSV file).  An
        account missing from ``previous`` has empty previous values.

    Returns
    -------
    DataFrame
        :data:`kit.schema.CHANGES_COLUMNS`.  ``change`` is current - previous for numbers
        (empty when either is unknown) and empty for text.  ``warnings`` lists the ids
        (``;``-joined) before and now; two more rows per account, ``warnings_appeared`` and
        ``warnings_cleared``, hold in ``current`` the ids that appeared and cleared (empty
        when the account has no previous quarter to compare with).
    """
    prev = previous.set_index(previous["account_id"].astype(str))
    rows = []
    for rec in current.to_dict("records"):
        acc = str(rec["account_id"])
        before = prev.loc[acc] if acc in prev.index else None
        for fig in CHANGE_FIGURES:
            now_v = rec.get(fig)
            was_v = None if before is None else before.get(fig)
            if fig == "warnings":
                now_ids, was_ids = _warning_ids(now_v), _warning_ids(was_v)
                known = before is not None
                rows += [
                    {"account_id": acc, "figure": "warnings", "previous": ";".join(was_ids) if known else None,
                     "current": ";".join(now_ids), "change": None},
                    {"account_id": acc, "figure": "warnings_appeared", "previous": None,
                     "current": ";".join(w for w in now_ids if w not in was_ids) if known else None, "change": None},
                    {"account_id": acc, "figure": "warnings_cleared", "previous": None,
                     "current": ";".join(w for w in was_ids if w not in now_ids) if known else None, "change": None},
                ]
            elif fig in TEXT_FIGURES:
                rows.append({"account_id": acc, "figure": fig, "previous": _text(was_v), "current": _text(now_v),
                             "change": None})
            else:
                a, b = _number(was_v), _number(now_v)
                rows.append({"account_id": acc, "figure": fig, "previous": a, "current": b,
                             "change": None if a is None or b is None else b - a})
    out = pd.DataFrame(rows, columns=list(CHANGES_COLUMNS))
    return out


def with_quarter_changes(model: PortfolioModel, *, previous: pd.DataFrame | None = None,
                         comparison: dict | None = None) -> PortfolioModel:
    """The model with its quarter-over-quarter changes (``model.changes``, ``model.comparison``).

    Parameters
    ----------
    previous : DataFrame, optional
        The ``account_summary`` to compare with (an earlier run's, for ``--compare-to``);
        None recomputes it: the same inputs and settings with the analysis date one
        quarter earlier.
    comparison : dict, optional
        What is compared, recorded with the changes (merged over the defaults).
    """
    from kit.figures.model import build_model
    from kit.figures.tables import account_summary

    info = {"basis": "run folder" if previous is not None else "recomputed"}
    if previous is None:
        before = previous_quarter_end(model.as_of)
        info["previous_as_of"] = before.isoformat()
        earlier = build_model(model.portfolio, model.settings, as_of=before)
        previous = account_summary(earlier)
        # the portfolio's own figures a quarter earlier (plain numbers: they go in the manifest)
        info["previous_totals"] = {k: (None if v is None or v != v else float(v))
                                   for k, v in earlier.totals.items() if k in ("revenue_t4q", "revenue_growth", "grr", "nrr")}
    info.update(comparison or {})
    return replace(model, changes=changes_between(previous, account_summary(model)), comparison=info)


def read_summary(path) -> pd.DataFrame:
    """An earlier run's ``tables/account_summary.csv`` as text (ids stay text)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
