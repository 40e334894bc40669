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
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kit.periods import quarter_end, quarter_of
from kit.schema import CHANGES_COLUMNS

if TYPE_CHECKING:
    from kit.config import Settings
    from kit.figures.model import PortfolioModel
    from kit.inputs.portfolio import Portfolio

__all__ = ["CHANGE_FIGURES", "TEXT_FIGURES", "changes_between", "previous_quarter", "previous_quarter_end",
           "previous_quarter_in_background", "read_summary", "with_quarter_changes"]

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
        :data:`kit.schema.CHANGES_COLUMNS`, accounts in ``current``'s order, figures in
        :data:`CHANGE_FIGURES`' order.  ``change`` is current - previous for numbers
        (empty when either is unknown) and empty for text.  ``warnings`` lists the ids
        (``;``-joined) before and now; two more rows per account, ``warnings_appeared`` and
        ``warnings_cleared``, hold in ``current`` the ids that appeared and cleared (empty
        when the account has no previous quarter to compare with).
    """
    ids = current["account_id"].astype(str).to_numpy()
    now = current.set_axis(ids)
    prev = previous.set_axis(previous["account_id"].astype(str).to_numpy())
    prev = prev[~prev.index.duplicated()].reindex(ids)  # vectorised: one column at a time
    known = pd.Series(pd.Index(ids).isin(pd.Index(previous["account_id"].astype(str))), index=ids)  # hashed, not sorted object arrays
    parts = []
    for order, fig in enumerate(CHANGE_FIGURES):
        if fig == "warnings":
            was = prev[fig].map(_warning_ids) if fig in prev else pd.Series([[]] * len(ids), index=ids)
            is_ = now[fig].map(_warning_ids) if fig in now else pd.Series([[]] * len(ids), index=ids)
            appeared = [";".join(w for w in b if w not in a) for a, b in zip(was, is_, strict=True)]
            cleared = [";".join(w for w in a if w not in b) for a, b in zip(was, is_, strict=True)]
            for sub, (p_col, c_col) in enumerate((
                    (was.map(";".join).where(known, None), is_.map(";".join)),
                    (pd.Series(None, index=ids, dtype=object), pd.Series(appeared, index=ids).where(known, None)),
                    (pd.Series(None, index=ids, dtype=object), pd.Series(cleared, index=ids).where(known, None)))):
                parts.append(pd.DataFrame({"account_id": ids, "figure": ("warnings", "warnings_appeared", "warnings_cleared")[sub],
                                           "previous": p_col.to_numpy(dtype=object), "current": c_col.to_numpy(dtype=object),
                                           "change": None, "_order": order + sub / 10}))
        elif fig in TEXT_FIGURES:
            parts.append(pd.DataFrame({"account_id": ids, "figure": fig,
                                       "previous": (prev[fig].map(_text) if fig in prev else None),
                                       "current": (now[fig].map(_text) if fig in now else None),
                                       "change": None, "_order": order}))
        else:
            a = pd.to_numeric(prev[fig], errors="coerce") if fig in prev else pd.Series(np.nan, index=ids)
            b = pd.to_numeric(now[fig], errors="coerce") if fig in now else pd.Series(np.nan, index=ids)
            a, b = a.where(np.isfinite(a)), b.where(np.isfinite(b))
            parts.append(pd.DataFrame({"account_id": ids, "figure": fig, "previous": a.to_numpy(dtype=object),
                                       "current": b.to_numpy(dtype=object), "change": (b - a).to_numpy(), "_order": order}))
    out = pd.concat(parts, ignore_index=True)
    out["_pos"] = np.tile(np.arange(len(ids)), len(parts))
    out = out.sort_values(["_pos", "_order"], kind="stable").drop(columns=["_pos", "_order"]).reset_index(drop=True)
    out = out.astype({"previous": object, "current": object, "change": object})
    return out.where(out.notna(), None).loc[:, list(CHANGES_COLUMNS)]


def previous_quarter(portfolio: Portfolio, settings: Settings, *, as_of: dt.date,
                     reuse: PortfolioModel | None = None) -> tuple[pd.DataFrame, dict]:
    """What the comparison reads of the quarter before ``as_of``'s: the headline figures
    (``account_id`` and :data:`CHANGE_FIGURES`) and the portfolio totals (GRR, NRR, T4Q
    revenue and growth, as plain numbers: they go in the manifest).

    ``reuse``: the model as of ``as_of``, whose assessment scoring the quarter-earlier
    model takes when the same assessment rows count (the grace window: the usual case).
    """
    from kit.figures.model import build_model

    # only what the comparison reads (summary_only)
    earlier = build_model(portfolio, settings, as_of=previous_quarter_end(as_of), summary_only=True, reuse=reuse)
    totals = {k: (None if v is None or v != v else float(v))
              for k, v in earlier.totals.items() if k in ("revenue_t4q", "revenue_growth", "grr", "nrr")}
    return earlier.figures.reset_index()[["account_id", *CHANGE_FIGURES]], totals


def previous_quarter_in_background(portfolio: Portfolio, settings: Settings, *, as_of: dt.date
                                   ) -> Callable[[], tuple[pd.DataFrame, dict] | None]:
    """Start :func:`previous_quarter` on another core while the caller computes the current
    quarter; returns the function that waits for it (None: not run, or failed: compute it
    then with :func:`with_quarter_changes`).

    The child is forked (:func:`kit.forking.in_background`), so it reads the loaded
    portfolio without copying or pickling it; only the small result travels back.
    Forking needs Linux, a second core and no other running thread; elsewhere nothing
    starts and the wait gives None at once.
    """
    from functools import partial

    from kit.forking import in_background

    return in_background(partial(previous_quarter, as_of=as_of), portfolio, settings)


def with_quarter_changes(model: PortfolioModel, *, previous: pd.DataFrame | None = None,
                         comparison: dict | None = None,
                         recomputed: tuple[pd.DataFrame, dict] | None = None) -> PortfolioModel:
    """The model with its quarter-over-quarter changes (``model.changes``, ``model.comparison``).

    Parameters
    ----------
    previous : DataFrame, optional
        The ``account_summary`` to compare with (an earlier run's, for ``--compare-to``);
        None recomputes it: the same inputs and settings with the analysis date one
        quarter earlier (:func:`previous_quarter`).
    comparison : dict, optional
        What is compared, recorded with the changes (merged over the defaults).
    recomputed : tuple, optional
        :func:`previous_quarter` of this model's portfolio, settings and date, already
        computed (:func:`previous_quarter_in_background`); None computes it here.
    """
    from kit.figures.tables import account_summary

    info = {"basis": "run folder" if previous is not None else "recomputed"}
    if previous is None:
        info["previous_as_of"] = previous_quarter_end(model.as_of).isoformat()
        previous, totals = recomputed if recomputed is not None else previous_quarter(
            model.portfolio, model.settings, as_of=model.as_of, reuse=model)
        # the portfolio's own figures a quarter earlier
        info["previous_totals"] = totals
    info.update(comparison or {})
    return replace(model, changes=changes_between(previous, account_summary(model)), comparison=info)


def read_summary(path) -> pd.DataFrame:
    """An earlier run's ``tables/account_summary.csv`` as text (ids stay text)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
