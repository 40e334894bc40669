"""A run's PDFs and decks (``kit run --pdf --deck``): which to make, making them, and
what the manifest records of them.

- **PDFs** are printed from the pages, in this process, by one headless Chromium for the
  whole run (:class:`kit.report.pdf.PdfPrinter`), each as soon as its page is rendered
  (the workers go on rendering meanwhile).  A PDF is printed again only when its page's
  bytes changed since it was printed (``pdf_page_sha256`` in the manifest) or it is gone.
- **Decks** are built from the model in a thread while the workers render
  (:mod:`kit.report.deck_content`, :mod:`kit.report.deck`).  A deck is built again only
  when its fingerprint changed: the account's report fingerprint (its data, the
  settings, the kit's code), the branding files' bytes and the audience.

Both are written whole or not at all (:func:`kit.files.atomic.replacing`).  One that
fails fails its account (exit status 1) and is made again by the next run.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from kit.errors import UsageError
from kit.figures.model import PortfolioModel
from kit.files.atomic import sha256_of
from kit.report.branding import Branding
from kit.run.layout import Layout

__all__ = ["Deliverables", "deck_fingerprint", "refuse_other_layout"]


def deck_fingerprint(report_fingerprint: str, *, branding_digest: str, audience: str) -> str:
    """What a deck is made of, hashed: the account's report fingerprint (its data,
    settings, kit code), the branding (files' bytes included) and the audience."""
    parts = ("deck", report_fingerprint, branding_digest, audience)
    return hashlib.sha256(b"\x1f".join(p.encode("utf-8") for p in parts)).hexdigest()


class Deliverables:
    """The PDFs and decks one run makes.

    Parameters
    ----------
    model : PortfolioModel
        The run's figures.
    layout : Layout
        Where each file goes.
    ids : list of str
        The accounts of the run.
    out : Path
        The run folder.
    pdf, deck : bool
        ``--pdf``, ``--deck``.
    branding : Branding
        Logo, firm, accent colour, deck template.
    previous : dict
        The last run's records (key: account id, None for the portfolio); empty with ``--force``.
    fingerprints : dict
        This run's report fingerprint per key.
    """

    def __init__(self, model: PortfolioModel, layout: Layout, ids: list[str], *, out: Path, pdf: bool, deck: bool,
                 branding: Branding, previous: dict, fingerprints: dict):
        self.model, self.layout, self.out, self.branding = model, layout, Path(out), branding
        self.previous = previous
        self.pdfs: dict[str | None, str] = {}
        if pdf:
            self.pdfs = {acc: layout.pdf(acc) for acc in ids}
            if layout.portfolio_pdf is not None:
                self.pdfs[None] = layout.portfolio_pdf
        self.decks: dict[str, str] = {acc: layout.deck(acc) for acc in ids} if deck else {}
        digest = branding.digest() if deck else ""
        self.deck_fps = {acc: deck_fingerprint(fingerprints[acc], branding_digest=digest, audience=layout.audience)
                         for acc in self.decks}
        self.errors: dict[str | None, str] = {}
        self.notes: list[str] = []
        self.records: dict[str | None, dict] = {}
        self._printer = None
        self._printed: set[str | None] = set()
        self._thread: threading.Thread | None = None
        self._logo: bytes | None = None

    @property
    def planned(self) -> list[str]:
        """Every file this run may write (the manifest lists them as the kit's)."""
        return [*self.pdfs.values(), *self.decks.values()]

    def check(self) -> None:
        """Before anything is written: the browser for PDFs (and for an SVG logo in decks).

        Raises
        ------
        UsageError
            No playwright or no Chromium.
        """
        from kit.report.pdf import check_pdf_engine

        if self.pdfs:
            check_pdf_engine(what="--pdf")
        if self.decks and self.branding.logo_kind == "svg":
            check_pdf_engine(what="--deck with an SVG logo (converted to PNG for PowerPoint; or give a PNG logo)")

    # -- decks ------------------------------------------------------------------------------
    def _deck_needed(self, acc: str) -> bool:
        old = self.previous.get(acc) or {}
        return not (old.get("deck") == self.decks[acc] and old.get("deck_fingerprint") == self.deck_fps[acc]
                    and (self.out / self.decks[acc]).is_file())

    def start_decks(self) -> None:
        """Build the decks that changed, in a thread (call from the thread that prints:
        an SVG logo is converted first, with the browser)."""
        todo = [acc for acc in self.decks if self._deck_needed(acc)]
        for acc in self.decks:
            if acc not in todo:
                self.records.setdefault(acc, {}).update(deck=self.decks[acc], deck_fingerprint=self.deck_fps[acc])
        if not todo:
            return
        logo = self.branding.logo
        if self.branding.logo_kind == "svg":
            try:
                logo = self.printer().rasterize(self.branding.logo_data_uri or "")
            except Exception as exc:  # the decks are still built, without the logo; the run says why
                logo = None
                self.notes.append(f"the SVG logo could not be converted for the decks, which have none: "
                                  f"{type(exc).__name__}: {str(exc)[:200]}")
        self._logo = logo
        self._thread = threading.Thread(target=self._build_decks, args=(todo,), name="kit-decks")
        self._thread.start()

    def _build_decks(self, ids: list[str]) -> None:
        from kit.report.deck import write_deck
        from kit.report.deck_content import client_deck, internal_deck

        make = client_deck if self.layout.client else internal_deck
        for acc in ids:
            try:
                write_deck(make(self.model, acc, firm_name=self.branding.firm_name), self.out / self.decks[acc],
                           branding=self.branding, logo=self._logo)
                self.records.setdefault(acc, {}).update(deck=self.decks[acc], deck_fingerprint=self.deck_fps[acc])
            except Exception as exc:  # that deck only: the account fails, the others go on
                self.errors[acc] = f"deck of account {acc!r} not written: {type(exc).__name__}: {exc}"

    # -- PDFs -------------------------------------------------------------------------------
    def printer(self):
        """The run's one browser, started on first use."""
        if self._printer is None:
            from kit.report.pdf import PdfPrinter

            self._printer = PdfPrinter()
        return self._printer

    def _page(self, key: str | None) -> str:
        return self.layout.portfolio_page if key is None else self.layout.page(key)

    def page_done(self, key: str | None, ok: bool) -> None:
        """A page is rendered (or kept): print its PDF now when it needs one."""
        if key not in self.pdfs or key in self._printed or not ok:
            return
        self._printed.add(key)
        page = self.out / self._page(key)
        try:
            sha = sha256_of(page)
            old = self.previous.get(key) or {}
            if not (old.get("pdf") == self.pdfs[key] and old.get("pdf_page_sha256") == sha
                    and (self.out / self.pdfs[key]).is_file()):
                self.printer().print_pdf(page, self.out / self.pdfs[key])
            self.records.setdefault(key, {}).update(pdf=self.pdfs[key], pdf_page_sha256=sha)
        except Exception as exc:  # that PDF only: its account fails, the others are printed
            what = "portfolio" if key is None else f"account {key!r}"
            self.errors[key] = f"PDF of the {what} not written: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
            if self._printer is not None:
                self._printer.close()  # a browser in an unknown state is not reused

    def finish(self, ok: dict[str | None, bool]) -> None:
        """Print the PDFs still missing (pages kept from the last run), wait for the decks,
        close the browser.  ``ok``: each key's page status."""
        try:
            for key in self.pdfs:
                self.page_done(key, ok.get(key, False))
        finally:
            if self._thread is not None:
                self._thread.join()
            if self._printer is not None:
                self._printer.close()

    def close(self) -> None:
        """Stop what is running (a run that failed half-way)."""
        if self._thread is not None:
            self._thread.join()
        if self._printer is not None:
            self._printer.close()

    def record(self, key: str | None) -> dict:
        """What the manifest keeps for a report's PDF and deck (paths and fingerprints)."""
        return dict(self.records.get(key, {}))


def refuse_other_layout(out: Path, layout: Layout) -> None:
    """Raise :class:`UsageError` when the run folder holds a run of the other audience.

    A client run's folder must hold nothing but client deliverables and the consultant's
    ``_consultant/``: an internal run's pages, index and tables beside them would be sent
    along.  The other way round, an internal run would mix its portfolio into the folders
    meant for clients.
    """
    from kit.errors import printable
    from kit.run.folder import CLIENT_MANIFEST, MANIFEST, owned_files

    top, client = (out / MANIFEST).is_file(), (out / CLIENT_MANIFEST).is_file()
    if not (top or client):
        return
    if layout.client and top and any(p != MANIFEST and (out / p).is_file() for p in owned_files(out)):
        raise UsageError(printable(
            f"--out {out} holds the reports of an internal run (or of kit tables, or of a client run of an earlier kit: "
            "index.html, portfolio.html and tables/ list every account): a client run must go to a folder of its own, "
            "so that nothing but the client's deliverables is there. Choose a new --out (the default for "
            "--audience client is reports/<name of the data>-client)"), param="out")
    if not layout.client and client:
        raise UsageError(printable(
            f"--out {out} holds a client run (one folder per account for the clients, _consultant/ for you): internal "
            "reports or tables there would put every account beside them. Choose another --out (the default for the "
            "internal audience is reports/<name of the data>)"), param="out")
