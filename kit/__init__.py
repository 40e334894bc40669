"""Account health assessment kit: strategic account health and hygiene from one client's
account data, as tables and self-contained HTML reports.

The layers, each a subpackage, each importing only from those above it in this list:

- :mod:`kit.errors`, :mod:`kit.schema`, :mod:`kit.periods`, :mod:`kit.config`: the names,
  rules, quarters, settings and errors the whole kit shares;
- :mod:`kit.files`: writing files whole (tables, workbooks, JSON, pages) and safe file names;
- :mod:`kit.inputs`: reading and validating one client's folder or workbook;
- :mod:`kit.figures`: every figure, one module per family, assembled by :mod:`kit.figures.model`;
- :mod:`kit.report`: the account and portfolio reports, charts, the index page, HTML export;
- :mod:`kit.workshop`: questionnaires, ingest and the live workshop view;
- :mod:`kit.run`: the batch (tables, notebooks, manifest, the run folder, the kernel engine);
- :mod:`kit.importing`: CRM and finance exports into the contract;
- :mod:`kit.cli` and :mod:`kit.synth` on top.
"""

__version__ = "0.1.0"
