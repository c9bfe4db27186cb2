"""What each compared method is given beyond the observations, in words the book shows.

A leaf module. A comparison is fair only between methods given the same information; the
book labels every method with what it uses (legends, tables and the ``given`` field of each
claims entry, :func:`specialist.claims.claim`), and a comparison across different
information says so in its row.

Backs
-----
fig3_structure, fig3_conditions, fig3_nonlinear, fig4_sportshhi, fig5_l1_ablation,
fig5_l1_path, tab_edit_specificity
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: the kinds of information a method may use beyond the observations, as the book words them
INFORMATION = {
    "nothing": "the observations only",
    "g": "the task variables g",
    "supervision": "task outcomes as training targets",
    "truth": "the true structure",
    "base_rate": "the true share of positive entries",
    "size": "the size of the block it is compared with",
    "actions": "the true actions a_t",
    "format": "the candidate pairs and detected boxes only (no pixels, no evidence)",
}
#: the short form shown in a legend ("Ours (given g)")
SHORT = {
    "nothing": "unsupervised",
    "g": "given g",
    "supervision": "supervised",
    "truth": "given the truth",
    "base_rate": "given the base rate",
    "size": "given the size",
    "actions": "given the actions",
    "format": "format only",
}


def _check(keys: Iterable[str]) -> tuple[str, ...]:
    keys = tuple(keys)
    unknown = [k for k in keys if k not in INFORMATION]
    if not keys or unknown:
        raise ValueError(f"information must be among {sorted(INFORMATION)}, got {list(keys)}")
    return keys


def given_text(keys: Iterable[str]) -> str:
    """``"the task variables g; task outcomes as training targets"``."""
    return "; ".join(INFORMATION[k] for k in _check(keys))


def with_given(label: str, keys: Iterable[str]) -> str:
    """A legend label that says what the method is given: ``"Ours (given g)"``.

    Backs
    -----
    fig4_sportshhi
    """
    return f"{label} ({', '.join(SHORT[k] for k in _check(keys))})"


def given_map(methods: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """``{label: given_text}`` for the ``given`` field of a claims entry."""
    return {label: given_text(keys) for label, keys in methods.items()}


def same_information(methods: Mapping[str, Iterable[str]]) -> bool:
    """Whether every method of a comparison is given the same information."""
    sets = {frozenset(_check(keys)) for keys in methods.values()}
    return len(sets) <= 1
