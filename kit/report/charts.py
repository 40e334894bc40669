"""Charts: ``plot_*(data, *, ax=None, ...) -> Figure``.

Object-oriented matplotlib only (no pyplot state machine): without ``ax`` a new
:class:`~matplotlib.figure.Figure` is made.  Styling comes from :func:`theme`, a context
manager, never from changed global rcParams.  Charts take figures already computed by
the model layer; they compute nothing of their own beyond layout.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import matplotlib as mpl
import matplotlib.lines
import matplotlib.patches
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kit.config import Settings
from kit.figures.market import BCG_RULES
from kit.figures.words import score_text
from kit.schema import ELEMENT_IDS, ELEMENT_NAMES, MOTIONS

__all__ = [
    "MOTION_COLORS",
    "MOTION_WORDS",
    "RAG_COLORS",
    "RAG_HATCHES",
    "hygiene_position",
    "place_labels",
    "plot_am_load",
    "plot_am_load_distribution",
    "plot_category_migration",
    "plot_concentration",
    "plot_drivers",
    "plot_element_heatmap",
    "plot_elements",
    "plot_health_history",
    "plot_market_position",
    "plot_perception_gap",
    "plot_pipeline_funnel",
    "plot_quadrant",
    "plot_rater_scores",
    "plot_retention",
    "plot_revenue_history",
    "plot_revenue_motions",
    "plot_revenue_split",
    "plot_weakest_elements",
    "theme",
]

# Okabe-Ito colours (safe for the common colour-vision deficiencies); every chart also
# says in text what a colour means
RAG_COLORS = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00", None: "#9e9e9e"}
MOTION_COLORS = {"baseline": "#b0bec5", "continuation": "#1f4e79", "crop_rotation": "#4f9dd9", "colonization": "#f28e2b"}
#: the motions as a reader says them (never the ids)
MOTION_WORDS = {"baseline": "baseline (first quarter)", "continuation": "continuation", "crop_rotation": "cross-sell (crop rotation)",
                "colonization": "new buying centers (colonization)"}
# colour-blind-safe pair (blue / orange) plus neutrals; series also differ by hatch,
# marker or line style, never by colour alone
_DARK_BLUE, _LIGHT_BLUE, _PALE_BLUE, _ORANGE = "#1f4e79", "#4f9dd9", "#c6dcf0", "#f28e2b"
_INK, _MUTED = "#263238", "#455a64"
#: a second cue beside the colour: red and amber are close for many readers, so red bars
#: are cross-hatched and amber bars striped; green is plain
RAG_HATCHES = {"green": "", "amber": "///", "red": "xxx", None: ""}
#: lighter tints of the RAG colours for cells that carry text (the heatmap)
RAG_TINTS = {"green": "#8fd9bf", "amber": "#f5c96b", "red": "#f0a37a"}
QUADRANT_COLORS = {"Thriving": "#009E73", "Coasting": "#E69F00", "Building": "#56B4E9", "At risk": "#D55E00"}
QUADRANT_MARKERS = {"Thriving": "o", "Coasting": "s", "Building": "^", "At risk": "X"}

_RC = {
    "font.size": 9, "axes.titlesize": 11, "hatch.linewidth": 0.6, "axes.titleweight": "bold", "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "figure.dpi": 100,
    "savefig.dpi": 110, "savefig.bbox": "tight",
    # input text (account names) may hold "$": never parse it as mathtext
    "text.parse_math": False,
}


@contextlib.contextmanager
def theme() -> Iterator[None]:
    """The kit's chart style, restored on exit."""
    with mpl.rc_context(_RC):
        yield


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _rag_bars(ax: Axes, y: np.ndarray, widths: np.ndarray, rags: list[object], **kw) -> None:
    """Horizontal bars in RAG colours with the second cue (hatch) of each band."""
    for yi, w, rag in zip(y, widths, rags):
        band = rag if isinstance(rag, str) else None
        ax.barh(yi, w, color=RAG_COLORS.get(band, RAG_COLORS[None]), hatch=RAG_HATCHES.get(band, ""),
                edgecolor="white", linewidth=0, **kw)


def _rag_legend_handles() -> list:
    """Legend swatches of the three bands: colour and hatch together."""
    return [mpl.patches.Patch(facecolor=RAG_COLORS[b], hatch=RAG_HATCHES[b], edgecolor="white", label=b)
            for b in ("green", "amber", "red")]


def plot_elements(elements: pd.DataFrame, *, settings: Settings, ax: Axes | None = None) -> Figure:
    """Ten-element chart: each element's score (bar, RAG colour) and the raters' range
    (line from the lowest to the highest rater mean, on the same 0-100 scale).

    ``elements``: one account's rows with element, score, rag, range_low, range_high.
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 4.6))
        df = elements.reset_index(drop=True)
        y = np.arange(len(df))[::-1]
        scores = df["score"].fillna(0).to_numpy()
        _rag_bars(ax, y, scores, list(df["rag"]), height=0.6)
        has_range = df["range_low"].notna().to_numpy()
        ax.hlines(y[has_range], df["range_low"][has_range], df["range_high"][has_range], color="#263238", linewidth=2)
        ax.plot(df["range_low"][has_range], y[has_range], "|", color="#263238", markersize=10)
        ax.plot(df["range_high"][has_range], y[has_range], "|", color="#263238", markersize=10)
        for yi, sc, rag in zip(y, df["score"], df["rag"]):
            # the band in words too: never colour alone
            ax.text(101, yi, "not rated" if pd.isna(sc) else f"{score_text(sc, settings.rag)} {str(rag).upper()}",
                    va="center", fontsize=7)
        ax.axvline(settings.rag_green, color=RAG_COLORS["green"], linestyle="--", linewidth=1)
        ax.axvline(settings.rag_amber, color=RAG_COLORS["amber"], linestyle="--", linewidth=1)
        ax.set_yticks(y, [ELEMENT_NAMES.get(e, e) for e in df["element"]])
        ax.set_xlim(0, 118)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel("score (0-100); dashed lines: amber and green bands")
        ax.set_title("Ten assessment elements: score and raters' range")
        # the bands as colour and hatch, and the raters' range
        handles = _rag_legend_handles() + [
            mpl.lines.Line2D([], [], color="#263238", linewidth=2, label="raters' range (lowest to highest rater)")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.12), fontsize=7, frameon=False, ncols=4)
    return fig


def plot_revenue_motions(motions: pd.DataFrame, *, ax: Axes | None = None, title: str = "Revenue by motion") -> Figure:
    """Stacked bars of revenue per quarter by motion.

    ``motions``: rows of ``revenue_motions`` (period, motion, amount), any accounts.
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 3.4))
        wide = motions.groupby(["period", "motion"])["amount"].sum().unstack(fill_value=0.0)
        wide = wide.reindex(columns=[m for m in MOTIONS if m in wide.columns]).sort_index()
        x = np.arange(len(wide))
        pos_bottom = np.zeros(len(wide))
        neg_bottom = np.zeros(len(wide))
        for m in wide.columns:
            v = wide[m].to_numpy()
            bottom = np.where(v >= 0, pos_bottom, neg_bottom)
            ax.bar(x, v, bottom=bottom, color=MOTION_COLORS[m], label=MOTION_WORDS.get(m, str(m).replace("_", " ")))
            pos_bottom += np.where(v >= 0, v, 0)
            neg_bottom += np.where(v < 0, v, 0)
        ax.set_xticks(x, wide.index, rotation=45, ha="right")
        ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_title(title, loc="left", pad=18)
        if len(wide.columns):  # above the bars, never over them
            ax.legend(fontsize=7, frameon=False, ncols=4, loc="lower left", bbox_to_anchor=(0.0, 1.0), borderaxespad=0.1)
    return fig


