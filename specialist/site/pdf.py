"""The whole book as one PDF, offline: ``python -m specialist.site.pdf`` (``make pdf``).

Two steps, neither of which touches the network:

1. ``jupyter-book build book --builder singlehtml`` puts every chapter of ``book/_toc.yml`` on
   one HTML page, from the executed notebooks that ``book/generated/`` already holds (nothing
   is regenerated: run ``make book`` first, as for the site). Warnings are errors, as in
   ``make book``.
2. Headless Chromium opens that page from disk, lets MathJax (served from ``_static/`` by
   sphinx-mathjax-offline) typeset the formulas, and prints it to PDF. The print stylesheet
   ``book/_static/print.css`` hides the theme's navigation, starts each chapter on a new page
   and numbers the pages.

:func:`make_pdf` prints a copy of the page in which the API reference (the chapters under
``api/``) is moved to the end as an appendix and every entry of the contents carries the page its
chapter starts on. Chromium cannot compute those numbers itself, so the copy is printed twice:
once with placeholders, to read each chapter's first page from the PDF's named destinations,
then with the numbers (a third time if a page moved). The PDF then gets bookmarks: the book's
parts, their chapters and the chapters' sections, with the titles of the HTML (pypdf).

Usage::

    python -m specialist.site.pdf                      # build singlehtml, write book/_build/pdf/book.pdf
    python -m specialist.site.pdf --html-dir DIR       # print an existing singlehtml build instead
    python -m specialist.site.pdf --path-output /tmp/x # build into /tmp/x/_build/singlehtml

Chromium is looked up as ``chromium`` then ``chromium-browser`` on ``PATH`` (``--chromium``
names another binary); pypdf (a ``dev`` dependency) reads and completes the PDF. Every failure
(no Chromium, a page missing from ``book/generated``, a failed build, no PDF or an empty one)
stops with a message that says what is missing.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from specialist.paths import BOOK_DIR
from specialist.site import pdf_outline

CHROMIUM_NAMES = ("chromium", "chromium-browser")
#: headless, no sandbox (root in containers), and nothing that would reach the network
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--run-all-compositor-stages-before-draw",
    "--no-pdf-header-footer",
    # an outline from the headings: make_pdf reads the sections' pages from it
    "--generate-pdf-document-outline",
)
#: virtual time (ms) Chromium gives the page before printing: MathJax typesets in it
VIRTUAL_TIME_BUDGET_MS = 30_000
DEFAULT_OUTPUT = BOOK_DIR / "_build" / "pdf" / "book.pdf"
#: how often make_pdf prints at most until the contents' page numbers stop moving
MAX_PASSES = 3


class PdfError(RuntimeError):
    """Something the PDF needs is missing or a step failed; the message says which."""


def chapters(book: Path = BOOK_DIR) -> list[str]:
    """The book's top-level documents in reading order, from ``_toc.yml``: the root, then every
    chapter (not their sections), as Sphinx names them (no ``.md``/``.ipynb`` extension)."""
    toc = yaml.safe_load((Path(book) / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        docs += [entry["file"] for entry in part.get("chapters", []) if "file" in entry]
    return [doc.removesuffix(".md").removesuffix(".ipynb") for doc in docs]


def parts(book: Path = BOOK_DIR) -> list[tuple[str, list[str]]]:
    """The parts of ``_toc.yml`` in order: ``(caption, chapters)``, chapters named as by
    :func:`chapters` (a book without parts is one part without a caption)."""
    toc = yaml.safe_load((Path(book) / "_toc.yml").read_text(encoding="utf-8"))
    found = []
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        docs = [e["file"] for e in part.get("chapters", []) if "file" in e]
        found.append(
            (part.get("caption", ""), [d.removesuffix(".md").removesuffix(".ipynb") for d in docs])
        )
    return found


def missing_pages(book: Path = BOOK_DIR) -> list[str]:
    """Documents of the table of contents (chapters and their sections) without a source file."""
    toc = yaml.safe_load((Path(book) / "_toc.yml").read_text(encoding="utf-8"))

    def files(entries):
        for entry in entries:
            if "file" in entry:
                yield entry["file"]
            yield from files(entry.get("sections", []) + entry.get("chapters", []))

    docs = [toc["root"], *files(toc.get("parts", []) + toc.get("chapters", []))]
    exts = ("", ".md", ".ipynb")  # a file may be named with or without its extension
    return [doc for doc in docs if not any((Path(book) / f"{doc}{e}").is_file() for e in exts)]


def find_chromium() -> str:
    """The Chromium binary on ``PATH`` (``chromium``, else ``chromium-browser``)."""
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    raise PdfError(
        f"no Chromium found: neither of {', '.join(CHROMIUM_NAMES)} is on PATH "
        "(Debian/Ubuntu: apt-get install chromium), or pass --chromium /path/to/binary"
    )


def build_singlehtml(book: Path = BOOK_DIR, path_output: Path | None = None) -> Path:
    """Build ``book`` with the singlehtml builder; return the folder holding the page."""
    book = Path(book)
    if missing := missing_pages(book):
        raise PdfError(
            f"{len(missing)} page(s) of {book / '_toc.yml'} have no source, e.g. "
            f"{missing[0]}: the artefacts are not in {book / 'generated'}; "
            "run `make book` (or `make quick`) first"
        )
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(book), "--builder", "singlehtml", "-W", "-n", "--keep-going"]
    if path_output is not None:
        cmd += ["--path-output", str(path_output)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise PdfError(
            f"the singlehtml build failed ({' '.join(cmd)}):\n{proc.stdout[-4000:]}\n"
            f"{proc.stderr[-4000:]}"
        )
    return Path(path_output if path_output is not None else book) / "_build" / "singlehtml"


def print_to_pdf(
    page: Path,
    output: Path,
    chromium: str | None = None,
    budget_ms: int = VIRTUAL_TIME_BUDGET_MS,
    timeout_s: float = 600,
) -> Path:
    """Print the HTML file ``page`` to ``output`` with headless Chromium; return ``output``.

    Chromium runs with a fresh profile in a temporary folder. An old ``output`` is removed
    first; the PDF is written next to it and moved into place only when it is a non-empty
    PDF, so a failed run never leaves a file that could be taken for its result.
    """
    page, output = Path(page).resolve(), Path(output).resolve()
    if not page.is_file():
        raise PdfError(f"no page to print: {page} does not exist")
    if budget_ms <= 0:  # Chromium waits for ever without a budget
        raise PdfError(f"the virtual time budget must be positive, not {budget_ms} ms")
    chromium = chromium or find_chromium()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)  # a failed run leaves no PDF, rather than an old one
    partial = output.with_name(output.name + ".part")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="specialist-pdf-") as profile:
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            f"--print-to-pdf={partial}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as err:
            raise PdfError(f"Chromium did not finish within {timeout_s:.0f} s") from err
    if not partial.exists():
        problem = "no file"
    elif partial.stat().st_size == 0:
        problem = "an empty file"
    elif partial.read_bytes()[:5] != b"%PDF-":
        problem = "a file that is not a PDF"
    else:
        partial.replace(output)
        return output
    partial.unlink(missing_ok=True)
    raise PdfError(
        f"Chromium (exit {proc.returncode}) produced {problem} for {page}:\n{proc.stderr[-4000:]}"
    )


def _reader(path: Path):
    try:
        from pypdf import PdfReader
    except ImportError as err:  # pragma: no cover - pypdf is pinned in the dev extra
        raise PdfError("pypdf reads the printed PDF: pip install pypdf") from err
    # pypdf logs the slips of Chromium's cross-reference table ("Object count … exceeds
    # defined trailer size"), which it repairs; they say nothing about the book
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return PdfReader(path)


def make_pdf(
    html_dir: Path,
    output: Path,
    book: Path = BOOK_DIR,
    chromium: str | None = None,
    budget_ms: int = VIRTUAL_TIME_BUDGET_MS,
    timeout_s: float = 600,
) -> Path:
    """The book's PDF from its singlehtml build in ``html_dir``: the appendix last, page numbers
    in the contents, bookmarks (see the module's docstring). Returns ``output``."""
    html_dir, output = Path(html_dir), Path(output)
    docs_in_order = chapters(book)
    page = html_dir / f"{docs_in_order[0]}.html"
    if not page.is_file():
        raise PdfError(f"no page to print: {page} does not exist")
    source = pdf_outline.appendix_last(page.read_text(encoding="utf-8"), docs_in_order[1:])
    ids = pdf_outline.anchors(source, docs_in_order[0])
    book_parts = parts(book)
    appendix = {caption for caption, d in book_parts if pdf_outline.is_appendix((caption, d))}
    config = yaml.safe_load((Path(book) / "_config.yml").read_text(encoding="utf-8")) or {}
    work = html_dir / f"_print_{page.name}"  # next to the page: its links stay relative
    numbers = None
    try:
        for _ in range(MAX_PASSES):
            try:
                text = pdf_outline.with_page_numbers(
                    source, numbers, ids, appendix, config.get("title")
                )
            except ValueError as err:
                raise PdfError(f"{page}: {err}") from err
            work.write_text(text, encoding="utf-8")
            print_to_pdf(work, output, chromium, budget_ms, timeout_s)
            reader = _reader(output)
            found = pdf_outline.document_pages(reader, ids)
            if numbers is not None and found == numbers:
                break
            numbers = found
        else:
            raise PdfError(f"the chapters' first pages still moved after {MAX_PASSES} prints")
        if missing := sorted(set(ids) - set(found)):
            raise PdfError(f"the PDF has no destination for the documents {missing}")
        marks = pdf_outline.outline(source, reader, book_parts, ids)
        pdf_outline.write_outline(output, marks)
    finally:
        work.unlink(missing_ok=True)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specialist.site.pdf", description=__doc__)
    parser.add_argument("--book", type=Path, default=BOOK_DIR, help="book source folder")
    parser.add_argument(
        "--html-dir", type=Path, help="print this singlehtml build instead of building one"
    )
    parser.add_argument(
        "--path-output", type=Path, help="build into PATH/_build/singlehtml (default: the book's)"
    )
    parser.add_argument("--output", "-o", type=Path, default=DEFAULT_OUTPUT, help="the PDF")
    parser.add_argument("--chromium", help="the Chromium binary (default: looked up on PATH)")
    parser.add_argument(
        "--budget-ms", type=int, default=VIRTUAL_TIME_BUDGET_MS, help="Chromium virtual time"
    )
    args = parser.parse_args(argv)
    try:
        chromium = args.chromium or find_chromium()  # fail before a build, not after it
        html_dir = args.html_dir or build_singlehtml(args.book, args.path_output)
        out = make_pdf(html_dir, args.output, args.book, chromium, args.budget_ms)
    except PdfError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"PDF written: {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
