"""Large inputs are read on two cores (``kit.inputs.sources``): a forked child reads and
checks the largest files while the process reads the others.  The portfolio, its
hashes, encodings and problems (in their order) are those of reading one file after
another; a child that fails changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kit import forking
from kit.errors import InputError
from kit.inputs import sources
from kit.inputs.portfolio import load_portfolio


def _load(folder: Path, monkeypatch, mode: str):
    """The portfolio (or the InputError) read one file after another, on two cores, or
    with a child that fails."""
    with monkeypatch.context() as m:
        if mode == "serial":
            m.setattr(forking, "can_fork", lambda: False)
        else:
            if not forking.can_fork():
                pytest.skip("no forked child on this machine")
            m.setattr(sources, "PARALLEL_MIN_BYTES", 0)
            calls = []
            real = forking.in_background

            def spy(fn, *args):
                calls.append([name for name, _ in args[0]])
                return (lambda: None) if mode == "failed child" else real(fn, *args)

            m.setattr(forking, "in_background", spy)
        try:
            got = load_portfolio(folder)
        except InputError as exc:
            got = exc
    if mode != "serial":
        # the child took the largest file
        assert calls and "assessment" in calls[0], calls
    return got


@pytest.mark.parametrize("mode", ["two cores", "failed child"])
def test_the_same_portfolio_as_read_one_file_after_another(sample_dir, monkeypatch, forks, mode):
    serial = _load(sample_dir, monkeypatch, "serial")
    got = _load(sample_dir, monkeypatch, mode)
    assert got.hashes == serial.hashes and got.encodings == serial.encodings
    assert list(got.tables) == list(serial.tables)
    for name, df in serial.tables.items():
        pd.testing.assert_frame_equal(got.tables[name], df, obj=name)


@pytest.mark.parametrize("mode", ["two cores", "failed child"])
def test_the_same_problems_in_the_same_order(sample_dir, tmp_path, monkeypatch, forks, mode):
    folder = tmp_path / "broken"
    shutil.copytree(sample_dir, folder)
    for name, row, col, value in [("revenue", 3, "amount", "twelve"), ("assessment", 5, "score", "9"),
                                  ("assessment", 7, "assessed_on", "someday"), ("contacts", 2, "account_id", "NOPE-1")]:
        path = folder / f"{name}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df.loc[row - 2, col] = value  # row 2 of the file is the first below the header
        df.to_csv(path, index=False)
    (folder / "targets.csv").unlink()
    (folder / "survey.csv").write_text((sample_dir / "surveys.csv").read_text())  # misnamed
    (folder / "surveys.csv").unlink()
    serial = _load(folder, monkeypatch, "serial")
    got = _load(folder, monkeypatch, mode)
    assert isinstance(serial, InputError) and isinstance(got, InputError)
    assert [str(p) for p in got.problems] == [str(p) for p in serial.problems]
    shown = "\n".join(str(p) for p in serial.problems)
    for needle in ("twelve", "someday", "NOPE-1", "survey.csv"):
        assert needle in shown


def test_small_inputs_are_read_here(sample_dir):
    jobs = [(p.stem, p) for p in sorted(sample_dir.glob("*.csv"))]
    mine, theirs = sources._split(jobs)
    assert mine == jobs and theirs == []


def test_the_split_balances_the_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(forking, "can_fork", lambda: True)
    sizes = {"assessment": 600, "revenue": 200, "activities": 190, "surveys": 80, "accounts": 10}
    jobs = []
    for name, size in sizes.items():
        (tmp_path / f"{name}.csv").write_bytes(b"x" * size)
        jobs.append((name, tmp_path / f"{name}.csv"))
    mine, theirs = sources._split(jobs)
    assert [n for n, _ in theirs] == ["assessment"]
    assert [n for n, _ in mine] == ["revenue", "activities", "surveys", "accounts"]
