"""One figure style for the whole book and the charts every page uses (the collider-DAG
drawing of Fig. 2 is :mod:`specialist.dag_drawing`).

Colours come from the Okabe–Ito palette (safe for the common colour-vision deficiencies); the
role colours below are used the same way on every page, and each method keeps one colour and
one marker on every figure (:data:`METHOD_COLORS`, :data:`METHOD_MARKERS`).

Figures are drawn for the book's content column: at most
:data:`specialist.display.COLUMN_INCHES` (8 inches) wide, saved at
:data:`specialist.display.SAVE_DPI` and shown at their natural size, so that a font of *p* points
is *p* × 4/3 CSS pixels high on the page (:mod:`specialist.display`). The style's smallest
font, 9 points, is 12 pixels there.

Backs
-----
fig2_band_set, fig3_conditions, fig3_nonlinear, fig3_structure, fig4_sportshhi, fig5_l1_ablation,
fig5_l1_path, fig6_gan_edits, fig_colliders, fig_finite_sample, fig_scaling, tab2_runtime, tab_edit_specificity
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from specialist.display import SAVE_DPI

#: Okabe & Ito (2008) colour-blind-safe palette
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"
LIGHT_GREY = "#EDEDED"
#: default colour cycle of every plot (black is kept for text and edges)
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW)

#: roles in the band-set figure
COLOR_REPRESENTATIVE = VERMILLION
COLOR_BAND = SKY_BLUE
COLOR_TASK = ORANGE
COLOR_OTHER = "white"

STYLE = {
    "figure.dpi": 100,
    "figure.figsize": (7.6, 3.4),
    "savefig.dpi": SAVE_DPI,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.titleweight": "normal",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "figure.titlesize": 10.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "lines.linewidth": 1.8,
    # opaque white backgrounds: figures stay readable on the site's dark theme and in slides
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
}


def use_style() -> None:
    """Apply the book's figure style to matplotlib's ``rcParams``; in a notebook, show pandas
    tables the book's way too (:func:`specialist.display.use_table_style`).

    Backs
    -----
    fig2_band_set, fig3_conditions, fig3_nonlinear, fig3_structure, fig4_sportshhi,
    fig5_l1_ablation, fig5_l1_path, fig6_gan_edits, fig_colliders, fig_finite_sample, fig_scaling, tab2_runtime,
    tab_edit_specificity
    """
    from specialist.display import use_table_style

    mpl.rcParams.update(STYLE)
    use_table_style()


#: dark yellow (Okabe–Ito yellow is too light for lines on white)
DARK_YELLOW = "#A68A00"

#: one colour per method, the same on every page; no two methods of one figure share a hue
#: family (the rules of Ours are warm or black, the baselines blue, green, grey, yellow)
METHOD_COLORS = {
    "cca": BLUE,
    "group_lasso": GREEN,
    "seltask_unsup": GREY,
    "pair_test": SKY_BLUE,
    "local_test": DARK_YELLOW,
    "ours": VERMILLION,
    "ours_holm": BLACK,
    "ours_simes": PURPLE,
    "ours_bonferroni": ORANGE,
    "fisherz": BLUE,
    "cmi": ORANGE,
}
#: one marker per method, so that methods stay apart where their values coincide (and in print)
METHOD_MARKERS = {
    "cca": "^",
    "group_lasso": "v",
    "seltask_unsup": "X",
    "pair_test": "P",
    "local_test": "*",
    "ours": "o",
    "ours_holm": "s",
    "ours_simes": "D",
    "ours_bonferroni": "<",
    "fisherz": "o",
    "cmi": "s",
}
#: line styles that keep methods apart where colours are close (greyscale print)
METHOD_STYLES = {"ours_holm": "--", "ours_simes": "-.", "ours_bonferroni": ":", "local_test": "--"}


def plot_mean_std(ax, df, x, y, hue, labels=None, colors=None, order=None) -> None:
    """Mean line with a ±1 standard-deviation band of ``y`` against ``x``, one per ``hue``.

    ``df`` is a tidy table (one row per run).

    Backs
    -----
    fig5_l1_path
    """
    _plot_mean_band(ax, df, x, y, hue, labels, colors, order, band="sd")


def plot_mean_ci(
    ax, df, x, y, hue, labels=None, colors=None, order=None, bounds=None, dodge: float = 0.0
) -> None:
    """Mean line of ``y`` against ``x`` with its 95% interval over runs, per ``hue``.

    The interval is the Student-t interval of the mean (:func:`specialist.stats.mean_interval`),
    clipped to ``bounds`` (e.g. ``(0, 1)`` for an accuracy) so that a band never leaves the
    metric's range. ``df`` is tidy, one row per run. With ``dodge`` > 0 the intervals are
    drawn as whiskers and the groups are set side by side around each ``x``, spread over that
    fraction of the gap to the nearest other ``x`` (for many groups whose values coincide).

    Backs
    -----
    fig3_structure, fig_finite_sample, fig3_nonlinear
    """
    if not 0 <= dodge < 1:
        raise ValueError(f"dodge must be in [0, 1), got {dodge}")
    _plot_mean_band(ax, df, x, y, hue, labels, colors, order, band="ci", bounds=bounds, dodge=dodge)


def _offsets(xs, index: int, n_groups: int, dodge: float) -> np.ndarray:
    """Where group ``index`` of ``n_groups`` sits around each of the sorted ``xs``: spread over
    ``dodge`` times the gap to the nearest other ``x``, at most 15% of the whole range."""
    xs = np.asarray(xs, dtype=float)
    if dodge == 0 or n_groups < 2 or xs.size < 2:
        return xs
    gaps = np.diff(xs)
    local = np.minimum(np.r_[gaps[0], gaps], np.r_[gaps, gaps[-1]])
    local = np.minimum(local, 0.15 * (xs[-1] - xs[0]))
    return xs + (index - (n_groups - 1) / 2) / (n_groups - 1) * dodge * local


def _plot_mean_band(
    ax, df, x, y, hue, labels, colors, order, band: str, bounds=None, dodge: float = 0.0
) -> None:
    from specialist.stats import mean_interval

    labels = labels or {}
    colors = colors or METHOD_COLORS
    groups = order if order is not None else list(dict.fromkeys(df[hue]))
    shown = [g for g in groups if (df[hue] == g).any()]
    for index, name in enumerate(shown):
        part = df[df[hue] == name]
        xs = sorted(part[x].unique())
        values = [part.loc[part[x] == v, y].to_numpy(dtype=float) for v in xs]
        if band == "ci":
            ivs = [mean_interval(v, bounds=bounds) for v in values]
            mean = [iv.estimate for iv in ivs]
            low, high = [iv.low for iv in ivs], [iv.high for iv in ivs]
        else:
            mean = [v.mean() for v in values]
            sd = [v.std(ddof=1) if v.size > 1 else 0.0 for v in values]
            low = [m - d for m, d in zip(mean, sd, strict=True)]
            high = [m + d for m, d in zip(mean, sd, strict=True)]
        color = colors.get(name)
        where = _offsets(xs, index, len(shown), dodge)
        ax.plot(
            where,
            mean,
            marker=METHOD_MARKERS.get(name, "o"),
            ms=5,
            ls=METHOD_STYLES.get(name, "-"),
            lw=1.4,
            label=labels.get(name, name),
            color=color,
        )
        if dodge:
            whiskers = [np.subtract(mean, low), np.subtract(high, mean)]
            ax.errorbar(where, mean, whiskers, fmt="none", ecolor=color, lw=1, capsize=0)
            ax.set_xticks(sorted(df[x].unique()))  # ticks at the values, not between the groups
        else:
            ax.fill_between(xs, low, high, alpha=0.15 if band == "ci" else 0.18, color=color, lw=0)


def plot_chance(ax, df, x, y, chance: str = "best_constant", label: str | None = None) -> None:
    """The chance reference of a tidy table as a dashed grey line: its mean ``y`` against ``x``.

    ``df`` holds one row per (run, method); the rows whose ``method`` is ``chance`` (the
    Layer 1 best constant matrix, :func:`specialist.experiments.layer1.best_constant`) are
    drawn. Nothing is drawn if there are none.

    Backs
    -----
    fig3_structure, fig3_conditions, fig3_nonlinear, fig_finite_sample
    """
    part = df[df["method"] == chance]
    if part.empty:
        return
    means = part.groupby(x)[y].mean().sort_index()
    ax.plot(
        means.index,
        means.to_numpy(),
        ls="--",
        color="0.5",
        lw=1.2,
        label=label or "Best constant (given the base rate)",
        zorder=1,
    )


def log_ticks(ax, values=None, axis: str = "x") -> None:
    """Log-scaled axis with plain-number tick labels (``1,000`` rather than ``10^3``).

    With ``values`` the ticks are exactly those values; without, matplotlib's decades.

    Backs
    -----
    fig_colliders, fig_finite_sample, fig_scaling, tab2_runtime
    """
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator, StrMethodFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    if values is not None:
        target.set_major_locator(FixedLocator(sorted(values)))
        target.set_minor_locator(NullLocator())
    target.set_major_formatter(StrMethodFormatter("{x:,.0f}" if values is not None else "{x:g}"))
    target.set_minor_formatter(NullFormatter())


def legend_below(fig, ax, ncol: int | None = None, title: str | None = None) -> None:
    """One legend for the whole figure (``title`` above its entries), centred below the panels,
    which are laid out (``tight_layout``) in the space above it.

    Backs
    -----
    fig3_nonlinear, fig3_structure, fig_colliders, fig_finite_sample
    """
    from matplotlib.backends.backend_agg import RendererAgg

    handles, labels = ax.get_legend_handles_labels()
    legend = fig.legend(
        handles, labels, loc="lower center", ncol=ncol or len(labels), bbox_to_anchor=(0.5, 0.0),
        title=title,
    )  # fmt: skip
    renderer = RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)
    height = legend.get_window_extent(renderer).height / fig.bbox.height
    fig.tight_layout(rect=(0, height + 0.01, 1, 1))


def bar_with_points(
    ax,
    x: float,
    values,
    color: str,
    width: float = 0.6,
    label=None,
    interval: str = "sd",
    horizontal: bool = False,
) -> None:
    """One bar at the mean of ``values``, whiskers (``interval="sd"``: ±1 standard deviation;
    ``"ci"``: the 95% Student-t interval of the mean, :func:`specialist.stats.mean_interval`),
    and every value as a dot (jittered sideways, deterministically). ``horizontal``: the bar
    lies along the x axis at height ``x`` (for long category names, written once on the left).

    Backs
    -----
    fig4_sportshhi, fig5_l1_ablation, tab_edit_specificity
    """
    if interval not in ("sd", "ci"):
        raise ValueError(f"interval must be 'sd' or 'ci', got {interval!r}")
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    mean = values.mean()
    if interval == "ci":
        from specialist.stats import mean_interval

        iv = mean_interval(values)
        err = [[mean - iv.low], [iv.high - mean]]
    else:
        err = values.std()
    jitter = np.random.default_rng(0).uniform(-width / 5, width / 5, values.size)
    if horizontal:
        ax.barh(x, mean, width, color=color, alpha=0.35, label=label)
        ax.errorbar(mean, x, xerr=err, color=color, capsize=3, lw=1.5)
        ax.scatter(values, x + jitter, s=14, color=color)
        return
    ax.bar(x, mean, width, color=color, alpha=0.35, label=label)
    ax.errorbar(x, mean, err, color=color, capsize=4, lw=1.5)
    ax.scatter(x + jitter, values, s=14, color=color)


def plot_rates_wilson(
    ax,
    df,
    x: str,
    flag_col: str,
    hue: str,
    labels: dict[str, str] | None = None,
    colors: dict[str, str] | None = None,
    order=None,
    level: float = 0.95,
):
    """Rate of a 0/1 outcome against ``x``, one line per ``hue``, with a Wilson interval band.

    ``df`` is a tidy table (one row per run); ``flag_col`` holds each run's outcome (bool or
    0/1, e.g. "p < alpha"). At each ``x`` the rate is successes / runs and the band is the
    Wilson score interval (:func:`specialist.stats.wilson_interval`), which stays inside
    [0, 1], unlike a mean ± SD band. Returns the plotted numbers, one row per (``hue``, ``x``):
    ``successes``, ``trials``, ``rate``, ``low``, ``high``.

    Backs
    -----
    fig_colliders
    """
    import pandas as pd

    from specialist.stats import wilson_interval

    for col in (x, flag_col, hue):
        if col not in df.columns:
            raise ValueError(f"column {col!r} not in the table; columns are {list(df.columns)}")
    flags = df[flag_col]
    if flags.isna().any() or not flags.isin((0, 1)).all():
        raise ValueError(f"flag_col {flag_col!r} must hold booleans or 0/1 values")
    labels = labels or {}
    colors = colors or METHOD_COLORS
    groups = order if order is not None else list(dict.fromkeys(df[hue]))
    columns = [hue, x, "successes", "trials", "rate", "low", "high"]
    tables = []
    for name in groups:
        counts = df[df[hue] == name].groupby(x)[flag_col].agg(["sum", "count"]).sort_index()
        rows = []
        for xv, (successes, trials) in counts.iterrows():
            low, high = wilson_interval(int(successes), int(trials), level)
            rows.append((name, xv, int(successes), int(trials), successes / trials, low, high))
        stats = pd.DataFrame(rows, columns=columns)
        tables.append(stats)
        color = colors.get(name)
        ax.plot(
            stats[x], stats["rate"], marker="o", ms=4, label=labels.get(name, name), color=color
        )
        ax.fill_between(stats[x], stats["low"], stats["high"], alpha=0.12, color=color, linewidth=0)
        for bound in ("low", "high"):  # thin edges keep overlapping bands apart
            ax.plot(stats[x], stats[bound], color=color, lw=0.7, alpha=0.6)
    return pd.concat(tables, ignore_index=True)


def panel_heatmaps(
    cell,
    panels: tuple[list, list],
    rows: list,
    cols: list,
    *,
    row_labels: list[str],
    col_labels: list[str],
    panel_title,
    cmap="viridis",
    vmin: float = 0.0,
    vmax: float = 1.0,
    mark=None,
    separator: int | None = None,
    colorbar: str | None = None,
    legend: dict[str, str] | None = None,
    width: float = 7.6,
    col_rotation: float | None = None,
):
    """A grid of annotated heatmaps: one panel per (panel row, panel column), cells per (row, col).

    ``cell(panel_row, panel_col, row, col)`` returns ``(value, text)``: the value colours the
    cell (``cmap`` over ``vmin .. vmax``, the whole range of the metric, so that no two values
    look alike), the text is written in it. ``panels`` is the pair of lists of panel-row and
    panel-column keys, ``panel_title(panel_row, panel_col)`` the title of a panel.
    ``mark(panel_row, panel_col)`` may return a column index to box (e.g. the setting of another
    figure), ``separator`` draws a line above that row, ``col_rotation`` turns the column
    labels (degrees; default: upright up to five columns, else vertical), ``colorbar`` labels a colour bar under the panels, ``legend`` (colour →
    label) explains a categorical ``cmap`` in a legend there instead. The figure is
    ``width`` inches wide (the book's column). Returns the figure.

    Backs
    -----
    fig3_conditions
    """
    import matplotlib.pyplot as plt

    prow, pcol = panels
    if col_rotation is None:
        col_rotation = 0 if len(cols) * len(pcol) <= 5 else 90
    fig, axes = plt.subplots(
        len(prow),
        len(pcol),
        figsize=(width, 0.21 * len(rows) * len(prow) + 0.9 * len(prow) + 1.4),
        squeeze=False,
        layout="constrained",
    )
    image = None
    for r, a in enumerate(prow):
        for c, b in enumerate(pcol):
            ax = axes[r, c]
            values = np.full((len(rows), len(cols)), np.nan)
            for i, row in enumerate(rows):
                for j, col in enumerate(cols):
                    value, text = cell(a, b, row, col)
                    values[i, j] = value
                    dark = cmap == "viridis" and value < vmin + 0.45 * (vmax - vmin)
                    ax.text(
                        j,
                        i,
                        text,
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if dark else "black",
                    )
            image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
            if separator is not None:
                ax.axhline(separator - 0.5, color="black", lw=1)
            last = r == len(prow) - 1
            ax.set_xticks(
                range(len(cols)), col_labels if last else [], fontsize=7.5, rotation=col_rotation
            )
            ax.set_yticks(range(len(rows)), row_labels if c == 0 else [], fontsize=7.5)
            ax.tick_params(length=0)
            ax.spines[:].set_visible(False)
            ax.set_title(panel_title(a, b), fontsize=8.5)
            ax.grid(False)
            j = mark(a, b) if mark is not None else None
            if j is not None:
                ax.add_patch(
                    plt.Rectangle((j - 0.5, -0.5), 1, len(rows), fill=False, ec="black", lw=2)
                )
    if colorbar:
        bar = fig.colorbar(
            image, ax=axes, orientation="horizontal", shrink=0.5, aspect=40, pad=0.02
        )
        bar.set_label(colorbar, fontsize=8.5)
        bar.ax.tick_params(labelsize=8)
    if legend:
        from matplotlib.patches import Patch

        handles = [Patch(facecolor=c, edgecolor="0.4", label=t) for c, t in legend.items()]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    return fig
