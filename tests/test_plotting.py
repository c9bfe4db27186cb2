"""The book's figure style: saved figures have an opaque white background (dark mode)."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from specialist.plotting import use_style  # noqa: E402


def test_saved_figures_are_opaque_and_white_behind_the_axes(tmp_path):
    # a user's matplotlibrc (or a dark theme) may ask for transparent figures: the style wins
    with matplotlib.rc_context(
        {"savefig.transparent": True, "figure.facecolor": "none", "savefig.facecolor": "none"}
    ):
        use_style()
        _check_opaque(tmp_path)


def _check_opaque(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    path = tmp_path / "f.png"
    fig.savefig(path)
    plt.close(fig)
    image = plt.imread(path)
    assert image.shape[-1] == 4
    assert np.all(image[..., 3] == 1.0), "no pixel may be transparent"
    corner = image[:3, :3, :3]
    assert np.allclose(corner, 1.0), "the background is white"
