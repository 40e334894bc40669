"""The consultant's index of a client-audience run: ``_consultant/index.html``.

One row per account: its folder to send, links to its business review page, PDF and
deck, and its status.  The page is the consultant's own and lists every account, so it
lives in ``_consultant/`` (:mod:`kit.run.layout`), never in an account's folder.  A column
that would say the same on every row is left out: the status when no account failed, the
PDF and deck when the run made none.  A Jinja
template (``kit/resources/index/client_index.html.j2``), every value escaped; the kit's
one stylesheet inlined; no script; nothing fetched.
"""

from __future__ import annotations

import kit
from kit.figures.model import PortfolioModel
from kit.periods import quarter_label
from kit.report.blocks import stylesheet
from kit.report.branding import Branding, banner, page_style

__all__ = ["client_index_page"]


def _template():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("kit", "resources/index"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("client_index.html.j2")


def client_index_page(model: PortfolioModel, accounts: dict[str, dict], *, ids: list[str], stems: dict[str, str],
                      branding: Branding | None = None) -> str:
    """The consultant's index of a client run's deliverables.

    Parameters
    ----------
    model : PortfolioModel
        The run's figures (account names).
    accounts : dict
        Per account id its record: ``status``, ``error``, ``report``, and ``pdf`` and
        ``deck`` when made (paths relative to the run folder).
    ids : list of str
        Accounts listed, in this order.
    stems : dict
        Account id -> its folder's name.
    branding : Branding, optional
        Logo and accent colour.

    Returns
    -------
    str
        A complete, self-contained HTML document.
    """
    branding = branding or Branding()
    names = model.figures["account_name"]
    rows = []
    for acc in ids:
        r = accounts.get(acc, {})
        ok = r.get("status") == "ok"
        rows.append({"name": str(names[acc]), "id": acc, "folder": stems[acc], "ok": ok,
                     "error": r.get("error") or "not rendered",
                     "page": r.get("report") if ok else None, "pdf": r.get("pdf") if ok else None,
                     "deck": r.get("deck") if ok else None})
    css = page_style(branding, title="Client deliverables: consultant's index", confidential="Confidential: internal")
    return _template().render(
        source=model.portfolio.source.name, as_of=f"{model.as_of:%Y-%m-%d}", quarter=quarter_label(model.quarter),
        version=kit.__version__, css=stylesheet(), page_css=css, banner=banner(branding), rows=rows,
        n_failed=sum(1 for r in rows if not r["ok"]), any_pdf=any(r["pdf"] for r in rows),
        any_deck=any(r["deck"] for r in rows),
    ) + "\n"
