"""The networks and input checks behind :class:`~specialist.models.gan.TaskMaskGAN`: the
convolutional encoder, generator and discriminator, the checks of images and tasks, and
encoding in chunks.

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from specialist.models._common import (
    torch_threads,
)

#: images per forward pass when encoding or decoding after training
ENCODE_CHUNK = 1024


def channels(size: int, width: int) -> tuple[int, ...]:
    return (width, 2 * width, 4 * width) if size == 32 else (width, width, 2 * width, 4 * width)


def conv_net(size: int, n_out: int, width: int, batch_norm: bool) -> nn.Sequential:
    """Encoder or discriminator: strided 4x4 convolutions (LeakyReLU; batch norm after every
    one but the first if ``batch_norm``), then a linear map."""
    layers, c_in = [], 3
    for j, c in enumerate(channels(size, width)):
        norm = [nn.BatchNorm2d(c)] if batch_norm and j > 0 else []
        layers += [nn.Conv2d(c_in, c, 4, 2, 1), *norm, nn.LeakyReLU(0.2)]
        c_in = c
    side = size // 2 ** len(channels(size, width))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c_in * side * side, n_out))


class Generator(nn.Module):
    """``(n, n_latent) -> (n, 3, S, S)`` images in [0, 1]: a linear map to ``4 x 4`` features,
    then strided transposed convolutions (batch norm, ReLU) and a sigmoid."""

    def __init__(self, size: int, n_latent: int, width: int) -> None:
        super().__init__()
        chans = tuple(reversed(channels(size, width)))
        self.start = chans[0]
        self.fc = nn.Linear(n_latent, chans[0] * 16)
        layers = []
        for c_in, c_out in zip(chans, chans[1:], strict=False):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out), nn.ReLU()]
        layers += [nn.ConvTranspose2d(chans[-1], 3, 4, 2, 1), nn.Sigmoid()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(torch.relu(self.fc(z)).view(-1, self.start, 4, 4))


def as_images(images, size: int | None) -> torch.Tensor:
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4 or x.shape[-1] != 3 or x.shape[1] != x.shape[2] or x.shape[1] not in (32, 64):
        raise ValueError(
            "images must be an (n, S, S, 3) RGB array with S = 32 or 64, "
            f"got shape {np.shape(images)}"
        )
    if x.shape[0] == 0:
        raise ValueError("images must hold at least one image")
    if not np.all(np.isfinite(x)) or x.min() < 0 or x.max() > 1:
        raise ValueError("images must be finite with values in [0, 1]")
    if size is not None and x.shape[1] != size:
        raise ValueError(f"images are {x.shape[1]} pixels wide, the model was fitted on {size}")
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def image_tasks(tasks, values, n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    y = np.asarray(tasks)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != n or y.shape[1] < 1:
        raise ValueError(
            f"tasks must be an (n, K) boolean array with n = {n}, got shape {np.shape(tasks)}"
        )
    if not np.isin(y, (0, 1)).all():
        raise ValueError("tasks must be boolean (or 0/1)")
    y = y.astype(bool)
    k = y.shape[1]
    if values is None:
        values = [None] * k
    if isinstance(values, np.ndarray) or not isinstance(values, Sequence) or len(values) != k:
        raise ValueError(f"values must be None or a list of {k} arrays (n, a_k), one per task")
    blocks = []
    for j, v in enumerate(values):
        arr = np.zeros((n, 0)) if v is None else np.asarray(v, dtype=float)
        arr = arr[:, None] if arr.ndim == 1 else arr
        if arr.ndim != 2 or arr.shape[0] != n:
            raise ValueError(f"values[{j}] must be an (n, a) array with n = {n}, got {arr.shape}")
        if not np.isfinite(arr[y[:, j]]).all():
            raise ValueError(f"values[{j}] must be finite where task {j} is present")
        if arr.shape[1] and y[:, j].sum() < 2:
            raise ValueError(f"values[{j}] needs at least 2 images where task {j} is present")
        blocks.append(arr)
    return y, blocks


def encode_in_chunks(encoder: nn.Module, x: torch.Tensor, n_threads: int) -> np.ndarray:
    """Posterior means of the images ``x`` ``(n, 3, S, S)``, in chunks."""
    with torch_threads(n_threads), torch.no_grad():
        parts = [
            encoder(x[i : i + ENCODE_CHUNK]).chunk(2, dim=1)[0]
            for i in range(0, len(x), ENCODE_CHUNK)
        ]
    return torch.cat(parts).numpy().astype(float)
