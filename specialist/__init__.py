"""Reproducible companion to "From Generalist to Specialist Representation" (ICML 2026).

Sub-packages
------------
structure   band conditioning sets and Algorithm 1 (``discover_task_structure``)
ci          conditional-independence tests behind one interface (Fisher-z, neural CMI, oracle)
simulate    data generators (collider process, ...)
baselines   CCA, Group Lasso and SelTask, reconstructed to output a segment x task matrix
metrics     accuracy, Matthews MCC, F1, mean correlation coefficient
experiments one function per experiment run, called by the notebooks' sweeps
runner      the artefact pipeline (``python -m specialist``); sweep: grids of runs
"""

__version__ = "0.1.0"
