"""An account's deck as a PowerPoint file, drawn with python-pptx.

The slides come from :mod:`kit.report.deck_content` as plain data; this module only
draws them.  Charts are native PowerPoint charts (their data in the embedded workbook,
editable in PowerPoint or LibreOffice), tables are tables and text stays text: nothing
is a picture but the firm's logo.

Without ``deck_template`` the deck is 16:9 on python-pptx's plain master.  With it, the
deck is built on the firm's own .pptx: its slide size, masters and theme are kept, its
example slides dropped, and each slide uses one of its layouts, found by name ("Title
Slide", "Title and Content", "Title Only") or, for layouts renamed in the firm's
language, by their placeholders (a title and a subtitle; a title and a body; a title
alone).  Text goes into the layout's own placeholders where there is one, so the
template's fonts and bullet styles apply; charts, tables and cards are placed in the
area of the layout's body placeholder.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

from kit.files.atomic import replacing
from kit.report.branding import Branding
from kit.report.deck_content import Block, Bullets, Cards, Chart, Deck, Slide, Table

__all__ = ["build_presentation", "pick_layouts", "write_deck"]

_MUTED = "656D76"
_BORDER = "D0D7DE"
_PALE = "F6F8FA"
#: characters XML 1.0 cannot hold (input text never breaks the file)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text))


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


# -- layouts ---------------------------------------------------------------------------
def _types(layout) -> set:
    return {ph.placeholder_format.type for ph in layout.placeholders}


def pick_layouts(prs) -> dict[str, object]:
    """The layouts a deck uses: ``title`` (title slide), ``content`` (title and body) and
    ``title_only``; by their usual names first, else by their placeholders (for a firm's
    layouts renamed in its own words).  A missing kind falls back to another."""
    from pptx.enum.shapes import PP_PLACEHOLDER as PH

    layouts = list(prs.slide_layouts)
    by_name = {layout.name.strip().lower(): layout for layout in layouts}
    titles, body = {PH.TITLE, PH.CENTER_TITLE}, {PH.BODY, PH.OBJECT}

    def first(*tests):
        for test in tests:
            for layout in layouts:
                if test(layout):
                    return layout
        return None

    title = by_name.get("title slide") or first(
        lambda lay: PH.CENTER_TITLE in _types(lay) and PH.SUBTITLE in _types(lay),
        lambda lay: bool(_types(lay) & titles) and PH.SUBTITLE in _types(lay))
    content = by_name.get("title and content") or first(
        lambda lay: bool(_types(lay) & titles) and bool(_types(lay) & body) and PH.SUBTITLE not in _types(lay))
    title_only = by_name.get("title only") or first(
        lambda lay: bool(_types(lay) & titles) and not _types(lay) & (body | {PH.SUBTITLE, PH.PICTURE, PH.CHART, PH.TABLE}))
    fallback = content or title_only or title or layouts[0]
    return {"title": title or fallback, "content": content or fallback, "title_only": title_only or content or fallback}


def _drop_slides(prs) -> None:
    """Remove the template's own slides (examples, instructions): the deck is ours."""
    ids = prs.slides._sldIdLst  # python-pptx has no public call for this
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)


def _widen(prs, factor: float) -> None:
    """Stretch the plain master's placeholders to a wider slide (python-pptx's master is
    4:3; the deck is 16:9): each placeholder with a position of its own, on the master and
    its layouts, keeps its place relative to the slide's width."""
    for shapes in [prs.slide_master.placeholders, *(layout.placeholders for layout in prs.slide_layouts)]:
        for ph in shapes:
            if ph._element.xfrm is not None:  # an inherited position follows the master's
                ph.left, ph.width = int(ph.left * factor), int(ph.width * factor)


def _clone_placeholder(slide, kind):
    """The slide layout's placeholder of ``kind`` (footer, slide number) copied onto the
    slide, as PowerPoint does when its footer is switched on (python-pptx leaves them
    out); None when the layout has none."""
    import copy

    for ph in slide.slide_layout.placeholders:
        if ph.placeholder_format.type == kind:
            slide.shapes._spTree.append(copy.deepcopy(ph._element))
            return slide.placeholders[ph.placeholder_format.idx]
    return None


