"""How figures and tables appear on a book page (a leaf module).

**Figures** are drawn for the book's content column, :data:`COLUMN_PX` CSS pixels wide, saved at
:data:`SAVE_DPI` and shown at their natural size, 96 CSS pixels per inch, at most the column
(:func:`display_width`): a figure at most :data:`COLUMN_INCHES` wide shows a font of *p* points
*p* × 4/3 pixels high, and a wider one is scaled down to the column. :func:`smallest_text_px`
measures a figure's smallest text as shown; :meth:`specialist.outputs.Outputs.figure` records it
with every figure and warns below :data:`MIN_TEXT_PX`. The book links every shown image to its
full-resolution file (Sphinx links an image that carries a width to the file itself).

**Tables** shown in a notebook (a pandas DataFrame or Styler at the end of a cell) go through
:func:`table_html` once :func:`use_table_style` has run (:func:`specialist.plotting.use_style`
calls it): no index numbers, ``yes``/``no`` for booleans, headers in words (:data:`HEADERS`),
numbers rounded per column, intervals that break on two lines at most, and a table that
wraps its headers to stay inside the column. Only the page changes: the CSV files keep their columns.

Backs
-----
fig2_band_set, fig3_conditions, fig3_nonlinear, fig3_structure, fig4_sportshhi,
fig5_l1_ablation, fig5_l1_path, fig6_gan_edits, fig_colliders, fig_finite_sample, fig_scaling,
tab2_runtime, tab_edit_specificity (through :mod:`specialist.plotting` and
:mod:`specialist.outputs`)
"""

from __future__ import annotations

import math
import re
from typing import Any

#: the book's content column in CSS pixels, and CSS pixels per inch
COLUMN_PX = 768
CSS_PX_PER_INCH = 96
#: the widest figure shown at its natural size (inches); a wider one is scaled down to the column
COLUMN_INCHES = COLUMN_PX / CSS_PX_PER_INCH
#: resolution of every saved PNG: about two image pixels per CSS pixel (sharp on dense screens)
SAVE_DPI = 200
#: the lowest resolution :meth:`specialist.outputs.Outputs.figure` accepts
MIN_DPI = 150
#: the smallest text a figure may show, in CSS pixels at its displayed size (7 pt ≈ 9.3 px)
MIN_TEXT_PX = 9.0

NBSP = "\u00a0"


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------
def display_width(png_width_px: int, dpi: float) -> int:
    """The width (CSS pixels) at which the book shows a PNG ``png_width_px`` wide saved at
    ``dpi``: its natural size, 96 CSS pixels per inch, at most the column (:data:`COLUMN_PX`)."""
    if png_width_px <= 0 or dpi <= 0:
        raise ValueError(f"png_width_px and dpi must be positive, got {png_width_px}, {dpi}")
    return min(COLUMN_PX, round(png_width_px * CSS_PX_PER_INCH / dpi))


def drawn_texts(fig) -> list[tuple[str, float]]:
    """Every non-empty text the figure draws, as ``(text, font size in points)``.

    The figure is drawn once on an off-screen canvas and each text is recorded as the renderer
    draws it: tick labels that are not shown, empty strings and invisible artists are left out.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    renderer = RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)
    seen: list[tuple[str, float]] = []
    draw = renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if s.strip():
            seen.append((s, float(prop.get_size_in_points())))
        return draw(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    fig.draw(renderer)
    return seen


def smallest_text_px(fig, dpi: float, png_width_px: int) -> tuple[float, str]:
    """``(pixels, text)``: the smallest text of ``fig`` as the book shows it when saved at
    ``dpi`` as a PNG ``png_width_px`` wide: points × ``dpi`` / 72 image pixels, times the
    displayed width (:func:`display_width`) over ``png_width_px``. ``(inf, "")`` without text."""
    texts = drawn_texts(fig)
    if not texts:
        return math.inf, ""
    text, points = min(texts, key=lambda t: t[1])
    scale = display_width(png_width_px, dpi) / png_width_px
    return points * dpi / 72 * scale, text


def in_notebook() -> bool:
    """Whether the code runs in an IPython kernel (a notebook), where outputs are displayed."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return False
    return get_ipython() is not None


