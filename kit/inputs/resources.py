"""The kit's own resource tables (question bank, objectives), read like client tables."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from kit.inputs.cells import clean_table
from kit.inputs.rules import validate_table
from kit.schema import (
    CATEGORIES,
)


def _resource_table(name: str) -> pd.DataFrame:
    """One of the kit's own tables (``kit/resources/<name>.csv``), validated and typed."""
    ref = resources.files("kit.resources") / f"{name}.csv"
    with resources.as_file(ref) as path:
        raw = clean_table(pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False))
    typed, problems = validate_table(name, raw, f"kit default {name}.csv")
    if problems:  # a packaging bug, not a user error
        raise RuntimeError("; ".join(map(str, problems)))
    return typed


def load_default_questions() -> pd.DataFrame:
    """The kit's default question bank (``kit/resources/questions.csv``), typed."""
    return with_weights(_resource_table("questions"))


def load_default_objectives() -> pd.DataFrame:
    """The kit's default objectives per category (``kit/resources/objectives.csv``), typed."""
    return _titled_categories(_resource_table("objectives"))


def _titled_categories(objectives: pd.DataFrame) -> pd.DataFrame:
    by_lower = {c.lower(): c for c in CATEGORIES}
    return objectives.assign(category=objectives["category"].map(by_lower))


def merge_objectives(client: pd.DataFrame | None) -> pd.DataFrame:
    """The objectives in use: a client's ``objectives.csv`` replaces the kit's objectives
    of each category it names; categories it leaves out keep the kit's."""
    default = load_default_objectives()
    if client is None:
        return default
    client = _titled_categories(client)
    kept = default[~default["category"].isin(set(client["category"]))]
    return pd.concat([client, kept], ignore_index=True)


def with_weights(questions: pd.DataFrame) -> pd.DataFrame:
    return questions.assign(weight=questions["weight"].fillna(1.0))
