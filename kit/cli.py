"""The ``kit`` command: run, tables, validate, synth, questionnaire, ingest, notebooks.

Exit status: 0 everything rendered; 1 some accounts failed (the others rendered);
2 unusable input or arguments (nothing rendered, a clear message, no traceback).
An error inside the kit (a bug) is one line and exit status 1; ``--debug`` (before or
after the command) prints the traceback of any error, also of bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kit import __version__
from kit.errors import SHOWN_PER_COLUMN, InputError, UsageError, printable

__all__ = ["build_parser", "main"]

EPILOG = """examples:
  kit run --data data/sample                      render every account into reports/sample/
  kit run --data client.xlsx --accounts 00123 ACME-7 --audience client
  kit tables --data data/sample --as-of 2026-06-30
  kit validate --data data/sample
  kit synth --accounts 40 --out data/demo --seed 7
  kit questionnaire --data data/acme --account 00123 --raters raters.csv --date 2026-10-01 --out workshop/
  kit ingest workshop/returned/*.xlsx --data data/acme
  kit notebooks my-notebooks                      copy the notebooks out to adapt them; then
  kit run --data data/acme --notebooks my-notebooks   renders with the adapted notebooks

exit status: 0 all rendered, 1 some accounts failed (others rendered), 2 unusable input or arguments"""

COMPARE_HELP = ("an earlier run folder: tables/changes.csv and the reports compare with its tables instead of "
                "recomputing the previous quarter from these inputs (for data restated since)")
DEBUG_HELP = "show the full traceback of any error (also of bad input); without it, errors are one clear message"

#: The notebooks ``kit run`` executes; a ``--notebooks`` folder must have both.
RUN_NOTEBOOKS = ("account_health.ipynb", "portfolio_health.ipynb")


def _notebooks_folder(text: str) -> Path:
    """``--notebooks DIR``: checked before any figure is computed (argparse reports it, exit 2)."""
    path = Path(text)
    missing = [name for name in RUN_NOTEBOOKS if not (path / name).is_file()]
    if missing:
        raise argparse.ArgumentTypeError(f"{text}: no {' or '.join(missing)} there (kit notebooks {text} writes them)")
    return path


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
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="render reports: portfolio, one per account, index, tables, manifest",
                       description="Execute the notebooks with papermill for the portfolio and every account, export "
                                   "self-contained HTML, and write index.html, tables/ and manifest.json.")
    _common(p)
    p.add_argument("--accounts", nargs="+", metavar="ID", help="only these account ids (text, e.g. 00123 stays 00123)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="notebooks executed in parallel (default 1)")
    p.add_argument("--audience", choices=["internal", "client"], default="internal",
                   help="internal (everything) or client: each account's quarterly business review in a folder of its own "
                        "(to send as it is), the consultant's index in _consultant/; no portfolio, tables or plans "
                        "(default --out: reports/<name>-client)")
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
    p.add_argument("--notebooks", type=_notebooks_folder, metavar="DIR",
                   help="a folder with account_health.ipynb and portfolio_health.ipynb to execute instead of the "
                        "kit's own (kit notebooks DIR copies them out to adapt)")
    p.add_argument("--compare-to", metavar="RUN_DIR", help=COMPARE_HELP)
    p.add_argument("--pdf", action="store_true",
                   help="also print every page to PDF beside it (accounts/<id>.pdf, portfolio.pdf; needs Chromium and the "
                        "playwright package; nothing is fetched while printing)")
    p.add_argument("--deck", action="store_true",
                   help="also write a PowerPoint deck per account (decks/<id>.pptx): the quarterly business review for "
                        "--audience client, an account review internally; on the deck_template setting's layouts if set")

    p = sub.add_parser("tables", help="figures only: tables/ and manifest.json, no notebooks",
                       description="Compute every figure and write tables/*.csv and manifest.json (for BI tools and large portfolios).")
    _common(p)
    p.add_argument("--accounts", nargs="+", metavar="ID", help="only these account ids")
    p.add_argument("--compare-to", metavar="RUN_DIR", help=COMPARE_HELP)

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
    p.add_argument("--force", action="store_true",
                   help="replace CSV files of the same names already in --out (default: refuse; they may be a client's data)")

    p = sub.add_parser("questionnaire", help="Excel questionnaires for the assessment workshop, one per rater",
                       description="Write a questionnaire workbook per rater: instructions, the ten elements, the question "
                                   "bank (the client's questions.csv when the data has one), an Answer (1-5) column with a "
                                   "drop-down and a Comment column; account, rater, role and date are filled in and locked.")
    p.add_argument("--data", required=True, metavar="DIR", help="folder of CSV files or one .xlsx workbook (accounts, questions)")
    p.add_argument("--account", required=True, metavar="ID", help="the account assessed (text: 00123 stays 00123)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--rater", metavar="NAME", help="one rater's name (with --role; --out is then an .xlsx file or a folder)")
    who.add_argument("--raters", metavar="FILE", help="CSV with columns rater, role: one questionnaire per rater into the "
                                                      "--out folder, named <account>_<date>_<rater>.xlsx")
    p.add_argument("--role", metavar="ROLE", help="the rater's role: account_team, leadership, delivery or client")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the workshop date, shared by all its raters (default today)")
    p.add_argument("--out", required=True, metavar="FILE|DIR", help="the .xlsx file (--rater) or the folder to write into")
    p.add_argument("--force", action="store_true",
                   help="overwrite existing questionnaires (default: refuse, they may hold answers)")

    p = sub.add_parser("ingest", help="add filled questionnaires to assessment.csv",
                       description="Read filled questionnaires, check every answer (all problems at once, naming file, "
                                   "sheet and cell) and append their rows to DIR/assessment.csv; nothing is written when "
                                   "a workbook has a problem. A rater's answers for an account and date already there are "
                                   "refused unless --replace; other rows are never changed.")
    p.add_argument("files", nargs="+", metavar="FILE", help="filled questionnaires (.xlsx), or folders of them")
    p.add_argument("--data", required=True, metavar="DIR",
                   help="the client's folder of CSV files (its assessment.csv gets the rows)")
    p.add_argument("--replace", action="store_true",
                   help="replace the rater's earlier answers for the same account and date (only those rows)")
    p.add_argument("--dry-run", action="store_true", help="check the workbooks and show what would be added; write nothing")
    p = sub.add_parser("notebooks", help="copy the kit's notebooks into a folder, to run or adapt by hand",
                       description="Copy the kit's notebooks (account_health, portfolio_health, workshop) into DIR, to "
                                   "open in JupyterLab or adapt; kit run --notebooks DIR then renders with them.")
    p.add_argument("dir", metavar="DIR", help="folder to copy the notebooks into (created if missing)")
    p.add_argument("--force", action="store_true", help="overwrite notebooks already in DIR (default: refuse, "
                                                        "they may hold your changes)")
    from kit.importing.cli import add_parsers
    add_parsers(sub)
    for command in sub.choices.values():  # also after the command: kit run --debug ...
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parser


def _encoding_notes(portfolio) -> None:
    """Say which CSV files were not UTF-8: a wrong guess would show as odd accents."""
    from kit.inputs.charsets import ENCODINGS

    for name, enc in sorted(getattr(portfolio, "encodings", {}).items()):
        if enc not in ("utf-8", "utf-8-sig"):
            print(printable(f"note: {name} was read as {ENCODINGS.get(enc, enc)}; if accented letters look wrong in the "
                            "reports, save it from the spreadsheet as 'CSV UTF-8' and run again"), file=sys.stderr)
    for note in getattr(portfolio, "notes", ()):
        print(printable(f"note: {note}"), file=sys.stderr)


def _cmd_run(a) -> int:
    from kit.run.batch import run

    res = run(a.data, out=a.out, as_of=a.as_of, config=a.config, accounts=a.accounts, workers=a.workers,
              audience=a.audience, progress=not a.no_progress, force=a.force, executor=a.executor,
              scheduler=a.scheduler, fresh_kernels=a.fresh_kernels, timeout=a.timeout, notebooks=a.notebooks,
              compare_to=a.compare_to, pdf=a.pdf, deck=a.deck)
    if res.model is not None:
        _encoding_notes(res.model.portfolio)
        _scale_notes(res.model.scale)
    n_ok = len(res.accounts) - len(res.failed)
    skipped = sum(1 for r in res.accounts.values() if r.get("skipped"))
    print(printable(f"{n_ok} of {len(res.accounts)} account reports rendered into {res.out}"
                    + (f" ({skipped} unchanged since the last run, skipped; --force renders all)" if skipped else "")
                    + ("" if not res.failed else f"; failed: {', '.join(map(repr, res.failed))} (see manifest.json)")))
    if res.portfolio and res.portfolio["status"] != "ok":
        print(printable(f"portfolio report failed: {res.portfolio['error']}"), file=sys.stderr)
    print(f"open {res.out / res.index}")
    return res.exit_code


def _cmd_tables(a) -> int:
    from kit.run.batch import tables_only

    out, model = tables_only(a.data, out=a.out, as_of=a.as_of, config=a.config, accounts=a.accounts,
                             compare_to=a.compare_to)
    _encoding_notes(model.portfolio)
    print(f"tables for {len(a.accounts) if a.accounts else len(model.figures)} account(s) as of {model.as_of} written to {out / 'tables'}")
    return 0


def _cmd_validate(a) -> int:
    from kit.config import load_config
    from kit.inputs.portfolio import load_portfolio

    problems = []
    try:
        p = load_portfolio(a.data)
    except InputError as exc:
        problems += exc.problems
        p = None
    settings = branding = None
    try:
        settings = load_config(a.config)
    except InputError as exc:
        problems += exc.problems
    if settings is not None and (settings.logo or settings.deck_template):
        # the branding files as kit run checks them, before anything renders (the import
        # only when they are set: validate stays light)
        from kit.report.branding import load_branding

        try:
            branding = load_branding(settings, config_path=a.config)
        except UsageError as exc:
            if not problems:
                raise
            # said beside the input's problems, so that one validate lists every one
            print(printable(f"kit validate: error: {exc.for_cli()}"), file=sys.stderr)
    if problems:
        raise InputError(problems)
    _encoding_notes(p)
    counts = ", ".join(f"{k} {len(v)}" for k, v in p.tables.items() if k != "questions" or p.questions_supplied)
    print(f"{a.data}: inputs are valid ({counts} rows)")
    if branding is not None:
        files = [f"logo {branding.logo_path}" if branding.logo_path else "",
                 f"deck_template {branding.deck_template}" if branding.deck_template else ""]
        print(printable(f"{a.config or 'settings'}: branding files are readable ({', '.join(x for x in files if x)})"))
    _scale_notes(_category_scale(p, settings))
    return 0


def _category_scale(portfolio, settings):
    """Whether the category rules fit the client's scale, at the default analysis date."""
    from kit.figures.model import resolve_as_of
    from kit.figures.scale import check_category_scale
    from kit.periods import quarter_of

    revenue = portfolio.table("revenue")
    quarter = quarter_of(resolve_as_of(portfolio, None))
    return check_category_scale(revenue[revenue["quarter"] <= quarter], portfolio.account_ids, quarter=quarter,
                                settings=settings)


def _scale_notes(scale) -> None:
    """Say when the category rules do not fit the client's scale, with the config.yml lines."""
    for line in (scale.describe() if scale is not None else []):
        print(printable(f"note: {line}" if not line.startswith(" ") else line))


def _cmd_synth(a) -> int:
    from kit.synth import make_portfolio, write_portfolio

    try:
        tables = make_portfolio(a.accounts, seed=a.seed, end_quarter=a.end_quarter, n_quarters=a.quarters)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    there = sorted(f"{name}.csv" for name in tables if (Path(a.out) / f"{name}.csv").exists())
    if there and not a.force:
        raise UsageError(f"--out {a.out} already holds {', '.join(there)}: a synthetic portfolio would replace them; "
                         "choose a new folder, or add --force to replace them")
    paths = write_portfolio(tables, Path(a.out))
    print(f"wrote {len(paths)} tables for {a.accounts} accounts (seed {a.seed}) to {a.out}")
    return 0


def _cmd_questionnaire(a) -> int:
    from kit.workshop.questionnaire import make_questionnaire, make_questionnaires

    if a.rater is not None:
        if not a.role:
            raise UsageError("--rater needs --role (account_team, leadership, delivery or client)")
        paths = [make_questionnaire(a.data, a.account, a.rater, a.role, a.out, assessed_on=a.date, overwrite=a.force)]
    else:
        if a.role:
            raise UsageError("--role goes with --rater; with --raters each row of the file has its role")
        paths = make_questionnaires(a.data, a.account, a.raters, a.out, assessed_on=a.date, overwrite=a.force)
    print(f"wrote {len(paths)} questionnaire(s):")
    for p in paths:
        print(f"  {p}")
    print(f"send each rater their file; when they come back: kit ingest FILES... --data {a.data}")
    return 0


def _cmd_ingest(a) -> int:
    from kit.workshop.ingest import ingest

    try:
        res = ingest(a.files, a.data, replace=a.replace, dry_run=a.dry_run)
    except InputError as exc:
        if getattr(a, "debug", False):
            raise  # main() lists every problem and shows the traceback
        print(printable(f"kit ingest: {exc.report()}"), file=sys.stderr)
        print(f"Nothing was added to {Path(a.data) / 'assessment.csv'}; fix the workbooks and run kit ingest again.",
              file=sys.stderr)
        return 2
    print(printable(res.summary()))
    return 0


def _cmd_notebooks(a) -> int:
    """``kit notebooks DIR``: copy the kit's notebooks out (existing ones only with --force)."""
    import shutil

    from kit.run.batch import notebooks_dir

    src = notebooks_dir()
    names = sorted(p.name for p in src.glob("*.ipynb"))
    dest = Path(a.dir)
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest} is a file; give a folder to copy the notebooks into")
    existing = [name for name in names if (dest / name).exists()]
    if existing and not a.force:
        # checked before anything is written: an adapted notebook is never half replaced
        raise UsageError(f"{dest} already has {', '.join(existing)} (maybe with your changes): nothing was written; "
                         "choose another folder or pass --force to overwrite them")
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(src / name, dest / name)
    print(printable(f"wrote {len(names)} notebooks to {dest}:"))
    for name in names:
        print(printable(f"  {dest / name}"))
    print(printable(f"render reports with them: kit run --data FOLDER --notebooks {dest}"))
    print("or open them in the JupyterLab installed with the kit and set data_dir in their parameters cell")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kit`` console command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from kit.importing.cli import HANDLERS
    handler = {"run": _cmd_run, "tables": _cmd_tables, "validate": _cmd_validate, "synth": _cmd_synth,
               "questionnaire": _cmd_questionnaire, "ingest": _cmd_ingest, "notebooks": _cmd_notebooks,
               **HANDLERS}[args.command]
    debug = getattr(args, "debug", False)
    try:
        return handler(args)
    except InputError as exc:
        _traceback(debug)
        print(printable(f"kit {args.command}: {exc.report(limit=None if debug else SHOWN_PER_COLUMN)}"), file=sys.stderr)
        print("Nothing was rendered; fix the input and run again." if args.command in ("run", "tables") else "", file=sys.stderr)
        return 2
    except UsageError as exc:
        _traceback(debug)
        print(printable(f"kit {args.command}: error: {exc.for_cli()}"), file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. an --out folder that cannot be written
        _traceback(debug)
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(printable(f"kit {args.command}: error: cannot read or write{where}: {exc.strerror or exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in the kit: one line, the traceback with --debug
        _traceback(debug)
        print(printable(f"kit {args.command}: internal error: {type(exc).__name__}: {exc}"), file=sys.stderr)
        print("The traceback is above; please report it." if debug else
              "Rerun with --debug for the traceback, and please report it.", file=sys.stderr)
        return 1


def _traceback(debug: bool) -> None:
    """With --debug, the traceback of the exception being handled, on stderr."""
    if debug:
        import traceback

        traceback.print_exc()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
