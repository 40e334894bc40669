"""Charts: return a Figure, take an ax, draw what the data says, leave rcParams alone."""

from __future__ import annotations

from io import BytesIO

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from kit.config import Settings
from kit.report import charts
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
    # a second cue beside the colour: red bars cross-hatched, amber striped, green plain
    by_band = {r: {p.get_hatch() or "" for p, rr in zip(ax.patches, elements["rag"]) if rr == r}
               for r in ("green", "amber", "red")}
    assert by_band == {"green": {""}, "amber": {charts.RAG_HATCHES["amber"]}, "red": {charts.RAG_HATCHES["red"]}}
    assert charts.RAG_HATCHES["red"] != charts.RAG_HATCHES["amber"]
    # the legend explains the bands (colour and hatch) and the raters' range
    legend = ax.get_legend()
    assert [t.get_text().split(" (")[0] for t in legend.get_texts()] == ["green", "amber", "red", "raters' range"]
    assert legend.get_patches()[2].get_hatch() == charts.RAG_HATCHES["red"]


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
    # the motions in words, never their ids
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["continuation", "cross-sell (crop rotation)",
                                                                  "new buying centers (colonization)"]


def test_plot_quadrant_plots_every_account_with_a_quadrant_and_dollar_names_are_text():
    # D has no target: hygiene is its growth, and it has a quadrant, so it is drawn (hollow)
    df = pd.DataFrame({"health_index": [70, 40, np.nan, 65], "revenue_attainment": [1.1, 0.8, 1.0, np.nan],
                       "revenue_growth": [np.nan, np.nan, np.nan, 0.05], "hygiene_basis": ["target", "target", "target", "growth"],
                       "quadrant": ["Thriving", "At risk", None, "Thriving"], "account_name": ["$A$ Corp", "B", "C", "D"],
                       "revenue_t4q": [10.0, 5.0, 1.0, 2.0]})
    fig = charts.plot_quadrant(df, settings=Settings())
    ax = fig.axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 3
    hollow = [c for c in ax.collections if len(c.get_offsets()) and (c.get_facecolor()[0][:3] == 1).all()]
    assert len(hollow) == 1 and list(hollow[0].get_offsets()[0]) == [65, 1.05]  # growth + 1 on the hygiene axis
    fig.canvas.draw()  # "$A$" must not be parsed as mathtext
    assert {"$A$ Corp", "B", "D"} == {t.get_text() for t in ax.texts}
    assert fig.kit_left_out == []


def test_place_labels_never_overlaps_and_says_what_it_left_out():
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    x = np.array([50.0] * 12)  # twelve points on one spot: not every name fits around it
    y = np.array([50.0] * 12)
    missed = charts.place_labels(ax, x, y, [f"Account number {i}" for i in range(12)])
    assert 0 < len(missed) < 12 and len(ax.texts) + len(missed) == 12
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_heatmap_and_weakest():
    wide = pd.DataFrame(np.arange(20, dtype=float).reshape(2, 10) * 5, columns=list(ELEMENT_IDS), index=["a", "b"])
    fig = charts.plot_element_heatmap(wide)
    assert len(fig.axes[0].texts) == 20
    summ = pd.DataFrame({"element": list(ELEMENT_IDS), "mean_score": np.linspace(30, 80, 10)})
    fig = charts.plot_weakest_elements(summ, settings=Settings())
    ax = fig.axes[0]
    assert ax.get_yticklabels()[0].get_text() != ""
    assert len(ax.patches) == 10


# --- concentration, pipeline, categories, market position, retention, split, AM load ---

BAD_MATH = "Acme $\\nocommand$ Ltd"  # mathtext would fail on this: it must stay plain text


def _png(fig):
    buf = BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")
    return buf.getvalue()


def _texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.fixture
def shares():
    return pd.DataFrame({"dimension": ["offering", "buying_center", "buying_center", "offering", "buying_center"],
                         "name": ["Cloud", "IT", "Finance", "Consulting", BAD_MATH],
                         "amount": [700.0, 300.0, 430.0, 300.0, 270.0],
                         "share": [0.7, 0.3, 0.43, 0.3, 0.27]})


