"""PDFs (``kit run --pdf``, kit.report.pdf): printed by one headless Chromium, read back
with pypdf: pages, running header and footer, the confidentiality mark, the account's
name and no other's; skipped on unchanged reruns; nothing fetched while printing; the
page counts of the shipped sample against their targets.

Without chromium these tests skip, except under ``KIT_REQUIRE_BROWSER=1`` (``make
test``), where they fail; the error for a missing browser is tested without one.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from deliverables_helpers import mentions, pdf_pages

from kit.errors import UsageError
from kit.run.batch import run

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_BROWSER = os.environ.get("KIT_REQUIRE_BROWSER", "") not in ("", "0")
SYNTH = (4, 11)
#: a name the running header must show as written: quotes, a backslash, markup
HOSTILE_NAME = 'Quill "Q" \\ Partners </style><b>'
#: printed pages (issue 16): the internal account report, the QBR, the portfolio
TARGETS = {"account": 8, "qbr": 4, "portfolio": 20}


def _require_browser() -> None:
    try:
        from kit.report.pdf import check_pdf_engine

        check_pdf_engine()
    except (UsageError, ImportError) as exc:
        if REQUIRE_BROWSER:
            pytest.fail(f"{exc}; KIT_REQUIRE_BROWSER is set, so the PDF tests must run", pytrace=False)
        pytest.skip(f"no browser to print with: {exc}")


@pytest.fixture(scope="module")
def data(synth_portfolio, tmp_path_factory) -> Path:
    src = synth_portfolio(*SYNTH)
    folder = tmp_path_factory.mktemp("pdfdata") / "data"
    shutil.copytree(src, folder)
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str, keep_default_na=False)
    accounts.loc[3, "account_name"] = HOSTILE_NAME
    accounts.to_csv(folder / "accounts.csv", index=False)
    return folder


class _Runs:
    """The module's runs: pages first, then --pdf --deck (printing and decks only), then the same again."""

    def __init__(self, out: Path, pages, printed, again, launches: int):
        self.out, self.pages, self.printed, self.again, self.launches = out, pages, printed, again, launches

    @property
    def manifest(self) -> dict:
        return json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(data, tmp_path_factory) -> _Runs:
    _require_browser()
    from playwright import sync_api

    out = tmp_path_factory.mktemp("pdfrun") / "run"
    pages = run(data, out=out, workers=2, progress=False)
    assert pages.exit_code == 0, pages.accounts
    launches = []
    real = sync_api.sync_playwright

    def counting():
        launches.append(1)
        return real()

    sync_api.sync_playwright = counting
    try:
        printed = run(data, out=out, workers=2, progress=False, pdf=True, deck=True)
    finally:
        sync_api.sync_playwright = real
    assert printed.exit_code == 0, printed.accounts
    made = [*out.rglob("*.pdf"), *out.rglob("*.pptx")]
    mtimes = {p: p.stat().st_mtime_ns for p in made}
    again = run(data, out=out, workers=2, progress=False, pdf=True, deck=True)
    assert {p: p.stat().st_mtime_ns for p in made} == mtimes  # kept, not printed or built again
    return _Runs(out, pages, printed, again, len(launches))


def test_every_page_has_its_pdf_listed_in_the_manifest_and_linked_from_the_index(runs, data):
    m = runs.manifest
    index = (runs.out / "index.html").read_text(encoding="utf-8")
    for rec in m["accounts"].values():
        assert rec["pdf"] == rec["report"].removesuffix(".html") + ".pdf" and rec["pdf"].startswith("accounts/")
        assert (runs.out / rec["pdf"]).is_file() and rec["pdf"] in m["files"]
        assert f'href="{rec["pdf"]}"' in index
        assert rec["deck"].startswith("decks/") and rec["deck"].endswith(".pptx") and rec["deck"] in m["files"]
        assert (runs.out / rec["deck"]).is_file() and f'href="{rec["deck"]}"' in index
    assert m["portfolio"]["pdf"] == "portfolio.pdf" and "portfolio.pdf" in m["files"]
    assert 'href="portfolio.pdf"' in index
    assert not list(runs.out.rglob("*.kit-tmp"))  # written whole, no leftovers


def test_all_pdfs_of_a_run_come_from_one_browser(runs):
    assert runs.launches == 1


def test_turning_pdf_and_deck_on_renders_no_page_again(runs):
    assert all(r["skipped"] for r in runs.printed.accounts.values())
    assert runs.printed.portfolio["skipped"]
    assert runs.printed.model is not None  # the flags changed: a real run, whose pages were all kept


