"""Reproducible companion to "From Generalist to Specialist Representation" (ICML 2026).

Sub-packages
------------
structure   band conditioning sets and Algorithm 1 (``discover_task_structure``)
ci          conditional-independence tests behind one interface
simulate    data generators (collider process, ...)
runner      the artefact pipeline (``python -m specialist``)
"""

__version__ = "0.1.0"
