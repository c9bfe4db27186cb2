"""An executed notebook becomes a book page: notes, downloads, collapsed code, citation boxes."""

import copy

import nbformat
import pytest

from specialist.site import pages

RECORD = {
    "artefact": "fig3_structure",
    "profile": "quick",
    "parameters": {"seed": 0, "n_seeds": 2},
    "seed": 0,
    "git_commit": "0123456789abcdef0123456789abcdef01234567",
    "git_dirty": False,
    "versions": {"numpy": "2.4.6"},
    "executor": "local processes",
    "python": "3.11",
    "platform": "Linux",
    "cpus": 2,
    "finished_at": "2026-12-01T10:00:00+00:00",
    "wall_time_s": 12.0,
    "peak_memory_mb": 300.0,
    "outputs": ["metrics.json", "runs.csv", "structure.png", "structure.svg"],
    "command": "python -m specialist reproduce --profile quick --only fig3_structure",
}


def _notebook():
    figure = {"mystnb": {"figure": {"name": "fig-fig3_structure", "caption": "c"}}}
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Fig. 3 — A title"),
            nbformat.v4.new_code_cell(
                "seed = 0\nn_seeds = 10  # random runs per setting",
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell(
                "# Parameters\nseed = 0\nn_seeds = 2", metadata={"tags": ["injected-parameters"]}
            ),
            nbformat.v4.new_code_cell("import numpy"),
            nbformat.v4.new_code_cell(
                "warn()", outputs=[nbformat.v4.new_output("stream", name="stderr", text="w")]
            ),
            nbformat.v4.new_code_cell(
                "plot()",
                metadata=figure,
                outputs=[nbformat.v4.new_output("display_data", data={"image/png": "iVBO"})],
            ),
            nbformat.v4.new_code_cell("secret()", metadata={"tags": ["remove-cell"]}),
            nbformat.v4.new_markdown_cell("Some prose."),
        ]
    )


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "results" / "quick" / "fig3_structure"
    folder.mkdir(parents=True)
    for name in [*RECORD["outputs"], "provenance.json", "notebook.ipynb"]:
        (folder / name).write_text("x")
    page_dir = tmp_path / "book" / "generated"
    page_dir.mkdir(parents=True)
    return folder, page_dir


def _page(files, nb=None):
    folder, page_dir = files
    return pages.present(nb or _notebook(), RECORD, folder, page_dir)


def test_code_is_collapsed_defaults_removed_and_the_runs_parameters_shown(files):
    nb = _page(files)
    code = {
        c.source.splitlines()[0]: c.metadata.get("tags", [])
        for c in nb.cells
        if c.cell_type == "code"
    }
    assert "remove-cell" in code["seed = 0"]
    assert code["# Parameters of this run (quick profile)"] == ["injected-parameters"]
    assert code["plot()"] == ["hide-input"]
    # a cell that shows nothing (no output, or stderr only) would leave an empty toggle
    assert code["import numpy"] == ["remove-cell"] and code["warn()"] == ["remove-cell"]
    assert code["secret()"] == ["remove-cell"]


def test_note_downloads_and_provenance(files):
    nb = _page(files)
    assert nb.cells[0].source.startswith("# Fig. 3")
    note = nb.cells[1].source
    assert "**quick** profile" in note and "`0123456789`" in note and RECORD["command"] in note
    rel = "../../results/quick/fig3_structure"
    for target in (
        "structure.png",
        "structure.svg",
        "runs.csv",
        "metrics.json",
        "provenance.json",
        "notebook.ipynb",
    ):
        assert f"<{rel}/{target}>`" in note, target
    assert nb.cells[-1].source.startswith("## Provenance")
    assert nb.metadata["specialist"]["provenance"] == RECORD


def test_a_missing_file_is_not_linked(files):
    folder, _ = files
    (folder / "structure.svg").unlink()
    note = _page(files).cells[1].source
    assert "structure.png" in note and "structure.svg" not in note


def _under_figure(nb) -> str:
    at = next(i for i, c in enumerate(nb.cells) if c.source == "plot()")
    return nb.cells[at + 1].source