def hygiene_position(figures: pd.DataFrame, *, settings: Settings) -> pd.Series:
    """Each account's revenue against its own hygiene bar, 1.0 = exactly hygienic: revenue
    attainment / ``hygiene_attainment`` where there are targets, else T4Q revenue / the four
    quarters before (growth + 1, hygienic at 1.0); NaN where hygiene is not judged."""
    bar = settings.hygiene_attainment if settings.hygiene_attainment > 0 else 1.0
    by_target = figures["revenue_attainment"].astype(float) / bar
    by_growth = figures["revenue_growth"].astype(float) + 1.0
    basis = figures["hygiene_basis"]
    return by_target.where(basis == "target", by_growth.where(basis == "growth"))


#: Above this many points a scatter is drawn as one picture inside its SVG (``rasterized``):
#: thousands of vector markers would make the page megabytes; text and axes stay vector.
_DENSE = 300


def place_labels(ax: Axes, x: np.ndarray, y: np.ndarray, labels: list[str], *, fontsize: float = 6.5,
                 radius: float = 0.012, radii_pt: np.ndarray | None = None, backdrop: bool = False) -> list[int]:
    """Name points without overlap: each label tries eight places around its point and
    takes the first that stays inside the axes and clear of the labels and points placed
    so far.  Text size is estimated (no renderer), so call after the limits are set.
    ``radii_pt``: each marker's radius in points (bubbles), else ``radius`` (axes fraction).
    ``backdrop``: a white box behind each label, for labels drawn over a crowd of points.

    Returns the positions of the labels that found no place (the caller says so).
    """
    fig = ax.figure
    engine = fig.get_layout_engine()
    if engine is not None:  # the axes' final place and size: labels are measured against them
        engine.execute(fig)
    box = ax.get_position()
    w_in, h_in = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    to_axes = ax.transData + ax.transAxes.inverted()
    pts = to_axes.transform(np.column_stack([x, y])) if len(x) else np.empty((0, 2))
    char_w, line_h = 0.6 * fontsize / 72 / w_in, 1.3 * fontsize / 72 / h_in
    if radii_pt is None:
        rx = ry = np.full(len(pts), radius)
        off_pt = np.full(len(pts), 3.0)
    else:  # a bubble's label sits outside the bubble
        rx, ry = radii_pt / 72 / w_in, radii_pt / 72 / h_in
        off_pt = radii_pt * 0.75 + 2
    # every point's box, as arrays: a label is checked against thousands of points at once
    boxes = np.column_stack([pts[:, 0] - rx, pts[:, 1] - ry, pts[:, 0] + rx, pts[:, 1] + ry]) if len(pts) \
        else np.empty((0, 4))
    placed: list[tuple[float, float, float, float]] = []
    left_out = []
    # (dx, dy): which side of the point; ha, va to match
    sides = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)]
    for i, ((px, py), text) in enumerate(zip(pts, labels)):
        w, h = len(text) * char_w, line_h
        pad_x, pad_y = off_pt[i] / 72 / w_in, off_pt[i] / 72 / h_in
        for dx, dy in sides:
            x0 = px + pad_x if dx > 0 else px - pad_x - w if dx < 0 else px - w / 2
            y0 = py + pad_y if dy > 0 else py - pad_y - h if dy < 0 else py - h / 2
            cand = (x0, y0, x0 + w, y0 + h)
            if cand[0] < 0 or cand[1] < 0 or cand[2] > 1 or cand[3] > 1:
                continue
            hit = ~((cand[2] <= boxes[:, 0]) | (cand[0] >= boxes[:, 2]) | (cand[3] <= boxes[:, 1]) | (cand[1] >= boxes[:, 3]))
            hit[i] = False  # a label never clashes with its own point
            if hit.any() or any(not (cand[2] <= b[0] or cand[0] >= b[2] or cand[3] <= b[1] or cand[1] >= b[3])
                                for b in placed):
                continue
            placed.append(cand)
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85} if backdrop else None
            ax.annotate(text, (x[i], y[i]), xytext=(off_pt[i] * dx, off_pt[i] * dy), textcoords="offset points", ha=ha, va=va,
                        fontsize=fontsize, color=_INK if backdrop else _MUTED, annotation_clip=False, bbox=box,
                        zorder=5).set_parse_math(False)
            break
        else:
            left_out.append(i)
    return left_out


def _short(name: object, n: int = 26) -> str:
    text = str(name)
    return text if len(text) <= n else text[: n - 1] + "…"


