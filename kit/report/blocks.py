"""Small HTML building blocks for the reports; every piece of input text is escaped here.

Tables are built by hand rather than with pandas ``Styler`` (which does not escape by
default) so that nothing from the inputs reaches a page unescaped.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable, Iterable, Mapping

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from kit.report.css import stylesheet

__all__ = [
    "Section",
    "badge",
    "esc",
    "figure_img",
    "fmt_money",
    "fmt_num",
    "fmt_pct",
    "kpis",
    "rag_badge",
    "status_grid",
    "stylesheet",
    "table",
    "trend",
]


def esc(value: object) -> str:
    """Escaped text of any value; missing values become an empty string."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def fmt_num(v: object, digits: int = 0) -> str:
    """A number with thousands separators; '—' when missing."""
    if v is None or pd.isna(v):
        return "—"
    return f"{float(v):,.{digits}f}"


def fmt_money(v: object) -> str:
    return fmt_num(v, 0)


def fmt_pct(v: object, digits: int = 0) -> str:
    if v is None or pd.isna(v):
        return "—"
    return f"{float(v) * 100:.{digits}f}%"


def badge(text: str, cls: str) -> str:
    return f'<span class="{esc(cls)}">{esc(text)}</span>'


def rag_badge(rag: object) -> str:
    """A RAG label: colour and the word, never colour alone."""
    if rag is None or (not isinstance(rag, str) and pd.isna(rag)):
        return '<span class="muted">not rated</span>'
    if rag == "incomplete":  # an index on too few elements has no band (scoring rule 7)
        return badge("INCOMPLETE", "muted")
    return badge(str(rag).upper(), f"rag-{rag}")


#: columns kit.css right-aligns by position (``table.rN td:nth-child(N)``); a numeric column
#: after them has the class on its cells
_ALIGNED_COLUMNS = 16


def table(df: pd.DataFrame, *, formats: Mapping[str, Callable[[object], str]] | None = None,
          raw_html: Iterable[str] = (), numeric: Iterable[str] = (), caption: str | None = None) -> str:
    """An HTML table; cells escaped unless their column is in ``raw_html`` (cells the kit
    built itself from escaped parts)."""
    formats = dict(formats or {})
    raw, num = set(raw_html), set(numeric)
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    # numeric columns are right-aligned by their position (class rN on the table, see
    # kit.css): a table of thousands of rows does not repeat a class in every cell
    by_position = [i + 1 for i, c in enumerate(df.columns) if c in num and i < _ALIGNED_COLUMNS]
    per_cell = [c in num and i >= _ALIGNED_COLUMNS for i, c in enumerate(df.columns)]
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for col, v, own in zip(df.columns, rec, per_cell):
            text = formats[col](v) if col in formats else v
            body = text if col in raw else esc(text)
            cells.append(f'<td class="num">{body}</td>' if own else f"<td>{body}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    cls = f' class="{" ".join(f"r{i}" for i in by_position)}"' if by_position else ""
    return (f'<div class="table-wrap"><table{cls}>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></div>")


def kpis(cards: Iterable[tuple[str, ...]]) -> str:
    """A row of KPI cards from (label, value text) or (label, value text, trend text)
    tuples (all escaped)."""
    items = []
    for card in cards:
        label, value = card[0], card[1]
        trend = f'<span class="trend">{esc(card[2])}</span>' if len(card) > 2 and card[2] else ""
        items.append(f'<div class="kpi"><span class="value">{esc(value)}</span><span class="label">{esc(label)}</span>{trend}</div>')
    return f'<div class="kpis">{"".join(items)}</div>'


def trend(now: object, before: object, *, digits: int = 0, pct: bool = False, what: str = "the 4 quarters before") -> str:
    """"▲ +5 vs the 4 quarters before" (arrow and sign, never colour alone); '' when either is missing."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return ""
    d = float(now) - float(before)
    arrow = "▲" if d > 0 else "▼" if d < 0 else "="
    body = f"{d * 100:+.{digits}f} pts" if pct else f"{d:+,.{digits}f}"
    return f"{arrow} {body} vs {what}"


def status_grid(matrix: pd.DataFrame, *, corner: str, words: Mapping[str, str]) -> str:
    """A grid of statuses (e.g. the whitespace matrix): each cell carries the status word
    and a ``ws-<status>`` class, so meaning never rests on colour alone."""
    head = f"<th>{esc(corner)}</th>" + "".join(f"<th>{esc(c)}</th>" for c in matrix.columns)
    rows = []
    for name, rec in matrix.iterrows():
        cells = "".join(f'<td class="ws ws-{esc(v)}">{esc(words.get(v, v))}</td>' for v in rec)
        rows.append(f"<tr><th>{esc(name)}</th>{cells}</tr>")
    return f'<div class="table-wrap"><table class="grid"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


_SVG_PREAMBLE = re.compile(r"<!DOCTYPE[^>]*>\s*|\s*<metadata>.*?</metadata>", re.DOTALL)


def figure_img(fig: Figure, alt: str) -> str:
    """A figure as an embedded SVG image (self-contained: no file, no network).

    SVG with text kept as text is about four times faster to write than PNG (no glyph
    rasterizing), smaller and sharp at any zoom. Inside ``<img>`` an SVG runs no script
    and fetches nothing; matplotlib escapes the text it writes. The date is left out and
    the element ids are salted with a constant so the same figure gives the same bytes.
    The figure's layout is fixed in place: draw a figure once.
    """
    engine = fig.get_layout_engine()
    if engine is not None and fig.axes:
        # laid out once, then fixed: savefig would otherwise run the layout in a draw pass
        # of its own before drawing (a fifth of a chart's cost)
        engine.execute(fig)
        fig.set_layout_engine(None)
    buf = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kit"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    # the DOCTYPE and the RDF block only name URLs (never fetched); dropped to keep it lean
    svg = _SVG_PREAMBLE.sub("", buf.getvalue().decode("utf-8"))
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}" style="max-width:100%">'


class Section:
    """One report section: a heading and an HTML body (already escaped).

    Displayed in a notebook through ``_repr_html_``; ``html`` gives the same text.
    """

    def __init__(self, title: str, body: str, *, level: int = 2, anchor: str = ""):
        self.title, self.body, self.level, self.anchor = title, body, level, anchor

    @property
    def html(self) -> str:
        if not self.title and not self.body:
            return ""  # a section left out (e.g. internal material in a client report)
        ident = f' id="{esc(self.anchor)}"' if self.anchor else ""
        return f"<section{ident}><h{self.level}>{esc(self.title)}</h{self.level}>{self.body}</section>"

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # plain-text fallback in a terminal
        return f"<Section {self.title!r}>"
