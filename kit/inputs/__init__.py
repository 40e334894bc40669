"""Inputs: one client's portfolio read from a folder of CSV files or one workbook, checked
against the contract's rules (every problem at once) and typed.

Read it in the order the data goes through it: :mod:`~kit.inputs.sources` (which files),
:mod:`~kit.inputs.charsets` and :mod:`~kit.inputs.csvfile` (bytes to text tables),
:mod:`~kit.inputs.workbook`, :mod:`~kit.inputs.headers` (column names),
:mod:`~kit.inputs.cells` (cell cleaning and conversion), :mod:`~kit.inputs.rules`
(pandera checks, keys, cross-table rules), :mod:`~kit.inputs.portfolio` (the whole load).
"""

from kit.inputs.portfolio import Portfolio, load_portfolio, match_account_id

__all__ = ["Portfolio", "load_portfolio", "match_account_id"]