def show_png(data: bytes, width: int, metadata: dict[str, Any] | None = None) -> None:
    """Display PNG bytes at ``width`` CSS pixels in a notebook (nothing elsewhere).

    The width travels in the output's metadata: the book sizes the image by it and links it to
    the full-resolution file. ``metadata`` is stored beside it (under ``"specialist"``).
    """
    if not in_notebook():
        return
    from IPython.display import Image, display

    display(Image(data=data, format="png", width=width, metadata={"specialist": metadata or {}}))


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
#: column names of the package's tables, in the words a page shows
HEADERS = {
    "mcc": "MCC",
    "mean_cc": "mean correlation",
    "f1": "F1",
    "fpr": "false-positive rate",
    "fnr": "false-negative rate",
    "accuracy": "accuracy",
    "key_number": "key number",
    "n_samples": "samples n",
    "n_steps": "steps T",
    "n_tasks": "tasks M",
    "n_tests": "tests",
    "n_plays": "plays",
    "n_fits": "fits",
    "task_role": "task role",
    "block_size": "block size",
    "support_f1": "support F1",
    "r2_relevant": "R² relevant",
    "r2_irrelevant": "R² irrelevant",
    "r2_irrelevant_max": "largest R² irrelevant",
    "outside_inside": "outside / inside",
    "best_constant": "best constant",
    "fdr_bh": "FDR (Benjamini–Hochberg)",
    "holm": "Holm",
    "simes": "Simes",
    "none": "none",
    "any": "any pair",
    "any_holm": "any pair + Holm",
    "bonferroni": "Bonferroni",
    "estimate": "estimate",
    "low": "low",
    "high": "high",
}
_INTERVAL = re.compile(r"(\S+) \[([^\[\],]+), ([^\[\],]+)\]")


def header(name: Any) -> Any:
    """A column name in words: the :data:`HEADERS` entry, else ``_`` as spaces, ``r2:`` as R²,
    ``vs_x_estimate`` as "vs x: estimate"; a tuple (a column of a MultiIndex) part by part."""
    if isinstance(name, tuple):
        return tuple(header(n) for n in name)
    if not isinstance(name, str):
        return name
    if name in HEADERS:
        return HEADERS[name]
    for suffix in ("estimate", "low", "high", "n"):
        if name.startswith("vs_") and name.endswith(f"_{suffix}"):
            other = name[3 : -len(suffix) - 1].replace("_", " ")
            return f"vs {other}: {suffix}"
    words = name.replace("r2:", "R² ").replace("_", " ")
    for code, word in HEADERS.items():  # "any_holm (s)" -> "any pair + Holm (s)"
        if name.startswith(f"{code} ("):
            return word + name[len(code) :]
    return words


def cell_text(value: Any) -> Any:
    """Booleans as ``yes``/``no``; in an interval ``0.64 [0.40, 0.87]`` the bracket does not
    break, so that a narrow column shows it on two lines at most (estimate, then interval)."""
    import numpy as np

    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _INTERVAL.sub(lambda m: f"{m[1]} [{m[2]},{NBSP}{m[3]}]", value)
    return value


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _object_text(v: Any) -> Any:
    return "–" if _missing(v) else cell_text(v)


def _number_format(decimals: int):
    """A float formatter with ``decimals`` decimals; a value that would show as 0 in scientific
    notation (a small p-value stays readable); NaN as a dash."""

    def fmt(v: float) -> str:
        if _missing(v):
            return "–"
        if v != 0 and abs(v) < 0.5 * 10.0**-decimals:
            return f"{v:.1e}"
        return f"{v:,.{decimals}f}"

    return fmt


def _decimals(values) -> int:
    """Decimals that give the column's largest value three significant digits (0 to 4)."""
    import numpy as np

    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0 or finite.max() == 0:
        return 2
    if np.all(finite == np.round(finite)):
        return 0
    return int(min(4, max(0, 3 - math.ceil(math.log10(finite.max())))))


_CSS = [
    {"selector": "", "props": "font-size: 0.85em; max-width: 100%;"},
    {"selector": "th", "props": "white-space: normal; vertical-align: bottom;"},
    {"selector": "td", "props": "vertical-align: top;"},
]