@pytest.fixture
def stages():
    return pd.DataFrame({"stage": ["Qualification", "Proposal", "Negotiation"], "n": [8, 3, 1],
                         "amount": [900_000.0, 450_000.0, 200_000.0], "weighted": [90_000.0, 225_000.0, 160_000.0]})


@pytest.fixture
def migration():
    return pd.DataFrame({"a_year_ago": [2, 5, 7, 11], "now": [3, 6, 4, 12]},
                        index=["Strategic", "Core", "Beachhead", "Greenfield"])


@pytest.fixture
def market():
    return pd.DataFrame({"market_share": [2.0, 0.5, 3.0, 0.2, np.nan, 1.5],
                         "market_growth": [0.15, 0.20, 0.02, -0.05, 0.10, np.nan],
                         "revenue_t4q": [1_000_000.0, 0.0, 250_000.0, 40_000.0, 10.0, 5.0],
                         "account_name": ["Alpha", "Beta", "Gamma", "Delta", "Eps", "Zeta"]})


@pytest.fixture
def retention():
    return pd.DataFrame({"period": ["2026Q1", "2026Q2", "2026Q3", "2026Q4"],
                         "grr": [np.nan, 0.90, 0.93, np.nan], "nrr": [np.nan, 1.05, 1.08, 1.12]})


@pytest.fixture
def split():
    return pd.DataFrame({"period": ["2026Q1", "2026Q2", "2026Q3"], "existing": [900_000.0, 1_000_000.0, 800_000.0],
                         "new_client": [100_000.0, 0.0, 200_000.0]})


@pytest.fixture
def load():
    return pd.DataFrame({"account_manager": ["Ann", BAD_MATH, "Cy", "Di"], "accounts": [7, 12, 3, 10]})


def test_plot_concentration_groups_sorts_labels_and_flags(shares):
    fig = charts.plot_concentration(shares, top_share_flag=0.6)
    ax = fig.axes[0]
    assert ax.yaxis_inverted()  # first row at the top
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Buying center · Finance", "Buying center · IT", f"Buying center · {BAD_MATH}",
                      "Offering · Cloud", "Offering · Consulting"]
    assert [round(p.get_width(), 6) for p in ax.patches] == [0.43, 0.3, 0.27, 0.7, 0.3]
    assert _texts(ax) == ["43%", "30%", "27%", "70%", "30%"]
    flag = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(flag) == 1 and list(flag[0].get_xdata()) == [0.6, 0.6]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["concentration flag (60%)"]
    _png(fig)  # the "$" name is drawn as plain text


def test_plot_pipeline_funnel_centres_bars_and_says_what_they_are(stages):
    fig = charts.plot_pipeline_funnel(stages)
    ax = fig.axes[0]
    outer, inner = ax.patches[:3], ax.patches[3:]
    assert len(ax.patches) == 6
    assert [p.get_width() for p in outer] == [900_000.0, 450_000.0, 200_000.0]
    assert [p.get_width() for p in inner] == [90_000.0, 225_000.0, 160_000.0]
    assert all(p.get_x() == -p.get_width() / 2 for p in ax.patches)  # centred on zero
    assert all(i.get_height() < o.get_height() for o, i in zip(outer, inner))  # inner bar, not colour only
    assert inner[0].get_y() + inner[0].get_height() / 2 == 0 and ax.yaxis_inverted()  # first stage at the top
    assert "Proposal: 3 opps, 450,000 (weighted 225,000)" in _texts(ax)
    assert "Negotiation: 1 opp, 200,000 (weighted 160,000)" in _texts(ax)
    _png(fig)


