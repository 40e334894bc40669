"""``index.html``: the run folder's front page, self-contained (nothing fetched).

Links to the portfolio report and every account report, with each account's category,
health index, RAG, quadrant and warnings count.  The page is the Jinja template
``kit/resources/index/index.html.j2`` (every value escaped), styled by the kit's one
stylesheet (``kit/resources/kit.css``) and made sortable and filterable by
``kit/resources/index/index.js`` (no library), both inlined: nothing is fetched.
Without JavaScript the page is the plain table with every account shown; with it, the
table shows the first 200 matching accounts and a "Show more" bar (sorting and filtering
cover every account), so that thousands of accounts stay quick to sort and filter.  The
Report column is there only when it says more than "ok" on every row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

import kit
from kit.figures.model import PortfolioModel
from kit.figures.quadrant import QUADRANT_RULES
from kit.figures.words import score_text
from kit.files.names import report_page, report_stems
from kit.report.blocks import rag_badge, stylesheet
from kit.report.loading import portfolio_wide
from kit.schema import CATEGORIES

__all__ = ["index_page", "report_hrefs"]

#: Sort rank of a RAG band (worst first) and the value of a missing quadrant in the filter.
_RAG_RANK = {"red": 1, "amber": 2, "green": 3}
_NO_QUADRANT = "none"

#: Columns of the accounts table: (key the script looks up, heading, sort type).
#: "num" columns sort on each cell's ``data-sort`` number; "text" columns on the cell text.
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "Account", "text"),
    ("id", "Id", "text"),
    ("category", "Category", "num"),  # data-sort: rank in CATEGORIES (Strategic first)
    ("revenue", "T4Q revenue", "num"),
    ("health", "Health index", "num"),
    ("rag", "RAG", "num"),  # data-sort: red 1, amber 2, green 3
    ("quadrant", "Quadrant", "text"),
    ("warnings", "Warnings", "num"),
    ("report", "Report", "text"),
)

#: Segment filters beyond category and quadrant: (column of the figures, filter key).  The
#: portfolio report's segment summaries link to ``index.html#<key>=<value>``.
_SEGMENT_FILTERS = (("industry", "industry"), ("region", "region"), ("account_manager", "manager"))
_SEGMENT_LABELS = (("Industry", "All industries"), ("Region", "All regions"), ("Account manager", "All managers"))


def report_hrefs(model: PortfolioModel, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Account id -> the link to its report from a page at the root of an internal run's
    folder (``index.html``, ``portfolio.html``): ``accounts/<stem>.html``, where ``kit run``
    writes it (:meth:`kit.run.layout.Layout.page`; the manifest records the same path,
    which this page links).  The stems come from every id of the model
    (:func:`kit.files.names.report_stems`), as ``kit run`` names the files, also in a run
    of some accounts.  ``ids``: the accounts to link (None: every account)."""
    stems = portfolio_wide(model, "stems", lambda: report_stems(model.figures.index))
    return {a: report_page(stems[a]) for a in (model.figures.index if ids is None else ids)}


def _text(v: object) -> str:
    """A text cell's value ('' when missing)."""
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _num(v: object) -> str:
    """A number's raw value for ``data-sort`` ('' when missing)."""
    if v is None or pd.isna(v) or (isinstance(v, float) and math.isinf(v)):
        return ""
    x = float(v)
    return str(int(x)) if x.is_integer() else repr(x)


def _ordered(values: list[str], order: tuple[str, ...]) -> list[str]:
    """The values present, in ``order``, any other value after them, sorted (a filter's options)."""
    present = set(values)
    return [v for v in order if v in present] + sorted(present - set(order))


def _legend(model: PortfolioModel) -> list[tuple[str, str]]:
    s = model.settings
    return [
        ("Category", f"relationship category as of {model.as_of:%Y-%m-%d}, from revenue: "
                     + ", ".join(CATEGORIES) + "."),
        ("T4Q revenue", "revenue of the trailing four quarters (T4Q) "
                        f"{model.t4q_label}" + (f", in {model.settings.currency}" if model.settings.currency else "") + "."),
        ("Health index", "0–100: weighted mean of the ten element scores of the latest assessment; — when not assessed."),
        ("RAG", f"band of the health index: GREEN at or above {s.rag_green:g}, AMBER at or above {s.rag_amber:g}, RED below."),
        ("Quadrant", (f"health × hygiene: Thriving (healthy and hygienic), Coasting (hygienic, not healthy), "
                     f"Building (healthy, not hygienic), At risk (neither); healthy means a health index of "
                     f"{s.health_threshold:g} or more; — when either is unknown.")),
        ("Warnings", "number of early-warning rules that fired for the account (listed in tables/warnings.csv)."),
        ("Report", ("ok with a link on the account's name (and to its PDF and deck when the run made them: kit run "
                    "--pdf, --deck), or why its report failed.")),
    ]