def plot_quadrant(figures: pd.DataFrame, *, settings: Settings, ax: Axes | None = None, labels: bool = True,
                  max_labels: int | None = None) -> Figure:
    """Health x hygiene scatter: health index (x) against revenue measured against its
    hygiene bar (y, :func:`hygiene_position`: attainment where there are targets, growth
    against the year before where there are none), one marker and colour per quadrant.

    ``figures``: health_index, quadrant, hygiene_basis, revenue_attainment, revenue_growth
    and account_name per account.  Every account with a quadrant is drawn (the others have
    none to show); names are placed clear of each other, and ``fig.kit_left_out`` lists
    the accounts whose name found no room.  ``max_labels``: name only that many, the
    largest by T4Q revenue (a portfolio of thousands; the points are then drawn as one
    picture inside the SVG, which keeps the page small).
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 5.2))
        df = figures[figures["quadrant"].notna()].assign(_y=hygiene_position(figures, settings=settings))
        df = df.dropna(subset=["health_index", "_y"])
        top = 2.5  # beyond 250% of the bar, points sit at the edge (the title says how many)
        y = df["_y"].clip(upper=top)
        for q, color in QUADRANT_COLORS.items():
            sub = df[df["quadrant"] == q]
            for basis, face in (("target", color), ("growth", "white")):
                part = sub[sub["hygiene_basis"] == basis]
                if part.empty:
                    continue
                ax.scatter(part["health_index"], y[part.index], s=42 if len(df) <= _DENSE else 14,
                           marker=QUADRANT_MARKERS[q], zorder=3, rasterized=len(df) > _DENSE,
                           facecolor=face, edgecolor=color if basis == "growth" else "white", linewidth=1.2,
                           label=f"{q} ({len(sub)})" if basis == "target" or (sub["hygiene_basis"] != "target").all() else None)
        ax.axvline(settings.health_threshold, color=_MUTED, linestyle="--", linewidth=1)
        ax.axhline(1.0, color=_MUTED, linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        lo = float(min(0.5, y.min() - 0.1)) if len(y) else 0.5
        hi = float(max(1.5, y.max() + 0.1)) if len(y) else 1.5
        ax.set_ylim(max(lo, -0.1), min(hi, top + 0.1))
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"health index (healthy at {settings.health_threshold:g} or more)")
        ax.set_ylabel("revenue against the hygiene bar (100% = hygienic)")
        over = int((df["_y"] > top).sum())
        ax.set_title("Health x hygiene" + (f" ({over} above {top:.0%} drawn at the edge)" if over else ""), loc="left")
        handles, names = ax.get_legend_handles_labels()
        handles += [mpl.lines.Line2D([], [], linestyle="none", marker="o", markerfacecolor=_MUTED, markeredgecolor=_MUTED),
                    mpl.lines.Line2D([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor=_MUTED)]
        names += ["filled: attainment of the revenue target", "hollow: no target, growth on the year before"]
        # below the axes: beside them it took a third of the width the names need
        ax.legend(handles, names, fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(0.0, -0.1), ncols=3)
        fig.kit_left_out = []
        if labels and len(df):
            # the largest accounts first: they get the room when names compete for it
            order = df["revenue_t4q"].fillna(0).sort_values(ascending=False, kind="stable").index if "revenue_t4q" in df else df.index
            d = df.loc[order]
            # a crowd: the named accounts avoid each other only (every point would be in the way)
            d = d if max_labels is None else d.iloc[:max_labels]
            missed = place_labels(ax, d["health_index"].to_numpy(float), y[d.index].to_numpy(float),
                                  [_short(n) for n in d["account_name"]], backdrop=max_labels is not None)
            fig.kit_left_out = [d.index[i] for i in missed]
    return fig


def plot_element_heatmap(scores: pd.DataFrame, *, settings: Settings | None = None, ax: Axes | None = None,
                         title: str = "Element scores by account (blank: not rated)") -> Figure:
    """Heatmap of accounts (rows) x elements (columns), scores 0-100 annotated; the cell
    colours are the RAG bands of the settings (``rag_amber``, ``rag_green``), red cells
    cross-hatched and amber cells striped as a second cue, blank cells not rated.

    ``scores``: wide frame, index = account labels, columns = element ids.
    """
    import seaborn as sns
    from matplotlib.colors import BoundaryNorm, ListedColormap

    s = settings or Settings()
    with theme():
        fig, ax = _axes(ax, (9, max(3.0, 0.26 * len(scores) + 1.8)))
        data = scores.rename(columns=lambda e: ELEMENT_NAMES.get(e, e))
        # three colours, bounded at the bands: the colour of a cell is its RAG band
        bounds = [0.0, max(s.rag_amber, 1e-9), max(s.rag_green, s.rag_amber + 1e-9), 100.0 + 1e-9]
        cmap = ListedColormap([RAG_TINTS["red"], RAG_TINTS["amber"], RAG_TINTS["green"]])
        norm = BoundaryNorm(bounds, cmap.N)
        _plain_ticks(ax)  # seaborn measures the labels it sets: plain text from the start
        # the printed number never rounds into another band (69.96 is "69.9" in an amber cell)
        labels = data.apply(lambda col: col.map(lambda v: "" if pd.isna(v) else score_text(v, s.rag))).to_numpy()
        sns.heatmap(data, ax=ax, cmap=cmap, norm=norm, annot=labels, fmt="", annot_kws={"fontsize": 6, "color": _INK},
                    cbar=False, linewidths=0.4, linecolor="white")
        values = data.to_numpy(dtype=float)
        for (i, j), v in np.ndenumerate(values):
            band = s.rag(v)
            if RAG_HATCHES.get(band):  # one stroke, not three: the numbers stay legible
                ax.add_patch(mpl.patches.Rectangle((j, i), 1, 1, fill=False, hatch=RAG_HATCHES[band][0], linewidth=0,
                                                   edgecolor="white", alpha=0.9, zorder=2))
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", rotation=40, labelsize=7)
        ax.tick_params(axis="y", labelsize=7)
        for lbl in ax.get_xticklabels():
            lbl.set_horizontalalignment("right")
        _plain_ticks(ax)  # account labels may hold "$"
        handles = [mpl.patches.Patch(facecolor=RAG_TINTS[b], hatch=RAG_HATCHES[b][:1], edgecolor="white", label=words)
                   for b, words in (("green", f"green: {s.rag_green:g} or more"),
                                    ("amber", f"amber: {s.rag_amber:g} to below {s.rag_green:g}"),
                                    ("red", f"red: below {s.rag_amber:g}"))]
        ax.legend(handles=handles, fontsize=7, frameon=False, ncols=3, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  borderaxespad=0.2)
        ax.set_title(title, loc="left", pad=18)
    return fig


def plot_weakest_elements(summary: pd.DataFrame, *, settings: Settings, ax: Axes | None = None) -> Figure:
    """Mean score per element across the portfolio, weakest first.

    ``summary``: element, mean_score (and n_accounts) per element.
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 3.8))
        # weakest first, drawn at the top (the order a reader reads in); unscored last
        df = summary.sort_values("mean_score", ascending=True, na_position="last").reset_index(drop=True)
        y = np.arange(len(df))[::-1]
        rags = [settings.rag(v) for v in df["mean_score"]]
        _rag_bars(ax, y, df["mean_score"].fillna(0).to_numpy(), rags, height=0.6)
        ax.set_yticks(y, [ELEMENT_NAMES.get(e, e) for e in df["element"]])
        for yi, v in zip(y, df["mean_score"]):
            label = "not rated" if pd.isna(v) else f"{score_text(v, settings.rag)} {str(settings.rag(v)).upper()}"
            ax.text(min(v if pd.notna(v) else 0, 100) + 1, yi, label, va="center", fontsize=7)
        ax.set_xlim(0, 115)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel("mean element score across assessed accounts (0-100)")
        ax.legend(handles=_rag_legend_handles(), loc="upper left", fontsize=7, frameon=False, ncols=3,
                  bbox_to_anchor=(0.0, -0.16), borderaxespad=0.2)
        # short, and left-aligned: a centred long title was cut at the left by the labels
        ax.set_title("Mean score per element (weakest at the top)", loc="left")
    return fig


