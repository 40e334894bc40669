"""The ``kit`` command: run, tables, validate, synth.

Exit status: 0 everything rendered; 1 some accounts failed (the others rendered);
2 unusable input or arguments (nothing rendered, a clear message, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kit import __version__
from kit.errors import InputError, UsageError

__all__ = ["main", "build_parser"]

EPILOG = """examples:
  kit run --data data/sample                      render every account into reports/sample/
  kit run --data client.xlsx --accounts 00123 ACME-7 --audience client
  kit tables --data data/sample --as-of 2026-06-30
  kit validate --data data/sample
  kit synth --accounts 40 --out data/demo --seed 7

exit status: 0 all rendered, 1 some accounts failed (others rendered), 2 unusable input or arguments"""


def _common(p: argparse.ArgumentParser, *, out: bool = True) -> None:
    p.add_argument("--data", required=True, metavar="DIR",
                   help="folder of CSV files or one .xlsx workbook (a sheet per table)")
    if out:
        p.add_argument("--out", metavar="DIR", help="run folder (default: reports/<name of the data folder or workbook>)")
    p.add_argument("--as-of", metavar="DATE", help="analysis date, ISO date or quarter label like 2026Q3 "
                   "(default: end of the last quarter in revenue, so reruns give the same numbers any day)")
    p.add_argument("--config", metavar="FILE", help="config.yml with thresholds and weights (default: the documented defaults)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used for the README's help text)."""
    parser = argparse.ArgumentParser(
        prog="kit", description="Account health assessment kit: strategic account health vs hygiene, as tables and HTML reports.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="render reports: portfolio, one per account, index, tables, manifest",
                       description="Execute the notebooks with papermill for the portfolio and every account, export "
                                   "self-contained HTML, and write index.html, tables/ and manifest.json.")
    _common(p)
    p.add_argument("--accounts", nargs="+", metavar="ID", help="only these account ids (text, e.g. 00123 stays 00123)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="notebooks executed in parallel (default 1)")
    p.add_argument("--audience", choices=["internal", "client"], default="internal",
                   help="internal (everything) or client (no warnings, rater comments or other internal material)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true",
                   help="render every report; by default a report whose inputs, parameters, settings, notebook and kit "
                        "are unchanged since the last run in the same folder is skipped")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local: --workers processes on this machine (default); dask: a Dask distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster of "
                        "--workers processes); workers must see the same paths and have the kit installed")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="seconds one notebook may take in all before it fails and its kernel is replaced (default 900)")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="a new kernel per notebook instead of one warm kernel per worker (slower)")

    p = sub.add_parser("tables", help="figures only: tables/ and manifest.json, no notebooks",
                       description="Compute every figure and write tables/*.csv and manifest.json (for BI tools and large portfolios).")
    _common(p)
    p.add_argument("--accounts", nargs="+", metavar="ID", help="only these account ids")

    p = sub.add_parser("validate", help="check the inputs without rendering",
                       description="Check every input table against the data contract and list all problems.")
    p.add_argument("--data", required=True, metavar="DIR", help="folder of CSV files or one .xlsx workbook")
    p.add_argument("--config", metavar="FILE", help="config.yml to check as well")

    p = sub.add_parser("synth", help="write a realistic synthetic portfolio",
                       description="Write a deterministic synthetic portfolio in the data contract (data/sample is made with it).")
    p.add_argument("--accounts", type=int, required=True, metavar="N", help="number of accounts")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the CSV files into")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files; default 0)")
    p.add_argument("--end-quarter", default="2026Q3", help="last quarter of revenue (default 2026Q3)")
    p.add_argument("--quarters", type=int, default=16, help="quarters of revenue history (default 16)")
    return parser


def _cmd_run(a) -> int:
    from kit.run import run

    res = run(a.data, out=a.out, as_of=a.as_of, config=a.config, accounts=a.accounts, workers=a.workers,
              audience=a.audience, progress=not a.no_progress, force=a.force, executor=a.executor,
              scheduler=a.scheduler, fresh_kernels=a.fresh_kernels, timeout=a.timeout)
    n_ok = len(res.accounts) - len(res.failed)
    skipped = sum(1 for r in res.accounts.values() if r.get("skipped"))
    print(f"{n_ok} of {len(res.accounts)} account reports rendered into {res.out}"
          + (f" ({skipped} unchanged since the last run, skipped; --force renders all)" if skipped else "")
          + ("" if not res.failed else f"; failed: {', '.join(res.failed)} (see manifest.json)"))
    if res.portfolio and res.portfolio["status"] != "ok":
        print(f"portfolio report failed: {res.portfolio['error']}", file=sys.stderr)
    print(f"open {res.out / 'index.html'}")
    return res.exit_code


def _cmd_tables(a) -> int:
    from kit.run import tables_only

    out, model = tables_only(a.data, out=a.out, as_of=a.as_of, config=a.config, accounts=a.accounts)
    print(f"tables for {len(a.accounts) if a.accounts else len(model.figures)} account(s) as of {model.as_of} written to {out / 'tables'}")
    return 0


def _cmd_validate(a) -> int:
    from kit.config import load_config
    from kit.io import load_portfolio

    problems = []
    try:
        p = load_portfolio(a.data)
    except InputError as exc:
        problems += exc.problems
        p = None
    try:
        load_config(a.config)
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    counts = ", ".join(f"{k} {len(v)}" for k, v in p.tables.items() if k != "questions" or p.questions_supplied)
    print(f"{a.data}: inputs are valid ({counts} rows)")
    return 0


def _cmd_synth(a) -> int:
    from kit.synth import make_portfolio, write_portfolio

    try:
        tables = make_portfolio(a.accounts, seed=a.seed, end_quarter=a.end_quarter, n_quarters=a.quarters)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    paths = write_portfolio(tables, Path(a.out))
    print(f"wrote {len(paths)} tables for {a.accounts} accounts (seed {a.seed}) to {a.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kit`` console command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handler = {"run": _cmd_run, "tables": _cmd_tables, "validate": _cmd_validate, "synth": _cmd_synth}[args.command]
    try:
        return handler(args)
    except InputError as exc:
        print(f"kit {args.command}: {exc.report()}", file=sys.stderr)
        print("Nothing was rendered; fix the input and run again." if args.command in ("run", "tables") else "", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"kit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. an --out folder that cannot be written
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"kit {args.command}: error: cannot read or write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
