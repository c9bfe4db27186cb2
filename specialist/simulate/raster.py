"""A small anti-aliased rasteriser, shared by the procedural image generators.

Used by :mod:`specialist.simulate.cats` (RGB cat faces) and :mod:`specialist.simulate.sports`
(greyscale court frames). Shapes are given by a *signed distance* ``d`` to their edge
(negative inside); a pixel's coverage by a shape is ``clip(0.5 - d / pixel, 0, 1)``, a
one-pixel linear ramp, so edges are anti-aliased and images change smoothly with the shapes'
parameters.

A :class:`Canvas` holds a stack of images, greyscale ``(n, H, W)`` or with channels
``(n, H, W, C)``, and composites shapes into per-image *windows*: a small rectangle of pixels
at an integer offset of its own in every image (:meth:`Canvas.window`), so a sprite is
evaluated on a few pixels of every image at once, vectorised over images. A :class:`Sprite`
collects the parts of one figure in a window (back to front) before it is painted.

The signed distances below are exact for discs, capsules and rounded boxes, first-order for
ellipses (exact sign, nearly exact near the rim) and, for convex polygons, the largest signed
distance to the edge lines (exact inside and along the edges, an underestimate beyond sharp
corners).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Canvas",
    "Sprite",
    "coverage",
    "sd_box",
    "sd_circle",
    "sd_convex",
    "sd_ellipse",
    "segment_distance",
]


def coverage(distance: np.ndarray) -> np.ndarray:
    """Anti-aliased coverage of a pixel at a signed ``distance`` (in pixels) from an edge."""
    return np.clip(0.5 - distance, 0.0, 1.0)


def segment_distance(px, py, ax, ay, bx, by) -> np.ndarray:
    """Distance of points ``(px, py)`` to the segments ``a -> b`` (all broadcastable).

    A capsule of half-width ``r`` around the segment has signed distance
    ``segment_distance(...) - r``.
    """
    dx, dy = bx - ax, by - ay
    ux, uy = px - ax, py - ay
    h = np.clip((ux * dx + uy * dy) / (dx * dx + dy * dy + 1e-12), 0.0, 1.0)
    ux = ux - h * dx
    uy = uy - h * dy
    return np.sqrt(ux * ux + uy * uy)


def sd_circle(x, y, cx, cy, r):
    """Signed distance to the disc of radius ``r`` around ``(cx, cy)``."""
    return np.sqrt((x - cx) ** 2 + (y - cy) ** 2) - r


def sd_ellipse(x, y, cx, cy, a, b):
    """Signed distance (first order, ``g / |grad g|``) to the ellipse of radii ``(a, b)``."""
    dx, dy = (x - cx) / a, (y - cy) / b
    g = dx**2 + dy**2 - 1.0
    grad = 2.0 * np.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    return g / np.maximum(grad, 1e-6)


def sd_box(x, y, cx, cy, hx, hy, r=0.0):
    """Signed distance to the rectangle of half-sides ``(hx, hy)``, corners rounded by ``r``."""
    qx = np.abs(x - cx) - hx + r
    qy = np.abs(y - cy) - hy + r
    outside = np.sqrt(np.maximum(qx, 0.0) ** 2 + np.maximum(qy, 0.0) ** 2)
    return outside + np.minimum(np.maximum(qx, qy), 0.0) - r


def _scalar(v):
    """A NumPy scalar as a Python float (a float64 scalar would promote float32 arrays)."""
    return v if isinstance(v, np.ndarray) else float(v)


def sd_convex(x, y, vertices):
    """Signed distance to a convex polygon: the largest distance to its edge lines.

    ``vertices``: ``(x, y)`` pairs in order (either orientation), as numbers or arrays that
    broadcast with ``x, y``; the normals point away from the vertex mean.
    """
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


class Canvas:
    """A stack of images with local, alpha-composited windows (vectorised over images).

    Parameters
    ----------
    frames : ``(n, H, W)`` or ``(n, H, W, C)`` initial images (copied into float32)
    """

    def __init__(self, frames: np.ndarray):
        self.shape = frames.shape
        self.n, self.h, self.w = frames.shape[:3]
        self.channels = frames.shape[3:]
        if len(self.channels) > 1:
            raise ValueError(f"frames must be (n, H, W) or (n, H, W, C), got shape {frames.shape}")
        # one spare pixel at the end receives every write that falls outside the frame
        self.flat = np.zeros((self.n * self.h * self.w + 1, *self.channels), np.float32)
        self.flat[:-1].reshape(frames.shape)[...] = frames
        self.spare = self.flat.shape[0] - 1

    def window(self, left: np.ndarray, top: np.ndarray, width: int, height: int, frames=None):
        """Pixel-centre coordinates and flat indices of windows at ``(left, top)``.

        ``left``, ``top``: integer pixel offsets, one per image of ``frames`` (default every
        image, in order). Returns ``(x, y, index)``: ``x`` ``(m, 1, width)`` and ``y``
        ``(m, height, 1)`` pixel-centre coordinates in pixels (pixel ``j`` has its centre at
        ``j + 0.5``) and ``index`` ``(m, height, width)``; pixels outside the frame map to the
        spare pixel.
        """
        frame = np.arange(self.n) if frames is None else np.asarray(frames)
        cols = left[:, None, None] + np.arange(width)[None, None, :]
        rows = top[:, None, None] + np.arange(height)[None, :, None]
        inside = (cols >= 0) & (cols < self.w) & (rows >= 0) & (rows < self.h)
        frame = frame[:, None, None]
        index = np.where(inside, (frame * self.h + rows) * self.w + cols, self.spare)
        return cols + 0.5, rows + 0.5, index

    def paint(self, index: np.ndarray, colour: np.ndarray, alpha: np.ndarray) -> None:
        """Composite premultiplied ``colour`` with ``alpha`` over the window at ``index``.

        ``alpha`` has the window's shape; ``colour`` that shape plus the channels, if any.
        """
        under = self.flat[index]
        if self.channels:
            alpha = alpha[..., None]
        self.flat[index] = under * (1.0 - alpha) + colour

    def frames(self) -> np.ndarray:
        """The images, ``(n, H, W)`` or ``(n, H, W, C)`` (a view of the canvas)."""
        return self.flat[:-1].reshape(self.shape)


class Sprite:
    """Premultiplied colour and alpha of one window, built part by part (back to front).

    ``shape``: the window's shape; ``channels``: colour channels (``None`` for greyscale).
    """

    def __init__(self, shape: tuple[int, ...], channels: int | None = None):
        self.channels = channels
        extra = () if channels is None else (channels,)
        self.colour = np.zeros((*shape, *extra), np.float32)
        self.alpha = np.zeros(shape, np.float32)

    def add(self, coverage: np.ndarray, shade) -> None:
        """Composite ``shade`` (a number, or an array broadcasting to the window) at ``coverage``."""
        c = coverage if self.channels is None else coverage[..., None]
        self.colour = self.colour * (1 - c) + c * shade
        self.alpha = self.alpha * (1 - coverage) + coverage
