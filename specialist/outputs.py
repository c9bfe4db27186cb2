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

from specialist.display import (
    MIN_DPI,
    MIN_TEXT_PX,
    SAVE_DPI,
    display_width,
    in_notebook,
    show_png,
    smallest_text_px,
)
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
    def figure(self, fig, name: str, *, dpi: int = SAVE_DPI) -> None:
        """Save ``fig`` as ``<name>.png`` (at ``dpi``, at least 150) and ``<name>.svg`` (paths:
        :meth:`path`), and in a notebook show the saved PNG.

        The PNG is shown at its natural size, at most the book's column
        (:func:`specialist.display.display_width`); the book links it to the full-resolution
        file. The smallest text as shown (:func:`specialist.display.smallest_text_px`) is stored
        with the image (``metadata["image/png"]["specialist"]``) and a ``UserWarning`` names
        it when it is below :data:`specialist.display.MIN_TEXT_PX`. In a notebook the figure is
        then closed, so that it is not shown a second time at the end of the cell.
        """
        import warnings

        import matplotlib.pyplot as plt
        from PIL import Image

        _check_name(name)
        if dpi < MIN_DPI:
            raise ValueError(f"dpi must be at least {MIN_DPI} (the book's figures), got {dpi}")
        for ext in ("png", "svg"):
            atomic_write(
                self.dir / f"{name}.{ext}",
                lambda p, ext=ext: fig.savefig(p, format=ext, dpi=dpi, bbox_inches="tight"),
            )
        png = self.dir / f"{name}.png"
        with Image.open(png) as image:
            px_width = image.size[0]
        text_px, text = smallest_text_px(fig, dpi, px_width)
        if text_px < MIN_TEXT_PX:
            warnings.warn(
                f"figure {name!r}: the text {text!r} is {text_px:.1f} px high as shown "
                f"(at least {MIN_TEXT_PX:g}); draw the figure narrower or its fonts larger",
                UserWarning,
                stacklevel=2,
            )
        if in_notebook():
            width = display_width(px_width, dpi)
            shown = round(text_px, 2) if text else None  # None: a figure without text
            info = {"figure": name, "dpi": dpi, "smallest_text_px": shown}
            show_png(png.read_bytes(), width, {**info, "smallest_text": text})
            plt.close(fig)

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


def notebook_outputs(artefact: str, namespace: dict[str, Any]) -> Outputs:
    """The :class:`Outputs` a notebook writes through, after checking the values it runs with.

    ``namespace`` is the notebook's ``globals()`` after its parameters cell (and anything
    papermill injected): every declared parameter is checked for its type and declared range
    with the runner's messages (:func:`specialist.pipeline.params.check_namespace`), so that
    ``papermill -p seed abc`` fails at once, naming ``seed``. A hand run that keeps the default
    ``output_dir`` (``../results/interactive/<artefact>``, relative to ``notebooks/``) writes
    into the repository's ``results/interactive/<artefact>/`` from any working directory, and
    gets a ``provenance.json`` of its own; the runner's folder is used as given.

    Backs
    -----
    fig2_band_set, fig3_conditions, fig3_nonlinear, fig3_structure, fig4_sportshhi,
    fig5_l1_ablation, fig5_l1_path, fig6_gan_edits, fig_colliders, fig_finite_sample,
    fig_scaling, tab2_runtime, tab_edit_specificity
    """
    from specialist.paths import NOTEBOOKS_DIR
    from specialist.pipeline.params import check_namespace

    check_namespace(artefact, namespace)
    folder = Path(namespace["output_dir"])
    if folder.as_posix() == f"../results/interactive/{artefact}":
        folder = (NOTEBOOKS_DIR / folder).resolve()
        out = Outputs(folder)
        _hand_run_provenance(artefact, namespace, folder)
        return out
    return Outputs(folder)


def _hand_run_provenance(artefact: str, namespace: dict[str, Any], folder: Path) -> None:
    """``provenance.json`` of a notebook run by hand: what ran, with which values, on which
    commit and stack (the runner writes its own, fuller record for its runs)."""
    import datetime as dt

    from specialist import provenance as prov
    from specialist.paths import REPO_ROOT
    from specialist.pipeline.params import declared_parameters

    values = {n: namespace[n] for n in declared_parameters(artefact) if n in namespace}
    git = prov.git_state(REPO_ROOT)
    record = {
        "artefact": artefact,
        "profile": "interactive (run by hand)",
        "parameters": {k: v for k, v in values.items() if k not in ("profile", "output_dir")},
        "seed": values.get("seed"),
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "versions": prov.package_versions(),
        **prov.platform_info(),
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
        "command": f"a hand run of notebooks/{artefact}.py (Jupyter or papermill)",
    }
    write_json(folder / "provenance.json", record)


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
