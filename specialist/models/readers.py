"""Attribute readers of procedural cats: a small convolutional network trained on cats with
their true factors, reading back every factor of an image (the measuring instrument of the
edit study, ``specialist.experiments.edits``).

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from specialist.models._common import torch_threads
from specialist.simulate.cats import (
    ACCESSORIES,
    ACCESSORY_ATTRIBUTES,
    COLOR_FACTORS,
    IDENTITY_FACTORS,
    CatSample,
    simulate_cats,
)
from specialist.validate import check_int


def _reader_net(width: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, width, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(2 * width, 4 * width, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(4 * width * 16, 128), nn.LeakyReLU(0.2), nn.Linear(128, n_out),
    )  # fmt: skip


def _blur(x: torch.Tensor, sigma: float = 0.8) -> torch.Tensor:
    """Gaussian blur of ``(n, 3, S, S)`` images (5-tap separable kernel, edges replicated)."""
    t = torch.arange(-2, 3, dtype=x.dtype)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    k = k / k.sum()
    pad = F.pad(x, (2, 2, 2, 2), mode="replicate")
    h = F.conv2d(pad, k.view(1, 1, 1, 5).repeat(3, 1, 1, 1), groups=3)
    return F.conv2d(h, k.view(1, 1, 5, 1).repeat(3, 1, 1, 1), groups=3)


def _as_input(images) -> torch.Tensor:
    """Images ``(n, S, S, 3)`` (S = 32 or 64) as ``(n, 3, 32, 32)`` float32 (64 is pooled)."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4 or x.shape[-1] != 3 or x.shape[1] != x.shape[2] or x.shape[1] not in (32, 64):
        raise ValueError(
            f"images must be an (n, S, S, 3) array with S = 32 or 64, got shape {x.shape}"
        )
    t = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    return F.avg_pool2d(t, 2) if t.shape[-1] == 64 else t


