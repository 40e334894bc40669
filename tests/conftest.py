"""Shared fixtures: hand-written portfolio folders, one seeded synthetic portfolio and a
filled assessment workshop.

Every test states its input rows by hand (dicts of column -> cell text) and gets a
folder of UTF-8 CSV files with a header row, as a client would supply it.  No global
random state is used: the synthetic sample is made from an explicit seed.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from kit.config import Settings
from kit.figures.model import PortfolioModel, build_model
from kit.inputs.portfolio import load_portfolio

Rows = Sequence[Mapping[str, object]]
Tables = Mapping[str, "Rows | str | bytes"]


def write_tables(folder: Path, tables: Tables) -> Path:
    """Write ``{table: rows}`` as ``<table>.csv`` files in ``folder``.

    rows is a list of dicts (the header is the union of their keys, in first-seen
    order; a key missing from a row is written as an empty cell), or the file's text /
    bytes verbatim (for encoding and malformed-file tests).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        if isinstance(rows, bytes):
            path.write_bytes(rows)
            continue
        if isinstance(rows, str):
            path.write_text(rows, encoding="utf-8", newline="")
            continue
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, columns, restval="", lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return folder


@pytest.fixture(scope="session")
def tables_writer() -> Callable[[Path, Tables], Path]:
    """:func:`write_tables` itself, for module-scoped fixtures: ``writer(folder, tables)``."""
    return write_tables


@pytest.fixture
def portfolio_dir(tmp_path: Path) -> Callable[..., Path]:
    """``portfolio_dir(tables)`` writes a fresh portfolio folder under tmp_path."""
    counter = itertools.count(1)

    def make(tables: Tables) -> Path:
        return write_tables(tmp_path / f"data{next(counter)}", tables)

    return make


@pytest.fixture
def model_of(portfolio_dir) -> Callable[..., PortfolioModel]:
    """``model_of(tables, as_of=None, settings=None)``: write, load and build the model."""

    def build(tables: Tables, *, as_of=None, settings: Settings | None = None) -> PortfolioModel:
        portfolio = load_portfolio(portfolio_dir(tables))
        return build_model(portfolio, settings or Settings(), as_of=as_of)

    return build


@pytest.fixture(scope="session")
def synth_portfolio(tmp_path_factory) -> Callable[[int, int], Path]:
    """``synth_portfolio(n_accounts, seed)``: a synthetic portfolio folder, written once per
    session for each (n, seed).  Tests must not modify it."""
    from kit.synth import make_portfolio, write_portfolio

    made: dict[tuple[int, int], Path] = {}

    def get(n_accounts: int, seed: int) -> Path:
        if (n_accounts, seed) not in made:
            out = tmp_path_factory.mktemp("synth") / f"synth{n_accounts}_{seed}"
            write_portfolio(make_portfolio(n_accounts, seed=seed), out)
            made[(n_accounts, seed)] = out
        return made[(n_accounts, seed)]

    return get


@pytest.fixture(scope="session")
def sample_dir(synth_portfolio) -> Path:
    """A seeded synthetic portfolio: ``make_portfolio(12, seed=3)`` written as CSV."""
    return synth_portfolio(12, 3)


@pytest.fixture
def workshop(portfolio_dir, tmp_path):
    """A small client portfolio with its own bank, the three raters' questionnaires filled
    (``workshop_helpers.py``): ``(data folder, {rater: filled workbook})``."""
    from openpyxl import load_workbook
    from workshop_helpers import ANSWERS, DAY, client_portfolio, fill, raters_csv

    from kit.workshop.questionnaire import make_questionnaires

    data = client_portfolio(portfolio_dir)
    paths = make_questionnaires(data, "00123", raters_csv(tmp_path), tmp_path / "out", assessed_on=DAY)
    by_rater = {}
    for p in paths:
        rater = load_workbook(p)["Questions"]["B4"].value
        answers, comments = ANSWERS[rater]
        by_rater[rater] = fill(p, answers, comments)
    return data, by_rater


@pytest.fixture
def forks(monkeypatch):
    """A forked child can start in this test (``kit.forking``).  Earlier tests leave idle
    threads behind (kernel clients, progress bars), beside which the kit never forks; the
    test says there are none.  Skips where no fork is possible at all (not Linux, one core)."""
    import threading

    from kit import forking

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    if not forking.can_fork():
        pytest.skip("no forked child on this machine (not Linux, or one core)")
