"""What a notebook calls to write its artefact's outputs.

Every notebook receives ``output_dir`` from the runner and writes through :class:`Outputs`:
figures as PNG and SVG, tables as CSV, headline numbers into ``metrics.json``. All writes are
atomic. The runner adds ``provenance.json`` and the executed notebook afterwards.

Backs
-----
fig2_band_set, fig3_conditions, fig3_nonlinear, fig3_structure, fig4_sportshhi, fig5_l1_ablation,
fig5_l1_path, fig6_gan_edits, fig_colliders, fig_finite_sample, fig_scaling, tab2_runtime, tab_edit_specificity
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from specialist.io import atomic_write, write_json

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _check_name(name: str) -> str:
    if not name or not set(name) <= _NAME_CHARS:
        raise ValueError(
            f"output name {name!r} must be non-empty lower-case letters, digits, '_' or '-'"
        )
    return name


class Outputs:
    """Writer for one artefact's result folder.

    Parameters
    ----------
    output_dir : the folder the runner passed to the notebook as ``output_dir``.

    Backs
    -----
    fig2_band_set, fig3_conditions, fig3_nonlinear, fig3_structure, fig4_sportshhi,
    fig5_l1_ablation, fig5_l1_path, fig6_gan_edits, fig_colliders, fig_finite_sample, fig_scaling, tab2_runtime,
    tab_edit_specificity
    """

    def __init__(self, output_dir: str | Path):
        self.dir = Path(output_dir)
        self.dir.mkdir(parents=True, exist_ok=True)

    # The writers return None on purpose: a notebook cell ending with one of them would
    # otherwise print the temporary staging path on the book page.
    def figure(self, fig, name: str, *, dpi: int = 150) -> None:
        """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` (paths: :meth:`path`)."""
        _check_name(name)
        for ext in ("png", "svg"):
            atomic_write(
                self.dir / f"{name}.{ext}",
                lambda p, ext=ext: fig.savefig(p, format=ext, dpi=dpi, bbox_inches="tight"),
            )

    def table(self, df, name: str) -> None:
        """Save a pandas DataFrame as ``<name>.csv`` (no index column unless it is named)."""
        _check_name(name)
        keep_index = any(n is not None for n in df.index.names)
        atomic_write(self.dir / f"{name}.csv", lambda p: df.to_csv(p, index=keep_index))

    def metrics(self, **values: Any) -> None:
        """Merge headline numbers into ``metrics.json`` (later calls update earlier keys).

        ``claims``, if given, must be a list of :class:`specialist.claims.Claim` records (made
        by :func:`specialist.claims.claim`); a hand-built dict is refused with a ``TypeError``.
        """
        if "claims" in values:
            from specialist.claims import Claim

            items = values["claims"]
            if not isinstance(items, list | tuple) or not all(isinstance(c, Claim) for c in items):
                raise TypeError(
                    "claims must be a list of specialist.claims.Claim records, made by "
                    "specialist.claims.claim(); hand-built entries are refused"
                )
            values["claims"] = [c.to_dict() for c in items]
        path = self.dir / "metrics.json"
        current = json.loads(path.read_text()) if path.exists() else {}
        current.update(values)
        write_json(path, current)

    def path(self, filename: str) -> Path:
        """Where an output file of this artefact is written."""
        return self.dir / filename


def say(*sentences: str) -> None:
    """Show an artefact's computed finding(s) as prose on its book page.

    In a notebook the sentences render as Markdown (one paragraph, or a bullet list when there
    are several), so they wrap like the page's text; elsewhere they are printed.

    Backs
    -----
    fig2_band_set, fig3_conditions, fig3_nonlinear, fig3_structure, fig4_sportshhi,
    fig5_l1_ablation, fig5_l1_path, fig6_gan_edits, fig_colliders, fig_finite_sample, fig_scaling, tab2_runtime,
    tab_edit_specificity
    """
    if not sentences or not all(isinstance(s, str) and s for s in sentences):
        raise ValueError("say() needs one or more non-empty strings")
    text = sentences[0] if len(sentences) == 1 else "\n".join(f"- {s}" for s in sentences)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(text))
    else:
        print(text)
