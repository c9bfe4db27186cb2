"""The structure of the book's singlehtml page, for the PDF (:mod:`specialist.site.pdf`).

:func:`documents` finds every document and section of the page (with the titles it shows);
:func:`appendix_last` moves the appendix (the API reference) after every other chapter;
:func:`with_page_numbers` writes each chapter's first page into the printed contents;
:func:`outline` and :func:`write_outline` give the printed PDF its bookmarks.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: documents under this folder form the appendix, printed after every other chapter
APPENDIX_PREFIX = "api/"


@dataclass
class Section:
    """A ``<section>`` of the singlehtml page; ``doc`` is set where a document starts there.

    ``start``/``end``: its characters in the page (from the ``document-<doc>`` anchor before it,
    for a document, to the end of ``</section>``).
    """

    id: str
    doc: str | None
    start: int
    title: str = ""
    end: int = -1
    children: list[Section] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


#: TeX commands of headings, as bookmark titles (plain text) show them
_TEX_SYMBOLS = {"ell": "ℓ", "lambda": "λ", "alpha": "α", "mathcal": "", "mathrm": "", "le": "≤"}


def _plain_tex(tex: str) -> str:
    """A formula of a heading as plain text: ``\\ell_1`` -> ``ℓ1``."""
    text = re.sub(r"\\([A-Za-z]+)\s*", lambda m: _TEX_SYMBOLS.get(m.group(1), m.group(1)), tex)
    return re.sub(r"[{}_^$\\]", "", text)


class _SectionParser(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.roots: list[Section] = []
        self._open: list[Section] = []
        self._doc: tuple[str, int] | None = None
        self._heading: tuple[str, list[str]] | None = None
        self._skip = 0  # inside a heading's ¶ link

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and (attrs.get("id") or "").startswith("document-"):
            self._doc = (attrs["id"].removeprefix("document-"), self._offset())
        elif tag == "section":
            doc, start = self._doc or (None, self._offset())
            self._doc = None
            node = Section(attrs.get("id") or "", doc, start)
            (self._open[-1].children if self._open else self.roots).append(node)
            self._open.append(node)
        elif re.fullmatch("h[1-6]", tag) and self._open and not self._open[-1].title:
            self._heading = (tag, [])
        elif tag == "a" and self._heading and "headerlink" in (attrs.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "section" and self._open:
            self._open.pop().end = self._offset() + len("</section>")
        elif tag == "a" and self._skip:
            self._skip -= 1
        elif self._heading and tag == self._heading[0]:
            text = re.sub(
                r"\\\((.*?)\\\)", lambda m: _plain_tex(m.group(1)), "".join(self._heading[1])
            )
            self._open[-1].title = " ".join(text.split())
            self._heading = None

    def handle_data(self, data):
        if self._heading and not self._skip:
            self._heading[1].append(data)


def sections(page_html: str) -> list[Section]:
    """The top-level sections of the singlehtml page, each with its nested sections."""
    parser = _SectionParser(page_html)
    parser.feed(page_html)
    parser.close()
    return parser.roots


def documents(page_html: str) -> dict[str, Section]:
    """Every document of the page (``document-<doc>`` anchors) by name, in page order."""
    return {s.doc: s for root in sections(page_html) for s in root.walk() if s.doc}


def appendix_last(page_html: str, chapter_docs: list[str]) -> str:
    """The page with the appendix chapters (under :data:`APPENDIX_PREFIX`) after every other
    chapter, and their anchors marked with the class ``print-appendix`` (print.css).

    ``chapter_docs``: the book's chapters in the order of its table of contents.
    """
    docs = documents(page_html)
    chapter_docs = [d for d in chapter_docs if d in docs]
    appendix = [d for d in chapter_docs if d.startswith(APPENDIX_PREFIX)]
    body = [d for d in chapter_docs if not d.startswith(APPENDIX_PREFIX)]
    if appendix and body and docs[appendix[0]].start < docs[body[-1]].end:
        last = docs[body[-1]].end
        moved = "".join(page_html[docs[d].start : docs[d].end] for d in appendix)
        kept = page_html
        for d in sorted(appendix, key=lambda d: docs[d].start, reverse=True):
            if docs[d].end <= last:
                kept = kept[: docs[d].start] + kept[docs[d].end :]
                last -= docs[d].end - docs[d].start
        page_html = kept[:last] + moved + kept[last:]
    for d in appendix:
        anchor = f'<span id="document-{d}"></span>'
        marked = f'<span id="document-{d}" class="print-appendix"></span>'
        page_html = page_html.replace(anchor, marked, 1)
    return page_html


def anchors(page_html: str, root: str) -> dict[str, str]:
    """Document -> the id its first page is found by: the root document's first section (the
    root has no ``document-`` anchor), every other document's ``document-<doc>`` anchor."""
    first = next((s for s in sections(page_html) if s.id), None)
    found = {root: first.id} if first is not None and not first.doc else {}
    return found | {doc: f"document-{doc}" for doc in documents(page_html)}


