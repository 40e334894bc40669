"""Quarter over quarter (issue 17): tables/changes.csv and tables/health_drivers.csv, by hand."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from kit.cli import main
from kit.config import Settings
from kit.figures.changes import changes_between, previous_quarter_end, with_quarter_changes
from kit.figures.model import build_model
from kit.figures.tables import account_summary, health_drivers
from kit.inputs.portfolio import load_portfolio
from kit.schema import CHANGES_COLUMNS, ELEMENT_IDS


@pytest.mark.parametrize("as_of, before", [("2026-09-30", "2026-06-30"), ("2026-08-15", "2026-06-30"),
                                           ("2026-01-01", "2025-12-31"), ("2026-03-31", "2025-12-31")])
def test_previous_quarter_end(as_of, before):
    assert previous_quarter_end(dt.date.fromisoformat(as_of)) == dt.date.fromisoformat(before)


def _summary(**rows) -> pd.DataFrame:
    base = {"health_index": None, "category": None, "quadrant": None, "revenue_t4q": None, "revenue_growth": None,
            "nps": None, "weighted_pipeline": None, "warnings": ""}
    return pd.DataFrame([{"account_id": acc, **base, **vals} for acc, vals in rows.items()])


def test_changes_between_by_hand():
    before = _summary(A={"health_index": 60.0, "category": "Beachhead", "revenue_t4q": 100.0, "nps": None,
                         "warnings": "single_threaded;stale_assessment"})
    now = _summary(A={"health_index": 66.5, "category": "Core", "revenue_t4q": "150", "nps": 20.0,
                      "warnings": "stale_assessment;nps_csat_decline"},
                   B={"health_index": 50.0, "category": "Greenfield"})
    c = changes_between(before, now).set_index(["account_id", "figure"])
    assert list(changes_between(before, now).columns) == list(CHANGES_COLUMNS)
    assert c.loc[("A", "health_index"), "change"] == pytest.approx(6.5)
    assert c.loc[("A", "revenue_t4q"), "change"] == pytest.approx(50.0)  # text cells read back from a CSV count
    assert pd.isna(c.loc[("A", "nps"), "change"])  # unknown before: no change, never "+20"
    assert (c.loc[("A", "category"), "previous"], c.loc[("A", "category"), "current"]) == ("Beachhead", "Core")
    assert pd.isna(c.loc[("A", "category"), "change"])
    assert c.loc[("A", "warnings_appeared"), "current"] == "nps_csat_decline"
    assert c.loc[("A", "warnings_cleared"), "current"] == "single_threaded"
    # an account with no previous quarter: everything before is unknown, nothing "appeared"
    assert pd.isna(c.loc[("B", "health_index"), "previous"]) and pd.isna(c.loc[("B", "health_index"), "change"])
    assert c.loc[("B", "warnings_appeared"), "current"] is None


def test_previous_is_what_the_analysis_date_one_quarter_earlier_gives(sample_dir):
    """The definition (domain.md): the same inputs and settings, as of one quarter earlier."""
    portfolio = load_portfolio(sample_dir)
    model = with_quarter_changes(build_model(portfolio, Settings()))
    earlier = account_summary(build_model(portfolio, Settings(), as_of=previous_quarter_end(model.as_of)))
    c = model.changes.set_index(["account_id", "figure"])
    for rec in earlier.to_dict("records"):
        prev = c.loc[(rec["account_id"], "revenue_t4q"), "previous"]
        assert prev == pytest.approx(rec["revenue_t4q"]) or (pd.isna(prev) and pd.isna(rec["revenue_t4q"]))
        assert c.loc[(rec["account_id"], "category"), "previous"] == rec["category"]
    assert model.comparison["basis"] == "recomputed" and model.comparison["previous_as_of"] == "2026-06-30"


def _assessment(day: str, scores: dict[str, int], rater: str = "Ann") -> list[dict]:
    return [{"account_id": "A1", "assessed_on": day, "rater": rater, "element": e, "score": s,
             "question_id": f"{e}.q1", "rater_role": "account_team"} for e, s in scores.items()]


def test_health_drivers_add_up_to_the_like_for_like_change(model_of):
    """Scoring rule 6 by hand: three elements scored before, four now (one new), weights
    2, 1, 1, 1: the change is over the three scored in both, and the drivers add up to it."""
    e = ELEMENT_IDS
    before = _assessment("2026-03-10", {e[0]: 3, e[1]: 4, e[2]: 2})  # scores 50, 75, 25
    now = _assessment("2026-09-10", {e[0]: 4, e[1]: 4, e[2]: 3, e[3]: 5})  # 75, 75, 50, 100
    tables = {
        "accounts": [{"account_id": "A1", "account_name": "Acme"}],
        "revenue": [{"account_id": "A1", "period": "2026Q3", "amount": 100}],
        "assessment": before + now,
    }
    weights = {e[0]: 2.0, e[1]: 1.0, e[2]: 1.0, e[3]: 1.0}
    model = model_of(tables, settings=Settings(element_weights=weights))
    d = health_drivers(model).set_index("element")
    # contribution_e = w_e x (score_e - previous_e) / (2 + 1 + 1): 2x25/4, 0, 1x25/4
    assert d.loc[e[0], "contribution"] == pytest.approx(12.5)
    assert d.loc[e[1], "contribution"] == pytest.approx(0.0)
    assert d.loc[e[2], "contribution"] == pytest.approx(6.25)
    assert pd.isna(d.loc[e[3], "contribution"])  # scored now only: not like for like
    change = model.assessment.accounts.loc["A1", "health_change"]
    assert d["contribution"].sum() == pytest.approx(change) == pytest.approx(18.75)


def test_kit_tables_writes_changes_and_drivers(sample_dir, tmp_path):
    out = tmp_path / "run"
    assert main(["tables", "--data", str(sample_dir), "--out", str(out)]) == 0
    changes = pd.read_csv(out / "tables" / "changes.csv", dtype=str, keep_default_na=False)
    assert list(changes.columns) == list(CHANGES_COLUMNS)
    assert {"health_index", "category", "quadrant", "revenue_t4q", "revenue_growth", "nps", "weighted_pipeline",
            "warnings", "warnings_appeared", "warnings_cleared"} == set(changes["figure"])
    drivers = pd.read_csv(out / "tables" / "health_drivers.csv")
    assert list(drivers.columns) == ["account_id", "element", "previous_score", "score", "weight", "contribution"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["comparison"]["basis"] == "recomputed" and manifest["question_bank_sha256"]


def test_compare_to_an_earlier_run_folder(sample_dir, tmp_path):
    """--compare-to: the previous values are the earlier run's tables as written (its data
    may have been restated since), and the manifest says so."""
    earlier = tmp_path / "q2"
    assert main(["tables", "--data", str(sample_dir), "--out", str(earlier), "--as-of", "2026Q2"]) == 0
    summary = pd.read_csv(earlier / "tables" / "account_summary.csv", dtype=str, keep_default_na=False)
    acc = summary["account_id"][0]
    summary.loc[0, "revenue_t4q"] = "123.5"  # restated in the earlier run's tables
    summary.to_csv(earlier / "tables" / "account_summary.csv", index=False)
    out = tmp_path / "q3"
    assert main(["tables", "--data", str(sample_dir), "--out", str(out), "--compare-to", str(earlier)]) == 0
    c = pd.read_csv(out / "tables" / "changes.csv", dtype=str, keep_default_na=False).set_index(["account_id", "figure"])
    assert c.loc[(acc, "revenue_t4q"), "previous"] == "123.5"
    m = json.loads((out / "manifest.json").read_text())["comparison"]
    assert m["basis"] == "run folder" and m["previous_as_of"] == "2026-06-30"


def test_compare_to_a_folder_that_is_not_a_run(sample_dir, tmp_path, capsys):
    assert main(["tables", "--data", str(sample_dir), "--out", str(tmp_path / "o"), "--compare-to", str(tmp_path)]) == 2
    assert "--compare-to: " in capsys.readouterr().err


def test_a_settings_change_between_runs_is_recorded(sample_dir, tmp_path):
    """A changed rule must never read as a changed account: the manifest (and the reports,
    through the model) say which settings differ from the last run in the folder."""
    out = tmp_path / "run"
    assert main(["tables", "--data", str(sample_dir), "--out", str(out)]) == 0
    (tmp_path / "config.yml").write_text("rag_green: 75\nhealth_threshold: 65\n")
    assert main(["tables", "--data", str(sample_dir), "--out", str(out), "--config", str(tmp_path / "config.yml")]) == 0
    changed = json.loads((out / "manifest.json").read_text())["comparison"]["settings_changes"]
    assert {(c["setting"], c["before"], c["now"]) for c in changed} == {("rag_green", 70.0, 75.0),
                                                                        ("health_threshold", 60.0, 65.0)}