def test_plot_category_migration_pairs_bars_by_colour_and_hatch(migration):
    fig = charts.plot_category_migration(migration)
    ax = fig.axes[0]
    assert len(ax.patches) == 8
    before, now = ax.patches[:4], ax.patches[4:]
    assert [p.get_height() for p in before] == [2, 5, 7, 11]
    assert [p.get_height() for p in now] == [3, 6, 4, 12]
    assert all(b.get_x() < n.get_x() for b, n in zip(before, now))
    assert before[0].get_hatch() and not now[0].get_hatch()
    assert before[0].get_facecolor() != now[0].get_facecolor()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Strategic", "Core", "Beachhead", "Greenfield"]
    assert sorted(_texts(ax), key=int) == sorted(["2", "5", "7", "11", "3", "6", "4", "12"], key=int)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a year ago", "now"]
    _png(fig)


def test_plot_market_position_log_share_skips_missing_and_counts_quadrants(market):
    fig = charts.plot_market_position(market, growth_threshold=0.10, share_threshold=1.0)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    points = [c for c in ax.collections if len(c.get_offsets())]
    assert len(points) == 1 and len(points[0].get_offsets()) == 4  # the two rows with a NaN are not drawn
    assert "2 not classified" in ax.get_title()
    sizes = points[0].get_sizes()
    assert sizes[0] == sizes.max() and sizes[1] > 0  # area by revenue, with a minimum for zero revenue
    texts = _texts(ax)
    assert {"Star (1)", "Question mark (1)", "Cash cow (1)", "Dog (1)"} <= set(texts)
    # the bubbles carry their names (the drawn ones only)
    assert {"Alpha", "Beta", "Gamma", "Delta"} <= set(texts) and not {"Eps", "Zeta"} & set(texts)
    assert {ln.get_linestyle() for ln in ax.lines} == {"--"} and len(ax.lines) == 2
    assert ax.xaxis.get_major_formatter()(1.0, 0) == "1x"  # no mathtext tick labels
    assert ax.yaxis.get_major_formatter()(0.1, 0) == "10%"
    _png(fig)


def test_plot_market_position_counts_at_the_threshold_as_high():
    df = pd.DataFrame({"market_share": [1.0], "market_growth": [0.10], "revenue_t4q": [5.0]})
    ax = charts.plot_market_position(df).axes[0]
    assert "Star (1)" in _texts(ax) and "not classified" not in ax.get_title()


def _bubbles(fig):
    """The drawn bubbles: the one collection with points, its offsets and face colours."""
    (points,) = [c for c in fig.axes[0].collections if len(c.get_offsets())]
    faces = points.get_facecolors()
    faces = np.repeat(faces, len(points.get_offsets()), axis=0) if len(faces) == 1 else faces
    return points, np.asarray(points.get_offsets()), faces


def _colour_of(fig, share, growth):
    """The face colour (RGB) of the bubble drawn at (share, growth)."""
    _, xy, faces = _bubbles(fig)
    (i,) = np.flatnonzero(np.isclose(xy[:, 0], share) & np.isclose(xy[:, 1], growth))
    return tuple(faces[i][:3])


def _rgb(name):
    return mpl.colors.to_rgb(name)


def _legend_texts(fig):
    ax = fig.axes[0]
    legends = [ax.get_legend(), *(a for a in ax.artists if isinstance(a, mpl.legend.Legend))]
    return {lg.get_title().get_text(): [t.get_text() for t in lg.get_texts()] for lg in legends if lg is not None}