class AttributeReaders:
    """Read every factor of a procedural cat back from its image (see the module docstring).

    One network with three output groups: the identity factors (standardised), the
    accessories' presence (logits) and their attributes (standardised, trained on the images
    that wear the accessory). Use :meth:`train`.
    """

    def __init__(self, net, mean, scale, n_threads: int = 1) -> None:
        self.net, self.mean, self.scale, self.n_threads = net.eval(), mean, scale, n_threads
        self._id_slices, start = {}, 0
        for g, fields in IDENTITY_FACTORS.items():
            d = sum(3 if f in COLOR_FACTORS else 1 for f in fields)
            self._id_slices[g] = slice(start, start + d)
            start += d
        self._n_identity = start
        self._value_slices, start = [], start + len(ACCESSORIES)
        for name in ACCESSORIES:
            a = len(ACCESSORY_ATTRIBUTES[name])
            self._value_slices.append(slice(start, start + a))
            start += a

    @staticmethod
    def targets(sample: CatSample) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Identity ``(n, 13)``, presence ``(n, 3)`` and attributes ``(n, 7)`` of a sample."""
        f = sample.factors
        identity = np.column_stack([f.identity(g) for g in IDENTITY_FACTORS])
        values = np.column_stack(f.task_values)
        return identity, f.attributes.astype(float), values

    @classmethod
    def train(
        cls,
        n: int = 6000,
        size: int = 32,
        epochs: int = 8,
        seed: int = 0,
        n_threads: int = 1,
        batch_size: int = 32,
    ) -> AttributeReaders:
        """Train on ``n`` fresh procedural cats (independent factors) of side ``size``."""
        n = check_int("n", n, 64)
        size = check_int("size", size, 32)
        if size not in (32, 64):
            raise ValueError(f"size must be 32 or 64, got {size}")
        epochs = check_int("epochs", epochs, 1)
        batch = check_int("batch_size", batch_size, 2)
        sample = simulate_cats(n, size=size, correlation=0.0, seed=seed)
        identity, presence, values = cls.targets(sample)
        mean = np.concatenate([identity.mean(0), np.zeros(3), values.mean(0)])
        scale = np.concatenate([identity.std(0), np.ones(3), values.std(0)])
        scale = np.where(scale > 0, scale, 1.0)
        target = (np.column_stack([identity, presence, values]) - mean) / scale
        n_id = identity.shape[1]
        # which attribute columns count: those of the accessories the image wears
        owner = np.repeat(np.arange(3), [len(ACCESSORY_ATTRIBUTES[a]) for a in ACCESSORIES])
        value_mask = presence[:, owner]
        with torch_threads(n_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            gen = torch.Generator().manual_seed(seed)
            x = _as_input(sample.images)
            x = torch.cat([x, _blur(x)])
            y = torch.from_numpy(np.concatenate([target, target]).astype(np.float32))
            vm = torch.from_numpy(np.concatenate([value_mask, value_mask]).astype(np.float32))
            net = _reader_net(16, y.shape[1])
            opt = torch.optim.Adam(net.parameters(), lr=2e-3)
            steps = max(1, len(x) // batch)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * steps)
            for _ in range(epochs):
                order = torch.randperm(len(x), generator=gen)
                for s in range(steps):
                    idx = order[s * batch : (s + 1) * batch]
                    out, yb = net(x[idx]), y[idx]
                    loss = ((out[:, :n_id] - yb[:, :n_id]) ** 2).mean() * 3
                    loss = loss + F.binary_cross_entropy_with_logits(
                        out[:, n_id : n_id + 3], yb[:, n_id : n_id + 3]
                    )
                    err = (out[:, n_id + 3 :] - yb[:, n_id + 3 :]) ** 2 * vm[idx]
                    loss = loss + err.sum() / vm[idx].sum().clamp(min=1.0)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    sched.step()
        return cls(net, mean, scale, n_threads)

    def _raw(self, images) -> np.ndarray:
        x = _as_input(images)
        with torch_threads(self.n_threads), torch.no_grad():
            parts = [self.net(x[i : i + 1024]) for i in range(0, len(x), 1024)]
        return torch.cat(parts).numpy().astype(float)

    def read(self, images) -> dict:
        """``{"identity": {group: (n, d)}, "presence": (n, 3) probabilities, "values":
        [(n, a_k)]}``, in the factors' own units."""
        raw = self._raw(images)
        out = raw * self.scale + self.mean
        n_id = self._n_identity
        return {
            "identity": {g: out[:, sl] for g, sl in self._id_slices.items()},
            "presence": 1.0 / (1.0 + np.exp(-raw[:, n_id : n_id + 3])),
            "values": [out[:, sl] for sl in self._value_slices],
        }

    def identity_scale(self, group: str) -> np.ndarray:
        """Standard deviation of each factor of ``group`` over independent cats."""
        return self.scale[self._id_slices[group]]

    def value_scale(self, k: int) -> np.ndarray:
        """Standard deviation of each attribute of accessory ``k`` over independent cats."""
        return self.scale[self._value_slices[k]]

    def scores(self, sample: CatSample) -> dict[str, float]:
        """How well the readers read ``sample``: R² per identity group and per accessory's
        attributes (on the cats that wear it), and the accuracy of the presence."""
        from sklearn.metrics import r2_score

        got = self.read(sample.images)
        f = sample.factors
        out = {
            f"r2:{g}": float(r2_score(f.identity(g), got["identity"][g])) for g in IDENTITY_FACTORS
        }
        for k, name in enumerate(ACCESSORIES):
            on = f.attributes[:, k]
            out[f"r2:{name} attributes"] = float(
                r2_score(f.accessory_values(name)[on], got["values"][k][on])
            )
        out["presence accuracy"] = float(((got["presence"] > 0.5) == f.attributes).mean())
        return out


@functools.lru_cache(maxsize=4)
def trained_readers(n: int, size: int, epochs: int, seed: int) -> AttributeReaders:
    """:meth:`AttributeReaders.train`, once per process and setting (a run's readers do not
    depend on the run, so every process that scores runs trains the same readers)."""
    return AttributeReaders.train(n, size, epochs, seed)
