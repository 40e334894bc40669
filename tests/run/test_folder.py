"""The run folder (issue 13): a run writes and removes only its own files, never lies
among the inputs, and never shares its folder with a second run at once."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from kit.cli import main
from kit.errors import UsageError
from kit.run.folder import LOCK_FILE, RunLock, check_out_folder, owned_files, remove_temporaries


@pytest.fixture(scope="module")
def small(synth_portfolio) -> Path:
    return synth_portfolio(5, 11)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _copy(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for p in src.iterdir():
        (dest / p.name).write_bytes(p.read_bytes())
    return dest


# --- 1. an --out among the inputs is refused, nothing written or removed ----------------
@pytest.mark.parametrize("where", ["parent", "same", "inside"])
def test_an_out_folder_among_the_inputs_is_refused(small, tmp_path, capsys, where):
    data = _copy(small, tmp_path / "x" / "tables")
    out = {"parent": tmp_path / "x", "same": data, "inside": data / "reports"}[where]
    before = _hashes(tmp_path / "x")
    for command in ("tables", "run"):
        args = [command, "--data", str(data), "--out", str(out)] + (["--no-progress"] if command == "run" else [])
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "--out" in err and "data folder" in err and "Traceback" not in err
    assert _hashes(tmp_path / "x") == before  # every input still there, unchanged
    assert not (data / "reports").exists()


def test_check_out_folder_allows_a_folder_beside_the_data(tmp_path):
    (tmp_path / "data").mkdir()
    check_out_folder(tmp_path / "data", tmp_path / "reports" / "data")
    wb = tmp_path / "client.xlsx"
    wb.write_bytes(b"PK")
    check_out_folder(wb, tmp_path)  # the kit never writes a file of that name
    with pytest.raises(UsageError, match="--data"):
        check_out_folder(tmp_path / "run" / "tables" / "client.xlsx", tmp_path / "run")


# --- 2. the user's own files in the run folder stay ---------------------------------------
def test_a_run_keeps_the_users_own_files(small, tmp_path):
    out = tmp_path / "run"
    (out / "tables").mkdir(parents=True)
    own = {"tables/budget_2026.csv": b"a,b\n1,2\n", ".mine.tmp": b"mine", "tables/.draft.tmp": b"draft",
           "accounts/.notes.tmp": b"notes", "notes.txt": b"hello"}
    for rel, data in own.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    assert main(["tables", "--data", str(small), "--out", str(out)]) == 0
    assert main(["tables", "--data", str(small), "--out", str(out)]) == 0  # a rerun removes stale tables
    assert main(["run", "--data", str(small), "--out", str(out), "--accounts",
                 pd.read_csv(small / "accounts.csv", dtype=str)["account_id"][0], "--no-progress"]) == 0
    for rel, data in own.items():
        assert (out / rel).read_bytes() == data, rel
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert "tables/budget_2026.csv" not in files and "tables/warnings.csv" in files and "index.html" in files
    assert not (out / LOCK_FILE).exists() and not (out / ".kit-cache").exists()


def test_stale_tables_of_the_kit_are_removed_and_only_those(small, tmp_path):
    out = tmp_path / "run"
    assert main(["tables", "--data", str(small), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    # a table an earlier kit wrote and this one no longer writes
    (out / "tables" / "old_table.csv").write_text("x\n1\n")
    manifest["files"].append("tables/old_table.csv")
    manifest["files"].append("../outside.csv")  # a manifest edited by hand never reaches out of the folder
    (tmp_path / "outside.csv").write_text("keep\n")
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "tables" / "mine.csv").write_text("y\n2\n")
    assert main(["tables", "--data", str(small), "--out", str(out)]) == 0
    assert not (out / "tables" / "old_table.csv").exists()
    assert (out / "tables" / "mine.csv").is_file() and (tmp_path / "outside.csv").is_file()
    assert "../outside.csv" not in owned_files(out)


def test_files_the_kit_did_not_write_are_not_overwritten(small, tmp_path, capsys):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<p>my own page</p>")
    assert main(["run", "--data", str(small), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "index.html" in err and "did not write" in err
    assert (out / "index.html").read_text() == "<p>my own page</p>"
    assert not (out / "tables").exists() and not (out / "manifest.json").exists()


def test_only_the_kits_temporary_files_are_cleared(tmp_path):
    (tmp_path / "tables").mkdir()
    kit_tmp = [tmp_path / ".index.html.kit-tmp", tmp_path / "tables" / ".warnings.csv.kit-tmp"]
    mine = [tmp_path / ".index.html.tmp", tmp_path / "tables" / ".x.tmp", tmp_path / "draft.kit-tmp"]
    for p in kit_tmp + mine:
        p.write_text("x")
    assert sorted(remove_temporaries(tmp_path)) == [".index.html.kit-tmp", "tables/.warnings.csv.kit-tmp"]
    assert all(p.exists() for p in mine) and not any(p.exists() for p in kit_tmp)


# --- 7. one run at a time in a folder -----------------------------------------------------
def test_a_second_run_into_a_locked_folder_is_refused(small, tmp_path, capsys):
    out = tmp_path / "run"
    with RunLock(out, "kit run"):
        assert main(["tables", "--data", str(small), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "another kit run is writing to" in err and f"process {os.getpid()}" in err
        assert not (out / "tables").exists()
    assert not (out / LOCK_FILE).exists()
    assert main(["tables", "--data", str(small), "--out", str(out)]) == 0


def test_a_lock_held_by_another_process_is_refused_and_released_when_it_dies(small, tmp_path, capsys):
    out = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from kit.run.folder import RunLock
        lock = RunLock({str(out)!r}, "kit run").acquire()
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(["tables", "--data", str(small), "--out", str(out)]) == 2
        assert f"process {holder.pid}" in capsys.readouterr().err
    finally:
        holder.kill()  # killed: its lock goes with it, its lock file stays
        holder.wait()
    assert (out / LOCK_FILE).exists()
    lock = RunLock(out, "kit tables").acquire()
    assert lock.stale and lock.stale["pid"] == holder.pid  # taken over, and said
    lock.release()


def test_a_linked_subfolder_of_the_run_folder_is_refused(small, tmp_path, capsys):
    """``out/tables`` linking elsewhere (say, into a data folder) would write the kit's
    tables there: refused."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "run"
    out.mkdir()
    (out / "tables").symlink_to(elsewhere, target_is_directory=True)
    assert main(["tables", "--data", str(small), "--out", str(out)]) == 2
    assert "tables is a symbolic link" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []
