"""Rendering of the simulated scenes: court, players (arm angle = state), balls, and crops.

Part of :mod:`specialist.simulate.sports`; drawn with :mod:`specialist.simulate.raster`.
"""

from __future__ import annotations

import numpy as np

from specialist.simulate.raster import Canvas, Sprite, coverage, segment_distance
from specialist.simulate.sports.dynamics import BOX_SIZE
from specialist.validate import check_int

#: arm angle (degrees above the horizontal) is ``ARM_SWING * tanh(s / ARM_SCALE)``
ARM_SWING, ARM_SCALE = 75.0, 1.5
#: standard deviation of the Gaussian pixel noise
PIXEL_NOISE = 0.02

_COURT, _LINE = 0.72, 0.92  # background shades
_HEAD, _LIMB, _ARM = 0.35, 0.25, 0.05  # figure shades (the jersey is drawn per episode)


# -- the scene ---------------------------------------------------------------------------------


def _background(size: int) -> np.ndarray:
    """The court: a light floor with a centre line and a centre circle, (size, size)."""
    c = (np.arange(size) + 0.5) / size
    x, y = c[None, :], c[:, None]
    line = coverage(np.abs(x - 0.5) * size - 0.5)
    ring = coverage(np.abs(np.hypot(x - 0.5, y - 0.5) - 0.18) * size - 0.5)
    return (_COURT + (_LINE - _COURT) * np.maximum(line, ring)).astype(np.float32)


def _draw_players(canvas: Canvas, centres, states, jerseys) -> None:
    """Stick figures centred at ``centres`` (N, P, 2), arms set by ``states`` (N, P)."""
    size = canvas.w
    bw, bh = BOX_SIZE[0] * size, BOX_SIZE[1] * size  # box in pixels
    width, height = int(np.ceil(bw)) + 3, int(np.ceil(bh)) + 3
    limb = max(0.06 * bw, 0.55)  # limb half-thickness in pixels
    angle = np.deg2rad(ARM_SWING) * np.tanh(states / ARM_SCALE)
    for p in range(centres.shape[1]):
        cx, cy = centres[:, p, 0] * size, centres[:, p, 1] * size
        left = np.floor(cx - bw / 2).astype(np.int64) - 1
        top = np.floor(cy - bh / 2).astype(np.int64) - 1
        x, y, index = canvas.window(left, top, width, height)
        # pixel centres relative to the player's centre
        x = (x - cx[:, None, None]).astype(np.float32)
        y = (y - cy[:, None, None]).astype(np.float32)
        sprite = Sprite(index.shape)
        ax = np.abs(x)  # the figure is symmetric: draw one leg and one arm on |x|
        d = segment_distance(ax, y, 0.08 * bw, 0.12 * bh, 0.2 * bw, 0.47 * bh)
        sprite.add(coverage(d - limb), _LIMB)
        torso = np.maximum(ax - 0.2 * bw, np.abs(y + 0.04 * bh) - 0.17 * bh)
        sprite.add(coverage(torso), jerseys[:, p, None, None])
        sprite.add(coverage(np.hypot(x, y + 0.35 * bh) - 0.11 * bh), _HEAD)
        # arms, from the shoulders outwards, raised by `angle` above the horizontal
        reach = 0.3 * bw
        dx = (reach * np.cos(angle[:, p])).astype(np.float32)[:, None, None]
        dy = (-reach * np.sin(angle[:, p])).astype(np.float32)[:, None, None]  # y points down
        shoulder_x, shoulder_y = 0.18 * bw, -0.18 * bh
        d = segment_distance(ax, y, shoulder_x, shoulder_y, shoulder_x + dx, shoulder_y + dy)
        sprite.add(coverage(d - limb), _ARM)
        canvas.paint(index, sprite.colour, sprite.alpha)


def _draw_balls(canvas: Canvas, centres, shades) -> None:
    """Small discs (distractors) at ``centres`` (N, D, 2) with ``shades`` (N, D)."""
    size = canvas.w
    radius = max(0.035 * size, 0.8)
    extent = int(np.ceil(2 * radius)) + 2
    for j in range(centres.shape[1]):
        cx, cy = centres[:, j, 0] * size, centres[:, j, 1] * size
        left = np.floor(cx - radius).astype(np.int64) - 1
        top = np.floor(cy - radius).astype(np.int64) - 1
        x, y, index = canvas.window(left, top, extent, extent)
        distance = np.hypot(x - cx[:, None, None], y - cy[:, None, None]) - radius
        cover = coverage(distance).astype(np.float32)
        canvas.paint(index, cover * shades[:, j, None, None], cover)