def _placeholder(slide, types):
    for ph in slide.placeholders:
        if ph.placeholder_format.type in types:
            return ph
    return None


def _remove(shape) -> None:
    el = shape._element
    el.getparent().remove(el)


# -- drawing ---------------------------------------------------------------------------
class _Drawer:
    """Draws the slides of one deck into one presentation."""

    def __init__(self, prs, *, branding: Branding, logo: bytes | None, templated: bool):
        from pptx.util import Inches

        self.prs, self.branding, self.logo, self.templated = prs, branding, logo, templated
        self.layouts = pick_layouts(prs)
        self.W, self.H = prs.slide_width, prs.slide_height
        self.margin = Inches(0.5)
        self.area = self._content_area()

    def _content_area(self) -> tuple[int, int, int, int]:
        """Left, top, width, height of the content: the content layout's body placeholder,
        or the slide below its title, above the footer."""
        from pptx.enum.shapes import PP_PLACEHOLDER as PH
        from pptx.util import Inches

        lay = self.layouts["content"]
        bodies = [ph for ph in lay.placeholders if ph.placeholder_format.type in (PH.BODY, PH.OBJECT)]
        if bodies:
            ph = max(bodies, key=lambda p: (p.width or 0) * (p.height or 0))
            if ph.width and ph.height:
                bottom = min(ph.top + ph.height, self.H - Inches(0.55))
                return ph.left, ph.top, ph.width, bottom - ph.top
        top = Inches(1.45)
        return self.margin, top, self.W - 2 * self.margin, self.H - top - Inches(0.6)

    # text
    def _para(self, p, text: str, *, size: int | None = None, bold: bool = False, colour: str | None = None) -> None:
        from pptx.util import Pt

        run = p.add_run()
        run.text = _clean(text)
        if size:
            run.font.size = Pt(size)
        if bold:
            run.font.bold = True
        if colour:
            run.font.color.rgb = _rgb(colour)

    def _textbox(self, slide, x, y, w, h, lines: list[tuple[str, int, bool]], *, size: int, colour: str | None = None,
                 bullets: bool = False):
        """A text box of ``(text, level, bold)`` lines."""
        from pptx.enum.text import MSO_AUTO_SIZE
        from pptx.util import Pt

        box = slide.shapes.add_textbox(x, y, w, h)
        tf = box.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        for i, (text, level, bold) in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.level = max(0, level)
            prefix = ("• " if level == 0 else "– ") if bullets and not bold else ""
            self._para(p, prefix + text, size=size - 2 * max(0, level), bold=bold, colour=colour if not bold else self.accent)
            p.space_after = Pt(6)
        return box

    @property
    def accent(self) -> str:
        return self.branding.accent

    def _title(self, slide, text: str) -> None:
        from pptx.enum.shapes import PP_PLACEHOLDER as PH
        from pptx.util import Inches, Pt

        ph = _placeholder(slide, {PH.TITLE, PH.CENTER_TITLE})
        if ph is None:
            self._textbox(slide, self.margin, Inches(0.4), self.W - 2 * self.margin, Inches(0.9), [(text, 0, False)], size=30,
                          colour=self.accent)
            return
        ph.text_frame.text = _clean(text)
        if not self.templated:  # the plain master: the firm's accent on titles; a template keeps its own
            for p in ph.text_frame.paragraphs:
                for r in p.runs:
                    r.font.color.rgb = _rgb(self.accent)
                    r.font.size = Pt(30 if slide.slide_layout is not self.layouts["title"] else 40)
                    r.font.bold = True

    def _footer(self, slide, deck: Deck, number: int) -> None:
        """The confidentiality mark, the firm and the slide number on every slide: in a
        template's own footer and slide-number placeholders when its layout has them (its
        place and style), else in text boxes along the bottom edge."""
        from pptx.enum.shapes import PP_PLACEHOLDER as PH
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Inches, Pt

        if self.templated:
            footer = _clone_placeholder(slide, PH.FOOTER)
            if footer is not None:
                footer.name = "Confidentiality"
                footer.text_frame.text = ""
                mark = deck.confidential + (f" · {self.branding.firm_name}" if self.branding.firm_name else "")
                self._para(footer.text_frame.paragraphs[0], mark, bold=True)
                number_ph = _clone_placeholder(slide, PH.SLIDE_NUMBER)
                if number_ph is not None:
                    number_ph.text_frame.text = ""
                    self._para(number_ph.text_frame.paragraphs[0], str(number))
                return
        y, h = self.H - Inches(0.42), Inches(0.3)
        half = (self.W - 2 * self.margin) // 2
        right = " · ".join(t for t in (self.branding.firm_name, str(number)) if t)
        for name, left, text, style in (("Confidentiality", self.margin, deck.confidential, {"bold": True, "colour": "A40E26"}),
                                        ("Footer", self.margin + half, right, {"colour": _MUTED})):
            box = slide.shapes.add_textbox(left, y, half, h)
            box.name = name
            tf = box.text_frame
            tf.word_wrap = True  # a box that keeps its width (without, it shrinks around its centre)
            tf.margin_top = tf.margin_bottom = Pt(0)
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.RIGHT if name == "Footer" else PP_ALIGN.LEFT
            self._para(p, text, size=9, **style)

    def _logo(self, slide) -> None:
        from pptx.util import Inches

        if not self.logo:
            return
        pic = slide.shapes.add_picture(io.BytesIO(self.logo), self.margin, self.margin, height=Inches(0.8))
        if pic.width > Inches(3):  # a wide logo: no wider than three inches
            ratio = Inches(3) / pic.width
            pic.width, pic.height = Inches(3), int(pic.height * ratio)
        pic.left = self.W - self.margin - pic.width
        pic.name = "Logo"

    # slides
    def title_slide(self, deck: Deck, slide_data: Slide):
        from pptx.enum.shapes import PP_PLACEHOLDER as PH
        from pptx.util import Inches

        slide = self.prs.slides.add_slide(self.layouts["title"])
        self._title(slide, slide_data.title)
        sub = _placeholder(slide, {PH.SUBTITLE})
        if sub is not None:
            tf = sub.text_frame
            tf.text = ""
            for i, line in enumerate(slide_data.subtitle.split("\n")):
                p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
                self._para(p, line, bold=i == 0, size=None if self.templated else (24 if i == 0 else 16))
        else:
            self._textbox(slide, self.margin, self.H // 2, self.W - 2 * self.margin, Inches(1.5),
                          [(t, 0, False) for t in slide_data.subtitle.split("\n")], size=20)
        self._clear_empty(slide)
        self._logo(slide)
        return slide

    def content_slide(self, slide_data: Slide):
        from pptx.enum.shapes import PP_PLACEHOLDER as PH

        blocks = slide_data.blocks
        only_text = len(blocks) == 1 and isinstance(blocks[0], Bullets) and not blocks[0].heading
        slide = self.prs.slides.add_slide(self.layouts["content" if only_text else "title_only"])
        self._title(slide, slide_data.title)
        body = _placeholder(slide, {PH.BODY, PH.OBJECT})
        if only_text and body is not None:
            self._fill_placeholder(body, blocks[0])
        else:
            if body is not None:
                _remove(body)
            self._blocks(slide, blocks)
        self._clear_empty(slide)
        return slide

    def _clear_empty(self, slide) -> None:
        """Remove placeholders left empty (they show "Click to add text" when edited)."""
        for ph in list(slide.placeholders):
            if ph.has_text_frame and not ph.text_frame.text.strip():
                _remove(ph)

    def _fill_placeholder(self, ph, block: Bullets) -> None:
        """Bullets in the layout's own body placeholder: the template's bullet styles apply.
        A long text gets a smaller size (a template's 32 points fit three short lines)."""
        from pptx.enum.text import MSO_AUTO_SIZE

        tf = ph.text_frame
        tf.text = ""
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        volume = sum(len(t) for t, _ in block.items) + 60 * len(block.items)
        size = (None if self.templated else 20) if volume <= 320 else 18 if volume <= 520 else 16
        for i, (text, level) in enumerate(block.items):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.level = max(0, level)
            self._para(p, text, size=None if size is None else size - 4 * min(level, 1))

    def _blocks(self, slide, blocks: list[Block]) -> None:
        from pptx.util import Inches

        x0, y0, w, h = self.area
        gap = Inches(0.3)
        weights = [1.6 if isinstance(b, Table) else 1.4 if isinstance(b, Chart) else 1.0 for b in blocks]
        if len(blocks) == 3:
            weights = [1.0, 1.0, 1.0]
        free = w - gap * (len(blocks) - 1)
        x = x0
        for block, weight in zip(blocks, weights):
            bw = int(free * weight / sum(weights))
            self._block(slide, block, x, y0, bw, h, alone=len(blocks) == 1)
            x += bw + gap

    def _block(self, slide, block: Block, x, y, w, h, *, alone: bool) -> None:
        if isinstance(block, Bullets):
            lines = ([(block.heading, 0, True)] if block.heading else []) + [(t, lvl, False) for t, lvl in block.items]
            self._textbox(slide, x, y, w, h, lines, size=20 if alone else 16, bullets=True)
        elif isinstance(block, Table):
            self._table(slide, block, x, y, w, h)
        elif isinstance(block, Chart):
            self._chart(slide, block, x, y, w, h)
        elif isinstance(block, Cards):
            self._cards(slide, block, x, y, w, h)

    def _table(self, slide, t: Table, x, y, w, h) -> None:
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Inches, Pt

        n_rows = len(t.rows) + 1
        longest = max([len(" ".join(r)) for r in t.rows] or [0])
        size = 14 if n_rows <= 6 and longest < 120 else 12 if n_rows <= 8 else 11
        row_h = Inches(0.42 if size >= 14 else 0.36)
        shape = slide.shapes.add_table(n_rows, len(t.columns), x, y, w, min(h, row_h * n_rows))
        shape.name = "Table"
        table = shape.table
        widths = list(t.widths) if len(t.widths) == len(t.columns) else [1.0] * len(t.columns)
        for i, col in enumerate(table.columns):
            col.width = int(w * widths[i] / sum(widths))
        for r in range(n_rows):
            table.rows[r].height = row_h
            for c in range(len(t.columns)):
                cell = table.cell(r, c)
                text = t.columns[c] if r == 0 else t.rows[r - 1][c]
                tf = cell.text_frame
                tf.word_wrap = True
                tf.text = ""
                p = tf.paragraphs[0]
                self._para(p, text, size=size, bold=r == 0, colour="FFFFFF" if r == 0 else None)
                if c in t.numeric:
                    p.alignment = PP_ALIGN.RIGHT
                cell.margin_left = cell.margin_right = Pt(5)
                cell.margin_top = cell.margin_bottom = Pt(3)
                if r == 0:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = _rgb(self.accent)

    def _chart(self, slide, c: Chart, x, y, w, h) -> None:
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
        from pptx.util import Inches, Pt

        data = CategoryChartData(number_format=c.number_format)
        data.categories = [_clean(k) for k in c.categories]
        for s in c.series:
            data.add_series(_clean(s.name), [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                                             for v in s.values])
        kind = {"bar": XL_CHART_TYPE.BAR_CLUSTERED, "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
                "column_stacked": XL_CHART_TYPE.COLUMN_STACKED}[c.kind]
        caption_h = Inches(0.4) if c.caption else 0
        frame = slide.shapes.add_chart(kind, x, y, w, h - caption_h, data)
        frame.name = "Chart: " + _clean(c.title or "chart")
        chart = frame.chart
        chart.font.size = Pt(11 if w > Inches(5.5) else 10)
        chart.has_title = bool(c.title)  # without a title, no series name shown as one
        if c.title:
            chart.chart_title.text_frame.text = _clean(c.title)
            for p in chart.chart_title.text_frame.paragraphs:
                for r in p.runs:
                    r.font.size, r.font.bold = Pt(13), True
        chart.has_legend = c.legend
        if c.legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
        plot = chart.plots[0]
        plot.gap_width = 60 if c.kind == "bar" else 80
        if c.kind == "column_stacked":
            plot.overlap = 100
        va = chart.value_axis
        va.has_major_gridlines = True
        va.major_gridlines.format.line.color.rgb = _rgb(_BORDER)
        va.tick_labels.number_format = c.number_format
        va.tick_labels.number_format_is_linked = False
        va.minimum_scale = 0
        if c.maximum is not None:
            va.maximum_scale = c.maximum
        if c.kind == "bar":
            chart.category_axis.reverse_order = True  # the first element on top, as on the page
        if c.data_labels:  # on the first series only (the latest): a second's labels would crowd the bars
            labels = plot.series[0].data_labels
            labels.show_value = True
            labels.number_format, labels.number_format_is_linked = c.number_format, False
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
            labels.font.size = Pt(10)
        for series, s in zip(plot.series, c.series):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(s.colour or self.accent)
            if s.point_colours:
                for i, colour in enumerate(s.point_colours):
                    pt = series.points[i]
                    pt.format.fill.solid()
                    pt.format.fill.fore_color.rgb = _rgb(colour)
        if c.caption:
            self._textbox(slide, x, y + h - caption_h, w, caption_h, [(c.caption, 0, False)], size=10, colour=_MUTED)

    def _cards(self, slide, cards: Cards, x, y, w, h) -> None:
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.enum.text import MSO_ANCHOR
        from pptx.util import Inches, Pt

        n = len(cards.items)
        if n == 0:
            return
        gap = Inches(0.2)
        cols = max(1, min(n, int((w + gap) // (Inches(2.4) + gap))))
        rows = math.ceil(n / cols)
        cw = (w - gap * (cols - 1)) // cols
        ch = min(Inches(1.6), (h - gap * (rows - 1)) // rows)
        for i, (label, value, note) in enumerate(cards.items):
            cx, cy = x + (i % cols) * (cw + gap), y + (i // cols) * (ch + gap)
            box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, cx, cy, cw, ch)
            box.name = "Card: " + _clean(label)
            box.adjustments[0] = 0.08
            box.fill.solid()
            box.fill.fore_color.rgb = _rgb(_PALE)
            box.line.color.rgb = _rgb(_BORDER)
            box.shadow.inherit = False
            tf = box.text_frame
            tf.word_wrap = True
            tf.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf.margin_left = tf.margin_right = Pt(10)
            self._para(tf.paragraphs[0], value, size=26, bold=True, colour=self.accent)
            self._para(tf.add_paragraph(), label, size=12, colour="1F2328")
            if note:
                self._para(tf.add_paragraph(), note, size=10, colour=_MUTED)


def build_presentation(deck: Deck, *, branding: Branding | None = None, logo: bytes | None = None):
    """The deck as a python-pptx ``Presentation`` (not saved).

    Parameters
    ----------
    deck : Deck
        What each slide shows (:mod:`kit.report.deck_content`).
    branding : Branding, optional
        Accent colour, firm name and ``deck_template`` (None: the kit's defaults).
    logo : bytes, optional
        The logo as PNG or JPEG bytes, on the title slide (an SVG logo is rasterized by
        the caller: PowerPoint files from python-pptx cannot hold SVG).
    """
    from pptx import Presentation
    from pptx.util import Inches

    branding = branding or Branding()
    templated = branding.deck_template is not None
    if templated:
        prs = Presentation(str(branding.deck_template))
        _drop_slides(prs)
    else:
        prs = Presentation()
        old = prs.slide_width
        prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)  # 16:9, as screens and projectors are
        _widen(prs, prs.slide_width / old)
    props = prs.core_properties
    props.title, props.subject, props.keywords, props.comments, props.category = _clean(deck.title), "", "", "", ""
    props.author = props.last_modified_by = _clean(branding.firm_name)
    drawer = _Drawer(prs, branding=branding, logo=logo, templated=templated)
    for number, slide_data in enumerate(deck.slides, start=1):
        slide = drawer.title_slide(deck, slide_data) if slide_data.kind == "title" else drawer.content_slide(slide_data)
        drawer._footer(slide, deck, number)
        if slide_data.notes:
            slide.notes_slide.notes_text_frame.text = _clean(slide_data.notes)
    return prs


def write_deck(deck: Deck, path: str | Path, *, branding: Branding | None = None, logo: bytes | None = None) -> Path:
    """Draw ``deck`` and save it to ``path`` (a .pptx), written whole or not at all."""
    prs = build_presentation(deck, branding=branding, logo=logo)
    with replacing(Path(path)) as tmp, open(tmp, "wb") as fh:
        prs.save(fh)
    return Path(path)
