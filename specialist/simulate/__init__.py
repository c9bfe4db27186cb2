"""Data generators. ``collider``: the layer-1 collider process (structure and DAG).

Backs
-----
fig2_band_set
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: public name -> the module it is imported from on first access (PEP 562: importing one
#: generator, e.g. ``specialist.simulate.cats``, does not import the collider process)
_LAZY = {
    "ColliderStructure": "specialist.simulate.collider",
    "as_generator": "specialist.validate",
    "build_collider_dag": "specialist.simulate.collider",
    "random_assignment": "specialist.simulate.collider",
    "random_structure": "specialist.simulate.collider",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'specialist.simulate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from specialist.simulate.collider import (
        ColliderStructure,
        build_collider_dag,
        random_assignment,
        random_structure,
    )
    from specialist.validate import as_generator

__all__ = [
    "ColliderStructure",
    "as_generator",
    "build_collider_dag",
    "random_assignment",
    "random_structure",
]
