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
  sentences in view; a cell without such an output is left off the page (``remove-cell``: it
  would show an empty toggle; the executed notebook keeps it); the notebook's default ``parameters`` cell removed, and the cell of the
  parameters this run used shown instead;
* under each figure, the one command that re-runs it with a value of the reader's own
  (:func:`rerun_command`), and a "Cite this figure" box: a plain-text citation and BibTeX
  naming the figure as the paper's figure it reconstructs ("Reconstruction of Fig. 3 of Zheng et
  al. (2026)", from ``book/figures.yml``) or as a study beyond the paper, with the companion's
  title, version, address and archive DOI (from ``CITATION.cff``, the one place that holds
  them), the profile and the commit;
* the provenance table at the end.

The Cite page prints the companion's own entry with :func:`companion_citation` (through
``book/_ext/companion_cite.py``), from the same ``CITATION.cff``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from specialist.paths import BOOK_DIR, REPO_ROOT
from specialist.pipeline.params import RESERVED, ConfigError, Param, parse_parameters_cell

#: tag of every cell this module adds (so a page can be told apart from the notebook it shows)
PAGE_TAG = "specialist-page"
#: the declared figure numbers and titles, relative to the book folder
FIGURES_FILE = "figures.yml"
#: BibTeX key of the companion; a figure's key adds its number (``…-fig3``, ``…-figb1``)
CITE_KEY = "zheng2026specialist-companion"
#: the parameter a figure's re-run command sets, the first of these that the artefact has: how
#: many data sets (seeds, structures, repeats) stand behind the figure, else its seed
RERUN_PARAMETERS = ("n_seeds", "n_structures", "repeats", "accuracy_seeds", "seed")
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
    """The companion's citation data, all from ``CITATION.cff`` in ``root``.

    ``title``, ``version``, ``authors`` (names), ``url`` (``repository-code``), ``doi`` (the
    top-level ``doi`` or an ``identifiers`` entry of type ``doi``; ``""`` until an archive DOI
    exists), ``year`` (of ``date-released``, else the paper's year) and ``paper`` ("Zheng et al.
    (2026)", from ``preferred-citation``).
    """
    path = Path(root) / "CITATION.cff"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for field in ("title", "version", "repository-code"):
        if not data.get(field):
            raise ValueError(f"{path}: the field {field!r} is missing or empty")

    def name(person: dict) -> str:
        return person.get("name") or " ".join(
            p for p in (person.get("given-names"), person.get("family-names")) if p
        )

    doi = str(data.get("doi") or "")
    for ident in data.get("identifiers") or []:
        if not doi and ident.get("type") == "doi" and ident.get("value"):
            doi = str(ident["value"])
    paper = data.get("preferred-citation") or {}
    paper_authors = paper.get("authors") or []
    first = paper_authors[0].get("family-names", "") if paper_authors else ""
    paper_year = str(paper.get("year", ""))
    released = str(data.get("date-released") or "")
    return {
        "title": data["title"],
        "version": str(data["version"]),
        "authors": [name(a) for a in data.get("authors", [])],
        "url": str(data["repository-code"]),
        "doi": doi,
        "year": released[:4] or paper_year,
        "paper": f"{first}{' et al.' if len(paper_authors) > 1 else ''} ({paper_year})",
    }


def _authors(cite: dict) -> str:
    return " and ".join(cite["authors"]) or "Specialist companion contributors"


def _where(cite: dict) -> str:
    """The address and DOI of a plain-text citation, written out in full (not as links, which
    the theme would shorten to "owner/repository" for a GitHub address)."""
    doi = f" https://doi.org/{cite['doi']}" if cite["doi"] else ""
    return f"{cite['url']}{doi}"


