"""The live workshop views (kit.workshop): progress, scores so far, disagreement, the
element scores and the notebook's sections, on answers ingested from filled workbooks.

The shared portfolio, raters and answers are in ``workshop_helpers.py``; every expected
score is computed by hand in the test.  Tests work on copies in tmp_path, never on
data/sample.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from workshop_helpers import ANSWERS, BANK, DAY, RATERS, raters_csv

from kit.config import Settings
from kit.errors import UsageError
from kit.figures.model import build_model
from kit.inputs.portfolio import load_portfolio
from kit.report import charts
from kit.schema import ELEMENT_IDS
from kit.workshop.common import load_inputs
from kit.workshop.ingest import ingest
from kit.workshop.live import (
    WorkshopReport,
    answer_progress,
    disagreement,
    expected_raters,
    final_scores,
    rater_means,
    scores_so_far,
    workshop_rows,
)

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------
# the round trip
# ---------------------------------------------------------------------------------------
def test_round_trip_gives_the_hand_computed_scores(workshop):
    data, files = workshop
    res = ingest(files.values(), data)
    assert res.rows_added == 4 + 4 + 5  # Cat's blank p1 carries a comment: kept as a row without score
    assert set(res.files["status"]) == {"added"}

    p = load_portfolio(data)  # the result passes the kit's own loader
    a = p.table("assessment")
    assert a["account_id"].unique().tolist() == ["00123"]  # text, leading zeros kept
    assert a["assessed_on"].dt.strftime("%Y-%m-%d").unique().tolist() == [DAY]
    got = {(r.rater, r.question_id): (None if pd.isna(r.score) else r.score) for r in a.itertuples()}
    want = {(rater, q): (None if v is None else float(v)) for rater, (ans, com) in ANSWERS.items()
            for q, v in ans.items() if v is not None or q in com}
    assert got == want
    roles = a.drop_duplicates("rater").set_index("rater")["rater_role"].to_dict()
    assert roles == dict(RATERS)
    assert a.set_index(["rater", "question_id"]).loc[("Bob Stone", "p1"), "comment"] == "Renewals only, =SUM(A1) as text"
    assert a.set_index(["rater", "question_id"]).loc[("Cat Ng", "p1"), "comment"] == "No idea"

    # by hand: client_understanding (weights 2, 1): Ann (2*5+2)/3 = 4, Bob 3, Cat (2*2+5)/3 = 3
    # relationships: Ann (5+3)/2 = 4, Bob 2, Cat 1; pipeline_health: Bob 4 only
    s = Settings()
    rows = workshop_rows(p.table("assessment"), "00123")[1]
    el, health = final_scores(rater_means(rows, p.table("questions")), settings=s)
    el = el.set_index("element")
    assert el.loc["client_understanding", "score"] == pytest.approx((10 / 3 - 1) / 4 * 100)
    assert el.loc["client_understanding", "spread"] == pytest.approx(1.0)
    assert el.loc["client_understanding", "perception_gap"] == pytest.approx(3.5 - 3.0)
    assert el.loc["relationships", "score"] == pytest.approx((7 / 3 - 1) / 4 * 100)
    assert el.loc["relationships", "spread"] == pytest.approx(3.0)
    assert el.loc["relationships", "perception_gap"] == pytest.approx(3.0 - 1.0)
    assert el.loc["pipeline_health", "score"] == pytest.approx(75.0)
    assert el.loc["pipeline_health", "n_raters"] == 1 and np.isnan(el.loc["pipeline_health", "spread"])
    assert el["score"].notna().sum() == 3
    expected_index = ((10 / 3 - 1) / 4 * 100 + (7 / 3 - 1) / 4 * 100 + 75.0) / 3
    assert health["health_index"] == pytest.approx(expected_index)
    assert health["n_scored"] == 3 and health["health_complete"] is False

    # the account report scores the same workshop the same way
    model = build_model(p, s)
    m = model.assessment.elements.set_index(["account_id", "element"]).loc["00123"]
    for e in ("client_understanding", "relationships", "pipeline_health"):
        assert m.loc[e, "score"] == pytest.approx(el.loc[e, "score"])
    assert model.assessment.accounts.loc["00123", "health_index"] == pytest.approx(expected_index)


def test_disagreement_orders_by_spread_then_gap(workshop):
    data, files = workshop
    ingest(files.values(), data)
    inputs = load_inputs(data)
    _, rows = workshop_rows(inputs.assessment, "00123")
    d = disagreement(rater_means(rows, inputs.questions), settings=Settings())
    assert d["element"].tolist()[:3] == ["relationships", "client_understanding", "pipeline_health"]
    assert d["element"].tolist()[3:] == [e for e in ELEMENT_IDS if e not in d["element"].tolist()[:3]]
    first = d.iloc[0]
    assert first["spread"] == pytest.approx(3.0) and first["raters_disagree"] and first["gap_flag"]
    assert "raters disagree: 1.0 to 4.0" in first["why"] and "internal raters higher by 2.0" in first["why"]
    assert d.iloc[3]["why"] == "not answered yet"


def test_scores_so_far_and_progress(workshop, tmp_path):
    data, files = workshop
    ingest([files["Ann Lee"], files["Cat Ng"]], data)  # Bob has not sent his yet
    inputs = load_inputs(data)
    _, rows = workshop_rows(inputs.assessment, "00123")
    wide = scores_so_far(rater_means(rows, inputs.questions))
    assert list(wide.index) == list(ELEMENT_IDS)
    assert wide.loc["client_understanding", "Ann Lee"] == pytest.approx(4.0)
    assert wide.loc["relationships", "Cat Ng"] == pytest.approx(1.0)
    assert wide.loc["relationships", "mean"] == pytest.approx(2.5)
    assert wide.loc["pipeline_health", "n_raters"] == 0 and np.isnan(wide.loc["pipeline_health", "mean"])

    expected = expected_raters(raters_csv(tmp_path))
    prog = answer_progress(rows, inputs.questions, expected).set_index("rater")
    assert prog.loc["Ann Lee", "status"] == "answered" and prog.loc["Ann Lee", "answered"] == 4
    assert prog.loc["Bob Stone", "status"] == "waiting" and prog.loc["Bob Stone", "answered"] == 0
    assert prog.loc["Cat Ng", "comments"] == 1 and prog.loc["Cat Ng", "elements"] == 2
    assert (prog["questions"] == len(BANK)).all()

    # the folder of questionnaires gives the same expected raters (of that account and date)
    from_folder = expected_raters(tmp_path / "out", account_id="00123", assessed_on=DAY)
    assert sorted(from_folder["rater"]) == sorted(r for r, _ in RATERS)
    assert expected_raters(tmp_path / "out", account_id="ACC-2").empty

    report = WorkshopReport.load(data, "00123", expected_raters=tmp_path / "raters.csv")
    assert "Provisional: waiting for Bob Stone" in report.element_scores().html
    assert "Waiting for: Bob Stone" in report.header().html


def test_report_sections_escape_input_and_handle_no_answers(workshop, tmp_path):
    data, files = workshop
    empty = WorkshopReport.load(data, "00123")  # nothing ingested yet
    for section in (empty.progress(), empty.scores_so_far(), empty.disagreement(), empty.element_scores()):
        assert "No answers ingested yet" in section.html
    ingest(files.values(), data)
    report = WorkshopReport.load(data, 123)  # a number from papermill's -p matches 00123
    assert report.account_id == "00123"
    html = "".join(s.html for s in (report.header(), report.progress(), report.scores_so_far(),
                                    report.disagreement(), report.element_scores()))
    assert "Acme &lt;Holdings&gt; &amp; Co" in html and "<Holdings>" not in html
    assert "Discuss first: <strong>Robustness of Our Relationships</strong>" in html
    assert "Health index 56" in html
    with pytest.raises(UsageError, match="not in accounts"):
        WorkshopReport.load(data, "NOPE")


def test_workshop_report_defaults_on_the_sample():
    report = WorkshopReport.load(ROOT / "data" / "sample")  # the account with the latest assessment
    assert report.day is not None and len(report.rows)
    sample = WorkshopReport.load(ROOT / "data" / "sample", "00138")
    el, _ = final_scores(sample.means, settings=Settings())
    model = build_model(load_portfolio(ROOT / "data" / "sample"), Settings())
    m = model.assessment.elements.set_index(["account_id", "element"]).loc["00138", "score"]
    assert model.assessment.accounts.loc["00138", "assessed_on"] == sample.day
    assert np.allclose(el.set_index("element")["score"].reindex(m.index), m, equal_nan=True)


# ---------------------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------------------
def test_workshop_charts_draw_what_the_data_says(workshop):
    data, files = workshop
    ingest(files.values(), data)
    inputs = load_inputs(data)
    means = rater_means(workshop_rows(inputs.assessment, "00123")[1], inputs.questions)
    fig = charts.plot_rater_scores(means)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    markers = [line for line in ax.lines if line.get_marker() in ("o", "s")]
    assert len(markers) == len(means) == 7  # Ann 2 elements, Bob 3, Cat 2
    assert sum(line.get_marker() == "s" for line in markers) == 2  # Cat, the client, in two elements
    assert sum("spread" in t.get_text() for t in ax.texts) == 2  # elements with two raters or more

    d = disagreement(means, settings=Settings())
    fig = charts.plot_perception_gap(d, flag=1.0)
    ax = fig.axes[0]
    assert len(ax.patches) == 2  # client_understanding and relationships have a gap
    assert sum(bool(p.get_hatch()) for p in ax.patches) == 1  # relationships: 2 points, over the flag
    assert sum("no gap" in t.get_text() for t in ax.texts) == len(ELEMENT_IDS) - 2
    empty = charts.plot_perception_gap(d.assign(perception_gap=np.nan))
    assert "needs internal and client raters" in empty.axes[0].texts[0].get_text()
