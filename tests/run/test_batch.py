"""End to end: `kit run` on a small synthetic portfolio, and a failing account."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kit.cli import main
from kit.files.names import report_stems
from kit.run.batch import notebooks_dir, run
from kit.schema import ACCOUNT_SUMMARY_COLUMNS, ELEMENT_SCORES_COLUMNS, REVENUE_MOTIONS_COLUMNS, WARNINGS_COLUMNS


@pytest.fixture(scope="module")
def small(synth_portfolio) -> Path:
    return synth_portfolio(5, 11)


@pytest.fixture(scope="module")
def full_run(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "run"
    code = main(["run", "--data", str(small), "--out", str(out), "--workers", "2", "--no-progress"])
    return code, out


def test_run_writes_the_report_set(full_run, small):
    code, out = full_run
    assert code == 0
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    stems = report_stems(ids)
    for acc in ids:
        assert (out / "accounts" / f"{stems[acc]}.html").is_file()
        assert (out / "notebooks" / f"account_{stems[acc]}.ipynb").is_file()
        assert (out / "plans" / f"{stems[acc]}.xlsx").is_file()  # the editable Account Development Plan
    assert (out / "portfolio.html").is_file() and (out / "index.html").is_file()
    for name, cols in [("account_summary", ACCOUNT_SUMMARY_COLUMNS), ("element_scores", ELEMENT_SCORES_COLUMNS),
                       ("warnings", WARNINGS_COLUMNS), ("revenue_motions", REVENUE_MOTIONS_COLUMNS)]:
        df = pd.read_csv(out / "tables" / f"{name}.csv", dtype=str)
        assert tuple(df.columns) == cols
    summary = pd.read_csv(out / "tables" / "account_summary.csv", dtype=str)
    assert summary["account_id"].tolist() == ids  # ids stay text, in accounts order
    assert len(pd.read_csv(out / "tables" / "element_scores.csv")) == 10 * len(ids)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-09-30"
    assert set(manifest["accounts"]) == set(ids)
    assert all(a["status"] == "ok" and a["error"] is None for a in manifest["accounts"].values())
    assert set(manifest["inputs"]) >= {"accounts.csv", "revenue.csv"} and all(len(h) == 64 for h in manifest["inputs"].values())
    assert manifest["config"]["rag_green"] == 70


def test_reports_are_self_contained_and_hide_code(full_run):
    _, out = full_run
    for page in [out / "portfolio.html", out / "index.html", *sorted((out / "accounts").glob("*.html"))]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=", text, re.IGNORECASE)
        assert not re.search(r"""<link[^>]+href=["']?https?:""", text, re.IGNORECASE)
        assert "import kit.report" not in text and "AccountReport.load" not in text
    acc_page = min((out / "accounts").glob("*.html")).read_text(encoding="utf-8")
    assert "data:image/svg+xml;base64," in acc_page
    assert "Assessment: the ten elements" in acc_page


def test_account_report_shows_only_its_own_account(full_run, small):
    _, out = full_run
    accounts = pd.read_csv(small / "accounts.csv", dtype=str)
    stems = report_stems(accounts["account_id"])
    for _, row in accounts.iterrows():
        text = _text(out / "accounts" / f"{stems[row['account_id']]}.html")
        assert row["account_name"] in text
        for _, other in accounts[accounts["account_id"] != row["account_id"]].iterrows():
            assert other["account_name"] not in text and f"Account id {other['account_id']} " not in text


def _text(path: Path) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")


def test_account_names_are_escaped(full_run, small):
    from bs4 import BeautifulSoup

    _, out = full_run
    names = pd.read_csv(small / "accounts.csv", dtype=str)["account_name"]
    tricky = [n for n in names if "<" in n]
    assert tricky, "the synthetic portfolio should hold a name that needs escaping"
    for page in [out / "index.html", out / "portfolio.html"]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for n in tricky:
            assert n in soup.get_text(" ")  # shown as text ...
            tag = n[n.index("<") + 1:n.index(">")].lower()
            assert soup.find(tag) is None  # ... never as markup


