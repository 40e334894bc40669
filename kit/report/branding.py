"""The firm's branding on every deliverable, and the print layout's running header.

The settings ``firm_name``, ``logo``, ``accent_colour`` and ``deck_template`` are read
from :class:`kit.config.Settings`; :func:`load_branding` checks the two files (a logo that
is a PNG, JPEG or SVG image, a template that is a PowerPoint .pptx) before anything
renders, so a wrong path is one clear error and never a run of unbranded reports.

A page carries its branding itself: :func:`page_style` is a small stylesheet with the
accent colour and the ``@page`` margin boxes (running header with the report's title,
the confidentiality mark, the firm's name; page numbers come from ``kit.css``), and
:func:`banner` the logo as a ``data:`` URI.  So the PDF printed from the page, or the
page printed by hand from a browser, shows the same header and footer.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from kit.config import Settings
from kit.errors import UsageError, printable
from kit.report.blocks import esc

__all__ = [
    "LOGO_MAX_BYTES",
    "Branding",
    "banner",
    "confidential_mark",
    "css_string",
    "load_branding",
    "logo_kind",
    "page_style",
]

#: a logo is a small picture; anything larger is the wrong file (and would be copied into every page)
LOGO_MAX_BYTES = 2 * 1024 * 1024
#: the default of ``accent_colour``, the colour kit.css uses
DEFAULT_ACCENT = "#1f4e79"
_MIME = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class Branding:
    """The firm's branding as the renderers use it (files read and checked).

    Attributes
    ----------
    firm_name : str
        Shown in the footer of pages, PDFs and decks ('' shows none).
    accent : str
        ``#RRGGBB``.
    logo : bytes or None
        The logo file's bytes; ``logo_kind`` is ``"png"``, ``"jpeg"`` or ``"svg"``.
    deck_template : Path or None
        The firm's PowerPoint template, resolved.
    """

    firm_name: str = ""
    accent: str = DEFAULT_ACCENT
    logo: bytes | None = None
    logo_kind: str | None = None
    logo_path: Path | None = None
    deck_template: Path | None = None

    @property
    def logo_data_uri(self) -> str | None:
        """The logo as a ``data:`` URI (embedded: a page never fetches it)."""
        if self.logo is None or self.logo_kind is None:
            return None
        return f"data:{_MIME[self.logo_kind]};base64,{base64.b64encode(self.logo).decode('ascii')}"

    def digest(self) -> str:
        """A hash of everything the deliverables take from the branding, files' bytes
        included: a new logo under the same name re-renders the reports."""
        h = hashlib.sha256()
        for part in (self.firm_name, self.accent, self.logo_kind or "", self.logo or b""):
            h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
            h.update(b"\x1f")
        if self.deck_template is not None:
            h.update(self.deck_template.read_bytes())
        return h.hexdigest()


def logo_kind(data: bytes) -> str | None:
    """``"png"``, ``"jpeg"`` or ``"svg"`` from a file's first bytes (never its name); None
    for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head):
        return "svg"
    return None


def _resolve(value: str, config_path: str | Path | None) -> Path:
    p = Path(value).expanduser()
    if not p.is_absolute() and config_path is not None:
        p = Path(config_path).resolve().parent / p  # relative to the config file, never to the working directory
    return p.resolve()


def _where(config_path: str | Path | None) -> str:
    return Path(config_path).name if config_path is not None else "settings"


def load_branding(settings: Settings, *, config_path: str | Path | None = None) -> Branding:
    """Read and check the branding settings.

    Parameters
    ----------
    settings : Settings
        The run's settings.
    config_path : str or Path, optional
        The config file they came from: relative ``logo`` and ``deck_template`` paths are
        relative to its folder.

    Returns
    -------
    Branding

    Raises
    ------
    UsageError
        A logo that is missing, unreadable, larger than 2 MB or not a PNG, JPEG or SVG
        image; a deck template that is missing, unreadable or not a PowerPoint .pptx.  The
        message names the setting, the path and what was expected.
    """
    where = _where(config_path)
    logo = kind = logo_path = template = None
    if settings.logo:
        logo_path = _resolve(settings.logo, config_path)
        expected = "a PNG, JPEG or SVG image file of at most 2 MB"
        try:
            size = logo_path.stat().st_size
            if not logo_path.is_file():
                raise IsADirectoryError(str(logo_path))
            if size > LOGO_MAX_BYTES:
                raise UsageError(printable(f"{where}: setting logo: {logo_path}: expected {expected}; it is {size:,} bytes"),
                                 param="config")
            logo = logo_path.read_bytes()
        except OSError as exc:
            raise UsageError(printable(f"{where}: setting logo: {logo_path}: expected {expected}; cannot read it "
                                       f"({exc.strerror or type(exc).__name__})"), param="config") from None
        kind = logo_kind(logo)
        if kind is None:
            raise UsageError(printable(f"{where}: setting logo: {logo_path}: expected {expected}; this file is none of "
                                       "those (its first bytes are not a PNG, JPEG or SVG header)"), param="config")
    if settings.deck_template:
        template = _resolve(settings.deck_template, config_path)
        check_template(template, where=where)
    return Branding(firm_name=settings.firm_name, accent=settings.accent_colour.lower(), logo=logo, logo_kind=kind,
                    logo_path=logo_path, deck_template=template)


