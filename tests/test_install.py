"""A researcher's install: the core library (no extra) in a fresh virtual environment, with
other versions of its dependencies and other Pythons, and Algorithm 1 from the command line.

The core needs neither torch nor the notebooks' runner; these tests install it with pip from a
copy of the sources (pip may use its local cache), outside the checkout, and check that. They
are marked ``install``: ``make test`` runs them, ``make test-fast`` leaves them out. They need a
package index; where pip cannot reach one they are skipped, saying so.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from specialist.paths import REPO_ROOT

pytestmark = pytest.mark.install

#: what a core install must not bring: torch (the models extra) and the runner (reproduce)
ABSENT = ("torch", "papermill", "jupytext", "ipykernel", "dask", "distributed", "numba", "tqdm")
#: a guard against torch or the runner coming back: the core takes about 500 MB, the install
#: before the split (torch and the runner included) took 1.7 GB
MAX_SIZE_MB = 800

#: a planted structure (the collider process: 8 steps, 2 tasks, segments of 2 steps), written
#: as the two CSV files a user would have, then found by the installed command
WRITE_CSVS = """
import sys
import numpy as np
from specialist.simulate.collider import simulate_collider

sample = simulate_collider(3000, 8, 2, seed=4)
header = ",".join(f"t{t + 1}" for t in range(8))
np.savetxt("states.csv", sample.states, delimiter=",", header=header, comments="")
np.savetxt("tasks.csv", sample.tasks, delimiter=",", header="pass,shoot", comments="")
print(" ".join(str(int(v)) for v in sample.segment_tasks.ravel()))
"""

#: the core's public objects import; a model says which extra it needs
CORE_IMPORTS = """
import importlib.util
import sys

import specialist
from specialist.structure import discover_task_structure, band_set
from specialist.ci import FisherZ
from specialist.data.sportshhi import evaluate_map
from specialist.metrics import matthews_mcc
absent = [m for m in sys.argv[1:] if importlib.util.find_spec(m) is not None]
assert not absent, f"installed although the core does not need them: {absent}"
try:
    from specialist import SparseTaskVAE
except ModuleNotFoundError as err:
    assert "specialist-companion[models]" in str(err), err
    print("models: extra named")
else:
    raise AssertionError("SparseTaskVAE imported without torch")
from specialist.ci import NeuralCMI
try:
    NeuralCMI().fit({"x": [0.0, 1.0], "y": [1.0, 0.0]})
except ModuleNotFoundError as err:
    assert "specialist-companion[models]" in str(err), err
    print("cmi: extra named")
"""


def _run(cmd, cwd, timeout=600):
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    shown = " ".join(map(str, cmd))
    assert proc.returncode == 0, f"{shown}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The distribution's sources, copied (so that building leaves the checkout alone); skips
    the module if pip cannot reach a package index."""
    root = tmp_path_factory.mktemp("source")
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
         "--dest", str(root / "probe"), "setuptools>=77"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"pip cannot reach a package index to install into a fresh venv: {last}")
    src = root / "specialist-companion"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO_ROOT / name, src / name)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc")
    shutil.copytree(REPO_ROOT / "specialist", src / "specialist", ignore=junk)
    return src


def _venv(python: str, where: Path) -> Path:
    _run([python, "-m", "venv", where], cwd=where.parent)
    return where / "bin" / "python"


def _install(py: Path, *requirements, cwd: Path, timed: bool = False) -> float:
    """``pip install`` into the venv of ``py``; returns the seconds it took. Only the ``timed``
    install compiles the packages' bytecode, as a user's does; the others skip it (faster)."""
    options = [] if timed else ["--no-compile"]
    t0 = time.perf_counter()
    _run(
        [py, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *options,
         *requirements],
        cwd=cwd,
    )  # fmt: skip
    return time.perf_counter() - t0


def _size_mb(folder: Path) -> float:
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1e6


