"""Reproducible companion to "From Generalist to Specialist Representation" (ICML 2026).

Sub-packages
------------
structure   band conditioning sets and Algorithm 1 (``discover_task_structure``)
ci          conditional-independence tests behind one interface (Fisher-z, neural CMI, oracle)
simulate    data generators (collider process, latent mixing, sports scenes, procedural cats)
models      SparseTaskVAE (Layer 2), SequentialVAE (LEAP-style), TaskMaskGAN (image edits)
baselines   CCA, Group Lasso and SelTask, reconstructed to output a segment x task matrix
data        SportsHHI's annotation format and pair-IoU mAP evaluator
metrics     accuracy, Matthews MCC, F1, mean correlation coefficient, block R², support F1
experiments one function per experiment run, called by the notebooks' sweeps
runner      the artefact pipeline (``python -m specialist``); sweep: grids of runs

The headline objects can be imported from here (``from specialist import run_grid``). They are
loaded lazily, on first access (PEP 562): ``import specialist`` alone imports no submodule (and
so neither NumPy nor torch), which keeps each artefact's cache key limited to the modules its
notebook really uses.

Installation
------------
The distribution is ``specialist-companion`` (the PyPI name ``specialist`` belongs to an
unrelated project that also installs a top-level ``specialist`` module: do not install both).
Installed without extras (``pip install .`` in a checkout; it is not on PyPI) it is the core:
Algorithm 1, the CI tests but NeuralCMI, the SportsHHI evaluator, the metrics and the
simulators, with NumPy, SciPy, pandas, scikit-learn, NetworkX, Matplotlib and PyYAML. The
extras add the rest: ``[models]`` (PyTorch: the three models and NeuralCMI), ``[reproduce]``
(the notebooks' runner), ``[book]``, ``[dev]`` and ``[lab]``. The package is typed (PEP 561
``py.typed``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"
#: the name the package is installed under (its distribution name); the distribution called
#: ``specialist`` on PyPI is an unrelated project
DISTRIBUTION = "specialist-companion"

#: public name -> the module it is imported from on first access
_LAZY: dict[str, str] = {
    # Algorithm 1 and band sets
    "discover_task_structure": "specialist.structure",
    "band_set": "specialist.structure",
    "TaskStructure": "specialist.structure",
    # conditional-independence tests
    "FisherZ": "specialist.ci",
    "NeuralCMI": "specialist.ci",
    "DSeparationOracle": "specialist.ci",
    "get_test": "specialist.ci",
    # models
    "SparseTaskVAE": "specialist.models",
    "TaskMaskGAN": "specialist.models",
    "SequentialVAE": "specialist.models",
    # simulators
    "simulate_collider": "specialist.simulate.collider",
    "simulate_mixing": "specialist.simulate.mixing",
    "simulate_sports": "specialist.simulate.sports",
    "simulate_cats": "specialist.simulate.cats",
    # SportsHHI format and evaluation
    "read_annotations": "specialist.data.sportshhi",
    "read_predictions": "specialist.data.sportshhi",
    "evaluate_map": "specialist.data.sportshhi",
    # sweeps
    "run_grid": "specialist.sweep",
}

__all__ = [
    "DSeparationOracle",
    "FisherZ",
    "NeuralCMI",
    "SequentialVAE",
    "SparseTaskVAE",
    "TaskMaskGAN",
    "TaskStructure",
    "band_set",
    "discover_task_structure",
    "evaluate_map",
    "get_test",
    "read_annotations",
    "read_predictions",
    "run_grid",
    "simulate_cats",
    "simulate_collider",
    "simulate_mixing",
    "simulate_sports",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time the names load on first use
    from specialist.ci import DSeparationOracle, FisherZ, NeuralCMI, get_test
    from specialist.data.sportshhi import evaluate_map, read_annotations, read_predictions
    from specialist.models import SequentialVAE, SparseTaskVAE, TaskMaskGAN
    from specialist.simulate.cats import simulate_cats
    from specialist.simulate.collider import simulate_collider
    from specialist.simulate.mixing import simulate_mixing
    from specialist.simulate.sports import simulate_sports
    from specialist.structure import TaskStructure, band_set, discover_task_structure
    from specialist.sweep import run_grid


def __getattr__(name: str):
    """Import a headline name from its module on first access, then keep it here."""
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'specialist' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups no longer go through __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