def test_every_figure_gets_a_citation_with_its_paper_number(files):
    nb = _page(files)
    box = _under_figure(nb).split("````{admonition} Cite this figure", 1)[1]
    cff = pages.citation()
    assert "Reconstruction of Fig. 3 of Zheng et al. (2026): Structure recovery" in box
    assert cff["title"] in box and f"version {cff['version']}" in box
    assert cff["url"].startswith("https://") and box.count(cff["url"]) == 2  # text and BibTeX
    assert "quick profile" in box and RECORD["git_commit"] in box
    # no internal names: the figure's label, the artefact's folder name
    assert "fig-fig3" not in box and "fig3_structure" not in box
    assert "@misc{zheng2026specialist-companion-fig3," in box
    assert sum("Cite this figure" in c.source for c in nb.cells) == 1


def test_citations_read_url_version_and_doi_from_citation_cff(tmp_path):
    cff = {
        "title": "T",
        "version": "9.8.7",
        "repository-code": "https://example.org/repo",
        "authors": [{"given-names": "Ada", "family-names": "Lovelace"}],
        "preferred-citation": {"authors": [{"family-names": "Zheng"}, {}], "year": 2026},
        "identifiers": [{"type": "doi", "value": "10.5281/zenodo.1"}],
    }
    (tmp_path / "CITATION.cff").write_text(__import__("yaml").safe_dump(cff))
    cite = pages.citation(tmp_path)
    assert cite["version"] == "9.8.7" and cite["url"] == "https://example.org/repo"
    assert cite["doi"] == "10.5281/zenodo.1" and cite["authors"] == ["Ada Lovelace"]
    box = pages.cite_box("fig-fig_scaling", RECORD, pages.figure_numbers(), cite)
    assert "Fig. B1 (beyond the paper): Scaling" in box and "Reconstruction" not in box
    assert "version 9.8.7" in box and "https://doi.org/10.5281/zenodo.1" in box
    assert "doi          = {10.5281/zenodo.1}" in box and "-figb1," in box
    companion = pages.companion_citation(cite)
    assert "@software{zheng2026specialist-companion," in companion
    assert "version = {9.8.7}" in companion and "url     = {https://example.org/repo}" in companion
    del cff["repository-code"]
    (tmp_path / "CITATION.cff").write_text(__import__("yaml").safe_dump(cff))
    with pytest.raises(ValueError, match="repository-code"):
        pages.citation(tmp_path)


def test_the_repository_citation_has_one_version_and_an_address():
    """CITATION.cff holds the version and address that every citation prints; the package's
    version (pyproject.toml) must be the same, and no book source repeats them."""
    import tomllib

    from specialist.paths import BOOK_DIR, REPO_ROOT

    cite = pages.citation()
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert cite["version"] == project["version"]
    assert cite["url"].startswith("https://")
    sources = {p.name: p.read_text() for p in (BOOK_DIR / "cite.md", BOOK_DIR / "references.bib")}
    assert "{companion-citation}" in sources["cite.md"]
    for name, text in sources.items():
        assert cite["version"] not in text and cite["url"] not in text, name
        assert "companion2026" not in text, name


def test_every_figure_has_its_own_citation_key():
    numbers = pages.figure_numbers()
    keys = {pages.figure_key(e["number"]) for e in numbers.values()}
    assert len(keys) == len(numbers)
    assert all(k.startswith(pages.CITE_KEY + "-") for k in keys)
    assert pages.figure_key("Figs. 6–7") == pages.CITE_KEY + "-figs6to7"


def test_every_figure_shows_the_command_that_reruns_it_with_the_readers_value(files):
    from specialist.pipeline.params import parse_override, parse_parameters_cell

    text = _under_figure(_page(files))
    command = "python -m specialist reproduce --profile quick --only fig3_structure"
    assert f"{command} --set fig3_structure.n_seeds=4" in text
    # the value is the run's, the help text the notebook's parameters cell's
    assert "`n_seeds` (random runs per setting; 2 in this run)" in text
    line = next(t for t in text.splitlines() if t.startswith("python -m specialist"))
    artefact, key, value = parse_override(line.split("--set ")[1])
    assert (artefact, key, value) == ("fig3_structure", "n_seeds", 4)
    # the range the parameters cell declares is shown, and an example outside it not offered
    cell = parse_parameters_cell("n_seeds = 10  # data sets [<= 3]")
    capped = pages.rerun_command(RECORD, cell)
    assert "(data sets; accepted: ≤ 3; 2 in this run)" in capped
    assert "--set fig3_structure.n_seeds=2" in capped
    # without a count of data sets, the seed; without either, no command
    rec = dict(RECORD, parameters={"seed": 3, "alpha": 0.05})
    assert "--set fig3_structure.seed=4" in pages.rerun_command(rec)
    assert pages.rerun_command(dict(RECORD, parameters={"alpha": 0.05})) == ""


