"""The model a report is made from: computed here, or the file kit run wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kit.config import load_config
from kit.errors import UsageError
from kit.figures.model import PortfolioModel, build_model
from kit.inputs.portfolio import load_portfolio, match_account_id
from kit.schema import AUDIENCES


def load_model(data_dir: str | Path, *, as_of: str | dt.date | None = None, config_path: str | Path | None = None) -> PortfolioModel:
    """Load, validate and compute a portfolio, with its changes since the quarter before
    (the one call behind every report run by hand; ``kit run`` hands the notebooks its own)."""
    from kit.figures.changes import with_quarter_changes

    return with_quarter_changes(build_model(load_portfolio(data_dir), load_config(config_path), as_of=as_of))


def model_for(data_dir, *, as_of, config_path, model_path) -> PortfolioModel:
    if model_path is None:
        return load_model(data_dir, as_of=as_of, config_path=config_path)
    from kit.figures.cache import load_model_file

    return load_model_file(model_path)


class _PortfolioWide:
    """Figures of the whole portfolio that every account report shows the same (the data
    window's limits, the benchmark percentiles, the offerings on offer), computed once per
    model in this process instead of once per report.

    A warm kernel renders report after report from one model (kept by
    :mod:`kit.figures.cache`), and these scan every account's rows: at 5,000 accounts
    they were a tenth of a report's time.  One model at a time; the values are shared
    between reports, so callers only read them.
    """

    def __init__(self) -> None:
        self.model: PortfolioModel | None = None
        self.values: dict[str, object] = {}

    def get(self, model: PortfolioModel, name: str, compute):
        if self.model is not model:  # another model: the old values go
            self.model, self.values = model, {}
        if name not in self.values:
            self.values[name] = compute()
        return self.values[name]


_WIDE = _PortfolioWide()


def portfolio_wide(model: PortfolioModel, name: str, compute):
    """``compute()``, a figure of the whole ``model`` named ``name``, computed once per
    model (see :class:`_PortfolioWide`); treat the result as read-only."""
    return _WIDE.get(model, name, compute)


def resolve_account_id(model: PortfolioModel, account_id: object) -> str:
    """The account id as a string.

    None gives the first account; a number (papermill's CLI ``-p`` turns ``00123`` into
    ``123``) is matched to the one id that equals it once leading zeros are dropped.
    """
    ids = list(model.figures.index)
    if account_id is None:
        return ids[0]
    found = match_account_id(ids, account_id)
    if found is not None:
        return found
    text = str(account_id)
    sample = ", ".join(repr(i) for i in ids[:5])
    raise UsageError(f"account_id {text!r} is not in accounts (ids are text, e.g. {sample}; "
                     "with the papermill CLI pass it with -r account_id <id> so it stays text)")


def check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise UsageError(f"audience: must be one of {list(AUDIENCES)}, got {audience!r}", param="audience")
    return audience
