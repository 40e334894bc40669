"""Charts: ``plot_*(data, *, ax=None, ...) -> Figure``.

Object-oriented matplotlib only (no pyplot state machine): without ``ax`` a new
:class:`~matplotlib.figure.Figure` is made.  Styling comes from :func:`theme`, a context
manager, never from changed global rcParams.  Charts take figures already computed by
the model layer; they compute nothing of their own beyond layout.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import matplotlib as mpl
import matplotlib.lines  # noqa: F401  (mpl.lines for legend handles)
import matplotlib.patches  # noqa: F401
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kit.config import Settings
from kit.schema import ELEMENT_NAMES, MOTIONS

__all__ = [
    "theme", "RAG_COLORS", "MOTION_COLORS", "plot_elements", "plot_revenue_motions",
    "plot_quadrant", "plot_element_heatmap", "plot_weakest_elements",
]

RAG_COLORS = {"green": "#2e7d32", "amber": "#f2a900", "red": "#c62828", None: "#9e9e9e"}
MOTION_COLORS = {"baseline": "#b0bec5", "continuation": "#1f4e79", "crop_rotation": "#4f9dd9", "colonization": "#f28e2b"}
QUADRANT_COLORS = {"Thriving": "#2e7d32", "Coasting": "#f2a900", "Building": "#4f9dd9", "At risk": "#c62828"}

_RC = {
    "font.size": 9, "axes.titlesize": 11, "axes.titleweight": "bold", "axes.spines.top": False,
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
        colors = [RAG_COLORS.get(r if isinstance(r, str) else None) for r in df["rag"]]
        ax.barh(y, scores, color=colors, height=0.6)
        has_range = df["range_low"].notna().to_numpy()
        ax.hlines(y[has_range], df["range_low"][has_range], df["range_high"][has_range], color="#263238", linewidth=2)
        ax.plot(df["range_low"][has_range], y[has_range], "|", color="#263238", markersize=10)
        ax.plot(df["range_high"][has_range], y[has_range], "|", color="#263238", markersize=10)
        for yi, sc, nm in zip(y, df["score"], df["element"]):
            ax.text(101, yi, "not rated" if pd.isna(sc) else f"{sc:.0f}", va="center", fontsize=8)
        ax.axvline(settings.rag_green, color=RAG_COLORS["green"], linestyle="--", linewidth=1)
        ax.axvline(settings.rag_amber, color=RAG_COLORS["amber"], linestyle="--", linewidth=1)
        ax.set_yticks(y, [ELEMENT_NAMES.get(e, e) for e in df["element"]])
        ax.set_xlim(0, 110)
        ax.set_xlabel("score (0-100); dashed lines: amber and green bands")
        ax.set_title("Ten assessment elements: score and raters' range")
        # a neutral swatch: the bars' colours are the RAG bands, not one series colour
        handles = [mpl.patches.Patch(color=RAG_COLORS[None], label="element score (colour = RAG band)"),
                   mpl.lines.Line2D([], [], color="#263238", linewidth=2, label="raters' range (lowest to highest rater)")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.12), fontsize=7, frameon=False, ncols=2)
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
            ax.bar(x, v, bottom=bottom, color=MOTION_COLORS[m], label=m.replace("_", " "))
            pos_bottom += np.where(v >= 0, v, 0)
            neg_bottom += np.where(v < 0, v, 0)
        ax.set_xticks(x, wide.index, rotation=45, ha="right")
        ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_title(title)
        if len(wide.columns):
            ax.legend(fontsize=7, frameon=False, ncols=4, loc="upper left")
    return fig


def plot_quadrant(figures: pd.DataFrame, *, settings: Settings, ax: Axes | None = None, labels: bool = True) -> Figure:
    """Health x hygiene scatter: health index (x) against revenue attainment (y).

    ``figures``: health_index, revenue_attainment, quadrant, account_name per account;
    accounts without attainment are left out (the caller says how many).
    """
    with theme():
        fig, ax = _axes(ax, (7, 5))
        df = figures.dropna(subset=["health_index", "revenue_attainment"])
        for q, color in QUADRANT_COLORS.items():
            sub = df[df["quadrant"] == q]
            ax.scatter(sub["health_index"], sub["revenue_attainment"], s=36, color=color, label=f"{q} ({len(sub)})",
                       edgecolor="white", linewidth=0.5, zorder=3)
        if labels:
            for _, r in df.iterrows():
                ax.annotate(str(r["account_name"])[:22], (r["health_index"], r["revenue_attainment"]), fontsize=6,
                            xytext=(3, 3), textcoords="offset points", color="#455a64")
        ax.axvline(settings.health_threshold, color="#455a64", linestyle="--", linewidth=1)
        ax.axhline(settings.hygiene_attainment, color="#455a64", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel(f"health index (healthy at {settings.health_threshold:g} or more)")
        ax.set_ylabel(f"revenue attainment (hygienic at {settings.hygiene_attainment:g} or more)")
        ax.set_title("Health x hygiene")
        ax.legend(fontsize=7, frameon=False, loc="best")
    return fig


def plot_element_heatmap(scores: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Heatmap of accounts (rows) x elements (columns), scores 0-100 annotated.

    ``scores``: wide frame, index = account labels, columns = element ids.
    """
    import seaborn as sns

    with theme():
        fig, ax = _axes(ax, (9, max(3.0, 0.26 * len(scores) + 1.8)))
        data = scores.rename(columns=lambda e: ELEMENT_NAMES.get(e, e))
        sns.heatmap(data, ax=ax, vmin=0, vmax=100, cmap="RdYlGn", annot=True, fmt=".0f", annot_kws={"fontsize": 6},
                    cbar_kws={"label": "score", "shrink": 0.6}, linewidths=0.4, linecolor="white")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", rotation=40, labelsize=7)
        ax.tick_params(axis="y", labelsize=7)
        for lbl in ax.get_xticklabels():
            lbl.set_horizontalalignment("right")
        ax.set_title("Element scores by account (blank: not rated)")
    return fig


def plot_weakest_elements(summary: pd.DataFrame, *, settings: Settings, ax: Axes | None = None) -> Figure:
    """Mean score per element across the portfolio, weakest first.

    ``summary``: element, mean_score (and n_accounts) per element.
    """
    with theme():
        fig, ax = _axes(ax, (7.5, 3.8))
        df = summary.sort_values("mean_score", ascending=False, na_position="first").reset_index(drop=True)
        y = np.arange(len(df))
        colors = [RAG_COLORS.get(settings.rag(v)) for v in df["mean_score"]]
        ax.barh(y, df["mean_score"].fillna(0), color=colors, height=0.6)
        ax.set_yticks(y, [ELEMENT_NAMES.get(e, e) for e in df["element"]])
        for yi, v in zip(y, df["mean_score"]):
            ax.text(min(v if pd.notna(v) else 0, 100) + 1, yi, "n/a" if pd.isna(v) else f"{v:.0f}", va="center", fontsize=8)
        ax.set_xlim(0, 105)
        ax.set_xlabel("mean element score across assessed accounts")
        ax.set_title("Weakest elements across the portfolio (bottom = weakest)")
    return fig
