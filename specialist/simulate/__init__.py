"""Data generators. ``collider``: the layer-1 collider process (structure and DAG).

Backs
-----
fig2_band_set
"""

from specialist.simulate.collider import (
    ColliderStructure,
    as_generator,
    build_collider_dag,
    random_assignment,
    random_structure,
)

__all__ = [
    "ColliderStructure",
    "as_generator",
    "build_collider_dag",
    "random_assignment",
    "random_structure",
]