def render_frames(
    states, positions, jerseys, balls, ball_shades, image_size: int, rng
) -> np.ndarray:
    """Frames (n, T, H, W) float32 in [0, 1] (see the module docstring)."""
    n, n_steps, n_players = states.shape
    n_frames = n * n_steps
    background = _background(image_size)
    canvas = Canvas(np.broadcast_to(background, (n_frames, image_size, image_size)))
    flat_jerseys = np.repeat(jerseys, n_steps, axis=0)  # (N, P), constant over an episode
    _draw_players(
        canvas,
        positions.reshape(n_frames, n_players, 2),
        states.reshape(n_frames, n_players),
        flat_jerseys.astype(np.float32),
    )
    if balls.shape[2]:
        _draw_balls(
            canvas,
            balls.reshape(n_frames, -1, 2),
            np.repeat(ball_shades, n_steps, axis=0).astype(np.float32),
        )
    frames = canvas.frames()
    frames += PIXEL_NOISE * rng.standard_normal(frames.shape, dtype=np.float32)
    np.clip(frames, 0.0, 1.0, out=frames)
    return frames.reshape(n, n_steps, image_size, image_size)


def crops(frames, boxes, size: int = 12) -> np.ndarray:
    """Each player's box cut from its frame and resampled to ``size x size`` (bilinear).

    Parameters
    ----------
    frames : array (n, T, H, W)
    boxes : array (n, T, P, 4) of normalised ``(x1, y1, x2, y2)`` boxes
    size : output side, ``>= 2``

    Returns
    -------
    numpy.ndarray
        float32 (n, T, P, size, size). Sample ``j`` of a row lies at ``x1 + (j + 0.5) / size
        (x2 - x1)``; samples outside the frame take the nearest border pixel.
    """
    size = check_int("size", size, 2)
    frames = np.asarray(frames)
    boxes = np.asarray(boxes, dtype=float)
    if frames.ndim != 4:
        raise ValueError(f"frames must have shape (n, T, H, W), got shape {frames.shape}")
    if boxes.ndim != 4 or boxes.shape[-1] != 4 or boxes.shape[:2] != frames.shape[:2]:
        raise ValueError(
            f"boxes must have shape (n, T, P, 4) with the (n, T) of frames {frames.shape[:2]}, "
            f"got shape {boxes.shape}"
        )
    n, n_steps, h, w = frames.shape
    grid = (np.arange(size) + 0.5) / size
    # sample positions in pixel coordinates (pixel centres at integer + 0.5 -> index space)
    xs = (boxes[..., 0, None] + grid * (boxes[..., 2] - boxes[..., 0])[..., None]) * w - 0.5
    ys = (boxes[..., 1, None] + grid * (boxes[..., 3] - boxes[..., 1])[..., None]) * h - 0.5
    xs, ys = np.clip(xs, 0, w - 1), np.clip(ys, 0, h - 1)
    x0 = np.minimum(np.floor(xs).astype(np.int64), w - 2) if w > 1 else np.zeros_like(xs, int)
    y0 = np.minimum(np.floor(ys).astype(np.int64), h - 2) if h > 1 else np.zeros_like(ys, int)
    fx, fy = (xs - x0).astype(np.float32), (ys - y0).astype(np.float32)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    flat = frames.reshape(n * n_steps, h * w).astype(np.float32, copy=False)
    frame = np.arange(n * n_steps).reshape(n, n_steps)[:, :, None, None, None]

    def at(rows, cols):  # rows (..., size), cols (..., size) -> (..., size, size)
        return flat[frame, rows[..., :, None] * w + cols[..., None, :]]

    top = at(y0, x0) * (1 - fx[..., None, :]) + at(y0, x1) * fx[..., None, :]
    bottom = at(y1, x0) * (1 - fx[..., None, :]) + at(y1, x1) * fx[..., None, :]
    return top * (1 - fy[..., :, None]) + bottom * fy[..., :, None]
