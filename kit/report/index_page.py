"""``index.html``: the run folder's front page, self-contained (nothing fetched).

Links to the portfolio report and every account report, with each account's category,
health index, RAG, quadrant and warnings count.  Styled by the kit's one stylesheet
(``kit/resources/kit.css``, inlined as in the reports).  A small inline script (no
library) makes the accounts table sortable by any column and filterable by text,
category and quadrant; without JavaScript the page is the plain table with every
account shown.
"""

from __future__ import annotations

import math

import pandas as pd

import kit
from kit.figures.model import QUADRANT_RULES, PortfolioModel
from kit.report.blocks import esc, fmt_num, rag_badge, stylesheet
from kit.schema import CATEGORIES

__all__ = ["index_page"]

#: Sort rank of a RAG band (worst first) and the value of a missing quadrant in the filter.
_RAG_RANK = {"red": 1, "amber": 2, "green": 3}
_NO_QUADRANT = "none"

#: Columns of the accounts table: (key the script looks up, heading, sort type).
#: "num" columns sort on each cell's ``data-sort`` number; "text" columns on the cell text.
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "Account", "text"),
    ("id", "Id", "text"),
    ("category", "Category", "num"),  # data-sort: rank in CATEGORIES (Strategic first)
    ("health", "Health index", "num"),
    ("rag", "RAG", "num"),  # data-sort: red 1, amber 2, green 3
    ("quadrant", "Quadrant", "text"),
    ("warnings", "Warnings", "num"),
    ("report", "Report", "text"),
)

# The page's script: progressive enhancement of the table rendered above it.  Headings
# become <button>s (with aria-sort on the sorted column), the filter form is shown and
# rows are hidden/reordered in place.  Nothing is fetched; must not contain "</".
_SCRIPT = r"""
(function () {
  "use strict";
  var table = document.getElementById("accounts");
  var form = document.getElementById("filters");
  if (!table || !form || !table.tHead || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var text = document.getElementById("f-text");
  var category = document.getElementById("f-category");
  var quadrant = document.getElementById("f-quadrant");
  var shownN = document.getElementById("shown-n");
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function col(key) {
    for (var i = 0; i < heads.length; i++) if (heads[i].getAttribute("data-key") === key) return i;
    return -1;
  }
  function cellValue(tr, key) {
    var c = tr.cells[col(key)];
    return c ? (c.hasAttribute("data-value") ? c.getAttribute("data-value") : c.textContent) : "";
  }
  var items = Array.prototype.slice.call(body.rows).map(function (tr, i) {
    return {
      tr: tr, order: i,
      search: ["name", "id", "category", "quadrant"].map(function (k) {
        var c = tr.cells[col(k)];
        return c ? c.textContent : "";
      }).join("\n").toLowerCase(),
      category: cellValue(tr, "category"),
      quadrant: cellValue(tr, "quadrant")
    };
  });

  // --- filter -------------------------------------------------------------------------
  function applyFilter() {
    var terms = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var cat = category.value, quad = quadrant.value, n = 0;
    items.forEach(function (it) {
      var ok = terms.every(function (t) { return it.search.indexOf(t) !== -1; }) &&
        (!cat || it.category === cat) && (!quad || it.quadrant === quad);
      it.tr.hidden = !ok;
      if (ok) n++;
    });
    shownN.textContent = String(n);
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("input", applyFilter);
  form.addEventListener("change", applyFilter);
  form.addEventListener("reset", function () { setTimeout(applyFilter, 0); });

  // --- sort ---------------------------------------------------------------------------
  var sortCol = -1, sortDir = 1;
  function key(tr, i, numeric) {
    var c = tr.cells[i];
    if (!c) return null;
    var raw = (c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent).trim();
    if (numeric) {
      var x = parseFloat(raw);
      return raw === "" || isNaN(x) ? null : x;
    }
    return raw === "" || raw === "\u2014" ? null : raw;
  }
  function sortBy(i) {
    sortDir = sortCol === i ? -sortDir : 1;
    sortCol = i;
    var numeric = heads[i].getAttribute("data-type") === "num";
    var keyed = items.map(function (it) { return { it: it, k: key(it.tr, i, numeric) }; });
    keyed.sort(function (a, b) {
      if (a.k === null || b.k === null) {  // missing values last, whatever the direction
        if (a.k !== b.k) return a.k === null ? 1 : -1;
      } else {
        var d = numeric ? a.k - b.k : collator.compare(a.k, b.k);
        if (d) return d * sortDir;
      }
      return a.it.order - b.it.order;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (x) { frag.appendChild(x.it.tr); });
    body.appendChild(frag);
    heads.forEach(function (th, j) {
      var arrow = th.querySelector(".arrow");
      if (j === i) {
        th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
        if (arrow) arrow.textContent = sortDir > 0 ? "\u25B2" : "\u25BC";
      } else {
        th.removeAttribute("aria-sort");
        if (arrow) arrow.textContent = "\u2195";
      }
    });
  }
  heads.forEach(function (th, i) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    var arrow = document.createElement("span");
    arrow.className = "arrow";
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "\u2195";
    button.appendChild(arrow);
    button.addEventListener("click", function () { sortBy(i); });
    th.appendChild(button);
  });

  form.hidden = false;
  applyFilter();  // a browser may restore the form's values on reload
})();
"""


def _num(v: object) -> str:
    """A number's raw value for ``data-sort`` ('' when missing)."""
    if v is None or pd.isna(v) or (isinstance(v, float) and math.isinf(v)):
        return ""
    x = float(v)
    return str(int(x)) if x.is_integer() else repr(x)