# --- helpers shared by the charts below -------------------------------------------------

def _empty(fig: Figure, ax: Axes, message: str) -> Figure:
    """An empty chart: the message centred, no axes furniture."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=10, color=_MUTED)
    ax.set_axis_off()
    return fig


def _plain_ticks(ax: Axes) -> None:
    """Tick labels that show input text stay plain text even on a caller's ``ax``, whose
    tick labels were made outside :func:`theme` (with ``text.parse_math`` on)."""
    for t in ax.get_xticklabels() + ax.get_yticklabels():
        t.set_parse_math(False)


def _amount(v: float) -> str:
    return "n/a" if pd.isna(v) else f"{v:,.0f}"


def _pct(v: float) -> str:
    return "n/a" if pd.isna(v) else f"{v:.0%}"


_THOUSANDS = mpl.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}")
_DIMENSION_LABELS = {"buying_center": "Buying center", "offering": "Offering"}


def plot_concentration(shares: pd.DataFrame, *, top_share_flag: float = 0.6, ax: Axes | None = None) -> Figure:
    """Revenue shares per buying center and per offering (last 4 quarters), one bar each.

    ``shares``: long frame with ``dimension`` ("buying_center" or "offering"), ``name``,
    ``amount`` (T4Q revenue) and ``share`` (0-1, of the dimension's total). Bars are
    grouped by dimension and sorted by share within each group; a dashed line marks
    ``top_share_flag``.
    """
    with theme():
        if shares.empty:
            fig, ax = _axes(ax, (7.5, 2.0))
            return _empty(fig, ax, "No revenue in the last 4 quarters")
        dims = list(dict.fromkeys([d for d in _DIMENSION_LABELS if d in set(shares["dimension"])]
                                  + list(shares["dimension"])))
        groups = [shares[shares["dimension"] == d].sort_values("share", ascending=False, kind="stable") for d in dims]
        n_rows = sum(len(g) for g in groups)
        fig, ax = _axes(ax, (7.5, max(2.4, 0.28 * n_rows + 0.45 * len(groups) + 1.0)))
        colors = [_DARK_BLUE, _LIGHT_BLUE]
        pos, y, widths, labels, bar_colors = 0.0, [], [], [], []
        for i, (d, g) in enumerate(zip(dims, groups)):
            prefix = _DIMENSION_LABELS.get(d, str(d).replace("_", " ").capitalize())
            for name, share in zip(g["name"], g["share"]):
                y.append(pos)
                widths.append(share)
                labels.append(f"{prefix} · {name}")
                bar_colors.append(colors[i % len(colors)])
                pos += 1.0
            pos += 0.6  # a gap between the groups
        widths = np.asarray(widths, dtype=float)
        ax.barh(y, np.nan_to_num(widths), color=bar_colors, height=0.7)
        for yi, w in zip(y, widths):
            ax.text((0 if np.isnan(w) else w) + 0.01, yi, _pct(w), va="center", fontsize=8, zorder=4,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
        ax.axvline(top_share_flag, color=_INK, linestyle="--", linewidth=1, zorder=3,
                   label=f"concentration flag ({top_share_flag:.0%})")
        ax.set_yticks(y, labels)
        _plain_ticks(ax)
        ax.invert_yaxis()
        ax.set_xlim(0, max(1.0, top_share_flag, np.nanmax(widths) if np.isfinite(widths).any() else 0) * 1.1)
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("share of revenue within the dimension, last 4 quarters")
        # the legend above the bars, never over them
        ax.set_title("Revenue concentration by buying center and offering", loc="left", pad=16)
        ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), borderaxespad=0.1)
    return fig


def plot_pipeline_funnel(stages: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Open pipeline as a funnel: one bar per stage centred on zero, open value (outer
    bar) with the weighted value as a darker inner bar.

    ``stages``: ``stage``, ``n`` (open opportunities), ``amount`` (open value) and
    ``weighted`` (weighted value), in drawing order (first row at the top).
    """
    with theme():
        if stages.empty:
            fig, ax = _axes(ax, (7.5, 2.0))
            return _empty(fig, ax, "No open opportunities")
        df = stages.reset_index(drop=True)
        fig, ax = _axes(ax, (7.5, max(2.2, 0.5 * len(df) + 1.2)))
        y = np.arange(len(df))
        amount = df["amount"].astype(float).fillna(0.0).clip(lower=0).to_numpy()
        weighted = df["weighted"].astype(float).fillna(0.0).clip(lower=0).to_numpy()
        widest = max(amount.max(), weighted.max())
        widest = widest if widest > 0 else 1.0
        ax.barh(y, amount, left=-amount / 2, height=0.72, color=_PALE_BLUE, edgecolor=_DARK_BLUE, linewidth=0.8,
                label="open value (outer bar)")
        ax.barh(y, weighted, left=-weighted / 2, height=0.38, color=_DARK_BLUE, label="weighted value (inner bar)")
        for yi, r, half in zip(y, df.itertuples(index=False), np.maximum(amount, weighted) / 2):
            n = int(r.n) if pd.notna(r.n) else 0
            text = f"{r.stage}: {n} opp{'' if n == 1 else 's'}, {_amount(r.amount)} (weighted {_amount(r.weighted)})"
            ax.text(half + 0.02 * widest, yi, text, va="center", fontsize=8)
        # room on the right for the stage texts
        ax.set_xlim(-0.52 * widest, 1.45 * widest)
        ax.set_ylim(len(df) - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[["left", "bottom"]].set_visible(False)
        ax.set_title("Open pipeline by stage")
        ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2)
    return fig


def plot_category_migration(counts: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Accounts per category a year ago and now: two bars per category.

    ``counts``: index = category names in display order (Strategic, Core, Beachhead,
    Greenfield); columns ``a_year_ago`` and ``now`` (account counts).
    """
    with theme():
        fig, ax = _axes(ax, (6.5, 3.4))
        if counts.empty:
            return _empty(fig, ax, "No accounts")
        x = np.arange(len(counts))
        w = 0.38
        series = [("a_year_ago", "a year ago", -w / 2, {"color": _LIGHT_BLUE, "edgecolor": "white", "hatch": "///"}),
                  ("now", "now", w / 2, {"color": _DARK_BLUE, "edgecolor": _DARK_BLUE})]
        values = counts[["a_year_ago", "now"]].astype(float)
        top = float(np.nanmax(values.to_numpy())) if values.notna().any().any() else 0.0
        top = top if top > 0 else 1.0
        for col, label, dx, style in series:
            v = values[col].to_numpy()
            ax.bar(x + dx, np.nan_to_num(v), w, label=label, linewidth=0.6, **style)
            for xi, vi in zip(x + dx, v):
                ax.text(xi, (0 if np.isnan(vi) else vi) + 0.015 * top, "n/a" if np.isnan(vi) else f"{vi:.0f}",
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, [str(c) for c in counts.index])
        _plain_ticks(ax)
        ax.set_ylim(0, top * 1.18)
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.grid(axis="x", visible=False)
        ax.set_ylabel("accounts")
        ax.set_title("Accounts by category: a year ago and now")
        ax.legend(fontsize=7, frameon=False, loc="upper right")
    return fig


def _health_bands(figures: pd.DataFrame, settings: Settings) -> pd.Series | None:
    """Each account's health-index band (green, amber, red; None where the index is unknown
    or incomplete, never banded as if complete), or None when no account has a band."""
    if "health_index" not in figures:
        return None
    health = figures["health_index"].astype(float)
    if "health_complete" in figures:
        health = health.where(figures["health_complete"].eq(True).fillna(False).astype(bool))
    bands = health.map(settings.rag).astype(object)
    return bands if bands.notna().any() else None


def _band_words(settings: Settings) -> dict[str, str]:
    """The health-index bands in words, with their limits."""
    s = settings
    return {"green": f"green: {s.rag_green:g} or more", "amber": f"amber: {s.rag_amber:g} to below {s.rag_green:g}",
            "red": f"red: below {s.rag_amber:g}"}


def plot_market_position(figures: pd.DataFrame, *, growth_threshold: float = 0.10, share_threshold: float = 1.0,
                         settings: Settings | None = None, ax: Axes | None = None, labels: bool = True,
                         max_labels: int | None = None) -> Figure:
    """Market position (BCG matrix): relative market share (x, log scale) against market
    growth (y), point area by revenue, colour by the health index's RAG band; quadrant
    names and counts in the corners.

    ``figures``: one row per account with ``market_share`` (relative share, > 0),
    ``market_growth`` (decimal) and ``revenue_t4q`` (>= 0), and ``account_name`` to name
    the bubbles (placed clear of each other, largest first; ``fig.kit_left_out`` lists
    those with no room; ``max_labels``: name only that many). Rows missing share or growth
    are not drawn; the title says how many.  Thousands of bubbles are drawn as one picture
    inside the SVG, the largest first so that none hides a smaller one.

    ``health_index`` (optional, with ``health_complete``): each bubble in the colour of its
    band (``settings.rag_amber``, ``rag_green``; the colours of the report's other RAG
    charts), counted in the legend; an account without a complete index is grey and counted
    as such, never banded as if its health were known.  Without any health index (revenue
    data only) every bubble has one colour.
    """
    s = settings or Settings()
    with theme():
        fig, ax = _axes(ax, (7, 5))
        share = figures["market_share"].astype(float)
        growth = figures["market_growth"].astype(float)
        missing = share.isna() | growth.isna()
        off_scale = ~missing & (share <= 0)  # classified, but a log axis cannot show it
        ok = ~missing & ~off_scale
        x, y = share[ok].to_numpy(), growth[ok].to_numpy()
        rev = figures["revenue_t4q"].astype(float)[ok].fillna(0.0).clip(lower=0).to_numpy()
        rev_max = rev.max() if len(rev) and rev.max() > 0 else 1.0
        dense = len(x) > _DENSE
        # thousands of bubbles: smaller, opaque, so the picture stays small and legible
        max_area, min_area = (600.0, 14.0) if not dense else (160.0, 3.0)
        area = np.maximum(min_area, max_area * rev / rev_max)
        bands = _health_bands(figures, s)
        if bands is None:  # revenue data only: one colour, as the chart has always been
            ax.scatter(x, y, s=area, color=_LIGHT_BLUE, alpha=0.65 if not dense else 1.0,
                       edgecolor=_DARK_BLUE if not dense else "none", linewidth=0.6, zorder=3, rasterized=dense)
        else:
            band = bands[ok].to_numpy(dtype=object)
            colors = np.array([RAG_COLORS.get(b, RAG_COLORS[None]) for b in band], dtype=object)
            # the largest underneath: a small account is never hidden by a large one; opaque,
            # with a white rim, so overlapping bubbles never blend into a colour of no band
            order = np.argsort(-area, kind="stable")
            ax.scatter(x[order], y[order], s=area[order], c=list(colors[order]), edgecolor="white",
                       linewidth=0.6 if not dense else 0.3, zorder=3, rasterized=dense)
        ax.axvline(share_threshold, color=_MUTED, linestyle="--", linewidth=1)
        ax.axhline(growth_threshold, color=_MUTED, linestyle="--", linewidth=1)
        ax.set_xscale("log")
        # limits keep both threshold lines inside, so each corner lies in its quadrant
        sx = np.concatenate([x, [share_threshold if share_threshold > 0 else 1.0]])
        ax.set_xlim(sx.min() / 2.5, sx.max() * 2.5)
        gy = np.concatenate([y, [growth_threshold]])
        pad = max(0.05, 0.2 * (gy.max() - gy.min()))
        ax.set_ylim(gy.min() - pad, gy.max() + pad)
        ax.xaxis.set_major_locator(mpl.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}x"))
        ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        hi_g, hi_s = y >= growth_threshold, x >= share_threshold
        corners = {(True, True): (0.98, 0.98, "right", "top"), (True, False): (0.02, 0.98, "left", "top"),
                   (False, True): (0.98, 0.02, "right", "bottom"), (False, False): (0.02, 0.02, "left", "bottom")}
        for key, (cx, cy, ha, va) in corners.items():
            n = int(((hi_g == key[0]) & (hi_s == key[1])).sum())
            ax.text(cx, cy, f"{BCG_RULES[key]} ({n})", transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                    fontweight="bold", color=_INK, zorder=4,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.set_xlabel(f"relative market share (log scale; high at {share_threshold:g}x or more)")
        ax.set_ylabel(f"market growth (high at {growth_threshold:.0%} or more)")
        title = "Market position: share against growth"
        notes = []
        if missing.any():
            notes.append(f"{int(missing.sum())} not classified")
        if off_scale.any():
            notes.append(f"{int(off_scale.sum())} with share ≤ 0 not drawn")
        ax.set_title(title + (f" ({'; '.join(notes)})" if notes else ""))
        size_key = None
        if len(rev) and rev.max() > 0:
            # a size key at round values (two significant digits); hollow beside coloured bubbles
            refs = sorted({float(f"{rev_max:.2g}"), float(f"{rev_max / 4:.2g}")}, reverse=True)
            face, edge = (_LIGHT_BLUE, _DARK_BLUE if not dense else _LIGHT_BLUE) if bands is None else ("white", _MUTED)
            handles = [mpl.lines.Line2D([], [], linestyle="none", marker="o", markersize=np.sqrt(max(min_area, max_area * r / rev_max)),
                                        markerfacecolor=face, alpha=0.65 if not dense and bands is None else 1.0,
                                        markeredgecolor=edge, markeredgewidth=0.6, label=_amount(r)) for r in refs]
            size_key = ax.legend(handles=handles, title="revenue, last 4 quarters", title_fontsize=7, fontsize=7,
                                 frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), labelspacing=1.8,
                                 handletextpad=1.2, borderpad=1.0, alignment="center" if bands is None else "left")
        if bands is not None and len(x):
            # the colours in words, each counted among the bubbles drawn
            drawn = bands[ok]
            words = _band_words(s)
            has_index = figures["health_index"].notna()[ok]  # an index, but not complete: not banded
            what = "complete health index" if (drawn.isna() & has_index).any() else "health index"
            handles = [mpl.lines.Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor=RAG_COLORS[b],
                                        markeredgecolor="white", label=f"{words[b]} ({int((drawn == b).sum())})")
                       for b in ("green", "amber", "red")]
            unknown = int(drawn.isna().sum())
            if unknown:
                handles.append(mpl.lines.Line2D([], [], linestyle="none", marker="o", markersize=7, markeredgecolor="white",
                                                markerfacecolor=RAG_COLORS[None],
                                                label=f"grey: no {what} ({unknown})"))
            ax.legend(handles=handles, title="colour: health index", title_fontsize=7, fontsize=7, frameon=False,
                      loc="lower left", bbox_to_anchor=(1.0, 0.0), borderpad=1.0, alignment="left")
            if size_key is not None:
                ax.add_artist(size_key)  # a second legend replaces the first: both stay
        fig.kit_left_out = []
        if labels and "account_name" in figures and ok.any():
            named = figures[ok].assign(_rev=rev)
            order = named["_rev"].sort_values(ascending=False, kind="stable").index
            d = named.loc[order]
            area = np.maximum(min_area, max_area * d["_rev"].to_numpy(float) / rev_max)  # as drawn: points^2
            if max_labels is not None:  # a crowd: the named bubbles avoid each other only
                d, area = d.iloc[:max_labels], area[:max_labels]
            missed = place_labels(ax, d["market_share"].to_numpy(float), d["market_growth"].to_numpy(float),
                                  [_short(n, 22) for n in d["account_name"]], radii_pt=np.sqrt(area) / 2,
                                  backdrop=max_labels is not None)
            fig.kit_left_out = [d.index[i] for i in missed]
    return fig


def plot_retention(retention: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Gross and net revenue retention per period, with a reference line at 100%.

    ``retention``: ``period`` (label, e.g. "2026Q3"), ``grr`` and ``nrr`` (fractions,
    NaN where not defined), in period order.
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 3.4))
        if retention.empty or retention[["grr", "nrr"]].isna().all().all():
            return _empty(fig, ax, "No retention figures")
        df = retention.reset_index(drop=True)
        x = np.arange(len(df))
        ax.axhline(1.0, color=_MUTED, linestyle=":", linewidth=1, label="100% (reference)")
        series = [("grr", "GRR", "gross revenue retention (GRR)", {"color": _DARK_BLUE, "marker": "o", "linestyle": "-"}),
                  ("nrr", "NRR", "net revenue retention (NRR)", {"color": _ORANGE, "marker": "s", "linestyle": "--"})]
        last = {}
        for col, short, label, style in series:
            v = df[col].astype(float).to_numpy()
            ax.plot(x, v, label=label, linewidth=1.6, markersize=5, **style)
            valid = np.flatnonzero(~np.isnan(v))
            if len(valid):
                last[short] = (x[valid[-1]], v[valid[-1]])
        # the higher of the two last values is labelled above its point, the lower below;
        # to the left of it, inside the axes (to the right the label was cut off)
        order = sorted(last, key=lambda k: last[k][1])
        for k in last:
            up = len(last) == 1 or k == order[-1]
            ax.annotate(f"{k} {last[k][1]:.0%}", last[k], xytext=(-4, 6 if up else -6), textcoords="offset points",
                        ha="right", va="bottom" if up else "top", fontsize=8, fontweight="bold",
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.set_xticks(x, df["period"].astype(str), rotation=45 if len(df) > 8 else 0,
                      ha="right" if len(df) > 8 else "center")
        _plain_ticks(ax)
        ax.set_xlim(-0.5, len(df) - 0.5 + 0.6)
        ax.margins(y=0.15)  # room above and below the lines for the labels of the last values
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("retention")
        # the legend sits between the axes and the title, clear of the lines
        ax.set_title("Revenue retention", pad=20)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[1:] + handles[:1], labels[1:] + labels[:1], fontsize=7, frameon=False, ncols=3,
                  loc="lower left", bbox_to_anchor=(0.0, 1.0), borderaxespad=0.2)
    return fig


def plot_revenue_split(split: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Revenue per period split into existing and new clients (stacked bars); the label
    above each bar is the new-client share of it. No title: the caller adds context.

    ``split``: ``period``, ``existing`` and ``new_client`` (revenue amounts), in period order.
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 3.4))
        if split.empty:
            return _empty(fig, ax, "No revenue")
        df = split.reset_index(drop=True)
        x = np.arange(len(df))
        existing = df["existing"].astype(float).fillna(0.0).to_numpy()
        new = df["new_client"].astype(float).fillna(0.0).to_numpy()
        pos_bottom, neg_bottom = np.zeros(len(df)), np.zeros(len(df))
        for v, label, style in ((existing, "existing clients", {"color": _DARK_BLUE, "edgecolor": _DARK_BLUE}),
                                (new, "new clients", {"color": _ORANGE, "edgecolor": "white", "hatch": "///"})):
            ax.bar(x, v, 0.7, bottom=np.where(v >= 0, pos_bottom, neg_bottom), label=label, linewidth=0.6, **style)
            pos_bottom += np.where(v >= 0, v, 0)
            neg_bottom += np.where(v < 0, v, 0)
        total = existing + new
        top = pos_bottom.max() if pos_bottom.max() > 0 else 1.0
        for xi, t, nv, h in zip(x, total, new, pos_bottom):
            if t > 0:
                ax.text(xi, h + 0.015 * top, f"{nv / t:.0%}", ha="center", va="bottom", fontsize=7, color=_INK)
        ax.set_ylim(min(0.0, neg_bottom.min() * 1.1), top * 1.15)
        ax.set_xticks(x, df["period"].astype(str), rotation=45 if len(df) > 8 else 0,
                      ha="right" if len(df) > 8 else "center")
        _plain_ticks(ax)
        ax.yaxis.set_major_formatter(_THOUSANDS)
        ax.grid(axis="x", visible=False)
        handles, labels = ax.get_legend_handles_labels()
        # above the axes, clear of the bars and their labels
        ax.legend(handles, labels, fontsize=7, frameon=False, ncols=2, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  title="label above bar: new-client share", title_fontsize=7, alignment="left", borderaxespad=0.2)
    return fig


def plot_am_load(load: pd.DataFrame, *, low: int = 5, high: int = 10, ax: Axes | None = None) -> Figure:
    """Accounts per account manager against the target range ``low``-``high``; bars
    outside the range say so in text.

    ``load``: ``account_manager`` and ``accounts`` (count), one row per manager.
    """
    with theme():
        if load.empty:
            fig, ax = _axes(ax, (7.5, 2.0))
            return _empty(fig, ax, "No account managers")
        df = load.sort_values("accounts", ascending=False, kind="stable").reset_index(drop=True)
        fig, ax = _axes(ax, (7.5, max(2.4, 0.3 * len(df) + 1.3)))
        y = np.arange(len(df))
        accounts = df["accounts"].astype(float).to_numpy()
        outside = (accounts < low) | (accounts > high)
        ax.axvspan(low, high, color="#dfe6ea", zorder=0, label=f"target range {low}-{high}")
        ax.barh(y, accounts, height=0.65, color=np.where(outside, _ORANGE, _DARK_BLUE).tolist(), zorder=2)
        for yi, v, out in zip(y, accounts, outside):
            ax.text(v + 0.15, yi, f"{v:.0f}" + ("  outside range" if out else ""), va="center", fontsize=8,
                    fontweight="bold" if out else "normal")
        ax.set_yticks(y, df["account_manager"].astype(str))
        _plain_ticks(ax)
        ax.invert_yaxis()
        ax.set_xlim(0, max(float(accounts.max()), high) * 1.3 + 1)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("accounts per account manager")
        ax.set_title("Account-manager load")
        ax.legend(fontsize=7, frameon=False, loc="lower right")
    return fig



def plot_am_load_distribution(load: pd.DataFrame, *, low: int = 5, high: int = 10, ax: Axes | None = None) -> Figure:
    """How many account managers carry each number of accounts, against the target range
    ``low``-``high`` (bars outside it orange and labelled): the load of hundreds of managers
    in one chart, where :func:`plot_am_load` would draw a bar each.

    ``load``: ``account_manager`` and ``accounts`` (count), one row per manager.
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 3.2))
        if load.empty:
            return _empty(fig, ax, "No account managers")
        per = load["accounts"].astype(int).value_counts().sort_index()
        x, n = per.index.to_numpy(), per.to_numpy()
        outside = (x < low) | (x > high)
        ax.axvspan(low - 0.5, high + 0.5, color="#dfe6ea", zorder=0, label=f"target range {low}-{high}")
        ax.bar(x, n, width=0.8, color=np.where(outside, _ORANGE, _DARK_BLUE).tolist(), zorder=2)
        for xi, v, out in zip(x, n, outside):
            ax.text(xi, v, f"{v}", ha="center", va="bottom", fontsize=7, fontweight="bold" if out else "normal")
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.grid(axis="x", visible=False)
        ax.set_xlabel("accounts per account manager (not Greenfield)")
        ax.set_ylabel("account managers")
        n_out = int(n[outside].sum())
        ax.set_title(f"Account-manager load: {len(load)} managers, {n_out} outside the range", loc="left")
        ax.legend(fontsize=7, frameon=False, loc="upper right")
    return fig