def with_page_numbers(
    page_html: str,
    numbers: dict[str, int] | None,
    ids: dict[str, str],
    appendix: set[str] = frozenset(),
    title: str | None = None,
) -> str:
    """The page to print, its front matter completed:

    * every entry of the contents followed by its document's first page (``numbers``: document
      -> page; ``None`` prints placeholders of the same width), with an entry for the root
      document (the introduction, which the theme's contents leave out) at the top;
    * "Appendix: " before the captions of the parts in ``appendix``;
    * ``title`` (the book's) as the front matter's heading, in place of the root's title.

    ``ids``: :func:`anchors`; a link to one of them is what makes Chromium name a destination
    after it, which :func:`document_pages` reads.
    """
    by_id = {anchor: doc for doc, anchor in ids.items()}

    def page_of(doc: str) -> str:
        if numbers is None:
            return '<span class="toc-page toc-page-placeholder">000</span>'
        return f'<span class="toc-page">{numbers[doc]}</span>' if doc in numbers else ""

    def entry(match):
        doc = by_id.get(match.group(2))
        return match.group(1) + (page_of(doc) if doc else "")

    start = page_html.find('<div id="jb-print-docs-body"')
    nav = page_html.find("<nav", page_html.find('<div id="jb-print-toc">', start))
    end = page_html.find("</nav>", nav)
    if min(start, nav, end) < 0:
        raise ValueError("the page has no printed contents (#jb-print-toc): not a singlehtml page")
    toc = re.sub(r'(<a class="[^"]*" href="#([^"]+)">.*?</a>)', entry, page_html[nav:end])
    for caption in appendix:
        text = htmllib.escape(caption, quote=False)
        toc = toc.replace(
            f'<span class="caption-text">{text}</span>',
            f'<span class="caption-text">Appendix: {text}</span>',
        )
    root = next((d for d, anchor in ids.items() if not anchor.startswith("document-")), None)
    if root is not None:
        head = next(s for s in sections(page_html) if s.id == ids[root])
        link = f'<a class="reference internal nav-link" href="#{ids[root]}">{head.title}</a>'
        first = (
            '<ul class="nav section-nav flex-column"><li class="toctree-l1 nav-item toc-entry">'
            f"{link}{page_of(root)}</li></ul>"
        )
        opening = toc.index(">") + 1
        toc = toc[:opening] + first + toc[opening:]
    front = page_html[start:nav]
    if title:
        front = re.sub(r"<h1>.*?</h1>", f"<h1>{htmllib.escape(title)}</h1>", front, count=1)
    return page_html[:start] + front + toc + page_html[end:]


