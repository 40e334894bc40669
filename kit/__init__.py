"""Account health assessment kit: strategic account health and hygiene from one client's
account data, as tables and self-contained HTML reports.

Layers: :mod:`kit.io` reads and validates inputs; the figure modules (``revenue``,
``assessment``, ``concentration``, ``pipeline``, ``kpis``, ``indicators``, ``evidence``,
``warnings``) compute; :mod:`kit.model` assembles them; :mod:`kit.tables`,
:mod:`kit.charts` and :mod:`kit.report` present; :mod:`kit.run` executes the notebooks.
"""

__version__ = "0.1.0"