def _options(values: list[str], order: tuple[str, ...], *, all_label: str, missing: bool) -> str:
    """``<option>``s of a filter select: 'all', the values present (in ``order``, any other
    value after them, sorted) and 'none' when some row has no value."""
    present = set(values)
    known = [v for v in order if v in present] + sorted(present - set(order))
    opts = [f'<option value="">{esc(all_label)}</option>']
    opts += [f'<option value="{esc(v)}">{esc(v)}</option>' for v in known]
    if missing:
        opts.append(f'<option value="{_NO_QUADRANT}">none</option>')
    return "".join(opts)


def _legend(model: PortfolioModel) -> str:
    s = model.settings
    items = (
        ("Category", f"relationship category as of {model.as_of:%Y-%m-%d}, from revenue: "
                     + ", ".join(CATEGORIES) + "."),
        ("Health index", "0–100: weighted mean of the ten element scores of the latest assessment; — when not assessed."),
        ("RAG", f"band of the health index: GREEN at or above {s.rag_green:g}, AMBER at or above {s.rag_amber:g}, RED below."),
        ("Quadrant", (f"health × hygiene: Thriving (healthy and hygienic), Coasting (hygienic, not healthy), "
                     f"Building (healthy, not hygienic), At risk (neither); healthy means a health index of "
                     f"{s.health_threshold:g} or more; — when either is unknown.")),
        ("Warnings", "number of early-warning rules that fired for the account (listed in tables/warnings.csv)."),
        ("Report", "ok with a link on the account's name, or why its report failed."),
    )
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return f'<h2>What the columns mean</h2><dl class="legend">{body}</dl>'


def index_page(model: PortfolioModel, accounts: dict[str, dict], portfolio: dict | None, *, ids: list[str], audience: str) -> str:
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

    Returns
    -------
    str
        A complete, self-contained HTML document (inline CSS and script; nothing fetched).
    """
    f = model.figures
    cat_rank = {c: i + 1 for i, c in enumerate(CATEGORIES)}
    rows, cats, quads = [], [], []
    for acc in ids:
        r, row = accounts.get(acc, {}), f.loc[acc]
        ok = r.get("status") == "ok"
        name = esc(row["account_name"])
        link = f'<a href="{esc(r["report"])}">{name}</a>' if ok else name
        status = "ok" if ok else f'<span class="flag">failed: {esc(r.get("error") or "not rendered")}</span>'
        cat = "" if pd.isna(row["category"]) else str(row["category"])
        quad = row["quadrant"] if isinstance(row["quadrant"], str) and row["quadrant"] else None
        cats.append(cat)
        quads.append(quad)
        rag = row["health_rag"] if isinstance(row["health_rag"], str) else None
        n_warn = int(row["n_warnings"])
        rows.append(
            f"<tr><td>{link}</td><td>{esc(acc)}</td>"
            f'<td data-value="{esc(cat)}" data-sort="{cat_rank.get(cat, "")}">{esc(cat)}</td>'
            f'<td class="num" data-sort="{_num(row["health_index"])}">{fmt_num(row["health_index"])}</td>'
            f'<td data-sort="{_RAG_RANK.get(rag, "")}">{rag_badge(row["health_rag"])}</td>'
            f'<td data-value="{esc(quad or _NO_QUADRANT)}">{esc(quad or "—")}</td>'
            f'<td class="num" data-sort="{n_warn}">{n_warn}</td><td>{status}</td></tr>')
    if portfolio and portfolio.get("status") == "ok":
        plink = '<p><a href="portfolio.html"><strong>Portfolio health assessment</strong></a></p>'
    else:
        err = esc((portfolio or {}).get("error") or "not rendered")
        plink = f'<p class="flag">Portfolio report failed: {err}</p>'
    n_failed = sum(1 for a in ids if accounts.get(a, {}).get("status") != "ok")
    failed = f'<p class="flag">{n_failed} account report(s) failed; see manifest.json.</p>' if n_failed else ""
    num_cls = ' class="num"'
    head = "".join(
        f'<th scope="col" data-key="{k}" data-type="{t}"{num_cls if k in ("health", "warnings") else ""}>{esc(label)}</th>'
        for k, label, t in _COLUMNS)
    n = len(ids)
    filters = (
        '<form id="filters" class="filters" role="search" aria-label="Filter accounts" hidden>'
        '<label>Search<input type="search" id="f-text" name="q" autocomplete="off" '
        'placeholder="name, id, category or quadrant"></label>'
        f'<label>Category<select id="f-category" name="category">'
        f'{_options(cats, CATEGORIES, all_label="All categories", missing=False)}</select></label>'
        f'<label>Quadrant<select id="f-quadrant" name="quadrant">'
        f'{_options([q for q in quads if q], tuple(QUADRANT_RULES.values()), all_label="All quadrants", missing=None in quads)}'
        '</select></label><button type="reset">Clear</button>'
        '<p class="hint">Click a column heading to sort; click again to reverse.</p></form>'
    )
    shown = f'<p class="shown muted" aria-live="polite"><span id="shown-n">{n}</span> of {n} accounts shown</p>'
    source = esc(model.portfolio.source.name)
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"color-scheme\" content=\"light\">"
        f"<title>Account health assessments: {source}</title><style>\n{stylesheet()}\n</style></head>"
        "<body class=\"kit-index\"><main>"
        f"<h1>Account health assessments</h1><p class=\"muted\">{source} · analysis date "
        f"{model.as_of:%Y-%m-%d} · T4Q {esc(model.t4q_label)} · audience {esc(audience)} · kit {esc(kit.__version__)}</p>"
        f"{plink}{failed}{filters}{shown}"
        f'<div class="table-wrap"><table id="accounts" class="accounts"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f"{_legend(model)}"
        "<p class=\"muted\">Tables for BI tools are in tables/; manifest.json records inputs, settings and each report's status.</p>"
        f"</main><script>{_SCRIPT}</script></body></html>"
    )