def _template():
    """The page's Jinja template (``kit/resources/index/``), every value escaped unless marked safe."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("kit", "resources/index"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    return env.get_template("index.html.j2")


def _script() -> str:
    from importlib.resources import files

    script = (files("kit.resources") / "index" / "index.js").read_text(encoding="utf-8")
    if "</" in script:  # it is inlined into a <script> element
        raise ValueError("kit/resources/index/index.js must not contain '</'")
    return script


def index_page(model: PortfolioModel, accounts: dict[str, dict], portfolio: dict | None, *, ids: list[str], audience: str,
               branding=None) -> str:
    """``index.html``: links to the portfolio report and every account report, with each
    account's category, health index, RAG, quadrant and warnings count.

    Parameters
    ----------
    model : PortfolioModel
        The run's figures (one row per account in ``model.figures``).
    accounts : dict
        Per account id: ``status`` ("ok" or "failed"), ``report`` (path of its HTML,
        relative to the run folder) and ``error``.
    portfolio : dict or None
        The portfolio report's ``status`` and ``error``.
    ids : list of str
        Accounts listed, in this order.
    audience : str
        The reports' audience, shown in the header line.
    branding : kit.report.branding.Branding, optional
        The firm's logo and accent colour (None: the kit's own look).

    Returns
    -------
    str
        A complete, self-contained HTML document (inline CSS and script; nothing fetched).
    """
    f = model.figures
    cat_rank = {c: i + 1 for i, c in enumerate(CATEGORIES)}
    rows = []
    for acc in ids:
        r, row = accounts.get(acc, {}), f.loc[acc]
        cat = "" if pd.isna(row["category"]) else str(row["category"])
        quad = row["quadrant"] if isinstance(row["quadrant"], str) and row["quadrant"] else None
        rag = row["health_rag"] if isinstance(row["health_rag"], str) else None
        rows.append({
            "ok": r.get("status") == "ok", "report": r.get("report"), "error": r.get("error") or "not rendered",
            "name": row["account_name"], "id": acc, "category": cat, "category_rank": cat_rank.get(cat, ""),
            "revenue": "—" if pd.isna(row["revenue_t4q"]) else f"{float(row['revenue_t4q']):,.0f}",
            "revenue_sort": _num(row["revenue_t4q"]),
            "health": score_text(row["health_index"], model.settings.rag), "health_sort": _num(row["health_index"]),
            "rag_rank": _RAG_RANK.get(rag, ""), "rag_badge": rag_badge(row["health_rag"]),
            "quadrant": quad or "—", "quadrant_value": quad or _NO_QUADRANT, "warnings": int(row["n_warnings"]),
            # segments the portfolio report links to (index.html#industry=Retail): filters only, no column
            "segments": {key: _text(row.get(col)) for col, key in _SEGMENT_FILTERS},
            "pdf": r.get("pdf"), "deck": r.get("deck"),  # made by kit run --pdf / --deck
        })
    quads = [r["quadrant_value"] for r in rows if r["quadrant_value"] != _NO_QUADRANT]
    # the Report column says something only when a report failed or was not rendered, or
    # the run made PDFs or decks to link: "ok" on every row is left out
    show_report = any(not r["ok"] or r["pdf"] or r["deck"] for r in rows)
    from kit.report.branding import Branding, banner, page_style

    css = "" if branding is None else page_style(branding, title="Account health assessments", confidential="Confidential: internal")
    return _template().render(
        banner=banner(branding or Branding()), page_css=css,
        source=model.portfolio.source.name, as_of=f"{model.as_of:%Y-%m-%d}", t4q=model.t4q_label, audience=audience,
        version=kit.__version__, css=stylesheet(), script=_script(),
        portfolio_ok=bool(portfolio and portfolio.get("status") == "ok"),
        portfolio_error=(portfolio or {}).get("error") or "not rendered", portfolio_pdf=(portfolio or {}).get("pdf"),
        n_failed=sum(1 for r in rows if not r["ok"]),
        categories=_ordered([r["category"] for r in rows], CATEGORIES),
        quadrants=_ordered(quads, tuple(QUADRANT_RULES.values())),
        segment_filters=[{"key": key, "label": label, "options": _ordered([r["segments"][key] for r in rows], ()),
                          "all": all_label} for (col, key), (label, all_label) in zip(_SEGMENT_FILTERS, _SEGMENT_LABELS)
                         if any(r["segments"][key] for r in rows)],
        no_quadrant=any(r["quadrant_value"] == _NO_QUADRANT for r in rows), no_quadrant_value=_NO_QUADRANT,
        columns=[{"key": k, "label": label, "type": t, "numeric": k in ("revenue", "health", "warnings")}
                 for k, label, t in _COLUMNS if k != "report" or show_report],
        rows=rows, show_report=show_report,
        legend=[(term, text) for term, text in _legend(model) if term != "Report" or show_report],
    ) + "\n"
