"""The companion's citation on the Cite page, read from ``CITATION.cff`` when the book is built.

``CITATION.cff`` is the one place that holds the companion's version, repository address and
(once a release is archived) DOI. The directive

.. code-block:: markdown

    ```{companion-citation}
    ```

prints the companion's plain-text citation and its BibTeX entry from it, with
:func:`specialist.site.pages.companion_citation`, which also writes the "Cite this figure" boxes
of the artefact pages; a page that uses it is rebuilt when ``CITATION.cff`` changes.
"""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


class CompanionCitation(SphinxDirective):
    """``{companion-citation}``: the companion's citation, as text and BibTeX."""

    has_content = False

    def run(self):
        from specialist.paths import REPO_ROOT
        from specialist.site import pages

        self.env.note_dependency(str(REPO_ROOT / "CITATION.cff"))
        text = pages.companion_citation(pages.citation(REPO_ROOT))
        box = nodes.container(classes=["companion-citation"])
        self.state.nested_parse(
            StringList(text.splitlines(), source="CITATION.cff"), self.content_offset, box
        )
        return [box]


def setup(app):
    app.add_directive("companion-citation", CompanionCitation)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
