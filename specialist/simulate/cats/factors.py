"""The factors of procedural cats (identity, accessories and their attributes), their
correlated sampling, and the sample type (the model is described in :mod:`specialist.simulate.cats`).

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from specialist.validate import as_generator, check_int, check_real

#: the accessories (tasks), in the column order of :attr:`CatFactors.attributes`
ACCESSORIES: tuple[str, ...] = ("glasses", "hat", "tie")


#: each accessory's attributes (fields of :class:`CatFactors`), in the order of
#: :meth:`CatFactors.accessory_values`
ACCESSORY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "glasses": ("glasses_size", "glasses_hue"),
    "hat": ("hat_hue", "hat_height", "hat_offset"),
    "tie": ("tie_hue", "tie_length"),
}


#: range of every accessory attribute
ATTRIBUTE_RANGES: dict[str, tuple[float, float]] = {
    name: (-1.0, 1.0) if name == "hat_offset" else (0.0, 1.0)
    for names in ACCESSORY_ATTRIBUTES.values()
    for name in names
}


#: the identity factors an edit should leave alone, grouped as the edit measures report them
IDENTITY_FACTORS: dict[str, tuple[str, ...]] = {
    "fur colour": ("fur_color",),
    "eye colour": ("eye_color",),
    "pose": ("head_size", "head_x", "head_y"),
    "ears": ("ear_angle",),
    "background": ("background",),
}


#: base fur colours (RGB) of ginger, grey, black, cream, brown tabby and white cats
FUR_PALETTE = np.array(
    [
        [0.86, 0.50, 0.20],
        [0.55, 0.56, 0.60],
        [0.13, 0.12, 0.12],
        [0.93, 0.84, 0.68],
        [0.50, 0.37, 0.24],
        [0.95, 0.95, 0.93],
    ]
)


FUR_NAMES: tuple[str, ...] = ("ginger", "grey", "black", "cream", "brown tabby", "white")


#: indices of the dark fur colours in :data:`FUR_PALETTE` (grey, black, brown tabby)
DARK_FUR: tuple[int, ...] = (1, 2, 4)


#: base iris colours (RGB) of green, amber, blue and copper eyes
EYE_PALETTE = np.array(
    [
        [0.40, 0.75, 0.25],
        [0.92, 0.72, 0.15],
        [0.35, 0.62, 0.92],
        [0.82, 0.45, 0.15],
    ]
)


EYE_NAMES: tuple[str, ...] = ("green", "amber", "blue", "copper")


#: index of the eye colour that glasses follow under correlation (blue)
GLASSES_EYE = 2


#: centre of the head (normalised image coordinates) before the ``head_x, head_y`` offsets
HEAD_CENTER: tuple[float, float] = (0.0, -0.05)


#: radii of the head ellipse in the local frame (multiplied by ``head_size`` in the image)
HEAD_RADII: tuple[float, float] = (0.50, 0.43)


#: range of ``head_size``
HEAD_SIZE_RANGE: tuple[float, float] = (0.85, 1.1)


#: smallest image side :func:`~specialist.simulate.cats.drawing.render_cats` accepts (below it the
#: whiskers and pupils vanish)
MIN_SIZE = 16


#: the factors that are RGB colours, ``(n, 3)`` (every other factor is ``(n,)``)
COLOR_FACTORS: tuple[str, ...] = ("fur_color", "eye_color", "background")


@dataclass(frozen=True, eq=False)
class CatFactors:
    """Ground truth of ``n`` cat images (see the module docstring for the distributions).

    Attributes
    ----------
    fur_color : ``(n, 3)`` RGB in ``[0, 1]``
    eye_color : ``(n, 3)`` RGB in ``[0, 1]``, the iris
    head_size : ``(n,)``, scale of the whole cat
    head_x, head_y : ``(n,)``, offsets of the head centre from :data:`HEAD_CENTER`
        (normalised image units, ``y`` downwards)
    ear_angle : ``(n,)``, rotation of the ears in radians (positive: outwards)
    background : ``(n, 3)`` RGB in ``[0, 1]``
    glasses, hat, tie : ``(n,)`` bool, the accessories
    glasses_size, glasses_hue, hat_hue, hat_height, hat_offset, tie_hue, tie_length :
        ``(n,)`` the accessories' attributes (:data:`ATTRIBUTE_RANGES`), shown only where the
        accessory is present
    """

    fur_color: np.ndarray
    eye_color: np.ndarray
    head_size: np.ndarray
    head_x: np.ndarray
    head_y: np.ndarray
    ear_angle: np.ndarray
    background: np.ndarray
    glasses: np.ndarray
    hat: np.ndarray
    tie: np.ndarray
    glasses_size: np.ndarray
    glasses_hue: np.ndarray
    hat_hue: np.ndarray
    hat_height: np.ndarray
    hat_offset: np.ndarray
    tie_hue: np.ndarray
    tie_length: np.ndarray

    def __post_init__(self) -> None:
        n = np.shape(self.head_size)[0] if np.ndim(self.head_size) == 1 else -1
        if n < 1:
            raise ValueError(
                f"head_size must be a 1-d array of length n >= 1, got shape {np.shape(self.head_size)}"
            )
        for f in fields(self):
            value = np.asarray(getattr(self, f.name))
            color = f.name in COLOR_FACTORS
            shape = (n, 3) if color else (n,)
            if value.shape != shape:
                raise ValueError(f"{f.name} must have shape {shape}, got shape {value.shape}")
            if f.name in ACCESSORIES:
                if value.dtype != bool:
                    if not (np.issubdtype(value.dtype, np.number) and np.isin(value, (0, 1)).all()):
                        raise ValueError(f"{f.name} must hold booleans (or 0/1)")
                    value = value.astype(bool)
            else:
                if not np.issubdtype(value.dtype, np.number) or value.dtype == bool:
                    raise TypeError(f"{f.name} must hold numbers, got dtype {value.dtype}")
                value = value.astype(float)
                if not np.isfinite(value).all():
                    raise ValueError(f"{f.name} must be finite")
                if color and ((value < 0).any() or (value > 1).any()):
                    raise ValueError(f"{f.name} must be RGB in [0, 1]")
                if f.name in ATTRIBUTE_RANGES:
                    low, high = ATTRIBUTE_RANGES[f.name]
                    if (value < low).any() or (value > high).any():
                        raise ValueError(f"{f.name} must be in [{low:g}, {high:g}]")
            value = value.copy()
            value.flags.writeable = False
            object.__setattr__(self, f.name, value)
        if (self.head_size <= 0).any():
            raise ValueError("head_size must be > 0")

    @property
    def n(self) -> int:
        """Number of images."""
        return self.head_size.shape[0]

    def __len__(self) -> int:
        return self.n

    @property
    def attributes(self) -> np.ndarray:
        """bool ``(n, 3)``: the accessories in the order of :data:`~specialist.simulate.cats.factors.ACCESSORIES`."""
        return np.stack([getattr(self, name) for name in ACCESSORIES], axis=1)

    def accessory_values(self, name: str) -> np.ndarray:
        """float ``(n, a)``: the attributes of accessory ``name`` (:data:`~specialist.simulate.cats.factors.ACCESSORY_ATTRIBUTES`),
        whether or not it is worn."""
        if name not in ACCESSORY_ATTRIBUTES:
            raise ValueError(f"name must be one of {ACCESSORIES}, got {name!r}")
        return np.stack([getattr(self, a) for a in ACCESSORY_ATTRIBUTES[name]], axis=1)

    @property
    def task_values(self) -> list[np.ndarray]:
        """The attributes of every accessory, ``[(n, a_k)]`` in the order of :data:`~specialist.simulate.cats.factors.ACCESSORIES`."""
        return [self.accessory_values(name) for name in ACCESSORIES]

    def identity(self, group: str) -> np.ndarray:
        """float ``(n, d)``: the identity factors of ``group`` (:data:`IDENTITY_FACTORS`)."""
        if group not in IDENTITY_FACTORS:
            raise ValueError(f"group must be one of {tuple(IDENTITY_FACTORS)}, got {group!r}")
        return np.column_stack([getattr(self, f) for f in IDENTITY_FACTORS[group]])

    def with_accessories(self, **values) -> CatFactors:
        """A copy with some accessories or attributes replaced, e.g. ``with_accessories(hat=True,
        hat_hue=0.2)``.

        Each value is a scalar (for every image) or an array of length ``n``; every other
        factor is kept, so rendering the copy gives the counterfactual image.
        """
        known = set(ACCESSORIES) | set(ATTRIBUTE_RANGES)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"accessories must be among {ACCESSORIES} (or their attributes "
                f"{tuple(ATTRIBUTE_RANGES)}), got {unknown}"
            )
        new = {name: np.broadcast_to(np.asarray(v), (self.n,)) for name, v in values.items()}
        return replace(self, **new)

    def with_accessory_from(self, donor: CatFactors, name: str) -> CatFactors:
        """The perfect procedural edit: accessory ``name`` switched on, with the attributes of
        ``donor`` (the same number of cats, row by row); every other factor is kept."""
        if not isinstance(donor, CatFactors):
            raise TypeError(f"donor must be a CatFactors, got {type(donor).__name__}")
        if name not in ACCESSORY_ATTRIBUTES:
            raise ValueError(f"name must be one of {ACCESSORIES}, got {name!r}")
        if donor.n != self.n:
            raise ValueError(f"donor must describe {self.n} cats, got {donor.n}")
        attrs = {a: getattr(donor, a) for a in ACCESSORY_ATTRIBUTES[name]}
        return self.with_accessories(**{name: True}, **attrs)

    def take(self, index) -> CatFactors:
        """The factors of the images selected by ``index`` (an int array, slice or bool mask)."""
        sub = {f.name: getattr(self, f.name)[index] for f in fields(self)}
        if np.ndim(sub["head_size"]) == 0:
            raise ValueError("take needs an array, slice or mask, not a single index")
        return CatFactors(**sub)


@dataclass(frozen=True, eq=False)
class CatSample:
    """Images from :func:`~specialist.simulate.cats.drawing.simulate_cats` with their factors.

    Attributes
    ----------
    images : float32 ``(n, size, size, 3)`` in ``[0, 1]``
    factors : the ground truth, :class:`CatFactors`
    """

    images: np.ndarray
    factors: CatFactors

    @property
    def attributes(self) -> np.ndarray:
        """bool ``(n, 3)``, the accessories (order :data:`~specialist.simulate.cats.factors.ACCESSORIES`)."""
        return self.factors.attributes

    @property
    def task_values(self) -> list[np.ndarray]:
        """The accessories' attributes, ``[(n, a_k)]`` (:attr:`CatFactors.task_values`)."""
        return self.factors.task_values


