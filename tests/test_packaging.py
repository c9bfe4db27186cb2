"""The repository's promises about itself: pins agree, every artefact is wired into the book,
hand runs of a notebook stay out of the profiles' result folders."""

import json
import re
import tomllib

import yaml

from specialist.paths import BOOK_DIR, PROFILES_DIR, REPO_ROOT, Workspace
from specialist.pipeline import plan as plans
from specialist.pipeline.params import available_profiles, load_profile
from specialist.provenance import installed_distributions

#: the extras `make venv` installs, and requirements.lock freezes, with the dependencies
LOCKED_EXTRAS = ("book", "dev")


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


def _pyproject_locked_pins():
    project = _project()
    reqs = list(project["dependencies"])
    for extra in LOCKED_EXTRAS:
        reqs += project["optional-dependencies"][extra]
    return _pins(reqs)


def _environment_yml_pins():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    return _pins(next(d["pip"] for d in env["dependencies"] if isinstance(d, dict)))


def _lock_pins():
    lines = (REPO_ROOT / "requirements.lock").read_text().splitlines()
    return _pins(ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))


def test_pyproject_and_environment_yml_pin_the_same_versions():
    assert _pyproject_locked_pins() == _environment_yml_pins()
    assert _pyproject_locked_pins()["torch"] == "2.13.0"
    assert set(_project()["optional-dependencies"]) == {*LOCKED_EXTRAS, "lab"}


def test_requirements_lock_has_every_pin_of_pyproject_and_environment_yml():
    lock = _lock_pins()
    for source, pins in (
        ("pyproject.toml", _pyproject_locked_pins()),
        ("environment.yml", _environment_yml_pins()),
    ):
        wrong = {n: (v, lock.get(n)) for n, v in pins.items() if lock.get(n) != v}
        assert not wrong, f"{source} pin != requirements.lock (pin, lock): {wrong}"
    assert "specialist" not in lock  # the package itself is installed editable, --no-deps
    assert not [n for n, v in lock.items() if "+" in v]  # no local labels PyPI cannot serve
    # the lab extra is installed on top of the lock (`make lab`), never frozen into it
    assert not {"jupyterlab", "jupyter-server", "jupyterlab-server"} & set(lock)


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
    assert '--no-deps -e ".[book,dev]"' in makefile
    assert re.search(r"^lock:", makefile, re.M) and re.search(r"^lab:", makefile, re.M)
    overrides = REPO_ROOT / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    viewers = json.loads(overrides.read_text())["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"]["python"] == "Jupytext Notebook"


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
