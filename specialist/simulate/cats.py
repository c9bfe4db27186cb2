"""Procedural cat faces with known factors: the stand-in for the paper's image-editing figures.

Figs. 6–7 of the paper edit cat images (generated with FLUX) through a GAN whose latents are
edited with task-specific masks; the tasks are "wear glasses", "wear a hat" and "wear a tie".
No image-generation model can run here, so this module draws cat faces itself, with the ground
truth of every factor, for a small CPU GAN to be trained on.

Factors (:class:`CatFactors`, drawn independently of each other by :func:`sample_factors`)
------------------------------------------------------------------------------------------
* ``fur_color``: one of six cat colours (:data:`FUR_PALETTE`: ginger, grey, black, cream, brown
  tabby, white), its brightness scaled by ``U(0.9, 1.1)`` and every channel jittered by
  ``N(0, 0.03²)``;
* ``eye_color``: one of four iris colours (:data:`EYE_PALETTE`: green, amber, blue, copper),
  jittered the same way;
* ``head_size`` ``~ U(0.85, 1.1)``, ``head_x`` ``~ U(-0.08, 0.08)``, ``head_y``
  ``~ U(-0.06, 0.06)`` (the pose: scale and position of the whole cat) and ``ear_angle``
  ``~ U(-0.3, 0.3)`` radians (positive spreads the ears outwards);
* ``background``: a muted colour, hue ``U(0, 1)``, saturation ``U(0.15, 0.45)`` and value
  ``U(0.55, 0.95)``;
* the accessories ``glasses``, ``hat`` and ``tie``: independent ``Bernoulli(p_accessory)``.

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
Every shape has a signed distance ``d`` (negative inside; exact for discs, capsules and boxes,
first-order for ellipses, the max of the edge distances for convex polygons). Its coverage of
a pixel is ``clip(0.5 - d / pixel, 0, 1)``: a one-pixel linear ramp, so edges are
anti-aliased and images change smoothly with the continuous factors. Layers are alpha-composited
in order, ``img += coverage * (colour - img)``, all images of a chunk at once:

background (vertical gradient) → body → ears (with a pink inner triangle) → head (fur colour,
darkened by at most 12% towards its rim) → lighter muzzle → eyes (dark rim, iris, slit pupil,
highlight) → pink nose → mouth (dark) → whiskers (light on dark fur, dark on light fur) →
glasses → tie → hat.

The accessories have fixed colours and fixed places in the local frame, and the three places
are disjoint: magenta **glasses** (round rims around the eyes, a bridge and two arms) with a
pale blue lens tint, a saturated blue **hat** with a yellow band
(brim on the top of the head, crown between the ears) and a green **tie** (knot under the chin,
blade on the chest). An absent accessory is simply not composited, so switching it off changes
exactly the pixels of its region (:func:`accessory_regions`: where its coverage is positive) and
nothing else. The frames are magenta rather than black because black frames vanish on a black
cat: every accessory must stand out against every fur colour.

Speed: images are drawn in float32, in chunks of ``2**17`` pixels (so the arrays stay in the
CPU cache), and each layer is evaluated only on the rows and columns of its local bounding box
grown by one pixel; its coverage is also *cut* to that grown box, image by image, so the result
for an image does not depend on which other images share its chunk. (The cut only trims the
faint halo that the polygon distance leaves beyond sharp corners.)
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from specialist.simulate.collider import as_generator
from specialist.validate import check_int, check_real

#: the binary attributes, in the column order of :attr:`CatFactors.attributes`
ACCESSORIES: tuple[str, ...] = ("glasses", "hat", "tie")

#: base fur colours (RGB): ginger, grey, black, cream, brown tabby, white
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

#: base iris colours (RGB): green, amber, blue, copper
EYE_PALETTE = np.array(
    [
        [0.40, 0.75, 0.25],
        [0.92, 0.72, 0.15],
        [0.35, 0.62, 0.92],
        [0.82, 0.45, 0.15],
    ]
)

#: centre of the head (normalised image coordinates) before the ``head_x, head_y`` offsets
HEAD_CENTER: tuple[float, float] = (0.0, -0.05)
#: radii of the head ellipse in the local frame (multiplied by ``head_size`` in the image)
HEAD_RADII: tuple[float, float] = (0.50, 0.43)

#: smallest image side :func:`render_cats` accepts (below it the whiskers and pupils vanish)
MIN_SIZE = 16

# fixed colours of the accessories and of the face details
_FRAME = np.array([0.85, 0.10, 0.60])
_LENS = np.array([0.72, 0.88, 1.00])
_LENS_ALPHA = 0.5
_HAT = np.array([0.12, 0.28, 0.85])
_HAT_BRIM = np.array([0.08, 0.19, 0.62])
_HAT_BAND = np.array([0.98, 0.82, 0.15])
_TIE = np.array([0.12, 0.72, 0.26])
_TIE_KNOT = np.array([0.07, 0.52, 0.18])
_PINK = np.array([0.95, 0.62, 0.68])
_NOSE = np.array([0.90, 0.50, 0.58])
_EYE_RIM = np.array([0.07, 0.06, 0.06])
_PUPIL = np.array([0.03, 0.03, 0.04])
_WHITE = np.array([1.0, 1.0, 1.0])

# pixels per chunk: each chunk's arrays stay in the CPU cache
_CHUNK_PIXELS = 1 << 17


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

    def __post_init__(self) -> None:
        n = np.shape(self.head_size)[0] if np.ndim(self.head_size) == 1 else -1
        if n < 1:
            raise ValueError(
                f"head_size must be a 1-d array of length n >= 1, got shape {np.shape(self.head_size)}"
            )
        for f in fields(self):
            value = np.asarray(getattr(self, f.name))
            color = f.name in ("fur_color", "eye_color", "background")
            shape = (n, 3) if color else (n,)
            if value.shape != shape:
                raise ValueError(f"{f.name} must have shape {shape}, got shape {value.shape}")
            if f.name in ACCESSORIES:
                if value.dtype != bool:
                    if not (np.issubdtype(value.dtype, np.number) and np.isin(value, (0, 1)).all()):
                        raise ValueError(f"{f.name} must hold booleans (or 0/1)")
                    value = value.astype(bool)
            else:
                value = value.astype(float)
                if not np.isfinite(value).all():
                    raise ValueError(f"{f.name} must be finite")
                if color and ((value < 0).any() or (value > 1).any()):
                    raise ValueError(f"{f.name} must be RGB in [0, 1]")
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

    def with_accessories(self, **flags) -> CatFactors:
        """A copy with some accessories replaced, e.g. ``with_accessories(hat=False)``.

        Each flag is a bool (for every image) or a bool array of length ``n``; every other
        factor is kept, so rendering the copy gives the counterfactual image.
        """
        unknown = sorted(set(flags) - set(ACCESSORIES))
        if unknown:
            raise ValueError(f"accessories must be among {ACCESSORIES}, got {unknown}")
        new = {name: np.broadcast_to(np.asarray(v), (self.n,)) for name, v in flags.items()}
        return replace(self, **new)

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


def _jitter_palette(rng: np.random.Generator, palette: np.ndarray, n: int) -> np.ndarray:
    base = palette[rng.integers(palette.shape[0], size=n)]
    color = base * rng.uniform(0.9, 1.1, size=(n, 1)) + 0.03 * rng.standard_normal((n, 3))
    return np.clip(color, 0.0, 1.0)


def _hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    # standard piecewise-linear hue wheel: channel k peaks at hue k/3 (k = 0 red, 1 green, 2 blue)
    k = (np.array([5.0, 3.0, 1.0]) + 6.0 * h[:, None]) % 6.0
    ramp = np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)
    return v[:, None] * (1.0 - s[:, None] * ramp)


def sample_factors(n: int, p_accessory: float = 0.5, seed=0) -> CatFactors:
    """Draw the factors of ``n`` cats, all independent (distributions in the module docstring).

    Parameters
    ----------
    n : number of cats (>= 1)
    p_accessory : probability of each accessory, in ``[0, 1]``; the three are independent
    seed : int or ``numpy.random.Generator``
    """
    n = check_int("n", n, 1)
    p_accessory = check_real(
        "p_accessory", p_accessory, 0.0, 1.0, closed_low=True, closed_high=True
    )
    rng = as_generator(seed)
    fur = _jitter_palette(rng, FUR_PALETTE, n)
    eye = _jitter_palette(rng, EYE_PALETTE, n)
    head_size = rng.uniform(0.85, 1.1, size=n)
    head_x = rng.uniform(-0.08, 0.08, size=n)
    head_y = rng.uniform(-0.06, 0.06, size=n)
    ear_angle = rng.uniform(-0.3, 0.3, size=n)
    background = _hsv_to_rgb(
        rng.uniform(0.0, 1.0, size=n), rng.uniform(0.15, 0.45, size=n), rng.uniform(0.55, 0.95, n)
    )
    acc = rng.random((n, len(ACCESSORIES))) < p_accessory
    return CatFactors(
        fur_color=fur,
        eye_color=eye,
        head_size=head_size,
        head_x=head_x,
        head_y=head_y,
        ear_angle=ear_angle,
        background=background,
        glasses=acc[:, 0],
        hat=acc[:, 1],
        tie=acc[:, 2],
    )


# --------------------------------------------------------------------------- signed distances
# Local coordinates x: (m, 1, w), y: (m, h, 1), float32; results broadcast to (m, h, w). Shape
# parameters are Python floats or float32 (m, 1, 1) arrays, so that nothing is promoted to
# float64.


def _scalar(v):
    """A NumPy scalar as a Python float (a float64 scalar would promote float32 arrays)."""
    return v if isinstance(v, np.ndarray) else float(v)


def _sd_circle(x, y, cx, cy, r):
    return np.sqrt((x - cx) ** 2 + (y - cy) ** 2) - r


def _sd_ellipse(x, y, cx, cy, a, b):
    # first order: g / |grad g| with g = (x/a)² + (y/b)² - 1; exact sign, ~exact near the rim
    dx, dy = (x - cx) / a, (y - cy) / b
    g = dx**2 + dy**2 - 1.0
    grad = 2.0 * np.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    return g / np.maximum(grad, 1e-6)


def _sd_segment(x, y, ax, ay, bx, by, r):
    # capsule of half-width r around the segment a-b
    px, py = x - ax, y - ay
    ex, ey = bx - ax, by - ay
    h = np.clip((px * ex + py * ey) / (ex * ex + ey * ey), 0.0, 1.0)
    return np.sqrt((px - ex * h) ** 2 + (py - ey * h) ** 2) - r


def _sd_box(x, y, cx, cy, hx, hy, r=0.0):
    # rectangle of half-sides (hx, hy) with corners rounded by r
    qx = np.abs(x - cx) - hx + r
    qy = np.abs(y - cy) - hy + r
    outside = np.sqrt(np.maximum(qx, 0.0) ** 2 + np.maximum(qy, 0.0) ** 2)
    return outside + np.minimum(np.maximum(qx, qy), 0.0) - r


def _sd_convex(x, y, vertices):
    # convex polygon: the largest signed distance to its edge lines (exact inside and along the
    # edges, an underestimate beyond sharp corners); normals point away from the vertex mean
    mx = sum(v[0] for v in vertices) / len(vertices)
    my = sum(v[1] for v in vertices) / len(vertices)
    d = None
    for (ax, ay), (bx, by) in zip(vertices, vertices[1:] + vertices[:1], strict=True):
        nx, ny = by - ay, ax - bx
        norm = np.sqrt(nx * nx + ny * ny)
        flip = np.sign(nx * (ax - mx) + ny * (ay - my))
        nx, ny = _scalar(flip * nx / norm), _scalar(flip * ny / norm)
        di = nx * (x - ax) + ny * (y - ay)
        d = di if d is None else np.maximum(d, di)
    return d


def _rotate(px, py, ox, oy, c, s):
    return ox + c * (px - ox) - s * (py - oy), oy + s * (px - ox) + c * (py - oy)


# --------------------------------------------------------------------------- the shapes
# Local frame; mirrored shapes are defined on the right-hand half and evaluated at |x|. Every
# layer has a bounding box (x0, x1, y0, y1) in the local frame: its coverage is cut to the box
# grown by one pixel, and only the pixels of that grown box are computed.

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
_GLASSES_BOX = (-0.52, 0.52, -0.2, 0.125)
_HAT_BOX = (-0.44, 0.44, -0.82, -0.31)
_TIE_BOX = (-0.09, 0.09, 0.38, 0.88)


def _ear(ax, y, c, s, shrink: float):
    (bx0, by0), (bx1, by1) = _EAR_BASE
    ox, oy = (bx0 + bx1) / 2, (by0 + by1) / 2
    pts = [_rotate(px, py, ox, oy, c, s) for px, py in [(bx0, by0), _EAR_TIP, (bx1, by1)]]
    if shrink != 1.0:  # the inner triangle: shrunk towards a point low in the ear
        cx = sum(p[0] for p in pts) / 3
        cy = sum(p[1] for p in pts) / 3
        cx, cy = cx + 0.25 * (ox - cx), cy + 0.25 * (oy - cy)
        pts = [(cx + shrink * (px - cx), cy + shrink * (py - cy)) for px, py in pts]
    return _sd_convex(ax, y, pts)


def _glasses_lens(x, y):
    return _sd_circle(np.abs(x), y, _EYE[0], _EYE[1], 0.125)


def _glasses_frame(x, y):
    ax = np.abs(x)
    ex, ey = _EYE
    rim = np.abs(_sd_circle(ax, y, ex, ey, 0.135)) - 0.024
    bridge = _sd_segment(ax, y, 0.0, ey - 0.02, 0.05, ey - 0.02, 0.02)
    arm = _sd_segment(ax, y, 0.30, ey - 0.03, 0.50, ey - 0.07, 0.018)
    return np.minimum(np.minimum(rim, bridge), arm)


def _hat_crown(x, y):
    return _sd_box(x, y, 0.0, -0.60, 0.25, 0.22, 0.04)


def _hat_band(x, y):
    return _sd_box(x, y, 0.0, -0.46, 0.25, 0.05)


def _hat_brim(x, y):
    return _sd_ellipse(x, y, 0.0, -0.38, 0.44, 0.065)


def _tie_knot(x, y):
    return _sd_convex(x, y, [(-0.06, 0.38), (0.06, 0.38), (0.045, 0.47), (-0.045, 0.47)])


def _tie_blade(x, y):
    return _sd_convex(
        x, y, [(-0.045, 0.47), (0.045, 0.47), (0.09, 0.78), (0.0, 0.88), (-0.09, 0.78)]
    )


def _f32(color) -> np.ndarray:
    return np.asarray(color, dtype=np.float32)


#: accessory -> (bounding box, parts as (signed distance, colour, opacity)), in drawing order
_ACCESSORY_LAYERS = {
    "glasses": (
        _GLASSES_BOX,
        ((_glasses_lens, _f32(_LENS), _LENS_ALPHA), (_glasses_frame, _f32(_FRAME), 1.0)),
    ),
    "tie": (_TIE_BOX, ((_tie_blade, _f32(_TIE), 1.0), (_tie_knot, _f32(_TIE_KNOT), 1.0))),
    "hat": (
        _HAT_BOX,
        (
            (_hat_crown, _f32(_HAT), 1.0),
            (_hat_band, _f32(_HAT_BAND), 1.0),
            (_hat_brim, _f32(_HAT_BRIM), 1.0),
        ),
    ),
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


class _Canvas:
    """The local frame of a chunk of images and the windows of its layers."""

    def __init__(self, factors: CatFactors, sl: slice, size: int) -> None:
        centres = ((2.0 * np.arange(size) + 1.0) / size - 1.0).astype(np.float32)
        s = factors.head_size[sl, None, None].astype(np.float32)
        cx = (HEAD_CENTER[0] + factors.head_x[sl, None, None]).astype(np.float32)
        cy = (HEAD_CENTER[1] + factors.head_y[sl, None, None]).astype(np.float32)
        self.x = (centres[None, None, :] - cx) / s  # (m, 1, W)
        self.y = (centres[None, :, None] - cy) / s  # (m, H, 1)
        self.pixel = 2.0 / (size * s)  # one pixel in local units, (m, 1, 1)
        self.img: np.ndarray | None = None

    def window(self, box):
        """``(rows, cols, x, y, mask)`` of the box grown by a pixel, or None if it is empty."""
        x0, x1, y0, y1 = box
        mx = (self.x >= x0 - self.pixel) & (self.x <= x1 + self.pixel)
        my = (self.y >= y0 - self.pixel) & (self.y <= y1 + self.pixel)
        cols = np.flatnonzero(mx.any(axis=(0, 1)))
        rows = np.flatnonzero(my.any(axis=(0, 2)))
        if cols.size == 0 or rows.size == 0:
            return None
        rs, cs = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
        return rs, cs, self.x[:, :, cs], self.y[:, rs, :], mx[:, :, cs] & my[:, rs, :]

    def coverage(self, d, mask):
        return np.clip(0.5 - d / self.pixel, 0.0, 1.0) * mask

    def draw(self, box, sdf, color, alpha=1.0) -> None:
        """Composite ``color`` (RGB, or a function of ``x, y``) over the shape ``sdf < 0``."""
        win = self.window(box)
        if win is None:
            return
        rs, cs, x, y, mask = win
        a = self.coverage(sdf(x, y), mask) * alpha
        if callable(color):
            color = color(x, y)
        view = self.img[:, rs, cs]
        view += a[..., None] * (color - view)


def _draw_chunk(c: _Canvas, factors: CatFactors, sl: slice, size: int) -> np.ndarray:
    """Draw the images ``sl`` of ``factors`` on the canvas ``c``; returns them, unclipped."""
    rows = ((2.0 * np.arange(size) + 1.0) / size - 1.0).astype(np.float32)[None, :, None, None]
    hx, hy = HEAD_RADII
    ex, ey = _EYE
    ra, rb = _EYE_RADII
    m = c.x.shape[0]
    fur = factors.fur_color[sl, None, None, :].astype(np.float32)
    bg = factors.background[sl, None, None, :].astype(np.float32)
    iris = factors.eye_color[sl, None, None, :].astype(np.float32)
    angle = factors.ear_angle[sl, None, None].astype(np.float32)
    cos, sin = np.cos(angle), np.sin(angle)

    # background: a gentle vertical gradient, lighter at the top
    img = np.clip(bg * (1.08 - 0.08 * (rows + 1.0)), 0.0, 1.0)
    c.img = np.broadcast_to(img, (m, size, size, 3)).copy()

    # body (shoulders), a little darker than the head
    c.draw(_BODY_BOX, lambda x, y: _sd_ellipse(x, y, 0.0, 0.78, 0.62, 0.42), 0.82 * fur)
    # ears: fur, then a pink inner triangle
    c.draw(_EAR_BOX, lambda x, y: _ear(np.abs(x), y, cos, sin, 1.0), fur)
    c.draw(_EAR_BOX, lambda x, y: _ear(np.abs(x), y, cos, sin, 0.55), 0.6 * _f32(_PINK) + 0.4 * fur)

    # head, darkened by up to 12% towards its rim
    def shaded(x, y):
        r2 = np.minimum((x / hx) ** 2 + (y / hy) ** 2, 1.0)
        return fur * (1.0 - 0.12 * r2)[..., None]

    c.draw(_HEAD_BOX, lambda x, y: _sd_ellipse(x, y, 0.0, 0.0, hx, hy), shaded)
    # muzzle: two lighter lobes under the nose
    c.draw(_MUZZLE_BOX, lambda x, y: _sd_circle(np.abs(x), y, 0.07, 0.15, 0.095), 0.7 * fur + 0.3)
    # eyes: dark rim, iris, slit pupil, highlight
    c.draw(
        _EYE_BOX,
        lambda x, y: _sd_ellipse(np.abs(x), y, ex, ey, ra + 0.018, rb + 0.018),
        _f32(_EYE_RIM),
    )
    c.draw(_EYE_BOX, lambda x, y: _sd_ellipse(np.abs(x), y, ex, ey, ra, rb), iris)
    c.draw(_EYE_BOX, lambda x, y: _sd_ellipse(np.abs(x), y, ex, ey, 0.025, 0.068), _f32(_PUPIL))
    c.draw(
        _EYE_BOX,
        lambda x, y: _sd_circle(x, y, np.sign(x) * ex + 0.03, ey - 0.03, 0.018),
        _f32(_WHITE),
        0.9,
    )
    # nose and mouth
    c.draw(
        _NOSE_BOX,
        lambda x, y: _sd_convex(x, y, [(-0.05, 0.08), (0.05, 0.08), (0.0, 0.13)]),
        _f32(_NOSE),
    )

    def mouth(x, y):
        stem = _sd_segment(x, y, 0.0, 0.12, 0.0, 0.18, 0.01)
        arc = np.maximum(np.abs(_sd_circle(np.abs(x), y, 0.045, 0.18, 0.045)) - 0.01, 0.18 - y)
        return np.minimum(stem, arc)

    c.draw(_MOUTH_BOX, mouth, 0.3 * fur)

    # whiskers: three per side, light on dark fur and dark on light fur
    def whiskers(x, y):
        ax = np.abs(x)
        upper = _sd_segment(ax, y, 0.17, 0.13, 0.62, 0.05, 0.009)
        middle = _sd_segment(ax, y, 0.17, 0.16, 0.64, 0.16, 0.009)
        lower = _sd_segment(ax, y, 0.17, 0.19, 0.62, 0.27, 0.009)
        return np.minimum(np.minimum(upper, middle), lower)

    lum = (fur * _f32([0.3, 0.59, 0.11])).sum(axis=-1, keepdims=True)
    c.draw(_WHISKER_BOX, whiskers, 0.15 + 0.8 / (1.0 + np.exp(-25.0 * (0.45 - lum))), 0.85)

    # accessories, where present
    for name, (box, parts) in _ACCESSORY_LAYERS.items():
        on = getattr(factors, name)[sl, None, None]
        if on.any():
            for sdf, color, opacity in parts:
                c.draw(box, sdf, color, np.float32(opacity) * on)

    return c.img


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
    """
    factors = _check_factors(factors)
    size = check_int("size", size, MIN_SIZE)
    out = np.empty((factors.n, size, size, 3), dtype=np.float32)
    for sl in _chunks(factors.n, size):
        img = _draw_chunk(_Canvas(factors, sl, size), factors, sl, size)
        out[sl] = np.clip(img, 0.0, 1.0)
    return out


def accessory_regions(factors: CatFactors, size: int = 64) -> dict[str, np.ndarray]:
    """Where each accessory is drawn, whether or not it is present.

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
        c = _Canvas(factors, sl, size)
        for name in ACCESSORIES:
            box, parts = _ACCESSORY_LAYERS[name]
            win = c.window(box)
            if win is None:
                continue
            rs, cs, x, y, mask = win
            inside = np.zeros(mask.shape, dtype=bool)
            for sdf, _, _ in parts:
                inside |= c.coverage(sdf(x, y), mask) > 0.0
            regions[name][sl, rs, cs] = inside
    return regions


def simulate_cats(n: int, size: int = 64, p_accessory: float = 0.5, seed=0) -> CatSample:
    """Draw ``n`` cats (:func:`sample_factors`) and render them (:func:`render_cats`).

    Parameters
    ----------
    n : number of images (>= 1)
    size : image side in pixels, ``>= 16``
    p_accessory : probability of each accessory, in ``[0, 1]``
    seed : int or ``numpy.random.Generator``
    """
    size = check_int("size", size, MIN_SIZE)
    factors = sample_factors(n, p_accessory=p_accessory, seed=seed)
    return CatSample(images=render_cats(factors, size=size), factors=factors)
