"""Figures: every number of the assessment, one module per family (the module's name is
where its formula lives), as pure functions of DataFrames.  :mod:`~kit.figures.model`
assembles them into one :class:`~kit.figures.model.PortfolioModel`; :mod:`~kit.figures.tables`
shapes the output tables; :mod:`~kit.figures.cache` keeps a model on disk for the notebooks.
"""
