"""The rendered reports in a real browser: headless Chromium through Playwright.

A small synthetic portfolio is rendered once (``kit.run.run``, plus one account for the
client audience); index.html, portfolio.html and one account report are opened from
file:// in Debian's chromium (``/usr/bin/chromium``, never a browser Playwright
downloads).  Each page must make no request other than file: and data:, raise no script
error or console error, show its sections by their visible headings, load every image
and show no notebook code, prompt or repr text.  A full-page screenshot of each page is
kept in ``reports/test-artifacts/`` (git-ignored) for CI to keep.

Without chromium these tests skip, except under ``KIT_REQUIRE_BROWSER=1`` (set by
``make test``, which installs chromium first with ``make browser``), where they fail.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

import pandas as pd
import pytest

from kit.run.batch import run

# -- what each page must show: its visible headings (h1-h4), as the code writes them today.
#    Keep in step with kit/report.py, kit/index.py and notebooks/*.ipynb.
INDEX_HEADINGS = ["Account health assessments", "What the columns mean"]
PORTFOLIO_HEADINGS = [
    "Portfolio health assessment",  # the page's title (the notebook's own title cell is not on the page)
    "Health x hygiene",
    "Element scores by account",
    "Weakest elements across the portfolio",
    "Relationship categories",
    "Market position",
    "Revenue by motion and the 80/20 split",
    "Retention",
    "Early warnings across accounts",
    "Account-manager load",
    "Benchmarks",
    "All accounts, ranked by health index",
]
ACCOUNT_HEADINGS = [  # the internal audience (default); the account's name is checked too
    "Executive summary",  # the title "Account health assessment: <name>" is checked with the name
    "Assessment: the ten elements",
    "Leading health indicators",
    "Revenue and hygiene",
    "Concentration",
    "Relationships and stakeholders",
    "Pipeline",
    "Whitespace",
    "KPIs",
    "Early warnings",
    "Recommended objectives",
    "Account Development Plan",
    "Benchmarks against the portfolio",
]
CLIENT_ACCOUNT_HEADINGS = [  # the QBR in the client's words (issue 16); its title is checked with the name
    "Our partnership this quarter",
    "What went well",
    "What to improve together",
    "Next steps",
    "Progress since last quarter",
    "How we rate our partnership",
    "Our work together",
    "Your feedback",
]
#: Internal material a client-audience report must not show.
INTERNAL_ONLY_HEADINGS = [
    "Executive summary",
    "Most serious warnings",
    "Leading health indicators",
    "Revenue and hygiene",
    "Recommended objectives",
    "Concentration",
    "Relationships and stakeholders",
    "Pipeline",
    "Whitespace",
    "KPIs",
    "Early warnings",
    "Account Development Plan",
    "Benchmarks against the portfolio",
    "Rater comments (internal)",
]
#: Text that means notebook machinery leaked into a report.
LEAK_TEXT = ["In [", "Out[", "<Figure size", "<Axes", "Traceback (most recent call last)", "<Section ", "<kit."]

CHROMIUM = os.environ.get("KIT_CHROMIUM") or "/usr/bin/chromium"  # Debian's chromium package
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRE_BROWSER = os.environ.get("KIT_REQUIRE_BROWSER", "") not in ("", "0")
ARTIFACTS = Path(__file__).resolve().parents[2] / "reports" / "test-artifacts"
ALLOWED_SCHEMES = {"file", "data"}

SYNTH = (5, 11)  # accounts, seed
ACCOUNT_INDEX = 2  # "O'Brien & Sons <Holdings>": a name that needs escaping


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason}; KIT_REQUIRE_BROWSER is set, so the browser tests must run "
                    "(`make browser` installs Debian's chromium)", pytrace=False)
    pytest.skip(f"{reason}: browser tests skipped (install Debian's chromium, e.g. `make browser`, to run them)")


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium, launched once for the module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no chromium at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Rendered:
    out: Path
    client_out: Path
    accounts: pd.DataFrame
    account_id: str
    account_name: str
    account_report: str
    client_report: str


@pytest.fixture(scope="module")
def rendered(browser, synth_portfolio, tmp_path_factory) -> Rendered:
    """The small synthetic portfolio rendered once, and one account for the client audience."""
    data = synth_portfolio(*SYNTH)
    base = tmp_path_factory.mktemp("browser")
    accounts = pd.read_csv(data / "accounts.csv", dtype=str, keep_default_na=False)
    acc = accounts["account_id"].iloc[ACCOUNT_INDEX]
    res = run(data, out=base / "internal", workers=2, progress=False)
    assert res.exit_code == 0, res.accounts
    client = run(data, out=base / "client", accounts=[acc], workers=1, audience="client", progress=False)
    assert client.exit_code == 0, client.accounts
    return Rendered(out=res.out, client_out=client.out, accounts=accounts, account_id=acc,
                    account_name=accounts["account_name"].iloc[ACCOUNT_INDEX],
                    account_report=res.accounts[acc]["report"], client_report=client.accounts[acc]["report"])


@dataclass
class Visit:
    """What a page did and showed in the browser."""

    name: str
    path: Path
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    text: str = ""
    broken_images: list[str] = field(default_factory=list)
    n_images: int = 0
    code_elements: int = 0
    links: list[str] = field(default_factory=list)
    screenshot: Path | None = None


_INSPECT = """() => {
  const visible = el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const norm = s => s.replace(/\\s+/g, ' ').replace(/\\s*\\u00b6$/, '').trim();
  const imgs = [...document.images];
  return {
    headings: [...document.querySelectorAll('h1, h2, h3, h4')].filter(visible).map(h => norm(h.innerText)),
    text: document.body.innerText,
    n_images: imgs.length,
    broken_images: imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 60)),
    code_elements: [...document.querySelectorAll(
        '.jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .jp-Editor, .CodeMirror, ' +
        '.jp-InputPrompt, .jp-OutputPrompt, .input_prompt, .output_prompt')].filter(visible).length,
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}"""


@pytest.fixture(scope="module")
def visit(browser, rendered):
    """``visit(name)``: open one page once (cached), record everything and screenshot it."""
    pages = {
        "index": rendered.out / "index.html",
        "portfolio": rendered.out / "portfolio.html",
        "account": rendered.out / rendered.account_report,
        "account-client": rendered.client_out / rendered.client_report,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Visit] = {}

    def open_page(name: str) -> Visit:
        if name in seen:
            return seen[name]
        v = Visit(name=name, path=pages[name])
        context = browser.new_context(viewport={"width": 1200, "height": 900}, device_scale_factor=1,
                                      service_workers="block")
        page = context.new_page()
        page.on("request", lambda r: v.requests.append(r.url))
        page.on("requestfailed", lambda r: v.failed.append(f"{r.url[:120]}: {r.failure}"))
        page.on("pageerror", lambda e: v.errors.append(str(e)))
        page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" else None)
        try:
            page.goto(v.path.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            v.screenshot = ARTIFACTS / f"{name}.png"
            page.screenshot(path=str(v.screenshot), full_page=True)  # before any assertion: kept on failure too
            for key, value in page.evaluate(_INSPECT).items():
                setattr(v, key, value)
        finally:
            context.close()
        seen[name] = v
        return v

    return open_page


PAGES = ["index", "portfolio", "account", "account-client"]


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_offline(visit, name):
    v = visit(name)
    assert v.requests, "the page itself should be requested"
    outside = [u[:120] for u in v.requests if urlparse(u).scheme not in ALLOWED_SCHEMES]
    assert not outside, f"{name}: requests beyond file:/data: {outside}"
    assert not v.failed, f"{name}: failed requests {v.failed}"
    assert not v.errors, f"{name}: script errors {v.errors}"
    assert not v.console_errors, f"{name}: console errors {v.console_errors}"
    assert v.screenshot is not None and v.screenshot.stat().st_size > 0


@pytest.mark.parametrize("name", PAGES)
def test_page_shows_no_notebook_machinery_and_loads_every_image(visit, name):
    v = visit(name)
    assert not v.broken_images, f"{name}: images not loaded {v.broken_images}"
    assert v.code_elements == 0, f"{name}: {v.code_elements} visible code cell/prompt element(s)"
    leaks = [t for t in LEAK_TEXT if t in v.text]
    assert not leaks, f"{name}: notebook text shown: {leaks}"


@pytest.mark.parametrize("name", PAGES)
def test_local_links_resolve(visit, name):
    """Every link to a file (other reports, the editable plan) points at a file the run wrote."""
    v = visit(name)
    for href in v.links:
        url = urlparse(href)
        if url.scheme != "file":
            continue
        target = Path(url2pathname(unquote(url.path)))
        assert target.is_file(), f"{name}: link to a missing file {href}"


def _missing(headings: list[str], expected: list[str]) -> list[str]:
    return [h for h in expected if h not in headings]


def test_index_lists_the_reports_and_its_links_resolve(visit, rendered):
    v = visit("index")
    assert not _missing(v.headings, INDEX_HEADINGS), v.headings
    for name in rendered.accounts["account_name"]:
        assert name in v.text, f"account {name!r} not shown in index.html"
    assert v.links, "index.html has no links"
    targets = []
    for href in v.links:
        url = urlparse(href)
        assert url.scheme == "file", f"index.html links outside the run folder: {href}"
        target = Path(url2pathname(unquote(url.path)))
        assert target.is_file(), f"index.html links to a missing file: {href}"
        targets.append(target.resolve())
    out = rendered.out.resolve()
    assert out / "portfolio.html" in targets
    account_pages = {t for t in targets if t.parent == out / "accounts"}
    assert account_pages == {p.resolve() for p in (out / "accounts").glob("*.html")}
    assert len(account_pages) == len(rendered.accounts)


def test_index_link_opens_the_account_report(browser, rendered):
    """Click through, as a reader would: the account's name leads to its report."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        page.goto((rendered.out / "index.html").as_uri(), wait_until="load")
        page.get_by_role("link", name=rendered.account_name, exact=True).click()
        page.wait_for_load_state("load")
        opened = Path(url2pathname(unquote(urlparse(page.url).path))).resolve()
        assert opened == (rendered.out / rendered.account_report).resolve()
        assert page.get_by_role("heading", name=f"Account health assessment: {rendered.account_name}",
                                exact=True).is_visible()
    finally:
        context.close()


def test_portfolio_shows_its_sections(visit):
    v = visit("portfolio")
    assert not _missing(v.headings, PORTFOLIO_HEADINGS), f"missing {_missing(v.headings, PORTFOLIO_HEADINGS)}; shown {v.headings}"
    assert v.n_images > 0


def test_account_report_shows_its_sections(visit, rendered):
    v = visit("account")
    expected = ACCOUNT_HEADINGS + [f"Account health assessment: {rendered.account_name}"]  # the name as text, never markup
    assert not _missing(v.headings, expected), f"missing {_missing(v.headings, expected)}; shown {v.headings}"
    assert v.n_images > 0


def test_client_account_report_leaves_out_internal_sections(visit, rendered):
    v = visit("account-client")
    expected = CLIENT_ACCOUNT_HEADINGS + [f"Quarterly business review: {rendered.account_name}"]
    assert not _missing(v.headings, expected), f"missing {_missing(v.headings, expected)}; shown {v.headings}"
    shown = [h for h in INTERNAL_ONLY_HEADINGS if h in v.headings]
    assert not shown, f"client report shows internal sections {shown}"
