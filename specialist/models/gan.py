"""A VAE-GAN with sparse task–latent masks, for attribute edits (the paper's Figs. 6–7).

The paper edits images through "a GAN whose latents are edited via task-specific masks". Editing
real images needs their latents, so we use a GAN with an encoder: a VAE-GAN (Larsen et al.,
2016). The decoder is the GAN's generator and an image discriminator sharpens its samples. On
top sit the masks of the Layer-2 model (:class:`~specialist.models.SparseTaskVAE`):

* encoder ``q(z | x) = N(mu(x), diag sigma^2(x))`` and generator ``G(z)``: small convolutional
  networks for ``32 x 32`` or ``64 x 64`` RGB images;
* discriminator ``D(x)``: a convolutional classifier, trained with the non-saturating logistic
  GAN loss against reconstructions ``G(z)`` of real images;
* one *linear* head per task (attribute) ``k``: ``logit_k = w_k . (m_k * mu) + b_k``, trained
  with the logistic loss on the attribute labels, where ``m_k = |theta_k|`` is the task's mask
  over latent dimensions;
* loss = ``||x - G(z)||^2 / (2 s^2)`` + ``beta KL`` + ``adv_weight`` · generator GAN loss +
  ``task_weight`` · task loss + ``l1 sum |theta|`` + ``head_decay ||w||^2``.

With ``l1 > 0`` the masks become sparse, which (Theorem 2) pushes each attribute into a small
block of latents of its own; ``l1 = 0`` fixes the masks at 1 (the *dense* model: every head
reads every latent). An **edit** for task ``k`` moves a latent code along the head's direction
restricted to the mask, ``d_k = m_k * w_k``, until the head's logit reaches ``target_logit``:
only the coordinates the mask selects move.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from specialist.models.vae import _torch_threads, mask_support
from specialist.validate import check_int, check_real


def _encoder(size: int, n_out: int, width: int) -> nn.Sequential:
    layers, channels, side = [], 3, size
    for c in (width, 2 * width, 4 * width) if size == 32 else (width, width, 2 * width, 4 * width):
        layers += [nn.Conv2d(channels, c, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels, side = c, side // 2
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * side * side, n_out))


class _Generator(nn.Module):
    def __init__(self, size: int, n_latent: int, width: int) -> None:
        super().__init__()
        chans = (
            (4 * width, 2 * width, width) if size == 32 else (4 * width, 2 * width, width, width)
        )
        self.start = chans[0]
        self.fc = nn.Linear(n_latent, chans[0] * 16)
        layers = []
        for c_in, c_out in zip(chans, chans[1:], strict=False):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out), nn.ReLU()]
        layers += [nn.ConvTranspose2d(chans[-1], 3, 4, 2, 1), nn.Sigmoid()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.fc(z)).view(-1, self.start, 4, 4)
        return self.net(h)


class TaskMaskGAN:
    """VAE-GAN whose attribute heads read the latents through sparse masks (module docstring).

    Parameters
    ----------
    n_latent : latent dimension
    l1 : ℓ1 weight on the masks (0: dense masks fixed at 1)
    width : channels of the first convolution (the others are 2x and 4x)
    beta : KL weight; noise_var : variance of the pixel likelihood
    adv_weight : weight of the generator's GAN loss; task_weight : weight of the task loss
    head_decay : L2 penalty on the heads' weights
    epochs, batch_size, lr : Adam schedule; mask_lr_scale : the masks learn this much faster
    l1_warmup : share of training over which the ℓ1 weight ramps up linearly from 0
    threshold : relative support threshold of :meth:`relevant_latents`
    seed, n_threads : determinism and torch threads (as in SparseTaskVAE)
    """

    def __init__(
        self,
        n_latent: int = 16,
        l1: float = 1.0,
        *,
        width: int = 16,
        beta: float = 1.0,
        noise_var: float = 0.01,
        adv_weight: float = 1.0,
        task_weight: float = 100.0,
        head_decay: float = 1e-3,
        epochs: int = 20,
        batch_size: int = 64,
        lr: float = 2e-3,
        mask_lr_scale: float = 10.0,
        l1_warmup: float = 0.5,
        threshold: float = 0.1,
        seed: int = 0,
        n_threads: int = 1,
    ) -> None:
        self.n_latent = check_int("n_latent", n_latent, 1)
        self.l1 = check_real("l1", l1, 0.0, math.inf, closed_low=True)
        self.width = check_int("width", width, 1)
        self.beta = check_real("beta", beta, 0.0, math.inf, closed_low=True)
        self.noise_var = check_real("noise_var", noise_var, 0.0, math.inf)
        self.adv_weight = check_real("adv_weight", adv_weight, 0.0, math.inf, closed_low=True)
        self.task_weight = check_real("task_weight", task_weight, 0.0, math.inf)
        self.head_decay = check_real("head_decay", head_decay, 0.0, math.inf, closed_low=True)
        self.epochs = check_int("epochs", epochs, 1)
        self.batch_size = check_int("batch_size", batch_size, 2)
        self.lr = check_real("lr", lr, 0.0, math.inf)
        self.mask_lr_scale = check_real("mask_lr_scale", mask_lr_scale, 0.0, math.inf)
        self.l1_warmup = check_real("l1_warmup", l1_warmup, 0.0, 1.0, closed_low=True)
        self.threshold = check_real("threshold", threshold, 0.0, 1.0)
        self.seed = check_int("seed", seed, 0)
        self.n_threads = check_int("n_threads", n_threads, 1)

    # -- input checks ----------------------------------------------------------------------
    def _images(self, images, fitted: bool) -> torch.Tensor:
        x = np.asarray(images, dtype=np.float32)
        if (
            x.ndim != 4
            or x.shape[-1] != 3
            or x.shape[1] != x.shape[2]
            or x.shape[1] not in (32, 64)
        ):
            raise ValueError(
                "images must be an (n, S, S, 3) RGB array with S = 32 or 64, "
                f"got shape {np.shape(images)}"
            )
        if not np.all(np.isfinite(x)) or x.min() < 0 or x.max() > 1:
            raise ValueError("images must be finite with values in [0, 1]")
        if fitted:
            if not hasattr(self, "encoder_"):
                raise RuntimeError("TaskMaskGAN is not fitted: call .fit(images, attributes)")
            if x.shape[1] != self.image_size_:
                raise ValueError(
                    f"images are {x.shape[1]} pixels wide, the model was fitted on "
                    f"{self.image_size_}"
                )
        return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, images, attributes) -> TaskMaskGAN:
        """Train on ``images`` ``(n, S, S, 3)`` in [0, 1] and boolean ``attributes`` ``(n, K)``."""
        x = self._images(images, fitted=False)
        y = np.asarray(attributes)
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[0] != x.shape[0]:
            raise ValueError(
                f"attributes must be an (n, K) boolean array with n = {x.shape[0]}, "
                f"got shape {np.shape(attributes)}"
            )
        if not np.isin(y, (0, 1)).all():
            raise ValueError("attributes must be boolean (or 0/1)")
        n, size, n_tasks = x.shape[0], x.shape[2], y.shape[1]
        self.image_size_, self.n_tasks_ = size, n_tasks
        y_t = torch.from_numpy(y.astype(np.float32))

        with _torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)
            enc = _encoder(size, 2 * self.n_latent, self.width)
            dec = _Generator(size, self.n_latent, self.width)
            disc = _encoder(size, 1, self.width)
            head_w = nn.Parameter(torch.randn(n_tasks, self.n_latent, generator=gen) * 0.1)
            head_b = nn.Parameter(torch.zeros(n_tasks))
            theta = nn.Parameter(torch.ones(n_tasks, self.n_latent))
            learn_mask = self.l1 > 0
            theta.requires_grad_(learn_mask)
            groups = [{"params": [*enc.parameters(), *dec.parameters(), head_w, head_b]}]
            if learn_mask:
                groups.append({"params": [theta], "lr": self.lr * self.mask_lr_scale})
            opt = torch.optim.Adam(groups, lr=self.lr, betas=(0.5, 0.999))
            opt_d = torch.optim.Adam(disc.parameters(), lr=self.lr, betas=(0.5, 0.999))
            bce = nn.functional.binary_cross_entropy_with_logits
            inv2var = 1.0 / (2.0 * self.noise_var)
            batch = min(self.batch_size, n)
            history = []
            steps = max(1, n // batch)
            warmup = self.l1_warmup * self.epochs * steps
            for epoch in range(self.epochs):
                order = torch.randperm(n, generator=gen)
                sums = np.zeros(5)
                for step in range(steps):
                    # the penalty ramps up linearly: heads first learn what to read
                    done = epoch * steps + step
                    ramp = min(1.0, done / warmup) if warmup > 0 else 1.0
                    idx = order[step * batch : (step + 1) * batch]
                    xb, yb = x[idx], y_t[idx]
                    mu, logvar = enc(xb).chunk(2, dim=1)
                    z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen)
                    rec = dec(z)
                    # discriminator: real images against reconstructions
                    d_loss = bce(disc(xb), torch.ones(len(idx), 1)) + bce(
                        disc(rec.detach()), torch.zeros(len(idx), 1)
                    )
                    opt_d.zero_grad(set_to_none=True)
                    d_loss.backward()
                    opt_d.step()
                    # encoder, generator, heads, masks
                    recon = ((rec - xb) ** 2).sum(dim=(1, 2, 3)).mean() * inv2var
                    kl = 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar).sum(dim=1).mean()
                    adv = bce(disc(rec), torch.ones(len(idx), 1))
                    logits = (mu[:, None, :] * theta.abs()[None] * head_w[None]).sum(-1) + head_b
                    task = bce(logits, yb) * n_tasks
                    penalty = ramp * self.l1 * theta.abs().sum()
                    loss = (
                        recon
                        + self.beta * kl
                        + self.adv_weight * adv
                        + self.task_weight * task
                        + penalty
                        + self.head_decay * (head_w**2).sum()
                    )
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    sums += [recon.item(), kl.item(), adv.item(), task.item(), d_loss.item()]
                history.append(sums / steps)
        self.encoder_, self.generator_, self.discriminator_ = enc.eval(), dec.eval(), disc.eval()
        self.head_weights_ = head_w.detach().numpy().copy()
        self.head_bias_ = head_b.detach().numpy().copy()
        self.task_mask_ = theta.detach().abs().numpy().copy()
        # where edits aim: the median logit of training images that have the attribute
        logits = self.task_logits(self.encode(images))
        self.target_logits_ = np.array(
            [np.median(logits[y[:, k] == 1, k]) if y[:, k].any() else 0.0 for k in range(n_tasks)]
        )
        self.loss_history_ = np.array(history)  # per epoch: recon, KL, GAN, task, discriminator
        return self

    # -- after fitting ---------------------------------------------------------------------
    def encode(self, images) -> np.ndarray:
        """Posterior means ``(n, n_latent)`` of ``images`` (deterministic)."""
        x = self._images(images, fitted=True)
        with _torch_threads(self.n_threads), torch.no_grad():
            mu, _ = self.encoder_(x).chunk(2, dim=1)
        return mu.numpy().astype(float)

    def decode(self, latents) -> np.ndarray:
        """Images ``(n, S, S, 3)`` in [0, 1] from latent codes ``(n, n_latent)``."""
        if not hasattr(self, "generator_"):
            raise RuntimeError("TaskMaskGAN is not fitted: call .fit(images, attributes)")
        z = np.asarray(latents, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.n_latent:
            raise ValueError(f"latents must be (n, {self.n_latent}), got shape {z.shape}")
        with _torch_threads(self.n_threads), torch.no_grad():
            x = self.generator_(torch.from_numpy(z))
        return x.numpy().transpose(0, 2, 3, 1).astype(np.float32)

    def task_logits(self, latents) -> np.ndarray:
        """The heads' logits ``(n, K)`` of latent codes."""
        z = np.asarray(latents, dtype=float)
        return (z[:, None, :] * self.task_mask_[None] * self.head_weights_[None]).sum(-1) + (
            self.head_bias_
        )

    def relevant_latents(self) -> list[np.ndarray]:
        """Per task, the latents in the mask's support (:func:`~specialist.models.vae.mask_support`)."""
        if not hasattr(self, "task_mask_"):
            raise RuntimeError("TaskMaskGAN is not fitted: call .fit(images, attributes)")
        return mask_support(self.task_mask_, self.threshold)

    def edit_latents(
        self, latents, task: int, target_logit: float | None = None, max_step: float = 5.0
    ) -> np.ndarray:
        """Move each code along ``d_k = m_k * w_k`` (support only) until logit_k = target.

        ``target_logit`` defaults to the median logit of the training images that have the
        attribute (``target_logits_``), so an edit lands among typical images with it. The
        move is at most ``max_step`` long (latents have unit prior scale, so a much longer move
        leaves the region the generator was trained on). Codes whose logit already exceeds the
        target are left unchanged, and coordinates outside the mask's support
        (:meth:`relevant_latents`) never move.
        """
        if not hasattr(self, "task_mask_"):
            raise RuntimeError("TaskMaskGAN is not fitted: call .fit(images, attributes)")
        if isinstance(task, bool) or not isinstance(task, int | np.integer):
            raise TypeError(f"task must be an integer index, got {task!r}")
        if not 0 <= task < self.n_tasks_:
            raise ValueError(f"task must be an index in 0..{self.n_tasks_ - 1}, got {task!r}")
        max_step = check_real("max_step", max_step, 0.0, math.inf)
        if target_logit is None:
            target_logit = float(self.target_logits_[task])
        z = np.asarray(latents, dtype=float)
        support = np.zeros(self.n_latent, dtype=bool)
        support[self.relevant_latents()[task]] = True
        full = self.task_mask_[task] * self.head_weights_[task]
        direction = np.where(support, full, 0.0)
        norm = float(np.linalg.norm(direction))
        gain = float(direction @ full)  # logit change per unit step along `direction`
        if norm == 0 or gain <= 0:
            return z.copy()  # the head ignores every latent: nothing to move
        logit = self.task_logits(z)[:, task]
        step = np.minimum(np.maximum(target_logit - logit, 0.0) / gain, max_step / norm)
        return z + step[:, None] * direction[None]

    def edit(self, images, task: int, **kwargs) -> tuple[np.ndarray, np.ndarray]:
        """Reconstructions of ``images`` and their edits for ``task`` (keyword arguments as in
        :meth:`edit_latents`): two ``(n, S, S, 3)`` arrays."""
        z = self.encode(images)
        return self.decode(z), self.decode(self.edit_latents(z, task, **kwargs))
