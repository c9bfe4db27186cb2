"""The repository's promises about itself: the library declares ranges, the lock and
environment.yml hold the exact versions inside them, every artefact is wired into the book,
hand runs of a notebook stay out of the profiles' result folders."""

import json
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata

import pytest
import yaml
from packaging.requirements import Requirement

from specialist.paths import BOOK_DIR, PROFILES_DIR, REPO_ROOT, Workspace
from specialist.pipeline import plan as plans
from specialist.pipeline.params import available_profiles, load_profile
from specialist.provenance import installed_distributions

#: the extras that `make venv` installs and requirements.lock freezes, with the core
LOCKED_EXTRAS = ("models", "reproduce", "book", "dev")
#: what the core library must not need: torch (the models extra) and the runner (reproduce)
NOT_CORE = {
    "torch", "papermill", "jupytext", "ipykernel", "dask", "distributed", "skglm", "numba",
    "tqdm", "seaborn", "threadpoolctl", "nbformat",
}  # fmt: skip
#: the only upper bounds, each a known break (see pyproject.toml's comments)
UPPER_BOUNDED = {"jupyter-book", "ruff"}


def _normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def _pins(requirements):
    pins = {}
    for req in requirements:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", req.strip())
        assert m, f"{req!r} is not pinned with =="
        name = _normalise(m.group(1))
        assert name not in pins, f"{name} is pinned twice"
        pins[name] = m.group(2)
    return pins


def _project():
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def _requirements(*groups):
    """pyproject's requirements of ``groups`` ("core" or extra names) as ``Requirement``s."""
    project = _project()
    reqs = []
    for group in groups:
        source = project["dependencies"] if group == "core" else project["optional-dependencies"]
        reqs += [Requirement(r) for r in (source if group == "core" else source[group])]
    return reqs


def _locked_requirements():
    return _requirements("core", *LOCKED_EXTRAS)


def _environment_yml_pins():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    return _pins(next(d["pip"] for d in env["dependencies"] if isinstance(d, dict)))


def _lock_pins():
    lines = (REPO_ROOT / "requirements.lock").read_text().splitlines()
    return _pins(ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))


def test_the_distribution_and_its_command_are_not_the_unrelated_pypi_specialist():
    """PyPI's `specialist` is another project (with a `specialist` module and command)."""
    project = _project()
    assert project["name"] == "specialist-companion"
    assert set(project["scripts"]) == {"specialist-companion"}
    assert project["scripts"]["specialist-companion"] == "specialist.pipeline.cli:main"
    import specialist

    assert specialist.DISTRIBUTION == project["name"]
    assert metadata.version(project["name"]) == project["version"] == specialist.__version__


def test_the_core_declares_ranges_and_needs_neither_torch_nor_the_runner():
    core = _requirements("core")
    names = {_normalise(r.name) for r in core}
    assert {"numpy", "scipy", "pandas", "scikit-learn", "networkx", "pyyaml"} <= names
    assert not names & NOT_CORE, names & NOT_CORE
    assert _project()["requires-python"] == ">=3.11,<3.14"
    for extra in ("models", "reproduce"):
        assert "torch" in {_normalise(r.name) for r in _requirements(extra)}, extra
    for req in _locked_requirements():
        operators = {s.operator for s in req.specifier}
        assert operators and operators <= {">=", "<"}, f"{req}: a range, not a pin"
        assert ">=" in operators, f"{req}: no lower bound"
        if "<" in operators:
            assert _normalise(req.name) in UPPER_BOUNDED, f"{req}: an upper bound"


