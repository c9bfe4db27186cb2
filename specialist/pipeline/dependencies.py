"""Which ``specialist`` modules a piece of code depends on: the one import analysis.

Three questions share this answer: is an artefact's result current (the runner's cache keys on
the modules its notebook imports), may a stored run be reused (the run store keys on the
modules its run function's module imports) and does every module a notebook imports say so
(``tests/test_api.py``). The analysis is static: every ``import specialist…`` statement of a
source file counts, also one inside a function (code that runs only in worker processes),
except those under ``if TYPE_CHECKING:``, which never run (the package's ``__init__`` names its
headline objects that way, and would otherwise make everything depend on everything). Importing
``a.b`` runs ``a/__init__.py``, so a module's parent packages are part of its closure.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: the folder of the ``specialist`` package
PACKAGE = Path(__file__).resolve().parents[1]
_ROOT = "specialist"


@dataclass(frozen=True)
class Import:
    """One imported ``specialist`` name: ``module`` (a module), and ``name`` when the statement
    imports an object by name from it (``None``: the module itself)."""

    line: int
    module: str
    name: str | None = None


def module_file(name: str, package: Path = PACKAGE) -> Path | None:
    """The source file of module ``specialist[.a.b]`` below ``package`` (``None``: not a
    module, e.g. a function imported by name)."""
    parts = name.split(".")
    if parts[0] != _ROOT:
        return None
    candidates = [package.joinpath(*parts[1:], "__init__.py")]
    if len(parts) > 1:
        candidates.append(package.joinpath(*parts[1:]).with_suffix(".py"))
    return next((c for c in candidates if c.is_file()), None)


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """``package/experiments/edits.py`` → ``"specialist.experiments.edits"``."""
    parts = Path(path).resolve().relative_to(package.resolve()).with_suffix("").parts
    return ".".join((_ROOT, *parts)).removesuffix(".__init__")


def _type_checking(node: ast.AST) -> bool:
    """An ``if TYPE_CHECKING:`` (or ``if typing.TYPE_CHECKING:``) block."""
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree`` except those of ``if TYPE_CHECKING:`` blocks (their ``else``
    branches do run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                todo.extend(child.orelse)
            else:
                todo.append(child)


@functools.cache
def _lazy_names(path: Path) -> dict[str, str]:
    """The ``_LAZY`` table of a package ``__init__`` (name -> module it is loaded from on first
    access, PEP 562), read statically; empty if it has none."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id == "_LAZY":
            try:
                table = ast.literal_eval(node.value)
            except ValueError:
                return {}
            return {str(k): str(v) for k, v in table.items()}
    return {}


def imports_in(tree: ast.AST, package: Path = PACKAGE) -> list[Import]:
    """Every absolute ``specialist`` import of ``tree``, in source order.

    ``from package import submodule`` imports the submodule; any other name is an object
    imported by name from the module, or, for a name a package loads lazily (its ``_LAZY``
    table), from the module that defines it.
    """
    found = []
    for node in runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found += [
                Import(node.lineno, alias.name)
                for alias in node.names
                if alias.name.split(".")[0] == _ROOT
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != _ROOT:
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                init = module_file(node.module, package)
                lazy = _lazy_names(init) if init is not None and init.name == "__init__.py" else {}
                if module_file(sub, package) is not None:
                    found.append(Import(node.lineno, sub))
                elif alias.name in lazy:
                    found.append(Import(node.lineno, lazy[alias.name], alias.name))
                else:
                    found.append(Import(node.lineno, node.module, alias.name))
    return sorted(found, key=lambda i: (i.line, i.module, i.name or ""))


def imports_of(path: Path, package: Path = PACKAGE) -> set[str]:
    """The ``specialist`` modules a source file imports (an unreadable file imports none)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    return {i.module for i in imports_in(tree, package)}


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def closure(modules: Iterable[str], package: Path = PACKAGE) -> list[Path]:
    """The source files of ``modules``, of their parent packages and of every ``specialist``
    module they import, directly or not, sorted. Names that are not modules are ignored."""
    seen: set[Path] = set()
    done: set[str] = set()
    todo = [p for m in modules for p in _parents(m)]
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done.add(name)
        path = module_file(name, package)
        if path is None or path in seen:
            continue
        seen.add(path)
        todo += [p for m in imports_of(path, package) for p in _parents(m)]
    return sorted(seen)


def closure_hashes(modules: Iterable[str], package: Path = PACKAGE) -> dict[str, str]:
    """``{path relative to the package: sha256}`` of :func:`closure` (the runner's record of
    what a result was computed with)."""
    return {
        path.relative_to(package).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in closure(modules, package)
    }


def code_hash(module: str, package: Path = PACKAGE) -> str:
    """One hash of the code ``module`` runs: its closure's files and their contents. An edit
    to a module outside the closure leaves it unchanged."""
    digest = hashlib.sha256()
    for rel, sha in closure_hashes([module], package).items():
        digest.update(f"{rel}\0{sha}\n".encode())
    return digest.hexdigest()
