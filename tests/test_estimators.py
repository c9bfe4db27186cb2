"""The models follow scikit-learn's estimator contract: settings stored as given, get_params /
set_params / clone, validation when fitting, learned attributes ending in ``_``, and
``NotFittedError`` before fitting."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from specialist.models import SequentialVAE, SparseTaskVAE, TaskMaskGAN

MODELS = [
    (SparseTaskVAE, {"n_latent": 3, "l1": 0.5, "auto_path": [0.1, 1.0], "epochs": 2}),
    (SequentialVAE, {"n_latent": 2, "hidden": 8, "epochs": 1}),
    (TaskMaskGAN, {"n_latent": 4, "l1": 2.0, "width": 4, "epochs": 1}),
]


@pytest.mark.parametrize(("cls", "settings"), MODELS)
def test_params_clone_and_set_params(cls, settings):
    model = cls(**settings)
    params = model.get_params(deep=True)
    for key, value in settings.items():
        assert params[key] is value  # stored as given, not converted
    twin = clone(model)
    assert twin is not model and twin.get_params() == params
    assert model.set_params(seed=7) is model and model.get_params()["seed"] == 7
    assert repr(cls(**settings)).startswith(cls.__name__)


@pytest.mark.parametrize(("cls", "settings"), MODELS)
def test_bad_settings_fail_when_checked_not_when_constructed(cls, settings):
    model = cls(**{**settings, "n_latent": 0})  # sklearn: __init__ only stores
    with pytest.raises(ValueError, match="n_latent must be an integer >= 1"):
        model.check_params()


def test_unfitted_models_raise_not_fitted_error():
    with pytest.raises(NotFittedError, match="not fitted"):
        SparseTaskVAE(3).transform(np.zeros((4, 5)))
    with pytest.raises(NotFittedError, match="not fitted"):
        SequentialVAE(2).transform(np.zeros((4, 3, 2)))
    with pytest.raises(NotFittedError, match="not fitted"):
        TaskMaskGAN(4).relevant_latents()


def test_fitting_adds_only_learned_attributes_and_leaves_settings_alone():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 6))
    y = x[:, :2] @ rng.normal(size=(2, 2))
    for l1 in (0.5, "auto"):
        model = SparseTaskVAE(3, l1=l1, auto_path=[0.1, 1.0], epochs=2)
        before = dict(vars(model))
        model.fit(x, y)
        added = set(vars(model)) - set(before)
        assert added and all(a.endswith("_") and not a.startswith("_") for a in added), added
        assert {k: vars(model)[k] for k in before} == before  # settings unchanged
        assert model.get_params()["l1"] == l1 and isinstance(model.l1_, float)
    seq = SequentialVAE(2, hidden=8, epochs=1)
    before = set(vars(seq))
    seq.fit(rng.normal(size=(20, 4, 3)))
    assert all(a.endswith("_") for a in set(vars(seq)) - before)


def test_the_studies_refuse_bad_run_counts_before_any_training():
    from specialist.experiments import interactions
    from specialist.experiments.edits import edit_runs

    with pytest.raises(ValueError, match="n_seeds must be an integer >= 1"):
        edit_runs({}, 0)
    settings = {
        "n_train": 300, "n_test": 120, "n_blocks": 2, "n_scored": 20, "n_players": 4,
        "n_steps": 12, "n_interactions": 2, "n_classes": 2, "n_latent": 2,
        "n_linear_components": 3, "l1_path": (30.0,), "task_weight": 10.0, "epochs": 1,
        "box_noise": 0.0, "iou_thresholds": (0.5,),
    }  # fmt: skip
    interactions.check_settings(settings)  # accepted as given
    with pytest.raises(ValueError, match="n_fits must be an integer >= 1"):
        interactions.check_settings({**settings, "n_fits": 0})