def _algorithm_1_from_the_command_line(py: Path, work: Path) -> str:
    """Write the planted structure's CSVs, run the installed command on them (outside the
    checkout) and check that it finds the planted segments; returns what it printed."""
    work.mkdir()
    truth = _run([py, "-c", WRITE_CSVS], cwd=work).split()
    command = py.parent / "specialist-companion"
    printed = _run(
        [command, "discover", "states.csv", "tasks.csv", "--segment-length", "2",
         "--alpha", "0.05", "--out", "structure.csv"],
        cwd=work,
    )  # fmt: skip
    assert "pass" in printed and "shoot" in printed, printed
    with open(work / "structure.csv", newline="") as fh:
        found = [str(int(row["relevant"] == "True")) for row in csv.DictReader(fh)]
    assert found == truth, (found, truth)  # rows: segment by segment, then task
    version = _run([py, "-m", "specialist", "--version"], cwd=work)
    assert _project()["version"] in version
    return printed


def _project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def _lower_bounds() -> list[str]:
    """Each core dependency pinned to the release series of its lower bound (``numpy>=1.26``
    gives ``numpy==1.26.*``)."""
    pins = []
    for req in _project()["dependencies"]:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)>=([0-9.]+)", req)
        assert m, f"core dependency {req!r} is not a plain lower bound"
        pins.append(f"{m.group(1)}=={m.group(2)}.*")
    return pins


def test_the_core_installs_light_without_torch_and_runs_algorithm_1(source, tmp_path):
    py = _venv(sys.executable, tmp_path / "venv")
    seconds = _install(py, source, cwd=tmp_path, timed=True)
    size = _size_mb(tmp_path / "venv")
    print(f"\ncore install: {seconds:.1f} s, venv {size:.0f} MB ({sys.version.split()[0]})")
    named = _run([py, "-c", CORE_IMPORTS, *ABSENT], cwd=tmp_path)
    assert "models: extra named" in named and "cmi: extra named" in named, named
    assert size < MAX_SIZE_MB, f"the core install takes {size:.0f} MB"
    printed = _algorithm_1_from_the_command_line(py, tmp_path / "work")
    assert "Task structure" in printed


def test_the_core_installs_with_older_pandas_and_numpy_at_its_lower_bounds(source, tmp_path):
    """A foreign stack: every core dependency at the oldest series pyproject allows (pandas 2,
    NumPy 1), which must resolve; Algorithm 1 and the docstring examples run there."""
    py = _venv(sys.executable, tmp_path / "venv")
    pins = _lower_bounds()
    _install(py, source, *pins, "pytest", cwd=tmp_path)
    freeze = _run([py, "-m", "pip", "freeze"], cwd=tmp_path).lower()
    for pin in pins:
        name, series = pin.lower().removesuffix(".*").split("==")
        assert re.search(rf"^{re.escape(name)}=={re.escape(series)}(\.\S+)?$", freeze, re.M), pin
    _algorithm_1_from_the_command_line(py, tmp_path / "work")
    from tests.test_doctests import DOCTEST_MODULES

    _run(
        [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules", "--pyargs",
         *DOCTEST_MODULES],
        cwd=tmp_path,
    )  # fmt: skip


def _interpreter(version: str) -> str | None:
    """A Python ``version`` interpreter that can make venvs: on PATH, or installed by pyenv."""
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(map(str, pyenv.glob(f"versions/{version}.*/bin/python{version}")))
    for c in filter(None, candidates):
        probe = subprocess.run([c, "-c", "import ensurepip, venv"], capture_output=True)
        if probe.returncode == 0:
            return c
    return None


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_the_core_installs_on_newer_pythons(source, tmp_path, version):
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"no Python {version} interpreter on this machine (PATH or pyenv)")
    py = _venv(python, tmp_path / "venv")
    seconds = _install(py, source, cwd=tmp_path)
    print(f"\ncore install on Python {version}: {seconds:.1f} s (no bytecode compiled)")
    _run([py, "-c", CORE_IMPORTS, *ABSENT], cwd=tmp_path)
    _algorithm_1_from_the_command_line(py, tmp_path / "work")
