"""A client-audience run, file by file (issue 16, part 1): every file under an account's
folder could be sent to that account, in every format (page, PDF, deck): its own name,
no other account's name or id, none of the consultant's words; the consultant's own
index, manifest and notebooks apart in ``_consultant/``; nothing else in the run folder.

PDFs need a browser: without chromium the run is made without ``--pdf`` and the PDF
checks skip (under ``KIT_REQUIRE_BROWSER=1`` they fail instead).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from deliverables_helpers import html_text, internal_words, mentions, page_style, pdf_metadata, pdf_pages, pptx_text

from kit.cli import main
from kit.files.names import report_stems
from kit.run.batch import default_out, run
from kit.run.folder import CLIENT_MANIFEST, CONSULTANT_DIR

SYNTH = (4, 11)
REQUIRE_BROWSER = os.environ.get("KIT_REQUIRE_BROWSER", "") not in ("", "0")


def _browser() -> bool:
    try:
        from kit.report.pdf import check_pdf_engine

        check_pdf_engine()
        return True
    except Exception:
        return False


@dataclass
class ClientRun:
    out: Path
    result: object
    names: pd.Series  # account id -> name
    stems: dict[str, str]
    pdf: bool


@pytest.fixture(scope="module")
def client(synth_portfolio, tmp_path_factory) -> ClientRun:
    data = synth_portfolio(*SYNTH)
    accounts = pd.read_csv(data / "accounts.csv", dtype=str, keep_default_na=False)
    pdf = _browser()
    out = tmp_path_factory.mktemp("client") / "run"
    res = run(data, out=out, audience="client", workers=2, progress=False, deck=True, pdf=pdf)
    assert res.exit_code == 0, res.accounts
    return ClientRun(out=out, result=res, names=accounts.set_index("account_id")["account_name"],
                     stems=report_stems(accounts["account_id"]), pdf=pdf)


def _need_pdf(client: ClientRun) -> None:
    if not client.pdf:
        if REQUIRE_BROWSER:
            pytest.fail("no browser to print with; KIT_REQUIRE_BROWSER is set", pytrace=False)
        pytest.skip("no browser: the client run was made without --pdf")


def _text(path: Path) -> str:
    if path.suffix == ".html":
        return html_text(path) + " " + page_style(path)
    if path.suffix == ".pdf":
        return "\n".join(pdf_pages(path)) + " " + pdf_metadata(path)
    if path.suffix == ".pptx":
        return pptx_text(path)
    raise AssertionError(f"a file the layout does not expect: {path}")


# -- the layout ---------------------------------------------------------------------------
def test_the_run_folder_holds_one_folder_per_account_and_the_consultants_folder(client):
    top = {p.name for p in client.out.iterdir() if not p.name.startswith(".")}
    assert top == {*client.stems.values(), CONSULTANT_DIR}
    for acc, stem in client.stems.items():
        files = {p.name for p in (client.out / stem).iterdir()}
        expected = {f"{stem}.html", f"{stem}.pptx"} | ({f"{stem}.pdf"} if client.pdf else set())
        assert files == expected, acc
    consultant = {p.relative_to(client.out / CONSULTANT_DIR).as_posix() for p in (client.out / CONSULTANT_DIR).rglob("*")
                  if p.is_file()}
    assert consultant == {"index.html", "manifest.json", *(f"notebooks/account_{s}.ipynb" for s in client.stems.values())}
    # no portfolio report, no tables, no plans, no index of every account beside the clients' folders
    for name in ("portfolio.html", "index.html", "manifest.json", "tables", "plans", "accounts", "decks", "notebooks"):
        assert not (client.out / name).exists(), name


def test_the_manifest_records_every_deliverable_in_its_account_folder(client):
    m = json.loads((client.out / CLIENT_MANIFEST).read_text(encoding="utf-8"))
    assert m["audience"] == "client" and m["index"] == f"{CONSULTANT_DIR}/index.html" and m["portfolio"] is None
    assert m["tables"] == []
    for acc, rec in m["accounts"].items():
        stem = client.stems[acc]
        assert rec["report"] == f"{stem}/{stem}.html" and rec["deck"] == f"{stem}/{stem}.pptx"
        assert rec["notebook"] == f"{CONSULTANT_DIR}/notebooks/account_{stem}.ipynb"
        assert (rec.get("pdf") == f"{stem}/{stem}.pdf") == client.pdf
        for key in ("report", "deck", "notebook", *(("pdf",) if client.pdf else ())):
            assert rec[key] in m["files"] and (client.out / rec[key]).is_file()
    assert CLIENT_MANIFEST in m["files"]


def test_the_consultants_index_links_every_deliverable(client):
    page = (client.out / CONSULTANT_DIR / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    for acc, stem in client.stems.items():
        for suffix in ("html", "pptx", *(("pdf",) if client.pdf else ())):
            assert f"../{stem}/{stem}.{suffix}" in links, (acc, suffix)
    assert all((client.out / CONSULTANT_DIR / link).resolve().is_file() for link in links)
    assert "not a client" in page and "<script" not in page


# -- file by file: no other account ---------------------------------------------------------
def test_no_file_in_an_account_folder_names_another_account(client):
    for acc, stem in client.stems.items():
        for path in sorted((client.out / stem).iterdir()):
            text = _text(path)
            assert client.names[acc] in text, path.name  # its own name is there
            for other, name in client.names.items():
                if other != acc:
                    assert not mentions(text, name), f"{name!r} ({other}) in {path.relative_to(client.out)}"
                    assert not mentions(text, other), f"id {other!r} in {path.relative_to(client.out)}"


def test_every_printed_page_says_who_it_is_prepared_for(client):
    _need_pdf(client)
    for acc, stem in client.stems.items():
        pages = pdf_pages(client.out / stem / f"{stem}.pdf")
        assert 1 <= len(pages) <= 6
        for i, text in enumerate(pages, start=1):
            assert f"Confidential: prepared for {client.names[acc]}" in text, (acc, i)
            assert f"Quarterly business review: {client.names[acc]}" in text, (acc, i)
            assert f"Page {i} of {len(pages)}" in text


# -- file by file: the client's language -------------------------------------------------------
def test_the_deck_uses_none_of_the_consultants_words(client):
    for acc, stem in client.stems.items():
        text = pptx_text(client.out / stem / f"{stem}.pptx")
        assert internal_words(text, own=client.names[acc]) == [], acc


def test_what_the_kit_adds_to_a_page_uses_none_of_the_consultants_words(client):
    """The page's title, running header and footer (the print layout), and the PDF's
    properties: the parts this issue's print and PDF code writes."""
    for acc, stem in client.stems.items():
        page = client.out / stem / f"{stem}.html"
        title = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8")).group(1)
        assert internal_words(page_style(page) + " " + title, own=client.names[acc]) == [], acc
        if client.pdf:
            assert internal_words(pdf_metadata(client.out / stem / f"{stem}.pdf"), own=client.names[acc]) == []


