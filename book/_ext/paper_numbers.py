"""Number the book's figures and theorems as the paper does: "Fig. 3", "Table 2", "Fig. B1" …

Sphinx counts figures in the order of the table of contents, so the regenerated Fig. 3 would be
called "Figure 2" and every number would shift when a page moves. This extension replaces the
counted numbers with the ones declared in ``book/figures.yml`` (label → number), after Sphinx
has assigned its own. Captions and ``{numref}`` cross-references both read these numbers, with
``numfig_format`` set to ``"%s"`` so that the declared text ("Fig. 3") is shown as it is.

A figure without an entry keeps Sphinx's count and raises a warning (an error under ``-W``),
so a new figure cannot reach the book unnumbered; an entry whose figure is gone warns too.

The results of the Theory page (sphinx-proof environments, which Sphinx numbers the same way)
keep the paper's numbers from ``book/theorems.yml`` (label → number: Theorem 2 stays
"Theorem 2" even though the paper's Theorem 1 and Proposition 1 come first or are not shown).
Environments not listed there keep their counted numbers.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)
FIGURES_FILE = "figures.yml"
THEOREMS_FILE = "theorems.yml"


def load_numbers(book_dir: Path) -> dict[str, dict[str, str]]:
    """``{label: {"number": …, "title": …}}`` from ``figures.yml`` in ``book_dir``."""
    data = yaml.safe_load((Path(book_dir) / FIGURES_FILE).read_text(encoding="utf-8")) or {}
    for label, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("number"):
            raise ValueError(f"{FIGURES_FILE}: entry {label!r} needs a 'number'")
    return data


def _apply(app, env):
    numbers = load_numbers(Path(app.srcdir))
    by_id = {nodes.make_id(label): (label, entry["number"]) for label, entry in numbers.items()}
    theorems_file = Path(app.srcdir) / THEOREMS_FILE
    theorems = {}
    if theorems_file.exists():
        theorems = {
            str(k): str(v)
            for k, v in (yaml.safe_load(theorems_file.read_text(encoding="utf-8")) or {}).items()
        }
    seen, pinned = set(), set()
    for docname, types in env.toc_fignumbers.items():
        for figtype, ids in types.items():
            if figtype in ("figure", "table", "code-block"):
                continue
            for target in list(ids):
                if target in theorems:
                    ids[target] = (theorems[target],)
                    pinned.add(target)
        for figure_id in list(types.get("figure", {})):
            if figure_id not in by_id:
                logger.warning(
                    f"figure {figure_id!r} has no number in book/{FIGURES_FILE}; "
                    "add it (the paper's number, or the next free B number)",
                    location=docname,
                )
                continue
            label, number = by_id[figure_id]
            types["figure"][figure_id] = (number,)
            seen.add(label)
    for label in sorted(set(numbers) - seen):
        logger.warning(f"book/{FIGURES_FILE} numbers {label!r}, but no page has that figure")
    for label in sorted(set(theorems) - pinned):
        logger.warning(f"book/{THEOREMS_FILE} numbers {label!r}, but no page has that result")
    return []


def setup(app):
    app.connect("env-get-updated", _apply, priority=900)  # after Sphinx's own numbering (500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
