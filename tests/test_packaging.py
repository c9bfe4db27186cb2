"""The repository's promises about itself: pins agree, every artefact is wired into the book."""

import re
import tomllib

import yaml

from specialist import runner
from specialist.params import load_profile
from specialist.paths import BOOK_DIR, PROFILES_DIR, REPO_ROOT, Workspace


def _pins(requirements):
    pins = {}
    for req in requirements:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", req.strip())
        assert m, f"{req!r} is not pinned with =="
        pins[m.group(1).lower()] = m.group(2)
    return pins


def test_pyproject_and_environment_yml_pin_the_same_versions():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(reqs) == _pins(pip_section)
    assert _pins(reqs)["torch"] == "2.13.0"


def test_every_artefact_is_in_both_profiles_and_in_the_book():
    artefacts = runner.discover(Workspace())
    assert "fig2_band_set" in artefacts
    for profile in ("quick", "paper"):
        assert set(load_profile(PROFILES_DIR, profile)) == set(artefacts), profile
        runner.plan(Workspace(), profile)  # every profile value validates
    toc = (BOOK_DIR / "_toc.yml").read_text()
    listed = set(re.findall(r"file:\s*generated/(\w+)", toc))
    assert listed == set(artefacts)


def test_readme_quickstart_has_exactly_two_commands():
    readme = (REPO_ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", quickstart, re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in block.splitlines()]
    assert [c for c in commands if c] == ["make book", "make test"]


def test_ci_runs_make_test():
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()
