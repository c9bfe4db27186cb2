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
            nbformat.v4.new_code_cell("seed = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "# Parameters\nseed = 0\nn_seeds = 2", metadata={"tags": ["injected-parameters"]}
            ),
            nbformat.v4.new_code_cell("import numpy"),
            nbformat.v4.new_code_cell("plot()", metadata=figure),
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
    assert code["import numpy"] == ["hide-input"] and code["plot()"] == ["hide-input"]
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


def test_every_figure_gets_a_citation_with_its_paper_number(files):
    nb = _page(files)
    at = next(i for i, c in enumerate(nb.cells) if c.source == "plot()")
    box = nb.cells[at + 1].source
    cff = pages.citation()
    assert box.startswith("````{admonition} Cite this figure")
    assert "Fig. 3: Structure recovery" in box and cff["title"] in box
    assert "quick profile" in box and RECORD["git_commit"] in box and "fig-fig3_structure" in box
    assert "@misc{specialist_fig3_structure_fig3_structure," in box
    assert sum("Cite this figure" in c.source for c in nb.cells) == 1


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
