"""How an executed notebook becomes a book page.

The runner keeps each artefact's executed notebook in its result folder as it ran
(``results/<profile>/<artefact>/notebook.ipynb``); :func:`present` turns a copy of it into the
page the book shows, every time the book's copy is published, so a change of presentation never
requires recomputing a result. The page gets:

* a note under the title saying how it was made (profile, commit, time, the command that
  regenerates it) and a line of downloads: every figure (PNG, SVG), every table (CSV),
  ``metrics.json``, ``provenance.json`` and the executed notebook, linked with Sphinx's
  ``{download}`` role so that the files are copied into the site and work from ``file://``;
* code cells collapsed behind a toggle (``hide-input``), their figures, tables and computed
  sentences in view; the notebook's default ``parameters`` cell removed, and the cell of the
  parameters this run used shown instead;
* under each figure, a "Cite this figure" box: a plain-text citation and BibTeX naming the
  companion (from ``CITATION.cff``), the figure's number and title (from ``book/figures.yml``),
  the profile and the commit;
* the provenance table at the end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from specialist.paths import BOOK_DIR, REPO_ROOT

#: tag of every cell this module adds (so a page can be told apart from the notebook it shows)
PAGE_TAG = "specialist-page"
#: the declared figure numbers and titles, relative to the book folder
FIGURES_FILE = "figures.yml"
_KEEP_VISIBLE = {"injected-parameters"}
_ALREADY = {"remove-cell", "remove-input", "hide-input", "hide-cell", "remove-output"}


def fmt_seconds(s: float) -> str:
    """``"42.0 s"`` below two minutes, else ``"3 min 5 s"``."""
    return f"{s:.1f} s" if s < 120 else f"{int(s // 60)} min {int(s % 60)} s"


def short_commit(commit: str | None) -> str:
    return commit[:10] if commit else "unknown"


def figure_numbers(book_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """``{label: {"number": "Fig. 3", "title": …}}`` from ``book/figures.yml``.

    ``book_dir`` defaults to the repository's book; a folder without the file falls back to it.
    """
    path = Path(book_dir or BOOK_DIR) / FIGURES_FILE
    if not path.exists():
        path = BOOK_DIR / FIGURES_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def citation(root: Path = REPO_ROOT) -> dict[str, Any]:
    """The companion's title, version, authors and URL from ``CITATION.cff``."""
    data = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    authors = []
    for a in data.get("authors", []):
        name = a.get("name") or " ".join(
            p for p in (a.get("given-names"), a.get("family-names")) if p
        )
        authors.append(name)
    return {
        "title": data["title"],
        "version": str(data.get("version", "")),
        "authors": authors,
        "url": data.get("repository-code") or data.get("url") or "",
    }


# ---------------------------------------------------------------------------------------------
# The pieces of a page
# ---------------------------------------------------------------------------------------------
def banner(rec: dict[str, Any], downloads: str = "") -> str:
    """The note under the page title: how the page was made, and its downloads."""
    dirty = " (with uncommitted changes)" if rec["git_dirty"] else ""
    text = (
        "```{admonition} How this page was made\n:class: note\n"
        f"Generated with the **{rec['profile']}** profile at commit "
        f"`{short_commit(rec['git_commit'])}`{dirty} on {rec['finished_at'][:10]}, "
        f"in {fmt_seconds(rec['wall_time_s'])}. Regenerate only this artefact with\n"
        f"`{rec['command']}`\n(full provenance at the end of the page).\n"
    )
    if downloads:
        text += f"\n{downloads}\n"
    return text + "```"


def downloads(rec: dict[str, Any], files_dir: Path, page_dir: Path) -> str:
    """One line of ``{download}`` links to the run's files, relative to the page's folder.

    ``files_dir`` is the artefact's result folder; files not in it are not linked.
    """
    rel = Path(os.path.relpath(files_dir, page_dir)).as_posix()
    present = [o for o in rec.get("outputs", []) if (files_dir / o).is_file()]

    def link(name: str, text: str | None = None) -> str:
        return f"{{download}}`{text or name} <{rel}/{name}>`"

    figures = sorted({Path(o).stem for o in present if o.endswith(".png")})
    parts = []
    for stem in figures:
        kinds = [
            link(f"{stem}.{ext}", ext.upper())
            for ext in ("png", "svg")
            if f"{stem}.{ext}" in present
        ]
        parts.append(f"figure `{stem}` ({' · '.join(kinds)})")
    tables = [o for o in present if o.endswith(".csv")]
    if tables:
        parts.append("tables " + ", ".join(link(t) for t in tables))
    for name in ("metrics.json", "provenance.json"):
        if name in present or (files_dir / name).is_file():
            parts.append(link(name))
    if (files_dir / "notebook.ipynb").is_file():
        parts.append(link("notebook.ipynb", "executed notebook (.ipynb)"))
    return "**Downloads:** " + " · ".join(parts) + "." if parts else ""


