"""HTML building blocks escape all input text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.html import Section, esc, fmt_num, fmt_pct, kpis, rag_badge, table


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