def _joined_intervals(df):
    """Each numeric column triple ``<x>estimate``, ``<x>low``, ``<x>high`` (``x`` empty or
    ending in ``_``) as one text column ``<x>[interval]``: ``0.12 [0.03, 0.20]``."""
    import numpy as np
    import pandas as pd

    if isinstance(df.columns, pd.MultiIndex):
        return df
    names = [c for c in df.columns if isinstance(c, str)]
    for prefix in [c[: -len("estimate")] for c in names if c.endswith("estimate")]:
        trio = [f"{prefix}{part}" for part in ("estimate", "low", "high")]
        if not (prefix == "" or prefix.endswith("_")) or not set(trio) <= set(names):
            continue
        if not all(pd.api.types.is_numeric_dtype(df[c]) for c in trio):
            continue
        fmt = _number_format(_decimals(df[trio].to_numpy(dtype=float).ravel()))
        text = [
            "–" if _missing(e) else f"{fmt(e)} [{fmt(lo)},{NBSP}{fmt(hi)}]"
            for e, lo, hi in df[trio].to_numpy(dtype=float).tolist()
        ]
        at = list(df.columns).index(trio[0])
        label = f"{prefix.rstrip('_')} [interval]".strip() if prefix else "estimate [interval]"
        df = df.drop(columns=trio)
        df.insert(at, label, np.array(text, dtype=object))
    return df


def book_table(df):
    """A pandas Styler that shows ``df`` as a book page does (see the module docstring).

    An unnamed integer index (pandas' row numbers) is hidden; any other index (named, or
    labels such as method names, then headed by the columns' name) becomes ordinary columns;
    the columns ``estimate``, ``low``, ``high`` of an interval are shown as one
    (:func:`_joined_intervals`).
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"book_table needs a pandas DataFrame, got {type(df).__name__}")
    shown = df.copy()
    index = shown.index
    row_numbers = index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index)
    if not row_numbers:  # an unnamed index takes the columns' name ("mAP@0.5"), else ""
        corner = shown.columns.name if isinstance(shown.columns.name, str) else ""
        taken = {str(c) for c in shown.columns}
        names = []
        for i, n in enumerate(index.names):
            name = n if n is not None else (corner if i == 0 else "")
            while name in taken or name in names:  # blank headers must still differ
                name += " "
            names.append(name)
        shown.index = shown.index.set_names(names)
        shown = shown.reset_index()
    shown.index = pd.RangeIndex(len(shown))
    shown = _joined_intervals(shown)
    shown.columns = (
        pd.MultiIndex.from_tuples([header(c) for c in shown.columns], names=shown.columns.names)
        if isinstance(shown.columns, pd.MultiIndex)
        else pd.Index([header(c) for c in shown.columns], name=shown.columns.name)
    )
    if not shown.columns.is_unique:  # Styler.format needs unique labels: show it as it is
        return _styled(shown.style.hide(axis="index"))
    formats = {}
    for col in shown.columns:
        column = shown[col]
        if isinstance(column, pd.DataFrame):  # a repeated name: leave it as it is
            continue
        if pd.api.types.is_bool_dtype(column):
            formats[col] = cell_text
        elif pd.api.types.is_float_dtype(column):
            formats[col] = _number_format(_decimals(column.to_numpy(dtype=float)))
        elif pd.api.types.is_integer_dtype(column):
            formats[col] = "{:,}"
        else:
            formats[col] = _object_text
    styler = shown.style.format(formats).hide(axis="index")
    return _styled(styler)


def _styled(styler):
    return styler.set_table_styles(_CSS, overwrite=False).set_table_attributes('class="dataframe"')


def styler_html(styler) -> str:
    """A Styler the notebook formatted itself: headers in words, no index numbers, book CSS."""
    import pandas as pd

    data = styler.data
    if isinstance(data.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    if not isinstance(data.columns, pd.MultiIndex) and not styler.hidden_columns:
        styler = styler.relabel_index([header(c) for c in data.columns], axis="columns")
    return _styled(styler).to_html()


def table_html(df) -> str:
    """The HTML of :func:`book_table`."""
    return book_table(df).to_html()


def use_table_style() -> None:
    """In a notebook, show every pandas DataFrame and Styler through :func:`table_html`."""
    if not in_notebook():
        return
    import pandas as pd
    from IPython import get_ipython
    from pandas.io.formats.style import Styler

    html = get_ipython().display_formatter.formatters["text/html"]
    html.for_type(pd.DataFrame, table_html)
    html.for_type(Styler, styler_html)
