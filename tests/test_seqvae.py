"""SequentialVAE (the LEAP-style generalist): recovers a smooth latent process, deterministic,
clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from specialist.metrics import block_r2
from specialist.models.seqvae import SequentialVAE


@pytest.fixture(scope="module")
def process():
    rng = np.random.default_rng(0)
    n, steps = 1000, 10
    s = np.zeros((n, steps, 2))
    for t in range(steps):
        s[:, t] = (0.6 * s[:, t - 1] if t else 0.0) + rng.standard_normal((n, 2))
    mixing = rng.standard_normal((2, 16))
    return s, np.tanh(s @ mixing) + 0.05 * rng.standard_normal((n, steps, 16))


def test_latents_carry_the_true_process(process):
    s, o = process
    model = SequentialVAE(2, epochs=15, seed=0).fit(o)
    z = model.transform(o)
    assert z.shape == (1000, 10, 2)
    assert model.loss_history_["total"].iloc[-1] < model.loss_history_["total"].iloc[0]
    assert block_r2(z.reshape(-1, 2), s.reshape(-1, 2)) > 0.9


def test_deterministic_for_a_seed(process):
    _, o = process
    a = SequentialVAE(2, epochs=1, seed=3).fit(o[:200])
    b = SequentialVAE(2, epochs=1, seed=3).fit(o[:200])
    assert np.array_equal(a.transform(o[:50]), b.transform(o[:50]))


def test_errors(process):
    _, o = process
    with pytest.raises(ValueError, match=r"sequences must be an \(n, T, d\) array"):
        SequentialVAE().fit(o[0, 0])
    with pytest.raises(ValueError, match="NaN"):
        SequentialVAE().fit(np.where(o > 0.9, np.nan, o))
    with pytest.raises(NotFittedError, match="not fitted"):
        SequentialVAE().transform(o)
    with pytest.raises(ValueError, match="n_latent must be an integer >= 1"):
        SequentialVAE(0).check_params()
    model = SequentialVAE(2, epochs=1).fit(o[:100])
    with pytest.raises(ValueError, match="fitted on 16"):
        model.transform(o[:, :, :3])
