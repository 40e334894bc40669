"""Executed notebook -> one self-contained HTML page (the report handed to a client).

The page is rendered with the kit's own nbconvert template (``resources/templates/kit``):
code inputs and prompts are hidden, images stay embedded as ``data:`` URIs, and nothing
is fetched from the network (no require.js, MathJax, widget manager, CDN font or CSS; no
``<script>`` at all).  HTML outputs are kept as they are: the kit escapes untrusted text
where it builds that HTML, so nbconvert's ``sanitize_html`` (which mangles tables) stays
off.  Writing the page to disk is another module's job.

Every page the kit writes uses one stylesheet, ``resources/kit.css``: :func:`stylesheet`
reads it, the report template inlines it into a ``<style>`` element (passed in as
``resources.kit_css``) and ``kit.index`` inlines the same text into ``index.html``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import nbformat

from kit.report.css import stylesheet

__all__ = ["DISPLAY_PRIORITY", "TEMPLATE_NAME", "notebook_to_html", "stylesheet"]

#: Name of the kit's nbconvert template directory under ``resources/templates``.
TEMPLATE_NAME = "kit"

#: Output mime types rendered, best first.  JavaScript, widget views, LaTeX and mermaid
#: are left out on purpose: they need scripts (MathJax, mermaid.js, a widget manager) to
#: show, so an output offering them falls back to its HTML, image or plain-text form.
DISPLAY_PRIORITY: tuple[str, ...] = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
)


def _template_basedir() -> Path:
    """Folder holding the kit's nbconvert template directories."""
    # A plain path, not importlib.resources: nbconvert needs a real directory on disk.
    return Path(__file__).resolve().parent.parent / "resources" / "templates"


_LOCAL = threading.local()


def _lean_exporter_class():
    """nbconvert's HTMLExporter without its last step, which parses the whole page again
    with BeautifulSoup only to give images without alt text a placeholder and cells a
    tabindex: a third of the export's time.  Every image the kit draws carries its own
    alt text, and the kit template has no code cells to focus."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class LeanHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node (nbconvert 7) up to the BeautifulSoup step
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return LeanHTMLExporter


def _exporter():
    """This thread's HTML exporter, built once: compiling the templates is half the cost
    of an export, and a worker exports many notebooks (one exporter per thread, as an
    exporter is not meant to be shared between threads)."""
    exporter = getattr(_LOCAL, "exporter", None)
    if exporter is not None:
        return exporter
    # Imported here, not at module level: importing nbconvert is slow and the kit's CLI
    # must start fast for commands that render nothing (``kit validate``, ``kit tables``).
    from traitlets.config import Config

    config = Config(
        {
            "NbConvertBase": {"display_data_priority": list(DISPLAY_PRIORITY)},
            "TagRemovePreprocessor": {
                "enabled": True,
                "remove_cell_tags": {"remove-cell"},
                "remove_all_outputs_tags": {"remove-output"},
            },
        }
    )
    exporter = _lean_exporter_class()(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(_template_basedir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # Heading anchors ("¶") are noise in a printed report.
        exclude_anchor_links=True,
        # Markdown images referenced by local path or attachment become data: URIs.
        embed_images=True,
        # Our own code escapes untrusted text at the source; bleach would break tables.
        sanitize_html=False,
        # the notebook is validated once, after the preprocessors, not after each of the
        # eleven (most of them off): a tenth of a report's export time
        optimistic_validation=True,
    )
    _LOCAL.exporter = exporter
    return exporter


def notebook_to_html(nb: nbformat.NotebookNode, *, title: str, page_css: str = "", banner: str = "") -> str:
    """Export an executed notebook to a self-contained HTML page without code.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not modified: nbconvert works on a copy).
    title : str
        Page title, shown in ``<title>`` (escaped here).
    page_css : str
        The page's own stylesheet (:func:`kit.report.branding.page_style`: accent colour,
        running header and footer of the printed pages); inlined after ``kit.css``.
    banner : str
        HTML at the top of the page (:func:`kit.report.branding.banner`: logo and firm
        name), already escaped.

    Returns
    -------
    str
        The complete HTML document.

    Notes
    -----
    Cells tagged ``remove-cell`` are dropped and outputs of cells tagged
    ``remove-output`` are hidden (nbconvert's TagRemovePreprocessor).  ``stderr``
    streams (warnings, progress bars) are left out of the page; they remain in the
    executed notebook kept beside it.
    """
    exporter = _exporter()
    if "</" in page_css:  # it is inlined into a <style> element
        raise ValueError("page_css must not contain '</'")
    html, _ = exporter.from_notebook_node(nb, resources={"kit_title": str(title), "kit_css": stylesheet(),
                                                         "kit_page_css": page_css, "kit_banner": banner})
    return html
