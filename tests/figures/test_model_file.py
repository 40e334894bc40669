"""The model file kit run hands to every notebook: read once per process while unchanged."""

from __future__ import annotations

import dataclasses
import os

import pytest

from kit.errors import UsageError
from kit.figures.cache import load_model_file, save_model
from kit.report.loading import load_model


def test_the_model_file_is_read_once_while_unchanged(sample_dir, tmp_path):
    model = load_model(sample_dir)
    path = save_model(model, tmp_path / "model.pkl")
    first = load_model_file(path)
    assert load_model_file(str(path)) is first  # the next report in the same kernel reads nothing
    assert first.figures.equals(model.figures)
    # a new file at the same path (another run's model) is read again
    other = dataclasses.replace(model, figures=model.figures.head(3))
    save_model(other, path)
    os.utime(path, ns=(1, 1))  # even with the old file's time
    again = load_model_file(path)
    assert again is not first and len(again.figures) == 3


def test_a_missing_or_foreign_model_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_model_file(tmp_path / "nope.pkl")
    import pickle

    (tmp_path / "x.pkl").write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(UsageError, match="not a kit model"):
        load_model_file(tmp_path / "x.pkl")
