"""Drawing procedural cats from their factors (numpy rasteriser), each accessory's region and
envelope, and :func:`simulate_cats` (sample, then draw).

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

import itertools

import numpy as np

from specialist.simulate.cats.factors import (
    ACCESSORIES,
    ACCESSORY_ATTRIBUTES,
    HEAD_CENTER,
    HEAD_RADII,
    MIN_SIZE,
    CatFactors,
    CatSample,
    hsv_to_rgb,
    sample_factors,
)
from specialist.simulate.raster import (
    Canvas,
    coverage,
    sd_box,
    sd_circle,
    sd_convex,
    sd_ellipse,
    segment_distance,
)
from specialist.validate import check_int

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
    frame = _f32(hsv_to_rgb(hue, s, v))[:, None, None, :]

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
    factors : :class:`~specialist.simulate.cats.factors.CatFactors` (e.g. from :func:`~specialist.simulate.cats.factors.sample_factors`)
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
    factors : :class:`~specialist.simulate.cats.factors.CatFactors`
    size : image side in pixels, ``>= 16``

    Returns
    -------
    ``{name: bool (n, size, size)}`` for every name in :data:`~specialist.simulate.cats.factors.ACCESSORIES`: the pixels with
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
    """Draw ``n`` cats (:func:`~specialist.simulate.cats.factors.sample_factors`) and render them (:func:`render_cats`).

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
