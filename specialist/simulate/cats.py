"""Procedural cat faces with known factors: the stand-in for the paper's image-editing figures.

Figs. 6–7 of the paper edit cat images (generated with FLUX) through a GAN whose latents are
edited with task-specific masks; the tasks are "wear glasses", "wear a hat" and "wear a tie".
No image-generation model can run here, so this module draws cat faces itself, with the ground
truth of every factor, for a small CPU GAN to be trained on.

Identity factors (:class:`CatFactors`, drawn by :func:`sample_factors`)
------------------------------------------------------------------------
* ``fur_color``: one of six cat colours (:data:`FUR_PALETTE`: ginger, grey, black, cream, brown
  tabby, white), its brightness scaled by ``U(0.9, 1.1)`` and every channel jittered by
  ``N(0, 0.03²)``; grey, black and brown tabby are the *dark* colours (:data:`DARK_FUR`);
* ``eye_color``: one of four iris colours (:data:`EYE_PALETTE`: green, amber, blue, copper),
  jittered the same way;
* ``head_size`` ``~ U(0.85, 1.1)``, ``head_x`` ``~ U(-0.08, 0.08)``, ``head_y``
  ``~ U(-0.06, 0.06)`` (the pose: scale and position of the whole cat) and ``ear_angle``
  ``~ U(-0.3, 0.3)`` radians (positive spreads the ears outwards);
* ``background``: a muted colour, hue ``U(0, 1)``, saturation ``U(0.15, 0.45)`` and value
  ``U(0.55, 0.95)``.

Accessories and their attributes
--------------------------------
Each accessory (:data:`ACCESSORIES`) is present with probability ``p_accessory`` and carries
attributes (:data:`ACCESSORY_ATTRIBUTES`), drawn for *every* cat, worn or not (they are only
visible when the accessory is present), each ``U(0, 1)`` except the hat's offset ``U(-1, 1)``:

* **glasses**: ``glasses_size`` (rim radius 0.115 to 0.165 in the head's frame) and
  ``glasses_hue`` (frame colour, a saturated hue from green-cyan through blue to magenta);
  the glasses have rims, a bridge and arms but no lenses, and the rims lie outside the iris
  (at 32 pixels their anti-aliased edge touches it), so glasses do not hide the eye colour;
* **hat**: ``hat_hue`` (crown colour from blue through purple to red; the brim is a darker
  shade, the band yellow), ``hat_height`` (crown height 0.20 to 0.45) and ``hat_offset``
  (the whole hat shifted sideways by up to 0.06); a small top hat between the ears, which
  it barely overlaps;
* **tie**: ``tie_hue`` (from green to yellow; the knot is a darker shade) and ``tie_length``
  (the blade's tip 0.70 to 0.95 below the head's centre).

So a task "wear accessory k" is a *vector*: its presence and, when present, its attributes.

Correlated factors (``correlation = c`` in [0, 1])
----------------------------------------------------
The accessories are drawn first, independently. Then, for each accessory, with probability
``c`` (independently per cat and accessory) an identity factor *follows* it: a cat with a hat
gets a dark fur colour and a cat without one a light colour; a cat with glasses gets blue eyes
and one without them green, amber or copper eyes; a cat with a tie gets a head size in the
upper half of its range and one without in the lower half. Otherwise (probability ``1 - c``)
the factor is drawn as above, independently. ``c = 0`` makes every factor independent; with
``p_accessory = 0.5`` the marginal distributions do not depend on ``c`` except for the eye
colour (blue eyes become more frequent). Training sets may be correlated; test sets use the
same generator with ``c = 0``.

Geometry
--------
Images live in normalised coordinates ``(x, y) ∈ [-1, 1]²``, ``x`` to the right and ``y``
*downwards*; pixel ``(row i, column j)`` of a ``size × size`` image has its centre at
``x = (2j + 1) / size - 1``, ``y = (2i + 1) / size - 1``. Every shape is defined in the head's
*local* frame ``(lx, ly) = ((x - cx) / s, (y - cy) / s)`` with ``(cx, cy) = HEAD_CENTER +
(head_x, head_y)`` and ``s = head_size``; the head is the ellipse of radii
:data:`HEAD_RADII` around the local origin. Because shapes are defined in normalised units,
any ``size >= 16`` works (32 for fast profiles, 64 by default).

Rendering (:func:`render_cats`)
-------------------------------
Shapes are rasterised by :mod:`specialist.simulate.raster`: a signed distance per shape, a
one-pixel anti-aliasing ramp, and alpha compositing in order

background (vertical gradient) → body → ears (with a pink inner triangle) → head (fur colour,
darkened by at most 12% towards its rim) → lighter muzzle → eyes (dark rim, iris, slit pupil,
highlight) → pink nose → mouth (dark) → whiskers (light on dark fur, dark on light fur) →
glasses → tie → hat.

Every layer is evaluated in a per-image window around its bounding box in the local frame,
grown by one pixel, and its coverage is cut to that grown box, so an image depends on its own
factors only (not on which other images share its chunk). The accessories' places are
disjoint for every value of their attributes (glasses around the eyes, hat above the
forehead, tie below the chin). An absent accessory is simply not composited, so switching it
on or off changes exactly the pixels of its region (:func:`accessory_regions`: where some part
of it has positive coverage) and nothing else, and changing its attributes changes pixels of
its old and new regions only. :func:`accessory_envelope` covers every place an accessory can
take on a given cat.

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields, replace

import numpy as np

from specialist.simulate.raster import (
    Canvas,
    coverage,
    sd_box,
    sd_circle,
    sd_convex,
    sd_ellipse,
    segment_distance,
)
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

#: smallest image side :func:`render_cats` accepts (below it the whiskers and pupils vanish)
MIN_SIZE = 16

# fixed colours of the accessories and of the face details
#: hue range of the glasses' frame (HSV hue, fraction of the colour wheel), saturation, value
_FRAME_HUE = (150 / 360, 150 / 360)
_FRAME_SV = (0.85, 0.9)
_HAT_BLUE = np.array([0.12, 0.28, 0.85])
_HAT_RED = np.array([0.85, 0.10, 0.15])
_HAT_BAND = np.array([0.98, 0.82, 0.15])
_TIE_GREEN = np.array([0.12, 0.72, 0.26])
_TIE_YELLOW = np.array([0.98, 0.80, 0.12])
_PINK = np.array([0.95, 0.62, 0.68])
_NOSE = np.array([0.90, 0.50, 0.58])
_EYE_RIM = np.array([0.07, 0.06, 0.06])
_PUPIL = np.array([0.03, 0.03, 0.04])
_WHITE = np.array([1.0, 1.0, 1.0])

# pixels per chunk: each chunk's arrays stay in the CPU cache
_CHUNK_PIXELS = 1 << 17

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
        """bool ``(n, 3)``: the accessories in the order of :data:`ACCESSORIES`."""
        return np.stack([getattr(self, name) for name in ACCESSORIES], axis=1)

    def accessory_values(self, name: str) -> np.ndarray:
        """float ``(n, a)``: the attributes of accessory ``name`` (:data:`ACCESSORY_ATTRIBUTES`),
        whether or not it is worn."""
        if name not in ACCESSORY_ATTRIBUTES:
            raise ValueError(f"name must be one of {ACCESSORIES}, got {name!r}")
        return np.stack([getattr(self, a) for a in ACCESSORY_ATTRIBUTES[name]], axis=1)

    @property
    def task_values(self) -> list[np.ndarray]:
        """The attributes of every accessory, ``[(n, a_k)]`` in the order of :data:`ACCESSORIES`."""
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
    """Images from :func:`simulate_cats` with their factors.

    Attributes
    ----------
    images : float32 ``(n, size, size, 3)`` in ``[0, 1]``
    factors : the ground truth, :class:`CatFactors`
    """

    images: np.ndarray
    factors: CatFactors

    @property
    def attributes(self) -> np.ndarray:
        """bool ``(n, 3)``, the accessories (order :data:`ACCESSORIES`)."""
        return self.factors.attributes

    @property
    def task_values(self) -> list[np.ndarray]:
        """The accessories' attributes, ``[(n, a_k)]`` (:attr:`CatFactors.task_values`)."""
        return self.factors.task_values


