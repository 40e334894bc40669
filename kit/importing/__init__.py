"""``kit import`` and ``kit template``: a client's CRM and finance exports into the data contract.

Read it in the order the data goes through it:

- :mod:`~kit.importing.mapping`: the YAML mapping file (a shipped profile or the user's
  own), validated like ``config.yml``; every problem names the file, line and key.
- :mod:`~kit.importing.values`: cell values as exports write them (dates in a locale's
  order, "$1,200.50" and "1.234,56", check boxes, 15- and 18-character Salesforce ids).
- :mod:`~kit.importing.sources`: export files as they come (CSV with a byte order mark,
  quoted line breaks and a report footer; workbooks with title rows above the header).
- :mod:`~kit.importing.transform`: which source feeds which table, the column mapping and
  its derivations, rows dropped and why, derived tables.
- :mod:`~kit.importing.report`: the summary a consultant reads before trusting the result.
- :mod:`~kit.importing.importer`: the whole import (sources never written; output checked
  with the kit's own loader).
- :mod:`~kit.importing.template`: the data-request workbook.
- :mod:`~kit.importing.cli`: the two commands.
- :mod:`~kit.importing.kitapi`: the kit's writers, loader and YAML reader, named in one place.

Shipped profiles are mapping files in ``kit/importing/profiles/``.  Nothing runs at import.
"""

__all__ = ["cli", "importer", "kitapi", "mapping", "report", "sources", "template", "transform", "values"]
