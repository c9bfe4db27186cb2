"""Names of the variables of the collider process, shared by generators, tests and Algorithm 1.

Code uses 0-based tuples: ``("s", t)`` is the state at step ``t``, ``("a", t)`` the action,
``("g", i)`` task ``i``. The book uses the paper's 1-based names (``s1``, ``g1``):
:func:`display_name` converts.

Backs
-----
fig2_band_set
"""

from __future__ import annotations

from collections.abc import Hashable

Variable = tuple[str, int]


def state(t: int) -> Variable:
    """The state ``s_t`` at 0-based step ``t``: ``("s", t)``.

    Backs
    -----
    fig2_band_set
    """
    return ("s", int(t))


def action(t: int) -> Variable:
    """The action ``a_t`` at 0-based step ``t``: ``("a", t)``."""
    return ("a", int(t))


def task(i: int) -> Variable:
    """Task ``g_i`` with 0-based index ``i``: ``("g", i)``.

    Backs
    -----
    fig2_band_set
    """
    return ("g", int(i))


def display_name(v: Hashable) -> str:
    """Paper notation (1-based): ``("s", 2) -> "s3"``; other names are shown as ``str(v)``.

    Backs
    -----
    fig2_band_set
    """
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], int):
        return f"{v[0]}{v[1] + 1}"
    return str(v)