# --- the assessment workshop (kit.workshop) ---------------------------------------------

_ROLE_STYLE = {"internal": ("o", _DARK_BLUE, "internal rater"), "client": ("s", _ORANGE, "client rater"),
               None: ("^", "#9e9e9e", "rater without a role")}


def plot_rater_scores(rater_means: pd.DataFrame, *, order: list[str] | None = None, ax: Axes | None = None,
                      title: str = "Rater element means so far") -> Figure:
    """Each rater's element mean (1-5) per element: a marker per rater (circle internal,
    square client), a line from the lowest to the highest rater and the spread in text.

    ``rater_means``: rows of :func:`kit.assessment.rater_element_means` of one workshop
    (element, rater, rater_role, rater_mean); ``order``: elements top to bottom (default
    the pinned order).
    """
    from kit.schema import ELEMENT_IDS, INTERNAL_ROLES

    with theme():
        elements = list(order) if order is not None else list(ELEMENT_IDS)
        fig, ax = _axes(ax, (7.5, 0.42 * len(elements) + 1.6))
        if rater_means.empty:
            return _empty(fig, ax, "No answers yet")
        y_of = {e: len(elements) - 1 - i for i, e in enumerate(elements)}
        raters = list(dict.fromkeys(rater_means["rater"]))
        offset = {r: (i - (len(raters) - 1) / 2) * min(0.5 / max(len(raters), 1), 0.12) for i, r in enumerate(raters)}
        df = rater_means[rater_means["element"].isin(y_of)]
        for e, g in df.groupby("element", sort=False):
            lo, hi = g["rater_mean"].min(), g["rater_mean"].max()
            ax.hlines(y_of[e], lo, hi, color="#b0bec5", linewidth=3, zorder=1)
            if len(g) > 1:
                ax.text(5.35, y_of[e], f"spread {hi - lo:.1f}", va="center", fontsize=7, color=_INK)
        seen = set()
        for r in df.itertuples(index=False):
            group = "client" if r.rater_role == "client" else "internal" if r.rater_role in INTERNAL_ROLES else None
            marker, color, label = _ROLE_STYLE[group]
            ax.plot(r.rater_mean, y_of[r.element] + offset[r.rater], marker=marker, color=color, linestyle="none",
                    markersize=7, markeredgecolor="white", zorder=3, label=None if group in seen else label)
            seen.add(group)
        ax.set_yticks([y_of[e] for e in elements], [ELEMENT_NAMES.get(e, e) for e in elements])
        _plain_ticks(ax)
        ax.set_ylim(-0.7, len(elements) - 0.3)
        ax.set_xlim(0.8, 6.0)
        ax.set_xticks([1, 2, 3, 4, 5], ["1 weak", "2", "3", "4", "5 exemplary"])
        ax.set_xlabel("rater's mean of the element's questions (1-5)")
        ax.grid(axis="y", visible=False)
        ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        handles.append(mpl.lines.Line2D([], [], color="#b0bec5", linewidth=3))
        labels.append("lowest to highest rater")
        ax.legend(handles, labels, fontsize=7, frameon=False, ncols=len(labels), loc="upper left",
                  bbox_to_anchor=(0.0, -0.14))
    return fig


