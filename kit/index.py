"""``index.html``: the run folder's front page, self-contained (no network, inline CSS).

Links to the portfolio report and every account report, with each account's category,
health index, quadrant and warnings count.
"""

from __future__ import annotations

import kit
from kit.html import esc, fmt_num, rag_badge
from kit.model import PortfolioModel

__all__ = ["index_page"]


_INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;margin:0;background:#f7f8fa}
main{max-width:1100px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .4em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #d9dee3;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}tr:nth-child(even) td{background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#6b7785}.flag{color:#b3261e;font-weight:600}
.rag-green,.rag-amber,.rag-red{padding:1px 6px;border-radius:3px;font-size:.85em;font-weight:600;border:1px solid}
.rag-green{color:#1b5e20;background:#e8f5e9}.rag-amber{color:#7a5200;background:#fff4d6}.rag-red{color:#b3261e;background:#fdecea}
"""


def index_page(model: PortfolioModel, accounts: dict[str, dict], portfolio: dict | None, *, ids: list[str], audience: str) -> str:
    """``index.html``: links to the portfolio report and every account report, with each
    account's category, health index, quadrant and warnings count (self-contained)."""
    f = model.figures
    rows = []
    for acc in ids:
        r, row = accounts.get(acc, {}), f.loc[acc]
        ok = r.get("status") == "ok"
        name = esc(row["account_name"])
        link = f'<a href="{esc(r["report"])}">{name}</a>' if ok else name
        status = "ok" if ok else f'<span class="flag">failed: {esc(r.get("error") or "not rendered")}</span>'
        rows.append(
            f"<tr><td>{link}</td><td>{esc(acc)}</td><td>{esc(row['category'])}</td>"
            f'<td class="num">{fmt_num(row["health_index"])}</td><td>{rag_badge(row["health_rag"])}</td>'
            f"<td>{esc(row['quadrant'] or '—')}</td><td class=\"num\">{int(row['n_warnings'])}</td><td>{status}</td></tr>")
    if portfolio and portfolio.get("status") == "ok":
        plink = '<p><a href="portfolio.html"><strong>Portfolio health assessment</strong></a></p>'
    else:
        err = esc((portfolio or {}).get("error") or "not rendered")
        plink = f'<p class="flag">Portfolio report failed: {err}</p>'
    n_failed = sum(1 for a in ids if accounts.get(a, {}).get("status") != "ok")
    failed = f'<p class="flag">{n_failed} account report(s) failed; see manifest.json.</p>' if n_failed else ""
    head = ("<tr><th>Account</th><th>Id</th><th>Category</th><th>Health index</th><th>RAG</th>"
            "<th>Quadrant</th><th>Warnings</th><th>Report</th></tr>")
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Account health assessments: {esc(model.portfolio.source.name)}</title><style>{_INDEX_CSS}</style></head><body><main>"
        f"<h1>Account health assessments</h1><p class=\"muted\">{esc(model.portfolio.source.name)} · analysis date "
        f"{model.as_of:%Y-%m-%d} · T4Q {esc(model.t4q_label)} · audience {esc(audience)} · kit {esc(kit.__version__)}</p>"
        f"{plink}{failed}<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
        "<p class=\"muted\">Tables for BI tools are in tables/; manifest.json records inputs, settings and each report's status.</p>"
        "</main></body></html>"
    )
