"""``kit import`` and ``kit template``: their arguments and handlers.

:func:`add_parsers` adds both commands to the ``kit`` parser; :data:`HANDLERS` maps each
command to the function that runs it (bad input raises :class:`~kit.errors.InputError`,
bad arguments :class:`~kit.errors.UsageError`: ``kit``'s ``main`` prints them, exit 2).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from kit.errors import UsageError, printable

__all__ = ["HANDLERS", "add_parsers"]

IMPORT_EPILOG = """examples:
  kit import exports/ --out data/acme                         every export in a folder, profile chosen by the headers
  kit import accounts.csv opps.csv --profile salesforce --out data/acme --dry-run
  kit import deals.csv companies.csv --profile hubspot --out data/acme
  kit import invoices.xlsx crm/ --mapping acme-mapping.yml --out data/acme
  kit import revenue=finance.csv opportunities=report17.csv --mapping m.yml --out data/acme
  kit import --print-profile salesforce > my-mapping.yml      a profile to copy and adapt"""


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``import`` and ``template`` to the ``kit`` command's subparsers."""
    from importlib import resources

    # the profiles' names only: the mapping module (pydantic models) loads when a command runs
    folder = resources.files("kit.importing") / "profiles"
    profiles = ", ".join(sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml")))
    p = sub.add_parser(
        "import", help="turn CRM and finance exports (Salesforce, HubSpot, or any with a mapping) into a data folder",
        description="Read exports as they come (CSV or .xlsx, report footers and title rows included), map them to the "
                    "data contract with a shipped profile or a mapping file, and write a data folder that kit validate "
                    "accepts. Sources are never changed. The summary says, per table, the rows read, written and "
                    "dropped (and why), the values mapped, and what the contract wants that the exports lack.",
        epilog=IMPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="export files (.csv, .xlsx) or folders of them; TABLE=FILE feeds that table from that file")
    p.add_argument("--out", metavar="DIR", help="the data folder to write (required unless --print-profile)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--profile", metavar="NAME", help=f"a shipped profile: {profiles} (default: the one that "
                                                       "recognises most of the exports)")
    how.add_argument("--mapping", metavar="FILE", help="a mapping file (YAML) for any other export")
    p.add_argument("--date-format", metavar="FORMAT",
                   help="the order of dates in columns whose every date fits two (3/4/2025), e.g. DD/MM/YYYY or "
                        "MM/DD/YYYY (default: the format each column's values show)")
    p.add_argument("--dry-run", action="store_true", help="read, map and check; print the summary; write nothing")
    p.add_argument("--force", action="store_true", help="replace contract files already in --out (default: refuse)")
    p.add_argument("--print-profile", metavar="NAME", help="print a shipped profile (a mapping file to copy) and exit")

    p = sub.add_parser(
        "template", help="write the data-request workbook to send a client",
        description="Write an .xlsx workbook with an instructions sheet and one sheet per table of the data "
                    "contract: the headers on row 1 (a note on each says what goes in the column), drop-downs for "
                    "the allowed values, and examples on the instructions sheet. Filled in, it is a valid --data as it is.")
    p.add_argument("--out", required=True, metavar="FILE", help="the workbook to write (.xlsx)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file (default: refuse)")


def _cmd_import(a: argparse.Namespace) -> int:
    from kit.importing.importer import run_import
    from kit.importing.mapping import profile_text

    if a.print_profile:
        sys.stdout.write(profile_text(a.print_profile))
        return 0
    if not a.out:
        raise UsageError("--out DIR is required: the data folder to write")
    res = run_import(a.sources, out=a.out, profile=a.profile, mapping=a.mapping, dry_run=a.dry_run, force=a.force,
                     date_format=a.date_format)
    print(printable(res.summary))
    return 0


def _cmd_template(a: argparse.Namespace) -> int:
    from kit.importing.template import write_template

    path = write_template(a.out, force=a.force)
    print(printable(f"wrote {path}: send it to the client; filled in, check it with kit validate --data {path}"))
    return 0


#: command -> handler (merged into ``kit``'s own by its ``main``)
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"import": _cmd_import, "template": _cmd_template}
