"""Several tables written at once (``kit.files.tables.write_csvs``): on two cores when
large, the same bytes as written one after another; a child that fails changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kit import forking
from kit.files import tables as tables_module
from kit.files.tables import write_csv, write_csvs


def _tables() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 3000
    return {
        "big": pd.DataFrame({"account_id": [f"A{i:05d}" for i in range(n)], "x": rng.normal(size=n),
                             "note": ["=cmd|' /c calc'!A0" if i % 97 == 0 else f"note {i}" for i in range(n)]}),
        "middle": pd.DataFrame({"k": np.arange(n // 2), "flag": np.arange(n // 2) % 3 == 0}),
        "small": pd.DataFrame({"v": [1.5, None, -0.0]}),
    }


@pytest.mark.parametrize("mode", ["two cores", "failed child", "no fork"])
def test_the_same_files_as_one_after_another(tmp_path, monkeypatch, forks, mode):
    tables = _tables()
    for name, df in tables.items():
        write_csv(df, tmp_path / "serial" / f"{name}.csv")
    monkeypatch.setattr(tables_module, "PARALLEL_MIN_CELLS", 0)
    calls = []
    if mode == "no fork":
        monkeypatch.setattr(forking, "can_fork", lambda: False)
    else:
        if not forking.can_fork():
            pytest.skip("no forked child on this machine")
        real = forking.in_background

        def spy(fn, *args):
            calls.append([p.name for _, p in args[0]])
            return (lambda: None) if mode == "failed child" else real(fn, *args)

        monkeypatch.setattr(forking, "in_background", spy)
    paths = {tmp_path / "parallel" / f"{name}.csv": df for name, df in tables.items()}
    write_csvs(paths, parallel=True)
    for name in tables:
        assert (tmp_path / "parallel" / f"{name}.csv").read_bytes() == (tmp_path / "serial" / f"{name}.csv").read_bytes()
    assert "'=cmd" in (tmp_path / "parallel" / "big.csv").read_text()  # no formula, whoever wrote it
    if mode != "no fork":
        assert calls == [["big.csv"]]  # the child took the largest table; this process the others
    assert sorted(p.name for p in (tmp_path / "parallel").iterdir()) == ["big.csv", "middle.csv", "small.csv"]


def test_small_tables_are_written_here(tmp_path, monkeypatch):
    monkeypatch.setattr(forking, "in_background", lambda fn, *a: pytest.fail("no child for small tables"))
    write_csvs({tmp_path / f"{name}.csv": df for name, df in _tables().items()}, parallel=True)
    assert len(list(tmp_path.iterdir())) == 3


def test_shared_out_balances_the_work(monkeypatch):
    monkeypatch.setattr(forking, "can_fork", lambda: True)
    here, child = forking.shared_out(list("abcde"), [10, 600, 200, 190, 80], min_total=0)
    assert child == ["b"] and here == ["c", "d", "e", "a"]
    here, child = forking.shared_out(list("abcd"), [5, 5, 5, 5], min_total=0)
    assert sorted(here + child) == list("abcd") and len(child) == 2
    assert forking.shared_out(list("ab"), [5, 5], min_total=11) == (["a", "b"], [])
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    assert forking.shared_out(list("ab"), [500, 500], min_total=0) == (["a", "b"], [])
