"""Charts: return a Figure, take an ax, draw what the data says, leave rcParams alone."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from kit import charts
from kit.config import Settings
from kit.schema import ELEMENT_IDS


@pytest.fixture
def elements():
    n = len(ELEMENT_IDS)
    scores = np.linspace(20, 90, n)
    s = Settings()
    df = pd.DataFrame({"element": ELEMENT_IDS, "score": scores, "range_low": scores - 5, "range_high": scores + 5})
    df.loc[3, ["score", "range_low", "range_high"]] = np.nan
    df["rag"] = df["score"].map(s.rag)
    return df


def test_plot_elements_draws_one_bar_per_element_and_ranges(elements):
    fig = charts.plot_elements(elements, settings=Settings())
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.patches) == 10
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths[0] == 0  # the unrated element has no bar ...
    assert any(t.get_text() == "not rated" for t in ax.texts)  # ... and says so
    rag_green = mpl.colors.to_rgba(charts.RAG_COLORS["green"])
    assert sum(p.get_facecolor() == rag_green for p in ax.patches) == int((elements["score"] >= 70).sum())
    # the legend explains the bars' colour, it does not borrow the first bar's colour
    legend = ax.get_legend()
    assert [t.get_text().split(" (")[0] for t in legend.get_texts()] == ["element score", "raters' range"]
    assert legend.get_patches()[0].get_facecolor() == mpl.colors.to_rgba(charts.RAG_COLORS[None])


def test_charts_use_a_given_ax_and_keep_rcparams(elements):
    before = dict(mpl.rcParams)
    fig = Figure()
    ax = fig.add_subplot()
    out = charts.plot_elements(elements, settings=Settings(), ax=ax)
    assert out is fig
    assert dict(mpl.rcParams) == before


def test_plot_revenue_motions_stacks_by_motion():
    df = pd.DataFrame({"period": ["2025Q1", "2025Q1", "2025Q2", "2025Q2"],
                       "motion": ["continuation", "colonization", "continuation", "crop_rotation"],
                       "amount": [100.0, 50.0, 120.0, -10.0]})
    fig = charts.plot_revenue_motions(df)
    ax = fig.axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches if p.get_height() != 0)
    assert heights == [-10.0, 50.0, 100.0, 120.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["continuation", "crop rotation", "colonization"]


def test_plot_quadrant_plots_only_complete_points_and_dollar_names_are_text():
    df = pd.DataFrame({"health_index": [70, 40, np.nan], "revenue_attainment": [1.1, 0.8, 1.0],
                       "quadrant": ["Thriving", "At risk", None], "account_name": ["$A$ Corp", "B", "C"]})
    fig = charts.plot_quadrant(df, settings=Settings())
    ax = fig.axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 2
    fig.canvas.draw()  # "$A$" must not be parsed as mathtext
    assert any(t.get_text() == "$A$ Corp" for t in ax.texts)


def test_heatmap_and_weakest():
    wide = pd.DataFrame(np.arange(20, dtype=float).reshape(2, 10) * 5, columns=list(ELEMENT_IDS), index=["a", "b"])
    fig = charts.plot_element_heatmap(wide)
    assert len(fig.axes[0].texts) == 20
    summ = pd.DataFrame({"element": list(ELEMENT_IDS), "mean_score": np.linspace(30, 80, 10)})
    fig = charts.plot_weakest_elements(summ, settings=Settings())
    ax = fig.axes[0]
    assert ax.get_yticklabels()[0].get_text() != ""
    assert len(ax.patches) == 10
