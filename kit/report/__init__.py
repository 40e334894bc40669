"""Reports: the account and portfolio reports as sections (one notebook cell each), built
from the figures; HTML building blocks (:mod:`~kit.report.blocks`), number formats and
takeaways (:mod:`~kit.report.formats`), charts (:mod:`~kit.report.charts`), the index page
(:mod:`~kit.report.index_page`, and :mod:`~kit.report.client_index` for a client run), the
HTML export (:mod:`~kit.report.export`), PDFs (:mod:`~kit.report.pdf`), PowerPoint decks
(:mod:`~kit.report.deck_content`, :mod:`~kit.report.deck`) and the firm's branding
(:mod:`~kit.report.branding`).

The notebooks call ``kit.report.AccountReport`` and ``kit.report.PortfolioReport``.
"""

from kit.report.account import AccountReport
from kit.report.loading import load_model, resolve_account_id
from kit.report.portfolio import PortfolioReport
from kit.schema import AUDIENCES

__all__ = ["AUDIENCES", "AccountReport", "PortfolioReport", "load_model", "resolve_account_id"]
