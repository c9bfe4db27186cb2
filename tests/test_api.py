"""The public API's promises.

1. Every module a notebook imports, and every function or class it imports by name, names that
   notebook's artefact in the "Backs" section of its docstring (the truth comes from parsing
   the notebooks' import statements, not from running them).
2. Every artefact a Backs section names exists as ``notebooks/<artefact>.py``, and its notebook
   can reach the module (statically, through the package's imports); there is one form only,
   a numpydoc-style section::

       Backs
       -----
       fig2_band_set, fig3_structure (an optional note in parentheses)

3. The headline names load lazily from ``specialist`` (PEP 562): they are the right objects,
   and ``import specialist`` alone imports no submodule and not torch.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import subprocess
import sys
from dataclasses import dataclass

import pytest

import specialist
from specialist.paths import REPO_ROOT
from specialist.pipeline import dependencies

NOTEBOOKS = REPO_ROOT / "notebooks"
PACKAGE = REPO_ROOT / "specialist"
ARTEFACTS = frozenset(p.stem for p in NOTEBOOKS.glob("*.py"))

SECTION = re.compile(r"^Backs\n-+\n(?P<body>(?:[^\n]*\S[^\n]*\n?)+)", re.MULTILINE)
ITEM = re.compile(r"(?P<name>[a-z][a-z0-9_]*)(?: \([^()]*\))?")


# -- parsing ----------------------------------------------------------------------------------


def backs(doc: str | None) -> list[str]:
    """The artefacts named by the Backs section of ``doc`` ([] without one).

    Raises ``ValueError`` for a malformed section (an entry that is not ``name`` or
    ``name (note)``, or two sections in one docstring).
    """
    if not doc:
        return []
    sections = list(SECTION.finditer(inspect.cleandoc(doc)))
    if len(sections) > 1:
        raise ValueError("more than one Backs section")
    if not sections:
        return []
    body = " ".join(sections[0]["body"].split())
    entries, depth, current = [], 0, ""
    for ch in body:  # split on the commas outside parentheses
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            entries.append(current.strip())
            current = ""
        else:
            current += ch
    entries.append(current.strip())
    names = []
    for entry in entries:
        match = ITEM.fullmatch(entry)
        if not match:
            raise ValueError(f"malformed Backs entry {entry!r} (expected 'artefact (note)')")
        names.append(match["name"])
    return names


def _module_file(name: str):
    """Source file of the specialist module ``name``, or None if it is not a module."""
    return dependencies.module_file(name)


def _module_name(path) -> str:
    return dependencies.module_name(path)


@dataclass(frozen=True)
class NotebookImport:
    artefact: str
    line: int
    module: str  # the specialist module the statement imports
    name: str | None  # the object it imports by name from that module (None: the module)

    def __str__(self) -> str:
        what = self.module if self.name is None else f"{self.module}.{self.name}"
        return f"notebooks/{self.artefact}.py:{self.line} imports {what}"


def imports_in(tree: ast.AST, artefact: str = "") -> list[NotebookImport]:
    """Every absolute ``specialist`` import in ``tree`` (:func:`specialist.pipeline.dependencies.imports_in`,
    the analysis the runner's cache uses)."""
    return [
        NotebookImport(artefact, i.line, i.module, i.name) for i in dependencies.imports_in(tree)
    ]


def notebook_imports() -> list[NotebookImport]:
    found = []
    for path in sorted(NOTEBOOKS.glob("*.py")):
        found += imports_in(ast.parse(path.read_text(), filename=str(path)), path.stem)
    return found


def reachable_modules(artefact: str) -> set[str]:
    """The specialist modules notebook ``artefact`` can import, directly or through others
    (every import statement of a module counts, also one inside a function): the closure the
    runner's cache keys on."""
    modules = dependencies.imports_of(NOTEBOOKS / f"{artefact}.py")
    return {dependencies.module_name(p) for p in dependencies.closure(modules)}


def docstrings(path) -> list[tuple[str, int, str]]:
    """(qualified name, line, docstring) of the module and every class and function in it."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, prefix):
        doc = ast.get_docstring(node, clean=False)
        if doc is not None:
            found.append((prefix or "<module>", getattr(node, "lineno", 1), doc))
        for child in node.body:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, f"{prefix}.{child.name}" if prefix else child.name)

    visit(tree, "")
    return found


def package_backs() -> list[tuple[str, str, int, list[str]]]:
    """(module, qualified name, line, artefacts) of every Backs section in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for qualname, line, doc in docstrings(path):
            try:
                names = backs(doc)
            except ValueError as err:
                pytest.fail(f"{path.relative_to(REPO_ROOT)}:{line} {qualname}: {err}")
            if names:
                found.append((_module_name(path), qualname, line, names))
    return found


def _missing(imports: list[NotebookImport]) -> list[str]:
    """What the given imports require and the docstrings do not say."""
    missing = []
    for imp in imports:
        module = importlib.import_module(imp.module)
        # the package root is imported by every notebook; its docstring is the overview
        if imp.module != "specialist" and imp.artefact not in backs(module.__doc__):
            missing.append(f"{imp}: module {imp.module} does not name {imp.artefact}")
        if imp.name is None:
            continue
        obj = getattr(module, imp.name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue  # constants have no docstring of their own
        if imp.artefact not in backs(obj.__doc__):
            where = f"{obj.__module__}.{obj.__qualname__}"
            missing.append(f"{imp}: {where} does not name {imp.artefact}")
    return missing


# -- 1. the notebooks' imports are named ------------------------------------------------------


def test_the_notebooks_import_the_package():
    imports = notebook_imports()
    assert {imp.artefact for imp in imports} == ARTEFACTS, "a notebook imports nothing from us"
    assert any(imp.name is None for imp in imports) and any(imp.name for imp in imports)


def test_every_module_and_object_a_notebook_imports_names_it():
    missing = _missing(notebook_imports())
    assert not missing, "add the artefact to the Backs section:\n" + "\n".join(missing)


# -- 2. every Backs section is well formed, names real artefacts, and is reachable ------------


def test_one_form_only():
    inline = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for qualname, line, doc in docstrings(path):
            if re.search(r"\bBacks:", doc):
                inline.append(f"{path.relative_to(REPO_ROOT)}:{line} {qualname}")
    assert not inline, "write 'Backs' as a numpydoc section, not inline:\n" + "\n".join(inline)


def test_every_named_artefact_exists_and_reaches_the_module():
    sections = package_backs()
    assert len(sections) > 50  # the parser finds the sections
    reach = {artefact: reachable_modules(artefact) for artefact in ARTEFACTS}
    wrong = []
    for module, qualname, line, names in sections:
        for name in names:
            if name not in ARTEFACTS:
                wrong.append(f"{module}.{qualname} (line {line}): no notebooks/{name}.py")
            elif module not in reach[name]:
                wrong.append(f"{module}.{qualname} (line {line}): {name} never imports {module}")
    assert not wrong, "\n".join(wrong)


def test_backs_parser():
    doc = """Summary.

    Parameters
    ----------
    x : int

    Backs
    -----
    fig2_band_set, fig3_structure (accuracy
    vs T), tab2_runtime
    """
    assert backs(doc) == ["fig2_band_set", "fig3_structure", "tab2_runtime"]
    assert backs("Summary without a section.") == []
    with pytest.raises(ValueError, match="malformed"):
        backs("Summary.\n\nBacks\n-----\nevery figure\n")
    tree = ast.parse("from specialist.experiments import layer1\nfrom specialist.ci import FisherZ")
    assert [(i.module, i.name) for i in imports_in(tree)] == [
        ("specialist.experiments.layer1", None),
        ("specialist.ci", "FisherZ"),
    ]


# -- 3. the headline names, lazily ------------------------------------------------------------


def test_headline_names_are_the_package_objects():
    from specialist import (
        SparseTaskVAE,
        TaskMaskGAN,
        discover_task_structure,
        evaluate_map,
        read_annotations,
        run_grid,
    )
    from specialist.data import sportshhi
    from specialist.models import gan, vae
    from specialist.structure import discover_task_structure as structure_fn
    from specialist.sweep import run_grid as sweep_fn

    assert discover_task_structure is structure_fn
    assert SparseTaskVAE is vae.SparseTaskVAE
    assert TaskMaskGAN is gan.TaskMaskGAN
    assert evaluate_map is sportshhi.evaluate_map
    assert read_annotations is sportshhi.read_annotations
    assert run_grid is sweep_fn
    assert sorted(specialist.__all__) == sorted(specialist._LAZY)
    for name in specialist.__all__:
        source = importlib.import_module(specialist._LAZY[name])
        assert getattr(specialist, name) is getattr(source, name), name
        assert name in dir(specialist)
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        specialist.not_a_name  # noqa: B018
    with pytest.raises(ImportError):
        from specialist import not_a_name  # noqa: F401


LAZY_PROBE = """
import json, sys
import specialist
after_import = sorted(m for m in sys.modules if m.startswith("specialist") or m in HEAVY)
specialist.run_grid
after_run_grid = sorted(m for m in sys.modules if m.startswith("specialist.models") or m in HEAVY)
print(json.dumps({"after_import": after_import, "after_run_grid": after_run_grid}))
"""


def test_import_specialist_imports_no_submodule_and_no_torch():
    heavy = ["torch", "numpy", "pandas"]
    code = f"HEAVY = {heavy!r}\n" + LAZY_PROBE
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["after_import"] == ["specialist"]
    # one name loads its own module, not every other one (the sweep needs neither torch nor models)
    assert "torch" not in seen["after_run_grid"]
    assert not [m for m in seen["after_run_grid"] if m.startswith("specialist.models")]
