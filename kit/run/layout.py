"""Where a run puts each file: the internal layout, and the client-safe one.

Internal (``--audience internal``, the default), as it always was::

    index.html  portfolio.html  portfolio.pdf  manifest.json
    accounts/<stem>.html  accounts/<stem>.pdf  decks/<stem>.pptx  plans/<stem>.xlsx
    notebooks/account_<stem>.ipynb  notebooks/portfolio.ipynb  tables/*.csv

Client (``--audience client``): every account's deliverables in a folder of its own,
which can be zipped and sent to that account as it is, and the consultant's files apart
in ``_consultant/``, which is never sent::

    <stem>/<stem>.html  <stem>/<stem>.pdf  <stem>/<stem>.pptx
    _consultant/index.html  _consultant/manifest.json  _consultant/notebooks/account_<stem>.ipynb

A client run writes no portfolio report, no tables and no plans: each of those shows
other accounts or internal material.  A stem starts with a letter or a digit
(:func:`kit.files.names.report_stems`), so an account's folder is never ``_consultant``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kit.files.names import report_page
from kit.run.folder import CLIENT_MANIFEST, CONSULTANT_DIR, MANIFEST

__all__ = ["CONSULTANT_DIR", "Layout"]


@dataclass(frozen=True)
class Layout:
    """The paths of one run's files, relative to the run folder (``/``-separated, as the
    manifest records them).

    Parameters
    ----------
    audience : str
        ``"internal"`` or ``"client"``.
    stems : mapping
        Account id -> file-name stem (:func:`kit.files.names.report_stems`).
    """

    audience: str
    stems: Mapping[str, str]

    @property
    def client(self) -> bool:
        return self.audience == "client"

    def page(self, acc: str) -> str:
        return report_page(self.stems[acc], client=self.client)

    def pdf(self, acc: str) -> str:
        return self.page(acc).removesuffix(".html") + ".pdf"

    def deck(self, acc: str) -> str:
        stem = self.stems[acc]
        return f"{stem}/{stem}.pptx" if self.client else f"decks/{stem}.pptx"

    def notebook(self, acc: str) -> str:
        return f"{CONSULTANT_DIR}/notebooks/account_{self.stems[acc]}.ipynb" if self.client \
            else f"notebooks/account_{self.stems[acc]}.ipynb"

    def plan(self, acc: str) -> str | None:
        """The Account Development Plan workbook: internal material, never in a client run."""
        return None if self.client else f"plans/{self.stems[acc]}.xlsx"

    @property
    def portfolio_page(self) -> str | None:
        return None if self.client else "portfolio.html"

    @property
    def portfolio_notebook(self) -> str | None:
        return None if self.client else "notebooks/portfolio.ipynb"

    @property
    def portfolio_pdf(self) -> str | None:
        return None if self.client else "portfolio.pdf"

    @property
    def index(self) -> str:
        """The consultant's front page: every account's reports (and, for a client run, its
        folder of deliverables)."""
        return f"{CONSULTANT_DIR}/index.html" if self.client else "index.html"

    @property
    def manifest(self) -> str:
        return CLIENT_MANIFEST if self.client else MANIFEST

    @property
    def writes_tables(self) -> bool:
        """``tables/`` holds every account's figures and warnings: an internal run's only."""
        return not self.client

    def folders(self, ids: Iterable[str]) -> list[str]:
        """The folders this run writes into (relative), to create and to clear of the
        temporary files a killed run left."""
        if self.client:
            return [CONSULTANT_DIR, f"{CONSULTANT_DIR}/notebooks", *(self.stems[a] for a in ids)]
        return ["accounts", "notebooks", "plans", "decks", "tables"]