def test_plot_market_position_colours_each_bubble_by_its_health_band_unknown_grey(market):
    s = Settings()
    df = market.assign(health_index=[82.0, 55.0, 31.0, np.nan, 90.0, 12.0])  # Eps and Zeta are not drawn
    fig = charts.plot_market_position(df, settings=s)
    for share, growth, health in zip(df["market_share"], df["market_growth"], df["health_index"]):
        if pd.isna(share) or pd.isna(growth):
            continue
        assert _colour_of(fig, share, growth) == _rgb(charts.RAG_COLORS[s.rag(health)])  # None: grey
    assert _colour_of(fig, 0.2, -0.05) == _rgb(charts.RAG_COLORS[None])  # Delta: unknown, never red as if 0
    assert _rgb(charts.RAG_COLORS[None]) not in {_rgb(charts.RAG_COLORS[b]) for b in ("green", "amber", "red")}
    points, _, _ = _bubbles(fig)
    assert points.get_alpha() in (None, 1.0)  # opaque: overlapping bubbles never mix into another band's colour
    legends = _legend_texts(fig)
    assert legends["colour: health index"] == ["green: 70 or more (1)", "amber: 50 to below 70 (1)",
                                               "red: below 50 (1)", "grey: no health index (1)"]
    assert legends["revenue, last 4 quarters"] == ["1,000,000", "250,000"]  # the size key stays
    _png(fig)


def test_plot_market_position_follows_the_bands_of_the_settings_and_greys_an_incomplete_index(market):
    s = Settings(rag_green=90, rag_amber=80)
    df = market.assign(health_index=[82.0, 55.0, 95.0, 75.0, np.nan, np.nan],
                       health_complete=pd.array([True, True, True, False, pd.NA, pd.NA], dtype="boolean"))
    fig = charts.plot_market_position(df, settings=s)
    assert _colour_of(fig, 2.0, 0.15) == _rgb(charts.RAG_COLORS["amber"])  # 82: amber under these bands
    assert _colour_of(fig, 0.5, 0.20) == _rgb(charts.RAG_COLORS["red"])
    assert _colour_of(fig, 3.0, 0.02) == _rgb(charts.RAG_COLORS["green"])
    assert _colour_of(fig, 0.2, -0.05) == _rgb(charts.RAG_COLORS[None])  # incomplete: never banded as if complete
    assert _legend_texts(fig)["colour: health index"][-1] == "grey: no complete health index (1)"


def test_plot_market_position_without_health_keeps_one_colour(market):
    before = charts.plot_market_position(market)
    points, xy, faces = _bubbles(before)
    assert len(xy) == 4
    assert {tuple(np.round(c, 6)) for c in faces} == {tuple(np.round(mpl.colors.to_rgba(charts._LIGHT_BLUE, 0.65), 6))}
    assert list(_legend_texts(before)) == ["revenue, last 4 quarters"]  # no colour key: one colour means nothing
    # a health column no account fills (revenue data only) draws the same chart
    same = charts.plot_market_position(market.assign(health_index=np.nan))
    p2, xy2, faces2 = _bubbles(same)
    np.testing.assert_array_equal(xy2, xy)
    np.testing.assert_array_equal(faces2, faces)
    np.testing.assert_array_equal(p2.get_sizes(), points.get_sizes())
    assert _legend_texts(same) == _legend_texts(before)
    assert _texts(same.axes[0]) == _texts(before.axes[0])


def test_plot_market_position_of_thousands_keeps_colours_and_draws_the_largest_first():
    rng = np.random.default_rng(7)
    n = 2_000
    health = rng.uniform(20, 95, n)
    health[rng.random(n) < 0.2] = np.nan
    df = pd.DataFrame({"market_share": rng.uniform(0.1, 3.0, n).round(6), "market_growth": rng.uniform(-0.05, 0.35, n).round(6),
                       "revenue_t4q": rng.uniform(0, 1e6, n), "account_name": [f"A{i}" for i in range(n)],
                       "health_index": health})
    s = Settings()
    fig = charts.plot_market_position(df, settings=s, max_labels=5)
    points, xy, faces = _bubbles(fig)
    assert points.get_rasterized() and len(xy) == n
    want = {(round(x, 6), round(y, 6)): _rgb(charts.RAG_COLORS[s.rag(h)])
            for x, y, h in zip(df["market_share"], df["market_growth"], df["health_index"])}
    got = {(round(x, 6), round(y, 6)): tuple(c[:3]) for (x, y), c in zip(xy, faces)}
    assert got == want
    sizes = points.get_sizes()
    assert (np.diff(sizes) <= 0).all()  # the largest underneath: no small account hidden by a large one
    counts = dict(zip(*np.unique([s.rag(h) or "none" for h in health], return_counts=True)))
    assert _legend_texts(fig)["colour: health index"] == [
        f"green: 70 or more ({counts['green']})", f"amber: 50 to below 70 ({counts['amber']})",
        f"red: below 50 ({counts['red']})", f"grey: no health index ({counts['none']})"]
    assert len(fig.axes[0].texts) <= 5 + 4  # five names and the four corners