def test_the_page_uses_none_of_the_consultants_words(client):
    found = {acc: internal_words(html_text(client.out / stem / f"{stem}.html"), own=client.names[acc])
             for acc, stem in client.stems.items()}
    assert not any(found.values()), found


def test_the_pdf_uses_none_of_the_consultants_words(client):
    _need_pdf(client)
    found = {acc: internal_words("\n".join(pdf_pages(client.out / stem / f"{stem}.pdf")), own=client.names[acc])
             for acc, stem in client.stems.items()}
    assert not any(found.values()), found


# -- reruns and the other audience ---------------------------------------------------------------
def test_an_unchanged_client_rerun_keeps_everything(client, synth_portfolio):
    before = {p: p.stat().st_mtime_ns for p in client.out.rglob("*") if p.is_file() and p.suffix != ".json"}
    again = run(synth_portfolio(*SYNTH), out=client.out, audience="client", workers=2, progress=False, deck=True,
                pdf=client.pdf)
    assert again.model is None and all(r["skipped"] for r in again.accounts.values())
    assert again.index == f"{CONSULTANT_DIR}/index.html"
    assert {p: p.stat().st_mtime_ns for p in client.out.rglob("*") if p.is_file() and p.suffix != ".json"} == before
    assert not (client.out / "manifest.json").exists()


def test_audiences_never_share_a_run_folder(client, synth_portfolio, tmp_path, capsys):
    data = synth_portfolio(*SYNTH)
    files = sorted(p for p in client.out.rglob("*") if p.is_file())
    assert main(["run", "--data", str(data), "--out", str(client.out), "--no-progress"]) == 2
    assert "holds a client run" in capsys.readouterr().err
    assert main(["tables", "--data", str(data), "--out", str(client.out)]) == 2
    assert "holds a client run" in capsys.readouterr().err
    assert sorted(p for p in client.out.rglob("*") if p.is_file()) == files  # nothing written
    internal = tmp_path / "internal"
    assert main(["tables", "--data", str(data), "--out", str(internal)]) == 0
    assert main(["run", "--data", str(data), "--out", str(internal), "--audience", "client", "--no-progress"]) == 2
    assert "holds the reports of an internal run" in capsys.readouterr().err
    assert not any((internal / s).exists() for s in client.stems.values())


def test_a_client_run_has_its_own_default_folder(tmp_path):
    assert default_out(tmp_path / "acme") == Path("reports") / "acme"
    assert default_out(tmp_path / "acme", audience="client") == Path("reports") / "acme-client"
    assert default_out(tmp_path / "acme.xlsx", audience="client") == Path("reports") / "acme-client"