def _jitter(rng: np.random.Generator, base: np.ndarray) -> np.ndarray:
    n = base.shape[0]
    color = base * rng.uniform(0.9, 1.1, size=(n, 1)) + 0.03 * rng.standard_normal((n, 3))
    return np.clip(color, 0.0, 1.0)


def hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    # standard piecewise-linear hue wheel: channel k peaks at hue k/3 (k = 0 red, 1 green, 2 blue)
    k = (np.array([5.0, 3.0, 1.0]) + 6.0 * h[:, None]) % 6.0
    ramp = np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)
    return v[:, None] * (1.0 - s[:, None] * ramp)


def _pick(rng, n: int, choices: np.ndarray) -> np.ndarray:
    """``n`` independent uniform picks from ``choices``."""
    return choices[rng.integers(choices.size, size=n)]


def sample_factors(
    n: int, p_accessory: float = 0.5, correlation: float = 0.0, seed=0
) -> CatFactors:
    """Draw the factors of ``n`` cats (distributions in the module docstring).

    Parameters
    ----------
    n : number of cats (>= 1)
    p_accessory : probability of each accessory, in ``[0, 1]``; the three are independent
    correlation : ``c`` in ``[0, 1]``: the probability that an identity factor follows its
        accessory (hat → dark fur, glasses → blue eyes, tie → large head); 0 = independent
    seed : int or ``numpy.random.Generator``
    """
    n = check_int("n", n, 1)
    p_accessory = check_real(
        "p_accessory", p_accessory, 0.0, 1.0, closed_low=True, closed_high=True
    )
    correlation = check_real(
        "correlation", correlation, 0.0, 1.0, closed_low=True, closed_high=True
    )
    acc_rng, link_rng, look_rng, pose_rng, attr_rng = as_generator(seed).spawn(5)
    acc = acc_rng.random((n, len(ACCESSORIES))) < p_accessory
    glasses, hat, tie = acc.T
    follows = link_rng.random((n, len(ACCESSORIES))) < correlation

    dark, light = np.array(DARK_FUR), np.setdiff1d(np.arange(len(FUR_PALETTE)), DARK_FUR)
    fur_index = np.where(
        follows[:, 1],
        np.where(hat, _pick(look_rng, n, dark), _pick(look_rng, n, light)),
        _pick(look_rng, n, np.arange(len(FUR_PALETTE))),
    )
    others = np.setdiff1d(np.arange(len(EYE_PALETTE)), [GLASSES_EYE])
    eye_index = np.where(
        follows[:, 0],
        np.where(glasses, GLASSES_EYE, _pick(look_rng, n, others)),
        _pick(look_rng, n, np.arange(len(EYE_PALETTE))),
    )
    fur = _jitter(look_rng, FUR_PALETTE[fur_index])
    eye = _jitter(look_rng, EYE_PALETTE[eye_index])
    background = hsv_to_rgb(
        look_rng.uniform(0.0, 1.0, size=n),
        look_rng.uniform(0.15, 0.45, size=n),
        look_rng.uniform(0.55, 0.95, n),
    )

    low, high = HEAD_SIZE_RANGE
    mid = (low + high) / 2
    u = pose_rng.random(n)
    head_size = np.where(
        follows[:, 2], np.where(tie, mid + u * (high - mid), low + u * (mid - low)),
        low + pose_rng.random(n) * (high - low),
    )  # fmt: skip
    head_x = pose_rng.uniform(-0.08, 0.08, size=n)
    head_y = pose_rng.uniform(-0.06, 0.06, size=n)
    ear_angle = pose_rng.uniform(-0.3, 0.3, size=n)

    attrs = {
        name: attr_rng.uniform(low_, high_, size=n)
        for name, (low_, high_) in ATTRIBUTE_RANGES.items()
    }
    return CatFactors(
        fur_color=fur,
        eye_color=eye,
        head_size=head_size,
        head_x=head_x,
        head_y=head_y,
        ear_angle=ear_angle,
        background=background,
        glasses=glasses,
        hat=hat,
        tie=tie,
        **attrs,
    )
