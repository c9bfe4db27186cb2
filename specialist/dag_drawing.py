"""The collider DAG of Fig. 2: states on top, actions below, tasks at the bottom, with a band
set highlighted (apart from :mod:`specialist.plotting`, so that a chart does not depend on the
simulator and Algorithm 1).

Backs
-----
fig2_band_set
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from specialist.plotting import (
    BLACK,
    COLOR_BAND,
    COLOR_OTHER,
    COLOR_REPRESENTATIVE,
    COLOR_TASK,
    GREY,
    LIGHT_GREY,
)
from specialist.simulate.collider import ColliderStructure
from specialist.structure import band_set, representative_step
from specialist.variables import action, display_name, state, task


def _math(v: Hashable) -> str:
    name = display_name(v)  # "s3" -> "$s_{3}$"
    return f"${name[0]}_{{{name[1:]}}}$"


def draw_collider_dag(
    ax,
    structure: ColliderStructure,
    highlight: tuple[int, int, int] | None = None,
    *,
    node_size: float | None = None,
    legend: bool = True,
) -> dict[Hashable, tuple[float, float]]:
    """Draw the collider DAG: states on top, actions below, tasks at the bottom.

    Segments are shaded boxes labelled ``S1 .. SK``; names are the paper's 1-based ones.

    Parameters
    ----------
    ax : matplotlib Axes
    structure : the :class:`~specialist.simulate.ColliderStructure` to draw
    highlight : ``(k, v, i)``, 0-based segments ``k``, ``v`` and task ``i``: colours the two
        representative states, the band set ``Z_band(k, v)``, the conditioned task ``g_i`` and
        its incoming edges
    node_size : marker area in points²; default scales with the number of steps
    legend : draw the legend below the graph

    Returns
    -------
    dict
        Node positions, for annotations.

    Backs
    -----
    fig2_band_set
    """
    graph = structure.graph()
    T, M, L = structure.n_steps, structure.n_tasks, structure.segment_length
    y_state, y_action, y_task = 2.0, 1.0, -0.3
    pos = {state(t): (t, y_state) for t in range(T)}
    pos.update({action(t): (t, y_action) for t in range(T)})
    # tasks spread evenly under the sequence, so their edges stay readable
    pos.update({task(i): ((i + 0.5) * T / M - 0.5, y_task) for i in range(M)})
    if node_size is None:
        node_size = min(900.0, 9000.0 / T)

    colors = {v: COLOR_OTHER for v in graph}
    edge_colors = {e: GREY for e in graph.edges}
    if highlight is not None:
        k, v, i = highlight
        for t in band_set(k, v, T, L):
            colors[state(t)] = COLOR_BAND
        for seg in (k, v):
            colors[state(representative_step(seg, L))] = COLOR_REPRESENTATIVE
        colors[task(i)] = COLOR_TASK
        for e in graph.in_edges(task(i)):
            edge_colors[e] = COLOR_TASK

    for seg in range(structure.n_segments):
        x0 = seg * L - 0.42
        chosen = highlight is not None and seg in highlight[:2]
        ax.add_patch(
            Rectangle(
                (x0, y_action - 0.35),
                L - 0.16,
                y_state - y_action + 0.7,
                facecolor=LIGHT_GREY,
                edgecolor=COLOR_REPRESENTATIVE if chosen else "none",
                linewidth=1.5,
                zorder=0,
            )
        )
        ax.text(
            x0 + (L - 0.16) / 2,
            y_state + 0.48,
            f"$S_{{{seg + 1}}}$",
            ha="center",
            va="bottom",
            fontsize=12,
            fontweight="bold" if chosen else "normal",
        )
    for t in range(T - 1):
        if not structure.connected[t]:
            ax.plot([t + 0.5] * 2, [y_action - 0.3, y_state + 0.3], ls="--", color=BLACK, lw=1)

    edges = list(graph.edges)
    nx.draw_networkx_edges(
        graph,
        pos,
        edgelist=edges,
        edge_color=[edge_colors[e] for e in edges],
        width=[2.0 if edge_colors[e] != GREY else 1.0 for e in edges],
        node_size=node_size,
        arrowstyle="-|>",
        arrowsize=11,
        ax=ax,
    )
    nodes = list(graph)
    nx.draw_networkx_nodes(
        graph,
        pos,
        nodelist=nodes,
        node_color=[colors[n] for n in nodes],
        edgecolors=BLACK,
        linewidths=1.0,
        node_size=node_size,
        ax=ax,
    )
    label_size = 11 if T <= 12 else 9  # two-digit indices must fit in smaller nodes
    nx.draw_networkx_labels(
        graph, pos, labels={n: _math(n) for n in nodes}, font_size=label_size, ax=ax
    )
    for y, label in ((y_state, "states"), (y_action, "actions"), (y_task, "tasks")):
        ax.text(-0.6, y, label, ha="right", va="center", color=GREY, fontsize=10)
    ax.set_xlim(-0.8, T - 0.2)
    ax.set_ylim(y_task - 0.5, y_state + 0.9)
    ax.set_axis_off()

    if legend:
        handles = []
        if highlight is not None:
            marker = {"marker": "o", "ls": "", "markersize": 11, "markeredgecolor": BLACK}
            handles += [
                Line2D(
                    [], [], markerfacecolor=COLOR_REPRESENTATIVE, label="tested states", **marker
                ),
                Line2D([], [], markerfacecolor=COLOR_BAND, label="band set (states)", **marker),
                Line2D([], [], markerfacecolor=COLOR_TASK, label="conditioned task", **marker),
            ]
        handles.append(Patch(facecolor=LIGHT_GREY, label="segment"))
        if not structure.connected.all():
            handles.append(Line2D([], [], ls="--", color=BLACK, label="disconnected step"))
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=min(3, len(handles)),
            handletextpad=0.4,
            columnspacing=1.5,
        )
    return pos
