"""Hostile text and confidentiality, end to end.

A synthetic portfolio is rewritten so that every piece of text from the inputs carries
markup (script, image, iframe, table-breaking tags, template and mathtext syntax) and a
marker unique to its account, and the account ids are hostile too (path traversal, a
slash, a Windows-reserved name, a very long id, markup).  Both audiences are rendered;
then every page is read: no input text reaches a page unescaped, every account's file is
its own, and no account report holds any other account's names, contacts, buying
centers, offerings, comments or notes.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path
from xml.dom import minidom

import pandas as pd
import pytest

from kit.cli import main

HOSTILE_IDS = ["../evil", "a/b", "a_b", "CON", "x" * 180, "<b>id</b>", "00123", "Ünïcode id"]
# Markup that must never reach a page as markup (checked on the raw HTML).
RAW_PAYLOADS = ["<script>alert(", "<img src=x", "<iframe", "</td><b>", "<svg onload", "src=\"javascript:"]


MARKERS = {"name": "Acme", "contact": "Person", "bc": "BC", "offering": "Offer", "comment": "Comment",
           "rater": "Rater", "note": "Note"}


def _marker(kind: str, i: int) -> str:
    """The token that names one account's text of one kind (e.g. ``Person3``)."""
    return f"{MARKERS[kind]}{i}"


def _payload(kind: str, i: int) -> str:
    m = _marker(kind, i)
    return {
        "name": f'{m} <script>alert("n{i}")</script> & "Sons" {{{{x}}}} $\\alpha$',
        "contact": f"{m} <img src=x onerror=alert({i})>",
        "bc": f"{m} </td><b>bold</b>",
        "offering": f"{m} <svg onload=alert({i})>",
        "comment": f'{m} <iframe src="javascript:alert({i})"></iframe>',
        "rater": f"{m} <script>alert(1)</script>",
        "note": f"{m} <script>alert('note')</script>",
    }[kind]


@pytest.fixture(scope="module")
def hostile(synth_portfolio, tmp_path_factory) -> tuple[Path, dict[str, dict[str, set[str]]], dict[str, str]]:
    """The hostile portfolio folder; per account id, the marker tokens of its text; the
    sha256 of every input file before any run."""
    src = synth_portfolio(len(HOSTILE_IDS), 23)
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(src, data)
    read = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in data.glob("*.csv")}
    old_ids = read["accounts"]["account_id"].tolist()
    new_id = dict(zip(old_ids, HOSTILE_IDS))
    index = {old: i for i, old in enumerate(old_ids)}
    own: dict[str, dict[str, set[str]]] = {a: {} for a in HOSTILE_IDS}

    def per_account(df: pd.DataFrame, col: str, kind: str, *, keep: bool = True) -> None:
        if col not in df.columns:
            return
        i = df["account_id"].map(index)
        mask = df[col] != ""
        # the account's marker plus the original value: unique per account, still varied
        df.loc[mask, col] = [f"{_payload(kind, n)} {v}" if keep else _payload(kind, n)
                             for n, v in zip(i[mask], df.loc[mask, col])]
        for n in set(i[mask]):
            own[HOSTILE_IDS[n]].setdefault(kind, set()).add(_marker(kind, n))

    per_account(read["accounts"], "account_name", "name", keep=False)
    per_account(read["contacts"], "name", "contact")
    for table in ("revenue", "contacts", "opportunities", "activities"):
        per_account(read[table], "buying_center", "bc")
    # Offerings are the firm's own catalogue, shared by all accounts (the whitespace grid
    # lists every offering of the portfolio): hostile, but not one account's secret.
    for table in ("revenue", "opportunities"):
        df = read[table]
        df.loc[df["offering"] != "", "offering"] = _payload("offering", 0) + " " + df["offering"]
    per_account(read["assessment"], "comment", "comment")
    per_account(read["assessment"], "rater", "rater")
    per_account(read["activities"], "note", "note")
    per_account(read["surveys"], "respondent", "contact")
    for name, df in read.items():
        if "account_id" in df.columns:
            df["account_id"] = df["account_id"].map(new_id)
        df.to_csv(data / f"{name}.csv", index=False)
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data.iterdir())}
    return data, own, hashes


@pytest.fixture(scope="module")
def runs(hostile, tmp_path_factory) -> dict[str, Path]:
    data = hostile[0]
    base = tmp_path_factory.mktemp("runs")
    out = {}
    for audience in ("internal", "client"):
        out[audience] = base / audience
        code = main(["run", "--data", str(data), "--out", str(out[audience]), "--workers", "2", "--no-progress",
                     "--audience", audience])
        assert code == 0
    return out


SVG_TAGS = {"svg", "defs", "style", "g", "path", "text", "clipPath", "rect", "use", "tspan", "polyline", "line",
            "circle", "ellipse", "polygon", "pattern", "image"}


def _check_svg(node) -> None:
    """Only drawing elements, no event handler or link attributes: input text stayed text."""
    assert node.tagName in SVG_TAGS, node.tagName
    for name, value in node.attributes.items():
        assert not name.lower().startswith("on") and name != "src", name
        if name.endswith("href"):  # references within the image, or a heatmap's embedded pixels
            assert value.startswith(("#", "data:image/png;base64,")), value[:40]
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            _check_svg(child)


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def _svgs(html: str) -> list[str]:
    return [base64.b64decode(b).decode("utf-8") for b in re.findall(r'data:image/svg\+xml;base64,([^"]+)"', html)]