def _bibtex(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    fields = [(k, v) for k, v in fields if v]
    width = max(len(k) for k, _ in fields)
    lines = [f"  {k:<{width}} = {{{v}}}," for k, v in fields]
    return "\n".join([f"@{kind}{{{key},", *lines, "}"])


def companion_citation(cite: dict | None = None) -> str:
    """The companion's citation (Markdown): a plain-text line and a BibTeX block."""
    cite = cite or citation()
    plain = (
        f"{_authors(cite)} ({cite['year']}). *{cite['title']}*, version {cite['version']}. "
        f"{_where(cite)}"
    )
    bib = _bibtex(
        "software",
        CITE_KEY,
        [
            ("title", f"{{{cite['title']}}}"),
            ("author", f"{{{_authors(cite)}}}"),
            ("year", cite["year"]),
            ("version", cite["version"]),
            ("url", cite["url"]),
            ("doi", cite["doi"]),
        ],
    )
    return f"{plain}\n\n```bibtex\n{bib}\n```\n"


def figure_key(number: str) -> str:
    """The BibTeX key of the figure numbered ``number``: ``"Fig. B1"`` -> ``…-figb1``."""
    slug = re.sub(r"[^a-z0-9]+", "", number.lower().replace("–", "-").replace("-", "to"))
    return f"{CITE_KEY}-{slug}"


def figure_title(number: str, title: str, cite: dict) -> str:
    """What a figure is, for its citation: the paper's figure it reconstructs, or a study of
    the companion beyond the paper (numbers ``Fig. B…``)."""
    if re.match(r"Figs?\. B", number):
        what = f"{number} (beyond the paper)"
    else:
        what = f"Reconstruction of {number} of {cite['paper']}"
    return f"{what}: {title}" if title else what


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
    # a figure without a number fails the book's build (book/_ext/paper_numbers.py), which
    # says what to add; its box names it by its label until then
    entry = numbers.get(label) or {"number": label}
    what = figure_title(entry["number"], entry.get("title", ""), cite)
    year = rec["finished_at"][:4]
    commit = rec["git_commit"] or "unknown"
    run = f"{rec['profile']} profile, commit {short_commit(commit)}"
    plain = (
        f"{_authors(cite)} ({year}). {what}. In *{cite['title']}*, version {cite['version']} "
        f"({run}). {_where(cite)}"
    )
    bib = _bibtex(
        "misc",
        figure_key(entry["number"]),
        [
            ("author", f"{{{_authors(cite)}}}"),
            ("title", f"{{{what}}}"),
            ("howpublished", f"{cite['title']}, version {cite['version']}"),
            ("year", year),
            ("version", cite["version"]),
            ("url", cite["url"]),
            ("doi", cite["doi"]),
            ("note", f"{rec['profile']} profile, commit {commit}"),
        ],
    )
    return (
        "````{admonition} Cite this figure\n:class: dropdown tip\n"
        f"{plain}\n\n```bibtex\n{bib}\n```\n````"
    )


def rerun_parameter(parameters: dict[str, Any]) -> str | None:
    """The parameter a figure's re-run command sets (:data:`RERUN_PARAMETERS`), or ``None``."""
    return next((p for p in RERUN_PARAMETERS if isinstance(parameters.get(p), int)), None)


def rerun_command(rec: dict[str, Any], params: dict[str, Param] | None = None) -> str:
    """Under a figure: the one command that re-runs its artefact with a value of the reader's
    own, for a real parameter of the run (:func:`rerun_parameter`), with an example value (twice
    the run's count, or the next seed); ``""`` when the run has none of them.

    ``params``: the notebook's parameters cell (:func:`parse_parameters_cell`): the help text
    and the accepted range shown with the command; an example outside the range is not offered.
    """
    param = rerun_parameter(rec["parameters"])
    if param is None:
        return ""
    value = rec["parameters"][param]
    example = value + 1 if param == "seed" else max(2 * value, 2)
    spec = (params or {}).get(param)
    if spec is not None:
        try:
            spec.coerce(example, "the example")
        except ConfigError:
            example = value
    name = rec["artefact"]
    command = (
        f"python -m specialist reproduce --profile {rec['profile']} --only {name} "
        f"--set {name}.{param}={example}"
    )
    parts = [re.sub(r"\s*\[[^\]]*\]\s*$", "", spec.help)] if spec is not None and spec.help else []
    if accepted := getattr(spec, "accepted", ""):
        parts.append("accepted: " + accepted.replace(">=", "≥").replace("<=", "≤"))
    what = "; ".join([*[p for p in parts if p], f"{value} in this run"])
    others = any(p != param and p not in RESERVED for p in rec["parameters"])
    also = (
        "\n\nEvery other parameter of the cell *Parameters of this run* can be set the same "
        f"way (`--set {name}.KEY=VALUE`, repeatable)."
        if others
        else ""
    )
    return (
        "`````{container} rerun-command\n"
        f"**Re-run this figure with your own value** of `{param}` ({what}):\n\n"
        f"```bash\n{command}\n```{also}\n`````"
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


def _shows_output(cell) -> bool:
    """Whether a code cell has an output the page shows (stderr is not shown, see _config.yml)."""
    return any(
        not (o.get("output_type") == "stream" and o.get("name") == "stderr")
        for o in cell.get("outputs", [])
    )


def _figure_label(cell) -> str | None:
    fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
    return fig.get("name")


def _parameters_cell(nb) -> dict[str, Param]:
    """The notebook's parameters as its ``parameters`` cell declares them (help, range)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                return parse_parameters_cell(cell.source)
            except ConfigError:
                return {}
    return {}


def present(nb, rec: dict[str, Any], files_dir: Path, page_dir: Path, book_dir: Path | None = None):
    """The book's page for the executed notebook ``nb`` of the run ``rec`` (``nb`` is changed).

    ``files_dir``: the run's result folder; ``page_dir``: the folder the page is written to
    (links are relative to it); ``book_dir``: the book whose ``figures.yml`` numbers figures.
    """
    import nbformat

    numbers = figure_numbers(book_dir)
    cite = citation()
    declared = _parameters_cell(nb)

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
                # a cell that shows nothing would leave an empty "show code" bar: it goes
                tags.append("hide-input" if _shows_output(cell) else "remove-cell")
        cells.append(cell)
        label = _figure_label(cell) if cell.cell_type == "code" else None
        if label:
            rerun = rerun_command(rec, declared)
            cells.append(
                added((rerun + "\n\n" if rerun else "") + cite_box(label, rec, numbers, cite))
            )
    title_at = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), -1)
    cells.insert(title_at + 1, added(banner(rec, downloads(rec, files_dir, page_dir))))
    cells.append(added(provenance_table(rec)))
    nb.cells = cells
    nb.metadata["specialist"] = {"provenance": rec}
    return nb