def test_every_locked_version_lies_in_pyproject_ranges():
    lock = _lock_pins()
    outside = {}
    for req in _locked_requirements():
        version = lock.get(_normalise(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            outside[str(req)] = version
    assert not outside, f"requirements.lock versions outside pyproject's ranges: {outside}"
    assert "specialist-companion" not in lock  # installed editable, --no-deps
    assert not [n for n, v in lock.items() if "+" in v]  # no local labels PyPI cannot serve
    # the lab extra is installed on top of the lock (`make lab`), never frozen into it
    assert not {"jupyterlab", "jupyter-server", "jupyterlab-server"} & set(lock)


def test_environment_yml_pins_the_direct_requirements_at_the_locked_versions():
    lock = _lock_pins()
    direct = {_normalise(r.name) for r in _locked_requirements()}
    assert _environment_yml_pins() == {name: lock[name] for name in direct}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]  # the lock was resolved with Python 3.11


def test_the_lock_is_the_closure_of_what_make_venv_installs():
    """Every locked package is needed by the core or a locked extra, and every package they
    need is locked: walking the installed distributions' requirements from pyproject's reaches
    exactly the lock (so the lock is what `make lock` would freeze, versions aside)."""
    seen: dict[str, set[str]] = {}
    todo = [(req, frozenset()) for req in _locked_requirements()]
    while todo:
        req, _ = todo.pop()
        name = _normalise(req.name)
        if name in seen and set(req.extras) <= seen[name]:
            continue
        seen.setdefault(name, set()).update(req.extras)
        for text in metadata.distribution(req.name).requires or []:
            sub = Requirement(text)
            environments = [{"extra": e} for e in sorted(seen[name])] or [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(e) for e in environments):
                todo.append((sub, frozenset()))
    lock = set(_lock_pins())
    assert set(seen) == lock, {"missing": set(seen) - lock, "not needed": lock - set(seen)}


def test_the_lab_extra_is_pinned_and_moves_no_locked_version():
    lab = _pins(_project()["optional-dependencies"]["lab"])
    assert "jupyterlab" in lab
    lock = _lock_pins()
    assert {n: v for n, v in lab.items() if n in lock} == {n: lock[n] for n in lab if n in lock}


def test_the_running_environment_is_the_locked_one():
    """What `make venv` built is what requirements.lock says (torch's +cpu label aside)."""
    installed = {n: v.split("+", 1)[0] for n, v in installed_distributions().items()}
    wrong = {n: (v, installed.get(n)) for n, v in _lock_pins().items() if installed.get(n) != v}
    assert not wrong, f"installed versions differ from requirements.lock (lock, installed): {wrong}"


def test_make_venv_installs_from_the_lock_and_make_lab_opens_py_notebooks_as_notebooks():
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(
        r"^\$\(VENV\)/\.installed: pyproject\.toml requirements\.lock$", makefile, re.M
    )
    assert "pip install --quiet -r requirements.lock" in makefile
    extras = ",".join(LOCKED_EXTRAS)
    assert f'--no-deps -e ".[{extras}]"' in makefile
    assert f'pip install --quiet -e ".[{extras}]"' in makefile  # make lock
    assert f'`pip install -e ".[{extras}]"`' in (REPO_ROOT / "requirements.lock").read_text()
    assert re.search(r"^lock:", makefile, re.M) and re.search(r"^lab:", makefile, re.M)
    overrides = REPO_ROOT / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    viewers = json.loads(overrides.read_text())["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"]["python"] == "Jupytext Notebook"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_lab_passes_lab_args_to_jupyter_and_the_readme_says_so():
    args = "--allow-root --no-browser"
    proc = subprocess.run(
        ["make", "-n", "lab", f"LAB_ARGS={args}", "-o", ".venv/.lab-installed"],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"/bin/jupyter lab {args} notebooks/" in proc.stdout
    assert "LAB_ARGS=" in (REPO_ROOT / "README.md").read_text()


def test_the_package_is_typed():
    assert (REPO_ROOT / "specialist" / "py.typed").is_file()
    setuptools = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in setuptools["package-data"]["specialist"]


CORE_COMMANDS = """
import sys
from pathlib import Path

import numpy as np

from specialist.pipeline import cli

folder = Path(sys.argv[1])
rng = np.random.default_rng(0)
task = rng.normal(size=300)
states = np.column_stack([task + rng.normal(size=300), rng.normal(size=(300, 3))])
np.savetxt(folder / "s.csv", states, delimiter=",", header="a,b,c,d", comments="")
np.savetxt(folder / "t.csv", task, delimiter=",", header="goal", comments="")
code = cli.main(["discover", str(folder / "s.csv"), str(folder / "t.csv"),
                 "--out", str(folder / "out.csv")])
assert code == 0, code
print(" ".join(sorted(sys.modules)))
"""


def test_the_core_commands_import_neither_the_runner_nor_torch(tmp_path):
    """`discover` (and `sportshhi-eval`, `--version`) need only the core library."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CORE_COMMANDS), str(tmp_path)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    modules = set(proc.stdout.strip().splitlines()[-1].split())
    runner = {m for m in modules if m.split(".")[0] in NOT_CORE}
    runner |= modules & {"specialist.pipeline.execute", "specialist.sweep", "specialist.models"}
    assert not runner, runner
    assert (tmp_path / "out.csv").is_file()


def test_an_optional_part_without_its_extra_names_the_extra_to_install():
    from specialist._extras import require

    require("numpy", "models", "anything")  # installed: no error
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'specialist-companion\[models\]'"):
        require("surely_not_an_installed_module", "models", "SparseTaskVAE")


def test_every_artefact_is_in_both_profiles_and_in_the_book():
    artefacts = plans.discover(Workspace())
    assert "fig2_band_set" in artefacts
    for profile in ("quick", "paper"):
        assert set(load_profile(PROFILES_DIR, profile)) == set(artefacts), profile
        plans.plan(Workspace(), profile)  # every profile value validates
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


def test_a_hand_run_notebook_writes_under_results_interactive_never_a_profile_folder():
    """A notebook run by hand (JupyterLab, in ``notebooks/``) writes to its ``output_dir``
    default, so that default must never be a profile's result folder the runner owns."""
    ws = Workspace()
    profiles = available_profiles(ws.profiles)
    assert "interactive" not in profiles  # a profile of that name would share the folder
    interactive = (ws.results / "interactive").resolve()
    for name, artefact in plans.discover(ws).items():
        default = artefact.parameters["output_dir"].default
        assert isinstance(default, str), name
        target = (ws.notebooks / default).resolve()
        assert target == interactive / name, f"{name}: output_dir default {default!r}"
        for profile in profiles:
            assert not target.is_relative_to((ws.results / profile).resolve()), (name, profile)
        assert "hand run" in artefact.parameters["output_dir"].help, name  # the comment says so
