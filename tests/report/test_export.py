"""kit.export: executed notebook -> self-contained client HTML without code."""

from __future__ import annotations

import base64
import copy
import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kit.report.export import notebook_to_html, stylesheet

# A valid 1x1 PNG.
PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6"
    "kgAAAABJRU5ErkJggg=="
)
CODE_SOURCE = (
    "very_secret_variable_name = compute_health('acme')\nprint('hello from stdout')"
)
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
TABLE_HTML = (
    "<table><thead><tr><th>element</th><th>score</th></tr></thead><tbody>"
    "<tr><td>client_understanding</td><td>72.5</td></tr>"
    "<tr><td>pipeline_health</td><td><span class=\"rag-red\">Red</span> 41.0</td></tr>"
    f"<tr><td>comment</td><td>{ESCAPED_SCRIPT}</td></tr>"
    "</tbody></table>"
)
TITLE = "Acme <Holdings> & Co: account health"


def _notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Account health: Acme\n\nAssessment of *all ten* elements."),
        new_code_cell(
            CODE_SOURCE,
            execution_count=3,
            outputs=[
                new_output("display_data", data={"text/html": TABLE_HTML, "text/plain": "t"}),
                new_output("display_data", data={"image/png": PNG_B64, "text/plain": "fig"}),
                new_output("stream", name="stdout", text="hello from stdout\n"),
                new_output("stream", name="stderr", text="UserWarning: /home/me/secret.py\n"),
                # JavaScript must never reach the page: its plain-text fallback is shown.
                new_output(
                    "display_data",
                    data={"application/javascript": "alert(2)", "text/plain": "js fallback"},
                ),
            ],
        ),
    ]
    # Widget state in the metadata would make lab's template emit a <script>.
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.validate(nb)
    return nb


@pytest.fixture(scope="module")
def exported() -> tuple[nbformat.NotebookNode, nbformat.NotebookNode, str]:
    nb = _notebook()
    before = copy.deepcopy(nb)
    return nb, before, notebook_to_html(nb, title=TITLE)


@pytest.fixture(scope="module")
def html(exported) -> str:
    return exported[2]


@pytest.fixture(scope="module")
def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_png_fixture_is_a_png() -> None:
    assert base64.b64decode(PNG_B64).startswith(b"\x89PNG\r\n\x1a\n")


def test_code_source_and_prompts_absent(html: str) -> None:
    assert "very_secret_variable_name" not in html
    assert "compute_health" not in html
    assert "In&nbsp;[" not in html and "In\xa0[" not in html
    assert "Out[" not in html


def test_markdown_heading_rendered(soup: BeautifulSoup) -> None:
    h1 = soup.find("h1")
    assert h1 is not None and h1.get_text(strip=True) == "Account health: Acme"
    assert soup.find("em") is not None


def test_html_table_intact(soup: BeautifulSoup) -> None:
    tables = soup.find_all("table")
    assert len(tables) == 1
    assert len(tables[0].find_all("td")) == TABLE_HTML.count("<td>")
    assert len(tables[0].find_all("th")) == TABLE_HTML.count("<th>")
    badge = tables[0].find("span", class_="rag-red")
    assert badge is not None and badge.get_text() == "Red"


def test_png_embedded(soup: BeautifulSoup) -> None:
    imgs = soup.find_all("img")
    assert len(imgs) == 1
    assert imgs[0]["src"] == f"data:image/png;base64,{PNG_B64}"
    assert imgs[0].get("alt")


def test_stdout_kept_stderr_dropped(html: str) -> None:
    assert "hello from stdout" in html
    assert "secret.py" not in html


def test_nothing_fetched_from_network(html: str, soup: BeautifulSoup) -> None:
    for tag in soup.find_all(["script", "link", "img", "iframe", "source", "video"]):
        for attr in ("src", "href"):
            value = tag.get(attr) or ""
            assert not re.match(r"\s*(https?:)?//", value, re.IGNORECASE), (tag.name, value)
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.IGNORECASE)
    assert not re.search(r"@import", html, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.IGNORECASE)


def test_no_script_at_all(html: str, soup: BeautifulSoup) -> None:
    assert soup.find("script") is None
    assert "alert(2)" not in html
    assert "js fallback" in html
    assert not re.search(r"require\.?js", html, re.IGNORECASE)
    assert "mathjax" not in html.lower()


def test_title_escaped(soup: BeautifulSoup, html: str) -> None:
    assert soup.title is not None and soup.title.string == TITLE
    assert "<Holdings>" not in html


def test_escaped_text_stays_escaped(html: str, soup: BeautifulSoup) -> None:
    assert ESCAPED_SCRIPT in html
    assert "<script>alert(1)" not in html
    assert "<script>alert(1)</script>" in soup.get_text()


def test_styles_present(html: str) -> None:
    selectors = (".rag-green", ".rag-amber", ".rag-red", ".flag", ".muted", ".kpis",
                 ".kpi .value", ".kpi .label")
    for selector in selectors:
        assert selector in html, selector
    assert "max-width: 1100px" in html
    assert "@media print" in html


def test_style_is_the_kit_stylesheet_inlined(soup: BeautifulSoup) -> None:
    styles = soup.find_all("style")
    assert len(styles) == 1 and styles[0].string.strip() == stylesheet().strip()
    assert soup.find("link") is None


def test_input_notebook_not_modified(exported) -> None:
    nb, before, _ = exported
    assert nb == before


def test_reused_exporter_gives_the_same_page_as_a_new_one() -> None:
    """The exporter is built once per thread; a second notebook leaves nothing behind."""
    import threading

    from kit.report import export

    nb = _notebook()  # new cells get random ids: the same notebook each time
    first = notebook_to_html(copy.deepcopy(nb), title=TITLE)
    other = new_notebook()
    other.cells = [new_markdown_cell("# Other account: Globex"),
                   new_code_cell("x", execution_count=1, outputs=[new_output("stream", name="stdout", text="globex\n")])]
    assert "Globex" in notebook_to_html(other, title="Globex report")
    again = notebook_to_html(copy.deepcopy(nb), title=TITLE)
    assert again == first and "Globex" not in again

    fresh: list[str] = []  # a thread starts with its own, new exporter
    t = threading.Thread(target=lambda: fresh.append(notebook_to_html(copy.deepcopy(nb), title=TITLE)))
    t.start()
    t.join()
    assert fresh == [first]
    assert export._exporter() is export._exporter()


def test_every_image_has_alt_text(soup: BeautifulSoup) -> None:
    """The kit template gives each image its alt text (nbconvert's own pass that adds a
    placeholder is skipped for speed)."""
    imgs = soup.find_all("img")
    assert imgs and all(img.get("alt") for img in imgs)