@pytest.mark.parametrize("audience", ["internal", "client"])
def test_no_input_text_reaches_a_page_as_markup(runs, audience):
    out = runs[audience]
    pages = _pages(out)
    # accounts, portfolio, index; a client run: accounts and the consultant's index (kit.run.layout)
    assert len(pages) == len(HOSTILE_IDS) + (2 if audience == "internal" else 1)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for raw in RAW_PAYLOADS:
            assert raw not in html, f"{raw!r} unescaped in {page.name}"
        # the only script anywhere is the internal index's own sort/filter script
        assert html.count("<script") == (1 if page == out / "index.html" else 0), page.name
        for svg in _svgs(html):  # chart text: escaped inside well-formed SVG
            _check_svg(minidom.parseString(svg).documentElement)


def test_input_text_is_shown_escaped(runs, hostile):
    for acc, path in _reports(runs["internal"]).items():
        html = path.read_text(encoding="utf-8")
        i = HOSTILE_IDS.index(acc)
        assert _esc(_payload("name", i)) in html  # the name is shown, as text
        assert _esc(acc) in html  # and the id


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _reports(out: Path) -> dict[str, Path]:
    """Account id -> its report, read from the manifest."""
    import json

    from kit.run.folder import manifest_file

    manifest = json.loads(manifest_file(out).read_text(encoding="utf-8"))
    return {acc: out / rec["report"] for acc, rec in manifest["accounts"].items()}


@pytest.mark.parametrize("audience", ["internal", "client"])
def test_each_account_has_its_own_safe_file(runs, audience):
    out = runs[audience]
    reports = _reports(out)
    assert set(reports) == set(HOSTILE_IDS)
    paths = list(reports.values())
    assert len({p.name.lower() for p in paths}) == len(paths)  # unique, even on a case-insensitive disk
    reserved = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
    for p in paths:
        # internal: accounts/<stem>.html; client: <stem>/<stem>.html, a folder per account
        folder = (out / "accounts") if audience == "internal" else (out / p.stem)
        assert p.resolve().parent == folder.resolve() and p.is_file()
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", p.name) and len(p.name) <= 120
        assert p.stem.split(".")[0].lower() not in reserved
    # nothing written outside the run folder
    assert not (out.parent / "evil.html").exists() and not (out / "evil.html").exists()


@pytest.mark.parametrize("audience", ["internal", "client"])
def test_an_account_report_shows_no_other_account(runs, hostile, audience):
    own = hostile[1]
    reports = _reports(runs[audience])
    for acc, path in reports.items():
        html = path.read_text(encoding="utf-8")
        text = html + "".join(_svgs(html))
        assert re.search(rf"\b{_marker('name', HOSTILE_IDS.index(acc))}\b", text)  # its own name is there
        for other, kinds in own.items():
            if other == acc:
                continue
            for kind, markers in kinds.items():
                for m in markers:
                    assert not re.search(rf"\b{m}\b", text), f"{kind} of account {other!r} in the report of {acc!r}"


def test_the_client_report_leaves_out_internal_text(runs, hostile):
    own = hostile[1]
    for acc, path in _reports(runs["client"]).items():
        html = path.read_text(encoding="utf-8")
        for kind in ("comment", "rater"):  # rater names and comments are internal
            for m in own[acc].get(kind, ()):
                assert not re.search(rf"\b{m}\b", html), (kind, m)


def test_inputs_are_never_modified(hostile, runs):
    """Every input file has the same bytes after both runs as before (hashes)."""
    data, _, before = hostile
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data.iterdir())}
    assert after == before


# --- the shipped sample, every account report read -------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "run"
    assert main(["run", "--data", str(ROOT / "data" / "sample"), "--out", str(out), "--workers", "2",
                 "--no-progress"]) == 0
    return out


def _visible_text(path: Path) -> str:
    """What a reader of the page can see: its text, its attributes and its charts' text."""
    import html as html_lib

    page = path.read_text(encoding="utf-8")
    charts = " ".join(re.sub(r"<[^>]+>", " ", svg) for svg in _svgs(page))
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page) + " " + charts)


def test_no_account_report_of_the_sample_names_another_account(sample_run):
    """For every account report of data/sample: no other account's name, contact names or
    buying centers, unless this account has the very same text of its own (two accounts
    may both have a "Finance" buying center)."""
    tables = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in (ROOT / "data" / "sample").glob("*.csv")}
    own_text: dict[str, set[str]] = {}
    for df in tables.values():
        for acc, rows in df.groupby("account_id"):
            own_text.setdefault(acc, set()).update(v for v in rows.to_numpy().ravel() if v)
    secret: dict[str, set[str]] = {}
    for table, col in (("accounts", "account_name"), ("contacts", "name"), ("contacts", "buying_center"),
                       ("revenue", "buying_center"), ("opportunities", "buying_center"), ("surveys", "respondent")):
        for acc, v in zip(tables[table]["account_id"], tables[table][col]):
            if v:
                secret.setdefault(acc, set()).add(v)
    # words the kit itself writes (e.g. "Marketing" in the element "Our Brand, Marketing and
    # Communications") are not another account's text
    from kit.inputs.resources import load_default_objectives, load_default_questions
    from kit.schema import ELEMENT_NAMES

    kit_text = " ".join(map(str, [*ELEMENT_NAMES.values(), *load_default_questions().to_numpy().ravel(),
                                 *load_default_objectives().to_numpy().ravel()]))
    reports = _reports(sample_run)
    assert len(reports) == len(tables["accounts"])
    checked = 0
    for acc, path in reports.items():
        text = _visible_text(path)
        assert tables["accounts"].set_index("account_id").loc[acc, "account_name"] in text
        for other, values in secret.items():
            if other == acc:
                continue
            for v in values - own_text.get(acc, set()):
                if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", kit_text):
                    continue
                checked += 1
                assert not re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text), (
                    f"{v!r} of account {other!r} appears in the report of {acc!r}")
    assert checked > 10_000  # every report against every other account's names
