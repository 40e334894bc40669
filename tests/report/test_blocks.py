"""HTML building blocks escape all input text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.report.blocks import Section, esc, fmt_num, fmt_pct, kpis, rag_badge, table


def test_table_escapes_cells_and_headers():
    df = pd.DataFrame({"<b>h</b>": ["<script>alert(1)</script>", "A & B"]})
    out = table(df)
    assert "<script>" not in out and "&lt;script&gt;" in out and "A &amp; B" in out and "&lt;b&gt;h" in out


def test_raw_html_only_for_named_columns():
    df = pd.DataFrame({"rag": [rag_badge("green")], "text": ["<i>x</i>"]})
    out = table(df, raw_html=["rag"])
    assert '<span class="rag-green">GREEN</span>' in out and "&lt;i&gt;" in out


def test_rag_badge_always_has_a_word():
    assert "GREEN" in rag_badge("green") and "RED" in rag_badge("red") and "not rated" in rag_badge(np.nan)


def test_formats_and_kpis():
    assert fmt_num(1234567.8) == "1,234,568" and fmt_num(np.nan) == "—" and fmt_pct(0.256) == "26%"
    assert "&lt;" in kpis([("<x>", "<y>")])
    assert esc(None) == "" and esc("'") == "&#x27;"
    s = Section("A & B", "<p>x</p>")
    assert s._repr_html_().startswith("<section><h2>A &amp; B</h2>")


def test_trend_text_carries_arrow_and_sign():
    from kit.report.blocks import trend

    assert trend(12, 5) == "▲ +7 vs the 4 quarters before"
    assert trend(3.9, 4.2, digits=2) == "▼ -0.30 vs the 4 quarters before"
    assert trend(0.5, 0.5, pct=True) == "= +0 pts vs the 4 quarters before"
    assert trend(None, 3) == "" and trend(float("nan"), 3) == ""


def test_status_grid_escapes_and_labels_each_cell():
    from kit.report.blocks import status_grid

    m = pd.DataFrame([["bought", "whitespace"]], index=["<b>Fin</b>"], columns=["A&B", "Cloud"])
    html = status_grid(m, corner="bc", words={"bought": "bought", "whitespace": "open"})
    assert "&lt;b&gt;Fin&lt;/b&gt;" in html and "A&amp;B" in html and "<b>" not in html
    assert '<td class="ws ws-bought">bought</td>' in html and '<td class="ws ws-whitespace">open</td>' in html


def _svg_of(img: str) -> str:
    import base64
    import re

    return base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img).group(1)).decode("utf-8")


def test_figure_img_is_a_lean_reproducible_svg_with_escaped_text():
    from xml.dom import minidom

    from matplotlib.figure import Figure

    from kit.report.blocks import figure_img

    def draw():
        fig = Figure(figsize=(3, 2), layout="constrained")
        ax = fig.add_subplot()
        ax.bar(["<script>alert(1)</script>", "A & B"], [1, 2])
        ax.set_title('"$x$" </svg>', parse_math=False)
        return fig

    img = figure_img(draw(), 'alt "quoted" <b>')
    assert 'alt="alt &quot;quoted&quot; &lt;b&gt;"' in img
    svg = _svg_of(img)
    minidom.parseString(svg)  # well-formed: the input text cannot break out of its element
    assert "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "A &amp; B" in svg
    # text stays text (fast, sharp); no DOCTYPE or metadata URLs; only the namespaces remain
    assert "<text" in svg and "<!DOCTYPE" not in svg and "<metadata" not in svg
    import re
    assert set(re.findall(r'https?://[^"\s]+', svg)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert figure_img(draw(), "x") == figure_img(draw(), "x")  # same figure, same bytes (no date, fixed ids)


def test_numeric_columns_are_right_aligned_by_position():
    """A numeric column is right-aligned by a class on the table (``rN``, a rule of
    kit.css), not by a class repeated in each of thousands of cells; past the columns
    the stylesheet covers, the cells carry it."""
    import re

    from kit.report.blocks import _ALIGNED_COLUMNS, table
    from kit.report.css import stylesheet

    df = pd.DataFrame({"Account": ["A <b>", "B"], "Revenue": [1, 2], "Name": ["x", "y"], "Growth": ["5%", "6%"]})
    html = table(df, numeric=["Revenue", "Growth"])
    assert '<table class="r2 r4">' in html and 'class="num"' not in html
    assert "<td>A &lt;b&gt;</td><td>1</td>" in html
    assert "<table>" in table(df)  # no numeric column: no class
    css = stylesheet()
    for i in (2, 4, _ALIGNED_COLUMNS):
        assert re.search(rf"table\.r{i} td:nth-child\({i}\)[,\s{{]", css), i
    wide = pd.DataFrame({f"c{i}": [i] for i in range(_ALIGNED_COLUMNS + 2)})
    html = table(wide, numeric=list(wide.columns))
    assert f"r{_ALIGNED_COLUMNS}\"" in html and html.count('<td class="num">') == 2