def test_plot_retention_two_styled_lines_reference_and_last_values(retention):
    fig = charts.plot_retention(retention)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    ref = [ln for ln in ax.lines if list(ln.get_ydata()) == [1.0, 1.0]]
    assert len(ref) == 1
    grr, nrr = [ln for ln in ax.lines if ln is not ref[0]]
    assert grr.get_marker() != nrr.get_marker() and grr.get_linestyle() != nrr.get_linestyle()
    assert {"GRR 93%", "NRR 112%"} <= set(_texts(ax))  # last valid value of each
    assert ax.yaxis.get_major_formatter()(1.0, 0) == "100%"
    assert [t.get_text() for t in ax.get_xticklabels()] == list(retention["period"])
    _png(fig)


def test_plot_revenue_split_stacks_hatches_and_labels_the_new_share(split):
    fig = charts.plot_revenue_split(split)
    ax = fig.axes[0]
    existing, new = ax.patches[:3], ax.patches[3:]
    assert [p.get_height() for p in existing] == [900_000.0, 1_000_000.0, 800_000.0]
    assert [p.get_height() for p in new] == [100_000.0, 0.0, 200_000.0]
    assert [p.get_y() for p in new] == [900_000.0, 1_000_000.0, 800_000.0]  # stacked on existing
    assert new[0].get_hatch() and not existing[0].get_hatch()
    assert _texts(ax) == ["10%", "0%", "20%"]
    assert ax.get_title() == ""
    assert ax.yaxis.get_major_formatter()(1_250_000, 0) == "1,250,000"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["existing clients", "new clients"]
    _png(fig)


def test_plot_am_load_sorts_shades_target_and_marks_outside_in_text(load):
    fig = charts.plot_am_load(load, low=5, high=10)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_label() != "target range 5-10"]
    assert [p.get_width() for p in bars] == [12, 10, 7, 3]
    assert [t.get_text() for t in ax.get_yticklabels()] == [BAD_MATH, "Di", "Ann", "Cy"]
    assert ax.yaxis_inverted()
    texts = _texts(ax)
    assert sum("outside range" in t for t in texts) == 2  # 12 and 3; 10 is inside (inclusive)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["target range 5-10"]
    _png(fig)


@pytest.mark.parametrize("plot, columns, message", [
    (charts.plot_concentration, ["dimension", "name", "amount", "share"], "No revenue in the last 4 quarters"),
    (charts.plot_pipeline_funnel, ["stage", "n", "amount", "weighted"], "No open opportunities"),
    (charts.plot_category_migration, ["a_year_ago", "now"], "No accounts"),
    (charts.plot_retention, ["period", "grr", "nrr"], "No retention figures"),
    (charts.plot_revenue_split, ["period", "existing", "new_client"], "No revenue"),
    (charts.plot_am_load, ["account_manager", "accounts"], "No account managers"),
])
def test_empty_input_says_so(plot, columns, message):
    fig = plot(pd.DataFrame(columns=columns))
    ax = fig.axes[0]
    assert _texts(ax) == [message]
    assert not ax.patches
    _png(fig)