def plot_perception_gap(gaps: pd.DataFrame, *, flag: float = 1.0, ax: Axes | None = None) -> Figure:
    """Internal vs client gap per element (internal raters' mean - client raters' mean,
    1-5 points): bars right = internal raters higher, left = the client higher; bars at
    or beyond ``flag`` hatched and marked in text.

    ``gaps``: element and perception_gap, in the order to show (top to bottom).
    """
    with theme():
        df = gaps.reset_index(drop=True)
        fig, ax = _axes(ax, (7.5, 0.38 * len(df) + 1.5))
        if df.empty or df["perception_gap"].isna().all():
            return _empty(fig, ax, "No internal vs client gap: it needs internal and client raters")
        y = np.arange(len(df))[::-1]
        gap = df["perception_gap"].astype(float).to_numpy()
        has = ~np.isnan(gap)
        flagged = has & (np.abs(np.nan_to_num(gap)) >= flag)
        colors = np.where(np.nan_to_num(gap) >= 0, _DARK_BLUE, _ORANGE)
        bars = ax.barh(y[has], gap[has], color=colors[has].tolist(), height=0.6, zorder=2)
        for bar, f in zip(bars, flagged[has]):
            if f:
                bar.set_hatch("//")
                bar.set_edgecolor("white")
        lim = max(float(np.nanmax(np.abs(gap))), flag) + 1.0
        for yi, g, f in zip(y, gap, flagged):
            if np.isnan(g):
                ax.text(0.05, yi, "no gap (internal or client answers missing)", va="center", fontsize=7, color=_MUTED)
            else:
                ax.text(g + (0.05 if g >= 0 else -0.05), yi, f"{g:+.2f}" + ("  gap" if f else ""), va="center",
                        ha="left" if g >= 0 else "right", fontsize=7, fontweight="bold" if f else "normal")
        ax.axvline(0, color=_INK, linewidth=1)
        for x in (flag, -flag):
            ax.axvline(x, color=_MUTED, linestyle="--", linewidth=1)
        ax.set_yticks(y, [ELEMENT_NAMES.get(e, e) for e in df["element"]])
        _plain_ticks(ax)
        ax.set_xlim(-lim, lim)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"\u2190 client rates higher  |  internal raters rate higher \u2192\n"
                      f"(points; dashed lines at \u00b1{flag:g}: marked 'gap')")
        ax.set_title("Internal vs client perception gap")
    return fig