def test_presenting_twice_gives_the_same_page(files):
    once = _page(files)
    twice = _page(files, copy.deepcopy(once))
    assert [c.source for c in twice.cells] == [c.source for c in once.cells]


def test_pages_made_before_the_page_tag_are_presented_afresh(files):
    nb = _notebook()
    nb.cells.insert(
        1, nbformat.v4.new_markdown_cell("```{admonition} How this page was made\nstale-note")
    )
    nb.cells.append(nbformat.v4.new_markdown_cell("## Provenance\n\nFiles live in stale-table"))
    page = _page(files, nb)
    assert sum(c.source.startswith("```{admonition} How this page") for c in page.cells) == 1
    assert "stale-" not in "".join(c.source for c in page.cells)


def test_every_declared_number_is_distinct_and_titled():
    numbers = pages.figure_numbers()
    assert len({e["number"] for e in numbers.values()}) == len(numbers)
    assert all(e.get("title") for e in numbers.values())


def test_every_notebook_figure_has_a_number_and_every_number_a_figure():
    """figures.yml and the notebooks' figure labels agree, checked without building the book.

    The build refuses an unnumbered figure (a warning under -W), but only the slow pipeline tests
    build it; this catches a new figure, or a renamed one, in the fast suite.
    """
    import re

    from specialist.paths import NOTEBOOKS_DIR

    labels = set()
    for notebook in sorted(NOTEBOOKS_DIR.glob("*.py")):
        labels.update(re.findall(r'"figure": \{"name": "([^"]+)"', notebook.read_text()))
    numbers = pages.figure_numbers()
    assert labels - set(numbers) == set(), "figures without a number in book/figures.yml"
    assert set(numbers) - labels == set(), "numbers in book/figures.yml without a figure"


# ---------------------------------------------------------------------------------------------
# The built site (pipeline: the quick run's book)
# ---------------------------------------------------------------------------------------------
class _Anchors(__import__("html.parser").parser.HTMLParser):
    """The ids of a page and the targets of its links (``<a href>``)."""

    def __init__(self):
        super().__init__()
        self.ids, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _site_pages(site):
    skip = ("_static", "_sources", "_downloads", "_images")
    return [p for p in sorted(site.rglob("*.html")) if p.relative_to(site).parts[0] not in skip]


@pytest.mark.pipeline
def test_every_internal_link_lands_on_an_anchor_and_no_id_repeats(built_site):
    from collections import Counter
    from urllib.parse import unquote, urlsplit

    parsed = {}
    for page in _site_pages(built_site):
        parser = _Anchors()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page.resolve()] = parser
    assert len(parsed) > 20, sorted(parsed)
    broken, repeated, linked = [], {}, set()
    for page, parser in parsed.items():
        twice = sorted(i for i, n in Counter(parser.ids).items() if n > 1)
        if twice:
            repeated[page.relative_to(built_site.resolve()).as_posix()] = twice
        for href in parser.links:
            url = urlsplit(href)
            if url.scheme or url.netloc or href.startswith("mailto:"):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.suffix != ".html":
                continue  # a download: tests/test_browser.py follows those
            if target not in parsed:
                broken.append(f"{page.name} -> {href} (no such page)")
                continue
            if target != page:
                linked.add(target)
            if url.fragment and unquote(url.fragment) not in parsed[target].ids:
                broken.append(f"{page.relative_to(built_site.resolve())} -> {href}")
    assert not broken, f"links to anchors that do not exist: {broken[:20]}"
    assert not repeated, f"ids that occur more than once on a page: {repeated}"
    # every page is reached from another one (no orphan such as sphinx-proof's "Proof Index");
    # the search page is reached from the search box, index.html only redirects
    unlinked = sorted(
        p.relative_to(built_site.resolve()).as_posix()
        for p in parsed
        if p not in linked and p.name not in ("index.html", "search.html")
    )
    assert not unlinked, f"pages no other page links: {unlinked}"


@pytest.mark.pipeline
def test_the_cite_page_prints_the_companions_entry_from_citation_cff(built_site):
    import re
    from html import unescape

    html = (built_site / "cite.html").read_text(encoding="utf-8")
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())
    cite = pages.citation()
    assert f"@software{{{pages.CITE_KEY}," in text
    assert f"version = {{{cite['version']}}}" in text and cite["url"] in text
