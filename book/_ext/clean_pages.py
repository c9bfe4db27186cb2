"""Pages without broken anchors, duplicate ids or doubled scripts.

Three defects of the libraries the book is built with, repaired at build time:

* **Proof anchors.** sphinx-proof writes nothing for the node that wraps a ``{prf:proof}``, so a
  label put on a proof (``(prf-thm-1)=`` above it) names an anchor that no page has. The label's
  id moves to the proof's box, which does get written.
* **Duplicate ids.** Every sphinx-proof box gets the same ids: ``proof`` on each proof and
  ``proof-content`` on the body of each theorem, definition, …, and an unnumbered one repeats its
  own id on its title. A proof's box now carries its label's id (or none) and the class
  ``proof-body`` (``site.css`` styles it as sphinx-proof styled ``div#proof``); a body carries
  ``<id of its box>-content``; a title does not repeat its box's id.
* **Doubled scripts.** Sphinx 7.4 registers an inline script that an extension adds once the
  builder exists (sphinx-thebe's ``const THEBE_JS_URL = …``, sphinx-togglebutton's selector)
  twice, as file ``None`` and as file ``""``, so every page declared the constant twice and the
  browser reported "Identifier 'THEBE_JS_URL' has already been declared". Each page's scripts
  are de-duplicated.

tests/test_pages.py checks the built site for broken internal anchors and duplicate ids, and
tests/test_browser.py for console errors.
"""

from __future__ import annotations

import re

from docutils import nodes

#: the class a proof's box gets in place of the id ``proof`` that every proof shared
PROOF_CLASS = "proof-body"
# an unnumbered sphinx-proof box: its title repeats the box's id
_TITLE_REPEATS_ID = re.compile(
    r'(<div class="proof [^"]*" id="(?P<id>[^"]+)">\s*<p class="admonition-title") id="(?P=id)"'
)


def _proof_nodes(doctree):
    from sphinx_proof.nodes import proof_node

    return list(doctree.findall(proof_node))


def fix_proof_ids(app, doctree, docname):
    """Give proof boxes their labels' ids and every box body an id of its own."""
    for node in _proof_nodes(doctree):
        box = next((c for c in node.children if isinstance(c, nodes.Element)), None)
        if box is None:
            continue
        box["ids"] = [i for i in box["ids"] if i != "proof"] + list(node["ids"])
        node["ids"] = []
        if PROOF_CLASS not in box["classes"]:
            box["classes"].append(PROOF_CLASS)
    for section in list(doctree.findall(nodes.section)):
        if section["ids"] != ["proof-content"]:
            continue
        owner = section.parent
        owner_ids = owner.get("ids", []) if isinstance(owner, nodes.Element) else []
        section["ids"] = [f"{owner_ids[0]}-content"] if owner_ids else []


def _script_key(script) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (str(filename), getattr(script, "priority", 0), tuple(sorted(attributes.items())))


def clean_page(app, pagename, templatename, context, doctree):
    """De-duplicate the page's scripts; drop the id an unnumbered box's title repeats."""
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        context["script_files"] = unique
    body = context.get("body")
    if isinstance(body, str):
        context["body"] = _TITLE_REPEATS_ID.sub(r"\1", body)


def setup(app):
    app.connect("doctree-resolved", fix_proof_ids)
    app.connect("html-page-context", clean_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
