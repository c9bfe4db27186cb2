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

from specialist.site import pdf, pdf_outline


def _printed(test):
    """Mark a test that prints the quick book (the unmarked ones check error messages, fast)."""
    return pytest.mark.pipeline(pytest.mark.browser(test))


#: what a formula that MathJax did not typeset leaves in the text
RAW_TEX = ("\\(", "\\[", "$$", "\\mathrm", "\\mathcal", "\\frac", "\\begin{")


def _plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _chapter_titles(html: str) -> dict[str, str]:
    """Each chapter's document name -> its title, from the singlehtml page."""
    return {
        doc: _plain(title)
        for doc, title in re.findall(
            r'<span id="document-([^"]+)"></span><section[^>]*>\s*<h\d>(.*?)<a class="headerlink"',
            html,
            re.S,
        )
    }


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

    book = quick_workspace.book
    html_dir = pdf.build_singlehtml(book)
    root = pdf.chapters(book)[0]
    page = html_dir / f"{root}.html"
    out = pdf.make_pdf(html_dir, tmp_path_factory.mktemp("pdf") / "book.pdf", book, chromium)
    reader = PdfReader(out)
    return page.read_text(encoding="utf-8"), [_body(n, p) for n, p in _texts(reader)], reader


def _texts(reader):
    return list(enumerate((p.extract_text() for p in reader.pages), start=1))


def _body(number: int, text: str) -> str:
    """A page's text without its page number (print.css's page footer, extracted first)."""
    return re.sub(rf"^\s*{number}\s*\n", "", text, count=1)