def test_an_unchanged_rerun_with_the_same_flags_keeps_every_pdf(runs):
    assert runs.again.model is None  # nothing loaded, no kernel, no browser
    assert all(r["skipped"] for r in runs.again.accounts.values())


def test_each_pdf_reads_back_with_its_header_footer_and_mark(runs, data):
    names = pd.read_csv(data / "accounts.csv", dtype=str, keep_default_na=False).set_index("account_id")["account_name"]
    for acc, rec in runs.manifest["accounts"].items():
        pages = pdf_pages(runs.out / rec["pdf"])
        assert 1 <= len(pages) <= 30
        for i, text in enumerate(pages, start=1):
            assert "Confidential: internal" in text, (acc, i)
            assert f"Page {i} of {len(pages)}" in text, (acc, i)
            assert "Account health assessment: " + names[acc] in text, (acc, i)  # the running header
        whole = "\n".join(pages)
        for other, other_name in names.items():
            if other != acc:
                assert not mentions(whole, other_name), (acc, other)


def test_the_running_header_shows_a_name_with_quotes_and_markup_as_written(runs, data):
    acc = pd.read_csv(data / "accounts.csv", dtype=str, keep_default_na=False)["account_id"][3]
    pages = pdf_pages(runs.out / runs.manifest["accounts"][acc]["pdf"])
    assert all(f"Account health assessment: {HOSTILE_NAME}" in text for text in pages)


def test_the_portfolio_pdf(runs):
    pages = pdf_pages(runs.out / "portfolio.pdf")
    assert "Portfolio health assessment" in pages[0]
    assert all("Confidential: internal" in t for t in pages)


# -- nothing fetched ----------------------------------------------------------------------
class _Hits(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        _Hits.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_page_that_asks_for_the_network_is_printed_offline(tmp_path):
    _require_browser()
    from kit.report.pdf import PdfPrinter

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    page = tmp_path / "page.html"
    page.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
<style>@import url("http://127.0.0.1:{port}/imported.css");</style></head>
<body><h1>Offline</h1><img src="http://127.0.0.1:{port}/x.png" alt="remote">
<img src="http://127.0.0.1:9/y.png" alt="closed port"><iframe src="https://example.com/"></iframe>
<script src="http://127.0.0.1:{port}/x.js"></script></body></html>""", encoding="utf-8")
    try:
        with PdfPrinter() as printer:
            out = printer.print_pdf(page, tmp_path / "page.pdf")
            blocked = list(printer.blocked)
    finally:
        server.shutdown()
    assert _Hits.hits == []  # no request reached the server
    assert len(pdf_pages(out)) == 1 and "Offline" in pdf_pages(out)[0]
    assert {f"http://127.0.0.1:{port}/x.png", "http://127.0.0.1:9/y.png"} <= set(blocked)
    assert all(not u.startswith(("file:", "data:")) for u in blocked)


def test_pdf_without_a_browser_is_a_clear_error_before_anything_renders(synth_portfolio, tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(UsageError, match="--pdf: the browser .*no-chromium"):
        run(synth_portfolio(*SYNTH), out=tmp_path / "out", progress=False, pdf=True)
    assert not (tmp_path / "out" / "accounts").exists()


# -- the shipped sample: printed pages against the targets ----------------------------------
@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory) -> dict[str, list[int]]:
    """Three accounts of data/sample (the largest, a middle one, the smallest by revenue),
    internal with the portfolio, and the same three as client QBRs."""
    _require_browser()
    data = ROOT / "data" / "sample"
    revenue = pd.read_csv(data / "revenue.csv", dtype={"account_id": str}).groupby("account_id")["amount"].sum().sort_values()
    ids = [revenue.index[-1], revenue.index[len(revenue) // 2], revenue.index[0]]
    base = tmp_path_factory.mktemp("sample_pdf")
    internal = run(data, out=base / "internal", accounts=ids, workers=2, progress=False, pdf=True)
    client = run(data, out=base / "client", accounts=ids, workers=2, progress=False, pdf=True, audience="client")
    assert internal.exit_code == 0 and client.exit_code == 0
    def count(out: Path, rel: str) -> int:
        return len(pdf_pages(out / rel))

    return {"account": [count(internal.out, r["pdf"]) for r in internal.accounts.values()],
            "qbr": [count(client.out, r["pdf"]) for r in client.accounts.values()],
            "portfolio": [count(internal.out, internal.portfolio["pdf"])]}


@pytest.mark.parametrize("kind", ["qbr", "portfolio", "account"])
def test_page_counts_of_the_sample_meet_the_targets(sample_pdfs, kind):
    counts, target = sample_pdfs[kind], TARGETS[kind]
    print(f"{kind}: {counts} printed pages (target at most {target})")
    assert max(counts) <= target, counts
