"""The house rules of the code base: one concept per module, notebooks that call, plot and say.

A package module holds at most 500 lines and a notebook at most 300; past that, a module holds
more than one concept and a notebook computes what belongs in the package (split it)."""

from specialist.paths import NOTEBOOKS_DIR, PACKAGE_DIR

MODULE_LINES, NOTEBOOK_LINES = 500, 300


def _long(files, limit):
    return {
        f.name: n for f in files if (n := len(f.read_text(encoding="utf-8").splitlines())) > limit
    }


def test_no_package_module_is_over_500_lines():
    modules = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(modules) > 50  # the walk found the package
    assert not _long(modules, MODULE_LINES), _long(modules, MODULE_LINES)


def test_no_notebook_is_over_300_lines():
    notebooks = sorted(NOTEBOOKS_DIR.glob("*.py"))
    assert len(notebooks) >= 13
    assert not _long(notebooks, NOTEBOOK_LINES), _long(notebooks, NOTEBOOK_LINES)
