"""The kit's notebooks, installed as the package ``kit.notebooks``.

This file only makes the folder a package for ``pyproject.toml``'s mapping (and the
editable install's finder); open the ``.ipynb`` files in JupyterLab.
``kit.run.notebooks_dir()`` finds them, in a checkout or an installed kit.
"""
