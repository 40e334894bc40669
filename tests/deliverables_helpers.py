"""Reading the kit's deliverables back as a reader would: the text of a page, a PDF and
a PowerPoint deck, and the consultant's words that must not reach a client."""

from __future__ import annotations

import base64
import html as html_lib
import re
from pathlib import Path

#: words of the consultant and of the tool that a client-facing file must not use
#: (issue 16, part 1): methodology labels, segment and quadrant names, motions, warnings,
#: the tool's own words.  Matched as whole words, case-insensitive unless capitalized here
#: as a label (``Core``), after the account's own name is taken out of the text.
INTERNAL_WORDS = (
    "hygiene", "hygienic", "quadrant", "T4Q", "whitespace", "white space", "Greenfield", "Beachhead", "Core",
    "Strategic", "warning", "warnings", "crop rotation", "colonization", "continuation", "motion", "Thriving",
    "Coasting", "At risk", "kit run", "audience", "health index", "RAG", "RED", "AMBER", "buying center",
    "buying centers", "pipeline", "perception gap", "rater", "raters", "account plan", "Account Development Plan",
)
_LABELS = {"Core", "Strategic", "Greenfield", "Beachhead", "RAG", "RED", "AMBER", "T4Q", "Thriving", "Coasting"}


def internal_words(text: str, *, own: str = "") -> list[str]:
    """The internal words in ``text`` (``own``, the account's name, removed first: a
    company may be called "Core Logistics")."""
    if own:
        text = text.replace(own, " ")
    found = []
    for word in INTERNAL_WORDS:
        flags = 0 if word in _LABELS else re.IGNORECASE
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, flags):
            found.append(word)
    return found


def mentions(text: str, token: str) -> bool:
    """``token`` (a name or an id) in ``text`` as a whole word."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


def html_text(path: Path) -> str:
    """What a reader of a page sees: its text, attributes' text (alt, title) and the text
    of its SVG charts; entities decoded."""
    page = path.read_text(encoding="utf-8")
    svgs = [base64.b64decode(b).decode("utf-8") for b in re.findall(r'data:image/svg\+xml;base64,([^"]+)"', page)]
    no_style = re.sub(r"<style.*?</style>", " ", page, flags=re.DOTALL)
    alts = " ".join(re.findall(r'(?:alt|title)="([^"]*)"', no_style))
    charts = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", s, flags=re.DOTALL)) for s in svgs)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", no_style) + " " + alts + " " + charts)


def page_style(path: Path) -> str:
    """The page's own stylesheet (running header and footer), CSS escapes decoded."""
    page = path.read_text(encoding="utf-8")
    styles = re.findall(r"<style>(.*?)</style>", page, flags=re.DOTALL)
    css = styles[-1] if len(styles) > 1 else ""
    return re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), css)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF (pypdf)."""
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def pdf_metadata(path: Path) -> str:
    from pypdf import PdfReader

    meta = PdfReader(str(path)).metadata or {}
    return " ".join(str(v) for v in meta.values())


def pptx_text(path: Path) -> str:
    """Every text of a deck: shapes, tables, charts (titles, categories, series), speaker
    notes and the file's properties."""
    from pptx import Presentation

    prs = Presentation(str(path))
    parts = []
    props = prs.core_properties
    parts += [props.title or "", props.subject or "", props.author or "", props.keywords or "", props.comments or "",
              props.category or "", props.last_modified_by or ""]
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                chart = shape.chart
                if chart.has_title:
                    parts.append(chart.chart_title.text_frame.text)
                for plot in chart.plots:
                    parts += [str(c) for c in plot.categories]
                    parts += [s.name for s in plot.series]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)
