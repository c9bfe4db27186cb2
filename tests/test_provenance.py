"""Provenance records: every installed distribution, named and versioned as importlib reports."""

from importlib import metadata

from specialist.provenance import TRACKED_PACKAGES, installed_distributions, package_versions


def test_installed_distributions_lists_the_stack_with_importlib_versions():
    dists = installed_distributions()
    for name in ("numpy", "torch", "papermill", "dask", "distributed"):
        assert dists[name] == metadata.version(name), name
    assert list(dists) == sorted(dists)
    assert len(set(dists)) == len(dists)


def test_installed_distribution_names_are_normalised():
    dists = installed_distributions()
    assert all(name == name.lower() and "_" not in name and "." not in name for name in dists)
    # distributions that report other spellings (PyYAML, jupyter_core) appear normalised
    assert dists["pyyaml"] == metadata.version("PyYAML")
    assert dists["jupyter-core"] == metadata.version("jupyter_core")
    assert dists["scikit-learn"] == metadata.version("scikit-learn")


def test_installed_distributions_is_deterministic_and_covers_the_tracked_packages():
    assert installed_distributions() == installed_distributions()
    dists = installed_distributions()
    tracked = package_versions()
    assert tuple(tracked) == TRACKED_PACKAGES
    for name, version in tracked.items():
        assert dists[name] == version, name
