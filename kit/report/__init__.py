"""Reports: the account and portfolio reports as sections (one notebook cell each), built
from the figures; HTML building blocks (:mod:`~kit.report.blocks`), number formats and
takeaways (:mod:`~kit.report.formats`), charts (:mod:`~kit.report.charts`), the index page
(:mod:`~kit.report.index_page`, and :mod:`~kit.report.client_index` for a client run), the
HTML export (:mod:`~kit.report.export`), PDFs (:mod:`~kit.report.pdf`), PowerPoint decks
(:mod:`~kit.report.deck_content`, :mod:`~kit.report.deck`) and the firm's branding
(:mod:`~kit.report.branding`).

The notebooks call ``kit.report.AccountReport`` and ``kit.report.PortfolioReport``.
They are imported on first use, not with the package: a render worker imports only
:mod:`~kit.report.export`, and the reports (matplotlib, pandas, the figures) would add
a third of a second to every worker's start.
"""

from __future__ import annotations

import importlib

#: name -> the module that defines it
_LAZY = {"AUDIENCES": "kit.schema", "AccountReport": "kit.report.account", "PortfolioReport": "kit.report.portfolio",
         "load_model": "kit.report.loading", "resolve_account_id": "kit.report.loading"}

__all__ = ["AUDIENCES", "AccountReport", "PortfolioReport", "load_model", "resolve_account_id"]


def __getattr__(name: str):
    """``kit.report.AccountReport`` and the other public names, imported on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kit.report' has no attribute {name!r}")
