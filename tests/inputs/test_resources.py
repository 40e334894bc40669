"""The kit's shipped resources: default question bank and category objectives (objectives.csv)."""

from __future__ import annotations

import csv
import io
import math
from importlib.resources import files

import pytest

from kit.schema import CATEGORIES, ELEMENT_IDS, TABLES

MAX_TEXT = 140


@pytest.fixture(scope="module")
def bank() -> list[dict[str, str]]:
    text = (files("kit.resources") / "questions.csv").read_bytes().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == ["element", "question_id", "text", "weight"]
    return list(reader)


def test_bank_header_matches_questions_table_rule() -> None:
    text = (files("kit.resources") / "questions.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == tuple(c.name for c in TABLES["questions"].columns)


def test_bank_covers_every_element_in_order(bank) -> None:
    order = list(dict.fromkeys(row["element"] for row in bank))
    assert order == list(ELEMENT_IDS)
    # Contiguous blocks: an element's questions are not scattered.
    assert [row["element"] for row in bank] == sorted(
        (row["element"] for row in bank), key=ELEMENT_IDS.index
    )


def test_question_ids_unique_and_consecutive(bank) -> None:
    ids = [row["question_id"] for row in bank]
    assert len(ids) == len(set(ids))
    for element in ELEMENT_IDS:
        got = [row["question_id"] for row in bank if row["element"] == element]
        assert got == [f"{element}.q{i}" for i in range(1, len(got) + 1)]


def test_three_to_six_questions_per_element(bank) -> None:
    for element in ELEMENT_IDS:
        n = sum(row["element"] == element for row in bank)
        assert 3 <= n <= 6, (element, n)


def test_weights_positive_and_some_emphasised(bank) -> None:
    for row in bank:
        weight = float(row["weight"])
        assert math.isfinite(weight) and weight > 0, row
    for element in ELEMENT_IDS:
        weights = [float(r["weight"]) for r in bank if r["element"] == element]
        assert any(w > 1 for w in weights), element  # the questions that matter most
        assert any(w == 1 for w in weights), element  # and ordinary ones


def test_texts_non_empty_short_and_distinct(bank) -> None:
    texts = [row["text"].strip() for row in bank]
    assert all(texts)
    assert all(len(t) <= MAX_TEXT for t in texts), [t for t in texts if len(t) > MAX_TEXT]
    assert len({t.lower() for t in texts}) == len(texts)


def test_objectives_csv_matches_its_table_rule_and_covers_the_categories() -> None:
    text = (files("kit.resources") / "objectives.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == ("category", "theme", "objective", "measure", "met_at")
    # met_at, where given, is a number the measure is compared with (a measure is needed)
    for r in rows:
        if r["met_at"]:
            assert float(r["met_at"]) > 0 and r["measure"], r
    assert {r["category"] for r in rows} == set(CATEGORIES)
    for category in CATEGORIES:
        items = [r["objective"].strip() for r in rows if r["category"] == category]
        assert 3 <= len(items) <= 5 and all(items), category
        assert len({i.lower() for i in items}) == len(items), category
