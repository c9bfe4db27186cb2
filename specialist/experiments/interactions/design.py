"""The design of the Fig. 4 study: its methods, what each is given, its difficulties, and the
checks of its settings (see the package docstring).

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

from collections.abc import Sequence

from specialist.simulate.sports import random_scenario

#: every row of the study, in the order of the figure (``oracle`` is an upper bound, ``chance``
#: the trivial reference: random evidence in the same prediction format)
METHODS = ("base", "leap", "linear", "dense", "dense_matched", "ours", "oracle", "chance")


#: the methods a chance reference is compared with (every row but ``chance``)
SCORED = METHODS[:-1]


METHOD_LABELS = {
    "base": "Base (PCA)",
    "leap": "LEAP-style",
    "linear": "supervised linear (control)",
    "dense": "dense supervised VAE (control)",
    "dense_matched": "dense VAE, Ours' dimension (control)",
    "ours": "Ours (ℓ1 VAE)",
    "oracle": "true states (upper bound)",
    "chance": "random evidence (chance)",
}


#: short names for axes and sentences
SHORT_LABELS = {
    "base": "Base",
    "leap": "LEAP-style",
    "linear": "sup. linear",
    "dense": "dense VAE",
    "dense_matched": "dense matched",
    "ours": "Ours",
    "oracle": "true states",
    "chance": "chance",
}


#: what each row uses beyond the rendered frames (:data:`specialist.labels.INFORMATION` keys).
#: Algorithm 1 conditions on the outcomes g of the test episodes for every feature-based row;
#: the supervised rows also fit their features to the training episodes' g (their targets).
GIVEN = {
    "base": ("g",),
    "leap": ("g",),
    "linear": ("g", "supervision"),
    "dense": ("g", "supervision"),
    "dense_matched": ("g", "supervision", "size"),
    "ours": ("g", "supervision"),
    "oracle": ("g", "truth"),
    "chance": ("format",),
}


#: the number of random-evidence draws whose mean mAP is the chance row of a run
CHANCE_DRAWS = 5


#: the other chance reference (an attack, not a row of the figure): the same prediction rows,
#: each with its own uniform random score (no structure shared across keyframes or episodes)
ROW_CHANCE = "chance_rows"


#: mAP values the paper reports in Fig. 4 on the real SportsHHI, a reference and never a target
PAPER_MAP = {"base": 0.09, "leap": 0.12, "ours": 0.25}


#: the difficulties: each changes one thing against ``"standard"``, by the amount
#: :func:`play_run` gets as ``few_fraction``, ``nuisance_coupling`` or ``strong_coupling``
DIFFICULTIES = {
    "standard": {"label": "standard"},
    "few_episodes": {"label": "few training episodes"},
    "nuisance": {"label": "state-correlated nuisance"},
    "strong_nuisance": {"label": "strong nuisance"},
    "state_dependent_noise": {"label": "non-Gaussian, state-dependent noise"},
}


#: default amounts of the difficulty knobs
DIFFICULTY_DEFAULTS = {"few_fraction": 0.25, "nuisance_coupling": 0.4, "strong_coupling": 0.7}


#: the settings a play and its episodes are drawn from: the seeds derive from these alone, so
#: a change of a model or analysis setting (λ path, epochs, dimensions) keeps the same plays
_PLAY_KEYS = (
    "n_train",
    "n_test",
    "n_players",
    "n_steps",
    "n_interactions",
    "n_classes",
    "box_noise",
)


#: the representations fitted more than once per play (the specialist's path: Ours, the dense
#: VAE and its read-out at Ours' dimension), ``n_fits`` times from different seeds
REFITTED = ("dense", "dense_matched", "ours")


#: the smallest number of test episodes per block (Fisher-z conditions on up to 4 d + 1 columns)
MIN_BLOCK = 50


def capital(text: str) -> str:
    """``text`` with its first letter capital (``str.capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:]


def check_difficulties(difficulties: Sequence[str]) -> list[str]:
    """``difficulties`` as a list of known names, else a ValueError naming the accepted ones."""
    if isinstance(difficulties, str) or not isinstance(difficulties, Sequence):
        raise TypeError(f"difficulties must be a list of names, got {difficulties!r}")
    bad = [d for d in difficulties if d not in DIFFICULTIES]
    if bad or not difficulties:
        raise ValueError(
            f"difficulties must be a non-empty list of {sorted(DIFFICULTIES)}, got "
            f"{list(difficulties)!r}"
        )
    return list(dict.fromkeys(difficulties))


def check_settings(settings: dict) -> None:
    """Refuse settings :func:`play_run` cannot use, naming the parameter (no compute)."""
    from specialist.validate import check_int, check_real

    n_test = check_int("n_test", settings["n_test"], MIN_BLOCK)
    n_blocks = check_int("n_blocks", settings["n_blocks"], 1)
    if n_test // n_blocks < MIN_BLOCK:
        raise ValueError(
            f"n_test // n_blocks must be >= {MIN_BLOCK} episodes per block (Algorithm 1 runs on "
            f"each block alone), got n_test={n_test}, n_blocks={n_blocks}"
        )
    check_int("n_scored", settings["n_scored"], n_blocks)
    check_int("n_train", settings["n_train"], MIN_BLOCK)
    check_int("n_linear_components", settings["n_linear_components"], 1)
    check_int("n_fits", settings.get("n_fits", 1), 1)
    path = settings["l1_path"]
    if (
        isinstance(path, str)
        or not isinstance(path, Sequence)
        or not path
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in path)
    ):
        raise ValueError(f"l1_path must be a non-empty list of positive numbers, got {path!r}")
    fraction = settings.get("validation_fraction", 0.25)
    check_real("validation_fraction", fraction, 0.0, 1.0)
    few = settings.get("few_fraction", DIFFICULTY_DEFAULTS["few_fraction"])
    check_real("few_fraction", few, 0.0, 1.0, closed_high=True)
    smallest = max(MIN_BLOCK, int(round(settings["n_train"] * few)))
    if int(round(fraction * smallest)) < 2 or smallest - int(round(fraction * smallest)) < 2:
        raise ValueError(
            f"validation_fraction={fraction} leaves fewer than 2 fit or validation episodes "
            f"of the {smallest} training episodes of the smallest difficulty"
        )
    for knob in ("nuisance_coupling", "strong_coupling"):
        value = settings.get(knob, DIFFICULTY_DEFAULTS[knob])
        check_real(knob, value, 0.0, 1.0, closed_low=True, closed_high=True)
    ious = settings["iou_thresholds"]
    if (
        isinstance(ious, str)
        or not isinstance(ious, Sequence)
        or not ious
        or not all(isinstance(v, int | float) and 0 < v <= 1 for v in ious)
    ):
        raise ValueError(f"iou_thresholds must be numbers in (0, 1], got {ious!r}")
    # the play itself (players, steps, interactions) is checked by random_scenario
    random_scenario(
        settings["n_players"],
        settings["n_steps"],
        2,
        settings["n_interactions"],
        settings["n_classes"],
        seed=0,
    )
