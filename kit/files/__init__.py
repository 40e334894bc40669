"""Files the kit writes: each written whole or not at all (:mod:`~kit.files.atomic`), CSV
tables whose text never runs as a formula (:mod:`~kit.files.tables`), editable workbooks
(:mod:`~kit.files.workbooks`), and file names from untrusted ids (:mod:`~kit.files.names`).

Below every other layer: inputs, figures, reports, the workshop and the run all write
through these, so there is one writer and one formula guard per format.
"""