# ---------------------------------------------------------------------------------------------
# Pages and bookmarks of the printed PDF
# ---------------------------------------------------------------------------------------------
def document_pages(reader, ids: dict[str, str]) -> dict[str, int]:
    """Document -> the (1-based) page it starts on, from the PDF's named destinations (Chromium
    names one after each element id that a link of the page points to). ``ids``: :func:`anchors`.
    """
    named = reader.named_destinations
    found = {}
    for doc, anchor in ids.items():
        dest = named.get(f"/{anchor}")
        if dest is not None:
            found[doc] = reader.get_destination_page_number(dest) + 1
    return found


def heading_pages(reader) -> list[tuple[str, int]]:
    """Chromium's outline (its headings) flattened: ``(title without spaces, 1-based page)``."""
    out = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(
                    ("".join(str(item.title).split()), reader.get_destination_page_number(item) + 1)
                )

    walk(reader.outline)
    return out


def outline(
    page_html: str, reader, book_parts: list[tuple[str, list[str]]], ids: dict[str, str]
) -> list[tuple]:
    """The bookmarks: ``(title, page, children)`` for the contents, the introduction, every part
    (its chapters, their sub-documents and sections); the appendix parts last, as "Appendix: …".
    ``reader``: the printed PDF (pypdf); ``book_parts``: :func:`specialist.site.pdf.parts`;
    ``ids``: :func:`anchors`.

    Sections take their page from Chromium's outline, matched in page order by title (Chromium
    drops the spaces at line breaks, shortens long titles with "…" and may repeat a title); a
    section it does not list takes its parent's page. Untitled sections (the bodies of theorems)
    are left out, their titled subsections kept.
    """
    docs = documents(page_html)
    doc_pages = document_pages(reader, ids)
    headings = heading_pages(reader)
    cursor = 0

    def matches(found: str, key: str) -> bool:
        return found.startswith(key) or (found.endswith("…") and key.startswith(found[:-1]))

    def page_of(title: str, fallback: int) -> int:
        nonlocal cursor
        key = "".join(title.split())
        for i in range(cursor, len(headings)):
            if matches(headings[i][0], key):
                cursor = i + 1
                return headings[i][1]
        return fallback

    def kids_of(node: Section, page: int) -> list[tuple]:
        kids = []
        for child in node.children:
            if child.doc:
                kids.append(item(child, doc_pages.get(child.doc, page)))
            elif child.title:
                kids.append(item(child, page_of(child.title, page)))
            else:
                kids.extend(kids_of(child, page))
        return kids

    def item(node: Section, page: int) -> tuple:
        return (node.title or node.doc or node.id, page, kids_of(node, page))

    marks = [("Contents", 1, [])]
    root = next((d for d, anchor in ids.items() if not anchor.startswith("document-")), None)
    if root is not None and root in doc_pages:
        head = next(s for s in sections(page_html) if s.id == ids[root])
        marks.append((head.title, doc_pages[root], []))
    ordered = [p for p in book_parts if not is_appendix(p)] + [
        p for p in book_parts if is_appendix(p)
    ]
    for caption, part_docs in ordered:
        kids = [item(docs[d], doc_pages[d]) for d in part_docs if d in docs and d in doc_pages]
        if not kids:
            continue
        title = f"Appendix: {caption}" if is_appendix((caption, part_docs)) else caption
        if title:
            marks.append((title, kids[0][1], kids))
        else:
            marks.extend(kids)
    return marks


def is_appendix(part: tuple[str, list[str]]) -> bool:
    return bool(part[1]) and all(d.startswith(APPENDIX_PREFIX) for d in part[1])


def write_outline(path: Path, marks: list[tuple]) -> None:
    """Replace the PDF's bookmarks with ``marks`` (:func:`outline`); it opens with them shown."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=path)
    writer.root_object.pop(NameObject("/Outlines"), None)

    def add(items, parent=None):
        for title, page, kids in items:
            mark = writer.add_outline_item(title=title, page_number=page - 1, parent=parent)
            add(kids, mark)

    add(marks)
    writer.page_mode = "/UseOutlines"
    partial = path.with_name(path.name + ".outline")
    with partial.open("wb") as f:
        writer.write(f)
    partial.replace(path)
