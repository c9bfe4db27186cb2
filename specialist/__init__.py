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
"""

__version__ = "0.1.0"
