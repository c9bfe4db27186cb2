"""``device=`` on the models: "cpu" by default, "cuda" where PyTorch sees a GPU, a clear error
otherwise, checked when fitting (scikit-learn's contract: ``__init__`` only stores it). On the
CPU the fits are exactly those of a model without the setting."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone

from specialist.models import SequentialVAE, SparseTaskVAE, TaskMaskGAN
from specialist.models._common import resolve_device

NO_CUDA = not torch.cuda.is_available()


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6))
    images = rng.uniform(size=(32, 32, 32, 3)).astype(np.float32)
    return {
        "vae": (x, x[:, :2] @ rng.normal(size=(2, 2))),
        "seq": (rng.normal(size=(30, 4, 3)),),
        "gan": (images, rng.uniform(size=(32, 2)) < 0.5, [rng.normal(size=(32, 1)), None]),
    }


#: small settings of each model, the data it is fitted on, and what a fit learns
MODELS = [
    (SparseTaskVAE, {"n_latent": 3, "l1": 0.5, "epochs": 3}, "vae",
     ("task_mask_", "task_sensitivity_")),
    (SparseTaskVAE, {"n_latent": 3, "l1": "auto", "auto_path": [0.1, 1.0], "epochs": 2}, "vae",
     ("task_mask_", "task_sensitivity_", "l1_")),
    (SequentialVAE, {"n_latent": 2, "hidden": 8, "epochs": 3}, "seq", ("mean_", "std_")),
    (TaskMaskGAN, {"n_latent": 4, "l1": 2.0, "width": 4, "disc_width": 4, "epochs": 2,
                   "batch_size": 16}, "gan", ("task_mask_", "head_weights_", "latent_sd_")),
]  # fmt: skip


def _learned(model, data, attributes):
    """Every number a fit produced: its attributes, loss history and codes of the data."""
    out = [np.asarray(getattr(model, a), dtype=float) for a in attributes]
    out.append(model.loss_history_.to_numpy())
    codes = model.encode(data[0]) if isinstance(model, TaskMaskGAN) else model.transform(data[0])
    out.append(codes)
    return out


@pytest.mark.parametrize(("cls", "settings", "data", "attributes"), MODELS)
def test_the_default_is_the_cpu_and_device_cpu_fits_identically(cls, settings, data, attributes):
    data = _data()[data]
    default = cls(**settings)
    assert default.get_params()["device"] == "cpu"
    default.fit(*data)
    for device in ("cpu", torch.device("cpu")):
        explicit = cls(**settings, device=device).fit(*data)
        for a, b in zip(
            _learned(default, data, attributes), _learned(explicit, data, attributes), strict=True
        ):
            assert np.array_equal(a, b), device  # bit for bit
    # the fitted networks live on the CPU
    net = default.encoder_ if isinstance(default, TaskMaskGAN) else default.network_
    assert {p.device.type for p in net.parameters()} == {"cpu"}


@pytest.mark.skipif(not NO_CUDA, reason="this machine has a CUDA GPU")
@pytest.mark.parametrize(("cls", "settings", "data", "attributes"), MODELS)
def test_cuda_without_a_gpu_is_refused_when_fitting_not_when_constructed(
    cls, settings, data, attributes
):
    model = cls(**settings, device="cuda")  # __init__ only stores
    assert model.get_params()["device"] == "cuda"
    twin = clone(model)
    assert twin.get_params()["device"] == "cuda"
    with pytest.raises(ValueError, match=r"device='cuda' asks for a CUDA GPU.*device='cpu'"):
        model.fit(*_data()[data])
    assert not [a for a in vars(model) if a.endswith("_") and not a.startswith("_")]


@pytest.mark.parametrize("device", ["gpu", "tpu", "mps", "cuda:x", "", 0, None, 1.5])
def test_a_device_that_is_not_accepted_names_the_setting_and_what_it_accepts(device):
    with pytest.raises(ValueError, match=r"device must be 'cpu', or 'cuda' / 'cuda:N'"):
        resolve_device(device)
    with pytest.raises(ValueError, match="device must be"):
        SequentialVAE(2, device=device).check_params()


def test_cpu_spellings_resolve_to_the_cpu():
    for device in ("cpu", "cpu:0", torch.device("cpu")):
        assert resolve_device(device) == torch.device("cpu")


@pytest.mark.skipif(NO_CUDA, reason="needs a CUDA GPU")
@pytest.mark.parametrize(("cls", "settings", "data", "attributes"), MODELS)
def test_a_fit_on_the_gpu_comes_back_to_the_cpu_close_to_the_cpu_fit(
    cls, settings, data, attributes
):
    data = _data()[data]
    cpu = cls(**settings).fit(*data)
    gpu = cls(**settings, device="cuda").fit(*data)
    assert np.allclose(cpu.loss_history_.to_numpy()[0], gpu.loss_history_.to_numpy()[0], rtol=1e-3)
    net = gpu.encoder_ if isinstance(gpu, TaskMaskGAN) else gpu.network_
    assert {p.device.type for p in net.parameters()} == {"cpu"}
    with pytest.raises(ValueError, match="there is no CUDA GPU"):
        resolve_device(f"cuda:{torch.cuda.device_count()}")