def check_template(path: Path, *, where: str = "settings") -> None:
    """Raise :class:`UsageError` unless ``path`` is a PowerPoint presentation python-pptx opens."""
    expected = "a PowerPoint presentation (.pptx) to build the decks on"
    if path.suffix.lower() != ".pptx":
        raise UsageError(printable(f"{where}: setting deck_template: {path}: expected {expected}; the file name does not "
                                   "end in .pptx (save a .potx or .ppt template as .pptx first)"), param="config")
    try:
        import zipfile

        from pptx import Presentation

        if not path.is_file():
            raise FileNotFoundError(2, "No such file", str(path)) if not path.exists() else IsADirectoryError(21, "a folder")
        if not zipfile.is_zipfile(path):  # a .pptx is a zip package; python-pptx would say "package not found"
            raise UsageError(printable(f"{where}: setting deck_template: {path}: expected {expected}; this file is not "
                                       "one (a .pptx is a zip package; this is not)"), param="config")
        Presentation(str(path))
    except UsageError:
        raise
    except OSError as exc:
        raise UsageError(printable(f"{where}: setting deck_template: {path}: expected {expected}; cannot read it "
                                   f"({exc.strerror or type(exc).__name__})"), param="config") from None
    except Exception as exc:  # a zip that is not a presentation, a broken file: python-pptx raises many kinds
        raise UsageError(printable(f"{where}: setting deck_template: {path}: expected {expected}; it does not open as "
                                   f"one ({type(exc).__name__}: {str(exc)[:120]})"), param="config") from None


def css_string(text: object) -> str:
    """``text`` as a quoted CSS string: every character but letters, digits and spaces
    as a hex escape, so input text (an account's name) can neither end the string nor the
    ``<style>`` element it sits in.  (The space after each escape ends it and is not shown.)"""
    return '"' + "".join(c if (c.isalnum() or c == " ") and c.isprintable() else f"\\{ord(c):06x} " for c in str(text)) + '"'


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def confidential_mark(audience: str, account_name: str | None) -> str:
    """The mark on every printed page: ``Confidential: internal``, or for the client
    audience ``Confidential: prepared for <account>``."""
    if audience == "client" and account_name:
        return f"Confidential: prepared for {account_name}"
    return "Confidential: internal"


def page_style(branding: Branding, *, title: str, confidential: str) -> str:
    """The page's own stylesheet: the accent colour and the running header and footer of
    its printed pages (title top left, confidentiality mark top right, firm bottom left;
    ``kit.css`` adds the page number bottom right)."""
    rules = []
    if branding.accent != DEFAULT_ACCENT:
        rules.append(f":root {{ --accent: {branding.accent}; }}")
    boxes = [f"@top-left {{ content: {css_string(_short(title))}; }}",
             f"@top-right {{ content: {css_string(_short(confidential))}; }}"]
    if branding.firm_name:
        boxes.append(f"@bottom-left {{ content: {css_string(_short(branding.firm_name, 60))}; }}")
    rules.append("@page { " + " ".join(boxes) + " }")
    return "\n".join(rules)


def banner(branding: Branding) -> str:
    """The logo and firm name at the top of a page ('' without either); escaped."""
    uri = branding.logo_data_uri
    if uri is None and not branding.firm_name:
        return ""
    img = f'<img class="kit-logo" src="{uri}" alt="{esc(branding.firm_name or "logo")}">' if uri else ""
    name = f'<span class="kit-firm">{esc(branding.firm_name)}</span>' if branding.firm_name else ""
    return f'<header class="kit-brand">{img}{name}</header>'