def test_one_failing_account_is_recorded_and_the_others_render(small, tmp_path):
    nbdir = tmp_path / "nbs"
    shutil.copytree(notebooks_dir(), nbdir)
    nb = nbformat.read(nbdir / "account_health.ipynb", as_version=4)
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    bad = ids[1]
    nb.cells.insert(3, nbformat.v4.new_code_cell(f"if account_id == {bad!r}:\n    raise ValueError('broken account')"))
    nbformat.write(nb, nbdir / "account_health.ipynb")
    res = run(small, out=tmp_path / "out", accounts=ids[:3], notebooks=nbdir, progress=False)
    assert res.exit_code == 1 and res.failed == [bad]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["accounts"][bad]["status"] == "failed"
    assert "broken account" in manifest["accounts"][bad]["error"]
    stems = report_stems(ids)
    assert (tmp_path / "out" / "accounts" / f"{stems[ids[0]]}.html").is_file()
    assert (tmp_path / "out" / "accounts" / f"{stems[ids[2]]}.html").is_file()
    assert "failed" in (tmp_path / "out" / "index.html").read_text()


def test_client_audience_leaves_out_internal_material(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    res = run(small, out=tmp_path / "c", accounts=[ids[0]], audience="client", progress=False)
    assert res.exit_code == 0
    page = (tmp_path / "c" / res.accounts[ids[0]]["report"]).read_text(encoding="utf-8")
    assert "Early warnings" not in page and "Rater comments" not in page and "Perception gap" not in page
    assert "Benchmarks" not in page and "Account Development Plan" not in page and "warning" not in page.lower()
    assert "Quarterly business review" in page
    assert not (tmp_path / "c" / "plans").exists() or not list((tmp_path / "c" / "plans").iterdir())


def test_tables_subset_equals_full_run(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    assert main(["tables", "--data", str(small), "--out", str(tmp_path / "all")]) == 0
    assert main(["tables", "--data", str(small), "--out", str(tmp_path / "one"), "--accounts", ids[2]]) == 0
    a = pd.read_csv(tmp_path / "all" / "tables" / "account_summary.csv", dtype=str)
    b = pd.read_csv(tmp_path / "one" / "tables" / "account_summary.csv", dtype=str)
    pd.testing.assert_frame_equal(a[a["account_id"] == ids[2]].reset_index(drop=True), b)
    assert not (tmp_path / "one" / "accounts").exists()  # tables only, no reports


def test_a_rerun_keeps_reports_it_does_not_render(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    out = tmp_path / "out"
    (out / "accounts").mkdir(parents=True)
    other = out / "accounts" / "other.html"
    other.write_text("a report of an earlier run")
    half = out / "accounts" / ".x.html.kit-tmp"  # an interrupted run's leftover
    half.write_text("half")
    users_tmp = out / "accounts" / ".x.html.tmp"  # the user's own: kept (issue 13)
    users_tmp.write_text("mine")
    mine = out / "notes.txt"  # not the kit's: kept
    mine.write_text("the consultant's notes")
    run(small, out=out, accounts=[ids[0]], progress=False)
    assert other.read_text() == "a report of an earlier run" and mine.read_text() == "the consultant's notes"
    assert not half.exists() and users_tmp.read_text() == "mine"
    assert (out / "accounts" / f"{report_stems(ids)[ids[0]]}.html").is_file()
    assert not (out / ".kit-cache").exists()  # the run's model file is gone


def _adapted(tmp_path, cell: str) -> Path:
    nbdir = tmp_path / "nbs"
    shutil.copytree(notebooks_dir(), nbdir)
    nb = nbformat.read(nbdir / "account_health.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(cell))
    nbformat.write(nb, nbdir / "account_health.ipynb")
    return nbdir


def test_a_dead_kernel_fails_that_account_only(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    bad = ids[1]
    nbdir = _adapted(tmp_path, f"import os, signal\nif account_id == {bad!r}:\n    os.kill(os.getpid(), signal.SIGKILL)")
    # one worker: the accounts after the dead kernel run in the kernel started to replace it
    res = run(small, out=tmp_path / "out", accounts=ids[:4], notebooks=nbdir, workers=1, progress=False)
    assert res.exit_code == 1 and res.failed == [bad]
    assert "DeadKernel" in res.accounts[bad]["error"] or "died" in res.accounts[bad]["error"]
    assert all(res.accounts[a]["status"] == "ok" for a in ids[:4] if a != bad)
    assert res.portfolio["status"] == "ok"


def test_a_hung_notebook_times_out_and_the_run_goes_on(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    bad = ids[0]
    nbdir = _adapted(tmp_path, f"import time\nif account_id == {bad!r}:\n    time.sleep(600)")
    res = run(small, out=tmp_path / "out", accounts=ids[:2], notebooks=nbdir, workers=1, progress=False, timeout=20)
    assert res.failed == [bad] and res.accounts[bad]["seconds"] < 120
    assert res.accounts[ids[1]]["status"] == "ok"


def _html_without_title(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_warm_kernels_give_the_same_reports_as_fresh_kernels(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    # warm: all accounts in one kernel, one after another; fresh: a kernel per notebook
    warm = run(small, out=tmp_path / "warm", workers=1, progress=False)
    fresh = run(small, out=tmp_path / "fresh", workers=1, progress=False, fresh_kernels=True)
    assert warm.exit_code == fresh.exit_code == 0
    for acc in ids:
        a = (tmp_path / "warm" / warm.accounts[acc]["report"]).read_bytes()
        b = (tmp_path / "fresh" / fresh.accounts[acc]["report"]).read_bytes()
        assert a == b, acc
        nb = nbformat.read(tmp_path / "warm" / warm.accounts[acc]["notebook"], as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts[0] == 1  # a fresh session: the counter starts again for every account
    assert (tmp_path / "warm" / "portfolio.html").read_bytes() == (tmp_path / "fresh" / "portfolio.html").read_bytes()


def test_no_state_crosses_between_accounts_in_a_warm_kernel(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    # each notebook leaves a marker and reports whether it found one from an earlier notebook
    nbdir = _adapted(tmp_path, "leaked = sorted(k for k in globals() if k.startswith('_kit_marker'))\n"
                               "print('LEAKED', leaked)\n_kit_marker_from_previous = account_id")
    res = run(small, out=tmp_path / "out", accounts=ids[:3], notebooks=nbdir, workers=1, progress=False)
    assert res.exit_code == 0
    for acc in ids[:3]:
        nb = nbformat.read(tmp_path / "out" / res.accounts[acc]["notebook"], as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
        assert "LEAKED []" in text, (acc, text)


def test_an_unchanged_rerun_skips_every_report_and_force_renders_all(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    out = tmp_path / "out"
    first = run(small, out=out, accounts=ids[:2], progress=False)
    before = {a: (out / r["report"]).stat().st_mtime_ns for a, r in first.accounts.items()}
    second = run(small, out=out, accounts=ids[:2], progress=False)
    assert all(r["skipped"] for r in second.accounts.values()) and second.portfolio["skipped"]
    assert {a: (out / r["report"]).stat().st_mtime_ns for a, r in second.accounts.items()} == before
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["accounts"][ids[0]]["fingerprint"] == first.accounts[ids[0]]["fingerprint"]
    assert manifest["accounts"][ids[0]]["rendered_seconds"] > 0
    third = run(small, out=out, accounts=ids[:2], progress=False, force=True)
    assert not any(r["skipped"] for r in third.accounts.values())


def test_a_change_to_one_account_rerenders_that_account_and_the_portfolio(small, tmp_path):
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    data = tmp_path / "data"
    shutil.copytree(small, data)
    out = tmp_path / "out"
    run(data, out=out, accounts=ids[:3], progress=False)
    contacts = pd.read_csv(data / "contacts.csv", dtype=str, keep_default_na=False)
    row = contacts.index[contacts["account_id"] == ids[1]][0]
    contacts.loc[row, "name"] = contacts.loc[row, "name"] + " Jr."  # a name: no figure or benchmark changes
    contacts.to_csv(data / "contacts.csv", index=False)
    again = run(data, out=out, accounts=ids[:3], progress=False)
    assert {a: r["skipped"] for a, r in again.accounts.items()} == {ids[0]: True, ids[1]: False, ids[2]: True}
    assert not again.portfolio["skipped"]  # an input file changed


def test_an_unchanged_rerun_neither_loads_the_data_nor_starts_a_kernel(small, tmp_path, monkeypatch):
    """Nothing changed: every output is kept without computing anything; a deleted report,
    a changed config or --force take the full path again."""
    import kit.run.batch as kit_run

    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    out = tmp_path / "out"
    first = run(small, out=out, accounts=ids[:2], progress=False)
    tables = {p.name: p.read_bytes() for p in (out / "tables").glob("*.csv")}
    run_fp = json.loads((out / "manifest.json").read_text())["run_fingerprint"]

    def no(*args, **kwargs):
        raise AssertionError("nothing should be loaded, computed or rendered")

    with monkeypatch.context() as m:
        m.setattr(kit_run, "load_portfolio", no)
        m.setattr(kit_run, "worker_init", no)
        again = run(small, out=out, accounts=ids[:2], progress=False)
    assert again.exit_code == 0 and again.model is None
    assert all(r["skipped"] and r["status"] == "ok" for r in again.accounts.values()) and again.portfolio["skipped"]
    assert {p.name: p.read_bytes() for p in (out / "tables").glob("*.csv")} == tables
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run_fingerprint"] == run_fp and manifest["accounts"][ids[0]]["seconds"] == 0.0
    assert manifest["accounts"][ids[0]]["rendered_seconds"] == first.accounts[ids[0]]["rendered_seconds"]

    (out / first.accounts[ids[1]]["report"]).unlink()  # a report gone: that one is rendered again
    third = run(small, out=out, accounts=ids[:2], progress=False)
    assert {a: r["skipped"] for a, r in third.accounts.items()} == {ids[0]: True, ids[1]: False}
    assert (out / first.accounts[ids[1]]["report"]).is_file()

    cfg = tmp_path / "config.yml"  # another config: the fast path does not apply
    cfg.write_text("rag_green: 71\n")
    assert kit_run.run_fingerprint(small, config_path=cfg, as_of=None, accounts=ids[:2], audience="internal",
                                   nbdir=notebooks_dir()) != run_fp
    assert kit_run.run_fingerprint(small, config_path=None, as_of=None, accounts=ids[:2], audience="client",
                                   nbdir=notebooks_dir()) != run_fp
    assert kit_run.run_fingerprint(small, config_path=None, as_of=None, accounts=ids[:2], audience="internal",
                                   nbdir=notebooks_dir()) == run_fp


def test_dask_executor_on_a_local_cluster(small, tmp_path):
    pytest.importorskip("distributed")
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    res = run(small, out=tmp_path / "d", accounts=ids[:2], workers=2, executor="dask", progress=False)
    assert res.exit_code == 0 and set(res.accounts) == set(ids[:2])
    local = run(small, out=tmp_path / "l", accounts=ids[:2], workers=1, progress=False)
    for acc in ids[:2]:
        assert (tmp_path / "d" / res.accounts[acc]["report"]).read_bytes() == (tmp_path / "l" / local.accounts[acc]["report"]).read_bytes()


def test_bad_executor_arguments_are_usage_errors(small, tmp_path, capsys):
    assert main(["run", "--data", str(small), "--out", str(tmp_path / "x"), "--scheduler", "tcp://h:1"]) == 2
    assert "--scheduler: needs executor 'dask'" in capsys.readouterr().err
    assert main(["run", "--data", str(small), "--out", str(tmp_path / "x"), "--timeout", "0"]) == 2


def _complete_pages(folder: Path) -> dict[str, bool]:
    return {p.name: p.read_text(encoding="utf-8").rstrip().endswith("</html>") for p in folder.glob("*.html")}


def test_a_run_killed_half_way_loses_nothing_and_a_rerun_finishes_it(small, tmp_path):
    """SIGKILL to the whole run (main process, workers, kernels) while it renders: every
    report in place is a whole page, the earlier reports stay, and a rerun renders the rest."""
    import os
    import signal
    import subprocess
    import sys
    import time

    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    out = tmp_path / "out"
    assert run(small, out=out, accounts=ids[:1], progress=False).exit_code == 0  # an earlier good report
    first = {p.name: p.read_bytes() for p in (out / "accounts").glob("*.html")}
    proc = subprocess.Popen([sys.executable, "-m", "kit.cli", "run", "--data", str(small), "--out", str(out),
                             "--workers", "2", "--no-progress", "--force"],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "accounts").glob("*.html"))) >= 3:  # one earlier + two of this run
                break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert all(_complete_pages(out / "accounts").values())
    assert set(first) <= {p.name for p in (out / "accounts").glob("*.html")}
    manifest = json.loads((out / "manifest.json").read_text())  # whole JSON, never half-written
    assert "run_fingerprint" not in manifest or manifest["command"] == "kit run"

    again = run(small, out=out, progress=False)
    assert again.exit_code == 0 and set(again.accounts) == set(ids)
    pages = _complete_pages(out / "accounts")
    assert len(pages) == len(ids) and all(pages.values())
    leftovers = list(out.rglob(".*.kit-tmp")) + list(out.rglob(".*.kit-tmp.ipynb"))
    assert leftovers == []


def test_an_interrupted_run_marks_its_unfinished_reports_so_a_rerun_renders_them(small, tmp_path, monkeypatch):
    import kit.run.batch as kit_run

    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    out = tmp_path / "out"
    run(small, out=out, accounts=ids[:3], progress=False)
    real = kit_run._execute_jobs

    def one_then_stop(jobs, **kwargs):
        gen = real(jobs, **kwargs)
        yield next(gen)
        gen.close()
        raise KeyboardInterrupt

    monkeypatch.setattr(kit_run, "_execute_jobs", one_then_stop)
    with pytest.raises(KeyboardInterrupt):
        run(small, out=out, accounts=ids[:3], progress=False, force=True)
    manifest = json.loads((out / "manifest.json").read_text())
    states = [r["status"] for r in manifest["accounts"].values()] + [manifest["portfolio"]["status"]]
    assert states == ["rendering"] * 4 and "run_fingerprint" not in manifest  # 3 accounts and the portfolio
    monkeypatch.setattr(kit_run, "_execute_jobs", real)
    again = run(small, out=out, accounts=ids[:3], progress=False)
    rendered = [r for r in list(again.accounts.values()) + [again.portfolio] if not r["skipped"]]
    assert len(rendered) == 4 and all(r["status"] == "ok" for r in rendered)


# --- issue 13: hostile text and settings, and a plan that cannot be written ------------------
def test_control_characters_and_a_hostile_currency_in_a_real_run(small, tmp_path):
    """An account name with terminal escapes and a currency of HTML: the console stays
    clean, the plan workbook is written (characters replaced, and said), pages escape both."""
    data = tmp_path / "data"
    shutil.copytree(small, data)
    accounts = pd.read_csv(data / "accounts.csv", dtype=str, keep_default_na=False)
    target = accounts["account_id"][0]
    accounts.loc[0, "account_name"] = "Evil\x1b]0;PWNED\x07\x1b[31mRed Corp"
    accounts.to_csv(data / "accounts.csv", index=False)
    (tmp_path / "config.yml").write_text('currency: "<b>x<!--"\n')
    proc = subprocess.run([sys.executable, "-m", "kit.cli", "run", "--data", str(data), "--out", str(tmp_path / "out"),
                           "--config", str(tmp_path / "config.yml"), "--accounts", target, "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
    assert "replaced with U+FFFD" in proc.stderr
    stem = report_stems(accounts["account_id"])[target]
    from openpyxl import load_workbook

    title = load_workbook(tmp_path / "out" / "plans" / f"{stem}.xlsx")["Goals"]["A1"].value
    assert "Evil\ufffd]0;PWNED\ufffd\ufffd[31mRed Corp" in title
    page = (tmp_path / "out" / "accounts" / f"{stem}.html").read_text()
    assert "<b>x" not in page and "&lt;b&gt;x&lt;!--" in page
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["accounts"][target]["status"] == "ok" and manifest["notes"]


def test_a_plan_that_cannot_be_written_fails_its_account(small, tmp_path, monkeypatch):
    import kit.run.batch

    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()[:2]
    real = kit.run.batch.write_plan

    def failing(plan, path, **kw):
        if plan.account_id == ids[1]:
            raise PermissionError(13, "Permission denied", str(path))
        return real(plan, path, **kw)

    monkeypatch.setattr(kit.run.batch, "write_plan", failing)
    res = run(small, out=tmp_path / "out", accounts=ids, progress=False)
    assert res.exit_code == 1 and res.failed == [ids[1]]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "plan workbook" in manifest["accounts"][ids[1]]["error"] and manifest["accounts"][ids[0]]["status"] == "ok"
    monkeypatch.setattr(kit.run.batch, "write_plan", real)
    assert run(small, out=tmp_path / "out", accounts=ids, progress=False).exit_code == 0  # a rerun writes it


def test_a_run_of_some_accounts_says_so_where_the_portfolio_page_points_to_its_files(small, tmp_path):
    """With --accounts the run's tables and index page hold those accounts only: the
    portfolio page says so, and is rendered again when the selection changes."""
    ids = pd.read_csv(small / "accounts.csv", dtype=str)["account_id"].tolist()
    out = tmp_path / "out"

    def page() -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", (out / "portfolio.html").read_text(encoding="utf-8")).split())

    run(small, out=out, accounts=ids[:2], progress=False)
    assert f"this run's index page holds only the 2 accounts selected for this run (kit run --accounts), not all {len(ids)}" \
        in page()
    run(small, out=out, accounts=ids[:1], progress=False)  # another selection: the page is rendered again
    assert "holds only the 1 account selected for this run" in page()
    run(small, out=out, progress=False)
    assert "selected for this run" not in page()
    # a whole run passes no selection (a notebook copied out before the parameter existed
    # gets no "unknown parameter" warning)
    nb = nbformat.read(out / "notebooks" / "portfolio.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert not re.search(r"^accounts = ", injected.source, re.MULTILINE) and re.search(r"^model_path = ", injected.source, re.MULTILINE)