# --- quarter over quarter (kit.report.quarter) -----------------------------------------
def plot_drivers(drivers: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Each element's contribution to the health-index change, largest first (points of
    the index; they add up to the change)."""
    d = drivers.dropna(subset=["contribution"])
    d = d.reindex(d["contribution"].abs().sort_values(ascending=True).index)
    with theme():
        fig, ax = _axes(ax, (6.4, 0.35 * max(len(d), 3) + 1.0))
        y = np.arange(len(d))
        colors = ["#2e7d32" if v >= 0 else "#c62828" for v in d["contribution"]]
        hatches = ["" if v >= 0 else "//" for v in d["contribution"]]  # a second cue beside the colour
        for yi, v, c, h in zip(y, d["contribution"], colors, hatches, strict=True):
            ax.barh(yi, v, color=c, hatch=h, edgecolor="white", linewidth=0)
            shown = 0.0 if abs(v) < 0.05 else v  # never "-0.0"
            ax.annotate(f"{shown:+.1f}" if shown else "0.0", (v, yi), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=8)
        ax.set_yticks(y, [ELEMENT_NAMES.get(e, e) for e in d["element"]])
        ax.axvline(0, color="#555555", linewidth=0.8)
        lim = max(float(d["contribution"].abs().max()) if len(d) else 1.0, 1.0) * 1.35
        ax.set_xlim(-lim, lim)
        ax.set_xlabel("points of the health index")
        # on the figure, not the axes: long element names push the axes right and would cut it
        fig.suptitle("What moved the health index, largest first", x=0.02, ha="left", fontsize=10, fontweight="bold")
    return fig


def plot_health_history(hist: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """The health index at every assessment (line), each element's score as thin lines."""
    with theme():
        fig, ax = _axes(ax, (6.4, 3.2))
        x = pd.to_datetime(hist["assessed_on"])
        for e in ELEMENT_IDS:
            if e in hist.columns and hist[e].notna().any():
                ax.plot(x, hist[e], color="#b0bec5", linewidth=0.8, marker=".", markersize=3)
        ax.plot(x, hist["health_index"], color="#1a237e", linewidth=2.2, marker="o", label="Health index")
        for xi, v in zip(x, hist["health_index"], strict=True):
            if pd.notna(v):
                ax.annotate(f"{v:.0f}", (xi, v), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_ylabel("score (0-100)")
        ax.plot([], [], color="#b0bec5", linewidth=0.8, label="Each element")
        ax.legend(loc="lower left", fontsize=8, frameon=False)
        ax.set_title("Health index and elements at each assessment", loc="left")
        fig.autofmt_xdate()
    return fig


def plot_revenue_history(rev: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Revenue by quarter as bars, the target as a line where one was set; quarters
    outside the data are left blank (unknown, not zero)."""
    with theme():
        fig, ax = _axes(ax, (6.4, 3.0))
        x = np.arange(len(rev))
        ax.bar(x, rev["revenue"].astype(float).fillna(0).where(rev["revenue"].notna(), np.nan), color="#5c6bc0",
               label="Revenue")
        if rev["target"].notna().any():
            ax.plot(x, rev["target"].astype(float), color="#ef6c00", marker="o", linewidth=1.6, label="Target")
        ax.set_xticks(x, list(rev["period"]), rotation=0, fontsize=8)
        ax.yaxis.set_major_formatter(lambda v, _pos: _amount(v))
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        ax.set_title("Revenue by quarter" + (" with targets" if rev["target"].notna().any() else ""), loc="left")
    return fig