def cite_box(label: str, rec: dict[str, Any], numbers: dict, cite: dict) -> str:
    """The "Cite this figure" box for the figure ``label`` of the run ``rec``."""
    entry = numbers.get(label, {})
    number, title = entry.get("number", label), entry.get("title", "")
    year = rec["finished_at"][:4]
    commit = rec["git_commit"] or "unknown"
    authors = " and ".join(cite["authors"]) or "Specialist companion contributors"
    version = f", version {cite['version']}" if cite["version"] else ""
    what = f"{number}: {title}" if title else number
    where = f" {cite['url']}." if cite["url"] else ""
    plain = (
        f"{authors} ({year}). {what}. In *{cite['title']}*{version}. Figure `{label}` of "
        f"artefact `{rec['artefact']}`, regenerated with the {rec['profile']} profile at commit "
        f"`{short_commit(commit)}`.{where}"
    )
    key = f"specialist_{rec['artefact']}_{label.removeprefix('fig-').replace('-', '_')}"
    bib = [
        f"@misc{{{key},",
        f"  author       = {{{{{authors}}}}},",
        f"  title        = {{{what}}},",
        f"  howpublished = {{{cite['title']}{version}}},",
        f"  year         = {{{year}}},",
        f"  note         = {{Figure {label} of artefact {rec['artefact']}, "
        f"{rec['profile']} profile, commit {commit}}},",
    ]
    if cite["url"]:
        bib.append(f"  url          = {{{cite['url']}}},")
    bib.append("}")
    return (
        "````{admonition} Cite this figure\n:class: dropdown tip\n"
        f"{plain}\n\n```bibtex\n" + "\n".join(bib) + "\n```\n````"
    )


def provenance_table(rec: dict[str, Any]) -> str:
    """The provenance section at the end of the page."""

    def code(v: Any) -> str:
        return f"`{v!r}`".replace("|", "\\|")

    params = ", ".join(f"{k}={v!r}" for k, v in rec["parameters"].items())
    versions = ", ".join(f"{k} {v}" for k, v in rec["versions"].items() if v)
    rows = [
        ("Profile", f"`{rec['profile']}`"),
        ("Command", f"`{rec['command']}`"),
        (
            "Commit",
            f"`{rec['git_commit'] or 'unknown'}`" + (" (dirty)" if rec["git_dirty"] else ""),
        ),
        ("Parameters", f"`{params}`".replace("|", "\\|") if params else "(defaults)"),
        ("Seed", code(rec["seed"])),
        ("Executor", rec.get("executor", "")),
        ("Wall time", fmt_seconds(rec["wall_time_s"])),
        ("Peak memory", f"{rec['peak_memory_mb']} MB" if rec["peak_memory_mb"] else "n/a"),
        ("Finished", rec["finished_at"]),
        ("Python / platform", f"{rec['python']} on {rec['platform']} ({rec['cpus']} CPUs)"),
        ("Versions", versions),
        ("Outputs", ", ".join(f"`{o}`" for o in rec["outputs"])),
    ]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return (
        "## Provenance\n\n"
        f"Files live in `results/{rec['profile']}/{rec['artefact']}/` (`provenance.json` holds "
        "this record in full).\n\n| | |\n|---|---|\n" + table + "\n"
    )


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------
def _tags(cell) -> list[str]:
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def _legacy(cell) -> bool:
    """A note or provenance cell that runs before this module added them itself."""
    return cell.cell_type == "markdown" and cell.source.startswith(
        ("```{admonition} How this page was made", "## Provenance\n\nFiles live in")
    )


def _figure_label(cell) -> str | None:
    fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
    return fig.get("name")


def present(nb, rec: dict[str, Any], files_dir: Path, page_dir: Path, book_dir: Path | None = None):
    """The book's page for the executed notebook ``nb`` of the run ``rec`` (``nb`` is changed).

    ``files_dir``: the run's result folder; ``page_dir``: the folder the page is written to
    (links are relative to it); ``book_dir``: the book whose ``figures.yml`` numbers figures.
    """
    import nbformat

    numbers = figure_numbers(book_dir)
    cite = citation()

    def added(source: str):
        return nbformat.v4.new_markdown_cell(source, metadata={"tags": [PAGE_TAG]})

    cells = []
    for cell in nb.cells:
        if PAGE_TAG in cell.get("metadata", {}).get("tags", []) or _legacy(cell):
            continue  # a page made earlier: present afresh
        tags = _tags(cell)
        if cell.cell_type == "code":
            if "parameters" in tags:
                if "remove-cell" not in tags:
                    tags.append("remove-cell")  # the defaults; the run's own values follow
            elif "injected-parameters" in tags:
                first = cell.source.splitlines()[0] if cell.source else ""
                if not first.startswith("# Parameters of this run"):
                    cell.source = (
                        f"# Parameters of this run ({rec['profile']} profile)\n"
                        + "\n".join(
                            line for line in cell.source.splitlines() if line != "# Parameters"
                        )
                    )
            elif not set(tags) & (_ALREADY | _KEEP_VISIBLE):
                tags.append("hide-input")
        cells.append(cell)
        label = _figure_label(cell) if cell.cell_type == "code" else None
        if label:
            cells.append(added(cite_box(label, rec, numbers, cite)))
    title_at = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), -1)
    cells.insert(title_at + 1, added(banner(rec, downloads(rec, files_dir, page_dir))))
    cells.append(added(provenance_table(rec)))
    nb.cells = cells
    nb.metadata["specialist"] = {"provenance": rec}
    return nb
