"""End to end: the quick profile regenerates every artefact and the book builds with -W."""

import json
import re

import pytest

from specialist import claims
from specialist.pipeline import plan as plans
from specialist.site import pages

pytestmark = pytest.mark.pipeline


def test_quick_profile_regenerates_every_artefact(quick_workspace, quick_outcomes):
    artefacts = plans.discover(quick_workspace)
    assert {o.name: o.status for o in quick_outcomes} == {a: "ok" for a in artefacts}
    for name in artefacts:
        folder = quick_workspace.artefact_dir("quick", name)
        files = {p.name for p in folder.iterdir()}
        assert {"metrics.json", "provenance.json", "notebook.ipynb"} <= files, name
        assert any(f.endswith(".png") for f in files) and any(f.endswith(".svg") for f in files)
        rec = json.loads((folder / "provenance.json").read_text())
        assert rec["profile"] == "quick" and rec["wall_time_s"] > 0
        assert json.loads((folder / "metrics.json").read_text()), f"{name}: empty metrics"


def test_fig2_reproduces_the_papers_example(quick_workspace, quick_outcomes):
    metrics = json.loads(
        (quick_workspace.artefact_dir("quick", "fig2_band_set") / "metrics.json").read_text()
    )
    assert metrics["band_set"] == ["s3", "s5", "s7", "s9", "g1"]
    assert metrics["n_agree"] == metrics["n_checks"] > 0
    assert metrics["recovers_assignment"] is True


def test_every_claim_has_a_valid_verdict_and_reaches_the_claims_page(
    quick_workspace, quick_outcomes
):
    """Every artefact that regenerates a paper figure or table (its main figure carries the
    paper's number, not a B number) tests a claim; every claim, of any artefact, is valid and
    reaches the page."""
    table = (quick_workspace.generated / "claims_table.md").read_text()
    numbers = pages.figure_numbers(quick_workspace.book)
    claiming = 0
    for name in plans.discover(quick_workspace):
        metrics = json.loads(
            (quick_workspace.artefact_dir("quick", name) / "metrics.json").read_text()
        )
        paper = not numbers[f"fig-{name}"]["number"].startswith("Fig. B")
        assert metrics.get("claims") or not paper, f"{name} reproduces a paper artefact, no claim"
        if not metrics.get("claims"):
            continue
        claiming += 1
        for entry in metrics["claims"]:
            assert set(claims.FIELDS) <= set(entry), (name, entry)
            assert entry["verdict"] in claims.VERDICTS, (name, entry["verdict"])
        assert f"</generated/{name}>" in table, f"{name} missing from the claims page"
    assert claiming >= 10 and "invalid entry" not in table


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_book_pages_show_figure_profile_provenance_and_command(quick_workspace, built_site):
    for name in plans.discover(quick_workspace):
        html = (built_site / "generated" / f"{name}.html").read_text()
        label = "fig-" + name.replace("_", "-")
        assert f'id="{label}"' in html, f"{name}: no figure labelled {label}"
        text = _text(html)
        assert "Generated with the quick profile" in text, f"{name}: profile not stated"
        for field in ("Provenance", "Commit", "Parameters", "Seed", "Wall time", "Versions"):
            assert field in text, f"{name}: provenance lacks {field}"
        assert f"python -m specialist reproduce --profile quick --only {name}" in text
    # {numref} from another page resolves to a numbered figure link
    intro = (built_site / "intro.html").read_text()
    assert re.search(r'href="generated/fig2_band_set.html#fig-fig2-band-set"', intro)


def test_site_is_self_contained(built_site):
    for page in built_site.rglob("*.html"):
        html = page.read_text()
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert not remote, f"{page.name} loads {remote[:3]} from the network"
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_introduction_and_claims_say_where_the_claims_come_from(built_site):
    for name in ("intro.html", "claims.html"):
        text = re.sub(r"<[^>]+>", " ", (built_site / name).read_text())
        assert "Sources and limits" in text, name
        assert "secondary summaries" in text and "simulated" in text, name


def test_pages_carry_no_project_history_words(built_site):
    # a page says what a method is, not when we designed it
    words = re.compile(r"old design|earlier design|\(old\)|previous version", re.IGNORECASE)
    for page in built_site.rglob("*.html"):
        found = words.findall(page.read_text())
        assert not found, f"{page.name} says {found[:3]}"


def test_pages_carry_no_warning_text_and_no_machine_path(built_site):
    # a library's warnings belong in the run's log; the builder's paths say nothing to a reader
    leftovers = re.compile(
        r"[A-Za-z]*Warning: |site-packages|/tmp/|/home/|ipykernel_\d+|Traceback \(most recent"
    )
    for page in (built_site / "generated").rglob("*.html"):
        found = leftovers.findall(page.read_text())
        assert not found, f"{page.name} shows {found[:3]}"


def test_figures_carry_the_papers_numbers_and_stay_labelled(quick_workspace, built_site):
    """Captions show the numbers declared in figures.yml, whatever the order of the pages.

    Every figure of every notebook has an entry; a paper artefact's main figure carries the
    number in its notebook's title (``# Fig. 3 — …``); beyond-the-paper figures are "Fig. B<n>".
    """
    numbers = pages.figure_numbers(quick_workspace.book)
    labels = set()
    for name, art in plans.discover(quick_workspace).items():
        source = art.notebook.read_text()
        found = re.findall(r'"figure": \{"name": "([^"]+)"', source)
        assert f"fig-{name}" in found, name
        labels.update(found)
        html = (built_site / "generated" / f"{name}.html").read_text()
        for label in found:
            number = numbers[label]["number"]
            anchor = label.replace("_", "-")
            caption = re.search(
                rf'<figure[^>]*id="{anchor}".*?<span class="caption-number">([^<]*)</span>',
                html,
                re.S,
            )
            assert caption and caption.group(1).strip() == number, (label, caption)
        title = art.title
        main = numbers[f"fig-{name}"]["number"]
        if title.startswith("Beyond the paper") or title.startswith("Remark"):
            assert main.startswith("Fig. B"), (name, main)
        else:
            assert title.startswith(main.replace("-", "–")), (name, title, main)
    assert labels == set(numbers), "figures.yml and the notebooks' figures differ"
    assert len({e["number"] for e in numbers.values()}) == len(numbers), "a number is reused"
    # cross-references use the same numbers
    intro = _text((built_site / "intro.html").read_text())
    assert "Fig. 2" in intro and "Figure 2" not in intro


def test_pages_collapse_code_hide_defaults_and_offer_citations(quick_workspace, built_site):
    cff = pages.citation()
    for name in plans.discover(quick_workspace):
        page = json.loads((quick_workspace.generated / f"{name}.ipynb").read_text())
        code = [c for c in page["cells"] if c["cell_type"] == "code"]
        tags = [set(c["metadata"].get("tags", [])) for c in code]
        defaults = [t for t in tags if "parameters" in t]
        assert len(defaults) == 1 and "remove-cell" in defaults[0], name
        shown = [t for t in tags if "injected-parameters" in t]
        assert len(shown) == 1 and not shown[0] & {"hide-input", "remove-cell"}, name
        rest = [t for t in tags if not t & {"parameters", "injected-parameters"}]
        assert rest and all(t & {"hide-input", "remove-cell", "remove-input"} for t in rest)
        html = (built_site / "generated" / f"{name}.html").read_text()
        text = _text(html)
        assert "Cite this figure" in text and f"@misc{{{pages.CITE_KEY}-" in text, name
        assert cff["title"] in text and "quick profile" in text, name
        assert text.count("Cite this figure") >= html.count('class="caption-number"'), name
