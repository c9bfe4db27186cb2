"""`make pdf`: the quick book as one PDF, a page break per chapter, numbered figures, typeset math.

The PDF is printed from the singlehtml build of the session's quick run (``quick_outcomes``,
shared with the other pipeline tests) by specialist.pdf, exactly as `make pdf` does; the
singlehtml build reuses the doctrees of the ``built_site`` html build when that ran first.
"""

import os
import re
import unicodedata
from html import unescape

import pytest
import yaml

from specialist.site import pdf


def _printed(test):
    """Mark a test that prints the quick book (the unmarked ones check error messages, fast)."""
    return pytest.mark.pipeline(pytest.mark.browser(test))


#: what a formula that MathJax did not typeset leaves in the text
RAW_TEX = ("\\(", "\\[", "$$", "\\mathrm", "\\mathcal", "\\frac", "\\begin{")


def _plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _normal(text: str) -> str:
    """Text for comparisons: ligatures (ﬁ) unfolded and no whitespace at all (the PDF's text
    has spaces where the HTML has none, between runs of different fonts: "ℓ 1")."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def book_pdf(quick_workspace, quick_outcomes, tmp_path_factory):
    """(the singlehtml page's HTML, the PDF's pages as text, the PDF reader)."""
    try:
        chromium = pdf.find_chromium()
    except pdf.PdfError as err:
        if os.environ.get("CI"):
            pytest.fail(f"{err} (.ci/run installs it with apt)")
        pytest.skip(str(err))
    from pypdf import PdfReader

    html_dir = pdf.build_singlehtml(quick_workspace.book)
    root = pdf.chapters(quick_workspace.book)[0]
    page = html_dir / f"{root}.html"
    out = pdf.print_to_pdf(page, tmp_path_factory.mktemp("pdf") / "book.pdf", chromium)
    reader = PdfReader(out)
    return page.read_text(encoding="utf-8"), [p.extract_text() for p in reader.pages], reader


@_printed
def test_every_chapter_starts_a_page(quick_workspace, book_pdf):
    html, pages, _ = book_pdf
    docs = pdf.chapters(quick_workspace.book)
    assert len(pages) >= len(docs), f"{len(pages)} pages for {len(docs)} chapters"
    titles = {
        doc: _plain(title)
        for doc, title in re.findall(
            r'<span id="document-([^"]+)"></span><section[^>]*>\s*<h\d>(.*?)<a class="headerlink"',
            html,
            re.S,
        )
    }
    assert set(docs[1:]) <= set(titles), f"chapters not in the page: {set(docs[1:]) - set(titles)}"
    starts = [_normal(text) for text in pages]
    not_first = [
        f"{doc} ({titles[doc]!r})"
        for doc in docs[1:]
        if not any(s.startswith(_normal(titles[doc])) for s in starts)
    ]
    assert not not_first, f"chapters that do not start a page: {not_first}"


@_printed
def test_every_figure_is_printed_with_its_number(quick_workspace, book_pdf):
    html, pages, reader = book_pdf
    numbers = [
        entry["number"]
        for entry in yaml.safe_load((quick_workspace.book / "figures.yml").read_text()).values()
    ]
    # caption number -> the caption's first words, from the singlehtml page
    captions = {
        " ".join(number.split()): " ".join(re.split(r"<|\\\(", text, maxsplit=1)[0].split()[:3])
        for number, text in re.findall(
            r'<span class="caption-number">([^<]*)</span><span class="caption-text">(.*?)</span>',
            html,
            re.S,
        )
    }
    text = _normal("\n".join(pages))
    unnumbered = [n for n in numbers if n not in captions]
    assert not unnumbered, f"no caption carries {unnumbered} (see book/figures.yml)"
    missing = [n for n in numbers if _normal(f"{n} {captions[n]}") not in text]
    assert not missing, f"captions missing from the PDF: {missing}"
    images = sum(
        1
        for page in reader.pages
        for xobject in page["/Resources"].get("/XObject", {}).values()
        if xobject.get_object().get("/Subtype") == "/Image"
    )
    figures = len(re.findall(r"<figure[^>]*>\s*<img", html))
    assert images >= figures > 0, f"{images} images in the PDF for {figures} figures"


@_printed
def test_formulas_are_typeset(book_pdf):
    html, pages, reader = book_pdf
    assert html.count('class="math notranslate nohighlight"') > 0, "the book has no formula"
    text = "\n".join(pages)
    raw = {tex: text.count(tex) for tex in RAW_TEX if tex in text}
    assert not raw, f"TeX left untypeset in the PDF: {raw}"
    # Chromium embeds MathJax's web fonts as Type 3 fonts: typeset math uses one
    type3 = sum(
        1
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
        if font.get_object().get("/Subtype") == "/Type3"
    )
    assert type3 > 0, "no MathJax glyphs in the PDF"


def test_no_chromium_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pdf.PdfError, match="chromium, chromium-browser"):
        pdf.find_chromium()


def test_a_chromium_that_writes_nothing_fails_clearly(tmp_path):
    page = tmp_path / "intro.html"
    page.write_text("<p>x</p>")
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF-1.4 stale")
    with pytest.raises(pdf.PdfError, match="produced no file"):
        pdf.print_to_pdf(page, out, chromium="true")
    fake = tmp_path / "empty-chromium"
    fake.write_text(
        '#!/bin/sh\nfor a; do case "$a" in --print-to-pdf=*) : > "${a#*=}";; esac; done\n'
    )
    fake.chmod(0o755)
    with pytest.raises(pdf.PdfError, match="produced an empty file"):
        pdf.print_to_pdf(page, out, chromium=str(fake))
    assert not out.exists() and not out.with_name("book.pdf.part").exists()


def test_a_book_without_its_artefacts_is_not_built(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - chapters:\n      - file: generated/fig2\n"
    )
    (tmp_path / "intro.md").write_text("# Intro\n")
    assert pdf.chapters(tmp_path) == ["intro", "generated/fig2"]
    with pytest.raises(pdf.PdfError, match="make book"):
        pdf.build_singlehtml(tmp_path)