@_printed
def test_every_chapter_starts_a_page(quick_workspace, book_pdf):
    html, pages, _ = book_pdf
    docs = pdf.chapters(quick_workspace.book)
    assert len(pages) >= len(docs), f"{len(pages)} pages for {len(docs)} chapters"
    titles = _chapter_titles(html)
    assert set(docs[1:]) <= set(titles), f"chapters not in the page: {set(docs[1:]) - set(titles)}"
    starts = [_normal(text) for text in pages]
    not_first = [
        f"{doc} ({titles[doc]!r})"
        for doc in docs[1:]
        if not any(s.removeprefix("Appendix:").startswith(_normal(titles[doc])) for s in starts)
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
    figures = len(re.findall(r"<figure[^>]*>\s*(?:<a [^>]*>\s*)?<img", html))
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


def _bookmarks(reader, items=None, depth=0):
    """``(depth, title, 1-based page)`` of every bookmark, in order."""
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out += _bookmarks(reader, item, depth + 1)
        else:
            out.append((depth, item.title, reader.get_destination_page_number(item) + 1))
    return out


@_printed
def test_bookmarks_lead_to_every_part_and_chapter_and_the_api_reference_comes_last(
    quick_workspace, book_pdf
):
    html, pages, reader = book_pdf
    book = quick_workspace.book
    marks = _bookmarks(reader)
    top = [(title, page) for depth, title, page in marks if depth == 0]
    captions = [c for c, _ in pdf.parts(book)]
    assert [t for t, _ in top][:2] == ["Contents", "Introduction"], top
    assert [t for t, _ in top][2:] == [
        *[c for c in captions if c != "API reference"],
        "Appendix: API reference",
    ], top
    # each chapter's bookmark is its title, on the page that starts with that title
    titles = _chapter_titles(html)
    chapter_marks = {title: page for depth, title, page in marks if depth == 1}
    for doc in pdf.chapters(book)[1:]:
        title = titles[doc]
        assert title in chapter_marks, (doc, title)
        shown = ("Appendix: " if doc.startswith(pdf_outline.APPENDIX_PREFIX) else "") + title
        assert _normal(pages[chapter_marks[title] - 1]).startswith(_normal(shown)), (doc, title)
    assert any(depth == 2 for depth, _, _ in marks), "no section has a bookmark"
    # the appendix comes after every other chapter, and runs to the end
    appendix = dict(top)["Appendix: API reference"]
    assert appendix == max(page for _, page in top)
    assert all(page < appendix for title, page in chapter_marks.items() if title != "API reference")
    assert _normal(pages[appendix - 1]).startswith(_normal("Appendix: API reference"))


@_printed
def test_the_contents_give_each_chapters_page_and_every_page_is_numbered(book_pdf):
    html, pages, reader = book_pdf
    marks = _bookmarks(reader)
    chapter_marks = {t: p for depth, t, p in marks if depth == 1}
    intro = next(p for depth, t, p in marks if depth == 0 and t != "Contents")
    assert intro > 1
    contents = "\n".join(pages[: intro - 1])  # the pages before the introduction
    for title, page in chapter_marks.items():
        # an entry ends with its chapter's first page (the PDF's text may break a long title)
        shown = re.findall(re.escape(_normal(title)) + r"(\d*)", _normal(contents))
        assert shown, f"{title!r} is not in the contents"
        assert str(page) in shown, f"{title!r} starts on page {page}, the contents say {shown}"
    # every page carries its number at the foot (print.css)
    unnumbered = [n for n, text in _texts(reader) if _body(n, text) == text]
    assert not unnumbered, f"pages without their number: {unnumbered[:10]}"


@_printed
def test_nothing_is_wider_than_the_printed_page(quick_workspace, book_pdf):
    """Laid out for print at the width of an A4 page within its margins, no table, code block,
    image or formula sticks out (Chromium would shrink every page to fit it): the runtime
    table's columns once ran together, a wide table ran off the page."""
    from playwright.sync_api import sync_playwright

    page_file = quick_workspace.book / "_build" / "singlehtml" / "intro.html"
    width = round((210 - 28) / 25.4 * 96)  # A4 less print.css's side margins, in CSS px
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=pdf.find_chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.emulate_media(media="print")
        page.goto(page_file.as_uri(), wait_until="load")
        page.evaluate("async () => { await window.MathJax?.startup?.promise; }")  # typeset
        wide = page.evaluate(
            """w => [...document.querySelectorAll(
                   '.bd-article :is(table, pre, img, figure, mjx-container[display=true])')]
                 .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > w + 1)
                 .map(e => e.tagName + ' in #' + (e.closest('section') || {}).id)""",
            width,
        )
        scroll = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert not wide, f"wider than the page: {wide[:10]}"
    assert scroll <= width, f"the page is {scroll} px wide for {width} px of paper"


def test_the_api_reference_moves_after_every_other_chapter_and_pages_fill_the_contents():
    from specialist.site import pdf_outline as po

    def chapter(doc, title, body=""):
        return (
            f'<span id="document-{doc}"></span><section id="{doc.replace("/", "-")}">'
            f'<h2>{title}<a class="headerlink" href="#x">¶</a></h2>{body}</section>'
        )

    toc = (
        '<div id="jb-print-docs-body"><h1>Intro</h1><div id="jb-print-toc"><nav><p class="caption">'
        '<span class="caption-text">API</span></p><ul><li><a class="reference internal" '
        'href="#document-api/index">API</a></li><li><a class="reference internal" '
        'href="#document-claims">Claims</a></li></ul></nav></div></div>'
    )
    sub = '<section id="s"><h3>A \\(\\ell_1\\) section</h3></section>'
    proof = f'<section id="proof-content">{sub}</section>'  # an untitled box body
    page = (
        f'{toc}<section id="intro"><h1>Intro</h1>{chapter("api/index", "API", chapter("api/x", "X"))}'
        f"{chapter('claims', 'Claims', proof)}</section>"
    )
    moved = po.appendix_last(page, ["api/index", "claims"])
    docs = po.documents(moved)
    assert list(docs) == ["claims", "api/index", "api/x"]
    assert docs["claims"].title == "Claims"
    assert docs["claims"].children[0].children[0].title == "A ℓ1 section"
    assert '<span id="document-api/index" class="print-appendix"></span>' in moved
    assert po.documents(po.appendix_last(moved, ["api/index", "claims"])).keys() == docs.keys()
    ids = po.anchors(moved, "intro")
    assert ids == {
        "intro": "intro",
        "claims": "document-claims",
        "api/index": "document-api/index",
        "api/x": "document-api/x",
    }
    numbers = {"intro": 2, "claims": 5, "api/index": 9}
    numbered = po.with_page_numbers(moved, numbers, ids, {"API"}, "The Book")
    assert '<a class="reference internal nav-link" href="#intro">Intro</a>' in numbered
    assert 'href="#intro">Intro</a><span class="toc-page">2</span>' in numbered
    assert 'Claims</a><span class="toc-page">5</span>' in numbered
    assert 'API</a><span class="toc-page">9</span>' in numbered
    assert '<span class="caption-text">Appendix: API</span>' in numbered
    assert "<h1>The Book</h1>" in numbered and numbered.count("<h1>Intro</h1>") == 1
    placeholders = po.with_page_numbers(moved, None, ids)
    assert placeholders.count("toc-page-placeholder") == 3
    with pytest.raises(ValueError, match="jb-print-toc"):
        po.with_page_numbers("<p>no contents</p>", None, ids)

    # the bookmarks: sections found in Chromium's outline, untitled boxes skipped
    class Reader:
        named_destinations = {f"/{a}": n for a, n in zip(ids.values(), (2, 5, 9, 10), strict=True)}
        outline = [_Mark("Intro", 1), _Mark("Claims", 5), _Mark("Aℓ1section", 6)]

        @staticmethod
        def get_destination_page_number(dest):
            return (dest if isinstance(dest, int) else dest.page) - 1

    marks = po.outline(
        moved, Reader, [("", ["intro"]), ("Ch", ["claims"]), ("API", ["api/index"])], ids
    )
    assert marks == [
        ("Contents", 1, []),
        ("Intro", 2, []),
        ("Ch", 5, [("Claims", 5, [("A ℓ1 section", 6, [])])]),
        ("Appendix: API", 9, [("API", 9, [("X", 10, [])])]),
    ]


class _Mark:
    def __init__(self, title, page):
        self.title, self.page = title, page


def test_bookmarks_are_written_into_the_pdf(tmp_path):
    from pypdf import PdfReader, PdfWriter

    from specialist.site import pdf_outline as po

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=200, height=200)
    path = tmp_path / "b.pdf"
    with path.open("wb") as f:
        writer.write(f)
    po.write_outline(path, [("Contents", 1, []), ("Part", 2, [("Chapter", 3, [])])])
    reader = PdfReader(path)
    assert _bookmarks(reader) == [(0, "Contents", 1), (0, "Part", 2), (1, "Chapter", 3)]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


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
