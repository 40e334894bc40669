"""Pages to PDF: headless Chromium through Playwright, one browser for a whole run.

Why Chromium and not WeasyPrint (measured on the sample, see the README's "PDF engine"):
the PDF is the page as the browser tests see it (same engine, flexbox, SVG charts with
their text kept as text), about twice as fast per page, and Chromium is already what
``make test`` installs.  Its cost is weight: the ``playwright`` package and a Chromium.

The print layout is the page's own (``@page`` rules in ``kit.css`` and the page's
stylesheet from :mod:`kit.report.branding`): A4, running header, page numbers and the
confidentiality mark in the page margins.  The PDF gets an outline (bookmarks from the
headings) and tags for screen readers.

Nothing is fetched while printing.  The browser context is offline, runs no script and
no service worker; every request that is not ``file:`` or ``data:`` is aborted before it
is sent (and counted in :attr:`PdfPrinter.blocked`); DNS resolves nothing.  The pages the
kit writes fetch nothing anyway (images are ``data:`` URIs); this is the second lock.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

from kit.errors import UsageError
from kit.files.atomic import replacing

__all__ = ["ALLOWED_SCHEMES", "LAUNCH_ARGS", "PdfPrinter", "check_pdf_engine", "find_chromium"]

#: the only URL schemes a page may load while it is printed
ALLOWED_SCHEMES = frozenset({"file", "data"})
#: no background traffic of the browser itself (updates, sync, safe browsing), no DNS at all
LAUNCH_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-first-run",
               "--disable-domain-reliability", "--host-resolver-rules=MAP * ~NOTFOUND")
#: milliseconds one page may take to load and print
PAGE_TIMEOUT_MS = 120_000
#: browsers tried in this order when KIT_CHROMIUM is not set
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")


def find_chromium() -> str | None:
    """The Chromium to print with: ``$KIT_CHROMIUM``, else the first Chromium on the PATH;
    None to use the browser Playwright downloaded (``playwright install chromium``)."""
    chosen = os.environ.get("KIT_CHROMIUM")
    if chosen:
        return chosen
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _playwright_browser_installed() -> bool:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return False
    try:
        with sync_playwright() as p:
            return Path(p.chromium.executable_path).is_file()
    except Exception:  # no driver, no browser: not installed
        return False


def check_pdf_engine(*, what: str = "--pdf") -> None:
    """Raise :class:`UsageError` (before anything renders) when PDFs cannot be printed:
    no ``playwright`` package, or no Chromium to drive.

    Parameters
    ----------
    what : str
        What needs the browser, named in the message.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise UsageError(f"{what} needs the playwright package (pip install 'account-health-kit[pdf]') and a Chromium "
                         "(Debian/Ubuntu: apt-get install chromium; elsewhere: playwright install chromium)") from None
    exe = find_chromium()
    if exe is not None:
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            raise UsageError(f"{what}: the browser {exe} (KIT_CHROMIUM) is not an executable file; point KIT_CHROMIUM at "
                             "a Chromium, or unset it")
        return
    if not _playwright_browser_installed():
        raise UsageError(f"{what} needs a Chromium: none on the PATH and none installed by Playwright (Debian/Ubuntu: "
                         "apt-get install chromium; elsewhere: playwright install chromium; or set KIT_CHROMIUM to one)")


class PdfPrinter:
    """One headless Chromium printing many pages to PDF, started on first use.

    Use as a context manager (or call :meth:`close`).  Not thread-safe: Playwright's
    objects belong to the thread that made them, so print from one thread.

    Attributes
    ----------
    blocked : list of str
        The URLs pages asked for that were not loaded (not ``file:`` or ``data:``).
    """

    def __init__(self, *, executable: str | None = None):
        self.executable = executable if executable is not None else find_chromium()
        self.blocked: list[str] = []
        self._pw = None
        self._browser = None
        self._context = None

    # -- the browser ----------------------------------------------------------------------
    def _route(self, route) -> None:
        url = route.request.url
        if urlparse(url).scheme.lower() in ALLOWED_SCHEMES:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _start(self):
        if self._context is not None and self._browser is not None and self._browser.is_connected():
            return self._context
        self.close()
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        kwargs = {"executable_path": self.executable} if self.executable else {}
        self._browser = self._pw.chromium.launch(headless=True, args=list(LAUNCH_ARGS), **kwargs)
        self._context = self._browser.new_context(offline=True, java_script_enabled=False, service_workers="block",
                                                  accept_downloads=False)
        self._context.set_default_timeout(PAGE_TIMEOUT_MS)
        self._context.route("**/*", self._route)
        return self._context

    def close(self) -> None:
        """Close the browser (the next print starts a new one)."""
        for closer in (getattr(self._context, "close", None), getattr(self._browser, "close", None),
                       getattr(self._pw, "stop", None)):
            if closer is not None:
                try:
                    closer()
                except Exception:  # already gone (a crashed browser): nothing left to close
                    pass
        self._pw = self._browser = self._context = None

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- printing -------------------------------------------------------------------------
    def print_pdf(self, html: str | Path, pdf: str | Path) -> Path:
        """Print the page ``html`` (a file) to ``pdf``, written whole or not at all.

        The page's own ``@page`` rules set the paper (A4), margins, running header and
        footer; backgrounds (RAG badges, table shading) are printed.

        Returns
        -------
        Path
            ``pdf``.
        """
        context = self._start()
        page = context.new_page()
        try:
            page.goto(Path(html).resolve().as_uri(), wait_until="load")
            with replacing(Path(pdf)) as tmp:
                page.pdf(path=str(tmp), prefer_css_page_size=True, print_background=True, format="A4",
                         outline=True, tagged=True)
        finally:
            page.close()
        return Path(pdf)

    def rasterize(self, uri: str, *, height: int = 240) -> bytes:
        """An image (a ``data:`` URI, e.g. an SVG logo) as PNG bytes ``height`` pixels high,
        transparent around it: for PowerPoint, which python-pptx cannot give an SVG."""
        context = self._start()
        page = context.new_page()
        try:
            page.set_content(f'<html><body style="margin:0;background:transparent">'
                             f'<img id="x" src="{uri}" style="height:{int(height)}px;display:block"></body></html>')
            return page.locator("#x").screenshot(omit_background=True)
        finally:
            page.close()