@pytest.mark.parametrize("name", ["shares", "stages", "migration", "market", "retention", "split", "load"])
def test_new_charts_use_a_given_ax_and_keep_rcparams(request, name):
    plot = {"shares": charts.plot_concentration, "stages": charts.plot_pipeline_funnel,
            "migration": charts.plot_category_migration, "market": charts.plot_market_position,
            "retention": charts.plot_retention, "split": charts.plot_revenue_split, "load": charts.plot_am_load}[name]
    data = request.getfixturevalue(name)
    before = dict(mpl.rcParams)
    fig = Figure()
    ax = fig.add_subplot()
    assert plot(data, ax=ax) is ax.figure
    assert dict(mpl.rcParams) == before
    assert plot.__name__ in charts.__all__
    _png(fig)
    assert dict(mpl.rcParams) == before


def test_input_text_in_tick_labels_stays_plain_on_a_callers_ax():
    # a caller's ax has tick labels made outside theme(); "$" must still not be mathtext
    fig = Figure()
    ax = fig.add_subplot()
    wide = pd.DataFrame(np.full((2, 10), 50.0), columns=list(ELEMENT_IDS), index=[BAD_MATH, "b"])
    charts.plot_element_heatmap(wide, ax=ax)
    assert next(t.get_text() for t in ax.get_yticklabels()) == BAD_MATH
    _png(fig)


def test_heatmap_colours_follow_the_rag_bands_with_a_second_cue():
    s = Settings(rag_amber=50, rag_green=70)
    wide = pd.DataFrame([[49.9, 50.0, 69.9, 70.0, 100.0, 0.0, np.nan, 55.0, 80.0, 20.0]], columns=list(ELEMENT_IDS), index=["a"])
    fig = charts.plot_element_heatmap(wide, settings=s)
    ax = fig.axes[0]
    mesh = ax.collections[0]
    colour = [mpl.colors.to_hex(mesh.cmap(mesh.norm(v))) for v in wide.iloc[0].dropna()]
    tint = {b: mpl.colors.to_hex(charts.RAG_TINTS[b]) for b in ("red", "amber", "green")}
    expected = [s.rag(v) for v in wide.iloc[0].dropna()]
    assert colour == [tint[b] for b in expected]  # 49.9 red, 50 amber, 69.9 amber, 70 green...
    # red and amber cells carry a hatch as well as a colour; green cells none
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == sum(b in ("red", "amber") for b in expected)
    assert {p.get_hatch() for p in hatched} == {charts.RAG_HATCHES["red"][0], charts.RAG_HATCHES["amber"][0]}
    assert [t.get_text().split(":")[0] for t in ax.get_legend().get_texts()] == ["green", "amber", "red"]
    _png(fig)


def test_weakest_elements_draws_the_weakest_at_the_top_as_its_title_says():
    summ = pd.DataFrame({"element": list(ELEMENT_IDS), "mean_score": np.linspace(30, 80, 10)})
    fig = charts.plot_weakest_elements(summ, settings=Settings())
    ax = fig.axes[0]
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1]).get_text()
    assert top == "Client Understanding"  # 30: the weakest
    assert "weakest at the top" in ax.get_title(loc="left")
    assert sum(p.get_hatch() == charts.RAG_HATCHES["red"] for p in ax.patches) == int((summ["mean_score"] < 50).sum())


def test_a_score_is_never_printed_rounded_into_the_next_band():
    from kit.figures.words import score_text

    s = Settings()  # amber from 50, green from 70
    assert [score_text(v, s.rag) for v in (69.96, 69.4, 70.0, 49.6, 50.2, None)] == ["69.9", "69", "70", "49.6", "50", "—"]
    df = pd.DataFrame({"element": list(ELEMENT_IDS), "score": [69.96] + [80.0] * 9, "range_low": np.nan, "range_high": np.nan})
    df["rag"] = df["score"].map(s.rag)
    texts = _texts(charts.plot_elements(df, settings=s).axes[0])
    assert "69.9 AMBER" in texts and "70 AMBER" not in texts
    wide = pd.DataFrame([[69.96] * 10], columns=list(ELEMENT_IDS), index=["a"])
    assert {t.get_text() for t in charts.plot_element_heatmap(wide, settings=s).axes[0].texts} == {"69.9"}