def _jitter(rng: np.random.Generator, base: np.ndarray) -> np.ndarray:
    n = base.shape[0]
    color = base * rng.uniform(0.9, 1.1, size=(n, 1)) + 0.03 * rng.standard_normal((n, 3))
    return np.clip(color, 0.0, 1.0)


def _hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
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
    background = _hsv_to_rgb(
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


# --------------------------------------------------------------------------- the shapes
# Local frame; mirrored shapes are defined on the right-hand half and evaluated at |x|. Shape
# parameters are Python floats or float32 (m, 1, 1) arrays (one value per image), so that
# nothing is promoted to float64. Every layer has a bounding box (x0, x1, y0, y1) in the local
# frame that holds the shape for every value of its parameters.

_EAR_BASE = ((0.44, -0.14), (0.13, -0.38))  # outer and inner base corner of the right ear
_EAR_TIP = (0.43, -0.74)
_EYE = (0.18, -0.04)
_EYE_RADII = (0.095, 0.080)

_BODY_BOX = (-0.62, 0.62, 0.36, 1.2)
_EAR_BOX = (-0.9, 0.9, -0.9, -0.05)  # any ear_angle in [-0.3, 0.3], with room for the tips
_HEAD_BOX = (-HEAD_RADII[0], HEAD_RADII[0], -HEAD_RADII[1], HEAD_RADII[1])
_MUZZLE_BOX = (-0.17, 0.17, 0.05, 0.25)
_EYE_BOX = (-0.3, 0.3, -0.14, 0.06)
_NOSE_BOX = (-0.05, 0.05, 0.08, 0.13)
_MOUTH_BOX = (-0.1, 0.1, 0.11, 0.235)
_WHISKER_BOX = (-0.65, 0.65, 0.035, 0.285)

# accessories: glasses rims of radius _RIM[0] + glasses_size * _RIM[1]; the hat's crown is
# _CROWN[0] + hat_height * _CROWN[1] high and the hat moves sideways by _HAT_SHIFT *
# hat_offset; the tie's tip lies at _TIE_TIP[0] + tie_length * _TIE_TIP[1]
_RIM = (0.115, 0.05)
_RIM_WIDTH = 0.024
_BRIM_Y = -0.42
_BRIM = (0.22, 0.05)
_CROWN = (0.20, 0.25)
_CROWN_HALF_WIDTH = 0.13
_HAT_SHIFT = 0.06
_TIE_TIP = (0.70, 0.25)
_GLASSES_BOX = (-0.53, 0.53, -0.24, 0.16)
_HAT_BOX = (
    -_BRIM[0] - _HAT_SHIFT - 0.01, _BRIM[0] + _HAT_SHIFT + 0.01,
    _BRIM_Y - _CROWN[0] - _CROWN[1] - 0.01, _BRIM_Y + _BRIM[1] + 0.01,
)  # fmt: skip
_TIE_BOX = (-0.10, 0.10, 0.38, _TIE_TIP[0] + _TIE_TIP[1] + 0.01)


def _rotate(px, py, ox, oy, c, s):
    return ox + c * (px - ox) - s * (py - oy), oy + s * (px - ox) + c * (py - oy)


def _ear(ax, y, c, s, shrink: float):
    (bx0, by0), (bx1, by1) = _EAR_BASE
    ox, oy = (bx0 + bx1) / 2, (by0 + by1) / 2
    pts = [_rotate(px, py, ox, oy, c, s) for px, py in [(bx0, by0), _EAR_TIP, (bx1, by1)]]
    if shrink != 1.0:  # the inner triangle: shrunk towards a point low in the ear
        cx = sum(p[0] for p in pts) / 3
        cy = sum(p[1] for p in pts) / 3
        cx, cy = cx + 0.25 * (ox - cx), cy + 0.25 * (oy - cy)
        pts = [(cx + shrink * (px - cx), cy + shrink * (py - cy)) for px, py in pts]
    return sd_convex(ax, y, pts)


def _capsule(x, y, ax, ay, bx, by, r):
    return segment_distance(x, y, ax, ay, bx, by) - r


def _f32(color) -> np.ndarray:
    return np.asarray(color, dtype=np.float32)


def _mix(a, b, t) -> np.ndarray:
    """Colours ``(m, 1, 1, 3)`` from ``a`` to ``b`` at ``t`` ``(m,)`` in [0, 1]."""
    t = np.asarray(t, dtype=np.float32)[:, None, None, None]
    return _f32(a) + t * (_f32(b) - _f32(a))


def _col(v) -> np.ndarray:
    """Per-image parameters ``(m,)`` as float32 ``(m, 1, 1)``."""
    return np.asarray(v, dtype=np.float32)[:, None, None]


def _glasses_parts(f: CatFactors, idx: np.ndarray):
    r = _col(_RIM[0] + _RIM[1] * f.glasses_size[idx])
    ex, ey = _EYE
    hue = _FRAME_HUE[0] + _FRAME_HUE[1] * f.glasses_hue[idx]
    s, v = (np.full(idx.size, c) for c in _FRAME_SV)
    frame = _f32(_hsv_to_rgb(hue, s, v))[:, None, None, :]

    def frame_sdf(x, y):
        ax = np.abs(x)
        rim = np.abs(sd_circle(ax, y, ex, ey, r + 0.01)) - _RIM_WIDTH
        bridge = _capsule(ax, y, 0.0, ey - 0.02, ex - r, ey - 0.02, 0.02)
        arm = _capsule(ax, y, ex + r, ey - 0.03, 0.50, ey - 0.07, 0.018)
        return np.minimum(np.minimum(rim, bridge), arm)

    return ((frame_sdf, frame, 1.0),)


def _hat_parts(f: CatFactors, idx: np.ndarray):
    dx = _col(_HAT_SHIFT * f.hat_offset[idx])
    height = _col(_CROWN[0] + _CROWN[1] * f.hat_height[idx])
    crown = _mix(_HAT_BLUE, _HAT_RED, f.hat_hue[idx])

    def crown_sdf(x, y):
        return sd_box(x - dx, y, 0.0, _BRIM_Y - height / 2, _CROWN_HALF_WIDTH, height / 2, 0.03)

    def band_sdf(x, y):
        return sd_box(x - dx, y, 0.0, _BRIM_Y - 0.06, _CROWN_HALF_WIDTH, 0.04)

    def brim_sdf(x, y):
        return sd_ellipse(x - dx, y, 0.0, _BRIM_Y, *_BRIM)

    return (
        (crown_sdf, crown, 1.0),
        (band_sdf, _f32(_HAT_BAND)[None, None, None], 1.0),
        (brim_sdf, 0.72 * crown, 1.0),
    )


def _tie_parts(f: CatFactors, idx: np.ndarray):
    tip = _col(_TIE_TIP[0] + _TIE_TIP[1] * f.tie_length[idx])
    colour = _mix(_TIE_GREEN, _TIE_YELLOW, f.tie_hue[idx])

    def knot_sdf(x, y):
        return sd_convex(x, y, [(-0.06, 0.38), (0.06, 0.38), (0.045, 0.47), (-0.045, 0.47)])

    def blade_sdf(x, y):
        shoulder = tip - 0.10
        return sd_convex(
            x, y, [(-0.045, 0.47), (0.045, 0.47), (0.09, shoulder), (0.0, tip), (-0.09, shoulder)]
        )

    return ((blade_sdf, colour, 1.0), (knot_sdf, 0.72 * colour, 1.0))


#: accessory -> (bounding box, function of (factors, image indices) giving its parts as
#: (signed distance, colour, opacity) in drawing order)
_ACCESSORY_LAYERS = {
    "glasses": (_GLASSES_BOX, _glasses_parts),
    "tie": (_TIE_BOX, _tie_parts),
    "hat": (_HAT_BOX, _hat_parts),
}


# --------------------------------------------------------------------------- rendering


def _check_factors(factors) -> CatFactors:
    if not isinstance(factors, CatFactors):
        raise TypeError(f"factors must be a CatFactors, got {type(factors).__name__}")
    return factors


def _chunks(n: int, size: int):
    step = max(1, _CHUNK_PIXELS // (size * size))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


class _Cats:
    """The head frames of a chunk of images on a :class:`~specialist.simulate.raster.Canvas`."""

    def __init__(self, factors: CatFactors, sl: slice, size: int, canvas: Canvas | None) -> None:
        self.size = size
        self.s = factors.head_size[sl].astype(np.float32)
        self.cx = (HEAD_CENTER[0] + factors.head_x[sl]).astype(np.float32)
        self.cy = (HEAD_CENTER[1] + factors.head_y[sl]).astype(np.float32)
        self.pixel = 2.0 / (size * self.s)  # one pixel in local units, (m,)
        self.canvas = canvas

    def window(self, box, idx: np.ndarray, canvas: Canvas):
        """Local coordinates, flat pixel indices and in-box mask of the images ``idx``' windows
        around ``box`` grown by a pixel: ``(x (m,1,w), y (m,h,1), index, mask, pixel (m,1,1))``."""
        x0, x1, y0, y1 = box
        s, cx, cy, pixel = self.s[idx], self.cx[idx], self.cy[idx], self.pixel[idx]
        half = self.size / 2.0

        def pixels(centre, low, high):
            # first and last pixel whose centre can lie in [low - pixel, high + pixel] (local)
            a = np.floor((centre + s * (low - pixel) + 1.0) * half - 0.5).astype(np.int64) - 1
            b = np.ceil((centre + s * (high + pixel) + 1.0) * half - 0.5).astype(np.int64) + 1
            return a, int((b - a).max()) + 1

        left, width = pixels(cx, x0, x1)
        top, height = pixels(cy, y0, y1)
        u, v, index = canvas.window(left, top, width, height, frames=idx)
        s3, p3 = s[:, None, None], pixel[:, None, None]
        x = ((u / half - 1.0) - cx[:, None, None]) / s3
        y = ((v / half - 1.0) - cy[:, None, None]) / s3
        x, y = x.astype(np.float32), y.astype(np.float32)
        mask = (x >= x0 - p3) & (x <= x1 + p3) & (y >= y0 - p3) & (y <= y1 + p3)
        return x, y, index, mask, p3

    def draw(self, box, sdf, color, alpha=1.0, idx=None) -> None:
        """Composite ``color`` (RGB, ``(m, 1, 1, 3)``, or a function of ``x, y``) over the shape
        ``sdf < 0`` of the images ``idx`` (default all)."""
        idx = np.arange(self.s.size) if idx is None else idx
        x, y, index, mask, pixel = self.window(box, idx, self.canvas)
        a = (coverage(sdf(x, y) / pixel) * mask * alpha).astype(np.float32)
        if callable(color):
            color = color(x, y)
        self.canvas.paint(index, a[..., None] * color, a)


def _draw_chunk(c: _Cats, factors: CatFactors, sl: slice) -> None:
    """Draw the images ``sl`` of ``factors`` on ``c``'s canvas."""
    hx, hy = HEAD_RADII
    ex, ey = _EYE
    ra, rb = _EYE_RADII
    fur = factors.fur_color[sl, None, None, :].astype(np.float32)
    iris = factors.eye_color[sl, None, None, :].astype(np.float32)
    angle = factors.ear_angle[sl, None, None].astype(np.float32)
    cos, sin = np.cos(angle), np.sin(angle)

    # body (shoulders), a little darker than the head
    c.draw(_BODY_BOX, lambda x, y: sd_ellipse(x, y, 0.0, 0.78, 0.62, 0.42), 0.82 * fur)
    # ears: fur, then a pink inner triangle
    c.draw(_EAR_BOX, lambda x, y: _ear(np.abs(x), y, cos, sin, 1.0), fur)
    c.draw(_EAR_BOX, lambda x, y: _ear(np.abs(x), y, cos, sin, 0.55), 0.6 * _f32(_PINK) + 0.4 * fur)

    # head, darkened by up to 12% towards its rim
    def shaded(x, y):
        r2 = np.minimum((x / hx) ** 2 + (y / hy) ** 2, 1.0)
        return fur * (1.0 - 0.12 * r2)[..., None]

    c.draw(_HEAD_BOX, lambda x, y: sd_ellipse(x, y, 0.0, 0.0, hx, hy), shaded)
    # muzzle: two lighter lobes under the nose
    c.draw(_MUZZLE_BOX, lambda x, y: sd_circle(np.abs(x), y, 0.07, 0.15, 0.095), 0.7 * fur + 0.3)
    # eyes: dark rim, iris, slit pupil, highlight
    c.draw(
        _EYE_BOX,
        lambda x, y: sd_ellipse(np.abs(x), y, ex, ey, ra + 0.018, rb + 0.018),
        _f32(_EYE_RIM),
    )
    c.draw(_EYE_BOX, lambda x, y: sd_ellipse(np.abs(x), y, ex, ey, ra, rb), iris)
    c.draw(_EYE_BOX, lambda x, y: sd_ellipse(np.abs(x), y, ex, ey, 0.025, 0.068), _f32(_PUPIL))
    c.draw(
        _EYE_BOX,
        lambda x, y: sd_circle(x, y, np.sign(x) * ex + 0.03, ey - 0.03, 0.018),
        _f32(_WHITE),
        0.9,
    )
    # nose and mouth
    c.draw(
        _NOSE_BOX,
        lambda x, y: sd_convex(x, y, [(-0.05, 0.08), (0.05, 0.08), (0.0, 0.13)]),
        _f32(_NOSE),
    )

    def mouth(x, y):
        stem = _capsule(x, y, 0.0, 0.12, 0.0, 0.18, 0.01)
        arc = np.maximum(np.abs(sd_circle(np.abs(x), y, 0.045, 0.18, 0.045)) - 0.01, 0.18 - y)
        return np.minimum(stem, arc)

    c.draw(_MOUTH_BOX, mouth, 0.3 * fur)

    # whiskers: three per side, light on dark fur and dark on light fur
    def whiskers(x, y):
        ax = np.abs(x)
        upper = _capsule(ax, y, 0.17, 0.13, 0.62, 0.05, 0.009)
        middle = _capsule(ax, y, 0.17, 0.16, 0.64, 0.16, 0.009)
        lower = _capsule(ax, y, 0.17, 0.19, 0.62, 0.27, 0.009)
        return np.minimum(np.minimum(upper, middle), lower)

    lum = (fur * _f32([0.3, 0.59, 0.11])).sum(axis=-1, keepdims=True)
    c.draw(_WHISKER_BOX, whiskers, 0.15 + 0.8 / (1.0 + np.exp(-25.0 * (0.45 - lum))), 0.85)

    # accessories, on the images that wear them
    sub = factors.take(sl)
    for name, (box, parts) in _ACCESSORY_LAYERS.items():
        idx = np.flatnonzero(getattr(sub, name))
        if idx.size:
            for sdf, color, opacity in parts(sub, idx):
                c.draw(box, sdf, color, opacity, idx=idx)


def render_cats(factors: CatFactors, size: int = 64) -> np.ndarray:
    """Draw the cats of ``factors``.

    Parameters
    ----------
    factors : :class:`CatFactors` (e.g. from :func:`sample_factors`)
    size : image side in pixels, ``>= 16``

    Returns
    -------
    float32 ``(n, size, size, 3)`` RGB in ``[0, 1]``; image ``k`` depends on row ``k`` of the
    factors only (the layers are listed in the module docstring).

    Backs
    -----
    fig6_gan_edits
    """
    factors = _check_factors(factors)
    size = check_int("size", size, MIN_SIZE)
    out = np.empty((factors.n, size, size, 3), dtype=np.float32)
    rows = ((2.0 * np.arange(size) + 1.0) / size - 1.0).astype(np.float32)[None, :, None, None]
    for sl in _chunks(factors.n, size):
        bg = factors.background[sl, None, None, :].astype(np.float32)
        # background: a gentle vertical gradient, lighter at the top
        img = np.clip(bg * (1.08 - 0.08 * (rows + 1.0)), 0.0, 1.0)
        canvas = Canvas(np.broadcast_to(img, (bg.shape[0], size, size, 3)))
        _draw_chunk(_Cats(factors, sl, size, canvas), factors, sl)
        out[sl] = np.clip(canvas.frames(), 0.0, 1.0)
    return out


def accessory_regions(factors: CatFactors, size: int = 64) -> dict[str, np.ndarray]:
    """Where each accessory is drawn (with its attributes), whether or not it is present.

    Parameters
    ----------
    factors : :class:`CatFactors`
    size : image side in pixels, ``>= 16``

    Returns
    -------
    ``{name: bool (n, size, size)}`` for every name in :data:`ACCESSORIES`: the pixels with
    positive coverage by some part of the accessory (its anti-aliased edge included). Switching
    an accessory on or off changes the output of :func:`render_cats` inside its region only.
    """
    factors = _check_factors(factors)
    size = check_int("size", size, MIN_SIZE)
    regions = {name: np.zeros((factors.n, size, size), dtype=bool) for name in ACCESSORIES}
    for sl in _chunks(factors.n, size):
        m = sl.stop - sl.start
        canvas = Canvas(np.zeros((m, size, size), np.float32))
        cats = _Cats(factors, sl, size, canvas)
        sub = factors.take(sl)
        idx = np.arange(m)
        for name, (box, parts) in _ACCESSORY_LAYERS.items():
            x, y, index, mask, pixel = cats.window(box, idx, canvas)
            inside = np.zeros(mask.shape, dtype=bool)
            for sdf, _, _ in parts(sub, idx):
                inside |= (coverage(sdf(x, y) / pixel) * mask) > 0.0
            flat = np.zeros(canvas.spare + 1, dtype=bool)
            flat[index[inside]] = True
            regions[name][sl] = flat[:-1].reshape(m, size, size)
    return regions


#: attribute values whose regions together cover every place an accessory can take (its
#: geometric attributes at their ends and middles; colours do not move a region)
_ENVELOPE_GRID: dict[str, dict[str, tuple[float, ...]]] = {
    "glasses": {"glasses_size": (0.0, 0.25, 0.5, 0.75, 1.0)},
    "hat": {"hat_height": (0.0, 1.0), "hat_offset": (-1.0, -0.5, 0.0, 0.5, 1.0)},
    "tie": {"tie_length": (0.0, 0.25, 0.5, 0.75, 1.0)},
}


def accessory_envelope(factors: CatFactors, name: str, size: int = 64) -> np.ndarray:
    """Where accessory ``name`` can be drawn on each cat, whatever its attributes.

    The union of :func:`accessory_regions` over a grid of the accessory's geometric attributes
    (size, height, offset, length; its colour does not move it), grown by one pixel: bool
    ``(n, size, size)``. It contains the region of every attribute value (tested on random
    draws), so a pixel outside it cannot change when the accessory is put on, whichever
    version of it.
    """
    from scipy.ndimage import binary_dilation

    factors = _check_factors(factors)
    if name not in ACCESSORY_ATTRIBUTES:
        raise ValueError(f"name must be one of {ACCESSORIES}, got {name!r}")
    grid = _ENVELOPE_GRID[name]
    out = np.zeros((factors.n, size, size), dtype=bool)
    for combo in itertools.product(*grid.values()):
        moved = factors.with_accessories(**dict(zip(grid, combo, strict=True)))
        out |= accessory_regions(moved, size)[name]
    return binary_dilation(out, structure=np.ones((1, 3, 3), dtype=bool))


def simulate_cats(
    n: int, size: int = 64, p_accessory: float = 0.5, correlation: float = 0.0, seed=0
) -> CatSample:
    """Draw ``n`` cats (:func:`sample_factors`) and render them (:func:`render_cats`).

    Parameters
    ----------
    n : number of images (>= 1)
    size : image side in pixels, ``>= 16``
    p_accessory : probability of each accessory, in ``[0, 1]``
    correlation : how strongly identity factors follow the accessories, in ``[0, 1]``
        (0 = independent; see the module docstring)
    seed : int or ``numpy.random.Generator``

    Backs
    -----
    fig6_gan_edits
    """
    size = check_int("size", size, MIN_SIZE)
    factors = sample_factors(n, p_accessory=p_accessory, correlation=correlation, seed=seed)
    return CatSample(images=render_cats(factors, size=size), factors=factors)
